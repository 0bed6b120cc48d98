/**
 * Outbound webhooks end to end in local mode: the real intake, queue, delivery handler, projection
 * and signing, against partner stand-ins. ORIGIN_COUNTRY=GB, so GB parcels are domestic.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookId } from '#shared/usecases/deliver-to-partner.js';
import { canaries, orderBody, personalValues } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { rawTableText } from '../support/raw-table.js';
import {
  deliveryState,
  type OrderView,
  type PartnerStandIn,
  startPartnerStandIn,
  waitFor,
  webhookSecret,
} from './partners-standin.js';

const c = canaries('d11e0001');
const secrets = { warehouse: webhookSecret(), carrier: webhookSecret() };
let app: TestApp;
let warehouse: PartnerStandIn;
let carrier: PartnerStandIn;
let n = 0;
const key = () => `pd-${Date.now()}-${n++}`;

beforeAll(async () => {
  warehouse = await startPartnerStandIn();
  carrier = await startPartnerStandIn();
  app = await startTestApp({
    ORIGIN_COUNTRY: 'GB',
    PARTNER_WAREHOUSE_URL: warehouse.url,
    PARTNER_CARRIER_URL: carrier.url,
    PARTNER_WAREHOUSE_SECRET: secrets.warehouse,
    PARTNER_CARRIER_SECRET: secrets.carrier,
  });
});
afterAll(async () => {
  await app?.stop();
  await warehouse?.stop();
  await carrier?.stop();
});

async function submit(body: unknown, idempotencyKey = key()): Promise<string> {
  const response = await app.post('/orders', body, { 'idempotency-key': idempotencyKey });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

async function view(orderId: string): Promise<OrderView> {
  return (await (await app.get(`/orders/${orderId}`)).json()) as OrderView;
}

/** Drives both partner consumers until both deliveries of the order are recorded. */
async function deliveredToBoth(orderId: string): Promise<OrderView> {
  return waitFor(`deliveries of ${orderId}`, async () => {
    await Promise.all([app.consumers['partner-warehouse']?.poll(), app.consumers['partner-carrier']?.poll()]);
    const v = await view(orderId);
    return deliveryState(v, 'warehouse') === 'delivered' && deliveryState(v, 'carrier') === 'delivered'
      ? v
      : undefined;
  });
}

describe('partner webhooks', () => {
  it('sends each partner exactly its payload for a domestic parcel (no customs)', async () => {
    // Prepare
    const body = orderBody(c);
    // Act
    const orderId = await submit(body);
    const status = await deliveredToBoth(orderId);
    // Assess
    expect(status.deliveries).toEqual([
      { partner: 'warehouse', state: 'delivered' },
      { partner: 'carrier', state: 'delivered' },
    ]);
    const [toWarehouse] = warehouse.forOrder(orderId);
    const [toCarrier] = carrier.forOrder(orderId);
    const createdAt = (toWarehouse?.json.createdAt as string) ?? '';
    expect(createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(toWarehouse?.json).toEqual({
      type: 'pick.requested',
      orderId,
      createdAt,
      items: [{ sku: 'JKT-LEATHER-M', quantity: 1 }],
    });
    expect(toCarrier?.json).toEqual({
      type: 'shipment.requested',
      orderId,
      createdAt,
      recipient: { name: `${c.givenName} ${c.familyName}`, phone: c.phone },
      address: {
        line1: c.line1,
        line2: c.line2,
        city: c.city,
        region: c.region,
        postalCode: c.postalCode,
        country: 'GB',
      },
      parcel: { itemCount: 1 },
    });
  });

  it('adds customs contents for an international parcel', async () => {
    // Prepare
    const body = orderBody(c, {
      shippingAddress: { ...orderBody(c).shippingAddress, country: 'FR' },
      items: [
        { sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 },
        { sku: 'SCARF-WOOL', name: 'Wool scarf', quantity: 2, unitPrice: 4500 },
      ],
    });
    // Act
    const orderId = await submit(body);
    await deliveredToBoth(orderId);
    // Assess
    const [toCarrier] = carrier.forOrder(orderId);
    expect(toCarrier?.json.parcel).toEqual({ itemCount: 3 });
    expect(toCarrier?.json.customs).toEqual({
      currency: 'EUR',
      contents: [
        { description: 'Leather jacket', quantity: 1, value: 12900 },
        { description: 'Wool scarf', quantity: 2, value: 9000 },
      ],
    });
    expect(warehouse.forOrder(orderId)[0]?.json.items).toEqual([
      { sku: 'JKT-LEATHER-M', quantity: 1 },
      { sku: 'SCARF-WOOL', quantity: 2 },
    ]);
  });

  it('omits optional fields the customer did not give', async () => {
    // Prepare
    const full = orderBody(c);
    const { phone: _phone, ...customer } = full.customer;
    const { line2: _line2, region: _region, ...shippingAddress } = full.shippingAddress;
    // Act
    const orderId = await submit({ ...full, customer, shippingAddress });
    await deliveredToBoth(orderId);
    // Assess
    const [toCarrier] = carrier.forOrder(orderId);
    expect(toCarrier?.json.recipient).toEqual({ name: `${c.givenName} ${c.familyName}` });
    expect(toCarrier?.json.address).toEqual({
      line1: c.line1,
      city: c.city,
      postalCode: c.postalCode,
      country: 'GB',
    });
    expect(toCarrier?.body).not.toContain('null');
  });

  it("signs every webhook with that partner's own secret (Standard Webhooks)", async () => {
    // Prepare
    const orderId = await submit(orderBody(c));
    await deliveredToBoth(orderId);
    const [toWarehouse] = warehouse.forOrder(orderId);
    const [toCarrier] = carrier.forOrder(orderId);
    // Act
    const verifiedWarehouse = new Webhook(secrets.warehouse).verify(
      toWarehouse?.body ?? '',
      toWarehouse?.headers ?? {},
    );
    const verifiedCarrier = new Webhook(secrets.carrier).verify(
      toCarrier?.body ?? '',
      toCarrier?.headers ?? {},
    );
    const crossed = () =>
      new Webhook(secrets.carrier).verify(toWarehouse?.body ?? '', toWarehouse?.headers ?? {});
    // Assess
    expect(verifiedWarehouse).toEqual(toWarehouse?.json);
    expect(verifiedCarrier).toEqual(toCarrier?.json);
    expect(crossed).toThrow();
    expect(toWarehouse?.headers['webhook-id']).toBe(webhookId(orderId, 'warehouse', 'pick.requested'));
    expect(toCarrier?.headers['webhook-id']).toBe(webhookId(orderId, 'carrier', 'shipment.requested'));
    expect(toCarrier?.headers['content-type']).toBe('application/json');
  });

  it('shares canaries only where the inventory allows: none to the warehouse, shipping only to the carrier', async () => {
    // Prepare
    const mine = canaries('d11e0003');
    // Act
    const orderId = await submit(orderBody(mine));
    await deliveredToBoth(orderId);
    // Assess
    const toWarehouse = warehouse
      .forOrder(orderId)
      .map((r) => `${JSON.stringify(r.headers)}${r.body}`)
      .join('\n');
    const toCarrier = carrier
      .forOrder(orderId)
      .map((r) => `${JSON.stringify(r.headers)}${r.body}`)
      .join('\n');
    for (const value of personalValues(mine)) expect(toWarehouse).not.toContain(value);
    for (const value of [
      mine.givenName,
      mine.familyName,
      mine.phone,
      mine.line1,
      mine.line2,
      mine.city,
      mine.region,
      mine.postalCode,
    ]) {
      expect(toCarrier).toContain(value);
    }
    expect(toCarrier).not.toContain(mine.email);
    expect(toCarrier).not.toContain('pi_3NabcXYZ');
    expect(toCarrier).not.toContain('12900');
    const queues = await rawTableText(app.dynamoUrl, `${app.config.tableName}-local-queue`);
    for (const value of personalValues(mine)) expect(queues).not.toContain(value);
  });

  it('delivers once per partner when the same order is submitted 10 times at once', async () => {
    // Prepare
    const idempotencyKey = key();
    const body = orderBody(c);
    // Act
    const first = await Promise.all(
      Array.from({ length: 10 }, () => app.post('/orders', body, { 'idempotency-key': idempotencyKey })),
    );
    const ids = new Set<string>();
    for (const response of first) {
      expect([202, 409]).toContain(response.status);
      if (response.status === 202) ids.add(((await response.json()) as { orderId: string }).orderId);
      else await response.body?.cancel();
    }
    const orderId = await waitFor('the idempotent retry to succeed', async () => {
      const retry = await app.post('/orders', body, { 'idempotency-key': idempotencyKey });
      if (retry.status !== 202) return undefined;
      return ((await retry.json()) as { orderId: string }).orderId;
    });
    await deliveredToBoth(orderId);
    const stillQueued = await Promise.all([
      app.consumers['partner-warehouse']?.poll(),
      app.consumers['partner-carrier']?.poll(),
    ]);
    // Assess
    expect([...ids]).toEqual([orderId]);
    expect(stillQueued).toEqual([0, 0]);
    expect(warehouse.forOrder(orderId)).toHaveLength(1);
    expect(carrier.forOrder(orderId)).toHaveLength(1);
  });
});
