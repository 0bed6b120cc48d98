/**
 * Lanes for local mode's one process. In AWS every function has CPU of its own: an order's POST
 * never waits behind a queue consumer. Locally they share one event loop and one embedded
 * DynamoDB, so without lanes a POST's requests queue behind the consumers' (each order fans out
 * to several), and a client's wait grows with the backlog. Code serving an API request runs in
 * the `api` lane (local/http-server.ts); everything else (consumers, fan-out, timers) is
 * `background`. While an API request is being served, the embedded DynamoDB lets background
 * requests through only a few at a time, about one per API request served (embedded-dynamodb.ts);
 * the API's go at once. Nothing is dropped or reordered within a lane: background work runs
 * later, not less, and a busy API slows it, never stops it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type Lane = 'api' | 'background';

const lanes = new AsyncLocalStorage<Lane>();
let apiInFlight = 0;
let lastApiAt = Number.NEGATIVE_INFINITY;
const apiIdle = new Set<() => void>();

/** Runs `serve` (an API request's handling) in the API lane, counted while it runs. */
export async function inApiLane<T>(serve: () => Promise<T>): Promise<T> {
  apiInFlight++;
  lastApiAt = Date.now();
  try {
    return await lanes.run('api', serve);
  } finally {
    apiInFlight--;
    lastApiAt = Date.now();
    if (apiInFlight === 0) for (const wake of [...apiIdle]) wake();
  }
}

/** Runs `work` in the background lane (work an API request starts but does not wait for). */
export const inBackgroundLane = <T>(work: () => T): T => lanes.run('background', work);

/**
 * Runs `work` (a request several callers share: a coalesced read, a tick's queue writes) in the
 * API lane if any of them is in it, so an API request never waits behind the background gate for
 * a request it shares with background work.
 */
export const inLaneOf = <T>(callers: ReadonlyArray<{ readonly lane: Lane }>, work: () => T): T =>
  lanes.run(callers.some((c) => c.lane === 'api') ? 'api' : 'background', work);

export const currentLane = (): Lane => lanes.getStore() ?? 'background';

export const apiBusy = (): boolean => apiInFlight > 0;

/** When an API request last began or ended (ms since the epoch; −∞ before the first). */
export const lastApiRequestAt = (): number => lastApiAt;

/** API requests being served now. */
export const apiRequests = (): number => apiInFlight;

/** Calls `wake` whenever the last API request in flight ends; returns the unsubscribe. */
export function onApiIdle(wake: () => void): () => void {
  apiIdle.add(wake);
  return () => apiIdle.delete(wake);
}
