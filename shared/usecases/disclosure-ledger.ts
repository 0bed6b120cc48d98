/** Building ledger appends for the use cases (see domain/ledger.ts and ledger-ports.ts). */
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
