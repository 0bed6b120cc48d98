import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import { partnerQueue } from '#shared/contracts.js';
import type { ErasureCertificate } from '#shared/domain/certificate.js';
import { verifyLedger } from '#shared/domain/ledger.js';
import { ORDER_REDACTED_TYPE } from '#shared/domain/projections.js';
import type { LedgerStore } from '#shared/ledger-ports.js';
import type { PartnerClient } from '#shared/ports.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { deliverToPartner, webhookId } from '#shared/usecases/deliver-to-partner.js';
import { ERASURE_LEASE_MS } from '#shared/usecases/erasure-fence.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { randomLedgerMac, SAMPLE_PARTNERS, sampleSecrets } from './deliver-fixtures.js';

const person = canaries('e7e5a3e1');
const mac = randomLedgerMac();
const PARTNERS = SAMPLE_PARTNERS;
const SECRETS = sampleSecrets();
const accepting: PartnerClient = { post: async () => ({ status: 204 }) };

class Crash extends Error {
  override readonly name = 'Crash';
}

/** Counts store calls across every wrapped port; throws Crash instead of making call number `at`. */
class CrashPlan {
  readonly log: string[] = [];
  constructor(private readonly at = Number.POSITIVE_INFINITY) {}
  wrap<T extends object>(name: string, target: T): T {
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        const value = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function' || prop === 'constructor') return value;
        return (...args: unknown[]) => {
          if (this.log.length === this.at) throw new Crash(`died before ${name}.${String(prop)}`);
          this.log.push(`${name}.${String(prop)}`);
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  }
}

/** One order of the person, delivered to both partners (the carrier holds its personal fields), with a marketing opt-in. */
async function world() {
  const ports = fakePorts();
  const { orderId } = await submitOrder(ports, {
    idempotencyKey: 'order-1',
    body: orderBody(person, { marketingOptIn: true }),
  });
  for (const partnerId of ['warehouse', 'carrier'])
    await deliverToPartner(
      {
        orders: ports.orders,
        dataKeys: ports.dataKeys,
        secrets: SECRETS,
        partnerClient: accepting,
        partnerState: new MemoryPartnerStateStore(),
        clock: ports.clock,
        partners: PARTNERS,
        settings: { originCountry: 'GB', timeoutMs: 15_000, baseDelaySeconds: 1 },
        random: () => 0,
        disclosures: { mac, store: ports.orders },
      },
      { orderId, partnerId, receiveCount: 1, maxAttempts: 5 },
    );
  ports.clock.advance(1000);
  return { ports, orderId, certificates: new MemoryCertificateStore() };
}
type World = Awaited<ReturnType<typeof world>>;

function eraseDeps(w: World, plan: CrashPlan) {
  const orders = plan.wrap('orders', w.ports.orders);
  return {
    orders,
    consent: plan.wrap('consent', w.ports.consent),
    lookup: w.ports.lookup,
    fence: plan.wrap('fence', w.ports.fence),
    clock: w.ports.clock,
    ledger: orders as LedgerStore,
    ledgerMac: mac,
    queue: plan.wrap('queue', w.ports.queue),
    certificates: plan.wrap('certificates', w.certificates),
    principal: { principal: async () => 'local:test' },
    partners: PARTNERS,
  };
}

describe('an erasure whose process dies part-way is resumed by the next run', () => {
  it('ends, from a death before any one of its store calls, as one uninterrupted run would', async () => {
    // Prepare: the store calls of one uninterrupted run.
    const dry = await world();
    const counter = new CrashPlan();
    const whole = await eraseWithCertificate(eraseDeps(dry, counter), person.email);
    expect(whole.certificate.redactions.map((r) => [r.partner, r.basis])).toEqual([['carrier', 'received']]);
    expect(counter.log).toContain('certificates.openJournal');
    expect(counter.log).toContain('certificates.closeJournal');
    const resumedAtLeastOnce: string[] = [];

    for (let at = 0; at < counter.log.length; at++) {
      const w = await world();
      const where = `died before ${counter.log[at]} (call ${at})`;
      const firstStart = w.ports.clock.now().toISOString();
      // Act: the run dies; the operator runs it again once the fence's lease has passed.
      await expect(
        eraseWithCertificate(eraseDeps(w, new CrashPlan(at)), person.email),
        where,
      ).rejects.toThrow(Crash);
      const left = [...w.certificates.journals.values()];
      const firstStored = w.certificates.certificates.size > 0;
      w.ports.clock.advance(ERASURE_LEASE_MS + 1000);
      const secondStart = w.ports.clock.now().toISOString();
      const second = await eraseWithCertificate(eraseDeps(w, new CrashPlan()), person.email);
      if (left.length > 0) resumedAtLeastOnce.push(counter.log[at] as string);

      // Assess: the data is gone.
      const emailKey = await w.ports.lookup.emailKey(person.email);
      expect(await w.ports.orders.getPersonal(w.orderId, w.ports.clock.now()), where).toBeUndefined();
      expect(await w.ports.consent.getCustomer(emailKey), where).toBeUndefined();
      expect((await w.ports.consent.getSuppression(emailKey))?.reason, where).toBe('erasure');
      // One erasure in the ledger, one redaction request, the chain intact.
      const stored = await w.ports.orders.getLedger(w.orderId);
      const entries = stored?.entries ?? [];
      expect((await verifyLedger(mac, w.orderId, entries, stored?.head)).ok, where).toBe(true);
      const erased = entries.filter((e) => e.type === 'erased');
      expect(erased, where).toHaveLength(1);
      expect(
        entries.filter((e) => e.type === 'redaction-requested').map((e) => 'recipient' in e && e.recipient),
        where,
      ).toEqual(['carrier']);
      // Exactly one certificate that erased something, naming the order and the carrier.
      const all = [...w.certificates.certificates.values()];
      const certs = all.filter((c) => c.outcome === 'erased');
      expect(certs, where).toHaveLength(1);
      const cert = certs[0] as ErasureCertificate;
      expect(erased[0]?.type === 'erased' && erased[0].certificate, where).toBe(cert.id);
      expect(cert.erased.orders, where).toEqual([{ orderId: w.orderId, personalRecords: 1 }]);
      expect(cert.erased.customerRecords, where).toBe(1);
      expect(cert.erased.marketingContactRemoved, where).toBe(true);
      expect(cert.redactions, where).toEqual([
        {
          orderId: w.orderId,
          partner: 'carrier',
          webhookId: webhookId(w.orderId, 'carrier', ORDER_REDACTED_TYPE),
          requestedAt: cert.erasedAt,
          basis: 'received',
        },
      ]);
      // A journal the first run left is resumed: its certificate id, dated by the run that finished
      // (unless the first run stored the certificate before it died: that one stands).
      if (left[0]) {
        expect(cert.id, where).toBe(left[0].certificate);
        expect(left[0].startedAt, where).toBe(firstStart);
        expect(cert.erasedAt, where).toBe(firstStored ? firstStart : secondStart);
      }
      // The carrier's redaction is queued (once, or again by the resuming run: the same webhook-id,
      // dated by the run that queued it), the warehouse's never.
      const redactions = w.ports.queue.sent
        .filter((s) => s.message.type === ORDER_REDACTED_TYPE)
        .map((s) => ({ queue: s.queue, ...s.message }) as Record<string, unknown>);
      expect(redactions.length, where).toBeGreaterThanOrEqual(1);
      for (const r of redactions)
        expect(r, where).toEqual({
          queue: partnerQueue('carrier'),
          type: ORDER_REDACTED_TYPE,
          orderId: w.orderId,
          partner: 'carrier',
          requestedAt: expect.stringMatching(new RegExp(`^(${firstStart}|${secondStart})$`)),
        });
      expect(redactions.at(-1)?.requestedAt, where).toBe(left.length > 0 ? secondStart : cert.erasedAt);
      // Nothing left half-done; the second run's receipt says what happened to the data.
      expect(w.certificates.journals.size, where).toBe(0);
      if (second.certificate.id === cert.id) expect(second.receipt.ordersErased, where).toEqual([w.orderId]);
      else expect(second.receipt.outcome, where).toBe('nothing-to-erase');
    }
    // Deaths between the journal's open and its close were resumed (deletes, ledger, queue, certificate).
    for (const call of [
      'orders.deletePersonal',
      'orders.appendLedger',
      'queue.send',
      'certificates.putCertificate',
    ])
      expect(resumedAtLeastOnce).toContain(call);
  });
});
