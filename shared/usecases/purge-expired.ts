/**
 * Retention, enforced: removes every personal record whose retention has passed.
 *
 * When personal data expires (the `expiresAt` of its PII# item):
 * - at intake: `undeliveredDays` (default 90) after acceptance, in case delivery is never reported;
 * - on `shipment.delivered`: `afterDeliveryDays` (default 30) after delivery (set by the partner
 *   events use case through `OrderStore.setPersonalExpiry`).
 *
 * Expired data is already gone for every reader — `OrderStore.getPersonal` checks `expiresAt` on
 * read and the export filters by it — and DynamoDB TTL deletes it eventually (up to ~48 h late).
 * This sweep makes it physically gone now: daily in AWS (functions/purge.ts) and on demand with
 * `minimis purge`. It decrypts nothing, so the purge role holds no key grant at all.
 *
 * Not touched here, by design: the non-personal ORDER# record (kept for accounting; it has no TTL),
 * the consent ledger and marketing contact (kept until opt-out or erasure), the suppression list
 * (kept so an opted-out or erased address is never mailed), and idempotency records (their TTL
 * removes them and the idempotency store treats them as absent once expired; they hold a keyed
 * MAC of the request, never the request itself).
 */
import type { Clock, OrderStore } from '../ports.js';

export interface PurgeDeps {
  readonly orders: Pick<OrderStore, 'scanExpiredPersonal' | 'deletePersonal'>;
  readonly clock: Clock;
}

export interface PurgeResult {
  /** The instant the sweep compared expiry times against (ISO 8601). */
  readonly checkedAt: string;
  /** Expired personal records found. */
  readonly expired: number;
  /** Of those, records this sweep deleted. */
  readonly purged: number;
  /** Of those, records already gone when deleted (TTL or a concurrent erasure got there first). */
  readonly alreadyGone: number;
}

/**
 * Deletes every expired personal record and reports counts; `onProgress` gets the running number
 * of records purged after each deletion. Safe to run concurrently with itself and with TTL.
 */
export async function purgeExpired(
  deps: PurgeDeps,
  onProgress?: (purged: number) => void,
): Promise<PurgeResult> {
  const now = deps.clock.now();
  let expired = 0;
  let purged = 0;
  for await (const record of deps.orders.scanExpiredPersonal(now)) {
    expired++;
    if (await deps.orders.deletePersonal(record.orderId)) {
      purged++;
      onProgress?.(purged);
    }
  }
  return { checkedAt: now.toISOString(), expired, purged, alreadyGone: expired - purged };
}
