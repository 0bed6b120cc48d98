/**
 * An erasure that runs while the carrier's delivery is in flight (found by review): the carrier
 * stand-in has the webhook with the customer's name and address but holds its answer; `minimis
 * erase` runs; then the carrier answers 204. The delivery entered the webhook in the ledger
 * (`sending`) before its POST, so the certificate names the carrier and the carrier gets
 * `order.redacted` — after the data it redacts.
 */
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '#shared/domain/ledger.js';
import { orderRedactedSchema } from '#shared/domain/payload-schemas.js';
import { webhookId } from '#shared/usecases/deliver-to-partner.js';
import type { CliIo } from '../../cli/io.js';
import { runCli } from '../../cli/run.js';
import { orderBody } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { emailCanaries } from './email-support.js';
import { type PartnerStandIn, startPartnerStandIn, waitFor, webhookSecret } from './partners-standin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const secrets = { warehouse: webhookSecret(), carrier: webhookSecret() };
let app: TestApp;
let warehouse: PartnerStandIn;
let carrier: PartnerStandIn;
let arrived!: () => void;
const arrival = new Promise<void>((resolve) => (arrived = resolve));
let release!: () => void;
const released = new Promise<void>((resolve) => (release = resolve));

beforeAll(async () => {
  warehouse = await startPartnerStandIn();
  carrier = await startPartnerStandIn(async (request) => {
    if (request.json.type === 'shipment.requested') {
      arrived();
      await released;
    }
    return 204;
  });
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
  release();
  await app?.stop();
  await warehouse?.stop();
  await carrier?.stop();
});

function io(stdin = '') {
  const out: string[] = [];
  const value: CliIo = {
    out: (text) => out.push(text),
    err: () => undefined,
    env: { AWS_ENDPOINT_URL_DYNAMODB: app.dynamoUrl, MINIMIS_DATA_DIR: app.dataDir },
    cwd: ROOT,
    interactive: false,
    prompt: async () => '',
    readStdin: async () => stdin,
  };
  return { io: value, out };
}

/** The carrier's entries and the erasure's, as `type→recipient (message type)`. */
const carrierStory = (entries: readonly LedgerEntry[]) =>
  entries
    .filter((e) => ('recipient' in e && e.recipient === 'carrier') || e.type === 'erased')
    .map((e) => `${e.type}${'messageType' in e ? ` ${e.messageType}` : ''}`);

describe('erase while the carrier delivery is in flight', () => {
  it('the certificate names the carrier, which gets order.redacted after the data it holds', async () => {
    // Prepare: the carrier has the payload (the customer's name and address) and holds its answer.
    const c = emailCanaries();
    const response = await app.post('/orders', orderBody(c), { 'idempotency-key': 'erase-inflight-1' });
    expect(response.status).toBe(202);
    const { orderId } = (await response.json()) as { orderId: string };
    await arrival;
    // Act
    const run = io(c.email);
    const code = await runCli(['erase', '--email', '-', '--yes'], run.io);
    const printed = JSON.parse(run.out.join('')) as {
      certificate: { id: string; erasedAt: string; redactions: unknown[] };
    };
    release();
    const atCarrier = await waitFor('order.redacted at the carrier', async () => {
      const got = carrier.forOrder(orderId);
      return got.some((r) => r.json.type === 'order.redacted') ? got : undefined;
    });
    const entries = await waitFor('the redaction acknowledged in the ledger', async () => {
      const list = (await app.wiring.ledger.getLedger(orderId))?.entries ?? [];
      return list.some((e) => e.type === 'acknowledged' && e.messageType === 'order.redacted')
        ? list
        : undefined;
    });
    // Assess
    expect(code).toBe(0);
    expect(printed.certificate.redactions).toEqual([
      {
        orderId,
        partner: 'carrier',
        webhookId: webhookId(orderId, 'carrier', 'order.redacted'),
        requestedAt: printed.certificate.erasedAt,
        // Erased while the POST was in flight: the ledger held only the write-ahead `sending`.
        basis: 'may-have-received',
      },
    ]);
    // The data first (it holds the canary name), then exactly one redaction, signed.
    expect(atCarrier.map((r) => r.json.type)).toEqual(['shipment.requested', 'order.redacted']);
    expect(atCarrier[0]?.body).toContain(c.givenName);
    const [, redaction] = atCarrier;
    const payload = new Webhook(secrets.carrier).verify(redaction?.body ?? '', redaction?.headers ?? {});
    expect(orderRedactedSchema.parse(payload)).toEqual({
      type: 'order.redacted',
      orderId,
      requestedAt: printed.certificate.erasedAt,
    });
    expect(carrierStory(entries)).toEqual([
      'sending shipment.requested',
      'erased',
      'redaction-requested',
      'sent shipment.requested',
      'acknowledged shipment.requested',
      'sent order.redacted',
      'acknowledged order.redacted',
    ]);
    expect(warehouse.forOrder(orderId).map((r) => r.json.type)).toEqual(['pick.requested']);
  }, 60_000);
});
