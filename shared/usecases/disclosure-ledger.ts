/** Building ledger appends for the use cases (see domain/ledger.ts and ledger-ports.ts). */
import { OrderErasedError } from '../domain/errors.js';
import { EMPTY_TIP, type LedgerEvent, type LedgerTip, type Mac, sealEntries } from '../domain/ledger.js';
import type { LedgerAppend } from '../ledger-ports.js';

/** An append of `events`, dated `at`, chained on the tip the caller read with the order. */
export function appendOf(
  mac: Mac,
  order: { readonly orderId: string; readonly ledgerTip?: LedgerTip },
  events: readonly LedgerEvent[],
  at: string,
): LedgerAppend {
  return {
    tip: order.ledgerTip ?? EMPTY_TIP,
    build: (tip) => sealEntries(mac, order.orderId, tip, events, at),
  };
}

/** A write-ahead append, and the tip it left once the store reports it written. */
export interface WriteAhead {
  readonly append: LedgerAppend;
  /** The tip after the entries, as last chained: valid once the append returned true. */
  readonly landed: () => LedgerTip | undefined;
}

/**
 * An append of `events` that must land before something is disclosed (a webhook POST): chained on
 * the tip like any append, but refused with `OrderErasedError` when the tip it would chain on holds
 * an erasure (the store calls `build` again on every tip it retries on, so an erasure that lands
 * between the caller's read and its conditional write is seen). Either the entries are in the
 * ledger before `erased` — and the erasure, which picks its redaction recipients from the ledger it
 * chains `erased` on, sees them — or they are refused and nothing may be sent.
 */
export function writeAheadOf(
  mac: Mac,
  order: { readonly orderId: string; readonly ledgerTip?: LedgerTip },
  events: readonly LedgerEvent[],
  at: string,
): WriteAhead {
  let last: LedgerTip | undefined;
  return {
    append: {
      tip: order.ledgerTip ?? EMPTY_TIP,
      build: async (tip) => {
        if (tip.erased) throw new OrderErasedError();
        const sealed = await sealEntries(mac, order.orderId, tip, events, at);
        const lastEntry = sealed.entries.at(-1);
        last = { count: sealed.head.count, lastMac: lastEntry?.mac ?? tip.lastMac };
        return sealed;
      },
    },
    landed: () => last,
  };
}
