/**
 * Re-sends dead-lettered partner deliveries (`minimis redrive [--partner <id>]`): for each partner
 * (or the one asked for), the deliveries of its dead-lettered messages go back to `pending` in the
 * order status, then the messages move back to the partner's queue and are delivered again with the
 * same `webhook-id` (a partner that did receive one deduplicates it).
 *
 * With SQS, listing peeks at up to 10 dead letters per call; deliveries of any others keep showing
 * `failed` until their redriven message is delivered (then `delivered`).
 */

import { ORDER_REDACTED_TYPE } from '../contracts/messages.js';
import { partnerQueue } from '../contracts.js';
import type { Clock, DeadLetterQueue, OrderStore } from '../ports.js';

export interface RedriveDeps {
  readonly queue: DeadLetterQueue;
  readonly orders: OrderStore;
  readonly partners: ReadonlyArray<{ readonly id: string }>;
  /** @default the system clock */
  readonly clock?: Clock;
}

export interface RedriveProgress {
  readonly partnerId: string;
  /** Messages moved back so far for this partner. */
  readonly moved: number;
}

export interface RedriveCount {
  readonly partnerId: string;
  /** Dead-lettered deliveries set back to `pending`. */
  readonly markedPending: number;
  /** Messages moved back to the partner's queue. */
  readonly moved: number;
}

/** The partner id given is not configured (the CLI reports it as bad usage). */
export class UnknownPartnerError extends Error {
  override readonly name = 'UnknownPartnerError';
  constructor(readonly partnerId: string) {
    super(`No partner with id ${partnerId}`);
  }
}

export async function redriveDeliveries(
  deps: RedriveDeps,
  partnerId?: string,
  onProgress?: (progress: RedriveProgress) => void,
): Promise<RedriveCount[]> {
  const partners = partnerId === undefined ? deps.partners : deps.partners.filter((p) => p.id === partnerId);
  if (partnerId !== undefined && partners.length === 0) throw new UnknownPartnerError(partnerId);
  const now = () => (deps.clock ? deps.clock.now() : new Date());
  const counts: RedriveCount[] = [];
  for (const partner of partners) {
    const queue = partnerQueue(partner.id);
    const dead = await deps.queue.list(queue);
    // The order's delivery goes back to `pending` for its own message only: an `order.redacted`
    // has no delivery state (its progress is in the ledger and the certificate), and marking it
    // left a delivery that had ended `failed` pending for good (review s10).
    const orderIds = new Set(
      dead
        .filter(
          (m) =>
            typeof m.orderId === 'string' &&
            m.type !== ORDER_REDACTED_TYPE &&
            (m.partner === undefined || m.partner === partner.id),
        )
        .map((m) => m.orderId),
    );
    // `pending` never overwrites `delivered` (the store's condition), so a redundant message is harmless.
    for (const orderId of orderIds)
      await deps.orders.setDeliveryState(orderId, partner.id, 'pending', now().toISOString());
    const moved = await deps.queue.redrive(queue, (n) => onProgress?.({ partnerId: partner.id, moved: n }));
    counts.push({ partnerId: partner.id, markedPending: orderIds.size, moved });
  }
  return counts;
}
