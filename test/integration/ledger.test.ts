/**
 * The disclosure ledger end to end in local mode: what partners and the mailbox received is what
 * the ledger says; `minimis audit` catches a changed, removed, reordered or dropped entry; erase
 * sends `order.redacted` to exactly the partners that got personal data and the certificate shows
 * their acknowledgements, also from a partner that was down for a while.
 */
import { fileURLToPath } from 'node:url';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '#shared/domain/ledger.js';
import { orderRedactedSchema } from '#shared/domain/payload-schemas.js';
import { webhookId } from '#shared/usecases/deliver-to-partner.js';
import type { CliIo } from '../../cli/io.js';
import { runCli } from '../../cli/run.js';
import { type Canaries, orderBody, personalValues } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { emailCanaries } from './email-support.js';
import { type PartnerStandIn, startPartnerStandIn, waitFor, webhookSecret } from './partners-standin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const secrets = { warehouse: webhookSecret(), carrier: webhookSecret() };
let app: TestApp;
let warehouse: PartnerStandIn;
let carrier: PartnerStandIn;
let n = 0;

beforeAll(async () => {
  warehouse = await startPartnerStandIn();
  carrier = await startPartnerStandIn();
  app = await startTestApp({
    ORIGIN_COUNTRY: 'GB',
    PARTNER_WAREHOUSE_URL: warehouse.url,
    PARTNER_CARRIER_URL: carrier.url,
    PARTNER_WAREHOUSE_SECRET: secrets.warehouse,
    PARTNER_CARRIER_SECRET: secrets.carrier,
    DELIVERY_BASE_DELAY_SECONDS: '1',
  });
});
afterAll(async () => {
  await app?.stop();
  await warehouse?.stop();
  await carrier?.stop();
});

function io(stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { AWS_ENDPOINT_URL_DYNAMODB: app.dynamoUrl, MINIMIS_DATA_DIR: app.dataDir },
    cwd: ROOT,
    interactive: false,
    prompt: async () => '',
    readStdin: async () => stdin,
  };
  return { io: value, out, err };
}

async function submit(c: Canaries): Promise<string> {
  const response = await app.post('/orders', orderBody(c), { 'idempotency-key': `lg-${Date.now()}-${n++}` });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

async function entries(orderId: string): Promise<LedgerEntry[]> {
  return [...((await app.wiring.ledger.getLedger(orderId))?.entries ?? [])];
}

/** Waits until both webhooks were acknowledged and the confirmation email is in the ledger. */
async function disclosed(orderId: string): Promise<LedgerEntry[]> {
  return waitFor(`ledger of ${orderId}`, async () => {
    const list = await entries(orderId);
    const acks = list.filter((e) => e.type === 'acknowledged').length;
    return acks >= 2 && list.some((e) => e.type === 'email-sent') ? list : undefined;
  });
}

const CARRIER_FIELDS = [
  'customer.givenName',
  'customer.familyName',
  'customer.phone',
  'shippingAddress.line1',
  'shippingAddress.line2',
  'shippingAddress.city',
  'shippingAddress.region',
  'shippingAddress.postalCode',
  'shippingAddress.country',
  'items[].quantity',
];

/** Which canary values of `c` a received payload carried, as inventory paths. */
function canaryPaths(c: Canaries, body: string): string[] {
  const byPath: Record<string, string> = {
    'customer.givenName': c.givenName,
    'customer.familyName': c.familyName,
    'customer.phone': c.phone,
    'shippingAddress.line1': c.line1,
    'shippingAddress.line2': c.line2,
    'shippingAddress.city': c.city,
    'shippingAddress.region': c.region,
    'shippingAddress.postalCode': c.postalCode,
  };
  return Object.entries(byPath)
    .filter(([, value]) => body.includes(value))
    .map(([path]) => path);
}

describe('the disclosure ledger', () => {
  it('names exactly the partners and fields that were sent, with their webhook-ids, and the email; no canary', async () => {
    // Prepare
    const c = emailCanaries();
    // Act
    const orderId = await submit(c);
    const list = await disclosed(orderId);
    // Assess: one webhook per partner, recorded with what the stand-ins actually received.
    const [toWarehouse] = warehouse.forOrder(orderId);
    const [toCarrier] = carrier.forOrder(orderId);
    const sent = list.filter((e) => e.type === 'sent');
    expect(sent.map((e) => [e.recipient, e.messageType, e.webhookId]).sort()).toEqual([
      ['carrier', 'shipment.requested', toCarrier?.headers['webhook-id']],
      ['warehouse', 'pick.requested', toWarehouse?.headers['webhook-id']],
    ]);
    const fieldsTo = (partner: string) => sent.find((e) => e.type === 'sent' && e.recipient === partner);
    expect(fieldsTo('warehouse')).toMatchObject({ fields: ['items[].sku', 'items[].quantity'] });
    expect(fieldsTo('carrier')).toMatchObject({ fields: CARRIER_FIELDS });
    // Every personal field the ledger names for the carrier is one the carrier got, and no other.
    const personalNamed = CARRIER_FIELDS.filter(
      (p) => p.startsWith('customer.') || p.startsWith('shippingAddress.'),
    );
    expect(canaryPaths(c, toCarrier?.body ?? '')).toEqual(
      personalNamed.filter((p) => p !== 'shippingAddress.country'),
    );
    expect(canaryPaths(c, toWarehouse?.body ?? '')).toEqual([]);
    expect(
      list.filter((e) => e.type === 'purpose-opened').map((e) => [e.by, 'purpose' in e ? e.purpose : '']),
    ).toEqual(
      expect.arrayContaining([
        ['partner-delivery', 'shipping'],
        ['notify-customer', 'contact'],
      ]),
    );
    const email = list.find((e) => e.type === 'email-sent');
    expect(email).toMatchObject({ template: 'order-confirmation', recipient: 'customer mailbox via SES' });
    expect(
      list
        .filter((e) => e.type === 'acknowledged')
        .map((e) => e.type === 'acknowledged' && e.recipient)
        .sort(),
    ).toEqual(['carrier', 'warehouse']);
    expect(list.map((e) => e.seq)).toEqual(list.map((_, i) => i + 1));
    const text = JSON.stringify(list);
    for (const value of personalValues(c)) expect(text).not.toContain(value);
  });

  it('audit verifies an intact ledger and exits 1 on a changed, removed, reordered or dropped entry', async () => {
    // Prepare
    const orderId = await submit(emailCanaries());
    await disclosed(orderId);
    const key = { pk: `ORDER#${orderId}` };
    const read = async () =>
      (await app.wiring.db.send(new GetCommand({ TableName: app.config.tableName, Key: key }))).Item as {
        ledger: LedgerEntry[];
        ledgerHead: { count: number; mac: string };
      };
    const original = await read();
    const write = (ledger: unknown, head: unknown = original.ledgerHead) =>
      app.wiring.db.send(
        new UpdateCommand({
          TableName: app.config.tableName,
          Key: key,
          UpdateExpression: 'SET ledger = :l, ledgerHead = :h',
          ExpressionAttributeValues: { ':l': ledger, ':h': head },
        }),
      );
    const audit = async () => {
      const run = io();
      return { code: await runCli(['audit', '--order', orderId], run.io), ...run };
    };
    const [first, second, ...rest] = original.ledger;
    const last = original.ledger.at(-1) as LedgerEntry;
    const tampered = original.ledger.map((e) =>
      e.type === 'sent' && e.recipient === 'carrier' ? { ...e, fields: ['items[].quantity'] } : e,
    );
    const cases: Array<[string, unknown, unknown?]> = [
      ['changed', tampered],
      ['removed', [first, ...rest]],
      ['reordered', [second, first, ...rest]],
      // Dropped from the end with the head rewritten to match what is left: needs the key.
      ['shortened', original.ledger.slice(0, -1), { count: original.ledger.length - 1, mac: last.mac }],
      ['shortened, head kept', original.ledger.slice(0, -1)],
    ];
    // Act / Assess
    const intact = await audit();
    expect(intact.code).toBe(0);
    expect(intact.out.join('\n')).toContain('sent shipment.requested to carrier');
    for (const [what, ledger, head] of cases) {
      await write(ledger, head);
      const result = await audit();
      expect([what, result.code]).toEqual([what, 1]);
      expect(result.err.join('\n')).toContain('does NOT verify');
    }
    await write(original.ledger);
    expect((await audit()).code).toBe(0);
  });

  it('erase sends one order.redacted to the carrier only, and the certificate shows its acknowledgement', async () => {
    // Prepare
    const c = emailCanaries();
    const orderId = await submit(c);
    await disclosed(orderId);
    // Act
    const run = io(c.email);
    const code = await runCli(['erase', '--email', '-', '--yes'], run.io);
    const printed = JSON.parse(run.out.join('')) as { certificate: { id: string } };
    const redactions = await waitFor('the redaction at the carrier', async () => {
      const got = carrier.forOrder(orderId).filter((r) => r.json.type === 'order.redacted');
      return got.length > 0 ? got : undefined;
    });
    const shown = await waitFor('the acknowledgement in the certificate', async () => {
      const view = io();
      expect(await runCli(['certificate', printed.certificate.id], view.io)).toBe(0);
      const cert = JSON.parse(view.out.join('')) as {
        complete: boolean;
        erasedAt: string;
        copies: unknown[];
        redactions: Array<Record<string, unknown>>;
      };
      return cert.complete ? cert : undefined;
    });
    // Assess
    expect(code).toBe(0);
    expect(printed.certificate.id).toMatch(/^era_[0-9A-Z]{26}$/);
    expect(redactions).toHaveLength(1);
    const [redaction] = redactions;
    const payload = new Webhook(secrets.carrier).verify(redaction?.body ?? '', redaction?.headers ?? {});
    expect(orderRedactedSchema.parse(payload)).toEqual({
      type: 'order.redacted',
      orderId,
      requestedAt: expect.any(String),
    });
    expect(redaction?.headers['webhook-id']).toBe(webhookId(orderId, 'carrier', 'order.redacted'));
    expect(warehouse.forOrder(orderId).filter((r) => r.json.type === 'order.redacted')).toEqual([]);
    expect(shown.redactions).toEqual([
      expect.objectContaining({
        orderId,
        partner: 'carrier',
        basis: 'received',
        state: 'acknowledged',
        status: 204,
      }),
    ]);
    expect(shown.redactions[0]?.acknowledgedAt).toEqual(expect.any(String));
    const copies = shown.copies as Array<{ copy: string; unrecoverableAt: string | null }>;
    expect(copies.find((x) => x.copy === 'order table (DynamoDB)')?.unrecoverableAt).toBe(shown.erasedAt);
    expect(copies.find((x) => x.copy.startsWith('partner carrier'))?.unrecoverableAt).toBeNull();
    const certText = JSON.stringify(shown);
    for (const value of personalValues(c)) expect(certText).not.toContain(value);
    const list = await entries(orderId);
    expect(list.filter((e) => e.type === 'erased')).toHaveLength(1);
    expect(list.filter((e) => e.type === 'acknowledged' && e.messageType === 'order.redacted')).toHaveLength(
      1,
    );
  });

  it('a carrier that is down gets the redaction after retries, acknowledged once it answers 2xx', async () => {
    // Prepare
    const c = emailCanaries();
    const orderId = await submit(c);
    await disclosed(orderId);
    let refused = 0;
    carrier.respondWith((request) => {
      if (request.json.type !== 'order.redacted') return 204;
      return refused++ < 2 ? 503 : 204;
    });
    // Act
    const run = io(c.email);
    expect(await runCli(['erase', '--email', '-', '--yes'], run.io)).toBe(0);
    const { certificate } = JSON.parse(run.out.join('')) as { certificate: { id: string } };
    const shown = await waitFor(
      'the acknowledgement after retries',
      async () => {
        const view = io();
        await runCli(['certificate', certificate.id], view.io);
        const cert = JSON.parse(view.out.join('')) as {
          complete: boolean;
          redactions: Array<Record<string, unknown>>;
        };
        return cert.complete ? cert : undefined;
      },
      30_000,
    );
    // Assess
    const attempts = carrier.forOrder(orderId).filter((r) => r.json.type === 'order.redacted');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.headers['webhook-id']))).toEqual(
      new Set([webhookId(orderId, 'carrier', 'order.redacted')]),
    );
    expect(shown.redactions).toEqual([
      expect.objectContaining({ partner: 'carrier', state: 'acknowledged' }),
    ]);
    carrier.respondWith(() => 204);
  });

  it('export shows, per order, who received which fields when', async () => {
    // Prepare
    const c = emailCanaries();
    const orderId = await submit(c);
    await disclosed(orderId);
    // Act
    const run = io(c.email);
    const code = await runCli(['export', '--email', '-'], run.io);
    // Assess
    expect(code).toBe(0);
    const exported = JSON.parse(run.out.join('')) as {
      orders: Array<{
        orderId: string;
        disclosures: { verified: boolean; recipients: Array<Record<string, unknown>> };
      }>;
    };
    const order = exported.orders.find((o) => o.orderId === orderId);
    expect(order?.disclosures.verified).toBe(true);
    expect(order?.disclosures.recipients.map((r) => [r.recipient, r.what, r.fields])).toEqual(
      expect.arrayContaining([
        ['carrier', 'shipment.requested', CARRIER_FIELDS],
        ['warehouse', 'pick.requested', ['items[].sku', 'items[].quantity']],
        ['customer mailbox via SES', 'email: order-confirmation', ['customer.givenName', 'customer.email']],
      ]),
    );
    expect((await entries(orderId)).at(-1)).toMatchObject({ type: 'exported', by: 'operator' });
  });
});
