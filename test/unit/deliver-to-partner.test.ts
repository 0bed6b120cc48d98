import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { MemoryPartnerStateStore } from '../../shared/adapters/memory/memory-partner-state.js';
import { MemoryOrderStore } from '../../shared/adapters/memory/memory-stores.js';
import { loadConfig } from '../../shared/config.js';
import type { OrderRecord, PersonalRecord } from '../../shared/domain/order.js';
import {
  type DeliverDeps,
  type DeliveryPartner,
  deliverToPartner,
  retryDelaySeconds,
  retryScheduleSpan,
  webhookId,
} from '../../shared/usecases/deliver-to-partner.js';
import { canaries, personalValues } from '../support/canaries.js';
import {
  contactFields,
  FakeClock,
  FakeDataKeys,
  FakeSecrets,
  newSecret,
  ORDER_ID,
  orderRecord,
  personalRecord,
  SAMPLE_PARTNERS,
  ScriptedPartnerClient,
  shippingFields,
  T0,
} from './deliver-fixtures.js';

const c = canaries('dlvr0001');
const PARTNERS: DeliveryPartner[] = [...SAMPLE_PARTNERS];
const SECRETS = { warehouse: newSecret(), carrier: newSecret() };
const T0_SECONDS = Math.floor(T0.getTime() / 1000);

function setup(
  options: {
    order?: OrderRecord;
    personal?: PersonalRecord | null;
    script?: Array<number | Error>;
    originCountry?: string;
  } = {},
) {
  const orders = new MemoryOrderStore();
  const order = options.order ?? orderRecord();
  orders.orders.set(order.orderId, order);
  const personal =
    options.personal === undefined
      ? personalRecord({ shipping: shippingFields(c), contact: contactFields(c) })
      : options.personal;
  if (personal) orders.personal.set(personal.orderId, personal);
  const dataKeys = new FakeDataKeys();
  const client = new ScriptedPartnerClient(options.script ?? []);
  const clock = new FakeClock();
  const deps: DeliverDeps = {
    orders,
    dataKeys,
    secrets: new FakeSecrets(SECRETS),
    partnerClient: client,
    partnerState: new MemoryPartnerStateStore(),
    clock,
    partners: PARTNERS,
    settings: { originCountry: options.originCountry ?? 'GB', timeoutMs: 15_000, baseDelaySeconds: 30 },
    random: () => 0,
  };
  return { deps, orders, dataKeys, client, clock };
}

const input = (partnerId: string, receiveCount = 1, maxAttempts = 16) => ({
  orderId: ORDER_ID,
  partnerId,
  receiveCount,
  maxAttempts,
});

describe('deliverToPartner', () => {
  it('sends the warehouse its payload, signed, without opening any personal data', async () => {
    // Prepare
    const { deps, orders, dataKeys, client } = setup();
    // Act
    const outcome = await deliverToPartner(deps, input('warehouse'));
    // Assess
    const id = webhookId(ORDER_ID, 'warehouse', 'pick.requested');
    expect(outcome).toEqual({ outcome: 'delivered', webhookId: id, status: 200 });
    expect(dataKeys.opened).toEqual([]);
    expect(client.posted).toHaveLength(1);
    const [request] = client.posted;
    expect(request?.url).toBe('https://wh.example/hooks');
    expect(request?.timeoutMs).toBe(15_000);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      type: 'pick.requested',
      orderId: ORDER_ID,
      createdAt: T0.toISOString(),
      items: [{ sku: 'JKT-LEATHER-M', quantity: 1 }],
    });
    expect(request?.headers).toEqual({
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(T0_SECONDS),
      'webhook-signature': new Webhook(SECRETS.warehouse).sign(id, T0, request?.body ?? ''),
    });
    expect(orders.orders.get(ORDER_ID)?.deliveries.warehouse).toEqual({
      state: 'delivered',
      updatedAt: T0.toISOString(),
    });
  });

  it('opens only the shipping purpose for the carrier and never sends contact data', async () => {
    // Prepare
    const { deps, dataKeys, client } = setup();
    // Act
    const outcome = await deliverToPartner(deps, input('carrier'));
    // Assess
    expect(outcome.outcome).toBe('delivered');
    expect(dataKeys.opened).toEqual([{ purpose: 'shipping', recordId: ORDER_ID }]);
    const body = client.posted[0]?.body ?? '';
    expect(body).not.toContain(c.email);
    expect(JSON.parse(body)).toEqual({
      type: 'shipment.requested',
      orderId: ORDER_ID,
      createdAt: T0.toISOString(),
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
    const verified = new Webhook(SECRETS.carrier);
    expect(verified.sign('x', T0, 'y')).not.toBe(new Webhook(SECRETS.warehouse).sign('x', T0, 'y'));
    expect(client.posted[0]?.headers['webhook-signature']).toBe(
      verified.sign(webhookId(ORDER_ID, 'carrier', 'shipment.requested'), T0, body),
    );
  });

  it('does not send again once the partner has it', async () => {
    // Prepare
    const order = orderRecord({
      deliveries: { warehouse: { state: 'delivered', updatedAt: T0.toISOString() } },
    });
    const { deps, client } = setup({ order });
    // Act
    const outcome = await deliverToPartner(deps, input('warehouse', 2));
    // Assess
    expect(outcome).toEqual({ outcome: 'already-delivered' });
    expect(client.posted).toEqual([]);
  });

  it('acknowledges a message for an order that does not exist, sending nothing', async () => {
    // Prepare
    const { deps, client } = setup();
    // Act
    const outcome = await deliverToPartner(deps, {
      ...input('warehouse'),
      orderId: 'ord_0000000000000000000000000A',
    });
    // Assess
    expect(outcome).toEqual({ outcome: 'order-not-found' });
    expect(client.posted).toEqual([]);
  });

  it('retries a non-2xx answer with backoff, keeping the delivery pending', async () => {
    // Prepare
    const { deps, orders } = setup({ script: [503] });
    // Act
    const outcome = await deliverToPartner(deps, input('carrier', 1));
    // Assess
    expect(outcome).toEqual({ outcome: 'retry', attempt: 1, delaySeconds: 15, reason: { status: 503 } });
    expect(orders.orders.get(ORDER_ID)?.deliveries.carrier?.state).toBe('pending');
  });

  it('retries a timeout or network error, reporting only the error name', async () => {
    // Prepare
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }),
    });
    const { deps } = setup({ script: [timeout, new TypeError('fetch failed'), refused] });
    // Act
    const first = await deliverToPartner(deps, input('warehouse', 3));
    const second = await deliverToPartner(deps, input('warehouse', 4));
    const third = await deliverToPartner(deps, input('warehouse', 5));
    // Assess
    expect(first).toEqual({
      outcome: 'retry',
      attempt: 3,
      delaySeconds: 60,
      reason: { error: 'TimeoutError' },
    });
    expect(second).toEqual({
      outcome: 'retry',
      attempt: 4,
      delaySeconds: 120,
      reason: { error: 'TypeError' },
    });
    // The system error code of the cause tells an outage apart, without any address or value.
    expect(third).toMatchObject({
      outcome: 'retry',
      attempt: 5,
      reason: { error: 'TypeError:ECONNREFUSED' },
    });
  });

  it('uses the same webhook-id on every attempt, with a fresh timestamp and signature', async () => {
    // Prepare
    const { deps, client, clock, orders } = setup({ script: [500, 500] });
    // Act
    await deliverToPartner(deps, input('carrier', 1));
    clock.advance(15_000);
    await deliverToPartner(deps, input('carrier', 2));
    clock.advance(30_000);
    const last = await deliverToPartner(deps, input('carrier', 3));
    // Assess
    expect(last.outcome).toBe('delivered');
    const ids = client.posted.map((r) => r.headers['webhook-id']);
    expect(ids).toEqual(Array(3).fill(webhookId(ORDER_ID, 'carrier', 'shipment.requested')));
    expect(client.posted.map((r) => r.headers['webhook-timestamp'])).toEqual([
      String(T0_SECONDS),
      String(T0_SECONDS + 15),
      String(T0_SECONDS + 45),
    ]);
    expect(new Set(client.posted.map((r) => r.body)).size).toBe(1);
    expect(orders.orders.get(ORDER_ID)?.deliveries.carrier?.state).toBe('delivered');
  });

  it('marks the delivery failed when the last attempt fails, and leaves the message to dead-letter', async () => {
    // Prepare
    const { deps, orders } = setup({ script: [500] });
    // Act
    const outcome = await deliverToPartner(deps, input('carrier', 16, 16));
    // Assess
    expect(outcome).toEqual({ outcome: 'gave-up', attempt: 16, reason: { status: 500 } });
    expect(orders.orders.get(ORDER_ID)?.deliveries.carrier).toEqual({
      state: 'failed',
      updatedAt: T0.toISOString(),
    });
  });

  it('marks the carrier delivery failed when the personal data has expired, sending nothing partial', async () => {
    // Prepare
    const expired = personalRecord({ shipping: shippingFields(c) }, Math.floor(T0.getTime() / 1000) - 1);
    const { deps, orders, client, dataKeys } = setup({ personal: expired });
    // Act
    const carrier = await deliverToPartner(deps, input('carrier'));
    const warehouse = await deliverToPartner(deps, input('warehouse'));
    // Assess
    expect(carrier).toEqual({ outcome: 'personal-data-gone' });
    expect(warehouse.outcome).toBe('delivered');
    expect(dataKeys.opened).toEqual([]);
    expect(client.posted.map((r) => r.url)).toEqual(['https://wh.example/hooks']);
    expect(orders.orders.get(ORDER_ID)?.deliveries.carrier?.state).toBe('failed');
  });

  it('treats an erased personal record like an expired one', async () => {
    // Prepare
    const { deps, client } = setup({ personal: null });
    // Act
    const outcome = await deliverToPartner(deps, input('carrier'));
    // Assess
    expect(outcome).toEqual({ outcome: 'personal-data-gone' });
    expect(client.posted).toEqual([]);
  });

  it('fails closed when the payload does not satisfy the partner schema (nothing is sent)', async () => {
    // Prepare
    const broken = personalRecord({ shipping: shippingFields(c, ['shippingAddress.line1']) });
    const { deps, client } = setup({ personal: broken });
    // Act
    const outcome = await deliverToPartner(deps, input('carrier'));
    // Assess
    expect(outcome).toEqual({
      outcome: 'retry',
      attempt: 1,
      delaySeconds: 15,
      reason: { error: 'ProjectionError' },
    });
    expect(client.posted).toEqual([]);
    for (const value of personalValues(c)) expect(JSON.stringify(outcome)).not.toContain(value);
  });

  it('retries a message for a partner that is not configured', async () => {
    // Prepare
    const { deps, client } = setup();
    // Act
    const outcome = await deliverToPartner(deps, input('courier'));
    // Assess
    expect(outcome).toEqual({
      outcome: 'retry',
      attempt: 1,
      delaySeconds: 15,
      reason: { error: 'UnknownPartner' },
    });
    expect(client.posted).toEqual([]);
  });
});

describe('webhook ids', () => {
  it('are deterministic per order, partner and type, opaque and free of the inputs', () => {
    // Act
    const a = webhookId(ORDER_ID, 'carrier', 'shipment.requested');
    const again = webhookId(ORDER_ID, 'carrier', 'shipment.requested');
    const other = webhookId(ORDER_ID, 'warehouse', 'pick.requested');
    // Assess
    expect(a).toMatch(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(again).toBe(a);
    expect(other).not.toBe(a);
    expect(a).not.toContain(ORDER_ID.slice(4));
  });
});

describe('retry schedule', () => {
  it('doubles from the base with jitter in [c/2, c], capped at 12 hours', () => {
    // Prepare
    const aws = { baseDelaySeconds: 30 };
    // Act
    const low = [1, 2, 3, 10, 11, 12, 15].map((n) => retryDelaySeconds(n, aws, () => 0));
    const high = [1, 2, 3, 10, 11, 12, 15].map((n) => retryDelaySeconds(n, aws, () => 0.999_999));
    // Assess
    expect(low).toEqual([15, 30, 60, 7680, 15360, 21600, 21600]);
    expect(high).toEqual([30, 60, 120, 15360, 30720, 43200, 43200]);
  });

  it('spans at least 24 hours before dead-lettering with the AWS defaults (base 30 s, cap 12 h, 16 attempts)', () => {
    // Prepare
    const { delivery } = loadConfig({ MINIMIS_MODE: 'aws', KMS_KEY_ID: 'alias/minimis' });
    // Act
    const span = retryScheduleSpan({ baseDelaySeconds: delivery.baseDelaySeconds }, delivery.maxAttempts);
    // Assess
    expect(delivery).toEqual({ maxAttempts: 16, baseDelaySeconds: 30, timeoutMs: 15_000 });
    expect(span).toEqual({ minSeconds: 117_105, maxSeconds: 234_210 });
    expect(span.minSeconds).toBeGreaterThanOrEqual(24 * 3600);
  });

  it('heals a short outage in seconds in local mode (base 1 s, 8 attempts)', () => {
    // Act
    const first = [1, 2, 3].map((n) => retryDelaySeconds(n, { baseDelaySeconds: 1 }, () => 0.999_999));
    const span = retryScheduleSpan({ baseDelaySeconds: 1 }, 8);
    // Assess
    expect(first).toEqual([1, 2, 4]);
    expect(span).toEqual({ minSeconds: 64, maxSeconds: 127 });
  });
});
