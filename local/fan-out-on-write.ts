/**
 * Local stand-in for the order table's stream (dynalite has none): the order store tells the
 * runner when an order record is written, and the fan-out runs at once, right after the write,
 * before the request is answered (so whoever placed the order finds its queue messages there, as
 * the local mode always did). Like a stream record's new image, the record just written is what
 * is fanned out: no second read of it. A fan-out that fails here does not fail the order, which
 * is written: it is reported to `onError` and left to the periodic outbox sweeper
 * (local/timers.ts), the same backstop as in AWS.
 */
import { fanOut } from '#shared/usecases/fan-out.js';
import type { Wiring } from '#shared/wiring.js';

export function fanOutOnWrite(w: Wiring, onError: (error: unknown) => void): Wiring {
  const inner = w.orders;
  const orders: typeof inner = Object.assign(Object.create(inner) as typeof inner, {
    async putOrderRecord(order: Parameters<typeof inner.putOrderRecord>[0]) {
      await inner.putOrderRecord(order);
      if (order.outbox === 'pending') await fanOut({ orders: inner, queue: w.queue }, order).catch(onError);
    },
  });
  return { ...w, orders };
}
