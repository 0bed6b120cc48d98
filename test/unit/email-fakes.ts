/**
 * In-memory stand-ins for the email feature's unit tests: order and consent stores, a mailer that
 * records what it sends, a fixed clock, and real DataKeys/LookupKeys over a throw-away local key.
 */
import { randomBytes } from 'node:crypto';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { MemoryRecordSecretStore } from '../../shared/adapters/memory/memory-record-secrets.js';
import {
  MemoryConsentStore,
  MemoryKeyRecordStore,
  MemoryOrderStore,
} from '../../shared/adapters/memory/memory-stores.js';
import { DataKeys } from '../../shared/crypto/data-keys.js';
import { LookupKeys } from '../../shared/crypto/lookup-keys.js';
import { newRecordSecret } from '../../shared/crypto/record-envelope.js';
import type { ConsentEvent, SuppressionRecord } from '../../shared/domain/consent.js';
import type { OrderRecord, PersonalRecord } from '../../shared/domain/order.js';
import { customerRecordId, encodeFields } from '../../shared/domain/sealing.js';
import type { KeyContext } from '../../shared/inventory.js';
import type { Clock, ConsentStore, Mailer, OutboundEmail } from '../../shared/ports.js';

export function fixedClock(iso: string): Clock & { set(iso: string): void } {
  let now = new Date(iso);
  return {
    now: () => new Date(now),
    set(next: string) {
      now = new Date(next);
    },
  };
}

export function keys(clock: Clock) {
  const service = new LocalKeyService(randomBytes(32));
  const records = new MemoryKeyRecordStore();
  return {
    dataKeys: new DataKeys(service, records, clock, { maxAgeSeconds: 600, maxUses: 1000 }),
    lookup: new LookupKeys(service, records, () => clock.now(), true),
    /** The key table (record secrets). */
    secrets: new MemoryRecordSecretStore(),
  };
}

/** The in-memory order store, plus seeding and a switch to make "mark sent" fail. */
export class MemoryOrders extends MemoryOrderStore {
  failMarkSent = false;

  put(order: OrderRecord, personal?: PersonalRecord): void {
    this.orders.set(order.orderId, order);
    if (personal) this.personal.set(order.orderId, personal);
  }
  override async markEmailSent(orderId: string, kind: string) {
    if (this.failMarkSent) throw new Error('store down');
    return super.markEmailSent(orderId, kind);
  }
}

/** The in-memory consent store, counting writes (so "changes nothing" can be asserted). */
export class MemoryConsent extends MemoryConsentStore {
  writes = 0;

  override async appendConsent(
    emailKey: string,
    event: ConsentEvent,
    marketing?: Uint8Array | null,
    ifLedgerLength?: number,
  ) {
    this.writes++;
    return super.appendConsent(emailKey, event, marketing, ifLedgerLength);
  }
  override async putSuppression(record: SuppressionRecord) {
    this.writes++;
    return super.putSuppression(record);
  }
}

export class RecordingMailer implements Mailer {
  readonly sent: OutboundEmail[] = [];
  failures = 0;
  async send(email: OutboundEmail) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('SES down');
    }
    this.sent.push(email);
    return { messageId: `msg-${this.sent.length}` };
  }
}

/** Wraps DataKeys.open to record which purposes were opened. */
export function spyOpen(dataKeys: DataKeys) {
  const opened: KeyContext[] = [];
  return {
    opened,
    dataKeys: {
      open: (context: KeyContext, recordId: string, blob: Uint8Array, secret?: Uint8Array) => {
        opened.push(context);
        return dataKeys.open(context, recordId, blob, secret);
      },
    },
  };
}

export interface Person {
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string;
  readonly phone: string;
  readonly line1: string;
  readonly line2: string;
  readonly city: string;
  readonly postalCode: string;
}

/** An order as submit-order stores it: clear record plus one sealed blob per purpose. */
export async function storedOrder(
  k: ReturnType<typeof keys>,
  person: Person,
  orderId: string,
  createdAt: string,
  overrides: Partial<OrderRecord> = {},
): Promise<{ order: OrderRecord; personal: PersonalRecord; emailKey: string }> {
  const emailKey = await k.lookup.emailKey(person.email);
  const expiresAt = Math.floor(Date.parse(createdAt) / 1000) + 90 * 86_400;
  const secret = await k.secrets.claim(orderId, newRecordSecret(), expiresAt);
  const shipping = await k.dataKeys.seal(
    'shipping',
    orderId,
    encodeFields({
      'customer.givenName': person.givenName,
      'customer.familyName': person.familyName,
      'customer.phone': person.phone,
      'shippingAddress.line1': person.line1,
      'shippingAddress.line2': person.line2,
      'shippingAddress.city': person.city,
      'shippingAddress.postalCode': person.postalCode,
    }),
    { secret, singleUse: true },
  );
  const contact = await k.dataKeys.seal(
    'contact',
    orderId,
    encodeFields({ 'customer.givenName': person.givenName, 'customer.email': person.email }),
    { secret, singleUse: true },
  );
  const order: OrderRecord = {
    orderId,
    createdAt,
    updatedAt: createdAt,
    status: 'accepted',
    items: [
      { sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 },
      { sku: 'SCK-WOOL', name: 'Wool socks', quantity: 2, unitPrice: 850 },
    ],
    currency: 'EUR',
    country: 'GB',
    paymentReference: 'pi_3NabcXYZ',
    trackingNumber: null,
    trackingUrl: null,
    deliveredAt: null,
    deliveries: {},
    emails: {},
    processedEvents: [],
    outbox: 'done',
    ...overrides,
  };
  const personal: PersonalRecord = {
    orderId,
    emailKey,
    sealed: { shipping, contact },
    expiresAt,
    secret,
  };
  return { order, personal, emailKey };
}

/** The checkout opt-in as submit-order records it. */
export async function optIn(
  k: ReturnType<typeof keys>,
  consent: ConsentStore,
  email: string,
  at: string,
): Promise<void> {
  const emailKey = await k.lookup.emailKey(email);
  const secret = await k.secrets.claim(customerRecordId(emailKey), newRecordSecret(), undefined);
  const marketing = await k.dataKeys.seal(
    'marketing',
    customerRecordId(emailKey),
    encodeFields({ 'customer.email': email }),
    { secret, singleUse: false },
  );
  await consent.appendConsent(
    emailKey,
    { granted: true, at, source: 'checkout', policyVersion: '2026-11-01' },
    marketing,
  );
}
