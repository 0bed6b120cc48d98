import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import { confirmingConsent, erasureMarks } from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { lookup } from '#shared/compose/keys.js';
import { CONSENT_CONFIRM, serviceName } from '#shared/contracts.js';
import { InvalidConsentTokenError } from '#shared/domain/consent-token.js';
import { consentConfirmedPage } from '#shared/domain/email-templates.js';
import { invalidConsentToken, PAGE_HEADERS } from '#shared/http/consent-responses.js';
import { type HttpResult, internalError, json, problem } from '#shared/http/problem.js';
import { header, MAX_BODY_BYTES, prefersHtml, rawBody } from '#shared/http/request.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { confirmConsent } from '#shared/usecases/confirm-consent.js';

const logger = createLogger(serviceName('consent-confirm'));
const config = configFor(CONSENT_CONFIRM);
const deps = {
  consent: confirmingConsent(config),
  recordSecrets: erasureMarks(config),
  lookup: lookup(config),
  clock: clock(),
  settings: { policyVersion: config.policyVersion },
};

/**
 * POST /consent/confirm?token=… — the owner of the address confirms a renewed opt-in (the button
 * of the GET page; the body is ignored). A bad, used or expired token is a 400 and nothing is
 * written; of concurrent POSTs with one token exactly one records the confirmation.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  if (rawBody(event).length > MAX_BODY_BYTES) {
    return problem(413, 'payload-too-large', 'Payload too large', 'The body must be at most 32 KiB');
  }
  try {
    await confirmConsent(deps, event.queryStringParameters?.token);
    logger.info('consent confirmed');
    if (prefersHtml(header(event, 'accept'))) {
      return { statusCode: 200, headers: { ...PAGE_HEADERS }, body: consentConfirmedPage() };
    }
    return json(200, { status: 'confirmed' });
  } catch (error) {
    if (error instanceof InvalidConsentTokenError) {
      logger.info('consent confirm: invalid token', { reason: error.reason });
      return invalidConsentToken(header(event, 'accept'));
    }
    logger.error('consent confirm failed', errorFields(error));
    return internalError();
  }
};
