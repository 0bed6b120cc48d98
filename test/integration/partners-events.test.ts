/** Inbound partner events (`POST /partners/{partnerId}/events`) end to end in local mode. */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { drainNotify, emailCanaries, placeOrder, sentTo } from './email-support.js';
import {
  type OrderView,
  type PartnerStandIn,
  startPartnerStandIn,
  webhookSecret,
} from './partners-standin.js';

const c = canaries('e7e70002');
const secrets = { warehouse: webhookSecret(), carrier: webhookSecret() };
const PROBLEMS = 'https://minimis.dev/problems';
let app: TestApp;
let partners: PartnerStandIn;
let n = 0;

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

async function submit(): Promise<string> {
  const response = await app.post('/orders', orderBody(c), { 'idempotency-key': `ev-${Date.now()}-${n++}` });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

async function view(orderId: string): Promise<OrderView & { updatedAt: string }> {
  return (await (await app.get(`/orders/${orderId}`)).json()) as OrderView & { updatedAt: string };
}

function send(
  event: unknown,
  options: { partner?: string; secret?: string; id?: string; at?: Date; signature?: string | null } = {},
) {
  const body = JSON.stringify(event);
  const id = options.id ?? `evt_${randomUUID()}`;
  const at = options.at ?? new Date();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  };
  const signature =
    options.signature === undefined
      ? new Webhook(options.secret ?? secrets.carrier).sign(id, at, body)
      : options.signature;
  if (signature !== null) headers['webhook-signature'] = signature;
  return fetch(`${app.apiUrl}/partners/${options.partner ?? 'carrier'}/events`, {
    method: 'POST',
    headers,
    body,
  });
}

async function problemType(response: Response): Promise<string> {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return ((await response.json()) as { type: string }).type;
}

const dispatched = (orderId: string) => ({
  type: 'shipment.dispatched',
  orderId,
  trackingNumber: '1Z999AA10123456784',
  trackingUrl: 'https://carrier.example/track/1Z999AA10123456784',
});

describe('POST /partners/{partnerId}/events', () => {
  it('dispatched then delivered updates the status and tracking number', async () => {
    // Prepare
    const orderId = await submit();
    // Act
    const first = await send(dispatched(orderId));
    const afterDispatch = await view(orderId);
    const second = await send({ type: 'shipment.delivered', orderId });
    const afterDelivery = await view(orderId);
    // Assess
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ orderId, status: 'dispatched' });
    expect(afterDispatch.status).toBe('dispatched');
    expect(afterDispatch.trackingNumber).toBe('1Z999AA10123456784');
    expect(second.status).toBe(202);
    expect(afterDelivery.status).toBe('delivered');
    expect(afterDelivery.trackingNumber).toBe('1Z999AA10123456784');
    const personal = await app.wiring.orders.getPersonal(orderId, new Date());
    // From the delivery time (a webhook delivery finishing later may move updatedAt on).
    const { deliveredAt } = (await app.wiring.orders.getOrder(orderId)) ?? { deliveredAt: null };
    expect(personal?.expiresAt).toBe(Math.floor(Date.parse(deliveredAt ?? '') / 1000) + 30 * 86_400);
  });

  it('401 for a signature made with another secret', async () => {
    // Prepare
    const orderId = await submit();
    // Act
    const response = await send(dispatched(orderId), { secret: secrets.warehouse });
    // Assess
    expect(response.status).toBe(401);
    expect(await problemType(response)).toBe(`${PROBLEMS}/unauthorized`);
    expect((await view(orderId)).status).toBe('accepted');
  });

  it('401 for a missing signature', async () => {
    // Prepare
    const orderId = await submit();
    // Act
    const response = await send(dispatched(orderId), { signature: null });
    // Assess
    expect(response.status).toBe(401);
    expect(await problemType(response)).toBe(`${PROBLEMS}/unauthorized`);
  });

  it('401 for a timestamp more than 5 minutes old', async () => {
    // Prepare
    const orderId = await submit();
    // Act
    const response = await send(dispatched(orderId), { at: new Date(Date.now() - 6 * 60_000) });
    // Assess
    expect(response.status).toBe(401);
    expect(await problemType(response)).toBe(`${PROBLEMS}/unauthorized`);
    expect((await view(orderId)).status).toBe('accepted');
  });

  it('202 for a replayed webhook-id, with no further effect', async () => {
    // Prepare
    const orderId = await submit();
    const id = `evt_${randomUUID()}`;
    await send(dispatched(orderId), { id });
    const before = await view(orderId);
    // Act
    const replay = await send({ ...dispatched(orderId), trackingNumber: '1ZREPLAYED' }, { id });
    // Assess
    expect(replay.status).toBe(202);
    // Deliveries may progress in the background meanwhile; the event's own effects must not change.
    const after = await view(orderId);
    expect({ status: after.status, trackingNumber: after.trackingNumber }).toEqual({
      status: before.status,
      trackingNumber: before.trackingNumber,
    });
    expect(after.trackingNumber).not.toBe('1ZREPLAYED');
  });

  it('202 with no further effect for a webhook-id replayed with another event type (review s10c)', async () => {
    // Prepare: accepted → delivered directly, its emails drained
    const e = emailCanaries();
    const orderId = await placeOrder(app, e);
    const id = `evt_${randomUUID()}`;
    expect((await send({ type: 'shipment.delivered', orderId }, { id })).status).toBe(202);
    await drainNotify(app);
    const before = (await sentTo(app, e.email)).map((m) => m.subject);
    // A fresh dispatched event now is refused (nothing follows delivered) and sends nothing
    expect((await send({ type: 'shipment.dispatched', orderId, trackingNumber: '1ZFRESH' })).status).toBe(
      409,
    );
    // Act: the delivered event's webhook-id again, with a dispatched body
    const replay = await send({ type: 'shipment.dispatched', orderId, trackingNumber: '1ZREPLAY' }, { id });
    await drainNotify(app);
    // Assess: no "on its way" email for a parcel already delivered
    expect(replay.status).toBe(202);
    expect((await sentTo(app, e.email)).map((m) => m.subject)).toEqual(before);
  });

  it('404 for an unknown order, without echoing its id', async () => {
    // Act
    const response = await send({ type: 'shipment.delivered', orderId: 'ord_0000000000000000000000000A' });
    // Assess
    expect(response.status).toBe(404);
    const text = await response.text();
    expect(JSON.parse(text).type).toBe(`${PROBLEMS}/order-not-found`);
    expect(text).not.toContain('ord_0000000000000000000000000A');
  });

  it('404 for an unknown partner', async () => {
    // Prepare
    const orderId = await submit();
    // Act
    const response = await send(dispatched(orderId), { partner: 'courier' });
    // Assess
    expect(response.status).toBe(404);
    expect(await problemType(response)).toBe(`${PROBLEMS}/partner-not-found`);
  });

  it('409 for a transition that cannot happen (delivered → dispatched)', async () => {
    // Prepare
    const orderId = await submit();
    await send({ type: 'shipment.delivered', orderId });
    // Act
    const response = await send(dispatched(orderId));
    // Assess
    expect(response.status).toBe(409);
    expect(await problemType(response)).toBe(`${PROBLEMS}/invalid-transition`);
    const status = await view(orderId);
    expect(status.status).toBe('delivered');
    expect(status.trackingNumber).toBeNull();
  });

  it('404, as for an unknown order, when the warehouse sends a shipment event (even correctly signed)', async () => {
    // Prepare
    const orderId = await submit();
    // Act
    const response = await send(dispatched(orderId), { partner: 'warehouse', secret: secrets.warehouse });
    // Assess
    expect(response.status).toBe(404);
    expect(await problemType(response)).toBe(`${PROBLEMS}/order-not-found`);
    expect((await view(orderId)).status).toBe('accepted');
  });

  it('400 with paths for an invalid event, 415 for another media type', async () => {
    // Prepare
    const orderId = await submit();
    const body = JSON.stringify({ type: 'shipment.dispatched', orderId });
    const id = `evt_${randomUUID()}`;
    const at = new Date();
    const signature = new Webhook(secrets.carrier).sign(id, at, body);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signature,
    };
    // Act
    const invalid = await fetch(`${app.apiUrl}/partners/carrier/events`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    });
    const media = await fetch(`${app.apiUrl}/partners/carrier/events`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/plain' },
      body,
    });
    // Assess
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toEqual({
      type: `${PROBLEMS}/validation`,
      title: 'Invalid event',
      status: 400,
      detail: '1 field is invalid',
      errors: [{ path: 'trackingNumber', message: expect.any(String) }],
    });
    expect(media.status).toBe(415);
  });
});
