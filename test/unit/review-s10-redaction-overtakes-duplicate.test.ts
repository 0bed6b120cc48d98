/**
 * Review s10: `order.redacted` must never overtake a webhook with personal data that may still be
 * on its way (deliver-redaction.ts, README "Who saw what, also while it is on its way").
 *
 * `unsettledSends` (shared/domain/ledger.ts) counted a write-ahead `sending` entry as settled when
 * ANY later `sent` entry carried the same webhook-id (now: one `sent` settles one `sending`). The webhook-id is the same for every attempt
 * of a message (and for a replay), so when two attempts of the carrier's message are under way at
 * once (an SQS duplicate, or `minimis replay` while the original is in flight), the quick one's
 * `sent` settles the slow one's `sending` too. An erasure then sends `order.redacted` at once, while
 * the slow POST carrying the name and address is still on its way.
 */
import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import { type LedgerEntry, unsettledSends } from '#shared/domain/ledger.js';
import { ORDER_REDACTED_TYPE } from '#shared/domain/projections.js';
import type { LedgerStore } from '#shared/ledger-ports.js';
import type { PartnerClient, PartnerResponse } from '#shared/ports.js';
import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { deliverRedaction } from '#shared/usecases/deliver-redaction.js';
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

const person = canaries('5a10ab01');
const mac = randomLedgerMac();
const SECRETS = sampleSecrets();
const TIMEOUT_MS = 15_000;

/** The carrier as it processes requests: a request is "processed" when its answer is given. */
class SlowFirstCarrier implements PartnerClient {
  readonly processed: Array<{ type: string; personal: boolean }> = [];
  private calls = 0;
  private releaseFirst!: () => void;
  private readonly firstGo = new Promise<void>((resolve) => (this.releaseFirst = resolve));
  firstStarted!: () => void;
  readonly firstIsOnItsWay = new Promise<void>((resolve) => (this.firstStarted = resolve));
  release() {
    this.releaseFirst();
  }
  async post(_url: string, body: string): Promise<PartnerResponse> {
    const call = ++this.calls;
    const type = (JSON.parse(body) as { type: string }).type;
    if (call === 1) {
      this.firstStarted();
      await this.firstGo;
    }
    this.processed.push({ type, personal: body.includes(person.givenName) });
    return { status: 204 };
  }
}

/** An accepted order of the person whose carrier attempt A has written its `sending` and is POSTing, slowly. */
async function slowAttemptUnderWay(idempotencyKey: string) {
  const ports = fakePorts();
  const accepted = await submitOrder(ports, { idempotencyKey, body: orderBody(person) });
  ports.clock.advance(1000);
  const carrier = new SlowFirstCarrier();
  const partnerState = new MemoryPartnerStateStore();
  const deps = portsDeliverDeps(ports, carrier, partnerState, { mac, secrets: SECRETS });
  const input = { orderId: accepted.orderId, partnerId: 'carrier', receiveCount: 1, maxAttempts: 16 };
  const slow = deliverToPartner(deps, input);
  await carrier.firstIsOnItsWay;
  return { ports, accepted, carrier, partnerState, deps, input, slow };
}

/** Erases the person (one order.redacted queued) and returns the redaction's deps and first input. */
async function eraseThenRedaction(
  ports: ReturnType<typeof fakePorts>,
  carrier: PartnerClient,
  partnerState: MemoryPartnerStateStore,
  orderId: string,
) {
  await eraseWithCertificate(certifiedEraseDeps(ports, new MemoryCertificateStore(), mac), person.email);
  const [redaction] = ports.queue.sent.filter((s) => s.message.type === ORDER_REDACTED_TYPE);
  if (!redaction) throw new Error('no order.redacted queued');
  const redactionDeps = {
    ledger: ports.orders as unknown as LedgerStore,
    ledgerMac: mac,
    secrets: SECRETS,
    partnerClient: carrier,
    partnerState,
    clock: ports.clock,
    partners: SAMPLE_PARTNERS,
    settings: { timeoutMs: TIMEOUT_MS, baseDelaySeconds: 1 },
    random: () => 0,
  };
  const redactionInput = {
    orderId,
    partnerId: 'carrier',
    requestedAt: (redaction.message as unknown as { requestedAt: string }).requestedAt,
    receiveCount: 1,
    maxAttempts: 16,
  };
  return { redactionDeps, redactionInput };
}

describe('review s10: order.redacted vs two attempts of the same carrier message', () => {
  it('waits while the slower attempt is still on its way (the quick attempt answered for both)', async () => {
    // Prepare: one accepted order of the person, routed to the carrier.
    // Attempt A (the original) writes its `sending` and POSTs; the carrier is slow to take it.
    const { ports, accepted, carrier, partnerState, deps, input, slow } =
      await slowAttemptUnderWay('order-1');
    // Attempt B (an SQS duplicate / a `minimis replay`) goes through quickly: sending, sent, acknowledged.
    const quick = await deliverToPartner(deps, { ...input, replay: true });
    expect(quick.outcome).toBe('delivered');
    // The person is erased one second later; A's POST is still under way.
    ports.clock.advance(1000);
    const { redactionDeps, redactionInput } = await eraseThenRedaction(
      ports,
      carrier,
      partnerState,
      accepted.orderId,
    );

    // Act: the redaction's first attempt; then, once A's POST has been answered, its retry.
    const outcome = await deliverRedaction(redactionDeps, redactionInput);
    carrier.release();
    const original = await slow;
    ports.clock.advance(1000);
    const retried = await deliverRedaction(redactionDeps, { ...redactionInput, receiveCount: 2 });

    // Assess: A's `sending` had no outcome of its own and was 1 s old: the redaction waited for it,
    // and went once A's answer was in the ledger.
    expect(outcome.outcome).toBe('retry');
    expect(original.outcome).toBe('delivered');
    expect(retried.outcome).toBe('delivered');
    // What the carrier processed: the personal data never after the redaction.
    expect(carrier.processed.map((p) => p.type)).toEqual([
      'shipment.requested',
      'shipment.requested',
      ORDER_REDACTED_TYPE,
    ]);
  });
});

describe('review s10b: one attempt recorded twice', () => {
  it('a delivered write that lands but reports an error does not let order.redacted overtake a slower attempt', async () => {
    // Prepare: attempt A's sending is written and its POST is under way, slowly.
    const { ports, accepted, carrier, partnerState, deps, input, slow } =
      await slowAttemptUnderWay('order-2');
    // Attempt B (an SQS duplicate): a quick 2xx; its delivered write lands but its answer is lost,
    // so B records its `sent` a second time on the way to its retry.
    const real = ports.orders.setDeliveryState.bind(ports.orders);
    let lost = false;
    const lossy = {
      getOrder: ports.orders.getOrder.bind(ports.orders),
      getPersonal: ports.orders.getPersonal.bind(ports.orders),
      setDeliveryState: async (...args: Parameters<typeof real>) => {
        await real(...args);
        if (args[2] === 'delivered' && !lost) {
          lost = true;
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        }
      },
    };
    const quick = await deliverToPartner({ ...deps, orders: lossy }, { ...input, replay: true });
    ports.clock.advance(1000);
    const { redactionDeps, redactionInput } = await eraseThenRedaction(
      ports,
      carrier,
      partnerState,
      accepted.orderId,
    );
    const ledger = await ports.orders.getLedger(accepted.orderId);

    // Act: the redaction while A is on its way; then, once A is answered, its retry.
    const outcome = await deliverRedaction(redactionDeps, redactionInput);
    carrier.release();
    await slow;
    ports.clock.advance(1000);
    const retried = await deliverRedaction(redactionDeps, { ...redactionInput, receiveCount: 2 });

    // Assess: two sendings, B's sent twice; A's attempt stayed open, so the redaction waited.
    expect(quick.outcome).toBe('retry');
    const kinds = ledger?.entries.filter((e) => e.type === 'sending' || e.type === 'sent').map((e) => e.type);
    expect(kinds).toEqual(['sending', 'sending', 'sent', 'sent']);
    expect(unsettledSends(ledger?.entries ?? [], 'carrier')).toHaveLength(1);
    expect(outcome.outcome).toBe('retry');
    expect(retried.outcome).toBe('delivered');
    expect(carrier.processed.map((p) => p.type)).toEqual([
      'shipment.requested',
      'shipment.requested',
      ORDER_REDACTED_TYPE,
    ]);
  });
});

/** `type:webhookId[#attempt][@recipient]`; entries without `#` are as written before attempt ids. */
describe('unsettledSends: an answer settles its own attempt', () => {
  let seq = 0;
  const entry = (
    type: 'sending' | 'sent',
    webhookId: string,
    recipient = 'carrier',
    attempt: string | undefined = undefined,
  ): LedgerEntry =>
    ({
      type,
      by: 'partner-delivery',
      recipient,
      messageType: 'shipment.requested',
      fields: ['customer.givenName'],
      webhookId,
      ...(attempt ? { attempt } : {}),
      seq: ++seq,
      at: `2026-12-01T10:00:0${seq % 10}.000Z`,
      mac: `m${seq}`,
    }) as LedgerEntry;

  it.each([
    ['one attempt and its answer', ['sending:a', 'sent:a'], []],
    [
      'two attempts at once, one answer: the later one is on its way',
      ['sending:a', 'sending:a', 'sent:a'],
      [2],
    ],
    ['an answer, then a new attempt', ['sending:a', 'sent:a', 'sending:a'], [3]],
    ['an answer with no attempt before it settles none later', ['sent:a', 'sending:a'], [2]],
    ['another message’s answer settles nothing', ['sending:a', 'sent:b'], [1]],
    ['another partner’s answer settles nothing', ['sending:a', 'sent:a@warehouse'], [1]],
    ['two attempts, two answers', ['sending:a', 'sending:a', 'sent:a', 'sent:a'], []],
    [
      'with attempt ids: the quick attempt answered, the slow one is on its way',
      ['sending:a#1', 'sending:a#2', 'sent:a#2'],
      [1],
    ],
    [
      'with attempt ids: the quick answer recorded twice (a lost write answer) settles only its own (review s10b)',
      ['sending:a#1', 'sending:a#2', 'sent:a#2', 'sent:a#2'],
      [1],
    ],
    [
      'with attempt ids: both answered, in any order',
      ['sending:a#1', 'sending:a#2', 'sent:a#2', 'sent:a#1'],
      [],
    ],
    ['an answer with an attempt id settles no attempt written without one', ['sending:a', 'sent:a#1'], [1]],
  ])('%s', (_name, spec, expected) => {
    // Prepare
    seq = 0;
    const entries = spec.map((s) => {
      const [type, rest] = s.split(':') as ['sending' | 'sent', string];
      const [idAndAttempt, recipient] = rest.split('@') as [string, string | undefined];
      const [id, attempt] = idAndAttempt.split('#') as [string, string | undefined];
      return entry(type, id, recipient, attempt);
    });

    // Act
    const open = unsettledSends(entries, 'carrier');

    // Assess: the positions (1-based) of the attempts still on their way.
    expect(open.map((e) => e.seq)).toEqual(expected);
  });
});
