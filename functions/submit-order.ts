import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type HttpResult, json, problem, problemFor } from '#shared/http/problem.js';
import { header, readJson } from '#shared/http/request.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { wiring } from '#shared/wiring.js';

const logger = createLogger('submit-order');
const w = wiring();

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** POST /orders — the checkout frontend submits an order. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const body = readJson(event);
  if (!body.ok) return body.result;
  const key = header(event, 'idempotency-key');
  if (!key || !IDEMPOTENCY_KEY.test(key)) {
    return problem(
      400,
      'idempotency-key',
      'Idempotency-Key required',
      'Send 1–255 visible ASCII characters',
      {
        errors: [{ path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }],
      },
    );
  }
  try {
    const result = await submitOrder(
      {
        ...w,
        partners: w.config.partners,
        settings: {
          undeliveredDays: w.config.retention.undeliveredDays,
          idempotencyHours: w.config.idempotencyHours,
          policyVersion: w.config.policyVersion,
        },
      },
      { idempotencyKey: key, body: body.value },
    );
    logger.info('order accepted', { orderId: result.orderId, replayed: result.replayed });
    return json(
      202,
      { orderId: result.orderId, status: result.status },
      { location: `/orders/${result.orderId}` },
    );
  } catch (error) {
    const response = problemFor(error);
    if (response.statusCode >= 500) logger.error('submit failed', errorFields(error));
    else
      logger.info('order rejected', { status: response.statusCode, problem: errorFields(error).errorName });
    return response;
  }
};
