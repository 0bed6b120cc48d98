import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import { clock } from '#shared/compose/installed.js';
import { lookup } from '#shared/compose/keys.js';
import { CONSENT_CONFIRM_PAGE, serviceName } from '#shared/contracts.js';
import { InvalidConsentTokenError } from '#shared/domain/consent-token.js';
import { consentConfirmPage } from '#shared/domain/email-templates.js';
import { invalidConsentToken, PAGE_HEADERS } from '#shared/http/consent-responses.js';
import { type HttpResult, internalError } from '#shared/http/problem.js';
import { header } from '#shared/http/request.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { checkConsentToken } from '#shared/usecases/confirm-consent.js';

const logger = createLogger(serviceName('consent-confirm-page'));
const config = configFor(CONSENT_CONFIRM_PAGE);
const deps = { lookup: lookup(config), clock: clock() };

/** GET /consent/confirm?token=… — shows a button that POSTs the confirmation; changes nothing. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const token = event.queryStringParameters?.token;
  try {
    await checkConsentToken(deps, token);
    return { statusCode: 200, headers: { ...PAGE_HEADERS }, body: consentConfirmPage(token ?? '') };
  } catch (error) {
    if (error instanceof InvalidConsentTokenError) {
      logger.info('consent confirm page: invalid token', { reason: error.reason });
      return invalidConsentToken(header(event, 'accept'));
    }
    logger.error('consent confirm page failed', errorFields(error));
    return internalError();
  }
};
