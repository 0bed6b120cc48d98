import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import { orderReader } from '#shared/compose/dynamo.js';
import { PARTNER_READERS } from '#shared/config.js';
import { GET_ORDER, serviceName } from '#shared/contracts.js';
import { type HttpResult, json, problemFor } from '#shared/http/problem.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { getOrderStatus } from '#shared/usecases/get-order-status.js';

const logger = createLogger(serviceName('get-order'));
const config = configFor(GET_ORDER, PARTNER_READERS);
const deps = { orders: orderReader(config), partners: config.partners };

/** GET /orders/{orderId} — status without personal data. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  try {
    const view = await getOrderStatus(deps, event.pathParameters?.orderId ?? '');
    return json(200, view);
  } catch (error) {
    const response = problemFor(error);
    if (response.statusCode >= 500) logger.error('status read failed', errorFields(error));
    return response;
  }
};
