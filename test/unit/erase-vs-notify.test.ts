/**
 * An erasure at every await point of a notification (review s11b). email.md: the suppression
 * "survives erasure of the customer's other data (so an erased customer is not mailed)". Before,
 * an erasure that completed between the worker's reads and its send let the order confirmation go
 * to the erased address after the erasure reported done (the ledger then read `erased`,
 * `purpose-opened`, `email-sent`). Now a claim after the order's `erased` entry is refused, and
 * the erasure waits out the lease of a claim made before it, within which alone a worker sends.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { EmailLeaseExpiredError, notifyCustomer } from '#shared/usecases/notify-customer.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { Interleaver } from '../support/interleave.js';
import { certifiedEraseDeps, randomLedgerMac } from './deliver-fixtures.js';
import { RecordingMailer } from './email-fakes.js';

const person = canaries('5b11b006');
const mac = randomLedgerMac();

/** One notification with an erasure run to completion at point `at` (none: undefined), then a retry. */
async function run(at: number | undefined) {
  // Prepare
  const ports = fakePorts();
  const { orderId } = await submitOrder(ports, { idempotencyKey: 'a', body: orderBody(person) });
  ports.clock.advance(1000);
  const mailer = new RecordingMailer();
  const il = new Interleaver();
  let sentWhenErased: number | undefined;
  if (at !== undefined)
    il.inject(at, async () => {
      await eraseWithCertificate(certifiedEraseDeps(ports, new MemoryCertificateStore(), mac), person.email);
      sentWhenErased = mailer.sent.length;
    });
  const deps = {
    orders: il.wrap('orders', ports.orders),
    consent: il.wrap('consent', ports.consent),
    dataKeys: il.wrap('dataKeys', ports.dataKeys),
    recordSecrets: il.wrap('recordSecrets', ports.recordSecrets),
    lookup: ports.lookup,
    // Not wrapped: the lease check and the send follow each other with no await between.
    mailer,
    clock: ports.clock,
    settings: { publicBaseUrl: 'https://shop.example' },
    ledgerMac: mac,
  };
  const message = { type: 'order.accepted', orderId } as const;
  // Act: the notification, then its retry (SQS redelivers a failed message)
  const first = await notifyCustomer(deps, message).catch((error: unknown) => error);
  const retry = await notifyCustomer({ ...deps, orders: ports.orders }, message).catch((e: unknown) => e);
  const entries = (await ports.orders.getLedger(orderId))?.entries ?? [];
  return { il, first, retry, mailer, sentWhenErased, types: entries.map((e) => e.type) };
}

describe('an erasure at every await point of an order-confirmation send', () => {
  it('mails the address only before the erasure completes, never after it, nor on a retry', async () => {
    // Prepare: a dry run counts the points
    const dry = await run(undefined);
    expect(dry.mailer.sent).toHaveLength(1);
    const outcomes = new Set<string>();
    for (let at = 0; at < dry.il.points; at++) {
      // Act
      const r = await run(at);
      // Assess: what went out had gone out when the erasure finished; nothing after
      expect({ at: dry.il.log[at], sent: r.mailer.sent.length }).toEqual({
        at: dry.il.log[at],
        sent: r.sentWhenErased ?? 0,
      });
      // the ledger records the email exactly when it went out
      expect(r.types.includes('email-sent')).toBe(r.mailer.sent.length > 0);
      outcomes.add(
        r.first instanceof EmailLeaseExpiredError
          ? 'lease ran out'
          : String((r.first as { outcome?: string }).outcome),
      );
    }
    // Every way it can end was reached: sent before the erasure, refused at the claim, and a
    // claim whose lease the erasure waited out
    expect([...outcomes].sort()).toEqual([
      'already-sent',
      'lease ran out',
      'personal-data-gone',
      'sent',
      'suppressed',
    ]);
  });
});
