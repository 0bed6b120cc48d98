/**
 * Review s10: the disclosure ledger's "a verifier reports a broken or shortened chain"
 * (data-inventory.md) and the erasure certificate's "for each partner, when the redaction was sent
 * and when it was acknowledged".
 */
import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import { partnersWithPersonalData, verifyLedger } from '#shared/domain/ledger.js';
import { FIELDS, type FieldDeclaration } from '#shared/inventory.js';
import type { LedgerStore } from '#shared/ledger-ports.js';
import type { PartnerClient } from '#shared/ports.js';
import { eraseWithCertificate, showCertificate } from '#shared/usecases/certify-erasure.js';
import { deliverToPartner } from '#shared/usecases/deliver-to-partner.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import {
  certifiedEraseDeps,
  portsDeliverDeps,
  randomLedgerMac,
  SAMPLE_PARTNERS,
  sampleSecrets,
} from './deliver-fixtures.js';

const mac = randomLedgerMac();
const ok: PartnerClient = { post: async () => ({ status: 204 }) };
const isPersonal = (path: keyof typeof FIELDS) => (FIELDS[path] as FieldDeclaration).personal;

/** An order of `tag`'s person, delivered to the warehouse and the carrier (ledger: the carrier's data). */
async function deliveredOrder(tag: string) {
  const person = canaries(tag);
  const ports = fakePorts();
  const accepted = await submitOrder(ports, { idempotencyKey: `o-${tag}`, body: orderBody(person) });
  ports.clock.advance(1000);
  const deps = portsDeliverDeps(ports, ok, new MemoryPartnerStateStore(), { mac });
  for (const partnerId of ['warehouse', 'carrier'])
    expect(
      (
        await deliverToPartner(deps, {
          orderId: accepted.orderId,
          partnerId,
          receiveCount: 1,
          maxAttempts: 8,
        })
      ).outcome,
    ).toBe('delivered');
  return { person, ports, orderId: accepted.orderId };
}

describe('review s10: the ledger verifier and a shortened chain', () => {
  it('reports a ledger cut down to nothing under an order that says it was delivered (it verified)', async () => {
    // Prepare: the carrier received the name and address; the ledger says so and verifies.
    const { ports, orderId } = await deliveredOrder('5a10ab03');
    const before = await ports.orders.getLedger(orderId);
    expect(before?.entries.length).toBeGreaterThan(0);
    expect((await verifyLedger(mac, orderId, before?.entries ?? [], before?.head)).ok).toBe(true);
    // Someone with write access to the order table (no key) removes `ledger` and `ledgerHead`.
    ports.orders.ledgers.ledgers.delete(orderId);
    const after = await ports.orders.getLedger(orderId);
    const order = ports.orders.orders.get(orderId);
    // Act: as the console, `minimis audit` and the export verify, with the order item beside it.
    const verification = await verifyLedger(mac, orderId, after?.entries ?? [], after?.head, order);
    const alone = await verifyLedger(mac, orderId, after?.entries ?? [], after?.head);
    // Assess: the order shows both deliveries `delivered` and the confirmation email sent; the
    // emptied chain alone cannot tell (no head, no entries), the order item beside it can.
    expect(order?.deliveries.carrier?.state).toBe('delivered');
    expect(partnersWithPersonalData(after?.entries ?? [], isPersonal)).toEqual([]);
    expect(alone.ok).toBe(true);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual(
      expect.arrayContaining([
        { seq: null, problem: 'missing-entry', of: 'delivery to carrier' },
        { seq: null, problem: 'missing-entry', of: 'delivery to warehouse' },
      ]),
    );
  });

  it('reports a ledger rolled back to an earlier, shorter state of itself under the order as it is now (it verified)', async () => {
    // Prepare: a copy of the ledger (entries and head) taken after the warehouse's delivery only.
    const { ports, orderId } = await deliveredOrder('5a10ab04');
    const full = await ports.orders.getLedger(orderId);
    const stored = ports.orders.ledgers.ledgers.get(orderId);
    expect(stored).toBeDefined();
    // Re-seal the warehouse-only prefix the way it stood on the item earlier (its head was stored then).
    const prefixLength = (full?.entries ?? []).findIndex(
      (e) => 'recipient' in e && e.recipient === 'carrier',
    );
    expect(prefixLength).toBeGreaterThan(0);
    const fresh = await deliveredOrderPrefix(ports, orderId, prefixLength);
    const order = ports.orders.orders.get(orderId);
    // Act
    const verification = await verifyLedger(mac, orderId, fresh.entries, fresh.head, order);
    // Assess: the earlier state is a valid chain of its own; the carrier's delivery is not in it.
    expect(fresh.entries.length).toBeLessThan(full?.entries.length ?? 0);
    expect((await verifyLedger(mac, orderId, fresh.entries, fresh.head)).ok).toBe(true);
    expect(verification.problems).toEqual([
      { seq: null, problem: 'missing-entry', of: 'delivery to carrier' },
    ]);
    // And the full chain under the same order verifies.
    expect((await verifyLedger(mac, orderId, full?.entries ?? [], full?.head, order)).ok).toBe(true);
  });
});

/**
 * The ledger as it was stored after its first `n` entries: the entries are the same objects and the
 * head is the head the appender wrote then (recomputed here with the key only because the memory
 * store keeps just the latest head; an attacker copies the old item instead).
 */
async function deliveredOrderPrefix(ports: ReturnType<typeof fakePorts>, orderId: string, n: number) {
  const all = (await ports.orders.getLedger(orderId))?.entries ?? [];
  const entries = all.slice(0, n);
  const lastMac = entries.at(-1)?.mac ?? '';
  const headMac = await mac(`minimis-ledger-v1\nhead\n${orderId}\n${n}\n${lastMac}`);
  return { entries, head: { count: n, mac: headMac } };
}

describe('review s10: the certificate and a partner no longer configured', () => {
  it('names a partner that received personal data even when it left the configuration (it was left out, and the certificate said complete)', async () => {
    // Prepare: the carrier received the person's name and address; later the operator removes
    // the carrier from the configuration (contract ended, replaced by another carrier).
    const { person, ports, orderId } = await deliveredOrder('5a10ab05');
    const certificates = new MemoryCertificateStore();
    const deps = {
      ...certifiedEraseDeps(ports, certificates, mac),
      partners: SAMPLE_PARTNERS.filter((p) => p.id !== 'carrier'),
    };
    // Act
    const { certificate } = await eraseWithCertificate(deps, person.email);
    const shown = await showCertificate(
      { certificates, ledger: ports.orders as unknown as LedgerStore },
      certificate.id,
    );
    // Assess: the ledger shows the carrier got the data; the certificate names it, not sent and
    // incomplete, and nothing was queued or entered as requested for a partner with no queue.
    const entries = (await ports.orders.getLedger(orderId))?.entries ?? [];
    expect(partnersWithPersonalData(entries, isPersonal)).toEqual(['carrier']);
    expect(shown?.complete).toBe(false);
    expect(shown?.redactions.map((r) => [r.partner, r.state, r.notSent])).toEqual([
      ['carrier', 'not-sent', 'partner-not-configured'],
    ]);
    expect(ports.queue.sent.filter((s) => s.message.type === 'order.redacted')).toEqual([]);
    expect(entries.filter((e) => e.type === 'redaction-requested')).toEqual([]);
  });
});

describe('review s10: the certificate of a redaction held for a disabled partner', () => {
  it('shows a redaction that met 410 Gone (held, sent on enable) as pending, not failed (it showed failed)', async () => {
    // Prepare: the carrier got the data, then went away (410 Gone) before the person was erased.
    const { person, ports, orderId } = await deliveredOrder('5a10ab06');
    const certificates = new MemoryCertificateStore();
    const { certificate } = await eraseWithCertificate(
      certifiedEraseDeps(ports, certificates, mac),
      person.email,
    );
    const partnerState = new MemoryPartnerStateStore();
    const { deliverRedaction } = await import('#shared/usecases/deliver-redaction.js');
    const outcome = await deliverRedaction(
      {
        ledger: ports.orders as unknown as LedgerStore,
        ledgerMac: mac,
        secrets: sampleSecrets(),
        partnerClient: { post: async () => ({ status: 410 }) },
        partnerState,
        clock: ports.clock,
        partners: SAMPLE_PARTNERS,
        settings: { timeoutMs: 15_000, baseDelaySeconds: 1 },
        random: () => 0,
      },
      { orderId, partnerId: 'carrier', requestedAt: certificate.erasedAt, receiveCount: 1, maxAttempts: 16 },
    );
    expect(outcome.outcome).toBe('held');
    expect(partnerState.held.get('carrier')?.size).toBe(1);
    // Act
    const shown = await showCertificate(
      { certificates, ledger: ports.orders as unknown as LedgerStore },
      certificate.id,
    );
    // Assess: nothing failed for good: the redaction waits in the hold for `minimis partner enable`.
    expect(shown?.redactions.map((r) => r.state)).toEqual(['pending']);
  });
});

describe('verifyLedger with the order item beside it', () => {
  it('an email the order marks sent needs its email-sent entry; one being sent and a failed delivery need none', async () => {
    // Prepare: an order with no disclosure in its ledger at all.
    const witness = {
      deliveries: { carrier: { state: 'failed' }, warehouse: { state: 'pending' } },
      emails: { 'order-confirmed': { state: 'sent' }, 'order-shipped': { state: 'sending' } },
    };

    // Act
    const verification = await verifyLedger(mac, 'ord_00000000000000000000000001', [], undefined, witness);

    // Assess
    expect(verification).toEqual({
      ok: false,
      entries: 0,
      problems: [{ seq: null, problem: 'missing-entry', of: 'email order-confirmed' }],
    });
  });
});
