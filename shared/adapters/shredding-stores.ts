/**
 * Crypto-shredding around the order and consent stores (any adapter: DynamoDB or in-memory).
 *
 * - Reads attach the record's secret from the key table: `getPersonal` reads the personal item
 *   and the secret in parallel and answers "gone" (undefined) for a record whose v2 blobs have
 *   no live secret (erased, expired, or a copy restored from a backup); `listPersonalByEmailKey`
 *   attaches what is there (one batched read) and leaves the judgement to the caller.
 * - `putOrder` / `putPersonal` never write the secret into the order table.
 * - `setPersonalExpiry` moves the secret's expiry (its TTL) with the personal item's.
 * - Deleting a personal record or a customer record first logs the shredding (erasure log, no
 *   personal data), then deletes the secret, then the item: a crash in between leaves an
 *   unreadable item for the next erase or purge, never a readable one.
 * - An erasure's suppression entry is also marked in the key table (`putSuppression` with reason
 *   `erasure`), and `getSuppression` answers the stronger of the entry and the mark, so a restore
 *   of the order table from before an erasure does not lift its suppression (record-secrets.ts,
 *   ErasureMarks).
 *
 * Other methods are inherited unchanged from the wrapped store (prototype delegation), so the
 * ports can grow without this module following.
 */
import { needsSecret } from '../crypto/shredding.js';
import { withErasureMark } from '../domain/consent.js';
import type { PersonalRecord } from '../domain/order.js';
import { customerRecordId } from '../domain/sealing.js';
import type { Clock, ConsentStore, OrderStore } from '../ports.js';
import { type ErasureLog, type ErasureMarks, type RecordSecretStore, recordKey } from '../record-secrets.js';

export interface ShreddingDeps {
  readonly secrets: RecordSecretStore & ErasureMarks;
  readonly erasureLog: ErasureLog;
  readonly clock: Clock;
}

function withoutSecret(record: PersonalRecord): PersonalRecord {
  const { secret: _secret, ...rest } = record;
  return rest;
}

function delegate<T extends object>(inner: T, overrides: Partial<T>): T {
  return Object.assign(Object.create(inner) as T, overrides);
}

/** What deleting one record takes: the log of the shredding, the secrets, the time. */
type DeleteDeps = {
  readonly secrets: Pick<RecordSecretStore, 'shred'>;
  readonly erasureLog: Pick<ErasureLog, 'append'>;
  readonly clock: Clock;
};

/** `deletePersonal` logged, shredded, then deleted (of `shreddingOrderStore`, alone for a bundle). */
export function shreddingDeletePersonal(
  inner: Pick<OrderStore, 'deletePersonal'>,
  deps: DeleteDeps,
): OrderStore['deletePersonal'] {
  return async (orderId, reason = 'erasure') => {
    const key = recordKey(orderId);
    await deps.erasureLog.append([key], reason, deps.clock.now());
    await deps.secrets.shred([key]);
    return inner.deletePersonal(orderId, reason);
  };
}

/** `putPersonal` without the secret (it lives in the key table only; alone for a bundle). */
export function shreddingPutPersonal(inner: Pick<OrderStore, 'putPersonal'>): OrderStore['putPersonal'] {
  return (personal) => inner.putPersonal(withoutSecret(personal));
}

/**
 * `getPersonal` with the record's secret attached; "gone" (undefined) for a record whose v2 blobs
 * have no live secret (of `shreddingOrderStore`, alone for a bundle).
 */
export function shreddingGetPersonal(
  inner: Pick<OrderStore, 'getPersonal'>,
  deps: { readonly secrets: Pick<RecordSecretStore, 'getSecrets'> },
): OrderStore['getPersonal'] {
  return async (orderId, now) => {
    const [record, secrets] = await Promise.all([
      inner.getPersonal(orderId, now),
      deps.secrets.getSecrets([orderId], now),
    ]);
    if (!record) return undefined;
    const secret = secrets.get(orderId);
    if (secret) return { ...record, secret };
    return needsSecret(record) ? undefined : record;
  };
}

/** `setPersonalExpiry` that moves the secret's expiry too (of `shreddingOrderStore`, alone for a bundle). */
export function shreddingSetPersonalExpiry(
  inner: Pick<OrderStore, 'setPersonalExpiry'>,
  deps: { readonly secrets: Pick<RecordSecretStore, 'setExpiry'> },
): OrderStore['setPersonalExpiry'] {
  return async (orderId, expiresAt, now) => {
    await inner.setPersonalExpiry(orderId, expiresAt, now);
    await deps.secrets.setExpiry(orderId, expiresAt, now);
  };
}

/** `deleteCustomer` logged, shredded, then deleted (of `shreddingConsentStore`, alone for a bundle). */
export function shreddingDeleteCustomer(
  inner: Pick<ConsentStore, 'deleteCustomer'>,
  deps: DeleteDeps,
): ConsentStore['deleteCustomer'] {
  return async (emailKey) => {
    const key = recordKey(customerRecordId(emailKey));
    // To the second: a re-shred after a key-table restore spares exactly the secrets of later opt-ins.
    await deps.erasureLog.append([key], 'erasure', deps.clock.now(), { precise: true });
    await deps.secrets.shred([key]);
    return inner.deleteCustomer(emailKey);
  };
}

export function shreddingOrderStore(inner: OrderStore, deps: ShreddingDeps): OrderStore {
  return delegate<OrderStore>(inner, {
    putOrder: (order, personal) => inner.putOrder(order, withoutSecret(personal)),
    putPersonal: shreddingPutPersonal(inner),

    getPersonal: shreddingGetPersonal(inner, deps),

    async listPersonalByEmailKey(emailKey, now) {
      const records = await inner.listPersonalByEmailKey(emailKey, now);
      const ids = records.filter(needsSecret).map((r) => r.orderId);
      if (ids.length === 0) return records;
      const secrets = await deps.secrets.getSecrets(ids, deps.clock.now());
      return records.map((r) => {
        const secret = secrets.get(r.orderId);
        return secret ? { ...r, secret } : r;
      });
    },

    setPersonalExpiry: shreddingSetPersonalExpiry(inner, deps),

    deletePersonal: shreddingDeletePersonal(inner, deps),
  });
}

/** `getSuppression` that also reads the key table's erasure mark (of `shreddingConsentStore`, alone for a bundle). */
export function markedGetSuppression(
  inner: Pick<ConsentStore, 'getSuppression'>,
  marks: Pick<ErasureMarks, 'erasedAt'>,
): ConsentStore['getSuppression'] {
  return async (emailKey) => {
    const [stored, erasedAt] = await Promise.all([inner.getSuppression(emailKey), marks.erasedAt(emailKey)]);
    return withErasureMark(emailKey, stored, erasedAt);
  };
}

/** `putSuppression` that marks an erasure in the key table too, after the entry. */
export function markedPutSuppression(
  inner: Pick<ConsentStore, 'putSuppression'>,
  marks: Pick<ErasureMarks, 'markErased'>,
): ConsentStore['putSuppression'] {
  return async (record) => {
    await inner.putSuppression(record);
    if (record.reason === 'erasure') await marks.markErased(record.emailKey, record.at);
  };
}

export function shreddingConsentStore(inner: ConsentStore, deps: ShreddingDeps): ConsentStore {
  return delegate<ConsentStore>(inner, {
    deleteCustomer: shreddingDeleteCustomer(inner, deps),
    getSuppression: markedGetSuppression(inner, deps.secrets),
    putSuppression: markedPutSuppression(inner, deps.secrets),
  });
}
