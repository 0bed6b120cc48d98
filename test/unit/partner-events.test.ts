import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { MemoryQueue } from '../../shared/adapters/memory/memory-queue.js';
import { MemoryOrderStore } from '../../shared/adapters/memory/memory-stores.js';
import type { OrderRecord, PersonalRecord } from '../../shared/domain/order.js';
import {
  expiryAfterDelivery,
  type RecordPartnerEventDeps,
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

const c = canaries('evnt0001');
const SECRETS = { warehouse: newSecret(), carrier: newSecret() };
const T0_SECONDS = Math.floor(T0.getTime() / 1000);
const DAY = 86_400;

const dispatched = {
  type: 'shipment.dispatched',
  orderId: ORDER_ID,
  trackingNumber: '1Z999AA10123456784',
  trackingUrl: 'https://carrier.example/track/1Z999AA10123456784',
};
const delivered = { type: 'shipment.delivered', orderId: ORDER_ID };

function setup(options: { order?: OrderRecord; personal?: PersonalRecord } = {}) {
  const orders = new MemoryOrderStore();
  const order = options.order ?? orderRecord();
  orders.orders.set(order.orderId, order);
  orders.personal.set(
    ORDER_ID,
    options.personal ?? personalRecord({ shipping: shippingFields(c) }, T0_SECONDS + 90 * DAY),
  );
  const queue = new MemoryQueue();
  const deps: RecordPartnerEventDeps = {
    orders,
    queue,
    secrets: new FakeSecrets(SECRETS),
    clock: new FakeClock(),
    partners: [
      { id: 'warehouse', kind: 'warehouse' },
      { id: 'carrier', kind: 'carrier' },
    ],
    settings: { afterDeliveryDays: 30 },
  };
  return { deps, orders, queue };
}

/** A request signed like a partner signs it (the package checks the timestamp against the real clock). */
function signed(
  body: unknown,
  options: { secret?: string; id?: string; at?: Date; partnerId?: string; contentType?: string } = {},
) {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const id = options.id ?? 'evt_1';
  const at = options.at ?? new Date();
  return {
    partnerId: options.partnerId ?? 'carrier',
    headers: {
      'Content-Type': options.contentType ?? 'application/json',
      'Webhook-Id': id,
      'Webhook-Timestamp': String(Math.floor(at.getTime() / 1000)),
      'Webhook-Signature': new Webhook(options.secret ?? SECRETS.carrier).sign(id, at, raw),
    },
    body: Buffer.from(raw, 'utf8'),
  };
}

describe('recordPartnerEvent', () => {
  it('applies shipment.dispatched with its tracking number and queues the dispatch email', async () => {
    // Prepare
    const { deps, orders, queue } = setup();
    // Act
    const result = await recordPartnerEvent(deps, signed(dispatched));
    // Assess
    expect(result).toEqual({
      outcome: 'applied',
      orderId: ORDER_ID,
      status: 'dispatched',
      notification: 'shipment.dispatched',
    });
    const order = orders.orders.get(ORDER_ID);
    expect(order?.status).toBe('dispatched');
    expect(order?.trackingNumber).toBe('1Z999AA10123456784');
    expect(order?.trackingUrl).toBe('https://carrier.example/track/1Z999AA10123456784');
    expect(order?.processedEvents).toEqual(['carrier evt_1']);
    expect(queue.sent).toEqual([
      { queue: 'notify', message: { type: 'shipment.dispatched', orderId: ORDER_ID } },
    ]);
  });

  it('applies shipment.delivered and moves the personal expiry to 30 days after delivery', async () => {
    // Prepare
    const { deps, orders, queue } = setup({ order: orderRecord({ status: 'dispatched' }) });
    // Act
    const result = await recordPartnerEvent(deps, signed(delivered));
    // Assess
    expect(result).toEqual({
      outcome: 'applied',
      orderId: ORDER_ID,
      status: 'delivered',
      notification: 'shipment.delivered',
    });
    expect(orders.orders.get(ORDER_ID)?.deliveredAt).toBe(T0.toISOString());
    expect(orders.personal.get(ORDER_ID)?.expiresAt).toBe(T0_SECONDS + 30 * DAY);
    expect(expiryAfterDelivery(T0.toISOString(), 30)).toBe(T0_SECONDS + 30 * DAY);
    expect(queue.sent).toEqual([
      { queue: 'notify', message: { type: 'shipment.delivered', orderId: ORDER_ID } },
    ]);
  });

  it('accepts delivered straight after accepted', async () => {
    // Prepare
    const { deps, orders } = setup();
    // Act
    const result = await recordPartnerEvent(deps, signed(delivered));
    // Assess
    expect(result.outcome).toBe('applied');
    expect(orders.orders.get(ORDER_ID)?.status).toBe('delivered');
  });

  it('acknowledges a replayed webhook-id without another change, re-queuing the (deduplicated) email', async () => {
    // Prepare
    const { deps, orders, queue } = setup();
    await recordPartnerEvent(deps, signed(dispatched));
    const before = orders.orders.get(ORDER_ID);
    // Act
    const result = await recordPartnerEvent(deps, signed({ ...dispatched, trackingNumber: '1ZOTHER' }));
    // Assess
    expect(result).toEqual({
      outcome: 'replay',
      orderId: ORDER_ID,
      status: 'dispatched',
      notification: 'shipment.dispatched',
    });
    expect(orders.orders.get(ORDER_ID)).toEqual(before);
    expect(queue.sent.map((s) => s.message)).toEqual([
      { type: 'shipment.dispatched', orderId: ORDER_ID },
      { type: 'shipment.dispatched', orderId: ORDER_ID },
    ]);
  });

  it('keeps event ids per partner: another carrier on the order may reuse an id', async () => {
    // Prepare: both carriers serve the destination, so the order went to both
    const { deps, orders, queue } = setup({
      order: orderRecord({
        deliveries: {
          carrier: { state: 'delivered', updatedAt: T0.toISOString() },
          'carrier-b': { state: 'delivered', updatedAt: T0.toISOString() },
        },
      }),
    });
    const secrets = { ...SECRETS, 'carrier-b': newSecret() };
    const withB: RecordPartnerEventDeps = {
      ...deps,
      secrets: new FakeSecrets(secrets),
      partners: [...deps.partners, { id: 'carrier-b', kind: 'carrier' }],
    };
    await recordPartnerEvent(withB, signed(dispatched));
    // Act
    const result = await recordPartnerEvent(
      withB,
      signed(delivered, { partnerId: 'carrier-b', secret: secrets['carrier-b'] }),
    );
    // Assess
    expect(result).toMatchObject({ outcome: 'applied', status: 'delivered' });
    expect(orders.orders.get(ORDER_ID)?.processedEvents).toEqual(['carrier evt_1', 'carrier-b evt_1']);
    expect(queue.sent.map((s) => s.message.type)).toEqual(['shipment.dispatched', 'shipment.delivered']);
  });

  it('rejects a signature made with another secret (or a tampered body)', async () => {
    // Prepare
    const { deps, orders, queue } = setup();
    const tampered = signed(dispatched);
    // Act
    const wrongSecret = await recordPartnerEvent(deps, signed(dispatched, { secret: SECRETS.warehouse }));
    const wrongBody = await recordPartnerEvent(deps, {
      ...tampered,
      body: Buffer.from(JSON.stringify(delivered)),
    });
    // Assess
    expect(wrongSecret).toEqual({ outcome: 'unauthorized' });
    expect(wrongBody).toEqual({ outcome: 'unauthorized' });
    expect(orders.orders.get(ORDER_ID)?.status).toBe('accepted');
    expect(queue.sent).toEqual([]);
  });

  it('verifies the raw bytes: a body re-serialised differently no longer matches', async () => {
    // Prepare
    const { deps } = setup();
    const raw = `{ "type": "shipment.delivered",\n  "orderId": "${ORDER_ID}" }`;
    const request = signed(raw);
    // Act
    const exact = await recordPartnerEvent(deps, request);
    const reserialised = await recordPartnerEvent(deps, {
      ...request,
      body: Buffer.from(JSON.stringify(JSON.parse(raw))),
    });
    // Assess
    expect(exact.outcome).toBe('applied');
    expect(reserialised).toEqual({ outcome: 'unauthorized' });
  });

  it('rejects a timestamp more than 5 minutes old or ahead', async () => {
    // Prepare
    const { deps } = setup();
    const now = Date.now();
    // Act
    const stale = await recordPartnerEvent(deps, signed(dispatched, { at: new Date(now - 6 * 60_000) }));
    const future = await recordPartnerEvent(deps, signed(dispatched, { at: new Date(now + 6 * 60_000) }));
    // Assess
    expect(stale).toEqual({ outcome: 'unauthorized' });
    expect(future).toEqual({ outcome: 'unauthorized' });
  });

  it('rejects missing signature headers', async () => {
    // Prepare
    const { deps } = setup();
    const { headers, ...request } = signed(dispatched);
    // Act
    const noSignature = await recordPartnerEvent(deps, {
      ...request,
      headers: { ...headers, 'Webhook-Signature': undefined },
    });
    const noId = await recordPartnerEvent(deps, {
      ...request,
      headers: { ...headers, 'Webhook-Id': undefined },
    });
    // Assess
    expect(noSignature).toEqual({ outcome: 'unauthorized' });
    expect(noId).toEqual({ outcome: 'unauthorized' });
  });

  it('answers unknown partner, wrong media type and oversized bodies before verifying anything', async () => {
    // Prepare
    const { deps } = setup();
    // Act
    const unknown = await recordPartnerEvent(deps, signed(dispatched, { partnerId: 'courier' }));
    const media = await recordPartnerEvent(deps, signed(dispatched, { contentType: 'text/plain' }));
    const large = await recordPartnerEvent(deps, signed({ ...dispatched, pad: 'x'.repeat(33 * 1024) }));
    // Assess
    expect(unknown).toEqual({ outcome: 'unknown-partner' });
    expect(media).toEqual({ outcome: 'unsupported-media-type' });
    expect(large).toEqual({ outcome: 'too-large' });
  });

  it('reports invalid events by path, never echoing values', async () => {
    // Prepare
    const { deps } = setup();
    const body = {
      type: 'shipment.dispatched',
      orderId: ORDER_ID,
      trackingUrl: 'http://insecure.example',
      note: c.givenName,
    };
    // Act
    const result = await recordPartnerEvent(deps, signed(body));
    const malformed = await recordPartnerEvent(deps, signed('{"type":'));
    // Assess
    expect(result.outcome).toBe('invalid');
    const paths = result.outcome === 'invalid' ? result.problems.map((p) => p.path).sort() : [];
    expect(paths).toEqual(['note', 'trackingNumber', 'trackingUrl']);
    expect(JSON.stringify(result)).not.toContain(c.givenName);
    expect(JSON.stringify(result)).not.toContain('insecure.example');
    expect(malformed).toEqual({ outcome: 'malformed-json' });
  });

  it('answers a partner kind that never sends shipment events as for an order it cannot see', async () => {
    // Prepare: the warehouse is routed to the order, but only carriers report shipments
    const { deps, orders, queue } = setup();
    const before = structuredClone(orders.orders.get(ORDER_ID));
    // Act
    const result = await recordPartnerEvent(
      deps,
      signed(dispatched, { partnerId: 'warehouse', secret: SECRETS.warehouse }),
    );
    // Assess
    expect(result).toEqual({ outcome: 'not-routed' });
    expect(orders.orders.get(ORDER_ID)).toEqual(before);
    expect(queue.sent).toEqual([]);
  });

  it('answers order-not-found for an unknown or malformed order id', async () => {
    // Prepare
    const { deps } = setup();
    // Act
    const unknown = await recordPartnerEvent(
      deps,
      signed({ ...delivered, orderId: 'ord_0000000000000000000000000A' }),
    );
    const malformed = await recordPartnerEvent(
      deps,
      signed({ ...delivered, orderId: 'nope' }, { id: 'evt_2' }),
    );
    // Assess
    expect(unknown).toEqual({ outcome: 'order-not-found' });
    expect(malformed).toEqual({ outcome: 'order-not-found' });
  });

  it('refuses a transition that cannot happen (nothing follows delivered)', async () => {
    // Prepare
    const { deps, orders, queue } = setup({
      order: orderRecord({ status: 'delivered', deliveredAt: T0.toISOString() }),
    });
    // Act
    const result = await recordPartnerEvent(deps, signed(dispatched, { id: 'evt_late' }));
    // Assess
    expect(result).toEqual({ outcome: 'conflict', from: 'delivered', to: 'dispatched' });
    expect(orders.orders.get(ORDER_ID)?.trackingNumber).toBeNull();
    expect(queue.sent).toEqual([]);
  });

  it('does not revive personal data that already expired when delivery is reported late', async () => {
    // Prepare
    const expired = personalRecord({ shipping: shippingFields(c) }, T0_SECONDS - 1);
    const { deps, orders } = setup({ personal: expired });
    // Act
    const result = await recordPartnerEvent(deps, signed(delivered));
    // Assess
    expect(result.outcome).toBe('applied');
    expect(orders.personal.get(ORDER_ID)?.expiresAt).toBe(T0_SECONDS - 1);
  });
});
