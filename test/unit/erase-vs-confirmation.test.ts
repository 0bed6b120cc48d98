/**
 * Found by review s11c (fixed: the erasure waits out a confirmation being sent, and the worker
 * sends only within its lease). The s11b fix ("an erasure no longer lets an email out after it")
 * covered the order emails (notify-customer.ts) only. The consent-confirmation email (send-consent-confirmation.ts),
 * sent by the same notify worker to the same address from the order's personal record, claims on
 * the customer record — which the erasure deletes — and the erasure did not wait out its lease: an
 * erasure completing at an await of that worker let the confirmation request go to the erased
 * address after the erasure reported done.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { sendConsentConfirmation } from '#shared/usecases/send-consent-confirmation.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { Interleaver } from '../support/interleave.js';
import { certifiedEraseDeps, randomLedgerMac } from './deliver-fixtures.js';
import { RecordingMailer } from './email-fakes.js';

const person = canaries('5b11c002');
const mac = randomLedgerMac();

async function run(at: number | undefined) {
  // Prepare: an unsubscribed address; a checkout opt-in then asks for confirmation by email
  const ports = fakePorts();
  const emailKey = await ports.lookup.emailKey(person.email);
  await ports.consent.putSuppression({
    emailKey,
    reason: 'unsubscribe',
    at: ports.clock.now().toISOString(),
  });
  ports.clock.advance(1000);
  const { orderId } = await submitOrder(ports, {
    idempotencyKey: 'a',
    body: orderBody(person, { marketingOptIn: true }),
  });
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
    recordSecrets: ports.recordSecrets,
    lookup: ports.lookup,
    mailer,
    clock: ports.clock,
    settings: { publicBaseUrl: 'https://shop.example' },
  };
  const first = await sendConsentConfirmation(deps, orderId).catch((e: unknown) => e);
  return { il, first, mailer, sentWhenErased };
}

describe('an erasure at every await point of a consent-confirmation send', () => {
  it('mails the address only before the erasure completes, never after it', async () => {
    const dry = await run(undefined);
    expect(dry.mailer.sent).toHaveLength(1);
    const late: string[] = [];
    for (let at = 0; at < dry.il.points; at++) {
      const r = await run(at);
      if (r.mailer.sent.length > (r.sentWhenErased ?? 0)) late.push(dry.il.log[at] ?? String(at));
    }
    expect(late).toEqual([]);
  });
});
