/**
 * Review s5, fixed since (the test passes now; it failed at the commit named): (8ba31cc): in AWS only the intake reads the erasure mark (compose/dynamo.ts
 * intakeConsent); the notify function's consent (notifyConsent) reads the order table's entry
 * alone. After an order-table restore from before an erasure (the customer record back with its
 * pre-erasure opt-in, no suppression entry), a stranger's opt-in checkout claims a NEW customer
 * secret; the delivered follow-up then decides "allowed" from the restored opt-in and tries to open
 * the restored marketing blob with the new secret: the message fails (retried, dead-lettered,
 * alarm) instead of answering `suppressed` as the marked read does.
 *
 * `notifyConsentAsComposed` below reads what notifyConsent reads in AWS since the fix: the order
 * table's entry and the key table's mark, merged by `markedGetSuppression` (the unmarked read of
 * before failed this test with SealError); test/integration/per-use-stores.test.ts checks the
 * composition itself against dynalite.
 */
import { describe, expect, it } from 'vitest';
import { markedGetSuppression } from '../../shared/adapters/shredding-stores.js';
import type { ConsentStore } from '../../shared/ports.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { RecordingMailer } from './email-fakes.js';

const person = canaries('5e5a0005');

describe('the delivered follow-up after an order-table restore from before an erasure', () => {
  it('answers suppressed (the erasure mark), as the intake does, instead of failing', async () => {
    // Prepare: an opted-in customer; a backup of the order table; the erasure; the restore.
    const ports = fakePorts();
    const emailKey = await ports.lookup.emailKey(person.email);
    await submitOrder(ports, { idempotencyKey: 'k-1', body: orderBody(person, { marketingOptIn: true }) });
    const backup = structuredClone({
      customers: ports.consent.customers,
      suppressions: ports.consent.suppressions,
    });
    ports.clock.advance(1000);
    await eraseCustomer(
      {
        orders: ports.orders,
        consent: ports.consent,
        lookup: ports.lookup,
        fence: ports.fence,
        clock: ports.clock,
      },
      person.email,
    );
    for (const [name, map] of [
      ['customers', ports.consent.customers],
      ['suppressions', ports.consent.suppressions],
    ] as const) {
      map.clear();
      for (const [k, v] of backup[name]) (map as Map<string, unknown>).set(k, v);
    }
    // A stranger checks out with the address, opting in; the parcel arrives.
    ports.clock.advance(1000);
    const { orderId } = await submitOrder(ports, {
      idempotencyKey: 'k-2',
      body: orderBody(person, { marketingOptIn: true }),
    });
    ports.clock.advance(1000);
    await ports.orders.applyStatusChange(orderId, {
      partnerId: 'carrier',
      eventId: 'evt-1',
      to: 'delivered',
      from: ['accepted', 'dispatched'],
      at: ports.clock.now().toISOString(),
    });
    const notifyConsentAsComposed: Pick<ConsentStore, 'getCustomer' | 'getSuppression'> = {
      getCustomer: (k) => ports.consent.getCustomer(k),
      getSuppression: markedGetSuppression(
        { getSuppression: async (k) => ports.consent.suppressions.get(k) },
        ports.recordSecrets,
      ),
    };
    const mailer = new RecordingMailer();

    // Act
    const outcome = await notifyCustomer(
      {
        orders: ports.orders,
        consent: notifyConsentAsComposed,
        dataKeys: ports.dataKeys,
        recordSecrets: ports.recordSecrets,
        lookup: ports.lookup,
        mailer,
        clock: ports.clock,
        settings: { publicBaseUrl: 'https://shop.example' },
      },
      { type: 'shipment.delivered', orderId },
    ).then(
      (r) => r.outcome,
      (e: unknown) => `threw ${(e as Error).name}`,
    );

    // Assess
    expect((await ports.consent.getSuppression(emailKey))?.reason).toBe('erasure');
    expect(outcome).toBe('suppressed');
    expect(mailer.sent).toHaveLength(0);
  });
});
