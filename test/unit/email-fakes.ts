/**
 * In-memory stand-ins for the email feature's unit tests: order and consent stores, a mailer that
 * records what it sends, a fixed clock, and real DataKeys/LookupKeys over a throw-away local key.
 */
import { randomBytes } from 'node:crypto';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { DataKeys } from '../../shared/crypto/data-keys.js';
import { LookupKeys } from '../../shared/crypto/lookup-keys.js';
import type { ConsentEvent, CustomerRecord, SuppressionRecord } from '../../shared/domain/consent.js';
import type { OrderRecord, PersonalRecord } from '../../shared/domain/order.js';
import { customerRecordId, encodeFields } from '../../shared/domain/sealing.js';
import type { KeyContext } from '../../shared/inventory.js';
import type {
  Clock,
  ConsentStore,
  DataKeyRecord,
  KeyRecordStore,
  Mailer,
  OrderStore,
  OutboundEmail,
} from '../../shared/ports.js';

export class MemoryKeyRecords implements KeyRecordStore {
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
  const records = new MemoryKeyRecords();
  return {
    dataKeys: new DataKeys(service, records, clock, { maxAgeSeconds: 600, maxUses: 1000 }),
    lookup: new LookupKeys(service, records, () => clock.now(), true),
  };
}

type EmailState = OrderRecord['emails'][string];

export class MemoryOrders
  implements Pick<OrderStore, 'getOrder' | 'getPersonal' | 'claimEmail' | 'markEmailSent' | 'releaseEmail'>
{
  readonly orders = new Map<string, OrderRecord>();
  readonly personal = new Map<string, PersonalRecord>();
  failMarkSent = false;

  put(order: OrderRecord, personal?: PersonalRecord): void {
    this.orders.set(order.orderId, order);
    if (personal) this.personal.set(order.orderId, personal);
  }
  private setEmail(orderId: string, kind: string, state: EmailState | undefined): void {
    const order = this.orders.get(orderId);
    if (!order) throw new Error('no order');
    const emails = { ...order.emails };
    if (state) emails[kind] = state;
    else delete emails[kind];
    this.orders.set(orderId, { ...order, emails });
  }
  async getOrder(orderId: string) {
    return this.orders.get(orderId);
  }
  async getPersonal(orderId: string, now: Date) {
    const record = this.personal.get(orderId);
    return record && record.expiresAt * 1000 > now.getTime() ? record : undefined;
  }
  async claimEmail(orderId: string, kind: string, leaseUntil: number, nowMs: number) {
    const current = this.orders.get(orderId)?.emails[kind];
    if (current && !(current.state === 'sending' && (current.leaseUntil ?? 0) < nowMs)) return false;
    this.setEmail(orderId, kind, { state: 'sending', leaseUntil });
    return true;
  }
  async markEmailSent(orderId: string, kind: string) {
    if (this.failMarkSent) throw new Error('store down');
    this.setEmail(orderId, kind, { state: 'sent' });
  }
  async releaseEmail(orderId: string, kind: string) {
    this.setEmail(orderId, kind, undefined);
  }
}

export class MemoryConsent implements ConsentStore {
  readonly customers = new Map<string, CustomerRecord>();
  readonly suppressions = new Map<string, SuppressionRecord>();
  writes = 0;

  async getCustomer(emailKey: string) {
    return this.customers.get(emailKey);
  }
  async appendConsent(emailKey: string, event: ConsentEvent, marketing?: Uint8Array | null) {
    this.writes++;
    const current = this.customers.get(emailKey);
    const next: CustomerRecord = {
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
  }
  async deleteCustomer(emailKey: string) {
    return this.customers.delete(emailKey);
  }
  async getSuppression(emailKey: string) {
    return this.suppressions.get(emailKey);
  }
  async putSuppression(record: SuppressionRecord) {
    this.writes++;
    this.suppressions.set(record.emailKey, record);
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
      open: (context: KeyContext, recordId: string, blob: Uint8Array) => {
        opened.push(context);
        return dataKeys.open(context, recordId, blob);
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
  );
  const contact = await k.dataKeys.seal(
    'contact',
    orderId,
    encodeFields({ 'customer.givenName': person.givenName, 'customer.email': person.email }),
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
    fanout: 'done',
    ...overrides,
  };
  const personal: PersonalRecord = {
    orderId,
    emailKey,
    sealed: { shipping, contact },
    expiresAt: Math.floor(Date.parse(createdAt) / 1000) + 90 * 86_400,
  };
  return { order, personal, emailKey };
}

/** The checkout opt-in as submit-order records it. */
export async function optIn(
  k: ReturnType<typeof keys>,
  consent: ConsentStore,
  email: string,
  at: string,
  orderId: string,
): Promise<void> {
  const emailKey = await k.lookup.emailKey(email);
  const marketing = await k.dataKeys.seal(
    'marketing',
    customerRecordId(emailKey),
    encodeFields({ 'customer.email': email }),
  );
  await consent.appendConsent(
    emailKey,
    { granted: true, at, source: 'checkout', policyVersion: '2026-11-01', orderId },
    marketing,
  );
}
