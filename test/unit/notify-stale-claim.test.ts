/**
 * Found by review s11c (fixed: a worker gives back only the claim leased to it). A worker whose
 * lease ran out (EmailLeaseExpiredError) gave the claim back unconditionally — also when another worker has meanwhile taken the expired claim over and is
 * sending under its own, live lease. The erasure then found no claim in flight, did not wait, and
 * reported done; the second worker's confirmation went to the erased address after it.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { EmailLeaseExpiredError, notifyCustomer } from '#shared/usecases/notify-customer.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { certifiedEraseDeps, randomLedgerMac } from './deliver-fixtures.js';
import { RecordingMailer } from './email-fakes.js';

const person = canaries('5b11c001');
const mac = randomLedgerMac();

function gate() {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  const arrived = new Promise<void>((r) => (reached = r));
  return { open, opened, arrived, reached };
}

describe('a stale worker leaves the live claim it no longer holds', () => {
  it('the erasure still waits for the worker that took the claim over', async () => {
    // Prepare
    const ports = fakePorts();
    const { orderId } = await submitOrder(ports, { idempotencyKey: 'a', body: orderBody(person) });
    ports.clock.advance(1000);
    const mailer = new RecordingMailer();
    const gateA = gate();
    const gateB = gate();
    /** Each worker's DataKeys stalls in `open` (after its claim and suppression read) until let go. */
    const stalling = (g: ReturnType<typeof gate>) => ({
      open: async (...args: Parameters<typeof ports.dataKeys.open>) => {
        g.reached();
        await g.opened;
        return ports.dataKeys.open(...args);
      },
    });
    const deps = (g: ReturnType<typeof gate>) => ({
      orders: ports.orders,
      consent: ports.consent,
      dataKeys: stalling(g),
      recordSecrets: ports.recordSecrets,
      lookup: ports.lookup,
      mailer,
      clock: ports.clock,
      settings: { publicBaseUrl: 'https://shop.example' },
      ledgerMac: mac,
    });
    const message = { type: 'order.accepted', orderId } as const;
    let sleeps = 0;

    // Act: worker A claims and stalls past its lease (20 s)
    const a = notifyCustomer(deps(gateA), message).catch((e: unknown) => e);
    await gateA.arrived;
    ports.clock.advance(25_000);
    // the redelivered message (worker B) takes the expired claim over and stalls before its send
    const b = notifyCustomer(deps(gateB), message).catch((e: unknown) => e);
    await gateB.arrived;
    // A wakes: its lease ran out, it refuses to send and releases the claim (B's)
    gateA.open();
    expect(await a).toBeInstanceOf(EmailLeaseExpiredError);
    // the erasure runs to completion
    await eraseWithCertificate(
      {
        ...certifiedEraseDeps(ports, new MemoryCertificateStore(), mac),
        sleep: async (ms) => {
          sleeps++;
          ports.clock.advance(ms);
        },
      },
      person.email,
    );
    const sentWhenErased = mailer.sent.length;
    gateB.open();
    await b;

    // Assess: nothing went out after the erasure reported done
    // (fails: the erasure found no claim in flight — A released B's — and never slept; B then sent)
    expect({ sleeps, sentAfter: mailer.sent.length - sentWhenErased }).toEqual({
      sleeps: 1,
      sentAfter: 0,
    });
  });
});
