import type { Purpose } from '../inventory.js';
import type { LedgerTip } from './ledger.js';

export const ORDER_STATUSES = ['accepted', 'dispatched', 'delivered'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const DELIVERY_STATES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface OrderItem {
  readonly sku: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPrice: number;
}

/** The non-personal order record, kept for accounting. Holds no personal data at all. */
export interface OrderRecord {
  readonly orderId: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly status: OrderStatus;
  readonly items: readonly OrderItem[];
  readonly currency: string;
  readonly country: string;
  readonly paymentReference: string;
  readonly trackingNumber: string | null;
  readonly trackingUrl: string | null;
  readonly deliveredAt: string | null;
  readonly deliveries: Readonly<
    Record<string, { readonly state: DeliveryState; readonly updatedAt: string }>
  >;
  /** Transactional/promotional emails: sent or being sent (claimed with a lease). */
  readonly emails: Readonly<
    Record<string, { readonly state: 'sending' | 'sent'; readonly leaseUntil?: number }>
  >;
  /**
   * Partner events already applied (replays are acknowledged without effect), each as
   * `processedEventKey` writes it; orders from before may hold bare ids (`eventSeen`).
   */
  readonly processedEvents: readonly string[];
  /** Outbox flag: `pending` until every fan-out message was enqueued. */
  readonly outbox: 'pending' | 'done';
  /** Where the disclosure ledger ends (absent: no disclosure yet); appends chain on it. */
  readonly ledgerTip?: LedgerTip;
}

/** The personal part of an order: one sealed blob per purpose, expiring with its retention. */
export interface PersonalRecord {
  readonly orderId: string;
  /** Keyed hash (HMAC) of the normalised email, for look-ups; never a plain hash. */
  readonly emailKey: string;
  readonly sealed: Readonly<Partial<Record<Purpose, Uint8Array>>>;
  /** Epoch seconds: after this the record is gone for every reader (DynamoDB TTL attribute). */
  readonly expiresAt: number;
  /**
   * The record's secret from the key table (never stored in the order table), attached on read;
   * without it the record's v2 blobs open for nobody (erased or expired).
   */
  readonly secret?: Uint8Array;
}

/** Status transitions partners may report: `to` follows one of `from`; nothing follows delivered. */
export const TRANSITIONS: Readonly<Record<'dispatched' | 'delivered', readonly OrderStatus[]>> = {
  dispatched: ['accepted'],
  delivered: ['accepted', 'dispatched'],
};

export function orderTotal(items: readonly OrderItem[]): number {
  return items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

/**
 * An applied partner event as `processedEvents` keeps it: the partner's id, a space, its
 * `webhook-id`. Each partner picks its own ids, so two carriers on one order may both send
 * `evt_1`; a webhook-id has no space (printable ASCII), so no bare id reads as a key.
 */
export const processedEventKey = (partnerId: string, eventId: string): string => `${partnerId} ${eventId}`;

/**
 * Whether this partner's event was applied: its key, or the bare id an order written before ids
 * were kept per partner holds (which of its partners sent it is not known: any of them counts).
 */
export const eventSeen = (order: Pick<OrderRecord, 'processedEvents'>, partnerId: string, eventId: string) =>
  order.processedEvents.includes(processedEventKey(partnerId, eventId)) ||
  order.processedEvents.includes(eventId);
