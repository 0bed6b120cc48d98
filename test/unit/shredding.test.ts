/**
 * Crypto-shredding through the use cases (in-memory ports): erase and purge delete the record
 * secrets first; every reader treats a missing secret as erased/expired; records from before
 * envelope v2 are still read and are shredded (deleted) by the next erase or purge.
 */
import { describe, expect, it } from 'vitest';
import { customerRecordId, encodeFields } from '../../shared/domain/sealing.js';
import { recordKey } from '../../shared/record-secrets.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { exportCustomer } from '../../shared/usecases/export-customer.js';
import { notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { purgeExpired } from '../../shared/usecases/purge-expired.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';

const DAY_MS = 86_400_000;
const c = canaries('shred001');

async function place(ports: FakePorts, key: string, marketingOptIn = false) {
  const { orderId } = await submitOrder(ports, {
    idempotencyKey: key,
    body: orderBody(c, { marketingOptIn }),
  });
  return orderId;
}

describe('crypto-shredding', () => {
  it('intake writes one secret per order and one per opted-in customer, none into the order table', async () => {
    // Prepare
    const ports = fakePorts();
    // Act
    const first = await place(ports, 'k1', true);
    await place(ports, 'k2', true);
    // Assess: two orders, one customer (the second opt-in reuses the customer's secret)
    expect(ports.recordSecrets.items.size).toBe(3);
    const emailKey = await ports.lookup.emailKey(c.email);
    expect(ports.recordSecrets.items.get(recordKey(customerRecordId(emailKey)))?.expiresAt).toBeUndefined();
    expect(ports.recordSecrets.items.get(recordKey(first))?.expiresAt).toBe(
      ports.orders.personal.get(first)?.expiresAt,
    );
    const secret = ports.recordSecrets.items.get(recordKey(first))?.secret as Uint8Array;
    const orderTable = JSON.stringify(
      [...ports.orders.personal.values(), ...ports.consent.customers.values()],
      (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v),
    );
    expect(orderTable).not.toContain(Buffer.from(secret).toString('hex'));
  });

  it('erasure deletes the secrets (logged by record key) before the items', async () => {
    // Prepare
    const ports = fakePorts();
    const orderId = await place(ports, 'k1', true);
    const emailKey = await ports.lookup.emailKey(c.email);
    // Act
    await eraseCustomer({ ...ports, settings: {} }, c.email);
    // Assess: no secret left; the one item is the address's erasure mark (no secret in it).
    expect([...ports.recordSecrets.items.values()]).toEqual([{ erasedAt: ports.clock.now().toISOString() }]);
    expect(await ports.recordSecrets.erasedAt(emailKey)).toBe(ports.clock.now().toISOString());
    expect([...ports.erasureLog.log.values()].map((e) => [e.key, e.reason]).sort()).toEqual(
      [
        [recordKey(orderId), 'erasure'],
        [recordKey(customerRecordId(emailKey)), 'erasure'],
      ].sort(),
    );
  });

  it('a personal record whose secret is gone reads as gone everywhere, never as an error', async () => {
    // Prepare: the items stay, only the secrets go (a restored backup looks like this)
    const ports = fakePorts();
    const orderId = await place(ports, 'k1', true);
    await ports.recordSecrets.shred([...ports.recordSecrets.items.keys()]);
    // Act
    const personal = await ports.orders.getPersonal(orderId, ports.clock.now());
    const exported = await exportCustomer(ports, c.email);
    const confirmation = await notifyCustomer(
      {
        ...ports,
        mailer: { send: async () => ({ messageId: 'm' }) },
        settings: { publicBaseUrl: 'https://s' },
      },
      { type: 'order.accepted', orderId },
    );
    // Assess
    expect(personal).toBeUndefined();
    expect(exported.orders).toEqual([]);
    expect(exported.marketingContact).toBeNull();
    expect(confirmation).toEqual({ outcome: 'personal-data-gone', email: 'order-confirmation' });
    expect(ports.orders.personal.has(orderId)).toBe(true);
  });

  it('an expired secret reads as gone even before the sweep removes it; the purge sweeps it', async () => {
    // Prepare
    const ports = fakePorts();
    const orderId = await place(ports, 'k1');
    const record = ports.orders.personal.get(orderId);
    // The personal item claims a longer life (e.g. restored from before its expiry was shortened).
    if (record) ports.orders.personal.set(orderId, { ...record, expiresAt: record.expiresAt + 365 * 86_400 });
    ports.clock.advance(91 * DAY_MS);
    // Act
    const before = await ports.orders.getPersonal(orderId, ports.clock.now());
    const purge = await purgeExpired(ports);
    // Assess
    expect(before).toBeUndefined();
    expect(purge).toMatchObject({ expired: 0, secretsExpired: 1 });
    expect(ports.recordSecrets.items.size).toBe(0);
  });

  it('a resumed intake seals with the first attempt’s secret', async () => {
    // Prepare: the first attempt claimed the secret and died before writing anything else
    const ports = fakePorts();
    const orderId = 'ord_01JDX0000000000000000000ZZ';
    const first = await ports.recordSecrets.claim(orderId, Buffer.alloc(16, 7), 1);
    // Act
    const again = await ports.recordSecrets.claim(orderId, Buffer.alloc(16, 9), 1);
    // Assess
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
  });
});

describe('migration from envelope v1', () => {
  it('a record written before record secrets still opens, and the next purge or erase deletes it', async () => {
    // Prepare: a v1 personal record and marketing contact, as the previous release wrote them
    const ports = fakePorts();
    const orderId = 'ord_01JDX00000000000000000V1AA';
    const emailKey = await ports.lookup.emailKey(c.email);
    const contact = await ports.dataKeys.seal(
      'contact',
      orderId,
      encodeFields({ 'customer.givenName': c.givenName, 'customer.email': c.email }),
    );
    const marketing = await ports.dataKeys.seal(
      'marketing',
      customerRecordId(emailKey),
      encodeFields({ 'customer.email': c.email }),
    );
    const expiresAt = Math.floor(ports.clock.now().getTime() / 1000) + 90 * 86_400;
    ports.orders.personal.set(orderId, { orderId, emailKey, sealed: { contact }, expiresAt });
    await ports.consent.appendConsent(
      emailKey,
      { granted: true, at: ports.clock.now().toISOString(), source: 'checkout', policyVersion: 'p' },
      marketing,
    );
    // Act
    const exported = await exportCustomer(ports, c.email);
    const receipt = await eraseCustomer({ ...ports, settings: {} }, c.email);
    // Assess
    expect(exported.orders.map((o) => o.personal.contact?.['customer.givenName'])).toEqual([c.givenName]);
    expect(exported.marketingContact).toEqual({ 'customer.email': c.email });
    expect(receipt.ordersErased).toEqual([orderId]);
    expect(ports.orders.personal.size).toBe(0);
    expect(ports.consent.customers.size).toBe(0);
  });
});
