/**
 * Review s5, fixed since (the test passes now; it failed at the commit named): (ac53842): the fence's 15-minute lease is never renewed and never re-checked, so a run
 * that is only slow (a laptop that slept, a throttled table) is indistinguishable from a dead one.
 * The next `minimis erase` takes the fence over and "resumes" the live run's journal: both now
 * write the same erasure. The live run's ledger append, re-built on the resumer's new tip, does
 * not look for its own certificate's `erased` entry there (only the first read does), so the order
 * ends with two `erased` entries (and, for a delivered order, two rounds of redaction requests) — not "one uninterrupted run".
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import type { MemoryOrderStore } from '#shared/adapters/memory/memory-stores.js';
import type { Mac } from '#shared/domain/ledger.js';
import { DEFAULT_PARTNER_FIELDS } from '#shared/inventory.js';
import type { LedgerStore } from '#shared/ledger-ports.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import type { DeliveryPartner } from '#shared/usecases/deliver-to-partner.js';
import { ERASURE_LEASE_MS } from '#shared/usecases/erasure-fence.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { Interleaver } from '../support/interleave.js';

const person = canaries('5e5a0003');
const key = randomBytes(32);
const mac: Mac = async (data) => createHmac('sha256', key).update(data).digest('base64url');
const PARTNERS: DeliveryPartner[] = [
  {
    id: 'warehouse',
    kind: 'warehouse',
    url: 'https://wh.example/h',
    fields: DEFAULT_PARTNER_FIELDS.warehouse,
  },
  { id: 'carrier', kind: 'carrier', url: 'https://ca.example/h', fields: DEFAULT_PARTNER_FIELDS.carrier },
];

/** Fresh stores holding one order of the person (delivered to nobody yet: no redaction due). */
async function world() {
  const ports = fakePorts();
  const { orderId } = await submitOrder(ports, { idempotencyKey: 'o-1', body: orderBody(person) });
  ports.clock.advance(1000);
  const certificates = new MemoryCertificateStore();
  const deps = (orders: MemoryOrderStore) => ({
    orders,
    consent: ports.consent,
    lookup: ports.lookup,
    fence: ports.fence,
    clock: ports.clock,
    ledger: orders as unknown as LedgerStore,
    ledgerMac: mac,
    queue: ports.queue,
    certificates,
    principal: { principal: async () => 'local:test' },
    partners: PARTNERS,
  });
  return { ports, orderId, certificates, deps };
}

describe('an erasure that outlives its lease while the next run resumes its journal', () => {
  it('still leaves one erased entry in the ledger', async () => {
    // Prepare: where the first run's ledger write starts (a dry run counts the points).
    const dry = await world();
    const counter = new Interleaver();
    await eraseWithCertificate(dry.deps(counter.wrap('orders', dry.ports.orders)), person.email);
    const stall = counter.log.indexOf('before orders.appendLedger');
    expect(stall).toBeGreaterThan(0);
    const w = await world();
    const slow = new Interleaver();
    let second: Awaited<ReturnType<typeof eraseWithCertificate>> | undefined;
    // The first run stalls there for longer than the lease; meanwhile the erasure is run again.
    slow.inject(stall, async () => {
      w.ports.clock.advance(ERASURE_LEASE_MS + 1000);
      second = await eraseWithCertificate(w.deps(w.ports.orders), person.email);
    });

    // Act
    const first = await eraseWithCertificate(w.deps(slow.wrap('orders', w.ports.orders)), person.email);

    // Assess
    const entries = (await w.ports.orders.getLedger(w.orderId))?.entries ?? [];
    expect(slow.injected).toBe(true);
    expect(second?.certificate.id).toBe(first.certificate.id);
    expect({
      erased: entries.filter((e) => e.type === 'erased').length,
      redactionRequests: entries.filter((e) => e.type === 'redaction-requested').length,
      certificates: w.certificates.certificates.size,
      journals: w.certificates.journals.size,
    }).toEqual({ erased: 1, redactionRequests: 0, certificates: 1, journals: 0 });
  });
});
