import { describe, expect, it } from 'vitest';
import { MemoryCertificateStore } from '#shared/adapters/memory/memory-ledger.js';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import { type DeliveryMessage, redactionMessage } from '#shared/contracts/messages.js';
import { partnerQueue } from '#shared/contracts.js';
import { ORDER_REDACTED_TYPE } from '#shared/domain/projections.js';
import type { LedgerStore } from '#shared/ledger-ports.js';
import type { PartnerClient, PartnerResponse } from '#shared/ports.js';
import { eraseWithCertificate, showCertificate } from '#shared/usecases/certify-erasure.js';
import { deliverRedaction } from '#shared/usecases/deliver-redaction.js';
import { deliverToPartner, webhookId } from '#shared/usecases/deliver-to-partner.js';
import { enablePartner } from '#shared/usecases/partner-gone.js';
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

type Redaction = Extract<DeliveryMessage, { type: typeof ORDER_REDACTED_TYPE }>;
const mac = randomLedgerMac();
const PARTNERS = SAMPLE_PARTNERS;
const SECRETS = sampleSecrets();

/** Records the type of every POST; answers what `status` says. */
class Carrier implements PartnerClient {
  readonly posts: string[] = [];
  status = 204;
  async post(_url: string, body: string): Promise<PartnerResponse> {
    this.posts.push((JSON.parse(body) as { type: string }).type);
    return { status: this.status };
  }
}

/** Two people, each with one order delivered to the carrier, both erased: two redactions queued. */
async function world() {
  const ports = fakePorts();
  const carrier = new Carrier();
  const partnerState = new MemoryPartnerStateStore();
  const certificates = new MemoryCertificateStore();
  const orders: string[] = [];
  const certificateIds: string[] = [];
  for (const tag of ['a1a1a1a1', 'b2b2b2b2']) {
    const person = canaries(tag);
    const { orderId } = await submitOrder(ports, { idempotencyKey: tag, body: orderBody(person) });
    await deliverToPartner(portsDeliverDeps(ports, carrier, partnerState, { mac, secrets: SECRETS }), {
      orderId,
      partnerId: 'carrier',
      receiveCount: 1,
      maxAttempts: 5,
    });
    ports.clock.advance(1000);
    const { certificate } = await eraseWithCertificate(
      certifiedEraseDeps(ports, certificates, mac),
      person.email,
    );
    orders.push(orderId);
    certificateIds.push(certificate.id);
  }
  carrier.posts.length = 0;
  return { ports, carrier, partnerState, certificates, orders, certificateIds };
}
type World = Awaited<ReturnType<typeof world>>;

const redact = (w: World, orderId: string, requestedAt: string, receiveCount = 1) =>
  deliverRedaction(
    {
      ledger: w.ports.orders as LedgerStore,
      ledgerMac: mac,
      secrets: SECRETS,
      partnerClient: w.carrier,
      partnerState: w.partnerState,
      clock: w.ports.clock,
      partners: PARTNERS,
      settings: { timeoutMs: 15_000, baseDelaySeconds: 1 },
      random: () => 0,
    },
    { orderId, partnerId: 'carrier', requestedAt, receiveCount, maxAttempts: 5 },
  );

/** The redactions on the carrier's queue, as its consumer would receive them. */
const queued = (w: World) =>
  w.ports.queue.sent
    .filter((s) => s.queue === partnerQueue('carrier') && s.message.type === ORDER_REDACTED_TYPE)
    .map((s) => s.message as Redaction);

describe('order.redacted to a partner that answers 410 Gone', () => {
  it('disables the partner and holds the redaction; the next one is held unsent; enable sends both', async () => {
    // Prepare
    const w = await world();
    const [first, second] = queued(w);
    if (!first || !second) throw new Error('two redactions queued');
    w.carrier.status = 410;
    const stateBefore = (await w.ports.orders.getOrder(first.orderId))?.deliveries.carrier?.state;

    // Act: the first gets a 410; the second arrives while the partner is disabled.
    const gone = await redact(w, first.orderId, first.requestedAt);
    const whileDisabled = await redact(w, second.orderId, second.requestedAt);

    // Assess: held, not retried; one POST only; the partner is disabled.
    expect(gone).toEqual({
      outcome: 'held',
      webhookId: webhookId(first.orderId, 'carrier', ORDER_REDACTED_TYPE),
      disabled: true,
    });
    expect(whileDisabled).toEqual({
      outcome: 'held',
      webhookId: webhookId(second.orderId, 'carrier', ORDER_REDACTED_TYPE),
      disabled: false,
    });
    expect(w.carrier.posts).toEqual([ORDER_REDACTED_TYPE]);
    expect((await w.partnerState.getPartnerState('carrier')).state).toBe('disabled');
    const held = [...(w.partnerState.held.get('carrier')?.values() ?? [])].map((h) => h.message);
    expect(held).toEqual([
      redactionMessage(first.orderId, 'carrier', first.requestedAt),
      redactionMessage(second.orderId, 'carrier', second.requestedAt),
    ]);
    // The order still shows the data's delivery, not the redaction's.
    expect(stateBefore).toBe('delivered');
    expect((await w.ports.orders.getOrder(first.orderId))?.deliveries.carrier?.state).toBe('delivered');
    // The certificate shows both pending: the one that met 410 is held and goes out on enable
    // (review s10: it showed failed, pointing at a redrive with nothing dead-lettered).
    const shown = async (i: number) =>
      (
        await showCertificate(
          { certificates: w.certificates, ledger: w.ports.orders as LedgerStore },
          w.certificateIds[i] as string,
        )
      )?.redactions.map((r) => [r.state, r.status]);
    expect(await shown(0)).toEqual([['pending', null]]);
    expect(await shown(1)).toEqual([['pending', null]]);

    // Act: the partner is back; enable puts both on its queue; the consumer delivers them.
    w.carrier.status = 204;
    const sentBefore = w.ports.queue.sent.length;
    const enabled = await enablePartner(
      { partnerState: w.partnerState, queue: w.ports.queue, clock: w.ports.clock, partners: PARTNERS },
      'carrier',
    );
    const released = w.ports.queue.sent.slice(sentBefore).map((s) => s.message as Redaction);
    const outcomes = [];
    for (const m of released) outcomes.push((await redact(w, m.orderId, m.requestedAt)).outcome);

    // Assess: both sent once more and acknowledged; nothing left held.
    expect(enabled).toEqual({ partnerId: 'carrier', wasDisabled: true, released: 2 });
    expect(outcomes).toEqual(['delivered', 'delivered']);
    expect(w.carrier.posts).toEqual([ORDER_REDACTED_TYPE, ORDER_REDACTED_TYPE, ORDER_REDACTED_TYPE]);
    expect(w.partnerState.held.get('carrier')?.size ?? 0).toBe(0);
    expect(await shown(0)).toEqual([['acknowledged', 204]]);
    expect(await shown(1)).toEqual([['acknowledged', 204]]);
  });

  it('sends it itself when the partner was enabled between its look and its hold (a retry, not a loss)', async () => {
    // Prepare: disabled; enable lands right after the redaction writes its hold.
    const w = await world();
    const [first] = queued(w);
    if (!first) throw new Error('a redaction queued');
    await w.partnerState.disablePartner('carrier', w.ports.clock.now().toISOString(), 410);
    const hold = w.partnerState.holdMessage.bind(w.partnerState);
    w.partnerState.holdMessage = async (partnerId, message) => {
      await hold(partnerId, message);
      await w.partnerState.enablePartner(partnerId, w.ports.clock.now().toISOString());
    };
    // Act
    const outcome = await redact(w, first.orderId, first.requestedAt);
    // Assess: taken back from the hold and retried through the queue; nothing POSTed yet.
    expect(outcome).toEqual({ outcome: 'retry', attempt: 1, delaySeconds: 1, reason: { status: 410 } });
    expect(w.partnerState.held.get('carrier')?.size ?? 0).toBe(0);
    expect(w.carrier.posts).toEqual([]);
  });
});
