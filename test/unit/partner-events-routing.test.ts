/**
 * Only a carrier the order was routed to at intake may report on it. Tried as the other carrier
 * of a two-carrier setup (scoped by country) would: its events are `not-routed` (answered as an
 * unknown order) and change nothing, also when they race the real carrier's, and the check holds
 * in the store's write itself, not only in a read before it.
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { MemoryQueue } from '../../shared/adapters/memory/memory-queue.js';
import { MemoryOrderStore } from '../../shared/adapters/memory/memory-stores.js';
import { loadConfig } from '../../shared/config.js';
import { partnersFor } from '../../shared/domain/partner-scope.js';
import type { Queue, SecretStore } from '../../shared/ports.js';
import {
  type RecordPartnerEventDeps,
  type RecordPartnerEventResult,
  recordPartnerEvent,
} from '../../shared/usecases/record-partner-event.js';
import { canaries } from '../support/canaries.js';
import {
  FakeClock,
  FakeSecrets,
  newSecret,
  ORDER_ID,
  orderRecord,
  personalRecord,
  shippingFields,
  T0,
} from './deliver-fixtures.js';

const c = canaries('rout0001');
const SECRETS = { warehouse: newSecret(), carrier: newSecret(), 'carrier-eu': newSecret() };
const T0_SECONDS = Math.floor(T0.getTime() / 1000);
const DAY = 86_400;
const EU = ['DE', 'FR', 'NL'];

/** Two carriers scoped by country, as an operator configures them (parsed like at cold start). */
const config = loadConfig({
  MINIMIS_MODE: 'local',
  PARTNERS: JSON.stringify([
    { id: 'warehouse', kind: 'warehouse', url: 'http://localhost:1/w' },
    { id: 'carrier', kind: 'carrier', url: 'http://localhost:1/c', exceptCountries: EU },
    { id: 'carrier-eu', kind: 'carrier', url: 'http://localhost:1/eu', countries: EU },
  ]),
});

/** An order to Germany, routed as intake routes it: warehouse and the EU carrier only. */
function setup() {
  const orders = new MemoryOrderStore();
  const deliveries = Object.fromEntries(
    partnersFor(config.partners, 'DE').map((p) => [
      p.id,
      { state: 'pending' as const, updatedAt: T0.toISOString() },
    ]),
  );
  orders.orders.set(ORDER_ID, orderRecord({ country: 'DE', deliveries }));
  orders.personal.set(ORDER_ID, personalRecord({ shipping: shippingFields(c) }, T0_SECONDS + 90 * DAY));
  const queue = new MemoryQueue();
  const deps: RecordPartnerEventDeps = {
    orders,
    queue,
    secrets: new FakeSecrets(SECRETS),
    clock: new FakeClock(),
    partners: config.partners,
    settings: { afterDeliveryDays: 30 },
  };
  return { deps, orders, queue };
}

function signed(partnerId: keyof typeof SECRETS, body: unknown, id: string) {
  const raw = JSON.stringify(body);
  const at = new Date();
  return {
    partnerId,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(SECRETS[partnerId]).sign(id, at, raw),
    },
    body: Buffer.from(raw, 'utf8'),
  };
}

const foreignDispatch = {
  type: 'shipment.dispatched',
  orderId: ORDER_ID,
  trackingNumber: '1ZFOREIGN0000000001',
  trackingUrl: 'https://foreign-carrier.example/track/1ZFOREIGN0000000001',
};
const realDispatch = {
  type: 'shipment.dispatched',
  orderId: ORDER_ID,
  trackingNumber: 'EU123456789DE',
  trackingUrl: 'https://carrier-eu.example/t/EU123456789DE',
};
const delivered = { type: 'shipment.delivered', orderId: ORDER_ID };

describe('partner events: only a carrier the order was routed to', () => {
  it('routes the German order to the EU carrier only (the premise of the other tests)', () => {
    // Act
    const { orders } = setup();
    // Assess
    expect(Object.keys(orders.orders.get(ORDER_ID)?.deliveries ?? {}).sort()).toEqual([
      'carrier-eu',
      'warehouse',
    ]);
  });

  it('the other carrier’s dispatched and delivered are not-routed and change nothing', async () => {
    // Prepare
    const { deps, orders, queue } = setup();
    const order = structuredClone(orders.orders.get(ORDER_ID));
    const personal = orders.personal.get(ORDER_ID);
    // Act
    const dispatch = await recordPartnerEvent(deps, signed('carrier', foreignDispatch, 'evt_f1'));
    const deliver = await recordPartnerEvent(deps, signed('carrier', delivered, 'evt_f2'));
    // Assess
    expect(dispatch).toEqual({ outcome: 'not-routed' });
    expect(deliver).toEqual({ outcome: 'not-routed' });
    expect(orders.orders.get(ORDER_ID)).toEqual(order);
    expect(orders.personal.get(ORDER_ID)).toBe(personal); // not even rewritten
    expect(orders.personal.get(ORDER_ID)?.expiresAt).toBe(T0_SECONDS + 90 * DAY);
    expect(queue.sent).toEqual([]);
  });

  it('the real carrier still reports afterwards, with its own tracking', async () => {
    // Prepare
    const { deps, orders, queue } = setup();
    await recordPartnerEvent(deps, signed('carrier', foreignDispatch, 'evt_f1'));
    await recordPartnerEvent(deps, signed('carrier', delivered, 'evt_f2'));
    // Act
    const dispatch = await recordPartnerEvent(deps, signed('carrier-eu', realDispatch, 'evt_r1'));
    const deliver = await recordPartnerEvent(deps, signed('carrier-eu', delivered, 'evt_r2'));
    // Assess
    expect([dispatch.outcome, deliver.outcome]).toEqual(['applied', 'applied']);
    expect(orders.orders.get(ORDER_ID)).toMatchObject({
      status: 'delivered',
      trackingNumber: 'EU123456789DE',
      trackingUrl: 'https://carrier-eu.example/t/EU123456789DE',
      processedEvents: ['carrier-eu evt_r1', 'carrier-eu evt_r2'],
    });
    expect(orders.personal.get(ORDER_ID)?.expiresAt).toBe(T0_SECONDS + 30 * DAY);
    expect(queue.sent.map((m) => m.message.type)).toEqual(['shipment.dispatched', 'shipment.delivered']);
  });

  it('a foreign carrier re-using the real carrier’s webhook-id learns nothing (not-routed, not a replay)', async () => {
    // Prepare
    const { deps, orders, queue } = setup();
    await recordPartnerEvent(deps, signed('carrier-eu', realDispatch, 'evt_shared'));
    const order = structuredClone(orders.orders.get(ORDER_ID));
    // Act
    const result = await recordPartnerEvent(deps, signed('carrier', foreignDispatch, 'evt_shared'));
    // Assess
    expect(result).toEqual({ outcome: 'not-routed' });
    expect(orders.orders.get(ORDER_ID)).toEqual(order);
    expect(queue.sent).toHaveLength(1);
  });

  it('a foreign carrier’s event for an unknown order gets the same outcome family as for a foreign one', async () => {
    // Prepare
    const { deps } = setup();
    // Act
    const unknown = await recordPartnerEvent(
      deps,
      signed('carrier', { ...delivered, orderId: 'ord_0000000000000000000000000A' }, 'evt_u'),
    );
    // Assess: the HTTP layer answers both identically (see the integration test)
    expect(unknown).toEqual({ outcome: 'order-not-found' });
  });
});

/** Wraps every method of a port so that it first awaits `before()` (the interleaving point). */
function gated<T extends object>(target: T, before: () => Promise<void>): T {
  return new Proxy(target, {
    get(object, name, receiver) {
      const value = Reflect.get(object, name, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await before();
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

describe('partner events: routing under races', () => {
  /**
   * Runs `main` with its ports gated and, at its k-th port call, the competitor to completion
   * (for every k, and once after main). Returns each schedule's outcomes and resulting state.
   */
  async function everySchedule(
    main: (deps: RecordPartnerEventDeps) => Promise<RecordPartnerEventResult>,
    competitor: (deps: RecordPartnerEventDeps) => Promise<RecordPartnerEventResult>,
  ) {
    const schedules = [];
    for (let k = 0; ; k++) {
      const { deps, orders, queue } = setup();
      let calls = 0;
      let competing: RecordPartnerEventResult | undefined;
      const before = async () => {
        if (calls++ === k) competing = await competitor(deps);
      };
      const gatedDeps: RecordPartnerEventDeps = {
        ...deps,
        orders: gated<RecordPartnerEventDeps['orders']>(deps.orders, before),
        queue: gated<Queue>(deps.queue, before),
        secrets: gated<SecretStore>(deps.secrets, before),
      };
      const mine = await main(gatedDeps);
      const ranInside = competing !== undefined;
      competing ??= await competitor(deps);
      schedules.push({
        k,
        mine,
        competing,
        order: orders.orders.get(ORDER_ID),
        personal: orders.personal.get(ORDER_ID),
        sent: queue.sent,
      });
      if (!ranInside) return schedules;
    }
  }

  it('the foreign carrier’s delivered, run at every await of the real dispatch, never lands', async () => {
    // Act
    const schedules = await everySchedule(
      (deps) => recordPartnerEvent(deps, signed('carrier-eu', realDispatch, 'evt_r1')),
      (deps) => recordPartnerEvent(deps, signed('carrier', delivered, 'evt_f1')),
    );
    // Assess
    expect(schedules.length).toBeGreaterThanOrEqual(4);
    for (const s of schedules) {
      expect(s.competing).toEqual({ outcome: 'not-routed' });
      expect(s.mine.outcome).toBe('applied');
      expect(s.order).toMatchObject({
        status: 'dispatched',
        trackingUrl: realDispatch.trackingUrl,
        deliveredAt: null,
        processedEvents: ['carrier-eu evt_r1'],
      });
      expect(s.personal?.expiresAt).toBe(T0_SECONDS + 90 * DAY);
      expect(s.sent.map((m) => m.message.type)).toEqual(['shipment.dispatched']);
    }
  });

  it('the real dispatch, run at every await of the foreign one, applies and the foreign one does not', async () => {
    // Act
    const schedules = await everySchedule(
      (deps) => recordPartnerEvent(deps, signed('carrier', foreignDispatch, 'evt_f1')),
      (deps) => recordPartnerEvent(deps, signed('carrier-eu', realDispatch, 'evt_r1')),
    );
    // Assess
    expect(schedules.length).toBeGreaterThanOrEqual(3);
    for (const s of schedules) {
      expect(s.mine).toEqual({ outcome: 'not-routed' });
      expect(s.competing.outcome).toBe('applied');
      expect(s.order).toMatchObject({
        status: 'dispatched',
        trackingNumber: realDispatch.trackingNumber,
        trackingUrl: realDispatch.trackingUrl,
      });
      expect(s.sent.map((m) => m.message.type)).toEqual(['shipment.dispatched']);
    }
  });

  it('the store checks the routing in the write: a read that saw the partner routed does not carry over', async () => {
    // Prepare: the foreign carrier is (wrongly) on the order when a caller reads it, and the
    // routing is corrected before that caller writes, as a read-then-write check would miss
    const orders = new MemoryOrderStore();
    const routed = orderRecord({ country: 'DE' });
    orders.orders.set(ORDER_ID, {
      ...routed,
      deliveries: { ...routed.deliveries, 'carrier-x': { state: 'pending', updatedAt: T0.toISOString() } },
    });
    const seen = await orders.getOrder(ORDER_ID);
    const { 'carrier-x': _removed, ...corrected } = seen?.deliveries ?? {};
    orders.orders.set(ORDER_ID, { ...routed, deliveries: corrected });
    const change = {
      partnerId: 'carrier-x',
      eventId: 'evt_x',
      to: 'delivered',
      from: ['accepted', 'dispatched'],
      at: T0.toISOString(),
    } as const;
    // Act
    const result = await orders.applyStatusChange(ORDER_ID, change);
    // Assess
    expect(Object.keys(seen?.deliveries ?? {})).toContain('carrier-x');
    expect(result).toEqual({ outcome: 'not-routed' });
    expect(orders.orders.get(ORDER_ID)).toMatchObject({
      status: 'accepted',
      deliveredAt: null,
      processedEvents: [],
    });
  });

  it('a delivery state change for an unrouted partner does not route the order to it', async () => {
    // Prepare
    const { deps, orders } = setup();
    // Act
    await orders.setDeliveryState(ORDER_ID, 'carrier', 'failed', T0.toISOString());
    await orders.setDeliveryState(ORDER_ID, 'carrier', 'pending', T0.toISOString());
    const result = await recordPartnerEvent(deps, signed('carrier', delivered, 'evt_after'));
    // Assess
    expect(Object.keys(orders.orders.get(ORDER_ID)?.deliveries ?? {}).sort()).toEqual([
      'carrier-eu',
      'warehouse',
    ]);
    expect(result).toEqual({ outcome: 'not-routed' });
  });

  it('a caller that skips every check still cannot report for an unrouted partner', async () => {
    // Prepare
    const { orders } = setup();
    // Act
    const result = await orders.applyStatusChange(ORDER_ID, {
      partnerId: 'carrier',
      eventId: 'evt_direct',
      to: 'dispatched',
      from: ['accepted'],
      at: T0.toISOString(),
      trackingNumber: '1ZFOREIGN',
      trackingUrl: 'https://foreign-carrier.example/t',
    });
    // Assess
    expect(result).toEqual({ outcome: 'not-routed' });
    expect(orders.orders.get(ORDER_ID)).toMatchObject({
      status: 'accepted',
      trackingNumber: null,
      trackingUrl: null,
    });
  });
});
