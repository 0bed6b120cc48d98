/** Local stand-ins for the scheduled functions of the AWS deployment. */
import { sweepOutbox } from '#shared/usecases/fan-out.js';
import { purgeExpired } from '#shared/usecases/purge-expired.js';
import { sweepIntakes } from '#shared/usecases/sweep-intakes.js';
import type { Wiring } from '#shared/wiring.js';

/** Shorter than AWS's OUTBOX_GRACE_SECONDS: one process, no cold starts, a crashed intake recovers sooner. */
export const LOCAL_OUTBOX_GRACE_SECONDS = 10;
const OUTBOX_EVERY_MS = 5_000;
/** dynalite has no TTL: purge expired personal data at start, then hourly (daily in AWS). */
const PURGE_EVERY_MS = 3_600_000;

export function startTimers(w: Wiring, onError: (error: unknown) => void): { stop(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  const run = (task: () => Promise<unknown>) => {
    const job = task()
      .catch(onError)
      .finally(() => running.delete(job));
    running.add(job);
  };
  // The outbox and the intake sweep (every few minutes in AWS) on one timer.
  const sweep = () =>
    Promise.all([
      sweepOutbox({ ...w, now: () => w.clock.now() }, LOCAL_OUTBOX_GRACE_SECONDS),
      sweepIntakes(w, { graceSeconds: LOCAL_OUTBOX_GRACE_SECONDS }),
    ]);
  const purge = () => purgeExpired(w);
  run(purge);
  const timers = [
    setInterval(() => run(sweep), OUTBOX_EVERY_MS),
    setInterval(() => run(purge), PURGE_EVERY_MS),
  ];
  return {
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running);
    },
  };
}
