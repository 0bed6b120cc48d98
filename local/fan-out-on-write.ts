/**
 * Local stand-in for the order table's stream (dynalite has none): the order store tells the
 * runner when an order record is written, and the fan-out runs at once, after the write and
 * outside the request (as the stream's function does in AWS). The periodic outbox sweeper
 * (local/timers.ts) stays the safety net for a fan-out that failed here.
 */
import { fanOutOrder } from '#shared/usecases/fan-out.js';
import type { Wiring } from '#shared/wiring.js';

export function fanOutOnWrite(
  w: Wiring,
  onError: (error: unknown) => void,
): { readonly wiring: Wiring; stop(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  const inner = w.orders;
  const orders: typeof inner = Object.assign(Object.create(inner) as typeof inner, {
    async putOrderRecord(order: Parameters<typeof inner.putOrderRecord>[0]) {
      await inner.putOrderRecord(order);
      const job = fanOutOrder({ orders: inner, queue: w.queue }, order.orderId)
        .catch(onError)
        .finally(() => running.delete(job));
      running.add(job);
    },
  });
  return {
    wiring: { ...w, orders },
    stop: async () => {
      await Promise.all(running);
    },
  };
}
