/**
 * Data-key caching, so KMS calls amortise over many orders:
 * - sealing reuses one data key per context until it is `maxAgeSeconds` old or used `maxUses`
 *   times (then a new GenerateDataKey call, whose wrapped key is stored once under a random ref);
 * - opening caches unwrapped keys by ref for `maxAgeSeconds` (one Decrypt per key per process).
 *
 * `SealingKeys` seals only (intake); `DataKeys` seals and opens. A class's methods cannot be
 * tree-shaken, so a function that only seals composes `SealingKeys` and bundles no opening code
 * (and, sealing only, keeps no unwrapped key it would never read).
 */
import { randomBytes } from 'node:crypto';
import { RecordShreddedError, SealError } from '../domain/errors.js';
import type { KeyContext } from '../inventory.js';
import type { Clock, KeyRecordStore, KeyService } from '../ports.js';
import { blobKeyRef, openWithKey, REF_BYTES, refToHex, sealWithKey } from './envelope.js';
import { needsRecordSecret, openV2, sealV2 } from './record-envelope.js';

/** How a v2 blob is sealed: with the record's secret; `singleUse` when it seals one plaintext only. */
export interface RecordSecretOption {
  readonly secret: Uint8Array;
  /** The (secret, purpose, record) seals exactly one plaintext: no IV needed (order records). */
  readonly singleUse: boolean;
}

export interface DataKeyCacheOptions {
  readonly maxAgeSeconds: number;
  readonly maxUses: number;
}

interface ActiveKey {
  readonly ref: string;
  readonly plaintext: Uint8Array;
  readonly createdMs: number;
  uses: number;
}

/** Seals under each purpose's data key, one key per context reused within its age and use limits. */
export class SealingKeys {
  private readonly active = new Map<KeyContext, Promise<ActiveKey>>();
  /** What each active key's promise resolved to, once it has: no await on the hot path. */
  private readonly settled = new WeakMap<Promise<ActiveKey>, ActiveKey>();

  constructor(
    protected readonly keys: KeyService,
    protected readonly records: KeyRecordStore,
    protected readonly clock: Clock,
    protected readonly options: DataKeyCacheOptions,
  ) {}

  /**
   * Seals under the purpose's data key: envelope v2 with the record's secret (every personal
   * record), or v1 without one (kept for the migration tests; nothing personal is sealed so now).
   */
  async seal(
    context: KeyContext,
    recordId: string,
    plaintext: Uint8Array,
    record?: RecordSecretOption,
  ): Promise<Uint8Array> {
    const key = await this.activeKey(context);
    return record
      ? sealV2(key.plaintext, key.ref, record.secret, context, recordId, plaintext, record.singleUse)
      : sealWithKey(key.plaintext, key.ref, context, recordId, plaintext);
  }

  protected fresh(createdMs: number): boolean {
    return this.clock.now().getTime() - createdMs < this.options.maxAgeSeconds * 1000;
  }

  private async activeKey(context: KeyContext): Promise<ActiveKey> {
    const current = this.active.get(context);
    if (current) {
      // A settled key is read at once; only a key still being generated (or failed) is awaited.
      const key = this.settled.get(current) ?? (await current.catch(() => undefined));
      if (key && this.fresh(key.createdMs) && key.uses < this.options.maxUses) {
        key.uses++;
        return key;
      }
      if (this.active.get(context) !== current) return this.activeKey(context);
    }
    const next = this.newKey(context);
    this.active.set(context, next);
    next.catch(() => this.active.get(context) === next && this.active.delete(context));
    const key = await next;
    this.settled.set(next, key);
    key.uses++;
    return key;
  }

  private async newKey(context: KeyContext): Promise<ActiveKey> {
    const { plaintext, wrapped } = await this.keys.generateDataKey(context);
    const createdAt = this.clock.now();
    for (;;) {
      const ref = refToHex(randomBytes(REF_BYTES));
      const stored = await this.records.putDataKey({
        ref,
        context,
        wrapped,
        createdAt: createdAt.toISOString(),
      });
      if (stored) {
        this.generated(context, ref, plaintext, createdAt.getTime());
        return { ref, plaintext, createdMs: createdAt.getTime(), uses: 0 };
      }
    }
  }

  /** A new data key was stored: a cache that also opens keeps it (sealing alone keeps nothing). */
  protected generated(_context: KeyContext, _ref: string, _plaintext: Uint8Array, _createdMs: number): void {}
}

/** Seals and opens: opening caches each unwrapped key by context and ref for its maximum age. */
export class DataKeys extends SealingKeys {
  private readonly opened = new Map<string, { key: Promise<Uint8Array>; createdMs: number }>();

  /**
   * Opens a v1 blob with the purpose key, or a v2 blob with the purpose key and the record's
   * secret. A v2 blob without its secret throws RecordShreddedError (erased or expired).
   */
  async open(context: KeyContext, recordId: string, blob: Uint8Array, secret?: Uint8Array): Promise<Buffer> {
    const v2 = needsRecordSecret(blob);
    if (v2 && !secret) throw new RecordShreddedError();
    const key = await this.keyFor(context, blobKeyRef(blob));
    return v2 && secret
      ? openV2(key, secret, context, recordId, blob)
      : openWithKey(key, context, recordId, blob);
  }

  protected override generated(
    context: KeyContext,
    ref: string,
    plaintext: Uint8Array,
    createdMs: number,
  ): void {
    this.opened.set(`${context}:${ref}`, { key: Promise.resolve(plaintext), createdMs });
  }

  private async keyFor(context: KeyContext, ref: string): Promise<Uint8Array> {
    // Cached per context and ref: a key is only ever handed out for the context it was made for.
    const slot = `${context}:${ref}`;
    const cached = this.opened.get(slot);
    if (cached && this.fresh(cached.createdMs)) return cached.key;
    const key = this.unwrap(context, ref);
    this.forgetStale();
    this.opened.set(slot, { key, createdMs: this.clock.now().getTime() });
    key.catch(() => this.opened.get(slot)?.key === key && this.opened.delete(slot));
    return key;
  }

  /** Drops unwrapped keys past their maximum age, so a long-lived process holds only fresh ones. */
  private forgetStale(): void {
    for (const [slot, entry] of this.opened) if (!this.fresh(entry.createdMs)) this.opened.delete(slot);
  }

  private async unwrap(context: KeyContext, ref: string): Promise<Uint8Array> {
    const record = await this.records.getDataKey(ref);
    if (!record) throw new SealError('Unknown data key');
    if (record.context !== context) throw new SealError('Data key belongs to another purpose');
    return this.keys.decryptDataKey(context, record.wrapped);
  }
}
