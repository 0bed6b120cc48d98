/**
 * The erasure fence: how an erasure and a concurrent write for the same address (an intake, a
 * consent write) can never leave personal data behind an erasure that reported success, with
 * single-item conditional writes only (no transactions).
 *
 * Per keyed email hash, two counters (`FENCE#<emailKey>`): erasures `begun` and erasures `ended`.
 *
 * - An erasure counts itself begun (holding a lease: erasures of one address run one at a time)
 *   BEFORE it sweeps, and ended AFTER its sweep, just before it reports success.
 * - A writer reads the fence (its mark: `ended`) BEFORE its first personal write, and reads it
 *   again AFTER its last personal write. If by then an erasure has begun that had not ended at the
 *   mark (`begun > mark`), the erasure may have swept before the writes: the writer deletes what
 *   it wrote (the personal record, the customer record) before it goes on. Otherwise every erasure
 *   that had not ended at the mark begins after the writes' check, so its sweep sees the writes.
 *
 * An intake stores its mark in its idempotency record, so a retry that resumes a crashed attempt
 * checks against the first attempt's mark; the intake's order record is written only after the
 * check, so the outbox never resumes an intake that was not checked. An erasure that crashed
 * mid-way leaves `begun > ended`: every writer for that address then erases its own writes until
 * an erasure is re-run and succeeds (conservative on purpose).
 *
 * Two backstops make "its sweep sees the writes" hold: the sweep reads the keyed email's listing
 * (`EMAILPII#`, written beside each personal record, read consistently) and not only the
 * eventually consistent `byEmail` index; and an intake that dies between its first personal write
 * and its re-check leaves its idempotency claim open, where the intake sweep (sweep-intakes.ts)
 * finds it after the lease and applies the re-check for it.
 */
import { ErasureInProgressError } from '../domain/errors.js';
import type { Clock, ErasureFenceStore } from '../ports.js';

/** How long an erasure holds the fence before another one may take it over (it crashed). */
export const ERASURE_LEASE_MS = 15 * 60 * 1000;

/** Before a writer's first personal write: the count of erasures known to have ended. */
export async function fenceMark(
  fence: Pick<ErasureFenceStore, 'readFence'>,
  emailKey: string,
): Promise<number> {
  return (await fence.readFence(emailKey)).ended;
}

/** After the writer's last personal write: true when an erasure raced it (the writer must undo). */
export async function erasureRaced(
  fence: Pick<ErasureFenceStore, 'readFence'>,
  emailKey: string,
  mark: number,
): Promise<boolean> {
  return (await fence.readFence(emailKey)).begun > mark;
}

/**
 * The intake sweep's re-check of a dead intake, whose writes all ended by `writesEndedBy` (its
 * lease: the submit function's timeout is shorter): raced only by an erasure after `mark` that
 * began before then. One that began later saw every write (the consistent listing, `byEmail`), so
 * whatever the address got since (a consent confirmed after it) is not the dead intake's to delete.
 * The first erasure after the mark decides (erasures of one address run one at a time, in order);
 * a fence without begin times for it (kept before they were): every erasure after the mark.
 */
export async function erasureRacedBefore(
  fence: Pick<ErasureFenceStore, 'readFence'>,
  emailKey: string,
  mark: number,
  writesEndedBy: number,
): Promise<boolean> {
  const { begun, beganAt } = await fence.readFence(emailKey);
  if (begun <= mark) return false;
  const first = beganAt && beganAt.length === begun ? beganAt[mark] : undefined;
  return first === undefined || first <= writesEndedBy;
}

/** Runs an erasure's sweep between `begun` and `ended`; throws ErasureInProgressError if another holds it. */
export async function fencedErasure<T>(
  deps: { readonly fence: ErasureFenceStore; readonly clock: Clock },
  emailKey: string,
  sweep: () => Promise<T>,
): Promise<T> {
  const nowMs = deps.clock.now().getTime();
  const begun = await deps.fence.beginErasure(emailKey, nowMs + ERASURE_LEASE_MS, nowMs);
  if (begun === undefined) throw new ErasureInProgressError();
  const result = await sweep();
  await deps.fence.endErasure(emailKey, begun);
  return result;
}
