/**
 * Ports of crypto-shredding (data-inventory.md, "Erasure and expiry reach backups"): the key
 * table that holds one secret per personal record, and the erasure log that re-applies
 * shredding after a restore of the key table. Nothing here does I/O.
 *
 * Records are an order's personal item (record id = the order id) and a customer's sealed
 * marketing contact (record id `customer:<emailKey>`). The key table never sees a record id:
 * its items are keyed by `recordKey(recordId)`, 16 bytes of SHA-256, so it holds neither order
 * ids nor keyed email hashes, and neither does the erasure log.
 */
import * as nodeCrypto from 'node:crypto';

/**
 * One-shot SHA-256 as hex: `crypto.hash` (Node ≥ 20.12; ~0.3 µs) where it exists, else
 * createHash (~3 µs: an object, an update and a digest). Same digest either way.
 */
const sha256Hex: (text: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'hex')
    : (text) => nodeCrypto.createHash('sha256').update(text).digest('hex');

/** The record id of a customer's sealed marketing contact (its key-table secret). */
export const customerRecordId = (emailKey: string) => `customer:${emailKey}`;

/** The key-table key of a record (hex of the first 16 bytes of SHA-256 of a labelled record id). */
export function recordKey(recordId: string): string {
  return sha256Hex(`minimis:record-key:${recordId}`).slice(0, 32);
}

export interface RecordSecretStore {
  /**
   * Stores `secret` as the record's secret unless it already has a live one (conditional put);
   * returns the secret in force, so a retried or concurrent intake seals with the same one.
   * `expiresAt` (epoch seconds) is the item's TTL; undefined for records without expiry.
   */
  claim(
    recordId: string,
    secret: Uint8Array,
    expiresAt: number | undefined,
    /** Stored with a new secret (not with a found one), so a re-shred can tell it from an older one. */
    createdAt?: Date,
  ): Promise<Uint8Array>;
  /** The live secrets of these records; absent means erased, expired or never written. */
  getSecrets(recordIds: readonly string[], now: Date): Promise<ReadonlyMap<string, Uint8Array>>;
  /** Moves a live secret's expiry (a delivered order's personal data expires sooner). */
  setExpiry(recordId: string, expiresAt: number, now: Date): Promise<void>;
  /** Shreds records: deletes their secrets by record key. Returns how many existed. */
  shred(keys: readonly string[]): Promise<number>;
  /**
   * Shreds again what the erasure log says was shredded (a key table restored from a backup):
   * each entry's secret unless it was created after the entry's day — a new record of the same id
   * since, such as a customer who opted in again after an erasure. A secret with no creation time
   * (stored before it was recorded) is shredded. Returns how many it deleted.
   */
  reshred(entries: readonly ErasureLogEntry[]): Promise<number>;
  /** Deletes every secret whose expiry has passed (without reading a secret); returns the count. */
  sweepExpired(now: Date): Promise<number>;
}

export interface ErasureLogEntry {
  /** `recordKey(recordId)`: opaque, not linkable to an order or a person. */
  readonly key: string;
  readonly reason: 'erasure' | 'expiry';
  /** The day (YYYY-MM-DD) of the shredding: coarse on purpose, so entries do not link records by time. */
  readonly day: string;
  /**
   * A customer record's shredding to the second (ISO), logged with `precise`: a re-shred then
   * spares exactly the secrets created after it. Only for customer records, whose erasure time
   * the order table holds anyway beside the keyed hash (the suppression entry's `at`): it links
   * nothing new. Order records keep the day alone.
   */
  readonly at?: string;
}

/**
 * What was shredded, kept (in the order table, not the key table) at least as long as the key
 * table's backups, so that a key table restored from a backup can have every later shredding
 * re-applied. Holds record keys, reasons and days only: no personal data.
 */
export interface ErasureLog {
  append(
    keys: readonly string[],
    reason: ErasureLogEntry['reason'],
    at: Date,
    options?: { readonly precise?: boolean },
  ): Promise<void>;
  entries(): AsyncIterable<ErasureLogEntry>;
}

/**
 * The erasures' durable marks (data-inventory.md: "restoring the order table from a backup never
 * makes their data readable again, and a checkout by 'them' later starts afresh"): the erasure's
 * suppression entry lives in the order table, so a restore of that table from before the erasure
 * would drop it, and a stranger's checkout with the address would opt it in unconfirmed. Each
 * erasure therefore also marks the key table (which order-table restores do not reach): one item
 * under `erasureMarkKey(emailKey)` — an opaque hash, as every key-table key — holding only the
 * erasure's time, kept indefinitely like the suppression entry. Reads of the suppression made
 * through the shredding consent store see the stronger of the two (shredding-stores.ts).
 */
export interface ErasureMarks {
  /** Records (or re-dates) the address's erasure. */
  markErased(emailKey: string, at: string): Promise<void>;
  /** When the address was last erased, if it was. */
  erasedAt(emailKey: string): Promise<string | undefined>;
}

/**
 * The key-table key of an erasure mark, from the record key of the customer's secret (never equal
 * to a record's key): so the purge, which knows only record keys, finds the mark of an entry.
 */
export function markKeyOf(customerRecordKey: string): string {
  return sha256Hex(`minimis:erasure-mark:${customerRecordKey}`).slice(0, 32);
}

/** The key-table key of an address's erasure mark. */
export function erasureMarkKey(emailKey: string): string {
  return markKeyOf(recordKey(customerRecordId(emailKey)));
}

/**
 * Epoch seconds from which a secret is newer than the erasure-log entry that shredded its record:
 * the second after the shredding where the entry dates it (`at`: a customer's record since review
 * s11b); else the next day (UTC) after the entry's day, or — where the record is a customer's and
 * its erasure mark dates the erasure within that day — the second after the erasure (a customer
 * who opted in again on the day of the erasure keeps the new secret).
 */
export function newerThan(entry: Pick<ErasureLogEntry, 'day' | 'at'>, markAt: string | undefined): number {
  if (entry.at !== undefined) return Math.floor(Date.parse(entry.at) / 1000) + 1;
  const day = entry.day;
  const nextDay = Date.parse(`${day}T00:00:00.000Z`) / 1000 + 86_400;
  // Only a mark of that very day dates this shredding: a mark from an earlier erasure (a key table
  // restored from between two erasures) or a later one says nothing about it.
  if (markAt === undefined || markAt.slice(0, 10) !== day) return nextDay;
  return Math.min(nextDay, Math.floor(Date.parse(markAt) / 1000) + 1);
}
