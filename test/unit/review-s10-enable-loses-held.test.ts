/**
 * Review s10: "A partner that answers 410 Gone is disabled: nothing more is sent to it (messages
 * are held, not dropped)" (partners.md).
 *
 * `enablePartner` (shared/usecases/partner-gone.ts) enqueues a held message, THEN deletes its
 * `HELD#` item by webhook-id. When the re-enqueued message is consumed before that delete and the
 * partner is disabled again meanwhile (it still answers 410 — the operator enabled it too early —
 * or another message's 410 disabled it), the consumer's `holdMessage` finds the `HELD#` item still
 * there (the put is conditional on it being new: a no-op), sees `disabled`, and acknowledges the
 * message as `held`. Enable's `releaseHeld` then deletes that very item: the message is neither on
 * the queue nor held. Nothing will ever send it; `partner status` shows 0 held.
 */
import { describe, expect, it } from 'vitest';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import type { DeliveryMessage } from '#shared/contracts/messages.js';
import type { PartnerClient, PartnerResponse, Queue, QueueMessage } from '#shared/ports.js';
import { deliverToPartner } from '#shared/usecases/deliver-to-partner.js';
import { enablePartner } from '#shared/usecases/partner-gone.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { portsDeliverDeps, SAMPLE_PARTNERS } from './deliver-fixtures.js';

const person = canaries('5a10ab02');

/** A warehouse that is gone (410) until told otherwise. */
class GoneWarehouse implements PartnerClient {
  status = 410;
  posts = 0;
  async post(): Promise<PartnerResponse> {
    this.posts++;
    return { status: this.status };
  }
}

describe('review s10: enable vs a re-sent message that meets a 410 again', () => {
  it('the message is held again, not lost (enable removed the new hold before holds had ids)', async () => {
    // Prepare: an accepted order; its warehouse delivery got 410, so the warehouse is disabled and
    // the message is held.
    const ports = fakePorts();
    const accepted = await submitOrder(ports, { idempotencyKey: 'o-1', body: orderBody(person) });
    const partnerState = new MemoryPartnerStateStore();
    const warehouse = new GoneWarehouse();
    const deps = portsDeliverDeps(ports, warehouse, partnerState);
    const first = await deliverToPartner(deps, {
      orderId: accepted.orderId,
      partnerId: 'warehouse',
      receiveCount: 1,
      maxAttempts: 8,
    });
    expect(first.outcome).toBe('held');
    expect([...(partnerState.held.get('warehouse')?.keys() ?? [])]).toHaveLength(1);

    // A queue whose consumer picks the message up as soon as it is sent (the local queue wakes
    // its consumers on send; in AWS a consumer may simply be quicker than the next DeleteItem).
    const consumed: string[] = [];
    const queue: Queue = {
      ...ports.queue,
      send: async (name: string, message: QueueMessage) => {
        await ports.queue.send(name, message);
        const m = message as DeliveryMessage;
        const outcome = await deliverToPartner(deps, {
          orderId: m.orderId,
          partnerId: m.partner,
          receiveCount: 1,
          maxAttempts: 8,
        });
        // `held` is acknowledged by the handler (the SQS message is deleted).
        consumed.push(outcome.outcome);
      },
    } as Queue;

    // Act: the operator enables the warehouse, which still answers 410.
    const result = await enablePartner(
      { partnerState, queue, clock: ports.clock, partners: SAMPLE_PARTNERS },
      'warehouse',
    );

    // Assess
    expect(result.released).toBe(1);
    expect(consumed).toEqual(['held']); // the consumer acknowledged it as held again
    expect((await partnerState.getPartnerState('warehouse')).state).toBe('disabled');
    // The guarantee: it is held (to be sent on the next enable). It is gone instead.
    expect([...(partnerState.held.get('warehouse')?.keys() ?? [])]).toHaveLength(1);
  });
});
