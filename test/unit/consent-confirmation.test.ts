/**
 * "A person's word is final" (email.md): a stranger's checkout opt-in for a suppressed address
 * never lifts the suppression; only the owner's POST of the signed, single-use, 7-day link does.
 * Everything runs through the real use cases over the in-memory ports: intake, the notify worker
 * (order confirmation, consent confirmation, delivered follow-up), unsubscribe, SES feedback,
 * erasure, export.
 */
import { describe, expect, it } from 'vitest';
import type { CustomerRecord, SuppressionRecord } from '../../shared/domain/consent.js';
import { InvalidConsentTokenError } from '../../shared/domain/consent-token.js';
import { CONSENT_CONFIRMATION_SUBJECT, FOOTER_HOW_TO } from '../../shared/domain/email-templates.js';
import { checkConsentToken, confirmConsent } from '../../shared/usecases/confirm-consent.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { exportCustomer } from '../../shared/usecases/export-customer.js';
import { type NotifyMessage, notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { sendConsentConfirmation } from '../../shared/usecases/send-consent-confirmation.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { type OptOutReason, recordOptOut } from '../../shared/usecases/unsubscribe.js';
import { canaries, orderBody } from '../support/canaries.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';
import { Interleaver } from '../support/interleave.js';
import { RecordingMailer } from './email-fakes.js';

const BASE = 'https://shop.example';
const DAY_MS = 86_400_000;
const owner = canaries('c0f1a001');

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
    recordSecrets: ports.recordSecrets,
    lookup: ports.lookup,
    clock: ports.clock,
    settings: ports.settings,
  };
  let n = 0;
  /** A checkout with the owner's address (by the owner or a stranger: intake cannot tell). */
  const checkout = async (marketingOptIn: boolean) => {
    n++;
    ports.clock.advance(1000);
    const { orderId } = await submitOrder(ports, {
      idempotencyKey: `checkout-${n}`,
      body: orderBody(owner, { marketingOptIn }),
    });
    return orderId;
  };
  /** What the notify worker does for a message (functions/notify-customer.ts). */
  const notify = async (type: NotifyMessage['type'], orderId: string) => {
    const result = await notifyCustomer(notifyDeps, { type, orderId });
    const confirmation =
      type === 'order.accepted' ? await sendConsentConfirmation(notifyDeps, orderId) : undefined;
    return { result, confirmation };
  };
  /** The carrier reports the order delivered; the notify worker handles the follow-up. */
  const deliver = async (orderId: string) => {
    ports.clock.advance(1000);
    const at = ports.clock.now().toISOString();
    await ports.orders.applyStatusChange(orderId, {
      partnerId: 'carrier',
      eventId: `evt-${orderId}`,
      to: 'delivered',
      from: ['accepted', 'dispatched'],
      at,
    });
    return (await notify('shipment.delivered', orderId)).result;
  };
  const promotional = () => mailer.sent.filter((m) => m.subject === 'How was your order?');
  const confirmations = () => mailer.sent.filter((m) => m.subject === CONSENT_CONFIRMATION_SUBJECT);
  const emailKey = () => ports.lookup.emailKey(owner.email);
  const tokenOf = (text: string) => {
    const match = /\/consent\/confirm\?token=([A-Za-z0-9_-]+)/.exec(text);
    if (!match?.[1]) throw new Error('no confirmation link');
    return match[1];
  };
  /** Everything stored about the address, to assert that something changed nothing. */
  const snapshot = async () => {
    const key = await emailKey();
    return structuredClone({
      customer: ports.consent.customers.get(key),
      suppression: ports.consent.suppressions.get(key),
    });
  };
  return {
    ports,
    mailer,
    notifyDeps,
    confirmDeps,
    checkout,
    notify,
    deliver,
    promotional,
    confirmations,
    emailKey,
    tokenOf,
    snapshot,
  };
}
type World = ReturnType<typeof world>;

const optOutDeps = (ports: FakePorts, consent: FakePorts['consent'] = ports.consent) => ({
  consent,
  fence: ports.fence,
  clock: ports.clock,
  settings: ports.settings,
});

const eraseDeps = (ports: FakePorts) => ({
  orders: ports.orders,
  consent: ports.consent,
  lookup: ports.lookup,
  fence: ports.fence,
  clock: ports.clock,
});

/** The four ways an address becomes suppressed, each after the owner had opted in. */
const SUPPRESSIONS: ReadonlyArray<readonly [string, (w: World) => Promise<void>]> = [
  [
    'unsubscribe',
    async (w) => void (await recordOptOut(optOutDeps(w.ports), await w.emailKey(), 'unsubscribe')),
  ],
  ['bounce', async (w) => void (await recordOptOut(optOutDeps(w.ports), await w.emailKey(), 'bounce'))],
  ['complaint', async (w) => void (await recordOptOut(optOutDeps(w.ports), await w.emailKey(), 'complaint'))],
  ['erasure', async (w) => void (await eraseCustomer(eraseDeps(w.ports), owner.email))],
];

/** The owner opts in and gets promotional mail; then the address is suppressed. */
async function suppressedAddress(suppress: (w: World) => Promise<void>): Promise<World> {
  const w = world();
  const first = await w.checkout(true);
  await w.notify('order.accepted', first);
  expect((await w.deliver(first)).outcome).toBe('sent');
  w.ports.clock.advance(DAY_MS);
  await suppress(w);
  w.ports.clock.advance(DAY_MS);
  w.mailer.sent.length = 0;
  return w;
}

describe("a stranger's opt-in for a suppressed address", () => {
  it.each(SUPPRESSIONS)(
    'after a %s: no promotional mail until the confirmation POST, then it goes out',
    async (_reason, suppress) => {
      // Prepare
      const w = await suppressedAddress(suppress);
      // Act: a stranger checks out with the address and opts in; the carrier delivers
      const strangers = await w.checkout(true);
      const accepted = await w.notify('order.accepted', strangers);
      const before = await w.deliver(strangers);
      // Assess: the order's mail and one confirmation request go out, no promotion
      expect(accepted.result.outcome).toBe('sent');
      expect(accepted.confirmation?.outcome).toBe('sent');
      expect(before.outcome).toBe('suppressed');
      expect(w.promotional()).toEqual([]);
      expect(w.confirmations()).toHaveLength(1);

      // Act: the owner opens the link (GET), then presses the button (POST)
      const token = w.tokenOf(w.confirmations()[0]?.text ?? '');
      const stored = await w.snapshot();
      await checkConsentToken(w.confirmDeps, token);
      const afterGet = await w.snapshot();
      const outcome = await confirmConsent(w.confirmDeps, token);
      // the follow-up's claim was given back when it was suppressed: its retry now sends
      const after = (await w.notify('shipment.delivered', strangers)).result;

      // Assess
      expect(afterGet).toEqual(stored);
      expect(outcome).toBe('confirmed');
      expect(after.outcome).toBe('sent');
      expect(w.promotional()).toHaveLength(1);
      expect(w.promotional()[0]?.to).toBe(owner.email);
    },
  );

  it('the confirmation email is transactional mail with the same headers and footer, and only the link', async () => {
    // Prepare
    const w = await suppressedAddress(SUPPRESSIONS[0]?.[1] ?? (async () => undefined));
    // Act
    await w.notify('order.accepted', await w.checkout(true));
    // Assess
    const [email] = w.confirmations();
    expect(email?.to).toBe(owner.email);
    expect(email?.headers.map((h) => h.name)).toEqual(['List-Unsubscribe', 'List-Unsubscribe-Post']);
    expect(email?.headers[0]?.value).toMatch(
      /^<https:\/\/shop\.example\/unsubscribe\?token=[A-Za-z0-9_-]+>$/,
    );
    expect(email?.text).toContain(FOOTER_HOW_TO);
    expect(email?.text).toMatch(/Unsubscribe: https:\/\/shop\.example\/unsubscribe\?token=/);
    const shown = JSON.stringify(email);
    for (const value of [
      owner.givenName,
      owner.familyName,
      owner.phone,
      owner.line1,
      owner.city,
      owner.postalCode,
    ])
      expect(shown).not.toContain(value);
  });

  it('the ledger (and the export) shows the unconfirmed and the confirmed event', async () => {
    // Prepare
    const w = await suppressedAddress(SUPPRESSIONS[0]?.[1] ?? (async () => undefined));
    await w.notify('order.accepted', await w.checkout(true));
    // Act
    const pending = await exportCustomer(w.ports, owner.email);
    await confirmConsent(w.confirmDeps, w.tokenOf(w.confirmations()[0]?.text ?? ''));
    const exported = await exportCustomer(w.ports, owner.email);
    // Assess
    expect(pending.consent.currentlyConsented).toBe(false);
    expect(pending.marketingContact).toBeNull();
    expect(pending.pendingConfirmation).toEqual({
      contact: { 'customer.email': owner.email },
      expiresAt: new Date(w.ports.clock.now().getTime() + 7 * DAY_MS).toISOString(),
      email: 'sent',
    });
    expect(exported.pendingConfirmation).toBeNull();
    expect(exported.marketingContact).toEqual({ 'customer.email': owner.email });
    expect(exported.consent.events.map((e) => [e.granted, e.source, e.status ?? 'effective'])).toEqual([
      [true, 'checkout', 'effective'],
      [false, 'unsubscribe-link', 'effective'],
      [true, 'checkout', 'unconfirmed'],
      [true, 'confirmation', 'confirmed'],
    ]);
    expect(exported.consent.currentlyConsented).toBe(true);
    expect(exported.suppression?.inForce).toBe(false);
  });

  it('repeated checkouts by a stranger send one confirmation while it is outstanding; the next only after it expired', async () => {
    // Prepare
    const w = await suppressedAddress(SUPPRESSIONS[0]?.[1] ?? (async () => undefined));
    // Act
    for (let i = 0; i < 3; i++) await w.notify('order.accepted', await w.checkout(true));
    const withinWeek = w.confirmations().length;
    w.ports.clock.advance(7 * DAY_MS);
    await w.notify('order.accepted', await w.checkout(true));
    // Assess
    expect(withinWeek).toBe(1);
    expect(w.confirmations()).toHaveLength(2);
    const ledger = w.ports.consent.customers.get(await w.emailKey())?.consent ?? [];
    // One unconfirmed entry per confirmation request: a checkout opt-in repeating the outstanding
    // unconfirmed one is not appended (a stranger's checkouts must not grow the ledger to the
    // item limit, where every opt-in intake for the address would die after its personal write).
    expect(ledger.filter((e) => e.status === 'unconfirmed')).toHaveLength(2);
    expect(w.promotional()).toEqual([]);
  });

  it.each(['unsubscribe', 'complaint'] as const)(
    'an owner who opts out (%s) of the confirmation email gets no second one from a stranger within the 7 days',
    async (reason) => {
      // Prepare: a stranger's checkout sent a confirmation; its owner opts out of that very email
      const w = await suppressedAddress(SUPPRESSIONS[0]?.[1] ?? (async () => undefined));
      await w.notify('order.accepted', await w.checkout(true));
      w.ports.clock.advance(DAY_MS);
      await recordOptOut(optOutDeps(w.ports), await w.emailKey(), reason);
      const ledgerBefore = w.ports.consent.customers.get(await w.emailKey())?.consent.length ?? 0;
      // Act: the stranger checks out again, three times, within the 7 days of the first request
      for (let i = 0; i < 3; i++) await w.notify('order.accepted', await w.checkout(true));
      const withinWeek = w.confirmations().length;
      const ledgerWithin = w.ports.consent.customers.get(await w.emailKey())?.consent.length ?? 0;
      // … and once more after them
      w.ports.clock.advance(6 * DAY_MS);
      await w.notify('order.accepted', await w.checkout(true));
      // Assess: one confirmation per 7 days, and the ledger grew by one unconfirmed opt-in only
      expect(withinWeek).toBe(1);
      expect(ledgerWithin).toBe(ledgerBefore + 1);
      expect(w.confirmations()).toHaveLength(2);
      expect(w.promotional()).toEqual([]);
    },
  );

  it("the owner's confirmation ends the cooldown: after a later opt-out, the next opt-in asks again at once", async () => {
    // Prepare: confirmed, then unsubscribed again a day later
    const w = await suppressedAddress(SUPPRESSIONS[0]?.[1] ?? (async () => undefined));
    await w.notify('order.accepted', await w.checkout(true));
    await confirmConsent(w.confirmDeps, w.tokenOf(w.confirmations()[0]?.text ?? ''));
    w.ports.clock.advance(DAY_MS);
    await recordOptOut(optOutDeps(w.ports), await w.emailKey(), 'unsubscribe');
    // Act
    w.ports.clock.advance(DAY_MS);
    const accepted = await w.notify('order.accepted', await w.checkout(true));
    // Assess
    expect(accepted.confirmation?.outcome).toBe('sent');
    expect(w.confirmations()).toHaveLength(2);
  });

  it('an address with no suppression opts in directly: no confirmation email, promotion after delivery', async () => {
    // Prepare
    const w = world();
    // Act
    const orderId = await w.checkout(true);
    const accepted = await w.notify('order.accepted', orderId);
    const followUp = await w.deliver(orderId);
    // Assess
    expect(accepted.confirmation?.outcome).toBe('not-requested');
    expect(w.confirmations()).toEqual([]);
    expect(followUp.outcome).toBe('sent');
    expect(w.ports.consent.customers.get(await w.emailKey())?.consent.map((e) => e.status)).toEqual([
      undefined,
    ]);
  });
});

describe('the confirmation link', () => {
  async function pending() {
    const w = await suppressedAddress(SUPPRESSIONS[0]?.[1] ?? (async () => undefined));
    const orderId = await w.checkout(true);
    await w.notify('order.accepted', orderId);
    return { w, orderId, token: w.tokenOf(w.confirmations()[0]?.text ?? '') };
  }
  const reasonOf = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidConsentTokenError);
    return (error as InvalidConsentTokenError).reason;
  };

  it.each([
    [
      'a flipped character',
      (t: string) => `${t.slice(0, 40)}${t[40] === 'A' ? 'B' : 'A'}${t.slice(41)}`,
      'bad-signature',
    ],
    ['a cut-short link', (t: string) => t.slice(0, -3), 'malformed'],
    [
      'a later expiry spliced in',
      (t: string) => t.slice(0, 66) + (t[66] === 'z' ? 'y' : 'z') + t.slice(67),
      'bad-signature',
    ],
    ['no token', () => undefined, 'malformed'],
  ] as const)('with %s is 400 on GET and POST and changes nothing', async (_label, tamper, reason) => {
    // Prepare
    const { w, orderId, token } = await pending();
    const stored = await w.snapshot();
    // Act
    const onGet = await reasonOf(checkConsentToken(w.confirmDeps, tamper(token)));
    const onPost = await reasonOf(confirmConsent(w.confirmDeps, tamper(token)));
    const followUp = await w.deliver(orderId);
    // Assess
    expect([onGet, onPost]).toEqual([reason, reason]);
    expect(await w.snapshot()).toEqual(stored);
    expect(followUp.outcome).toBe('suppressed');
  });

  it('used once: a second POST is 400 and changes nothing', async () => {
    // Prepare
    const { w, token } = await pending();
    await confirmConsent(w.confirmDeps, token);
    const stored = await w.snapshot();
    // Act
    const again = await reasonOf(confirmConsent(w.confirmDeps, token));
    // Assess
    expect(again).toBe('used');
    expect(await w.snapshot()).toEqual(stored);
  });

  it('expired after 7 days (fake clock): 400 on GET and POST, nothing changes, no promotion', async () => {
    // Prepare
    const { w, orderId, token } = await pending();
    w.ports.clock.advance(7 * DAY_MS);
    const stored = await w.snapshot();
    // Act
    const onGet = await reasonOf(checkConsentToken(w.confirmDeps, token));
    const onPost = await reasonOf(confirmConsent(w.confirmDeps, token));
    const followUp = await w.deliver(orderId);
    // Assess
    expect([onGet, onPost]).toEqual(['expired', 'expired']);
    expect(await w.snapshot()).toEqual(stored);
    expect(followUp.outcome).toBe('suppressed');
  });

  it('still works just before the 7 days are up', async () => {
    // Prepare
    const { w, token } = await pending();
    w.ports.clock.advance(7 * DAY_MS - 2000);
    // Act
    const outcome = await confirmConsent(w.confirmDeps, token);
    // Assess
    expect(outcome).toBe('confirmed');
  });

  it('two concurrent POSTs: exactly one records the confirmation', async () => {
    // Prepare
    const { w, token } = await pending();
    // Act
    const results = await Promise.allSettled([
      confirmConsent(w.confirmDeps, token),
      confirmConsent(w.confirmDeps, token),
    ]);
    // Assess
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const ledger = w.ports.consent.customers.get(await w.emailKey())?.consent ?? [];
    expect(ledger.filter((e) => e.status === 'confirmed')).toHaveLength(1);
  });

  it('an unsubscribe after the request withdraws it: the link is then 400', async () => {
    // Prepare
    const { w, orderId, token } = await pending();
    await recordOptOut(optOutDeps(w.ports), await w.emailKey(), 'unsubscribe');
    // Act
    const reason = await reasonOf(confirmConsent(w.confirmDeps, token));
    const followUp = await w.deliver(orderId);
    // Assess
    expect(reason).toBe('used');
    expect(followUp.outcome).toBe('suppressed');
  });

  it('an erasure after the request removes it: the link is then 400 and nothing is re-created', async () => {
    // Prepare
    const { w, token } = await pending();
    await eraseCustomer(eraseDeps(w.ports), owner.email);
    // Act
    const reason = await reasonOf(confirmConsent(w.confirmDeps, token));
    // Assess
    expect(reason).toBe('used');
    expect(w.ports.consent.customers.has(await w.emailKey())).toBe(false);
  });

  it('after the confirmation, a later unsubscribe suppresses again at once', async () => {
    // Prepare
    const { w, orderId, token } = await pending();
    await confirmConsent(w.confirmDeps, token);
    w.ports.clock.advance(1000);
    await recordOptOut(optOutDeps(w.ports), await w.emailKey(), 'unsubscribe');
    // Act
    const followUp = await w.deliver(orderId);
    // Assess
    expect(followUp.outcome).toBe('suppressed');
  });
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

describe('an opt-out that races the confirmation POST (review s8)', () => {
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
          if (confirmed) return read;
          w.ports.clock.advance(1000);
          confirmed = await confirmConsent(w.confirmDeps, token);
          // The opt-out's clock is behind the confirmation's: it runs on another function.
          w.ports.clock.advance(-1500);
          return read;
        },
      });

      // Act: the opt-out, then (a stranger again) an opt-in checkout with the address, delivered
      const optOut = await recordOptOut(optOutDeps(w.ports, racing), emailKey, later);
      const exported = await exportCustomer(w.ports, owner.email);
      const strangers = await w.checkout(true);
      const followUp = await w.deliver(strangers);

      // Assess: the opt-out was the owner's last word: suppressed, no promotional mail, and the
      // ledger says so (the opt-out decided again after the confirmation and is dated after it)
      expect(confirmed).toBe('confirmed');
      expect(optOut).toBe('recorded');
      expect(exported.suppression?.inForce).toBe(true);
      expect(exported.consent.currentlyConsented).toBe(false);
      const [confirmation, withdrawal] = exported.consent.events.slice(-2);
      expect([confirmation?.source, withdrawal?.granted]).toEqual(['confirmation', false]);
      expect(Date.parse(withdrawal?.at ?? '') - Date.parse(confirmation?.at ?? '')).toBe(1);
      expect(exported.suppression?.at).toBe(withdrawal?.at);
      expect(exported.marketingContact).toBeNull();
      expect(followUp.outcome).toBe('suppressed');
      expect(w.promotional()).toEqual([]);
    },
  );

  it('the confirmation POST (its clock ahead) at every await of an unsubscribe: the opt-out is the last word each time', async () => {
    // Prepare: count the unsubscribe's await points on a dry run
    const dry = await pendingConfirmation('unsubscribe');
    const counter = new Interleaver();
    await recordOptOut(
      optOutDeps(dry.w.ports, counter.wrap('consent', dry.w.ports.consent)),
      await dry.w.emailKey(),
      'unsubscribe',
    );
    expect(counter.points).toBeGreaterThanOrEqual(8);
    for (let at = 0; at < counter.points; at++) {
      const { w, token } = await pendingConfirmation('unsubscribe');
      const il = new Interleaver();
      // The confirming function's clock runs a second ahead of the opt-out's.
      il.inject(at, async () => {
        w.ports.clock.advance(1000);
        await confirmConsent(w.confirmDeps, token).catch(() => 'refused');
        w.ports.clock.advance(-1000);
      });
      // Act
      await recordOptOut(
        optOutDeps(w.ports, il.wrap('consent', w.ports.consent)),
        await w.emailKey(),
        'unsubscribe',
      );
      const exported = await exportCustomer(w.ports, owner.email);
      const followUp = await w.deliver(await w.checkout(true));
      // Assess
      expect(il.injected, `point ${at}`).toBe(true);
      expect(exported.consent.currentlyConsented, `point ${at}`).toBe(false);
      expect(exported.suppression?.inForce, `point ${at}`).toBe(true);
      expect(exported.marketingContact, `point ${at}`).toBeNull();
      expect(followUp.outcome, `point ${at}`).toBe('suppressed');
      expect(w.promotional(), `point ${at}`).toEqual([]);
    }
  });
});

describe('an order table restored from a backup taken before an erasure', () => {
  /** The order table's consent items as they are now, and a restore of them. */
  const backupOf = (w: World) => {
    const customers = structuredClone([...w.ports.consent.customers]);
    const suppressions = structuredClone([...w.ports.consent.suppressions]);
    return () => {
      w.ports.consent.customers.clear();
      w.ports.consent.suppressions.clear();
      for (const [k, v] of customers) w.ports.consent.customers.set(k, v);
      for (const [k, v] of suppressions) w.ports.consent.suppressions.set(k, v);
    };
  };

  it('brings back neither a working confirmation link nor the erased consent history', async () => {
    // Prepare: a pending confirmation, a backup, the erasure, the backup restored
    const { w, token } = await pendingConfirmation('unsubscribe');
    const restore = backupOf(w);
    w.ports.clock.advance(DAY_MS);
    await eraseCustomer(eraseDeps(w.ports), owner.email);
    restore();
    const restored = await w.snapshot();
    // Act
    const error = await confirmConsent(w.confirmDeps, token).then(
      () => undefined,
      (e: unknown) => e,
    );
    const exported = await exportCustomer(w.ports, owner.email);
    // Assess
    expect(restored.customer?.confirmation).toBeDefined();
    expect(error).toBeInstanceOf(InvalidConsentTokenError);
    expect((error as InvalidConsentTokenError).reason).toBe('used');
    expect(await w.snapshot()).toEqual(restored);
    expect(exported.consent).toEqual({ events: [], currentlyConsented: false });
    expect(exported.pendingConfirmation).toBeNull();
    expect(exported.marketingContact).toBeNull();
    expect(exported.suppression).toMatchObject({ reason: 'erasure', inForce: true });
  });

  it('keeps what came after the erasure: a new request confirms, and the export shows only its events', async () => {
    // Prepare: erased (no restore), then a checkout opt-in with the address asks again
    const { w } = await pendingConfirmation('unsubscribe');
    w.ports.clock.advance(DAY_MS);
    await eraseCustomer(eraseDeps(w.ports), owner.email);
    w.mailer.sent.length = 0;
    const strangers = await w.checkout(true);
    await w.notify('order.accepted', strangers);
    // Act
    const outcome = await confirmConsent(w.confirmDeps, w.tokenOf(w.confirmations()[0]?.text ?? ''));
    const exported = await exportCustomer(w.ports, owner.email);
    // Assess
    expect(outcome).toBe('confirmed');
    expect(exported.consent.events.map((e) => [e.source, e.status ?? 'effective'])).toEqual([
      ['checkout', 'unconfirmed'],
      ['confirmation', 'confirmed'],
    ]);
    expect(exported.consent.currentlyConsented).toBe(true);
    expect(exported.marketingContact).toEqual({ 'customer.email': owner.email });
  });
});

describe("an opt-out that lands between a checkout opt-in's read and its write", () => {
  it('the opt-in decides again: unconfirmed, a confirmation asked, no marketing contact kept', async () => {
    // Prepare: a transactional-only customer; the owner's opt-out lands just after the intake's
    // consent reads (on the suppression read: the intake has read both before it resumes)
    const w = world();
    await w.checkout(false);
    let optedOut = false;
    const racing = Object.assign(Object.create(w.ports.consent) as FakePorts['consent'], {
      getSuppression: async (key: string) => {
        const read = await w.ports.consent.getSuppression(key);
        if (!optedOut) {
          optedOut = true;
          await recordOptOut(optOutDeps(w.ports), key, 'unsubscribe');
        }
        return read;
      },
    });
    w.ports.clock.advance(1000);
    // Act
    await submitOrder(
      { ...w.ports, consent: racing },
      { idempotencyKey: 'race-opt-in', body: orderBody(owner, { marketingOptIn: true }) },
    );
    const exported = await exportCustomer(w.ports, owner.email);
    // Assess
    expect(optedOut).toBe(true);
    expect(exported.consent.events.map((e) => [e.source, e.status ?? 'effective'])).toEqual([
      ['unsubscribe-link', 'effective'],
      ['checkout', 'unconfirmed'],
    ]);
    expect(exported.consent.currentlyConsented).toBe(false);
    expect(exported.marketingContact).toBeNull();
    expect(exported.suppression).toMatchObject({ reason: 'unsubscribe', inForce: true });
    expect(exported.pendingConfirmation?.contact).toEqual({ 'customer.email': owner.email });
  });
});

/** The owner opted in at checkout (no suppression) and was sent promotional mail (review s9). */
async function optedInOwner(): Promise<World> {
  const w = world();
  const first = await w.checkout(true);
  await w.notify('order.accepted', first);
  expect((await w.deliver(first)).outcome).toBe('sent');
  w.ports.clock.advance(DAY_MS);
  w.mailer.sent.length = 0;
  return w;
}

describe("an opt-out whose suppression entry is not there yet: its ledger event is the owner's word (review s9)", () => {
  it('the function dies between the two writes: a stranger opt-in then needs confirming, no promotional mail', async () => {
    // Prepare: the owner unsubscribes; the function dies after the ledger write, before the entry
    const w = await optedInOwner();
    const dying = Object.assign(Object.create(w.ports.consent) as FakePorts['consent'], {
      putSuppression: async (_record: SuppressionRecord) => {
        throw new Error('Lambda timed out');
      },
    });
    const died = await recordOptOut(optOutDeps(w.ports, dying), await w.emailKey(), 'unsubscribe').then(
      () => false,
      () => true,
    );
    // Act: a stranger checks out with the address and opts in; the carrier delivers
    w.ports.clock.advance(DAY_MS);
    const strangers = await w.checkout(true);
    const accepted = await w.notify('order.accepted', strangers);
    const followUp = await w.deliver(strangers);
    // Assess
    expect(died).toBe(true);
    expect(w.ports.consent.suppressions.size).toBe(0);
    expect(accepted.confirmation?.outcome).toBe('sent');
    expect(followUp.outcome).toBe('not-opted-in');
    expect(w.promotional()).toEqual([]);
  });

  it("a stranger's checkout landing between the two writes is unconfirmed and keeps no marketing contact", async () => {
    // Prepare: the stranger's whole intake runs at the await between the ledger write and the entry
    const w = await optedInOwner();
    let raced = false;
    const racing = Object.assign(Object.create(w.ports.consent) as FakePorts['consent'], {
      putSuppression: async (record: SuppressionRecord) => {
        if (!raced) {
          raced = true;
          await w.checkout(true);
        }
        return w.ports.consent.putSuppression(record);
      },
    });
    // Act
    await recordOptOut(optOutDeps(w.ports, racing), await w.emailKey(), 'unsubscribe');
    const exported = await exportCustomer(w.ports, owner.email);
    // Assess
    expect(raced).toBe(true);
    const last = exported.consent.events.at(-1);
    expect([last?.source, last?.status]).toEqual(['checkout', 'unconfirmed']);
    expect(exported.consent.currentlyConsented).toBe(false);
    expect(exported.marketingContact).toBeNull();
    expect(exported.suppression).toMatchObject({ reason: 'unsubscribe', inForce: true });
  });
});

describe('an order table restored from before an erasure, then the owner checks out again (review s9)', () => {
  it('an unsent request from before the erasure is not mailed; a new one is, and its link works', async () => {
    // Prepare: a stranger's checkout opened a request; the backup is taken before its email went
    // out; the erasure; the backup restored over the order table
    const w = await optedInOwner();
    await recordOptOut(optOutDeps(w.ports), await w.emailKey(), 'unsubscribe');
    w.ports.clock.advance(DAY_MS);
    const strangers = await w.checkout(true);
    const customers = structuredClone([...w.ports.consent.customers]);
    const suppressions = structuredClone([...w.ports.consent.suppressions]);
    const before = customers[0]?.[1].confirmation;
    w.ports.clock.advance(60_000);
    await eraseCustomer(eraseDeps(w.ports), owner.email);
    w.ports.consent.customers.clear();
    w.ports.consent.suppressions.clear();
    for (const [k, v] of customers) w.ports.consent.customers.set(k, v);
    for (const [k, v] of suppressions) w.ports.consent.suppressions.set(k, v);
    // Act: the restored request's order is notified (its message was still queued); the erased
    // owner comes back and checks out, once without and once with the marketing box ticked
    const stale = await w.notify('order.accepted', strangers);
    w.ports.clock.advance(DAY_MS);
    const plain = await w.notify('order.accepted', await w.checkout(false));
    const accepted = await w.notify('order.accepted', await w.checkout(true));
    const outcome = await confirmConsent(w.confirmDeps, w.tokenOf(w.confirmations()[0]?.text ?? ''));
    // Assess
    expect(before?.email).toBe('requested');
    expect(stale.confirmation?.outcome).toBe('personal-data-gone');
    expect(plain.confirmation?.outcome).toBe('not-requested');
    expect(accepted.confirmation?.outcome).toBe('sent');
    expect(w.confirmations()).toHaveLength(1);
    expect(outcome).toBe('confirmed');
  });
});

describe("a burst of a stranger's concurrent checkouts for a suppressed address (review s9)", () => {
  it('adds one unconfirmed opt-in and opens one request, however many run at once', async () => {
    // Prepare
    const w = await suppressedAddress(SUPPRESSIONS[0]?.[1] ?? (async () => undefined));
    const key = await w.emailKey();
    const before = w.ports.consent.customers.get(key)?.consent.length ?? 0;
    w.ports.clock.advance(1000);
    // Act: eight intakes interleave at every await
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        submitOrder(w.ports, {
          idempotencyKey: `burst-${i}`,
          body: orderBody(owner, { marketingOptIn: true }),
        }),
      ),
    );
    // Assess
    const ledger = w.ports.consent.customers.get(key)?.consent ?? [];
    expect(ledger.length - before).toBe(1);
    expect(ledger.at(-1)?.status).toBe('unconfirmed');
    expect(w.ports.consent.customers.get(key)?.confirmation?.email).toBe('requested');
  });
});

describe('an opt-out from a confirmation email sent after an erasure (review s9b)', () => {
  it.each(['unsubscribe', 'complaint', 'bounce'] as const)(
    'a %s keeps the erasure suppression dated by the erasure: the cooldown holds, no second email within 7 days',
    async (reason) => {
      // Prepare: erased; a stranger's checkout then sends one confirmation email
      const w = await optedInOwner();
      await eraseCustomer(eraseDeps(w.ports), owner.email);
      const erased = w.ports.consent.suppressions.get(await w.emailKey());
      w.ports.clock.advance(DAY_MS);
      await w.notify('order.accepted', await w.checkout(true));
      w.ports.clock.advance(60_000);
      // Act: the owner opts out of that email; a day later the stranger checks out again
      await recordOptOut(optOutDeps(w.ports), await w.emailKey(), reason);
      const kept = w.ports.consent.suppressions.get(await w.emailKey());
      w.ports.clock.advance(DAY_MS);
      await w.notify('order.accepted', await w.checkout(true));
      // Assess
      expect(kept).toEqual(erased);
      expect(w.confirmations()).toHaveLength(1);
      expect(w.promotional()).toEqual([]);
    },
  );
});
