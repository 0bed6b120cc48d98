/**
 * Export and erasure against the local pipeline (dynalite), through the use cases and through the
 * real CLI (`node bin/minimis.js`) as a child process pointed at the test app's DynamoDB and key
 * file — the way an operator runs it next to `npm start`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#shared/contracts.js';
import type { Clock } from '../../shared/ports.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { exportCustomer } from '../../shared/usecases/export-customer.js';
import { notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { type Wiring, wire } from '../../shared/wiring.js';
import { type Canaries, canaries, orderBody, personalValues } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { rawTableText } from '../support/raw-table.js';

const BIN = fileURLToPath(new URL('../../bin/minimis.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DAY_S = 86_400;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(app: TestApp, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        AWS_ENDPOINT_URL_DYNAMODB: app.dynamoUrl,
        MINIMIS_DATA_DIR: app.dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const fixedClock = (at: Date): Clock => ({ now: () => new Date(at) });

const ada = canaries('a11ce0e1');
const bob = canaries('b0b0e0e1');
let app: TestApp;
let w: Wiring;
let exportedAt: Date;
const orderIds = { ada: [] as string[], bob: [] as string[] };

async function place(person: Canaries, marketingOptIn: boolean, key: string): Promise<string> {
  const response = await app.post('/orders', orderBody(person, { marketingOptIn }), {
    'idempotency-key': key,
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

/** What the export of `person` must show for one of their orders, read back from the order record. */
async function expectedOrder(person: Canaries, orderId: string) {
  const order = await app.wiring.orders.getOrder(orderId);
  const createdAt = order?.createdAt ?? '';
  return {
    orderId,
    status: 'accepted',
    createdAt,
    updatedAt: createdAt,
    deliveredAt: null,
    items: [{ sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 }],
    currency: 'EUR',
    country: 'GB',
    paymentReference: 'pi_3NabcXYZ',
    trackingNumber: null,
    trackingUrl: null,
    deliveries: [
      { partner: 'carrier', state: 'pending' },
      { partner: 'warehouse', state: 'pending' },
    ],
    personal: {
      shipping: {
        'customer.givenName': person.givenName,
        'customer.familyName': person.familyName,
        'customer.phone': person.phone,
        'shippingAddress.line1': person.line1,
        'shippingAddress.line2': person.line2,
        'shippingAddress.city': person.city,
        'shippingAddress.region': person.region,
        'shippingAddress.postalCode': person.postalCode,
      },
      contact: { 'customer.givenName': person.givenName, 'customer.email': person.email },
    },
    personalExpiresAt: new Date((Math.floor(Date.parse(createdAt) / 1000) + 90 * DAY_S) * 1000).toISOString(),
  };
}

beforeAll(async () => {
  app = await startTestApp({}, { samplePartners: false });
  // Nothing runs behind the test's back: deliveries and emails stay queued, order states stay put.
  await Promise.all(Object.values(app.consumers).map((c) => c.stop()));
  orderIds.ada.push(await place(ada, true, 'ada-1'), await place(ada, false, 'ada-2'));
  orderIds.bob.push(await place(bob, true, 'bob-1'));
  exportedAt = new Date();
  w = wire(app.config, {
    db: app.wiring.db,
    keyService: app.wiring.keyService,
    keyRecords: app.wiring.keyRecords,
    clock: fixedClock(exportedAt),
  });
});

afterAll(async () => {
  await app?.stop();
});

describe('export', () => {
  it('returns everything held about that person, decrypted, and nothing about anyone else', async () => {
    // Prepare
    const [first, second] = orderIds.ada as [string, string];
    const firstOrder = await app.wiring.orders.getOrder(first);
    // Act
    const exported = await exportCustomer(w, ` ${ada.email.toUpperCase()} `);
    // Assess
    expect(exported).toEqual({
      email: ada.email,
      generatedAt: exportedAt.toISOString(),
      orders: [await expectedOrder(ada, first), await expectedOrder(ada, second)],
      consent: {
        events: [
          {
            granted: true,
            at: firstOrder?.createdAt,
            source: 'checkout',
            policyVersion: '2026-11-01',
          },
        ],
        currentlyConsented: true,
      },
      marketingContact: { 'customer.email': ada.email },
      pendingConfirmation: null,
      suppression: null,
    });
    const text = JSON.stringify(exported);
    for (const value of personalValues(bob)) expect(text).not.toContain(value);
    for (const orderId of orderIds.bob) expect(text).not.toContain(orderId);
  });

  it('`minimis export` prints the same export as JSON on stdout', async () => {
    // Prepare
    const expected = await exportCustomer(w, bob.email);
    // Act
    const run = await cli(app, ['export', '--email', bob.email]);
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as typeof expected;
    // The CLI adds each order's disclosures (its ledger); the rest is the same export.
    const orders = printed.orders.map(({ disclosures: _ledger, ...order }) => order);
    expect({ ...printed, orders, generatedAt: expected.generatedAt }).toEqual(expected);
    expect(printed.orders.map((o) => o.disclosures?.verified)).toEqual(printed.orders.map(() => true));
    expect(printed.orders.map((o) => o.orderId)).toEqual(orderIds.bob);
    for (const value of personalValues(ada)) expect(run.stdout).not.toContain(value);
  });
});

describe('erase', () => {
  it('`minimis erase` removes all their personal data, keeps order records and a suppression entry', async () => {
    // Prepare
    const adaKey = await app.wiring.lookup.emailKey(ada.email);
    const bobKey = await app.wiring.lookup.emailKey(bob.email);
    // Act
    const run = await cli(app, ['erase', '--email', ada.email, '--yes']);
    // Assess
    expect(run.stderr.split('\n')[0]).toBe('erased: personal data of 2 order(s) and the customer record');
    expect(run.stderr).toMatch(
      /certificate era_[0-9A-Z]{26}: order\.redacted requested from \d+ partner\(s\)/,
    );
    expect(run.code).toBe(0);
    const { certificate, ...receipt } = JSON.parse(run.stdout);
    expect(certificate.erased.orders.map((o: { orderId: string }) => o.orderId)).toEqual(
      [...orderIds.ada].sort(),
    );
    // The certificate (kept like the order records) holds nothing of the address, not even a prefix
    // of its keyed hash beside those order ids; only the receipt, printed once, names the entry.
    expect(JSON.stringify(certificate)).not.toContain(adaKey.slice(0, 10));
    expect(certificate).not.toHaveProperty('suppressionRef');
    expect(receipt).toEqual({
      erasedAt: receipt.suppression.at,
      outcome: 'erased',
      suppressionRef: `sup_${adaKey.slice(0, 10)}`,
      ordersErased: [...orderIds.ada].sort(),
      consentLedgerRemoved: true,
      marketingContactRemoved: true,
      suppressionKept: true,
      suppression: { reason: 'erasure', at: receipt.erasedAt, recordedNow: true, replaced: null },
      retained: [
        {
          what: 'non-personal order records (items, prices, currency, destination country, status, timestamps, tracking number, payment reference) — no longer linked to the person',
          why: 'accounting and tax records',
          until: '10 years',
        },
        {
          what: 'suppression entry: a keyed hash (HMAC) of the address, never the address itself',
          why: 'so the erased address is never mailed again',
          until: 'indefinitely',
        },
        {
          what: 'erasure mark in the key table: a hash of that keyed hash and the erasure time',
          why: 'so the erasure holds even if the order table is restored from a backup taken before it',
          until: 'indefinitely',
        },
        {
          what: 'table backups (point-in-time recovery) taken before this erasure',
          why: 'disaster recovery only; the erased data in them is sealed and its record secrets are deleted, so it opens for nobody (records sealed before envelope v2 stay readable there until the backups age out)',
          until: '35 days, then gone',
        },
      ],
      notReached: [
        'copies partners received to deliver the order (the carrier keeps shipping details under its own retention)',
        'emails already delivered to the customer',
      ],
      horizon: expect.any(Array),
    });
    // The horizon: every copy minimis controls is unreadable at once, the last key backup in 7 days.
    const at = Date.parse(receipt.erasedAt);
    const horizon = Object.fromEntries(
      (receipt.horizon as Array<{ id: string; unrecoverable: string; at: string | null }>).map((h) => [
        h.id,
        [h.unrecoverable, h.at],
      ]),
    );
    expect(horizon).toEqual({
      'order-table': ['at once', receipt.erasedAt],
      'order-table-pitr': ['at once', receipt.erasedAt],
      'order-table-pitr-v1': ['after 35 days', new Date(at + 35 * DAY_S * 1000).toISOString()],
      'key-table': ['at once', receipt.erasedAt],
      'key-table-backups': ['after 7 days', new Date(at + 7 * DAY_S * 1000).toISOString()],
      'erasure-log': ['never holds any', null],
      'logs-queues': ['never holds any', null],
      'feedback-retry-queue': ['after 4 days', new Date(at + 4 * DAY_S * 1000).toISOString()],
      'local-mail-viewer': ['beyond reach here (the local operator)', null],
      mailboxes: ['beyond reach here (the customer)', null],
      'partner:carrier': ['beyond reach here (carrier)', null],
    });
    for (const value of personalValues(ada)) expect(run.stdout).not.toContain(value);
    const raw = await rawTableText(app.dynamoUrl, app.config.tableName);
    for (const orderId of orderIds.ada) {
      expect(raw).not.toContain(keys.personal(orderId));
      expect(raw).toContain(keys.order(orderId));
    }
    expect(raw).not.toContain(keys.customer(adaKey));
    expect(raw).toContain(keys.suppression(adaKey));
    expect(raw).toContain(keys.personal(orderIds.bob[0] as string));
    expect(raw).toContain(keys.customer(bobKey));
  });

  it('their orders still answer GET /orders/{id} and no email can be sent to them', async () => {
    // Act
    const responses = await Promise.all(orderIds.ada.map((id) => app.get(`/orders/${id}`)));
    const notified = await notifyCustomer(
      {
        ...w,
        mailer: {
          send: async () => {
            throw new Error('must not send');
          },
        },
        settings: { publicBaseUrl: w.config.publicBaseUrl },
      },
      { type: 'order.accepted', orderId: orderIds.ada[0] as string },
    );
    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{
      orderId: string;
      status: string;
    }>;
    expect(bodies.map((b) => [b.orderId, b.status])).toEqual(orderIds.ada.map((id) => [id, 'accepted']));
    expect(notified).toEqual({ outcome: 'personal-data-gone', email: 'order-confirmation' });
  });

  it('a second `minimis erase` finds nothing, says so, and keeps the suppression entry', async () => {
    // Prepare
    const adaKey = await app.wiring.lookup.emailKey(ada.email);
    const suppression = await app.wiring.consent.getSuppression(adaKey);
    // Act
    const run = await cli(app, ['erase', '--email', ada.email, '--yes']);
    const exported = await exportCustomer(w, ada.email);
    // Assess
    expect(run.stderr.split('\n')[0]).toBe('nothing to erase: no personal data is held for this address');
    expect(run.code).toBe(0);
    const receipt = JSON.parse(run.stdout);
    expect(receipt).toMatchObject({
      outcome: 'nothing-to-erase',
      ordersErased: [],
      consentLedgerRemoved: false,
      marketingContactRemoved: false,
      suppressionKept: true,
      suppression: { reason: 'erasure', at: suppression?.at, recordedNow: false, replaced: null },
    });
    expect(exported).toEqual({
      email: ada.email,
      generatedAt: exportedAt.toISOString(),
      orders: [],
      consent: { events: [], currentlyConsented: false },
      marketingContact: null,
      pendingConfirmation: null,
      suppression: { reason: 'erasure', at: suppression?.at, inForce: true },
    });
  });

  it('erasing again after a new order erases it and re-dates the erasure entry', async () => {
    // Prepare
    const newOrder = await place(ada, false, 'ada-3');
    const later = new Date(exportedAt.getTime() + 60_000);
    const laterWiring = wire(app.config, {
      db: app.wiring.db,
      keyService: app.wiring.keyService,
      keyRecords: app.wiring.keyRecords,
      clock: fixedClock(later),
    });
    // Act
    const receipt = await eraseCustomer(laterWiring, ada.email);
    // Assess
    expect(receipt).toMatchObject({
      erasedAt: later.toISOString(),
      outcome: 'erased',
      ordersErased: [newOrder],
      consentLedgerRemoved: false,
      marketingContactRemoved: false,
      suppression: { reason: 'erasure', at: later.toISOString(), recordedNow: true, replaced: null },
    });
  });

  it('replaces an earlier opt-out with an erasure entry dated now', async () => {
    // Prepare
    const bobKey = await app.wiring.lookup.emailKey(bob.email);
    await app.wiring.consent.putSuppression({
      emailKey: bobKey,
      reason: 'unsubscribe',
      at: '2026-11-20T09:00:00.000Z',
    });
    // Act
    const receipt = await eraseCustomer(w, bob.email);
    // Assess
    expect(receipt).toMatchObject({
      erasedAt: exportedAt.toISOString(),
      outcome: 'erased',
      ordersErased: orderIds.bob,
      consentLedgerRemoved: true,
      marketingContactRemoved: true,
      suppression: {
        reason: 'erasure',
        at: exportedAt.toISOString(),
        recordedNow: true,
        replaced: 'unsubscribe',
      },
    });
    expect(await app.wiring.consent.getSuppression(bobKey)).toEqual({
      emailKey: bobKey,
      reason: 'erasure',
      at: exportedAt.toISOString(),
    });
  });

  it('an address never seen is suppressed and nothing else changes', async () => {
    // Prepare
    const stranger = canaries('c0ffee01');
    // Act
    const receipt = await eraseCustomer(w, stranger.email);
    // Assess
    expect(receipt).toMatchObject({
      erasedAt: exportedAt.toISOString(),
      outcome: 'nothing-to-erase',
      ordersErased: [],
      consentLedgerRemoved: false,
      marketingContactRemoved: false,
      suppression: { reason: 'erasure', at: exportedAt.toISOString(), recordedNow: true, replaced: null },
    });
  });
});
