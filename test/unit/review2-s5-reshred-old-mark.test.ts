/**
 * Review 2 of s5, fixed since (the test passes now; it failed when written).
 * Review s5 (2): `newerThan(day, markAt)` takes min(next day, mark + 1s) without checking that the
 * mark dates the entry's shredding. A key table restored from a backup taken between two erasures
 * of the same customer brings back the first erasure's (older) mark beside the secret the second
 * erasure shredded; the purge then dates the second erasure's log entry by the first erasure and
 * spares that secret — readable again, although it existed before the second erasure.
 */
import { describe, expect, it } from 'vitest';
import { customerRecordId } from '#shared/record-secrets.js';
import { eraseCustomer } from '#shared/usecases/erase-customer.js';
import { purgeExpired } from '#shared/usecases/purge-expired.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';

const person = canaries('5e5b0a12');
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

async function customerSecret(ports: FakePorts) {
  const id = customerRecordId(await ports.lookup.emailKey(person.email));
  return (await ports.recordSecrets.getSecrets([id], ports.clock.now())).get(id);
}

describe('re-applying the erasure log after a key-table restore between two erasures', () => {
  it('shreds again the secret the second erasure shredded, though the restored mark dates the first', async () => {
    // Prepare: opt in, erase (day 0); opt in again (day 1: a new secret); the daily key-table
    // backup (holds that secret and the first erasure's mark); erase again (day 2); restore.
    const ports = fakePorts();
    await optIn(ports, 'k-1');
    ports.clock.advance(MINUTE);
    await erase(ports);
    ports.clock.advance(DAY);
    await optIn(ports, 'k-2');
    const second = await customerSecret(ports);
    ports.clock.advance(MINUTE);
    const backup = ports.recordSecrets.snapshot();
    ports.clock.advance(DAY);
    const receipt = await erase(ports);
    const afterErasure = await customerSecret(ports);
    ports.recordSecrets.restore(backup);

    // Act
    ports.clock.advance(MINUTE);
    await purgeExpired(ports);

    // Assess: the second erasure removed the customer record and its secret; after the restore and
    // the purge that secret must be gone again.
    expect(second).toBeDefined();
    expect(receipt.marketingContactRemoved).toBe(true);
    expect(afterErasure).toBeUndefined();
    expect(await customerSecret(ports)).toBeUndefined();
  });
});
