import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { unsubscribePage } from '#shared/domain/email-templates.js';
import { InvalidUnsubscribeTokenError } from '#shared/domain/unsubscribe-token.js';
import { type HttpResult, internalError, problem } from '#shared/http/problem.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { checkUnsubscribeToken } from '#shared/usecases/unsubscribe.js';
import { wiring } from '#shared/wiring.js';

const logger = createLogger('unsubscribe-page');
const w = wiring();

/** Headers of the unsubscribe pages: never cached, never framed, no referrer (the URL holds the token). */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-robots-tag': 'noindex',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export const invalidToken = () =>
  problem(
    400,
    'unsubscribe-token',
    'Invalid unsubscribe link',
    'The unsubscribe token is malformed or not ours',
    {
      errors: [{ path: 'token', message: 'must be an unsubscribe token from one of our emails' }],
    },
  );

/** GET /unsubscribe?token=… — shows a button that POSTs the one-click opt-out; changes nothing. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const token = event.queryStringParameters?.token;
  try {
    await checkUnsubscribeToken(w, token);
    return { statusCode: 200, headers: { ...PAGE_HEADERS }, body: unsubscribePage(token ?? '') };
  } catch (error) {
    if (error instanceof InvalidUnsubscribeTokenError) {
      logger.info('unsubscribe page: invalid token', { reason: error.reason });
      return invalidToken();
    }
    logger.error('unsubscribe page failed', errorFields(error));
    return internalError();
  }
};
