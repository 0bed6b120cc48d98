/** Local stand-ins for the scheduled functions of the AWS deployment. */
import { sweepOutbox } from '#shared/usecases/fan-out.js';
import { purgeExpired } from '#shared/usecases/purge-expired.js';
import { INTAKE_LEASE_SECONDS } from '#shared/usecases/submit-order.js';
import { sweepIntakes } from '#shared/usecases/sweep-intakes.js';
import type { Wiring } from '#shared/wiring.js';

/** Shorter than AWS's OUTBOX_GRACE_SECONDS: one process, no cold starts, a crashed intake recovers sooner. */
export const LOCAL_OUTBOX_GRACE_SECONDS = 10;
export const SWEEP_EVERY_MS = 5_000;
/** dynalite has no TTL: purge expired personal data at start, then hourly (daily in AWS). */
const PURGE_EVERY_MS = 3_600_000;
/**
 * How long after an API request its leftovers can still be due for a sweep: an intake claim is
 * swept once open past its lease and the grace, an order's outbox flag once older than the grace.
 */
export const SWEEP_HORIZON_MS = (INTAKE_LEASE_SECONDS + LOCAL_OUTBOX_GRACE_SECONDS) * 1000;

/**
 * When the outbox and intake sweeps have something to look for. They find what an intake or a
 * fan-out left behind, and locally only this process's API requests (or a process before it, for
 * what it left at a crash) make such leftovers. A sweep that begins at T finds everything made
 * before T − horizon. So the sweeps run from the start and after each API request until a
 * sweep that began a horizon after it found nothing to do, then pause while the API is idle: an
 * idle `npm start` makes no sweep requests at all (33 Queries every 5 s before). A sweep that
 * fails, or finds work, covers nothing: the next tick sweeps again.
 */
export function sweepSchedule(options: {
  readonly horizonMs: number;
  readonly startedAt: number;
  readonly lastActivityAt: () => number;
}): { due(now: number): boolean; succeeded(startedAt: number): void } {
  let coveredUpTo = Number.NEGATIVE_INFINITY;
  return {
    due: () => coveredUpTo < Math.max(options.startedAt, options.lastActivityAt()),
    succeeded(startedAt) {
      coveredUpTo = Math.max(coveredUpTo, startedAt - options.horizonMs);
    },
  };
}

export function startTimers(
  w: Wiring,
  onError: (error: unknown) => void,
  options: { readonly lastActivityAt?: () => number } = {},
): { stop(): Promise<void> } {
  const running = new Set<Promise<unknown>>();
  const run = (task: () => Promise<unknown>) => {
    const job = task()
      .catch(onError)
      .finally(() => running.delete(job));
    running.add(job);
  };
  // Without an activity source, every tick sweeps (as the scheduled functions do in AWS).
  const schedule = sweepSchedule({
    horizonMs: SWEEP_HORIZON_MS,
    startedAt: Date.now(),
    lastActivityAt: options.lastActivityAt ?? (() => Number.POSITIVE_INFINITY),
  });
  // The outbox and the intake sweep (every few minutes in AWS) on one timer.
  const sweep = async () => {
    if (!schedule.due(Date.now())) return;
    const startedAt = Date.now();
    const [resent, intakes] = await Promise.all([
      sweepOutbox({ ...w, now: () => w.clock.now() }, LOCAL_OUTBOX_GRACE_SECONDS),
      sweepIntakes(w, { graceSeconds: LOCAL_OUTBOX_GRACE_SECONDS }),
    ]);
    // Only a sweep that found nothing to do (none resent, none settled, none left) covers the time.
    if (resent === 0 && intakes.swept === 0 && intakes.oldestOpenSeconds === 0) schedule.succeeded(startedAt);
  };
  const purge = () => purgeExpired(w);
  run(purge);
  const timers = [
    setInterval(() => run(sweep), SWEEP_EVERY_MS),
    setInterval(() => run(purge), PURGE_EVERY_MS),
  ];
  return {
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(running);
    },
  };
}
