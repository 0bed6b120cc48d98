/** In-memory key table and erasure log, with the semantics of the DynamoDB adapters. */
import {
  type ErasureLog,
  type ErasureLogEntry,
  type ErasureMarks,
  erasureMarkKey,
  markKeyOf,
  newerThan,
  type RecordSecretStore,
  recordKey,
} from '../../record-secrets.js';

/** A record's secret, or (`erasedAt` alone) an address's erasure mark. */
interface SecretItem {
  readonly secret?: Uint8Array;
  readonly expiresAt?: number;
  readonly erasedAt?: string;
  /** Epoch seconds the secret was created (absent: not recorded). */
  readonly createdAt?: number;
}

const liveAt = (item: SecretItem, now: Date) =>
  item.expiresAt === undefined || item.expiresAt * 1000 > now.getTime();

export class MemoryRecordSecretStore implements RecordSecretStore, ErasureMarks {
  /** By record key, as the key table stores them. */
  readonly items = new Map<string, SecretItem>();

  async claim(recordId: string, secret: Uint8Array, expiresAt: number | undefined, createdAt?: Date) {
    const key = recordKey(recordId);
    const existing = this.items.get(key)?.secret;
    if (existing) return existing;
    this.items.set(key, {
      secret,
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(createdAt ? { createdAt: Math.floor(createdAt.getTime() / 1000) } : {}),
    });
    return secret;
  }
  async reshred(entries: readonly ErasureLogEntry[]) {
    let n = 0;
    for (const entry of entries) {
      const item = this.items.get(entry.key);
      if (!item?.secret) continue;
      const markAt =
        entry.reason === 'erasure' && entry.at === undefined
          ? this.items.get(markKeyOf(entry.key))?.erasedAt
          : undefined;
      if (item.createdAt !== undefined && item.createdAt >= newerThan(entry, markAt)) continue;
      if (this.items.delete(entry.key)) n++;
    }
    return n;
  }
  async getSecrets(recordIds: readonly string[], now: Date) {
    const out = new Map<string, Uint8Array>();
    for (const id of recordIds) {
      const item = this.items.get(recordKey(id));
      if (item?.secret && liveAt(item, now)) out.set(id, item.secret);
    }
    return out;
  }
  async setExpiry(recordId: string, expiresAt: number, now: Date) {
    const key = recordKey(recordId);
    const item = this.items.get(key);
    if (item?.secret && liveAt(item, now)) this.items.set(key, { ...item, expiresAt });
  }
  async markErased(emailKey: string, at: string) {
    const current = this.items.get(erasureMarkKey(emailKey))?.erasedAt;
    if (current === undefined || current < at) this.items.set(erasureMarkKey(emailKey), { erasedAt: at });
  }
  async erasedAt(emailKey: string) {
    return this.items.get(erasureMarkKey(emailKey))?.erasedAt;
  }
  async shred(keys: readonly string[]) {
    let n = 0;
    for (const key of keys) if (this.items.delete(key)) n++;
    return n;
  }
  async sweepExpired(now: Date) {
    let n = 0;
    for (const [key, item] of [...this.items]) if (!liveAt(item, now) && this.items.delete(key)) n++;
    return n;
  }
  /** A copy of the table as it is now (to restore later: a key-table backup). */
  snapshot(): Map<string, SecretItem> {
    return new Map(this.items);
  }
  restore(snapshot: ReadonlyMap<string, SecretItem>) {
    this.items.clear();
    for (const [k, v] of snapshot) this.items.set(k, v);
  }
}

export class MemoryErasureLog implements ErasureLog {
  readonly log = new Map<string, ErasureLogEntry>();
  async append(
    keys: readonly string[],
    reason: ErasureLogEntry['reason'],
    at: Date,
    options: { readonly precise?: boolean } = {},
  ) {
    const day = at.toISOString().slice(0, 10);
    const precise = options.precise ? { at: at.toISOString() } : {};
    for (const key of keys) this.log.set(key, { key, reason, day, ...precise });
  }
  async *entries() {
    yield* [...this.log.values()];
  }
}
