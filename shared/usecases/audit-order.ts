/**
 * An order's disclosure ledger, verified against the order item beside it (`minimis audit`, the
 * local console). The order is read first: the ledger only grows, and every disclosure the item
 * records (a delivery `delivered`, an email `sent`) was written in the same write as its entry, so
 * a ledger read after the item holds every entry the item shows. Read the other way round, a
 * delivery landing between the two reads made an intact chain `missing-entry` (review s10b).
 */
import { type LedgerVerification, type Mac, verifyLedger } from '../domain/ledger.js';
import type { OrderRecord } from '../domain/order.js';
import type { LedgerStore, StoredLedger } from '../ledger-ports.js';
import type { OrderStore } from '../ports.js';

export interface AuditDeps {
  readonly orders: Pick<OrderStore, 'getOrder'>;
  readonly ledger: Pick<LedgerStore, 'getLedger'>;
  readonly ledgerMac: Mac;
}

export interface OrderAudit {
  readonly order: OrderRecord;
  readonly ledger: StoredLedger;
  readonly verification: LedgerVerification;
}

/** The order, its ledger and the verification; undefined when there is no such order. */
export async function auditOrder(deps: AuditDeps, orderId: string): Promise<OrderAudit | undefined> {
  const order = await deps.orders.getOrder(orderId);
  const ledger = await deps.ledger.getLedger(orderId);
  if (!order || !ledger) return undefined;
  const verification = await verifyLedger(deps.ledgerMac, orderId, ledger.entries, ledger.head, order);
  return { order, ledger, verification };
}
