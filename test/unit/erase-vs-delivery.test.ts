import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import type { MemoryOrderStore } from '#shared/adapters/memory/memory-stores.js';
import type { ErasureCertificate } from '#shared/domain/certificate.js';
import { type LedgerEntry, unsettledSends, verifyLedger } from '#shared/domain/ledger.js';
import { ORDER_REDACTED_TYPE } from '#shared/domain/projections.js';
import type { LedgerAppend, LedgerStore } from '#shared/ledger-ports.js';
import type { PartnerClient, PartnerResponse } from '#shared/ports.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { deliverRedaction } from '#shared/usecases/deliver-redaction.js';
import {
  type DeliverDeps,
  type DeliverOutcome,
  deliverToPartner,
  INTENT_BUDGET_MS,
  inFlightUntil,
  webhookId,
} from '#shared/usecases/deliver-to-partner.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';
import { Interleaver } from '../support/interleave.js';
import { randomLedgerMac, SAMPLE_PARTNERS, sampleSecrets } from './deliver-fixtures.js';

const person = canaries('e4a5e1f1');
const mac = randomLedgerMac();
const PARTNERS = SAMPLE_PARTNERS;
const SECRETS = sampleSecrets();
const TIMEOUT_MS = 15_000;

/** What one partner received, in order: message types, and whether it carried the canary name. */
interface Received {
  readonly type: string;
  readonly personal: boolean;
}

/** Records every POST per partner; answers 204 (or what `answer` says). */
class RecordingPartners implements PartnerClient {
  readonly received: Record<string, Received[]> = { warehouse: [], carrier: [] };
  answer: (partner: string, type: string) => Promise<number> = async () => 204;
  async post(url: string, body: string): Promise<PartnerResponse> {
    const partner = PARTNERS.find((p) => p.url === url)?.id ?? url;
    const type = (JSON.parse(body) as { type: string }).type;
    this.received[partner]?.push({ type, personal: body.includes(person.givenName) });
    return { status: await this.answer(partner, type) };
  }
}

/** Fresh stores holding one accepted order of the person (routed to the warehouse and the carrier). */
async function world() {
  const ports = fakePorts();
  const accepted = await submitOrder(ports, { idempotencyKey: 'order-1', body: orderBody(person) });
  ports.clock.advance(1000);
  return {
    ports,
    orderId: accepted.orderId,
    partners: new RecordingPartners(),
    certificates: new MemoryCertificateStore(),
  };
}
type World = Awaited<ReturnType<typeof world>>;

function deliverDeps(w: World, over: Partial<DeliverDeps> = {}): DeliverDeps {
  return {
    orders: w.ports.orders,
    dataKeys: w.ports.dataKeys,
    secrets: SECRETS,
    partnerClient: w.partners,
    partnerState: new MemoryPartnerStateStore(),
    clock: w.ports.clock,
    partners: PARTNERS,
    settings: { originCountry: 'GB', timeoutMs: TIMEOUT_MS, baseDelaySeconds: 1 },
    random: () => 0,
    disclosures: { mac, store: w.ports.orders },
    ...over,
  };
}

const deliverCarrier = (w: World, over: Partial<DeliverDeps> = {}, receiveCount = 1) =>
  deliverToPartner(deliverDeps(w, over), {
    orderId: w.orderId,
    partnerId: 'carrier',
    receiveCount,
    maxAttempts: 5,
  });

function eraseDeps(w: World, over: { orders?: FakePorts['orders']; ledger?: LedgerStore } = {}) {
  return {
    orders: over.orders ?? w.ports.orders,
    consent: w.ports.consent,
    lookup: w.ports.lookup,
    fence: w.ports.fence,
    clock: w.ports.clock,
    ledger: over.ledger ?? (w.ports.orders as LedgerStore),
    ledgerMac: mac,
    queue: w.ports.queue,
    certificates: w.certificates,
    principal: { principal: async () => 'local:test' },
    partners: PARTNERS,
  };
}

/** One attempt of every `order.redacted` queued so far (as the partner's queue consumer would). */
async function redactOnce(w: World, attempt = 1): Promise<DeliverOutcome[]> {
  const outcomes: DeliverOutcome[] = [];
  for (const { message } of w.ports.queue.sent) {
    if (message.type !== ORDER_REDACTED_TYPE || !('requestedAt' in message)) continue;
    outcomes.push(
      await deliverRedaction(
        {
          ledger: w.ports.orders as LedgerStore,
          ledgerMac: mac,
          secrets: SECRETS,
          partnerClient: w.partners,
          partnerState: new MemoryPartnerStateStore(),
          clock: w.ports.clock,
          partners: PARTNERS,
          settings: { timeoutMs: TIMEOUT_MS, baseDelaySeconds: 1 },
          random: () => 0,
        },
        {
          orderId: message.orderId,
          partnerId: String(message.partner),
          requestedAt: message.requestedAt as string,
          receiveCount: attempt,
          maxAttempts: 16,
        },
      ),
    );
  }
  return outcomes;
}

/** Runs the queued redactions to the end, the clock moving on by each retry's delay. */
async function redactAll(w: World): Promise<void> {
  for (let attempt = 1; attempt <= 16; attempt++) {
    const outcomes = await redactOnce(w, attempt);
    const retry = outcomes.find((o) => o.outcome === 'retry');
    if (retry?.outcome !== 'retry') return;
    w.ports.clock.advance(retry.delaySeconds * 1000);
  }
}

const certificateOf = (w: World): ErasureCertificate => {
  const [certificate, ...more] = [...w.certificates.certificates.values()];
  expect(more).toEqual([]);
  return certificate as ErasureCertificate;
};
const ledgerOf = async (w: World): Promise<readonly LedgerEntry[]> =>
  (await w.ports.orders.getLedger(w.orderId))?.entries ?? [];
/** The carrier's and the erasure's entries, as `type→recipient` (the warehouse's left out). */
const carrierStory = (entries: readonly LedgerEntry[]) =>
  entries
    .filter((e) => ('recipient' in e && e.recipient === 'carrier') || e.type === 'erased')
    .map(
      (e) => `${e.type}${'messageType' in e && e.messageType === ORDER_REDACTED_TYPE ? ' (redacted)' : ''}`,
    );

/**
 * The guarantee, with exact values: either the carrier got the personal data, then the certificate
 * names it and it got `order.redacted` after the data; or it got nothing and the certificate names
 * no one. Returns which of the two.
 */
async function assertGuarantee(
  w: World,
  where: string,
  delivery: DeliverOutcome,
): Promise<'redacted' | 'never sent'> {
  const certificate = certificateOf(w);
  const entries = await ledgerOf(w);
  const head = (await w.ports.orders.getLedger(w.orderId))?.head;
  expect((await verifyLedger(mac, w.orderId, entries, head)).ok, where).toBe(true);
  const got = w.partners.received.carrier ?? [];
  if (got.some((r) => r.personal)) {
    // `received` exactly when the delivery's 2xx outcome was in the ledger before `erased`.
    const erasedAt = entries.findIndex((e) => e.type === 'erased');
    const outcomeFirst = entries
      .slice(0, erasedAt)
      .some((e) => e.type === 'sent' && e.recipient === 'carrier' && e.failure === undefined);
    expect(certificate.redactions, where).toEqual([
      {
        orderId: w.orderId,
        partner: 'carrier',
        webhookId: webhookId(w.orderId, 'carrier', ORDER_REDACTED_TYPE),
        requestedAt: certificate.erasedAt,
        basis: outcomeFirst ? 'received' : 'may-have-received',
      },
    ]);
    expect(got, where).toEqual([
      { type: 'shipment.requested', personal: true },
      { type: 'order.redacted', personal: false },
    ]);
    expect(delivery.outcome, where).toBe('delivered');
    return 'redacted';
  }
  expect(got, where).toEqual([]);
  expect(certificate.redactions, where).toEqual([]);
  expect(delivery.outcome, where).toBe('personal-data-gone');
  expect(w.ports.orders.orders.get(w.orderId)?.deliveries.carrier?.state, where).toBe('failed');
  return 'never sent';
}

/** The delivery's ports, every call passing the interleaver's await points. */
function wrappedDelivery(w: World, il: Interleaver): Partial<DeliverDeps> {
  return {
    orders: il.wrap('orders', w.ports.orders),
    dataKeys: il.wrap('dataKeys', w.ports.dataKeys),
    secrets: il.wrap('secrets', SECRETS),
    partnerClient: il.wrap('partnerClient', w.partners),
    disclosures: { mac, store: il.wrap('ledger', w.ports.orders as LedgerStore) },
  };
}

describe('erase while a delivery to the carrier is under way', () => {
  it('erasure at every await point of the delivery: redacted after the data, or never sent', async () => {
    // Prepare: a dry run counts the delivery's await points.
    const dry = await world();
    const counter = new Interleaver();
    await deliverCarrier(dry, wrappedDelivery(dry, counter));
    const points = counter.points;
    expect(counter.log).toContain('before partnerClient.post');
    expect(counter.log.indexOf('after ledger.appendLedger')).toBeLessThan(
      counter.log.indexOf('before partnerClient.post'),
    );

    const seen: Record<string, string[]> = { redacted: [], 'never sent': [] };
    const redactionWaited: string[] = [];
    for (let at = 0; at < points; at++) {
      const w = await world();
      const il = new Interleaver();
      // The erasure, and the redaction's first attempt at once, while the delivery is suspended.
      il.inject(at, async () => {
        await eraseWithCertificate(eraseDeps(w), person.email);
        const [first] = await redactOnce(w);
        if (first?.outcome === 'retry') redactionWaited.push(counter.log[at] as string);
      });
      // Act
      const delivery = await deliverCarrier(w, wrappedDelivery(w, il));
      await redactAll(w);
      // Assess
      const where = `erasure at point ${at} (${counter.log[at]})`;
      expect(il.injected, where).toBe(true);
      seen[await assertGuarantee(w, where, delivery)]?.push(counter.log[at] as string);
    }
    // Both endings occur; the data goes out after the erasure only when its entry was written
    // before it (the bug: 'sent' written after the partner's 2xx, the erasure finding nothing).
    expect(seen.redacted).toContain('before partnerClient.post');
    expect(seen.redacted).toContain('after ledger.appendLedger');
    expect(seen['never sent']).toContain('before ledger.appendLedger');
    expect(seen['never sent']).toContain('before orders.getPersonal');
    // The redaction never overtook a POST that may be under way: from the entry until its outcome
    // is recorded, its first attempt waited.
    expect(redactionWaited).toEqual([
      'after ledger.appendLedger',
      'before partnerClient.post',
      'after partnerClient.post',
      'before orders.setDeliveryState',
    ]);
  });

  it('delivery at every await point of the erasure: redacted after the data, or never sent', async () => {
    // Prepare: the erasure's store calls pass the await points.
    const wrappedErase = (w: World, il: Interleaver) =>
      eraseDeps(w, {
        orders: il.wrap('orders', w.ports.orders),
        ledger: il.wrap('ledger', w.ports.orders as LedgerStore),
      });
    const dry = await world();
    const counter = new Interleaver();
    await eraseWithCertificate(wrappedErase(dry, counter), person.email);
    const outcomes = { redacted: 0, 'never sent': 0 };
    for (let at = 0; at < counter.points; at++) {
      const w = await world();
      const il = new Interleaver();
      let delivery: DeliverOutcome | undefined;
      il.inject(at, async () => {
        delivery = await deliverCarrier(w);
      });
      // Act
      await eraseWithCertificate(wrappedErase(w, il), person.email);
      await redactAll(w);
      // Assess
      const where = `delivery at point ${at} (${counter.log[at]})`;
      expect(il.injected, where).toBe(true);
      outcomes[await assertGuarantee(w, where, delivery as DeliverOutcome)] += 1;
    }
    expect(outcomes.redacted).toBeGreaterThan(0);
    expect(outcomes['never sent']).toBeGreaterThan(0);
  });
});

/** An append whose `build` lets `competitor` run once, between the read of the tip and the write. */
function racing(append: LedgerAppend, competitor: () => Promise<unknown>): LedgerAppend {
  let ran = false;
  return {
    tip: append.tip,
    build: async (tip) => {
      if (!ran) {
        ran = true;
        await competitor();
      }
      return append.build(tip);
    },
  };
}

/** A ledger store whose first append runs `competitor` inside it (see `racing`). */
function raceFirstAppend(store: LedgerStore, competitor: () => Promise<unknown>): LedgerStore {
  let first = true;
  return {
    getLedger: (orderId) => store.getLedger(orderId),
    appendLedger: (orderId, append) => {
      if (!first) return store.appendLedger(orderId, append);
      first = false;
      return store.appendLedger(orderId, racing(append, competitor));
    },
  };
}

describe('races inside one conditional append', () => {
  it("an erasure landing between the delivery's read of the tip and its write-ahead entry: nothing is sent", async () => {
    // Prepare
    const w = await world();
    const store = raceFirstAppend(w.ports.orders as LedgerStore, () =>
      eraseWithCertificate(eraseDeps(w), person.email),
    );
    // Act
    const delivery = await deliverCarrier(w, { disclosures: { mac, store } });
    await redactAll(w);
    // Assess: the entry, re-chained on the tip that holds `erased`, was refused.
    expect(await assertGuarantee(w, 'erasure inside the write-ahead append', delivery)).toBe('never sent');
    expect(carrierStory(await ledgerOf(w))).toEqual(['erased']);
    expect((await ledgerOf(w)).filter((e) => e.type === 'purpose-opened').map((e) => e.seq)).toEqual([2]);
  });

  it("a write-ahead entry landing between the erasure's read of the ledger and its write: the carrier is redacted", async () => {
    // Prepare: the delivery has read and opened the personal data, and waits at its entry.
    const w = await world();
    let atEntry!: () => void;
    const reachedEntry = new Promise<void>((resolve) => (atEntry = resolve));
    let letEntryGo!: () => void;
    const entryGo = new Promise<void>((resolve) => (letEntryGo = resolve));
    let entryWritten!: () => void;
    const written = new Promise<void>((resolve) => (entryWritten = resolve));
    const orders = w.ports.orders as LedgerStore;
    // The carrier answers once the erasure is done (the delivery's outcome lands after `erased`).
    let erasureDone!: () => void;
    const erased = new Promise<void>((resolve) => (erasureDone = resolve));
    w.partners.answer = async () => {
      await erased;
      return 204;
    };
    const held: LedgerStore = {
      getLedger: (orderId) => orders.getLedger(orderId),
      appendLedger: async (orderId, append) => {
        atEntry();
        await entryGo;
        const result = await orders.appendLedger(orderId, append);
        entryWritten();
        return result;
      },
    };
    const delivery = deliverCarrier(w, { disclosures: { mac, store: held } });
    await reachedEntry;
    // Act: the erasure reads the ledger (no carrier entry yet); the entry lands before its write.
    await eraseWithCertificate(
      eraseDeps(w, {
        ledger: raceFirstAppend(orders, async () => {
          letEntryGo();
          await written;
        }),
      }),
      person.email,
    );
    erasureDone();
    const outcome = await delivery;
    await redactAll(w);
    // Assess
    expect(await assertGuarantee(w, 'entry inside the erasure append', outcome)).toBe('redacted');
    expect(carrierStory(await ledgerOf(w))).toEqual([
      'sending',
      'erased',
      'redaction-requested',
      'sent',
      'acknowledged',
      'sent (redacted)',
      'acknowledged (redacted)',
    ]);
  });
});

describe('the delivery process dies between its write-ahead entry and its POST', () => {
  it('the carrier is in the certificate, gets only order.redacted, after the in-flight bound; the retry sends nothing', async () => {
    // Prepare: after its entry is written every call of the dying process fails (no POST, no write).
    const w = await world();
    let dead = false;
    const orders = w.ports.orders as MemoryOrderStore;
    const dying = <T extends object>(target: T): T =>
      new Proxy(target, {
        get: (object, property, receiver) => {
          const value: unknown = Reflect.get(object, property, receiver);
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            if (dead) throw new Error('the process is gone');
            const result: unknown = await (value as (...a: unknown[]) => unknown).apply(object, args);
            if (property === 'appendLedger') dead = true;
            return result;
          };
        },
      });
    await deliverCarrier(w, {
      orders: dying(orders),
      partnerClient: dying(w.partners),
      disclosures: { mac, store: dying(orders as LedgerStore) },
    });
    const entryAt = (await ledgerOf(w)).find((e) => e.type === 'sending')?.at as string;
    // Act: the erasure; the redaction's first attempt at once, then as its retries come.
    w.ports.clock.advance(1000);
    await eraseWithCertificate(eraseDeps(w), person.email);
    const [first] = await redactOnce(w);
    const retried = await deliverCarrier(w, {}, 2);
    await redactAll(w);
    // Assess
    expect(w.partners.received.carrier).toEqual([{ type: 'order.redacted', personal: false }]);
    expect(certificateOf(w).redactions.map((r) => r.partner)).toEqual(['carrier']);
    expect(first).toEqual({
      outcome: 'retry',
      attempt: 1,
      delaySeconds: 1,
      reason: { error: 'DeliveryInFlight' },
    });
    expect(retried).toEqual({ outcome: 'personal-data-gone' });
    const story = await ledgerOf(w);
    expect(carrierStory(story)).toEqual([
      'sending',
      'erased',
      'redaction-requested',
      'sent (redacted)',
      'acknowledged (redacted)',
    ]);
    const redactionSent = story.find((e) => e.type === 'sent' && e.messageType === ORDER_REDACTED_TYPE);
    expect(Date.parse(redactionSent?.at as string)).toBeGreaterThanOrEqual(
      inFlightUntil(entryAt, TIMEOUT_MS),
    );
    expect(inFlightUntil(entryAt, TIMEOUT_MS) - Date.parse(entryAt)).toBe(
      INTENT_BUDGET_MS + TIMEOUT_MS + 2_000,
    );
  });
});

describe('retries of one delivery', () => {
  it('write one entry ahead per attempt, each settled by its outcome, all with the same webhook-id', async () => {
    // Prepare: the carrier answers 503, times out, then 204.
    const w = await world();
    const answers = [503, 'timeout', 204] as const;
    let n = 0;
    w.partners.answer = async () => {
      const answer = answers[n++];
      if (answer === 'timeout') throw Object.assign(new Error('timed out'), { name: 'TimeoutError' });
      return answer ?? 204;
    };
    // Act
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++)
      outcomes.push((await deliverCarrier(w, {}, attempt)).outcome);
    const again = await deliverCarrier(w, {}, 4);
    // Assess
    expect(outcomes).toEqual(['retry', 'retry', 'delivered']);
    expect(again).toEqual({ outcome: 'already-delivered' });
    const entries = (await ledgerOf(w)).filter((e) => 'recipient' in e && e.recipient === 'carrier');
    expect(entries.map((e) => [e.type, e.type === 'sent' ? (e.failure ?? null) : null])).toEqual([
      ['sending', null],
      ['sent', '503'],
      ['sending', null],
      ['sent', 'TimeoutError'],
      ['sending', null],
      ['sent', null],
      ['acknowledged', null],
    ]);
    expect(new Set(entries.map((e) => ('webhookId' in e ? e.webhookId : '')))).toEqual(
      new Set([webhookId(w.orderId, 'carrier', 'shipment.requested')]),
    );
    // A partner that answered and one that may have: both are named for redaction.
    await eraseWithCertificate(eraseDeps(w), person.email);
    expect(certificateOf(w).redactions.map((r) => r.partner)).toEqual(['carrier']);
  });

  it('an attempt whose entry took longer than the budget to write does not POST, and is retried', async () => {
    // Prepare: the ledger write takes INTENT_BUDGET_MS + 1 ms.
    const w = await world();
    const orders = w.ports.orders as LedgerStore;
    const slow: LedgerStore = {
      getLedger: (orderId) => orders.getLedger(orderId),
      appendLedger: async (orderId, append) => {
        const result = await orders.appendLedger(orderId, append);
        w.ports.clock.advance(INTENT_BUDGET_MS + 1);
        return result;
      },
    };
    // Act
    const outcome = await deliverCarrier(w, { disclosures: { mac, store: slow } });
    // Assess
    expect(outcome).toEqual({
      outcome: 'retry',
      attempt: 1,
      delaySeconds: 1,
      reason: { error: 'LedgerWriteTooSlow' },
    });
    expect(w.partners.received.carrier).toEqual([]);
    // Its outcome is entered, so a redaction does not wait out its window (review s10b).
    const entries = await ledgerOf(w);
    expect(carrierStory(entries)).toEqual(['sending', 'sent']);
    expect(entries.find((e) => e.type === 'sent')).toMatchObject({ failure: 'LedgerWriteTooSlow' });
    expect(unsettledSends(entries, 'carrier')).toEqual([]);
  });

  it('the warehouse (no personal field) needs no entry ahead: recorded after its answer, as before', async () => {
    // Prepare
    const w = await world();
    // Act
    const outcome = await deliverToPartner(deliverDeps(w), {
      orderId: w.orderId,
      partnerId: 'warehouse',
      receiveCount: 1,
      maxAttempts: 5,
    });
    // Assess
    expect(outcome.outcome).toBe('delivered');
    expect((await ledgerOf(w)).map((e) => e.type)).toEqual(['sent', 'acknowledged']);
  });
});
