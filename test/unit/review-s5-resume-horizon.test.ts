import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { deliverToPartner } from '#shared/usecases/deliver-to-partner.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import {
  certifiedEraseDeps,
  FakeSecrets,
  newSecret,
  randomLedgerMac,
  SAMPLE_PARTNERS,
} from './deliver-fixtures.js';

const person = canaries('5e5a0004');
const mac = randomLedgerMac();
const PARTNERS = SAMPLE_PARTNERS;
const DAY_MS = 86_400_000;

describe('an erasure resumed days after its first run died before any delete', () => {
  it('dates its horizon and ledger entry no earlier than the deletes it made', async () => {
    // Prepare: one order of the person; the first erasure run dies before its first delete.
    const ports = fakePorts();
    const { orderId } = await submitOrder(ports, { idempotencyKey: 'o-1', body: orderBody(person) });
    ports.clock.advance(1000);
    const certificates = new MemoryCertificateStore();
    const deps = (orders: typeof ports.orders) => ({
      ...certifiedEraseDeps(ports, certificates, mac, orders),
      settings: { shredBackupDays: 7 },
    });
    const dying = new Proxy(ports.orders, {
      get: (t, p, r) =>
        p === 'deletePersonal'
          ? () => Promise.reject(new Error('process died'))
          : (Reflect.get(t, p, r) as unknown),
    });
    const firstStart = ports.clock.now().toISOString();
    await expect(eraseWithCertificate(deps(dying), person.email)).rejects.toThrow('process died');
    // Meanwhile (the personal record is still there) the carrier gets the order's label data.
    ports.clock.advance(60_000);
    const delivered = await deliverToPartner(
      {
        orders: ports.orders,
        dataKeys: ports.dataKeys,
        secrets: new FakeSecrets({ warehouse: newSecret(), carrier: newSecret() }),
        partnerClient: { post: async () => ({ status: 204 }) },
        partnerState: new MemoryPartnerStateStore(),
        clock: ports.clock,
        partners: PARTNERS,
        settings: { originCountry: 'GB', timeoutMs: 15_000, baseDelaySeconds: 1 },
        random: () => 0,
        disclosures: { mac, store: ports.orders },
      },
      { orderId, partnerId: 'carrier', receiveCount: 1, maxAttempts: 5 },
    );
    const deliveredAt = ports.clock.now().toISOString();
    ports.clock.advance(3 * DAY_MS);
    const resumedAt = ports.clock.now().toISOString();

    // Act: the operator runs the erasure again.
    const { certificate } = await eraseWithCertificate(deps(ports.orders), person.email);

    // Assess
    expect(delivered.outcome).toBe('delivered');
    // Dated by the run that resumed (the first one deleted nothing).
    expect(certificate.erasedAt).toBe(resumedAt);
    expect(firstStart < resumedAt).toBe(true);
    const copy = (name: string) => certificate.copies.find((c) => c.copy.startsWith(name))?.unrecoverableAt;
    const entries = (await ports.orders.getLedger(orderId))?.entries ?? [];
    const erasedEntry = entries.find((e) => e.type === 'erased');
    const sentEntry = entries.find((e) => e.type === 'sent' && e.recipient === 'carrier');
    expect({
      keyTable: (copy('key table (') ?? '') >= resumedAt,
      keyTableBackups:
        (copy('key table backups') ?? '') >= new Date(Date.parse(resumedAt) + 7 * DAY_MS).toISOString(),
      erasedNotBeforeDelivery: (erasedEntry?.at ?? '') >= (sentEntry?.at ?? deliveredAt),
    }).toEqual({ keyTable: true, keyTableBackups: true, erasedNotBeforeDelivery: true });
  });
});
