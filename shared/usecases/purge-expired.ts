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
 * Crypto-shredding (data-inventory.md, "Erasure and expiry reach backups"): deleting an expired
 * personal record first deletes its secret in the key table (shared/adapters/shredding-stores.ts),
 * so its blobs are unreadable in every backup of the order table from then on. The sweep then
 * deletes every key-table secret past its own expiry (DynamoDB TTL would, up to ~48 h late), and
 * re-applies the erasure log: a secret that came back with a restored key table is deleted again.
 *
 * Not touched here, by design: the non-personal ORDER# record (kept for accounting; it has no TTL),
 * the consent ledger and marketing contact (kept until opt-out or erasure), the suppression list
 * (kept so an opted-out or erased address is never mailed), and idempotency records (their TTL
 * removes them and the idempotency store treats them as absent once expired; they hold a keyed
 * MAC of the request, never the request itself).
 */
import type { Clock, OrderStore } from '../ports.js';
import type { ErasureLog, ErasureLogEntry, RecordSecretStore } from '../record-secrets.js';

export interface PurgeDeps {
  readonly orders: Pick<OrderStore, 'scanExpiredPersonal' | 'deletePersonal'>;
  readonly recordSecrets: Pick<RecordSecretStore, 'sweepExpired' | 'reshred'>;
  readonly erasureLog: Pick<ErasureLog, 'entries'>;
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
  /** Key-table secrets past their expiry, deleted by this sweep. */
  readonly secretsExpired: number;
  /** Secrets of records in the erasure log found again (a restored key table) and deleted. */
  readonly secretsReshredded: number;
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
    if (await deps.orders.deletePersonal(record.orderId, 'expiry')) {
      purged++;
      onProgress?.(purged);
    }
  }
  const secretsExpired = await deps.recordSecrets.sweepExpired(now);
  const secretsReshredded = await reapplyErasureLog(deps);
  return {
    checkedAt: now.toISOString(),
    expired,
    purged,
    alreadyGone: expired - purged,
    secretsExpired,
    secretsReshredded,
  };
}

/**
 * Deletes the secret of every record in the erasure log. Normally none is left, so this finds
 * nothing; after the key table was restored from a backup it shreds again what was erased or
 * expired since that backup. Returns how many secrets it found and deleted.
 */
export async function reapplyErasureLog(
  deps: Pick<PurgeDeps, 'recordSecrets' | 'erasureLog'>,
): Promise<number> {
  let found = 0;
  let batch: ErasureLogEntry[] = [];
  for await (const entry of deps.erasureLog.entries()) {
    batch.push(entry);
    if (batch.length >= 100) {
      found += await deps.recordSecrets.reshred(batch);
      batch = [];
    }
  }
  if (batch.length > 0) found += await deps.recordSecrets.reshred(batch);
  return found;
}
