import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import { clock } from '#shared/compose/installed.js';
import { lookup } from '#shared/compose/keys.js';
import { serviceName, UNSUBSCRIBE_PAGE } from '#shared/contracts.js';
import { unsubscribePage } from '#shared/domain/email-templates.js';
import { InvalidUnsubscribeTokenError } from '#shared/domain/unsubscribe-token.js';
import { type HttpResult, internalError } from '#shared/http/problem.js';
import { header } from '#shared/http/request.js';
import { invalidToken, PAGE_HEADERS } from '#shared/http/unsubscribe-responses.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { checkUnsubscribeToken } from '#shared/usecases/unsubscribe.js';

const logger = createLogger(serviceName('unsubscribe-page'));
const config = configFor(UNSUBSCRIBE_PAGE);
const deps = { lookup: lookup(config), clock: clock() };

/** GET /unsubscribe?token=… — shows a button that POSTs the one-click opt-out; changes nothing. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const token = event.queryStringParameters?.token;
  try {
    await checkUnsubscribeToken(deps, token);
    return { statusCode: 200, headers: { ...PAGE_HEADERS }, body: unsubscribePage(token ?? '') };
  } catch (error) {
    if (error instanceof InvalidUnsubscribeTokenError) {
      logger.info('unsubscribe page: invalid token', { reason: error.reason });
      return invalidToken(header(event, 'accept'));
    }
    logger.error('unsubscribe page failed', errorFields(error));
    return internalError();
  }
};
