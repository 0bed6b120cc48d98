/**
 * Review s8: trying to break "a person's word is final" (email.md) with races and a stranger who
 * knows only the address. Real use cases over the in-memory ports (test/support/fakes.ts), as in
 * consent-confirmation.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { CustomerRecord } from '../../shared/domain/consent.js';
import { CONSENT_CONFIRMATION_SUBJECT } from '../../shared/domain/email-templates.js';
import { confirmConsent } from '../../shared/usecases/confirm-consent.js';
import { exportCustomer } from '../../shared/usecases/export-customer.js';
import { type NotifyMessage, notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { sendConsentConfirmation } from '../../shared/usecases/send-consent-confirmation.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { type OptOutReason, recordOptOut } from '../../shared/usecases/unsubscribe.js';
import { canaries, orderBody } from '../support/canaries.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';
import { RecordingMailer } from './email-fakes.js';

const BASE = 'https://shop.example';
const DAY_MS = 86_400_000;
const owner = canaries('5e8c0a01');

function world() {
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
    settings: { publicBaseUrl: BASE },
  };
  const confirmDeps = {
    consent: ports.consent,
    lookup: ports.lookup,
    clock: ports.clock,
    settings: ports.settings,
  };
  let n = 0;
  const checkout = async (marketingOptIn: boolean) => {
    n++;
    ports.clock.advance(1000);
    const { orderId } = await submitOrder(ports, {
      idempotencyKey: `checkout-${n}`,
      body: orderBody(owner, { marketingOptIn }),
    });
    return orderId;
  };
  const notify = async (type: NotifyMessage['type'], orderId: string) => {
    const result = await notifyCustomer(notifyDeps, { type, orderId });
    const confirmation =
      type === 'order.accepted' ? await sendConsentConfirmation(notifyDeps, orderId) : undefined;
    return { result, confirmation };
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
    return (await notify('shipment.delivered', orderId)).result;
  };
  const confirmations = () => mailer.sent.filter((m) => m.subject === CONSENT_CONFIRMATION_SUBJECT);
  const tokenOf = (text: string) => {
    const match = /\/consent\/confirm\?token=([A-Za-z0-9_-]+)/.exec(text);
    if (!match?.[1]) throw new Error('no confirmation link');
    return match[1];
  };
  return {
    ports,
    mailer,
    confirmDeps,
    checkout,
    notify,
    deliver,
    confirmations,
    tokenOf,
    emailKey: () => ports.lookup.emailKey(owner.email),
  };
}

const optOutDeps = (ports: FakePorts, consent: FakePorts['consent'] = ports.consent) => ({
  consent,
  fence: ports.fence,
  clock: ports.clock,
  settings: ports.settings,
});

/**
 * The owner opted in and was mailed, then the address was suppressed for `reason`; a stranger's
 * opt-in checkout then sent one consent-confirmation email, whose token is returned.
 */
async function pendingConfirmation(reason: OptOutReason) {
  const w = world();
  const first = await w.checkout(true);
  await w.notify('order.accepted', first);
  w.ports.clock.advance(DAY_MS);
  await recordOptOut(optOutDeps(w.ports), await w.emailKey(), reason);
  w.ports.clock.advance(DAY_MS);
  w.mailer.sent.length = 0;
  const strangers = await w.checkout(true);
  const accepted = await w.notify('order.accepted', strangers);
  expect(accepted.confirmation?.outcome).toBe('sent');
  return { w, token: w.tokenOf(w.confirmations()[0]?.text ?? '') };
}

describe('an opt-out that races the confirmation POST', () => {
  it.each([
    ['unsubscribe', 'unsubscribe'],
    ['complaint', 'complaint'],
    ['bounce', 'bounce'],
  ] as const)(
    'after a %s: a %s read before the POST lands and written after it still suppresses the address',
    async (earlier, later) => {
      // Prepare: a pending confirmation; the opt-out's store reads the customer record, and the
      // owner's confirmation POST completes before the opt-out's writes
      const { w, token } = await pendingConfirmation(earlier);
      const emailKey = await w.emailKey();
      let confirmed: string | undefined;
      const racing = Object.assign(Object.create(w.ports.consent) as FakePorts['consent'], {
        getCustomer: async (key: string): Promise<CustomerRecord | undefined> => {
          const read = await w.ports.consent.getCustomer(key);
          w.ports.clock.advance(1000);
          confirmed = await confirmConsent(w.confirmDeps, token);
          w.ports.clock.advance(1000);
          return read;
        },
      });

      // Act: the opt-out, then (a stranger again) an opt-in checkout with the address, delivered
      const optOut = await recordOptOut(optOutDeps(w.ports, racing), emailKey, later);
      const exported = await exportCustomer(w.ports, owner.email);
      const strangers = await w.checkout(true);
      const followUp = await w.deliver(strangers);

      // Assess: the opt-out was the owner's last word: suppressed, no promotional mail
      expect(confirmed).toBe('confirmed');
      expect(optOut).toBe('recorded');
      expect(exported.suppression?.inForce).toBe(true);
      expect(followUp.outcome).toBe('suppressed');
      expect(w.mailer.sent.filter((m) => m.subject === 'How was your order?')).toEqual([]);
    },
  );
});
