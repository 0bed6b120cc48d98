/**
 * DynamoDB requests per order on each path, without and with the disclosure ledger: the real use
 * cases on the in-memory stores (same conditional semantics as the DynamoDB adapters), every store
 * call counted as the DynamoDB requests its adapter makes (putOrder: two conditional puts; a write
 * carrying a ledger append: one UpdateItem, plus one read and one retry per lost race — none here,
 * the paths run one after the other). A webhook with personal fields (the carrier's) is entered in
 * the ledger before its POST: one UpdateItem of its own (no write is made before the POST to ride
 * on); its outcome rides on the delivery-state write. The ledger key is read once per process (amortised, shown
 * per 1000 orders).
 */
import { randomBytes } from 'node:crypto';
import { LocalKeyService } from '#shared/adapters/local/local-key-service.js';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import { MemoryQueue } from '#shared/adapters/memory/memory-queue.js';
import { MemoryErasureLog, MemoryRecordSecretStore } from '#shared/adapters/memory/memory-record-secrets.js';
import {
  MemoryConsentStore,
  MemoryErasureFenceStore,
  MemoryIdempotencyStore,
  MemoryKeyRecordStore,
  MemoryOrderStore,
} from '#shared/adapters/memory/memory-stores.js';
import { shreddingConsentStore, shreddingOrderStore } from '#shared/adapters/shredding-stores.js';
import { DataKeys } from '#shared/crypto/data-keys.js';
import { LedgerKey } from '#shared/crypto/ledger-key.js';
import { LookupKeys } from '#shared/crypto/lookup-keys.js';
import { DEFAULT_PARTNER_FIELDS } from '#shared/inventory.js';
import type { Clock } from '#shared/ports.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { type DeliveryPartner, deliverToPartner } from '#shared/usecases/deliver-to-partner.js';
import { eraseCustomer } from '#shared/usecases/erase-customer.js';
import { exportCustomer } from '#shared/usecases/export-customer.js';
import { notifyCustomer } from '#shared/usecases/notify-customer.js';
import { submitOrder } from '#shared/usecases/submit-order.js';

export const LEDGER_PATHS = [
  'submit',
  'deliver warehouse',
  'deliver carrier',
  'confirmation email',
  'export',
  'erase',
] as const;
export type LedgerPath = (typeof LEDGER_PATHS)[number];

export interface LedgerRequestRow {
  readonly path: LedgerPath;
  readonly before: number;
  readonly after: number;
  /** Disclosures on this path that have no state update of their own (may cost one write each). */
  readonly disclosuresWithoutStateUpdate: number;
}

/** DynamoDB requests each store method makes (adapters in shared/adapters/aws). */
const WEIGHT: Readonly<Record<string, number>> = { putOrder: 2 };

class Counter {
  n = 0;
  wrap<T extends object>(target: T): T {
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        const value = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function' || prop === 'constructor') return value;
        return (...args: unknown[]) => {
          this.n += WEIGHT[String(prop)] ?? 1;
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  }
}

const partners: DeliveryPartner[] = [
  { id: 'warehouse', kind: 'warehouse', url: 'http://wh', fields: DEFAULT_PARTNER_FIELDS.warehouse },
  { id: 'carrier', kind: 'carrier', url: 'http://ca', fields: DEFAULT_PARTNER_FIELDS.carrier },
];

function body(i: number) {
  return {
    customer: { givenName: `G${i}`, familyName: `F${i}`, email: `bench${i}@example.com` },
    shippingAddress: { line1: `${i} Road`, city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' },
    items: [{ sku: 'SKU-1', name: 'Thing', quantity: 1, unitPrice: 1000 }],
    currency: 'GBP',
    marketingOptIn: false,
    paymentReference: `pi_${i}`,
  };
}

async function run(withLedger: boolean, orders: number): Promise<Record<LedgerPath, number>> {
  const clock: Clock = { now: () => new Date('2026-12-01T10:00:00Z') };
  const counter = new Counter();
  const service = new LocalKeyService(randomBytes(32));
  const rawRecords = new MemoryKeyRecordStore();
  const records = counter.wrap(rawRecords);
  const store = new MemoryOrderStore();
  // The key table and the shredding wrapper, as the wiring composes them (the key table's own
  // requests are counted by the crypto-shredding figures, not here).
  const recordSecrets = new MemoryRecordSecretStore();
  const shredding = { secrets: recordSecrets, erasureLog: new MemoryErasureLog(), clock };
  const orderStore = shreddingOrderStore(counter.wrap(store), shredding) as MemoryOrderStore;
  const consent = shreddingConsentStore(
    counter.wrap(new MemoryConsentStore()),
    shredding,
  ) as MemoryConsentStore;
  const idempotency = counter.wrap(new MemoryIdempotencyStore());
  const certificates = counter.wrap(new MemoryCertificateStore());
  const fence = counter.wrap(new MemoryErasureFenceStore());
  const dataKeys = new DataKeys(service, records, clock, { maxAgeSeconds: 600, maxUses: 100_000 });
  const lookup = new LookupKeys(service, records, () => clock.now(), true);
  const ledgerKey = new LedgerKey(service, records, () => clock.now());
  const queue = new MemoryQueue();
  const principal = { principal: async () => 'local:bench' };
  const totals = Object.fromEntries(LEDGER_PATHS.map((p) => [p, 0])) as Record<LedgerPath, number>;
  const measure = async (path: LedgerPath, work: () => Promise<unknown>) => {
    const start = counter.n;
    await work();
    totals[path] += counter.n - start;
  };

  const ids: string[] = [];
  for (let i = 0; i < orders; i++)
    await measure('submit', async () => {
      const { orderId } = await submitOrder(
        {
          orders: orderStore,
          idempotency,
          consent,
          fence,
          recordSecrets,
          dataKeys,
          lookup,
          clock,
          partners,
          settings: { undeliveredDays: 90, idempotencyHours: 48, policyVersion: 'bench' },
        },
        { idempotencyKey: `k${i}`, body: body(i) },
      );
      ids.push(orderId);
    });
  const deliverDeps = {
    orders: orderStore,
    dataKeys,
    secrets: { partnerSecrets: async () => [`whsec_${Buffer.alloc(24, 1).toString('base64')}`] },
    partnerState: new MemoryPartnerStateStore(),
    partnerClient: { post: async () => ({ status: 204 }) },
    clock,
    partners,
    settings: { originCountry: 'GB', timeoutMs: 1000, baseDelaySeconds: 1 },
    ...(withLedger ? { disclosures: { mac: ledgerKey.mac, store: orderStore } } : {}),
  };
  for (const [i, orderId] of ids.entries()) {
    for (const partner of ['warehouse', 'carrier'] as const)
      await measure(`deliver ${partner}`, () =>
        deliverToPartner(deliverDeps, { orderId, partnerId: partner, receiveCount: 1, maxAttempts: 3 }),
      );
    await measure('confirmation email', () =>
      notifyCustomer(
        {
          orders: orderStore,
          consent,
          dataKeys,
          lookup,
          recordSecrets,
          mailer: { send: async () => ({ messageId: `ses-${i}` }) },
          clock,
          settings: { publicBaseUrl: 'https://shop.example' },
          ...(withLedger ? { ledgerMac: ledgerKey.mac } : {}),
        },
        { type: 'order.accepted', orderId },
      ),
    );
    await measure('export', () =>
      exportCustomer(
        {
          orders: orderStore,
          consent,
          dataKeys,
          lookup,
          recordSecrets,
          clock,
          ...(withLedger ? { disclosures: { store: orderStore, mac: ledgerKey.mac, principal } } : {}),
        },
        `bench${i}@example.com`,
      ),
    );
    await measure('erase', () =>
      withLedger
        ? eraseWithCertificate(
            {
              orders: orderStore,
              consent,
              lookup,
              fence,
              clock,
              ledger: orderStore,
              ledgerMac: ledgerKey.mac,
              queue,
              certificates,
              principal,
              partners,
            },
            `bench${i}@example.com`,
          )
        : eraseCustomer({ orders: orderStore, consent, lookup, fence, clock }, `bench${i}@example.com`),
    );
  }
  return totals;
}

/** Requests per order on each path, before (no ledger) and after. */
export async function ledgerRequests(orders = 200): Promise<LedgerRequestRow[]> {
  const before = await run(false, orders);
  const after = await run(true, orders);
  const without: Readonly<Record<LedgerPath, number>> = {
    submit: 0,
    'deliver warehouse': 0,
    // Its personal fields are entered in the ledger before the POST (the write-ahead `sending`).
    'deliver carrier': 1,
    'confirmation email': 0,
    // The export and the erasure are disclosures with no order write of their own; the erasure
    // also reads the ledger (to find the partners to redact) and stores the certificate.
    export: 1,
    erase: 1,
  };
  return LEDGER_PATHS.map((path) => ({
    path,
    before: before[path] / orders,
    after: after[path] / orders,
    disclosuresWithoutStateUpdate: without[path],
  }));
}

export function ledgerRequestsTable(rows: readonly LedgerRequestRow[]): string {
  const lines = [
    '| path | DynamoDB requests/order without ledger | with ledger | added |',
    '|---|---:|---:|---:|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.path} | ${r.before.toFixed(2)} | ${r.after.toFixed(2)} | ${(r.after - r.before).toFixed(2)} |`,
    );
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('ledger-requests.ts')) {
  console.log(ledgerRequestsTable(await ledgerRequests()));
}
