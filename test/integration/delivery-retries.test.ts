/**
 * Retries, dead letters and redrive in local mode: backoff starts at 1 s, a delivery is attempted
 * at most 3 times before it is dead-lettered, and a partner must answer within 1 s.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookId } from '#shared/usecases/deliver-to-partner.js';
import { redriveDeliveries } from '#shared/usecases/redrive.js';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import {
  deliveryState,
  type OrderView,
  type PartnerStandIn,
  startPartnerStandIn,
  waitFor,
  webhookSecret,
} from './partners-standin.js';

const c = canaries('a1b2c3d4');
const secrets = { warehouse: webhookSecret(), carrier: webhookSecret() };
let app: TestApp;
let warehouse: PartnerStandIn;
let carrier: PartnerStandIn;
let n = 0;

type Script = (nth: number) => number | Promise<number>;
/** Per-order carrier behaviour, so the tests of this file do not disturb each other. */
const carrierScript = new Map<string, Script>();
/** The script of the next order the carrier hears about (set before the order exists). */
let nextScript: Script | undefined;

beforeAll(async () => {
  warehouse = await startPartnerStandIn();
  carrier = await startPartnerStandIn((request, nth) => {
    const orderId = String(request.json.orderId);
    if (nextScript && !carrierScript.has(orderId)) {
      carrierScript.set(orderId, nextScript);
      nextScript = undefined;
    }
    const script = carrierScript.get(orderId);
    return script ? script(nth) : 204;
  });
  app = await startTestApp({
    ORIGIN_COUNTRY: 'GB',
    PARTNER_WAREHOUSE_URL: warehouse.url,
    PARTNER_CARRIER_URL: carrier.url,
    PARTNER_WAREHOUSE_SECRET: secrets.warehouse,
    PARTNER_CARRIER_SECRET: secrets.carrier,
    DELIVERY_BASE_DELAY_SECONDS: '1',
    DELIVERY_MAX_ATTEMPTS: '3',
    DELIVERY_TIMEOUT_MS: '1000',
  });
});
afterAll(async () => {
  await app?.stop();
  await warehouse?.stop();
  await carrier?.stop();
});

async function submit(script: Script): Promise<string> {
  nextScript = script;
  const response = await app.post('/orders', orderBody(c), { 'idempotency-key': `dr-${Date.now()}-${n++}` });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

async function view(orderId: string): Promise<OrderView> {
  return (await (await app.get(`/orders/${orderId}`)).json()) as OrderView;
}

/** Polls the carrier consumer (it also polls itself every 200 ms) until the state is reached. */
function carrierState(orderId: string, state: string, timeoutMs = 15_000) {
  return waitFor(
    `carrier delivery of ${orderId} to be ${state}`,
    async () => {
      await app.consumers['partner-carrier']?.poll();
      return deliveryState(await view(orderId), 'carrier') === state;
    },
    timeoutMs,
  );
}

describe('delivery retries', () => {
  it('retries a failing partner with backoff and delivers once it recovers, with one webhook-id', async () => {
    // Prepare
    const orderId = await submit((nth) => (nth <= 2 ? 503 : 204));
    // Act
    await carrierState(orderId, 'delivered');
    // Assess
    const attempts = carrier.forOrder(orderId);
    expect(attempts.map((a) => a.headers['webhook-id'])).toEqual(
      Array(3).fill(webhookId(orderId, 'carrier', 'shipment.requested')),
    );
    for (const attempt of attempts)
      expect(new Webhook(secrets.carrier).verify(attempt.body, attempt.headers)).toEqual(attempt.json);
    expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
    const status = await view(orderId);
    expect(status.deliveries).toEqual([
      { partner: 'warehouse', state: 'delivered' },
      { partner: 'carrier', state: 'delivered' },
    ]);
    expect(warehouse.forOrder(orderId)).toHaveLength(1);
  });

  it('treats no answer within the timeout as a failure and retries', async () => {
    // Prepare
    const orderId = await submit(async (nth) => {
      if (nth === 1) await new Promise((resolve) => setTimeout(resolve, 2_000));
      return 204;
    });
    // Act
    await carrierState(orderId, 'delivered');
    // Assess
    expect(carrier.forOrder(orderId)).toHaveLength(2);
  });

  it('dead-letters after the last attempt, shows failed, and delivers after a redrive', async () => {
    // Prepare
    // The partner is down; after the redrive it answers only once the test has looked at the status.
    let down = true;
    let release = () => {};
    const answered = new Promise<void>((resolve) => {
      release = resolve;
    });
    const orderId = await submit(async () => {
      if (down) return 500;
      await answered;
      return 204;
    });
    await carrierState(orderId, 'failed');
    const deadLettered = await waitFor('the message to be dead-lettered', async () => {
      await app.consumers['partner-carrier']?.poll();
      const dead = await app.wiring.queue.list('partner-carrier');
      return dead.some((m) => m.orderId === orderId) ? dead : undefined;
    });
    const attemptsBeforeRedrive = carrier.forOrder(orderId).length;
    down = false;
    // Act
    const counts = await redriveDeliveries(
      {
        queue: app.wiring.queue,
        orders: app.wiring.orders,
        partners: app.config.partners,
        clock: app.wiring.clock,
      },
      'carrier',
    );
    const afterRedrive = deliveryState(await view(orderId), 'carrier');
    release();
    await carrierState(orderId, 'delivered');
    // Assess
    expect(deadLettered).toEqual([{ type: 'order.accepted', orderId, partner: 'carrier' }]);
    expect(attemptsBeforeRedrive).toBe(3);
    expect(counts).toEqual([{ partnerId: 'carrier', markedPending: 1, moved: 1 }]);
    expect(afterRedrive).toBe('pending');
    const attempts = carrier.forOrder(orderId);
    expect(attempts).toHaveLength(4);
    expect(new Set(attempts.map((a) => a.headers['webhook-id']))).toEqual(
      new Set([webhookId(orderId, 'carrier', 'shipment.requested')]),
    );
    expect(await app.wiring.queue.list('partner-carrier')).toEqual([]);
    expect(deliveryState(await view(orderId), 'warehouse')).toBe('delivered');
  });
});
