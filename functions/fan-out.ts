import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import { fanOutOrders } from '#shared/compose/dynamo.js';
import { queue } from '#shared/compose/queue.js';
import { FAN_OUT, keys, serviceName } from '#shared/contracts.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { fanOutOrder } from '#shared/usecases/fan-out.js';

const logger = createLogger(serviceName('fan-out'));
const config = configFor(FAN_OUT);
const deps = { orders: fanOutOrders(config), queue: queue(config) };
const processor = new BatchProcessor(EventType.DynamoDBStreams);

/** Order items' key prefix (`ORDER#<orderId>`, shared/contracts.ts). */
const ORDER_PREFIX = keys.order('');

/** One stream record: an order item was inserted (the mapping's filter); fan it out. */
async function fanOutRecord(record: DynamoDBRecord): Promise<void> {
  const pk = record.dynamodb?.Keys?.pk?.S;
  // The event source mapping's filter admits only these; anything else is not ours.
  if (record.eventName !== 'INSERT' || !pk?.startsWith(ORDER_PREFIX)) return;
  const orderId = pk.slice(ORDER_PREFIX.length);
  try {
    const sent = await fanOutOrder(deps, orderId);
    logger.info(sent ? 'order fanned out' : 'order already fanned out', { orderId });
  } catch (error) {
    logger.error('fan-out failed', { orderId, ...errorFields(error) });
    throw error;
  }
}

/**
 * The order table's stream (KEYS_ONLY, INSERTs of `ORDER#` items): enqueues each new order's
 * deliveries and confirmation email and clears its outbox flag. Failed records are reported one by
 * one (ReportBatchItemFailures); the outbox sweeper is the backstop.
 */
export const handler = (event: DynamoDBStreamEvent, context?: Context) =>
  processPartialResponse(event, fanOutRecord, processor, context ? { context } : {});
