/**
 * Review s5, fixed since (the test passes now; it failed at the commit named): (8ba31cc): the key table's erasure mark must never make an address LESS suppressed.
 *
 * `withErasureMark` (shared/domain/consent.ts) answers the mark whenever the stored entry's reason
 * is weaker than `erasure`, whatever its time. After an erasure, the owner re-opts in and confirms
 * (lifting the erasure suppression, as email.md allows), then unsubscribes: the stored entry is now
 * `unsubscribe` (newer than the confirmation, in force). The marked read replaces it by the OLD
 * erasure (older than the confirmation, so not in force): the address reads as not suppressed. A
 * stranger's checkout opt-in is then effective at once, and in the all-in-one wiring (local mode,
 * CLI: every read goes through shreddingConsentStore) the delivered follow-up goes out to the
 * address whose owner unsubscribed.
 */
import { describe, expect, it } from 'vitest';
import { decidePromotion } from '../../shared/domain/email-policy.js';
import { confirmConsent } from '../../shared/usecases/confirm-consent.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { sendConsentConfirmation } from '../../shared/usecases/send-consent-confirmation.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { recordOptOut } from '../../shared/usecases/unsubscribe.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { RecordingMailer } from './email-fakes.js';

const owner = canaries('5e5a0001');
const PROMO = 'How was your order?';

describe('an erasure mark older than a later unsubscribe', () => {
  it('does not lift the unsubscribe: a stranger opt-in stays unconfirmed and no promotion goes out', async () => {
    // Prepare
    const ports = fakePorts();
    const mailer = new RecordingMailer();
    const notifyDeps = {
      orders: ports.orders,
      consent: ports.consent,
      dataKeys: ports.dataKeys,
      recordSecrets: ports.recordSecrets,
      lookup: ports.lookup,
      mailer,
      clock: ports.clock,
      settings: { publicBaseUrl: 'https://shop.example' },
    };
    let n = 0;
    const checkout = async () => {
      ports.clock.advance(1000);
      n++;
      return (
        await submitOrder(ports, {
          idempotencyKey: `k-${n}`,
          body: orderBody(owner, { marketingOptIn: true }),
        })
      ).orderId;
    };
    const deliver = async (orderId: string) => {
      ports.clock.advance(1000);
      await ports.orders.applyStatusChange(orderId, {
        partnerId: 'carrier',
        eventId: `evt-${orderId}`,
        to: 'delivered',
        from: ['accepted', 'dispatched'],
        at: ports.clock.now().toISOString(),
      });
      return notifyCustomer(notifyDeps, { type: 'shipment.delivered', orderId });
    };
    const emailKey = await ports.lookup.emailKey(owner.email);
    await checkout();
    ports.clock.advance(1000);
    await eraseCustomer(
      {
        orders: ports.orders,
        consent: ports.consent,
        lookup: ports.lookup,
        fence: ports.fence,
        clock: ports.clock,
      },
      owner.email,
    );
    // The owner comes back, opts in and confirms with the link (lifts the erasure suppression).
    const second = await checkout();
    await sendConsentConfirmation(notifyDeps, second);
    const link = mailer.sent.at(-1)?.text ?? '';
    const token = /\/consent\/confirm\?token=([A-Za-z0-9_-]+)/.exec(link)?.[1];
    ports.clock.advance(1000);
    await confirmConsent(
      {
        consent: ports.consent,
        recordSecrets: ports.recordSecrets,
        lookup: ports.lookup,
        clock: ports.clock,
        settings: ports.settings,
      },
      token,
    );
    expect((await deliver(second)).outcome).toBe('sent');
    // Then the owner unsubscribes.
    ports.clock.advance(1000);
    expect(
      await recordOptOut(
        { consent: ports.consent, fence: ports.fence, clock: ports.clock, settings: ports.settings },
        emailKey,
        'unsubscribe',
      ),
    ).toBe('recorded');
    const stored = ports.consent.suppressions.get(emailKey);

    // Act: a stranger checks out with the address, ticking the marketing box; the parcel arrives.
    const third = await checkout();
    const followUp = await deliver(third);

    // Assess
    const customer = await ports.consent.getCustomer(emailKey);
    expect({
      stored: stored?.reason,
      lastCheckoutOptIn: customer?.consent.at(-1)?.status,
      promotionAllowed: decidePromotion(customer, await ports.consent.getSuppression(emailKey)).allowed,
      followUp: followUp.outcome,
      promotions: mailer.sent.filter((m) => m.subject === PROMO).length,
    }).toEqual({
      stored: 'unsubscribe',
      lastCheckoutOptIn: 'unconfirmed',
      promotionAllowed: false,
      followUp: 'suppressed',
      promotions: 1,
    });
  });
});
