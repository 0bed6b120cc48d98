import { describe, expect, it } from 'vitest';
import { fanOutOrder, sweepOutbox } from '../../shared/usecases/fan-out.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';

const c = canaries('outbox01');

describe('outbox sweep', () => {
  it('an order whose fan-out after the write failed is fanned out by the sweep, to the partners it was routed to', async () => {
    // Prepare: the queue is down when the stream's function fans out, so the order stays flagged pending
    const ports = fakePorts();
    const partners = [
      { id: 'warehouse' },
      { id: 'carrier', exceptCountries: ['GB'] },
      { id: 'carrier-uk', countries: ['GB'] },
    ];
    const { orderId } = await submitOrder(
      { ...ports, partners },
      { idempotencyKey: 'k', body: orderBody(c) },
    );
    const down = { ...ports, queue: { send: async () => Promise.reject(new Error('queue down')) } };
    await expect(fanOutOrder(down, orderId)).rejects.toThrow('queue down');
    const [order] = [...ports.orders.orders.values()];
    ports.clock.advance(61_000);
    // Act
    const early = await sweepOutbox(
      { ...ports, now: () => new Date(Date.parse(order?.createdAt ?? '') + 30_000) },
      60,
    );
    const resent = await sweepOutbox({ ...ports, now: () => ports.clock.now() }, 60);
    const again = await sweepOutbox({ ...ports, now: () => ports.clock.now() }, 60);
    // Assess
    expect([early, resent, again]).toEqual([0, 1, 0]);
    expect(ports.queue.sent).toEqual([
      {
        queue: 'partner-warehouse',
        message: { type: 'order.accepted', orderId: order?.orderId, partner: 'warehouse' },
      },
      {
        queue: 'partner-carrier-uk',
        message: { type: 'order.accepted', orderId: order?.orderId, partner: 'carrier-uk' },
      },
      { queue: 'notify', message: { type: 'order.accepted', orderId: order?.orderId } },
    ]);
    expect(ports.orders.orders.get(order?.orderId ?? '')?.outbox).toBe('done');
  });

  it('does not fan out again an order the stream fanned out while the lagging index still lists it', async () => {
    // Prepare: the order was fanned out after its write (flag cleared), but the outbox index lags.
    const ports = fakePorts();
    const { orderId } = await submitOrder(
      { ...ports, partners: [{ id: 'warehouse' }] },
      { idempotencyKey: 'k2', body: orderBody(c) },
    );
    await fanOutOrder(ports, orderId);
    const sentAfterStream = ports.queue.sent.length;
    const lagging: typeof ports.orders = Object.assign(Object.create(ports.orders), {
      listPendingFanout: async () => [orderId],
    });
    ports.clock.advance(61_000);
    // Act
    const resent = await sweepOutbox({ ...ports, orders: lagging, now: () => ports.clock.now() }, 60);
    // Assess
    expect(resent).toBe(0);
    expect(sentAfterStream).toBe(2);
    expect(ports.queue.sent).toHaveLength(2);
  });
});
