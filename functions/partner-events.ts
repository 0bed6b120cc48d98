import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import { statusOrders } from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { partnerSecrets } from '#shared/compose/partner-secrets.js';
import { queue } from '#shared/compose/queue.js';
import { PARTNER_READERS } from '#shared/config.js';
import { PARTNER_EVENTS, serviceName } from '#shared/contracts.js';
import { type HttpResult, internalError, json, problem } from '#shared/http/problem.js';
import { rawBody } from '#shared/http/request.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { type RecordPartnerEventResult, recordPartnerEvent } from '#shared/usecases/record-partner-event.js';

const logger = createLogger(serviceName('partner-events'));
const config = configFor(PARTNER_EVENTS, PARTNER_READERS);
const deps = {
  orders: statusOrders(config),
  queue: queue(config),
  secrets: partnerSecrets(config),
  clock: clock(),
  partners: config.partners,
  settings: { afterDeliveryDays: config.retention.afterDeliveryDays },
};

function toHttp(result: RecordPartnerEventResult): HttpResult {
  switch (result.outcome) {
    case 'applied':
    case 'replay':
      return json(202, { orderId: result.orderId, status: result.status });
    case 'unknown-partner':
      return problem(404, 'partner-not-found', 'Partner not found', 'No partner with this id');
    case 'too-large':
      return problem(413, 'payload-too-large', 'Payload too large', 'The body must be at most 32 KiB');
    case 'unsupported-media-type':
      return problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send application/json');
    case 'unauthorized':
      return problem(401, 'unauthorized', 'Unauthorized', 'Missing, invalid or expired webhook signature');
    case 'malformed-json':
      return problem(400, 'malformed-json', 'Malformed JSON', 'The body is not valid JSON');
    case 'invalid':
      return problem(
        400,
        'validation',
        'Invalid event',
        `${result.problems.length} field${result.problems.length === 1 ? ' is' : 's are'} invalid`,
        { errors: result.problems },
      );
    // One answer for both: a partner the order was not routed to learns nothing about it.
    case 'order-not-found':
    case 'not-routed':
      return problem(404, 'order-not-found', 'Order not found', 'No order with this id');
    case 'conflict':
      return problem(
        409,
        'invalid-transition',
        'Transition not allowed',
        `An order that is ${result.from} cannot become ${result.to}`,
      );
  }
}

/** POST /partners/{partnerId}/events — a partner reports progress, signed with its own secret. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const partnerId = event.pathParameters?.partnerId ?? '';
  try {
    const result = await recordPartnerEvent(deps, {
      partnerId,
      headers: event.headers ?? {},
      body: rawBody(event),
    });
    const response = toHttp(result);
    const known = result.outcome !== 'unknown-partner';
    logger.info('partner event', {
      ...(known ? { partner: partnerId } : {}),
      outcome: result.outcome,
      statusCode: response.statusCode,
      ...('orderId' in result ? { orderId: result.orderId, orderStatus: result.status } : {}),
    });
    return response;
  } catch (error) {
    logger.error('partner event failed', { ...errorFields(error) });
    return internalError();
  }
};
