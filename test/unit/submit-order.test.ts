import { describe, expect, it } from 'vitest';
import { hasMarketingConsent } from '../../shared/domain/consent.js';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  ValidationError,
} from '../../shared/domain/errors.js';
import { decodeFields } from '../../shared/domain/sealing.js';
import { fanOutOrder } from '../../shared/usecases/fan-out.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody, personalValues } from '../support/canaries.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';

const c = canaries('submit01');

/** The one record of a store (keys are stored as MACs, so tests do not look them up by key). */
function only<V>(records: Map<string, V>): V | undefined {
  expect(records.size).toBe(1);
  return [...records.values()][0];
}

function submit(ports: FakePorts, body: unknown, key = 'key-1') {
  return submitOrder(ports, { idempotencyKey: key, body });
}

/** Submits, then fans out as the order table's stream does after the order record is written. */
async function submitAndFanOut(ports: FakePorts, body: unknown, key = 'key-1') {
  const result = await submit(ports, body, key);
  await fanOutOrder(ports, result.orderId);
  return result;
}

describe('submit order', () => {
  it('stores the order with no personal value in clear and each purpose sealed separately', async () => {
    // Prepare
    const ports = fakePorts();
    // Act
    const result = await submit(ports, orderBody(c));
    // Assess
    expect(result).toEqual({
      orderId: expect.stringMatching(/^ord_[0-9A-Z]{26}$/),
      status: 'accepted',
      replayed: false,
    });
    const order = ports.orders.orders.get(result.orderId);
    const personal = ports.orders.personal.get(result.orderId);
    // The record secret lives in the key table only, attached on read.
    const secret = (await ports.orders.getPersonal(result.orderId, ports.clock.now()))?.secret;
    expect(secret?.length).toBe(16);
    expect(personal && 'secret' in personal).toBe(false);
    const stored = JSON.stringify([order, personal, [...ports.consent.customers.values()]], (_k, v) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    for (const value of personalValues(c)) expect(stored).not.toContain(value);
    expect(order).toMatchObject({
      status: 'accepted',
      country: 'GB',
      currency: 'EUR',
      paymentReference: 'pi_3NabcXYZ',
      deliveries: { warehouse: { state: 'pending' }, carrier: { state: 'pending' } },
      // Flagged for the fan-out, which runs after the write (the stream, or the sweeper).
      outbox: 'pending',
    });
    expect(Object.keys(personal?.sealed ?? {}).sort()).toEqual(['contact', 'shipping']);
    const shipping = decodeFields(
      await ports.dataKeys.open('shipping', result.orderId, personal?.sealed.shipping as Uint8Array, secret),
    );
    const contact = decodeFields(
      await ports.dataKeys.open('contact', result.orderId, personal?.sealed.contact as Uint8Array, secret),
    );
    expect(shipping).toEqual({
      'customer.givenName': c.givenName,
      'customer.familyName': c.familyName,
      'customer.phone': c.phone,
      'shippingAddress.line1': c.line1,
      'shippingAddress.line2': c.line2,
      'shippingAddress.city': c.city,
      'shippingAddress.region': c.region,
      'shippingAddress.postalCode': c.postalCode,
    });
    expect(contact).toEqual({ 'customer.givenName': c.givenName, 'customer.email': c.email });
  });

  it('personal data expires 90 days after acceptance unless delivery shortens it', async () => {
    // Prepare
    const ports = fakePorts();
    // Act
    const { orderId } = await submit(ports, orderBody(c));
    // Assess
    expect(ports.orders.personal.get(orderId)?.expiresAt).toBe(
      Date.parse('2026-11-25T10:00:00Z') / 1000 + 90 * 86_400,
    );
  });

  it('enqueues nothing itself; the fan-out after the write sends one message per partner and one notification, carrying only ids', async () => {
    // Prepare
    const ports = fakePorts();
    const { orderId } = await submit(ports, orderBody(c));
    const queuedBySubmit = ports.queue.sent.length;
    // Act
    const fannedOut = await fanOutOrder(ports, orderId);
    const again = await fanOutOrder(ports, orderId);
    // Assess
    expect([queuedBySubmit, fannedOut, again]).toEqual([0, true, false]);
    expect(ports.orders.orders.get(orderId)?.outbox).toBe('done');
    expect(ports.queue.sent).toEqual([
      { queue: 'partner-warehouse', message: { type: 'order.accepted', orderId, partner: 'warehouse' } },
      { queue: 'partner-carrier', message: { type: 'order.accepted', orderId, partner: 'carrier' } },
      { queue: 'notify', message: { type: 'order.accepted', orderId } },
    ]);
  });

  it('records marketing consent in the ledger with the email sealed under marketing only when opted in', async () => {
    // Prepare
    const ports = fakePorts();
    // Act
    await submit(ports, orderBody(c, { marketingOptIn: false }), 'k-out');
    const optedOut = ports.consent.customers.size;
    const { orderId } = await submit(ports, orderBody(c, { marketingOptIn: true }), 'k-in');
    // Assess
    expect(optedOut).toBe(0);
    const emailKey = await ports.lookup.emailKey(c.email);
    const customer = ports.consent.customers.get(emailKey);
    // No order id in the ledger: it would outlive the order's personal data as a link.
    expect(customer?.consent).toEqual([
      { granted: true, at: '2026-11-25T10:00:00.000Z', source: 'checkout', policyVersion: '2026-11-01' },
    ]);
    expect(JSON.stringify(customer)).not.toContain(orderId);
    expect(hasMarketingConsent(customer?.consent ?? [])).toBe(true);
    const marketing = decodeFields(
      await ports.dataKeys.open(
        'marketing',
        `customer:${emailKey}`,
        customer?.marketing as Uint8Array,
        (await ports.recordSecrets.getSecrets([`customer:${emailKey}`], ports.clock.now())).get(
          `customer:${emailKey}`,
        ),
      ),
    );
    expect(marketing).toEqual({ 'customer.email': c.email });
  });

  it('a retry with the same key and body returns the same order and has no further effect', async () => {
    // Prepare
    const ports = fakePorts();
    const first = await submitAndFanOut(ports, orderBody(c));
    // Act
    const second = await submit(ports, orderBody(c));
    // Assess
    expect(second).toEqual({ orderId: first.orderId, status: 'accepted', replayed: true });
    expect(ports.orders.orders.size).toBe(1);
    expect(ports.orders.orders.get(first.orderId)?.outbox).toBe('done');
    expect(ports.queue.sent).toHaveLength(3);
  });

  it('a retry while the first attempt still holds its lease is a replay once the order record exists', async () => {
    // Prepare: the first attempt wrote everything (its idempotency record stays in progress)
    const ports = fakePorts();
    const first = await submit(ports, orderBody(c));
    const stored = only(ports.idempotency.records);
    // Act: 1 s later, inside the 30 s lease
    ports.clock.advance(1000);
    const second = await submit(ports, orderBody(c));
    // Assess
    expect(stored?.state).toBe('in-progress');
    expect(second).toEqual({ orderId: first.orderId, status: 'accepted', replayed: true });
    expect(ports.orders.orders.size).toBe(1);
  });

  it('a record still marked done (written before the order record was the completion marker) is a replay', async () => {
    // Prepare
    const ports = fakePorts();
    const first = await submit(ports, orderBody(c));
    const [key, record] = [...ports.idempotency.records.entries()][0] ?? [];
    if (!key || !record) throw new Error('no idempotency record');
    ports.idempotency.records.set(key, { ...record, state: 'done' });
    ports.orders.orders.delete(first.orderId);
    // Act
    const second = await submit(ports, orderBody(c));
    // Assess
    expect(second).toEqual({ orderId: first.orderId, status: 'accepted', replayed: true });
    expect(ports.orders.orders.size).toBe(0);
  });

  it('the same body with keys in another order is the same request', async () => {
    // Prepare
    const ports = fakePorts();
    const body = orderBody(c);
    const first = await submit(ports, body);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    // Act / Assess
    expect((await submit(ports, reordered)).orderId).toBe(first.orderId);
  });

  it('the same key with another body is rejected and changes nothing', async () => {
    // Prepare
    const ports = fakePorts();
    await submit(ports, orderBody(c));
    // Act / Assess
    await expect(submit(ports, orderBody(c, { currency: 'GBP' }))).rejects.toThrow(IdempotencyKeyReusedError);
    expect(ports.orders.orders.size).toBe(1);
  });

  it('a duplicate while the first is in progress is told to retry; after the lease it resumes the same order', async () => {
    // Prepare: a first attempt that claimed the key and then died before writing
    const ports = fakePorts();
    const failing = {
      ...ports,
      orders: Object.assign(Object.create(ports.orders) as typeof ports.orders, {
        putPersonal: async () => Promise.reject(new Error('crash')),
      }),
    };
    await expect(submitOrder(failing as never, { idempotencyKey: 'k', body: orderBody(c) })).rejects.toThrow(
      'crash',
    );
    const claimed = only(ports.idempotency.records);
    // Act
    const during = submit(ports, orderBody(c), 'k');
    await expect(during).rejects.toThrow(IdempotencyInProgressError);
    ports.clock.advance(31_000);
    const resumed = await submit(ports, orderBody(c), 'k');
    // Assess
    expect(resumed.orderId).toBe(claimed?.orderId);
    expect(ports.orders.orders.get(resumed.orderId)?.status).toBe('accepted');
    // The order record marks it complete; the idempotency record keeps its first attempt's mark.
    expect(only(ports.idempotency.records)).toMatchObject({ state: 'in-progress', fenceEnded: 0 });
  });

  it('invalid bodies change nothing', async () => {
    // Prepare
    const ports = fakePorts();
    // Act / Assess
    await expect(submit(ports, { ...orderBody(c), items: [] })).rejects.toThrow(ValidationError);
    expect(ports.idempotency.records.size).toBe(0);
    expect(ports.orders.orders.size).toBe(0);
    expect(ports.queue.sent).toHaveLength(0);
  });

  it('steady state: 1000 orders cost one GenerateDataKey per purpose and one generation of each index key', async () => {
    // Prepare
    const ports = fakePorts();
    // Act
    for (let i = 0; i < 1000; i++)
      await submit(ports, orderBody(c, { marketingOptIn: i % 2 === 0 }), `k-${i}`);
    // Assess
    expect(ports.keyService.calls).toEqual([
      { op: 'generate', context: 'lookup' },
      { op: 'generate', context: 'token' },
      // The order's purposes are sealed before round 2, the marketing contact after it.
      { op: 'generate', context: 'shipping' },
      { op: 'generate', context: 'contact' },
      { op: 'generate', context: 'marketing' },
    ]);
  });

  it('a retry after the order was fully written does not re-grant a consent withdrawn in between', async () => {
    // Prepare: the first attempt writes everything; its response is lost
    const ports = fakePorts();
    await submit(ports, orderBody(c, { marketingOptIn: true }), 'k');
    const emailKey = await ports.lookup.emailKey(c.email);
    ports.clock.advance(20_000);
    await ports.consent.appendConsent(
      emailKey,
      {
        granted: false,
        at: ports.clock.now().toISOString(),
        source: 'unsubscribe-link',
        policyVersion: '2026-11-01',
      },
      null,
    );
    ports.clock.advance(15_000);
    // Act
    const retry = await submit(ports, orderBody(c, { marketingOptIn: true }), 'k');
    // Assess
    expect(retry.replayed).toBe(true);
    const customer = ports.consent.customers.get(emailKey);
    expect(customer?.consent.map((e) => e.granted)).toEqual([true, false]);
    expect(hasMarketingConsent(customer?.consent ?? [])).toBe(false);
    expect(customer?.marketing).toBeUndefined();
  });

  it('routes an order only to the partners that serve its destination', async () => {
    // Prepare
    const ports = fakePorts();
    const routed = {
      ...ports,
      partners: [
        { id: 'warehouse' },
        { id: 'carrier', exceptCountries: ['DE', 'FR'] },
        { id: 'carrier-eu', countries: ['DE', 'FR'] },
      ],
    };
    const toGermany = orderBody(c, { shippingAddress: { ...orderBody(c).shippingAddress, country: 'DE' } });
    // Act
    const de = await submitOrder(routed, { idempotencyKey: 'de', body: toGermany });
    const gb = await submitOrder(routed, { idempotencyKey: 'gb', body: orderBody(c) });
    await fanOutOrder(routed, de.orderId);
    await fanOutOrder(routed, gb.orderId);
    // Assess
    expect(Object.keys(ports.orders.orders.get(de.orderId)?.deliveries ?? {})).toEqual([
      'warehouse',
      'carrier-eu',
    ]);
    expect(Object.keys(ports.orders.orders.get(gb.orderId)?.deliveries ?? {})).toEqual([
      'warehouse',
      'carrier',
    ]);
    expect(
      ports.queue.sent.map((m) => `${m.message.orderId === de.orderId ? 'de' : 'gb'}:${m.queue}`),
    ).toEqual([
      'de:partner-warehouse',
      'de:partner-carrier-eu',
      'de:notify',
      'gb:partner-warehouse',
      'gb:partner-carrier',
      'gb:notify',
    ]);
  });

  it('stores the Idempotency-Key only as a MAC, never as given', async () => {
    // Prepare
    const ports = fakePorts();
    // Act
    await submit(ports, orderBody(c), 'checkout-4111111111111111');
    // Assess
    const [stored] = [...ports.idempotency.records.keys()];
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify([...ports.idempotency.records.entries()])).not.toContain('4111111111111111');
  });
});
