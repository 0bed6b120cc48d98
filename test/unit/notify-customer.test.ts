import { describe, expect, it } from 'vitest';
import { MemoryErasureFenceStore } from '../../shared/adapters/memory/memory-stores.js';
import type { OrderRecord } from '../../shared/domain/order.js';
import { verifyUnsubscribeToken } from '../../shared/domain/unsubscribe-token.js';
import type { OutboundEmail } from '../../shared/ports.js';
import { type NotifyMessage, notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { recordOptOut } from '../../shared/usecases/unsubscribe.js';
import {
  fixedClock,
  keys,
  MemoryConsent,
  MemoryOrders,
  optIn,
  type Person,
  RecordingMailer,
  spyOpen,
  storedOrder,
} from './email-fakes.js';

const ORDER_ID = 'ord_01JDX0000000000000000000AB';
const CREATED = '2026-11-20T10:00:00.000Z';
const NOW = '2026-11-25T10:00:00.000Z';
const BASE = 'https://shop.example';

const PERSON: Person = {
  givenName: 'Givencanaryab12',
  familyName: 'Familycanaryab12',
  email: 'email.canary.ab12@example.com',
  phone: '+442071234567',
  line1: '1 Linecanaryab12 Street',
  line2: 'Flat Line2canaryab12',
  city: 'Citycanaryab12',
  postalCode: 'PCAB12',
};
const FORBIDDEN = [
  PERSON.familyName,
  PERSON.phone,
  PERSON.line1,
  PERSON.line2,
  PERSON.city,
  PERSON.postalCode,
];

async function setup(overrides: Partial<OrderRecord> = {}) {
  const clock = fixedClock(NOW);
  const k = keys(clock);
  const orders = new MemoryOrders();
  const consent = new MemoryConsent();
  const mailer = new RecordingMailer();
  const spy = spyOpen(k.dataKeys);
  const stored = await storedOrder(k, PERSON, ORDER_ID, CREATED, overrides);
  orders.put(stored.order, stored.personal);
  const deps = {
    orders,
    consent,
    dataKeys: spy.dataKeys,
    lookup: k.lookup,
    mailer,
    clock,
    settings: { publicBaseUrl: BASE },
  };
  return { clock, k, orders, consent, mailer, opened: spy.opened, deps, emailKey: stored.emailKey };
}

const confirmation: NotifyMessage = { type: 'order.accepted', orderId: ORDER_ID };
const dispatched: NotifyMessage = { type: 'shipment.dispatched', orderId: ORDER_ID };
const delivered: NotifyMessage = { type: 'shipment.delivered', orderId: ORDER_ID };

function everything(email: OutboundEmail): string {
  return JSON.stringify(email);
}

describe('notify customer: transactional', () => {
  it('sends the confirmation to the customer only, opening only the contact purpose', async () => {
    // Prepare
    const { deps, mailer, opened, orders } = await setup();

    // Act
    const result = await notifyCustomer(deps, confirmation);

    // Assess
    expect(result).toEqual({ outcome: 'sent', email: 'order-confirmation', messageId: 'msg-1' });
    expect(opened).toEqual(['contact']);
    expect(mailer.sent.map((m) => m.to)).toEqual([PERSON.email]);
    expect(mailer.sent[0]?.subject).toBe(`Your order ${ORDER_ID} is confirmed`);
    expect(mailer.sent[0]?.text).toContain(`Hello ${PERSON.givenName},`);
    expect(orders.orders.get(ORDER_ID)?.emails).toEqual({ 'order-confirmation': { state: 'sent' } });
  });

  it('puts a verifiable one-click unsubscribe link in the headers and the footer', async () => {
    // Prepare
    const { deps, mailer, k, emailKey } = await setup();

    // Act
    await notifyCustomer(deps, confirmation);

    // Assess
    const email = mailer.sent[0] as OutboundEmail;
    const listUnsubscribe = email.headers.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    const match = /^<https:\/\/shop\.example\/unsubscribe\?token=([A-Za-z0-9_-]{67})>$/.exec(listUnsubscribe);
    expect(match).not.toBeNull();
    const token = match?.[1] ?? '';
    expect(await verifyUnsubscribeToken(k.lookup, token)).toEqual({ emailKey, scope: 'marketing' });
    expect(email.headers).toEqual([
      { name: 'List-Unsubscribe', value: `<${BASE}/unsubscribe?token=${token}>` },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(email.text).toContain(`Unsubscribe: ${BASE}/unsubscribe?token=${token}`);
  });

  it('never carries phone, street lines, city, postal code or family name', async () => {
    // Prepare
    const { deps, mailer } = await setup({
      status: 'dispatched',
      trackingNumber: '1Z999AA10123456784',
      trackingUrl: 'https://carrier.example/track/1Z999AA10123456784',
    });

    // Act
    await notifyCustomer(deps, confirmation);
    await notifyCustomer(deps, dispatched);

    // Assess
    expect(mailer.sent).toHaveLength(2);
    for (const email of mailer.sent)
      for (const value of FORBIDDEN) expect(everything(email)).not.toContain(value);
  });

  it('sends the dispatch email with the tracking details of the order record', async () => {
    // Prepare
    const { deps, mailer, opened } = await setup({
      status: 'dispatched',
      trackingNumber: '1Z999AA10123456784',
      trackingUrl: 'https://carrier.example/track/1Z999AA10123456784',
    });

    // Act
    const result = await notifyCustomer(deps, dispatched);

    // Assess
    expect(result.outcome).toBe('sent');
    expect(opened).toEqual(['contact']);
    expect(mailer.sent[0]?.text).toContain(
      'Tracking number: 1Z999AA10123456784\nTrack your parcel: https://carrier.example/track/1Z999AA10123456784',
    );
  });

  it('sends each email once: a repeated message is acknowledged without a second send', async () => {
    // Prepare
    const { deps, mailer } = await setup();
    await notifyCustomer(deps, confirmation);

    // Act
    const again = await notifyCustomer(deps, confirmation);

    // Assess
    expect(again).toEqual({ outcome: 'already-sent', email: 'order-confirmation' });
    expect(mailer.sent).toHaveLength(1);
  });

  it('acknowledges without sending while another worker holds a live claim, and sends after its lease', async () => {
    // Prepare
    const { deps, mailer, orders, clock } = await setup();
    const nowMs = Date.parse(NOW);
    await orders.claimEmail(ORDER_ID, 'order-confirmation', nowMs + 20_000, nowMs);

    // Act
    const during = await notifyCustomer(deps, confirmation);
    clock.set('2026-11-25T10:00:30.000Z');
    const after = await notifyCustomer(deps, confirmation);

    // Assess
    expect(during.outcome).toBe('already-sent');
    expect(after.outcome).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
  });

  it('gives the claim back and fails when SES fails, so the retry sends', async () => {
    // Prepare
    const { deps, mailer, orders } = await setup();
    mailer.failures = 1;

    // Act
    const first = await notifyCustomer(deps, confirmation).then(
      () => 'resolved',
      (error: unknown) => (error as Error).message,
    );
    const claimAfterFailure = orders.orders.get(ORDER_ID)?.emails['order-confirmation'];
    const retry = await notifyCustomer(deps, confirmation);

    // Assess
    expect(first).toBe('SES down');
    expect(claimAfterFailure).toBeUndefined();
    expect(retry.outcome).toBe('sent');
    expect(mailer.sent).toHaveLength(1);
  });

  it('reports a send whose bookkeeping failed instead of failing the message', async () => {
    // Prepare
    const { deps, mailer, orders } = await setup();
    orders.failMarkSent = true;

    // Act
    const result = await notifyCustomer(deps, confirmation);

    // Assess
    expect(result).toEqual({
      outcome: 'sent',
      email: 'order-confirmation',
      messageId: 'msg-1',
      recorded: false,
    });
    expect(mailer.sent).toHaveLength(1);
  });

  it('sends nothing when the personal data expired or was erased', async () => {
    // Prepare
    const { deps, mailer, orders, opened } = await setup();
    orders.personal.delete(ORDER_ID);

    // Act
    const result = await notifyCustomer(deps, confirmation);

    // Assess
    expect(result).toEqual({ outcome: 'personal-data-gone', email: 'order-confirmation' });
    expect(mailer.sent).toEqual([]);
    expect(opened).toEqual([]);
    expect(orders.orders.get(ORDER_ID)?.emails).toEqual({});
  });

  it('treats an expired personal record as gone before storage removes it', async () => {
    // Prepare
    const { deps, mailer, clock } = await setup();
    clock.set('2027-03-01T00:00:00.000Z');

    // Act
    const result = await notifyCustomer(deps, confirmation);

    // Assess
    expect(result.outcome).toBe('personal-data-gone');
    expect(mailer.sent).toEqual([]);
  });

  it('acknowledges an unknown order and a message that does not fit the order status', async () => {
    // Prepare
    const { deps, mailer } = await setup();

    // Act
    const unknown = await notifyCustomer(deps, {
      type: 'order.accepted',
      orderId: 'ord_0000000000000000000000000Z',
    });
    const early = await notifyCustomer(deps, dispatched);

    // Assess
    expect(unknown.outcome).toBe('order-not-found');
    expect(early.outcome).toBe('not-applicable');
    expect(mailer.sent).toEqual([]);
  });

  it('still sends transactional mail to a customer who unsubscribed or complained', async () => {
    // Prepare
    const { deps, mailer, consent, emailKey, clock } = await setup();
    const optOutDeps = {
      consent,
      fence: new MemoryErasureFenceStore(),
      clock,
      settings: { policyVersion: '2026-11-01' },
    };
    await recordOptOut(optOutDeps, emailKey, 'unsubscribe');
    await recordOptOut(optOutDeps, emailKey, 'complaint');

    // Act
    const result = await notifyCustomer(deps, confirmation);

    // Assess
    expect(consent.suppressions.get(emailKey)?.reason).toBe('complaint');
    expect(result.outcome).toBe('sent');
    expect(mailer.sent.map((m) => m.to)).toEqual([PERSON.email]);
  });

  it('holds back transactional mail when the address hard-bounced after the order was placed', async () => {
    // Prepare
    const { deps, mailer, consent, emailKey, orders, opened } = await setup();
    await consent.putSuppression({ emailKey, reason: 'bounce', at: '2026-11-21T00:00:00.000Z' });

    // Act
    const result = await notifyCustomer(deps, confirmation);

    // Assess
    expect(result.outcome).toBe('suppressed');
    expect(mailer.sent).toEqual([]);
    expect(opened).toEqual([]);
    expect(orders.orders.get(ORDER_ID)?.emails).toEqual({});
  });
});

describe('notify customer: promotional follow-up', () => {
  it('goes to the consented address, opening only the marketing purpose, without the given name', async () => {
    // Prepare
    const { deps, mailer, opened, consent, k } = await setup({ status: 'delivered', deliveredAt: NOW });
    await optIn(k, consent, PERSON.email, CREATED);

    // Act
    const result = await notifyCustomer(deps, delivered);

    // Assess
    expect(result).toEqual({ outcome: 'sent', email: 'delivered-follow-up', messageId: 'msg-1' });
    expect(opened).toEqual(['marketing']);
    const email = mailer.sent[0] as OutboundEmail;
    expect(email.to).toBe(PERSON.email);
    expect(email.subject).toBe('How was your order?');
    expect(email.text.startsWith('Hello,\n')).toBe(true);
    expect(everything(email)).not.toContain(PERSON.givenName);
    for (const value of FORBIDDEN) expect(everything(email)).not.toContain(value);
    expect(email.headers[1]).toEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
  });

  it('is never sent without an opt-in, and leaves no claim behind', async () => {
    // Prepare
    const { deps, mailer, opened, orders } = await setup({ status: 'delivered', deliveredAt: NOW });

    // Act
    const result = await notifyCustomer(deps, delivered);

    // Assess
    expect(result).toEqual({ outcome: 'not-opted-in', email: 'delivered-follow-up' });
    expect(mailer.sent).toEqual([]);
    expect(opened).toEqual([]);
    expect(orders.orders.get(ORDER_ID)?.emails).toEqual({});
  });

  it('is not sent after an unsubscribe recorded between the order and the delivery', async () => {
    // Prepare
    const { deps, mailer, consent, k, emailKey, clock } = await setup({
      status: 'delivered',
      deliveredAt: NOW,
    });
    await optIn(k, consent, PERSON.email, CREATED);
    await recordOptOut(
      { consent, fence: new MemoryErasureFenceStore(), clock, settings: { policyVersion: '2026-11-01' } },
      emailKey,
      'unsubscribe',
    );

    // Act
    const result = await notifyCustomer(deps, delivered);

    // Assess
    expect(result.outcome).toBe('suppressed');
    expect(mailer.sent).toEqual([]);
  });

  it('is not sent to a bounced address even though the ledger still says opted in', async () => {
    // Prepare
    const { deps, mailer, consent, k, emailKey } = await setup({ status: 'delivered', deliveredAt: NOW });
    await optIn(k, consent, PERSON.email, CREATED);
    await consent.putSuppression({ emailKey, reason: 'bounce', at: '2026-11-22T00:00:00.000Z' });

    // Act
    const result = await notifyCustomer(deps, delivered);

    // Assess
    expect(result.outcome).toBe('suppressed');
    expect(mailer.sent).toEqual([]);
  });
});
