import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import type { MemoryOrderStore } from '#shared/adapters/memory/memory-stores.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { ERASURE_LEASE_MS } from '#shared/usecases/erasure-fence.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { Interleaver } from '../support/interleave.js';
import { certifiedEraseDeps, randomLedgerMac, SAMPLE_PARTNERS } from './deliver-fixtures.js';

const person = canaries('5e5a0003');
const mac = randomLedgerMac();
const _PARTNERS = SAMPLE_PARTNERS;

/** Fresh stores holding one order of the person (delivered to nobody yet: no redaction due). */
async function world() {
  const ports = fakePorts();
  const { orderId } = await submitOrder(ports, { idempotencyKey: 'o-1', body: orderBody(person) });
  ports.clock.advance(1000);
  const certificates = new MemoryCertificateStore();
  const deps = (orders: MemoryOrderStore) => certifiedEraseDeps(ports, certificates, mac, orders);
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
