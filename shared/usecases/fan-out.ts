import { deliveryMessage, notifyMessage } from '../contracts/messages.js';
import { NOTIFY_QUEUE, partnerQueue } from '../contracts.js';
import type { OrderRecord } from '../domain/order.js';
import type { OrderStore, Queue } from '../ports.js';

export interface FanOutDeps {
  readonly orders: Pick<OrderStore, 'getOrder' | 'markFanoutDone'>;
  readonly queue: Queue;
}

/**
 * Enqueues one delivery per partner the order was routed to at intake (its `deliveries`), and
 * the confirmation email, then clears the order's outbox flag. Safe to repeat: deliveries and
 * emails are deduplicated downstream (webhook-id, email claims).
 */
export async function fanOut(
  deps: FanOutDeps,
  order: Pick<OrderRecord, 'orderId' | 'deliveries'>,
): Promise<void> {
  const { orderId } = order;
  await Promise.all([
    ...Object.keys(order.deliveries).map((id) =>
      deps.queue.send(partnerQueue(id), deliveryMessage(orderId, id)),
    ),
    deps.queue.send(NOTIFY_QUEUE, notifyMessage('order.accepted', orderId)),
  ]);
  await deps.orders.markFanoutDone(orderId);
}

/**
 * After an order record is written (the order table's stream in AWS, the local runner locally):
 * reads the order and fans it out unless that was already confirmed (by the sweeper). False when
 * there was nothing to do (no such order, or already fanned out).
 */
export async function fanOutOrder(deps: FanOutDeps, orderId: string): Promise<boolean> {
  const order = await deps.orders.getOrder(orderId);
  if (order?.outbox !== 'pending') return false;
  await fanOut(deps, order);
  return true;
}

export interface SweepOutboxDeps extends FanOutDeps {
  readonly orders: Pick<OrderStore, 'getOrder' | 'markFanoutDone' | 'listPendingFanout'>;
  readonly now: () => Date;
}

/**
 * The backstop: re-runs the fan-out of orders still flagged after `graceSeconds` (the stream, or
 * the local runner, missed them or failed). Returns how many it fanned out.
 */
export async function sweepOutbox(deps: SweepOutboxDeps, graceSeconds: number, limit = 100): Promise<number> {
  const before = new Date(deps.now().getTime() - graceSeconds * 1000);
  const pending = await deps.orders.listPendingFanout(before, limit);
  let resent = 0;
  // The index lags the table: an order the stream fanned out a moment ago may still be listed.
  // fanOutOrder re-reads the order (consistently) and skips one whose flag is already cleared.
  for (const orderId of pending) if (await fanOutOrder(deps, orderId)) resent++;
  return resent;
}
