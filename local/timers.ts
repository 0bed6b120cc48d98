/** Local stand-ins for the scheduled functions of the AWS deployment. */
import { sweepOutbox } from '#shared/usecases/fan-out.js';
import type { Wiring } from '#shared/wiring.js';

export const OUTBOX_GRACE_SECONDS = 10;

export function startTimers(w: Wiring, onError: (error: unknown) => void): { stop(): Promise<void> } {
  const outbox = setInterval(() => {
    sweepOutbox({ ...w, partners: w.config.partners, now: () => w.clock.now() }, OUTBOX_GRACE_SECONDS).catch(onError);
  }, 5_000);
  return {
    stop: async () => {
      clearInterval(outbox);
    },
  };
}
