import type { Clock } from '#shared/ports.js';

/** A settable clock: the benchmark replays orders at a modelled rate in simulated time. */
export class SimClock implements Clock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
  set(ms: number): void {
    this.ms = ms;
  }
}

/**
 * Runs `fn` with `Date.now` reading the simulated clock. The ESDK caching CMM (and its LRU cache)
 * read `Date.now()` directly for maxAge, so this is the only way to expire its entries in simulated
 * time. Restored afterwards, also on error.
 */
export async function withDateNowFrom<T>(clock: SimClock, fn: () => Promise<T>): Promise<T> {
  const original = Date.now;
  Date.now = () => clock.ms;
  try {
    return await fn();
  } finally {
    Date.now = original;
  }
}
