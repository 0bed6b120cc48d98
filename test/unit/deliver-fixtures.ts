/** Shared fixtures for the partner-delivery and partner-event unit tests (no I/O, no module mocks). */
import { createHmac, randomBytes } from 'node:crypto';
import type { MemoryCertificateStore } from '../../shared/adapters/memory/memory-ledger.js';
import type { Mac } from '../../shared/domain/ledger.js';
import type { OrderRecord, PersonalRecord } from '../../shared/domain/order.js';
import { encodeFields, type PersonalFields } from '../../shared/domain/sealing.js';
import { DEFAULT_PARTNER_FIELDS, type FieldPath, type Purpose } from '../../shared/inventory.js';
import type { LedgerStore } from '../../shared/ledger-ports.js';
import type {
  Clock,
  PartnerClient,
  PartnerResponse,
  PartnerStateStore,
  SecretStore,
} from '../../shared/ports.js';
import type { DeliverDeps, DeliveryPartner } from '../../shared/usecases/deliver-to-partner.js';
import type { Canaries } from '../support/canaries.js';
import type { FakePorts } from '../support/fakes.js';

export const T0 = new Date('2026-11-25T10:00:00.000Z');

/** A valid, fixed order id (`ord_` + 26 Crockford base32 characters). */
export const ORDER_ID = 'ord_01JDX7Q3M5N8P2R4S6T9V0W1YZ';

export function orderRecord(overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    orderId: ORDER_ID,
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    status: 'accepted',
    items: [{ sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 }],
    currency: 'EUR',
    country: 'GB',
    paymentReference: 'pi_3NabcXYZ',
    trackingNumber: null,
    trackingUrl: null,
    deliveredAt: null,
    deliveries: {
      warehouse: { state: 'pending', updatedAt: T0.toISOString() },
      carrier: { state: 'pending', updatedAt: T0.toISOString() },
    },
    emails: {},
    processedEvents: [],
    outbox: 'done',
    ...overrides,
  };
}

/** The shipping purpose's fields for a canary customer, minus any paths in `omit`. */
export function shippingFields(c: Canaries, omit: readonly FieldPath[] = []): PersonalFields {
  const all: PersonalFields = {
    'customer.givenName': c.givenName,
    'customer.familyName': c.familyName,
    'customer.phone': c.phone,
    'shippingAddress.line1': c.line1,
    'shippingAddress.line2': c.line2,
    'shippingAddress.city': c.city,
    'shippingAddress.region': c.region,
    'shippingAddress.postalCode': c.postalCode,
  };
  for (const path of omit) delete all[path];
  return all;
}

export function contactFields(c: Canaries): PersonalFields {
  return { 'customer.givenName': c.givenName, 'customer.email': c.email };
}

/**
 * A personal record whose "sealed" blobs are the plain encoded fields: paired with FakeDataKeys,
 * which "opens" by returning them and records which purposes were opened.
 */
export function personalRecord(
  sealed: Partial<Record<Purpose, PersonalFields>>,
  expiresAt = Math.floor(T0.getTime() / 1000) + 90 * 86_400,
): PersonalRecord {
  const blobs: Partial<Record<Purpose, Uint8Array>> = {};
  for (const [purpose, fields] of Object.entries(sealed)) blobs[purpose as Purpose] = encodeFields(fields);
  return { orderId: ORDER_ID, emailKey: 'k_test', sealed: blobs, expiresAt };
}

export class FakeDataKeys {
  readonly opened: Array<{ purpose: string; recordId: string }> = [];
  async open(purpose: string, recordId: string, blob: Uint8Array): Promise<Buffer> {
    this.opened.push({ purpose, recordId });
    return Buffer.from(blob);
  }
}

export class FakeClock implements Clock {
  constructor(private current: Date = T0) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function newSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export class FakeSecrets implements SecretStore {
  constructor(readonly secrets: Readonly<Record<string, string>>) {}
  async partnerSecrets(partnerId: string): Promise<readonly string[]> {
    const secret = this.secrets[partnerId];
    if (!secret) throw new Error('no secret');
    return [secret];
  }
}

export interface PostedRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
}

/** Answers each POST with the next scripted status (or throws the scripted error); then 200. */
export class ScriptedPartnerClient implements PartnerClient {
  readonly posted: PostedRequest[] = [];
  constructor(private readonly script: Array<number | Error> = []) {}
  async post(
    url: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<PartnerResponse> {
    this.posted.push({ url, body, headers, timeoutMs });
    const next = this.script.shift() ?? 200;
    if (next instanceof Error) throw next;
    return { status: next };
  }
}

/** The two default partners (warehouse: no personal field; carrier: shipping), as the erasure tests configure them. */
export const SAMPLE_PARTNERS: readonly DeliveryPartner[] = [
  {
    id: 'warehouse',
    kind: 'warehouse',
    url: 'https://wh.example/hooks',
    fields: DEFAULT_PARTNER_FIELDS.warehouse,
  },
  {
    id: 'carrier',
    kind: 'carrier',
    url: 'https://carrier.example/hooks',
    fields: DEFAULT_PARTNER_FIELDS.carrier,
  },
];

/** Signing secrets for SAMPLE_PARTNERS. */
export const sampleSecrets = () => new FakeSecrets({ warehouse: newSecret(), carrier: newSecret() });

/** A ledger MAC under a fresh random key (HMAC-SHA256, as the ledger key computes it). */
export function randomLedgerMac(): Mac {
  const key = randomBytes(32);
  return async (data) => createHmac('sha256', key).update(data).digest('base64url');
}

/**
 * `eraseWithCertificate`'s deps over fake ports, with the sample partners and its waits on the ports'
 * clock; `orders` may be a wrapped copy of the ports' store (it serves as the ledger too).
 */
export function certifiedEraseDeps(
  ports: FakePorts,
  certificates: MemoryCertificateStore,
  mac: Mac,
  orders: FakePorts['orders'] = ports.orders,
) {
  return {
    orders,
    consent: ports.consent,
    lookup: ports.lookup,
    fence: ports.fence,
    clock: ports.clock,
    ledger: orders as unknown as LedgerStore,
    ledgerMac: mac,
    queue: ports.queue,
    certificates,
    principal: { principal: async () => 'local:test' },
    partners: SAMPLE_PARTNERS,
    // The erasure's wait for an email in flight, on the ports' clock.
    sleep: async (ms: number) => ports.clock.advance(ms),
  };
}

/**
 * `deliverToPartner`'s deps over fake ports: the sample partners, GB origin, a 15 s timeout, no
 * jitter; `mac` chains the ports' ledger (omitted: no disclosure ledger).
 */
export function portsDeliverDeps(
  ports: FakePorts,
  partnerClient: PartnerClient,
  partnerState: PartnerStateStore,
  options: { readonly mac?: Mac; readonly secrets?: SecretStore } = {},
): DeliverDeps {
  return {
    orders: ports.orders,
    dataKeys: ports.dataKeys,
    secrets: options.secrets ?? sampleSecrets(),
    partnerClient,
    partnerState,
    clock: ports.clock,
    partners: SAMPLE_PARTNERS,
    settings: { originCountry: 'GB', timeoutMs: 15_000, baseDelaySeconds: 1 },
    random: () => 0,
    ...(options.mac
      ? { disclosures: { mac: options.mac, store: ports.orders as unknown as LedgerStore } }
      : {}),
  };
}
