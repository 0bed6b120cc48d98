/**
 * Local stand-in for the order table's stream (dynalite has none): the order store tells the
 * runner when an order record is written, and the fan-out starts at once, right after the write,
 * without holding up the request (as in AWS, where the stream delivers the record after the
 * write, whatever the intake does next). Like a stream record's new image, the record just
 * written is what is fanned out: no second read of it. A fan-out that fails here does not fail
 * the order, which is written: it is reported to `onError` and left to the periodic outbox
 * sweeper (local/timers.ts), the same backstop as in AWS. `settled()` waits for the fan-outs
 * under way (the runner's stop, so none writes after the store closed).
 */
import { inBackgroundLane } from '#shared/adapters/local/request-lanes.js';
import { fanOut } from '#shared/usecases/fan-out.js';
import type { Wiring } from '#shared/wiring.js';

export interface FanOutOnWrite {
  readonly wiring: Wiring;
  /** Resolves once every fan-out started so far has ended. */
  settled(): Promise<void>;
}

export function fanOutOnWrite(w: Wiring, onError: (error: unknown) => void): FanOutOnWrite {
  const inner = w.orders;
  const running = new Set<Promise<void>>();
  const orders: typeof inner = Object.assign(Object.create(inner) as typeof inner, {
    async putOrderRecord(order: Parameters<typeof inner.putOrderRecord>[0]) {
      await inner.putOrderRecord(order);
      if (order.outbox !== 'pending') return;
      // On the next turn of the event loop: the intake's answer goes out first.
      const run = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => inBackgroundLane(() => fanOut({ orders: inner, queue: w.queue }, order)))
        .then(() => undefined, onError)
        .finally(() => running.delete(run));
      running.add(run);
    },
  });
  return {
    wiring: { ...w, orders },
    async settled() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
