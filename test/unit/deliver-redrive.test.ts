import { describe, expect, it } from 'vitest';
import { MemoryQueue } from '../../shared/adapters/memory/memory-queue.js';
import { MemoryOrderStore } from '../../shared/adapters/memory/memory-stores.js';
import { redactionMessage } from '../../shared/contracts/messages.js';
import { redriveDeliveries, UnknownPartnerError } from '../../shared/usecases/redrive.js';
import { FakeClock, orderRecord, T0 } from './deliver-fixtures.js';

const A = 'ord_0000000000000000000000000A';
const B = 'ord_0000000000000000000000000B';
const at = T0.toISOString();

function setup() {
  const orders = new MemoryOrderStore();
  orders.orders.set(
    A,
    orderRecord({ orderId: A, deliveries: { carrier: { state: 'failed', updatedAt: at } } }),
  );
  orders.orders.set(
    B,
    orderRecord({
      orderId: B,
      deliveries: {
        carrier: { state: 'failed', updatedAt: at },
        warehouse: { state: 'failed', updatedAt: at },
      },
    }),
  );
  const queue = new MemoryQueue();
  queue.dead.set('partner-carrier', [
    { type: 'order.accepted', orderId: A, partner: 'carrier' },
    { type: 'order.accepted', orderId: B, partner: 'carrier' },
  ]);
  queue.dead.set('partner-warehouse', [{ type: 'order.accepted', orderId: B, partner: 'warehouse' }]);
  const partners = [{ id: 'warehouse' }, { id: 'carrier' }];
  return { orders, queue, partners, clock: new FakeClock() };
}

describe('redriveDeliveries', () => {
  it('sets dead-lettered deliveries back to pending and moves every partner queue back', async () => {
    // Prepare
    const deps = setup();
    const progress: unknown[] = [];
    // Act
    const counts = await redriveDeliveries(deps, undefined, (p) => progress.push(p));
    // Assess
    expect(counts).toEqual([
      { partnerId: 'warehouse', markedPending: 1, moved: 1 },
      { partnerId: 'carrier', markedPending: 2, moved: 2 },
    ]);
    expect(progress).toEqual([
      { partnerId: 'warehouse', moved: 1 },
      { partnerId: 'carrier', moved: 2 },
    ]);
    expect(deps.orders.orders.get(A)?.deliveries.carrier?.state).toBe('pending');
    expect(deps.orders.orders.get(B)?.deliveries).toEqual({
      carrier: { state: 'pending', updatedAt: at },
      warehouse: { state: 'pending', updatedAt: at },
    });
    expect(deps.queue.sent.map((s) => [s.queue, s.message.orderId])).toEqual([
      ['partner-warehouse', B],
      ['partner-carrier', A],
      ['partner-carrier', B],
    ]);
  });

  it('redrives one partner only when asked', async () => {
    // Prepare
    const deps = setup();
    // Act
    const counts = await redriveDeliveries(deps, 'carrier');
    // Assess
    expect(counts).toEqual([{ partnerId: 'carrier', markedPending: 2, moved: 2 }]);
    expect(deps.orders.orders.get(B)?.deliveries.warehouse?.state).toBe('failed');
    expect(deps.queue.dead.get('partner-warehouse')).toHaveLength(1);
  });

  it('never turns a recorded delivery back into pending', async () => {
    // Prepare
    const deps = setup();
    deps.orders.orders.set(
      A,
      orderRecord({ orderId: A, deliveries: { carrier: { state: 'delivered', updatedAt: at } } }),
    );
    // Act
    await redriveDeliveries(deps, 'carrier');
    // Assess
    expect(deps.orders.orders.get(A)?.deliveries.carrier?.state).toBe('delivered');
  });

  it('rejects an unknown partner id without touching anything', async () => {
    // Prepare
    const deps = setup();
    // Act
    const run = redriveDeliveries(deps, 'courier');
    // Assess
    await expect(run).rejects.toBeInstanceOf(UnknownPartnerError);
    expect(deps.queue.sent).toEqual([]);
    expect(deps.orders.orders.get(A)?.deliveries.carrier?.state).toBe('failed');
  });

  it('leaves the order alone for a dead-lettered order.redacted (review s10: a failed delivery became pending for good)', async () => {
    // Prepare: A's carrier delivery ended failed (its data erased first); the erasure's
    // order.redacted dead-lettered while the carrier was down, beside B's own message.
    const deps = setup();
    deps.queue.dead.set('partner-carrier', [
      redactionMessage(A, 'carrier', at),
      { type: 'order.accepted', orderId: B, partner: 'carrier' },
    ]);

    // Act
    const counts = await redriveDeliveries(deps, 'carrier');

    // Assess: both go back on the queue; only B's delivery is marked pending.
    expect(deps.queue.sent.map((s) => s.message.type)).toEqual(['order.redacted', 'order.accepted']);
    expect(counts).toEqual([{ partnerId: 'carrier', markedPending: 1, moved: 2 }]);
    expect(deps.orders.orders.get(A)?.deliveries.carrier?.state).toBe('failed');
    expect(deps.orders.orders.get(B)?.deliveries.carrier?.state).toBe('pending');
  });
});
