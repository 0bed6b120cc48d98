/**
 * Review s10c: a repeated `webhook-id` must be "acknowledged (2xx) and have no further effect"
 * (api.md). A repeat whose body names another event type is answered `replay` and then runs the
 * *new* type's after-effects: it enqueues that type's notification. For an order the carrier took
 * straight from accepted to delivered (allowed), a later `shipment.dispatched` under the delivered
 * event's webhook-id — which as a fresh event would be a 409 with no effect — sends the customer a
 * "your order is on its way" email (with no tracking number) for a parcel already delivered.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { drainNotify, emailCanaries, placeOrder, sentTo } from './email-support.js';
import { type PartnerStandIn, startPartnerStandIn, webhookSecret } from './partners-standin.js';

const secrets = { warehouse: webhookSecret(), carrier: webhookSecret() };
let app: TestApp;
let partners: PartnerStandIn;

beforeAll(async () => {
  partners = await startPartnerStandIn();
  app = await startTestApp({
    PARTNER_WAREHOUSE_URL: partners.url,
    PARTNER_CARRIER_URL: partners.url,
    PARTNER_WAREHOUSE_SECRET: secrets.warehouse,
    PARTNER_CARRIER_SECRET: secrets.carrier,
  });
});
afterAll(async () => {
  await app?.stop();
  await partners?.stop();
});

function send(event: unknown, id: string) {
  const body = JSON.stringify(event);
  const at = new Date();
  return fetch(`${app.apiUrl}/partners/carrier/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secrets.carrier).sign(id, at, body),
    },
    body,
  });
}

describe('replayed webhook-id with another event type', () => {
  it('has no further effect: no "on its way" email for an order already delivered', async () => {
    // Prepare: accepted → delivered directly, its emails drained.
    const c = emailCanaries();
    const orderId = await placeOrder(app, c);
    const id = `evt_${randomUUID()}`;
    expect((await send({ type: 'shipment.delivered', orderId }, id)).status).toBe(202);
    await drainNotify(app);
    const before = (await sentTo(app, c.email)).map((e) => e.subject);
    // A fresh dispatched event now would be refused (nothing follows delivered) and send nothing:
    const fresh = await send(
      { type: 'shipment.dispatched', orderId, trackingNumber: '1ZFRESH' },
      `evt_${randomUUID()}`,
    );
    expect(fresh.status).toBe(409);
    // Act: the same webhook-id again, with a dispatched body.
    const replay = await send({ type: 'shipment.dispatched', orderId, trackingNumber: '1ZREPLAY' }, id);
    await drainNotify(app);
    // Assess
    expect(replay.status).toBe(202);
    const after = (await sentTo(app, c.email)).map((e) => e.subject);
    expect(after).toEqual(before);
  });
});
