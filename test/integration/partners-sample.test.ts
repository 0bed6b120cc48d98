/**
 * The built-in sample partners of `npm start`: they verify signatures, deduplicate, print one line
 * per message (keys, not values), and the sample carrier reports dispatched then delivered.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from 'vitest';
import { canaries, orderBody, personalValues } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { deliveryState, type OrderView, waitFor } from './partners-standin.js';

const c = canaries('5a3f0001');
let app: TestApp;
let log: MockInstance<typeof console.log>;

beforeAll(async () => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  app = await startTestApp({}, { timers: true });
});
afterAll(async () => {
  await app?.stop();
  log.mockRestore();
});

const printed = () =>
  log.mock.calls.map((args) => args.map(String).join(' ')).filter((l) => l.startsWith('[sample '));

async function signed(partner: string, payload: Record<string, unknown>, id = `msg_${randomUUID()}`) {
  // The sample partner's secret lives in its keyring file (local mode, no PARTNER_*_SECRET).
  const [secret = ''] = await app.wiring.secrets.partnerSecrets(partner);
  const body = JSON.stringify(payload);
  const at = new Date();
  return fetch(`${app.apiUrl}/_sample/${partner}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
    body,
  });
}

describe('sample partners (local mode)', () => {
  it('receive the webhooks, and the sample carrier reports dispatched and then delivered', async () => {
    // Prepare
    const response = await app.post('/orders', orderBody(c), { 'idempotency-key': `sample-${randomUUID()}` });
    const { orderId } = (await response.json()) as { orderId: string };
    // Act
    await waitFor(
      'the sample carrier to report delivery',
      async () => printed().includes(`[sample carrier] reported shipment.delivered for ${orderId} → 202`),
      20_000,
    );
    const final = (await (await app.get(`/orders/${orderId}`)).json()) as OrderView;
    // Assess
    expect(final.status).toBe('delivered');
    expect(final.trackingNumber).toMatch(/^1Z[0-9A-Z]{16}$/);
    expect(deliveryState(final, 'warehouse')).toBe('delivered');
    expect(deliveryState(final, 'carrier')).toBe('delivered');
    const lines = printed().filter((l) => l.includes(orderId));
    // The two partners are served concurrently: their lines come in either order.
    expect(lines.slice(0, 2).sort()).toEqual([
      `[sample carrier] shipment.requested ${orderId} keys: type, orderId, createdAt, recipient.name, recipient.phone, address.line1, address.line2, address.city, address.region, address.postalCode, address.country, parcel.itemCount, customs.currency, customs.contents[].description, customs.contents[].quantity, customs.contents[].value`,
      `[sample warehouse] pick.requested ${orderId} keys: type, orderId, createdAt, items[].sku, items[].quantity`,
    ]);
    expect(lines.slice(2)).toEqual([
      `[sample carrier] reported shipment.dispatched for ${orderId} → 202`,
      `[sample carrier] reported shipment.delivered for ${orderId} → 202`,
    ]);
    for (const value of personalValues(c)) expect(printed().join('\n')).not.toContain(value);
  });

  it('reject a webhook with a bad signature', async () => {
    // Prepare
    const body = JSON.stringify({ type: 'pick.requested', orderId: 'ord_0000000000000000000000000A' });
    // Act
    const response = await fetch(`${app.apiUrl}/_sample/warehouse`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_forged',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      },
      body,
    });
    // Assess
    expect(response.status).toBe(401);
  });

  it('deduplicate on webhook-id', async () => {
    // Prepare
    const orderId = 'ord_0000000000000000000000000B';
    const payload = { type: 'pick.requested', orderId, createdAt: new Date().toISOString(), items: [] };
    const id = `msg_${randomUUID()}`;
    // Act
    const first = await signed('warehouse', payload, id);
    const second = await signed('warehouse', payload, id);
    // Assess
    expect([first.status, second.status]).toEqual([204, 204]);
    expect(printed().filter((l) => l.includes(orderId))).toEqual([
      `[sample warehouse] pick.requested ${orderId} keys: type, orderId, createdAt, items[]`,
      `[sample warehouse] pick.requested ${orderId}: duplicate webhook-id, ignored`,
    ]);
  });
});
