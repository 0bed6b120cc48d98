import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import {
  fenceReader,
  intakeConsent,
  intakeIdempotency,
  intakeOrders,
  secretClaims,
} from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { lookup, sealingKeys } from '#shared/compose/keys.js';
import { PARTNER_READERS } from '#shared/config.js';
import { SUBMIT_ORDER, serviceName } from '#shared/contracts.js';
import { type HttpResult, json, problem, problemFor } from '#shared/http/problem.js';
import { header, readJson } from '#shared/http/request.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { submitOrder } from '#shared/usecases/submit-order.js';

const logger = createLogger(serviceName('submit-order'));
const config = configFor(SUBMIT_ORDER, PARTNER_READERS);
const deps = {
  orders: intakeOrders(config),
  idempotency: intakeIdempotency(config),
  consent: intakeConsent(config),
  fence: fenceReader(config),
  dataKeys: sealingKeys(config),
  recordSecrets: secretClaims(config),
  lookup: lookup(config),
  clock: clock(),
  partners: config.partners,
  settings: {
    undeliveredDays: config.retention.undeliveredDays,
    idempotencyHours: config.idempotencyHours,
    policyVersion: config.policyVersion,
  },
};

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
    const result = await submitOrder(deps, { idempotencyKey: key, body: body.value });
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
