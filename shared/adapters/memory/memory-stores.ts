/**
 * In-memory implementations of the storage ports, with the same conditional semantics as the
 * DynamoDB adapters. Used by unit tests and the benchmark (I/O replaced by in-process stand-ins).
 */
import {
  type ConfirmationRequest,
  type ConsentEvent,
  type CustomerRecord,
  confirmationCoolingDown,
  type SuppressionRecord,
} from '../../domain/consent.js';
import { eventSeen, type OrderRecord, type PersonalRecord, processedEventKey } from '../../domain/order.js';
import type { LedgerAppend, LedgerStore } from '../../ledger-ports.js';
import type {
  ApplyEventResult,
  ConsentStore,
  DataKeyRecord,
  ErasureFence,
  ErasureFenceStore,
  IdempotencyRecord,
  IdempotencyStore,
  KeyRecordStore,
  OrderStore,
  StatusChange,
} from '../../ports.js';
import { MemoryLedgers } from './memory-ledger.js';

export class MemoryKeyRecordStore implements KeyRecordStore {
  readonly records = new Map<string, DataKeyRecord>();
  async getDataKey(ref: string) {
    return this.records.get(ref);
  }
  async putDataKey(record: DataKeyRecord) {
    if (this.records.has(record.ref)) return false;
    this.records.set(record.ref, record);
    return true;
  }
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  async claim(record: IdempotencyRecord, nowMs: number) {
    const existing = this.records.get(record.key);
    if (existing && existing.expiresAt * 1000 > nowMs) return { claimed: false as const, existing };
    this.records.set(record.key, { ...record, open: true });
    return { claimed: true as const };
  }
  async takeOver(
    key: string,
    expectedLeaseUntil: number,
    leaseUntil: number,
    reopen?: { readonly emailKey: string; readonly optIn: boolean },
  ) {
    const existing = this.records.get(key);
    if (existing?.state !== 'in-progress' || existing.leaseUntil !== expectedLeaseUntil) return false;
    this.records.set(key, {
      ...existing,
      leaseUntil,
      fenceEnded: existing.fenceEnded ?? 0,
      ...(reopen ? { ...reopen, open: true } : {}),
    });
    return true;
  }
  async setMark(key: string, fenceEnded: number) {
    const existing = this.records.get(key);
    if (existing) this.records.set(key, { ...existing, fenceEnded });
  }
  async settle(key: string, expectedLeaseUntil?: number) {
    const existing = this.records.get(key);
    if (!existing || (expectedLeaseUntil !== undefined && existing.leaseUntil !== expectedLeaseUntil)) return;
    const { open: _open, emailKey: _emailKey, optIn: _optIn, ...settled } = existing;
    this.records.set(key, settled);
  }
  async listAbandoned(beforeMs: number, limit: number) {
    return [...this.records.values()]
      .filter((r) => r.open === true && r.leaseUntil < beforeMs)
      .sort((a, b) => a.leaseUntil - b.leaseUntil)
      .slice(0, limit);
  }
}

export class MemoryOrderStore implements OrderStore, LedgerStore {
  readonly orders = new Map<string, OrderRecord>();
  readonly personal = new Map<string, PersonalRecord>();
  /**
   * Each keyed email's listing of order ids (`EMAILPII#` items), read as DynamoDB's ConsistentRead.
   * One set per address: the day buckets and their expiry are the DynamoDB adapter's (dynalite tests).
   */
  readonly listings = new Map<string, Set<string>>();
  /**
   * With `index.lag`, a personal record written now stays out of the `byEmail` index (the GSI's
   * eventual consistency) until `catchUpIndex()`; the listing is never behind. (An object, so that
   * setting it through a wrapper that delegates to this store reaches this store.)
   */
  readonly index = { lag: false };
  private readonly notYetIndexed = new Set<string>();
  catchUpIndex(): void {
    this.notYetIndexed.clear();
  }
  /** The disclosure ledger of each order (stored with the order, as in DynamoDB). */
  readonly ledgers = new MemoryLedgers();

  async getLedger(orderId: string) {
    return this.orders.has(orderId) ? this.ledgers.get(orderId) : undefined;
  }
  async appendLedger(orderId: string, append: LedgerAppend) {
    return this.ledgers.withAppend(orderId, append, () => this.orders.has(orderId));
  }

  async putOrder(order: OrderRecord, personal: PersonalRecord) {
    await this.putPersonal(personal);
    await this.putOrderRecord(order);
  }
  async putPersonal(personal: PersonalRecord) {
    if (this.personal.has(personal.orderId)) return;
    this.personal.set(personal.orderId, personal);
    if (this.index.lag) this.notYetIndexed.add(personal.orderId);
  }
  async addToEmailListing(emailKey: string, orderId: string, _at: Date) {
    const listing = this.listings.get(emailKey) ?? new Set<string>();
    listing.add(orderId);
    this.listings.set(emailKey, listing);
  }
  async putOrderRecord(order: OrderRecord) {
    if (!this.orders.has(order.orderId)) this.orders.set(order.orderId, order);
  }
  async getOrder(orderId: string) {
    const order = this.orders.get(orderId);
    const ledgerTip = this.ledgers.tip(orderId);
    return order && ledgerTip ? { ...order, ledgerTip } : order;
  }
  async getPersonal(orderId: string, now: Date) {
    const record = this.personal.get(orderId);
    return record && record.expiresAt * 1000 > now.getTime() ? record : undefined;
  }
  async listPendingFanout(before: Date, limit: number) {
    return [...this.orders.values()]
      .filter((o) => o.outbox === 'pending' && o.createdAt < before.toISOString())
      .slice(0, limit)
      .map((o) => o.orderId);
  }
  private update(orderId: string, change: (o: OrderRecord) => OrderRecord) {
    const order = this.orders.get(orderId);
    if (order) this.orders.set(orderId, change(order));
  }
  async markFanoutDone(orderId: string) {
    this.update(orderId, (o) => ({ ...o, outbox: 'done' }));
  }
  async setDeliveryState(
    orderId: string,
    partnerId: string,
    state: 'pending' | 'delivered' | 'failed',
    at: string,
    ledger?: LedgerAppend,
  ) {
    await this.ledgers.withAppend(orderId, ledger, () => {
      const o = this.orders.get(orderId);
      if (
        !o ||
        !Object.hasOwn(o.deliveries, partnerId) ||
        (state !== 'delivered' && o.deliveries[partnerId]?.state === 'delivered')
      )
        return false;
      this.orders.set(orderId, {
        ...o,
        updatedAt: at,
        deliveries: { ...o.deliveries, [partnerId]: { state, updatedAt: at } },
      });
      return true;
    });
  }
  async applyStatusChange(orderId: string, change: StatusChange): Promise<ApplyEventResult> {
    const order = this.orders.get(orderId);
    // Routing is part of the condition, as in DynamoDB: checked here, at the write, not earlier.
    if (!order) return { outcome: 'not-found' };
    if (!Object.hasOwn(order.deliveries, change.partnerId)) return { outcome: 'not-routed' };
    if (eventSeen(order, change.partnerId, change.eventId)) return { outcome: 'replay', order };
    if (!change.from.includes(order.status)) return { outcome: 'conflict', order };
    const next: OrderRecord = {
      ...order,
      status: change.to,
      updatedAt: change.at,
      processedEvents: [...order.processedEvents, processedEventKey(change.partnerId, change.eventId)],
      trackingNumber: change.trackingNumber ?? order.trackingNumber,
      trackingUrl: change.trackingUrl ?? order.trackingUrl,
      deliveredAt: change.to === 'delivered' ? change.at : order.deliveredAt,
    };
    this.orders.set(orderId, next);
    return { outcome: 'applied', order: next };
  }
  async setPersonalExpiry(orderId: string, expiresAt: number, now: Date) {
    const record = this.personal.get(orderId);
    if (record && record.expiresAt * 1000 > now.getTime())
      this.personal.set(orderId, { ...record, expiresAt });
  }
  async claimEmail(orderId: string, emailType: string, leaseUntil: number, nowMs: number) {
    const order = this.orders.get(orderId);
    if (!order || this.ledgers.tip(orderId)?.erased) return false;
    const current = order.emails[emailType];
    if (current && !(current.state === 'sending' && (current.leaseUntil ?? 0) < nowMs)) return false;
    this.orders.set(orderId, {
      ...order,
      emails: { ...order.emails, [emailType]: { state: 'sending', leaseUntil } },
    });
    return true;
  }
  async markEmailSent(orderId: string, emailType: string, ledger?: LedgerAppend) {
    await this.ledgers.withAppend(orderId, ledger, () => {
      if (!this.orders.has(orderId)) return false;
      this.update(orderId, (o) => ({ ...o, emails: { ...o.emails, [emailType]: { state: 'sent' } } }));
      return true;
    });
  }
  async releaseEmail(orderId: string, emailType: string, ledger?: LedgerAppend, leaseUntil?: number) {
    await this.ledgers.withAppend(orderId, ledger, () => {
      if (!this.orders.has(orderId)) return false;
      // Another worker's claim (taken over since) stays; the ledger entries land either way.
      if (leaseUntil !== undefined && this.orders.get(orderId)?.emails[emailType]?.leaseUntil !== leaseUntil)
        return true;
      this.update(orderId, (o) => {
        const { [emailType]: _released, ...emails } = o.emails;
        return { ...o, emails };
      });
      return true;
    });
  }
  /** As the DynamoDB adapter: the index (maybe behind) and the listing together. */
  async listPersonalByEmailKey(emailKey: string) {
    const listed = this.listings.get(emailKey) ?? new Set<string>();
    return [...this.personal.values()].filter(
      (p) => listed.has(p.orderId) || (p.emailKey === emailKey && !this.notYetIndexed.has(p.orderId)),
    );
  }
  async clearEmailListing(emailKey: string, _now: Date) {
    this.listings.delete(emailKey);
  }
  async removeFromEmailListing(emailKey: string, orderId: string, _at: Date) {
    this.listings.get(emailKey)?.delete(orderId);
  }
  async deletePersonal(orderId: string) {
    return this.personal.delete(orderId);
  }
  async *scanExpiredPersonal(now: Date) {
    for (const record of [...this.personal.values()])
      if (record.expiresAt * 1000 <= now.getTime()) yield record;
  }
}

export class MemoryConsentStore implements ConsentStore {
  readonly customers = new Map<string, CustomerRecord>();
  readonly suppressions = new Map<string, SuppressionRecord>();
  async getCustomer(emailKey: string) {
    return this.customers.get(emailKey);
  }
  async appendConsent(
    emailKey: string,
    event: ConsentEvent,
    marketing?: Uint8Array | null,
    ifLedgerLength?: number,
  ) {
    const current = this.customers.get(emailKey);
    if (ifLedgerLength !== undefined && (current?.consent.length ?? 0) !== ifLedgerLength) return false;
    // An opt-out (null) withdraws the marketing contact and any confirmation still pending.
    const { marketing: _old, ...kept }: Partial<CustomerRecord> = current ?? {};
    const { confirmation: _c, pendingMarketing: _p, ...withdrawn } = kept;
    const rest = marketing === null ? withdrawn : kept;
    const next: CustomerRecord = {
      ...rest,
      emailKey,
      consent: [...(current?.consent ?? []), event],
      updatedAt: event.at,
      ...(marketing
        ? { marketing }
        : marketing === null || !current?.marketing
          ? {}
          : { marketing: current.marketing }),
    };
    this.customers.set(emailKey, next);
    return true;
  }
  async requestConfirmation(
    emailKey: string,
    event: ConsentEvent,
    request: ConfirmationRequest,
    pendingMarketing: Uint8Array,
    nowSeconds: number,
  ) {
    const current = this.customers.get(emailKey);
    if (confirmationCoolingDown(current, nowSeconds)) return false;
    this.customers.set(emailKey, {
      ...(current ?? { emailKey }),
      emailKey,
      consent: [...(current?.consent ?? []), event],
      updatedAt: event.at,
      confirmation: request,
      confirmationCooldownUntil: request.expiresAt,
      pendingMarketing,
    });
    return true;
  }
  async claimConfirmationEmail(emailKey: string, requestId: string, leaseUntil: number, nowMs: number) {
    const current = this.customers.get(emailKey);
    const request = current?.confirmation;
    if (!current || request?.id !== requestId) return false;
    if (request.email === 'sent' || (request.email === 'sending' && (request.leaseUntil ?? 0) >= nowMs))
      return false;
    this.customers.set(emailKey, { ...current, confirmation: { ...request, email: 'sending', leaseUntil } });
    return true;
  }
  async finishConfirmationEmail(emailKey: string, requestId: string, sent: boolean, leaseUntil?: number) {
    const current = this.customers.get(emailKey);
    const request = current?.confirmation;
    if (!current || request?.id !== requestId) return;
    if (!sent && leaseUntil !== undefined && request.leaseUntil !== leaseUntil) return;
    const { leaseUntil: _lease, ...rest } = request;
    this.customers.set(emailKey, {
      ...current,
      confirmation: { ...rest, email: sent ? 'sent' : 'requested' },
    });
  }
  async confirmConsent(emailKey: string, requestId: string, event: ConsentEvent, nowSeconds: number) {
    const current = this.customers.get(emailKey);
    const request = current?.confirmation;
    if (!current?.pendingMarketing || request?.id !== requestId || request.expiresAt <= nowSeconds)
      return false;
    const { confirmation: _c, pendingMarketing, confirmationCooldownUntil: _cd, ...rest } = current;
    this.customers.set(emailKey, {
      ...rest,
      consent: [...current.consent, event],
      marketing: pendingMarketing,
      updatedAt: event.at,
    });
    return true;
  }
  async deleteCustomer(emailKey: string) {
    return this.customers.delete(emailKey);
  }
  async getSuppression(emailKey: string) {
    return this.suppressions.get(emailKey);
  }
  async putSuppression(record: SuppressionRecord) {
    // As DynamoDB stores it: the three fields (a read's `erasedAt` is never stored).
    this.suppressions.set(record.emailKey, {
      emailKey: record.emailKey,
      reason: record.reason,
      at: record.at,
    });
  }
}

export class MemoryErasureFenceStore implements ErasureFenceStore {
  readonly fences = new Map<string, ErasureFence & { leaseUntil?: number }>();
  async readFence(emailKey: string) {
    const { begun, ended, beganAt } = this.fences.get(emailKey) ?? { begun: 0, ended: 0 };
    return { begun, ended, ...(beganAt ? { beganAt } : {}) };
  }
  async beginErasure(emailKey: string, leaseUntil: number, nowMs: number) {
    const current = this.fences.get(emailKey) ?? { begun: 0, ended: 0 };
    if (current.begun !== current.ended && (current.leaseUntil ?? 0) >= nowMs) return undefined;
    const beganAt = [...(current.beganAt ?? []), nowMs];
    this.fences.set(emailKey, { ...current, begun: current.begun + 1, leaseUntil, beganAt });
    return current.begun + 1;
  }
  async endErasure(emailKey: string, begun: number) {
    const current = this.fences.get(emailKey);
    if (current && current.ended < begun) this.fences.set(emailKey, { ...current, ended: begun });
  }
}
