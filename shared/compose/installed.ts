/**
 * What the local runner and tests install for every function of the process (the all-in-one
 * composition of shared/wiring.ts: dynalite, the local key provider and queue, a fake clock…).
 * In AWS nothing is installed and each function builds only its own adapters (shared/compose/*).
 * A type-only import: this module pulls no adapter into a bundle.
 */
import type { Clock } from '../ports.js';
import type { Wiring } from '../wiring.js';

let current: Wiring | undefined;

export function install(wiring: Wiring | undefined): void {
  current = wiring;
}

export function installed(): Wiring | undefined {
  return current;
}

export const systemClock: Clock = { now: () => new Date() };

/** The installed clock, or the system's. */
export function clock(): Clock {
  return current?.clock ?? systemClock;
}
