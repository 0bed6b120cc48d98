/**
 * Two carriers scoped by country, end to end in local mode: the carrier an order was not routed to
 * (and the warehouse) get exactly the 404 of an unknown order, and their events change nothing —
 * status, tracking, the personal record's expiry, emails — while the routed carrier still reports.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PARTNER_FIELDS } from '../../shared/inventory.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { drainNotify, emailCanaries, placeOrder, sentTo } from './email-support.js';
import { type PartnerStandIn, startPartnerStandIn, webhookSecret } from './partners-standin.js';

const EU = ['DE', 'FR', 'NL'];
const secrets = { warehouse: webhookSecret(), carrier: webhookSecret(), 'carrier-eu': webhookSecret() };
type PartnerId = keyof typeof secrets;
const UNKNOWN_ORDER = 'ord_0000000000000000000000000A';
let app: TestApp;
let partners: PartnerStandIn;

beforeAll(async () => {
  partners = await startPartnerStandIn();
  app = await startTestApp(
    {},
    {
      samplePartners: false,
      partners: [
        {
          id: 'warehouse',
          kind: 'warehouse',
          url: partners.url,
          secret: secrets.warehouse,
          fields: [...DEFAULT_PARTNER_FIELDS.warehouse],
        },
        {
          id: 'carrier',
          kind: 'carrier',
          url: partners.url,
          secret: secrets.carrier,
          fields: [...DEFAULT_PARTNER_FIELDS.carrier],
          exceptCountries: EU,
        },
        {
          id: 'carrier-eu',
          kind: 'carrier',
          url: partners.url,
          secret: secrets['carrier-eu'],
          fields: [...DEFAULT_PARTNER_FIELDS.carrier],
          countries: EU,
        },
      ],
    },
  );
});
afterAll(async () => {
  await app?.stop();
  await partners?.stop();
});

function send(partner: PartnerId, event: unknown): Promise<Response> {
  const body = JSON.stringify(event);
  const id = `evt_${randomUUID()}`;
  const at = new Date();
  return fetch(`${app.apiUrl}/partners/${partner}/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secrets[partner]).sign(id, at, body),
    },
    body,
  });
}

/** Everything a partner sees of an answer, minus the date. */
async function seen(response: Response) {
  const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
  return { status: response.status, headers, body: await response.text() };
}

async function state(orderId: string) {
  const order = await app.wiring.orders.getOrder(orderId);
  const personal = await app.wiring.orders.getPersonal(orderId, new Date());
  return {
    status: order?.status,
    trackingNumber: order?.trackingNumber,
    trackingUrl: order?.trackingUrl,
    deliveredAt: order?.deliveredAt,
    processedEvents: order?.processedEvents,
    emails: order?.emails,
    expiresAt: personal?.expiresAt,
  };
}

const foreignDispatch = (orderId: string) => ({
  type: 'shipment.dispatched',
  orderId,
  trackingNumber: '1ZFOREIGN0000000001',
  trackingUrl: 'https://foreign-carrier.example/track/1ZFOREIGN0000000001',
});

describe('partner events from a partner the order was not routed to', () => {
  it('404 exactly as for an unknown order, nothing changes, and the routed carrier still reports', async () => {
    // Prepare: an order to Germany (routed to warehouse and carrier-eu), opted in to marketing
    const c = emailCanaries();
    const orderId = await placeOrder(app, c, {
      shippingAddress: { line1: c.line1, city: c.city, postalCode: '10115', country: 'DE' },
      marketingOptIn: true,
    });
    await drainNotify(app);
    const before = await state(orderId);
    const unknown = await seen(await send('carrier', { type: 'shipment.delivered', orderId: UNKNOWN_ORDER }));
    const unknownForReal = await seen(
      await send('carrier-eu', { type: 'shipment.delivered', orderId: UNKNOWN_ORDER }),
    );

    // Act
    const dispatch = await seen(await send('carrier', foreignDispatch(orderId)));
    const deliver = await seen(await send('carrier', { type: 'shipment.delivered', orderId }));
    const warehouse = await seen(await send('warehouse', { type: 'shipment.delivered', orderId }));
    await drainNotify(app);
    const after = await state(orderId);
    const mailAfterForeign = await sentTo(app, c.email);

    // Assess: the same answer as an unknown order, byte for byte
    expect(unknown.status).toBe(404);
    expect(unknownForReal).toEqual(unknown);
    expect(dispatch).toEqual(unknown);
    expect(deliver).toEqual(unknown);
    expect(warehouse).toEqual(unknown);
    expect(dispatch.body).not.toContain(orderId);
    // … and nothing changed: status, tracking, expiry, emails (only the confirmation was sent)
    expect(before.status).toBe('accepted');
    expect(before.expiresAt).toBeGreaterThan(Date.now() / 1000 + 80 * 86_400);
    expect(after).toEqual(before);
    expect(mailAfterForeign.map((e) => e.subject)).toEqual([`Your order ${orderId} is confirmed`]);

    // Act: the routed carrier reports
    const realDispatch = await send('carrier-eu', {
      type: 'shipment.dispatched',
      orderId,
      trackingNumber: 'EU123456789DE',
      trackingUrl: 'https://carrier-eu.example/t/EU123456789DE',
    });
    const realDeliver = await send('carrier-eu', { type: 'shipment.delivered', orderId });
    await drainNotify(app);
    const done = await state(orderId);
    const mail = await sentTo(app, c.email);

    // Assess
    expect([realDispatch.status, realDeliver.status]).toEqual([202, 202]);
    expect(done).toMatchObject({
      status: 'delivered',
      trackingNumber: 'EU123456789DE',
      trackingUrl: 'https://carrier-eu.example/t/EU123456789DE',
    });
    expect(done.expiresAt).toBe(Math.floor(Date.parse(done.deliveredAt ?? '') / 1000) + 30 * 86_400);
    expect(mail.map((e) => e.subject).sort()).toEqual(
      [
        'How was your order?',
        `Your order ${orderId} is confirmed`,
        `Your order ${orderId} is on its way`,
      ].sort(),
    );
    const dispatchMail = mail.find((e) => e.subject.endsWith('is on its way'));
    expect(dispatchMail?.body.text).toContain('https://carrier-eu.example/t/EU123456789DE');
    expect(JSON.stringify(mail)).not.toContain('foreign-carrier.example');
  });

  it('a foreign carrier’s delivered does not lock the routed carrier out', async () => {
    // Prepare: an order to the UK (routed to warehouse and carrier)
    const c = emailCanaries();
    const orderId = await placeOrder(app, c);
    await send('carrier-eu', { type: 'shipment.delivered', orderId });
    // Act
    const dispatch = await send('carrier', {
      type: 'shipment.dispatched',
      orderId,
      trackingNumber: '1Z999AA10123456784',
    });
    // Assess
    expect(dispatch.status).toBe(202);
    expect((await state(orderId)).status).toBe('dispatched');
  });
});
