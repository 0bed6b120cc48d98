/**
 * Retention rules on in-memory ports: personal data expires 90 days after acceptance (or 30 days
 * after delivery), is gone for every reader from that second on, and the purge deletes exactly it.
 */

import { describe, expect, it } from 'vitest';
import type { PersonalRecord } from '../../shared/domain/order.js';
import { recordKey } from '../../shared/record-secrets.js';
import { exportCustomer } from '../../shared/usecases/export-customer.js';
import { purgeExpired } from '../../shared/usecases/purge-expired.js';
import { expiryAfterDelivery } from '../../shared/usecases/record-partner-event.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';

const DAY_MS = 86_400_000;
const ACCEPTED = Date.parse('2026-11-25T10:00:00.000Z');
const person = canaries('7e7e0001');

async function place(ports: FakePorts, key: string): Promise<string> {
  const { orderId } = await submitOrder(ports, { idempotencyKey: key, body: orderBody(person) });
  return orderId;
}

describe('retention', () => {
  it('personal data is gone for every reader from the second it expires, before any purge', async () => {
    // Prepare
    const ports = fakePorts();
    const orderId = await place(ports, 'r-1');
    const expiry = new Date(ACCEPTED + 90 * DAY_MS);
    // Act
    const justBefore = await ports.orders.getPersonal(orderId, new Date(expiry.getTime() - 1000));
    const atExpiry = await ports.orders.getPersonal(orderId, expiry);
    ports.clock.current = new Date(expiry.getTime() - 1000);
    const exportBefore = await exportCustomer(ports, person.email);
    ports.clock.current = expiry;
    const exportAt = await exportCustomer(ports, person.email);
    // Assess
    expect(justBefore?.orderId).toBe(orderId);
    expect(atExpiry).toBeUndefined();
    expect(exportBefore.orders.map((o) => [o.orderId, o.personalExpiresAt])).toEqual([
      [orderId, '2027-02-23T10:00:00.000Z'],
    ]);
    expect(exportAt.orders).toEqual([]);
    expect(ports.orders.personal.has(orderId)).toBe(true);
  });

  it('delivery shortens retention to 30 days after delivery', async () => {
    // Prepare
    const ports = fakePorts();
    const orderId = await place(ports, 'r-2');
    const deliveredAt = new Date(ACCEPTED + 5 * DAY_MS).toISOString();
    await ports.orders.setPersonalExpiry(
      orderId,
      expiryAfterDelivery(deliveredAt, 30),
      new Date(deliveredAt),
    );
    // Act
    const day34 = await ports.orders.getPersonal(orderId, new Date(ACCEPTED + 34 * DAY_MS));
    const day35 = await ports.orders.getPersonal(orderId, new Date(ACCEPTED + 35 * DAY_MS));
    // Assess
    expect(day34?.expiresAt).toBe((ACCEPTED + 35 * DAY_MS) / 1000);
    expect(day35).toBeUndefined();
  });

  it('the purge deletes expired personal records only, and keeps the order records', async () => {
    // Prepare
    const ports = fakePorts();
    const expired = await place(ports, 'r-3');
    ports.clock.current = new Date(ACCEPTED + 2 * DAY_MS);
    const live = await place(ports, 'r-4');
    ports.clock.current = new Date(ACCEPTED + 91 * DAY_MS);
    const progress: number[] = [];
    // Act
    const result = await purgeExpired(ports, (n) => progress.push(n));
    // Assess
    expect(result).toEqual({
      checkedAt: '2027-02-24T10:00:00.000Z',
      expired: 1,
      purged: 1,
      alreadyGone: 0,
      secretsExpired: 0,
      secretsReshredded: 0,
    });
    expect(progress).toEqual([1]);
    expect([...ports.orders.personal.keys()]).toEqual([live]);
    // The expired record's secret went with it (shredded before the item was deleted).
    expect([...ports.recordSecrets.items.keys()]).toEqual([recordKey(live)]);
    expect([...ports.erasureLog.log.values()]).toEqual([
      { key: recordKey(expired), reason: 'expiry', day: '2027-02-24' },
    ]);
    expect([...ports.orders.orders.keys()].sort()).toEqual([expired, live].sort());
  });

  it('counts records that TTL or an erasure removed first as already gone', async () => {
    // Prepare
    const record = (orderId: string): PersonalRecord => ({
      orderId,
      emailKey: 'k',
      sealed: {},
      expiresAt: 1,
    });
    const deleted = new Map([
      ['ord_a', true],
      ['ord_b', false],
      ['ord_c', true],
    ]);
    const orders = {
      async *scanExpiredPersonal() {
        yield* ['ord_a', 'ord_b', 'ord_c'].map(record);
      },
      deletePersonal: async (orderId: string) => deleted.get(orderId) ?? false,
    };
    const progress: number[] = [];
    // Act
    const result = await purgeExpired(
      {
        orders,
        recordSecrets: { sweepExpired: async () => 0, reshred: async () => 0 },
        erasureLog: { entries: async function* () {} },
        clock: { now: () => new Date('2026-12-01T00:00:00.000Z') },
      },
      (n) => progress.push(n),
    );
    // Assess
    expect(result).toEqual({
      checkedAt: '2026-12-01T00:00:00.000Z',
      expired: 3,
      purged: 2,
      alreadyGone: 1,
      secretsExpired: 0,
      secretsReshredded: 0,
    });
    expect(progress).toEqual([1, 2]);
  });

  it('an empty sweep reports zero', async () => {
    // Prepare
    const ports = fakePorts();
    await place(ports, 'r-5');
    // Act
    const result = await purgeExpired(ports);
    // Assess
    expect(result).toEqual({
      checkedAt: '2026-11-25T10:00:00.000Z',
      expired: 0,
      purged: 0,
      alreadyGone: 0,
      secretsExpired: 0,
      secretsReshredded: 0,
    });
  });
});
