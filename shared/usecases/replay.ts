/**
 * `minimis replay`: re-sends a partner's messages through its queue (so the normal signed
 * delivery, retries and the 410 hold apply), with the original `webhook-id` (it is derived from
 * order, partner and type) and a fresh timestamp; the payload is projected anew from the data held
 * now when the message is delivered.
 *
 * Erased or expired personal data is never replayed: a message whose partner needs personal data
 * that is no longer held is skipped and counted (`skippedPersonalDataGone`), and the delivery
 * re-checks at send time, sending nothing if the data went in between.
 */

import { deliveryMessage } from '../contracts/messages.js';
import { partnerQueue } from '../contracts.js';
import type { OrderRecord } from '../domain/order.js';
import { PAYLOAD_TYPES } from '../domain/projections.js';
import { type PartnerKind, purposesForFields } from '../inventory.js';
import type { Clock, OrderScan, OrderStore, Queue } from '../ports.js';
import { webhookId } from './deliver-to-partner.js';
import { UnknownPartnerError } from './redrive.js';

export interface ReplayDeps {
  readonly orders: Pick<OrderStore, 'getOrder' | 'getPersonal'>;
  readonly orderScan: OrderScan;
  readonly queue: Queue;
  readonly clock: Clock;
  readonly partners: ReadonlyArray<{
    readonly id: string;
    readonly kind: PartnerKind;
    readonly fields: Parameters<typeof purposesForFields>[0];
  }>;
}

export type ReplaySelection =
  | { readonly by: 'order'; readonly orderId: string; readonly type?: string }
  | { readonly by: 'webhook-id'; readonly webhookId: string }
  /** Messages of orders accepted in [since, until). */
  | { readonly by: 'range'; readonly since: string; readonly until?: string };

export interface ReplayResult {
  readonly partnerId: string;
  /** Messages that matched the selection. */
  readonly matched: number;
  /** Put back on the partner's queue. */
  readonly enqueued: number;
  /** Not replayed: the partner needs personal data that was erased or has expired. */
  readonly skippedPersonalDataGone: number;
  readonly webhookIds: readonly string[];
}

/** The selection names a type this partner never receives (bad usage). */
export class ReplayTypeError extends Error {
  override readonly name = 'ReplayTypeError';
  constructor(
    readonly partnerId: string,
    readonly types: readonly string[],
  ) {
    super(`only ${types.join(', ')} can be replayed to partner ${partnerId}`);
  }
}

/** The message types a partner's replay can re-send (the order's own message). */
export function replayableTypes(kind: PartnerKind): string[] {
  return [PAYLOAD_TYPES[kind]];
}

export async function replayMessages(
  deps: ReplayDeps,
  partnerId: string,
  selection: ReplaySelection,
  onProgress?: (progress: { readonly scanned: number; readonly enqueued: number }) => void,
): Promise<ReplayResult> {
  const partner = deps.partners.find((p) => p.id === partnerId);
  if (!partner) throw new UnknownPartnerError(partnerId);
  const type = PAYLOAD_TYPES[partner.kind];
  if (selection.by === 'order' && selection.type !== undefined && selection.type !== type) {
    throw new ReplayTypeError(partnerId, replayableTypes(partner.kind));
  }
  const needsPersonal = purposesForFields(partner.fields);
  const routed = (order: OrderRecord) => order.deliveries[partnerId] !== undefined;

  async function* candidates(): AsyncIterable<OrderRecord> {
    if (selection.by === 'order') {
      const order = await deps.orders.getOrder(selection.orderId);
      if (order) yield order;
      return;
    }
    const range =
      selection.by === 'range'
        ? { from: selection.since, ...(selection.until ? { to: selection.until } : {}) }
        : {};
    for await (const order of deps.orderScan.scanOrders(range)) {
      if (selection.by === 'webhook-id' && webhookId(order.orderId, partnerId, type) !== selection.webhookId)
        continue;
      yield order;
      if (selection.by === 'webhook-id') return;
    }
  }

  let scanned = 0;
  let matched = 0;
  let skippedPersonalDataGone = 0;
  const webhookIds: string[] = [];
  for await (const order of candidates()) {
    scanned++;
    if (!routed(order)) continue;
    matched++;
    if (needsPersonal.length > 0) {
      const record = await deps.orders.getPersonal(order.orderId, deps.clock.now());
      if (!record || needsPersonal.some((purpose) => !record.sealed[purpose])) {
        skippedPersonalDataGone++;
        continue;
      }
    }
    await deps.queue.send(partnerQueue(partnerId), deliveryMessage(order.orderId, partnerId, true));
    webhookIds.push(webhookId(order.orderId, partnerId, type));
    if (webhookIds.length % 100 === 0) onProgress?.({ scanned, enqueued: webhookIds.length });
  }
  onProgress?.({ scanned, enqueued: webhookIds.length });
  return { partnerId, matched, enqueued: webhookIds.length, skippedPersonalDataGone, webhookIds };
}
