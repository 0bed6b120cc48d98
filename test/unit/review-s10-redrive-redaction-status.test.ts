/**
 * Review s10: `GET /orders/{id}` — `deliveries[].state` is `pending`, `delivered` or `failed`
 * (dead-lettered) (api.md). `redriveDeliveries` (shared/usecases/redrive.ts) sets the partner's
 * delivery of every dead-lettered message's order back to `pending`, also when the message is an
 * `order.redacted` (no delivery state of its own). The redaction, once delivered, changes no
 * delivery state, so a carrier delivery that had ended `failed` (its data was erased before it
 * could be sent: `personal-data-gone`) shows `pending` for good.
 */
import { describe, expect, it } from 'vitest';
import { MemoryQueue } from '#shared/adapters/memory/memory-queue.js';
import { MemoryOrderStore } from '#shared/adapters/memory/memory-stores.js';
import { redactionMessage } from '#shared/contracts/messages.js';
import { redriveDeliveries } from '#shared/usecases/redrive.js';
import { FakeClock, orderRecord, T0 } from './deliver-fixtures.js';

const A = 'ord_0000000000000000000000000A';
const at = T0.toISOString();

describe('review s10: redrive of a dead-lettered order.redacted', () => {
  it('leaves the delivery state of the order alone (fails: a failed carrier delivery becomes pending for good)', async () => {
    // Prepare: the carrier delivery ended `failed` (personal data gone after the erasure); the
    // erasure's `order.redacted` dead-lettered while the carrier was down.
    const orders = new MemoryOrderStore();
    orders.orders.set(
      A,
      orderRecord({
        orderId: A,
        deliveries: {
          carrier: { state: 'failed', updatedAt: at },
          warehouse: { state: 'delivered', updatedAt: at },
        },
      }),
    );
    const queue = new MemoryQueue();
    queue.dead.set('partner-carrier', [redactionMessage(A, 'carrier', at)]);
    // Act
    await redriveDeliveries(
      { orders, queue, partners: [{ id: 'warehouse' }, { id: 'carrier' }], clock: new FakeClock() },
      'carrier',
    );
    // Assess: only the redaction goes back on the queue; no data delivery will settle `pending`.
    expect(queue.sent.map((s) => s.message.type)).toEqual(['order.redacted']);
    expect(orders.orders.get(A)?.deliveries.carrier?.state).toBe('failed');
  });
});
