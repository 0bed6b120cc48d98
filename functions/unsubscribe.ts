import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import { fenceReader, optOutConsent } from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { lookup } from '#shared/compose/keys.js';
import { serviceName, UNSUBSCRIBE } from '#shared/contracts.js';
import { unsubscribedPage } from '#shared/domain/email-templates.js';
import { InvalidUnsubscribeTokenError } from '#shared/domain/unsubscribe-token.js';
import { type HttpResult, internalError, json, problem } from '#shared/http/problem.js';
import { header, MAX_BODY_BYTES, prefersHtml, rawBody } from '#shared/http/request.js';
import { invalidToken, PAGE_HEADERS } from '#shared/http/unsubscribe-responses.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { unsubscribe } from '#shared/usecases/unsubscribe.js';

const logger = createLogger(serviceName('unsubscribe'));
const config = configFor(UNSUBSCRIBE);
const deps = {
  consent: optOutConsent(config),
  fence: fenceReader(config),
  clock: clock(),
  lookup: lookup(config),
  settings: { policyVersion: config.policyVersion },
};

const FORM_TYPES = /^(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;

/** The RFC 8058 body, `List-Unsubscribe=One-Click`, form-urlencoded or multipart. */
async function isOneClickBody(contentType: string, body: Buffer): Promise<boolean> {
  try {
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    const values = form.getAll('List-Unsubscribe');
    return values.length === 1 && typeof values[0] === 'string' && values[0].trim() === 'One-Click';
  } catch {
    return false;
  }
}

/**
 * POST /unsubscribe?token=… — the one-click opt-out (RFC 8058): no cookies, no auth beyond the
 * token. A bad token is a 400 and nothing is written; repeating the request is harmless.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const contentType = header(event, 'content-type') ?? '';
  if (!FORM_TYPES.test(contentType.trim())) {
    return problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send an HTML form body', {
      headers: { 'accept-post': 'application/x-www-form-urlencoded, multipart/form-data' },
    });
  }
  const body = rawBody(event);
  if (body.length > MAX_BODY_BYTES) {
    return problem(413, 'payload-too-large', 'Payload too large', 'The body must be at most 32 KiB');
  }
  if (!(await isOneClickBody(contentType, body))) {
    return problem(
      400,
      'unsubscribe-body',
      'Invalid unsubscribe request',
      'The body must be List-Unsubscribe=One-Click',
      {
        errors: [{ path: 'List-Unsubscribe', message: 'must be One-Click' }],
      },
    );
  }
  try {
    const outcome = await unsubscribe(deps, event.queryStringParameters?.token);
    logger.info('unsubscribe handled', { outcome });
    if (prefersHtml(header(event, 'accept'))) {
      return { statusCode: 200, headers: { ...PAGE_HEADERS }, body: unsubscribedPage() };
    }
    return json(200, { status: 'unsubscribed' });
  } catch (error) {
    if (error instanceof InvalidUnsubscribeTokenError) {
      logger.info('unsubscribe: invalid token', { reason: error.reason });
      return invalidToken(header(event, 'accept'));
    }
    logger.error('unsubscribe failed', errorFields(error));
    return internalError();
  }
};
