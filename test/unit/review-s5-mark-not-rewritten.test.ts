/**
 * Review s5, fixed since (the test passes now; it failed at the commit named): (8ba31cc): an erasure mark that is missing — lost with a key-table restore (the runbook:
 * restore, then `minimis purge`), or never written (an address erased before the mark existed) — is
 * never written again: the purge re-applies the erasure log (secrets) but not marks, and
 * `minimis erase` of an address whose `erasure` entry exists finds nothing to erase and skips
 * `putSuppression`, the only writer of the mark. A later order-table restore from before the
 * erasure then drops the suppression too, and a stranger's checkout opt-in is effective at once.
 */
import { describe, expect, it } from 'vitest';
import { erasureMarkKey } from '../../shared/record-secrets.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { purgeExpired } from '../../shared/usecases/purge-expired.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';

const person = canaries('5e5a0002');

describe('an erasure mark lost with a key-table restore', () => {
  it('is written again by the runbook (purge, then erase again), so a later order-table restore keeps the suppression', async () => {
    // Prepare: an opted-in customer, erased; the order table as it was before the erasure.
    const ports = fakePorts();
    const eraseDeps = {
      orders: ports.orders,
      consent: ports.consent,
      lookup: ports.lookup,
      fence: ports.fence,
      clock: ports.clock,
    };
    const emailKey = await ports.lookup.emailKey(person.email);
    await submitOrder(ports, { idempotencyKey: 'k-1', body: orderBody(person, { marketingOptIn: true }) });
    const beforeErasure = structuredClone(ports.consent.suppressions);
    ports.clock.advance(1000);
    const receipt = await eraseCustomer(eraseDeps, person.email);
    expect(await ports.recordSecrets.erasedAt(emailKey)).toBe(receipt.erasedAt);
    // The key table is restored from its backup of an hour before the erasure (no mark yet).
    ports.recordSecrets.items.delete(erasureMarkKey(emailKey));

    // Act: the runbook's purge, and the operator re-runs the erasure to be safe.
    ports.clock.advance(3_600_000);
    await purgeExpired(ports);
    const again = await eraseCustomer(eraseDeps, person.email);
    const mark = await ports.recordSecrets.erasedAt(emailKey);
    // Later the order table is restored from before the erasure; a stranger checks out, opting in.
    ports.consent.suppressions.clear();
    for (const [k, v] of beforeErasure) ports.consent.suppressions.set(k, v);
    ports.clock.advance(1000);
    await submitOrder(ports, { idempotencyKey: 'k-2', body: orderBody(person, { marketingOptIn: true }) });

    // Assess
    const customer = await ports.consent.getCustomer(emailKey);
    expect({
      secondRun: again.outcome,
      mark,
      strangerOptIn: customer?.consent.at(-1)?.status,
      confirmationRequested: customer?.confirmation !== undefined,
    }).toEqual({
      secondRun: 'nothing-to-erase',
      mark: receipt.erasedAt,
      strangerOptIn: 'unconfirmed',
      confirmationRequested: true,
    });
  });

  it('is written by `minimis erase` for an address erased before marks existed', async () => {
    // Prepare: an erasure entry stored before the upgrade (no mark), nothing personal left.
    const ports = fakePorts();
    const emailKey = await ports.lookup.emailKey(person.email);
    const legacyAt = ports.clock.now().toISOString();
    ports.consent.suppressions.set(emailKey, { emailKey, reason: 'erasure', at: legacyAt });
    ports.clock.advance(1000);

    // Act: the operator re-runs the erasure after the upgrade (the README: marks make restores safe).
    const receipt = await eraseCustomer(
      {
        orders: ports.orders,
        consent: ports.consent,
        lookup: ports.lookup,
        fence: ports.fence,
        clock: ports.clock,
      },
      person.email,
    );

    // Assess
    expect(receipt.outcome).toBe('nothing-to-erase');
    expect(await ports.recordSecrets.erasedAt(emailKey)).toBe(legacyAt);
  });
});
