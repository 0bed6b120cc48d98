/**
 * The purge re-applies the erasure log (a key table restored from a backup gets every later
 * shredding again) without shredding what was created since: a customer who opts in again after
 * their erasure — the same day or later — keeps the new secret of their marketing contact, while a
 * secret from before the erasure that a key-table restore brought back is shredded again.
 * (Found by the fresh-clone run: the purge deleted the new secret of a re-opt-in for the log's life.)
 */
import { describe, expect, it } from 'vitest';
import { customerRecordId } from '#shared/record-secrets.js';
import { eraseCustomer } from '#shared/usecases/erase-customer.js';
import { purgeExpired } from '#shared/usecases/purge-expired.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';

const person = canaries('5e5b0a11');
const MINUTE = 60_000;
const DAY = 86_400_000;

const erase = (ports: FakePorts) =>
  eraseCustomer(
    {
      orders: ports.orders,
      consent: ports.consent,
      lookup: ports.lookup,
      fence: ports.fence,
      clock: ports.clock,
    },
    person.email,
  );
const optIn = (ports: FakePorts, key: string) =>
  submitOrder(ports, { idempotencyKey: key, body: orderBody(person, { marketingOptIn: true }) });

/** The customer's secret as the key table holds it now (undefined: none). */
async function customerSecret(ports: FakePorts) {
  const id = customerRecordId(await ports.lookup.emailKey(person.email));
  return (await ports.recordSecrets.getSecrets([id], ports.clock.now())).get(id);
}

describe('re-applying the erasure log', () => {
  it.each([
    ['the same day', 5 * MINUTE],
    ['the next day', DAY],
  ])('keeps the secret of a customer who opted in again %s after the erasure', async (_when, after) => {
    // Prepare: an opted-in customer, erased; then they check out again, opting in.
    const ports = fakePorts();
    await optIn(ports, 'k-1');
    const before = await customerSecret(ports);
    ports.clock.advance(MINUTE);
    await erase(ports);
    ports.clock.advance(after);
    await optIn(ports, 'k-2');
    const renewed = await customerSecret(ports);

    // Act
    ports.clock.advance(MINUTE);
    const purge = await purgeExpired(ports);

    // Assess: a new secret, and the purge leaves it.
    expect(before).toBeDefined();
    expect(renewed).toBeDefined();
    expect(Buffer.from(renewed as Uint8Array).equals(Buffer.from(before as Uint8Array))).toBe(false);
    expect(purge.secretsReshredded).toBe(0);
    expect(await customerSecret(ports)).toEqual(renewed);
  });

  it('shreds again a secret from before the erasure that a key-table restore brought back, the same day', async () => {
    // Prepare: a backup of the key table, the erasure, the restore (the mark is lost with it).
    const ports = fakePorts();
    await optIn(ports, 'k-1');
    const backup = ports.recordSecrets.snapshot();
    ports.clock.advance(MINUTE);
    await erase(ports);
    ports.recordSecrets.restore(backup);
    expect(await customerSecret(ports)).toBeDefined();

    // Act
    ports.clock.advance(MINUTE);
    const purge = await purgeExpired(ports);

    // Assess: the order's and the customer's secrets are gone again.
    expect(purge.secretsReshredded).toBe(2);
    expect(await customerSecret(ports)).toBeUndefined();
  });

  it('shreds again a secret from before the erasure when the restored key table kept the mark', async () => {
    // Prepare: the erasure's mark survives (a backup taken after it), the old secret is put back.
    const ports = fakePorts();
    await optIn(ports, 'k-1');
    const backup = ports.recordSecrets.snapshot();
    ports.clock.advance(MINUTE);
    await erase(ports);
    const marks = [...ports.recordSecrets.items].filter(([, item]) => item.erasedAt !== undefined);
    ports.recordSecrets.restore(new Map([...backup, ...marks]));

    // Act
    ports.clock.advance(MINUTE);
    const purge = await purgeExpired(ports);

    // Assess
    expect(marks).toHaveLength(1);
    expect(purge.secretsReshredded).toBe(2);
    expect(await customerSecret(ports)).toBeUndefined();
  });
  // Found by review 2 of the ninth session (the mark then dated any entry it met), and, the same
  // day, by review s11b (the restored mark is the first erasure's, of that very day: each
  // customer shredding is now logged to the second).
  it.each([
    ['days apart', DAY],
    ['minutes apart, on one day', 5 * MINUTE],
  ])(
    "shreds again the secret a second erasure shredded, when the restored key table holds the first erasure's mark (%s)",
    async (_when, gap) => {
      // Prepare: opt in, erase; opt in again (a new secret); the daily key-table backup (holds that
      // secret and the first erasure's mark); erase again; restore.
      const ports = fakePorts();
      await optIn(ports, 'k-1');
      ports.clock.advance(MINUTE);
      await erase(ports);
      ports.clock.advance(gap);
      await optIn(ports, 'k-2');
      const second = await customerSecret(ports);
      ports.clock.advance(MINUTE);
      const backup = ports.recordSecrets.snapshot();
      ports.clock.advance(gap === DAY ? DAY : MINUTE);
      const receipt = await erase(ports);
      const afterErasure = await customerSecret(ports);
      ports.recordSecrets.restore(backup);

      // Act
      ports.clock.advance(MINUTE);
      await purgeExpired(ports);

      // Assess: the second erasure's shredding holds after the restore and the purge.
      expect(second).toBeDefined();
      expect(receipt.marketingContactRemoved).toBe(true);
      expect(afterErasure).toBeUndefined();
      expect(await customerSecret(ports)).toBeUndefined();
    },
  );
  // Review s11b: the mark (the erasure's start) before UTC midnight, the customer record's
  // shredding after it; the mark then did not date that day's entry, which counted for all of it.
  it('keeps the secret of a customer who opts in again the day after an erasure that straddled midnight', async () => {
    // Prepare: the erasure takes its time at 23:59:59.5; the clock passes midnight right after
    const ports = fakePorts();
    ports.clock.current = new Date('2026-11-25T23:59:00.000Z');
    await optIn(ports, 'k-1');
    ports.clock.current = new Date('2026-11-25T23:59:59.500Z');
    let calls = 0;
    const straddling = {
      now: () => {
        const now = ports.clock.now();
        if (++calls === 2) ports.clock.current = new Date('2026-11-26T00:00:00.500Z');
        return now;
      },
    };
    await eraseCustomer(
      {
        orders: ports.orders,
        consent: ports.consent,
        lookup: ports.lookup,
        fence: ports.fence,
        clock: straddling,
      },
      person.email,
    );
    const emailKey = await ports.lookup.emailKey(person.email);
    ports.clock.current = new Date('2026-11-26T10:00:00.000Z');
    await optIn(ports, 'k-2');
    const renewed = await customerSecret(ports);
    // Act: the daily purge, no restore anywhere
    ports.clock.current = new Date('2026-11-26T12:00:00.000Z');
    await purgeExpired(ports);
    // Assess
    expect(await ports.recordSecrets.erasedAt(emailKey)).toMatch(/^2026-11-25T23:59/);
    expect(renewed).toBeDefined();
    expect(await customerSecret(ports)).toEqual(renewed);
  });
});
