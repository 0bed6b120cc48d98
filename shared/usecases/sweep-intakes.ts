/**
 * The intake sweep: the backstop for an intake that died after its personal writes and before its
 * erasure-fence re-check (a crash, a timeout, a throttled read) and is never retried.
 *
 * An intake's idempotency claim is open (in the sharded `byIntake` index, contracts/intake-claims.ts)
 * from its first round until its last, which settles it after the fence re-check. A claim still
 * open after its lease and a grace period belongs to a dead intake (the submit function's timeout
 * is shorter than the lease). For each, the sweep does exactly what a resumed retry's re-check would
 * (usecases/submit-order.ts), without writing anything first:
 *
 * - its order record exists: the re-check ran before it was written; nothing to do;
 * - else, if an erasure of the address began after the claim's stored mark (none stored: 0, every
 *   erasure ever begun), the erasure may have swept before the intake's writes: delete its personal
 *   record (secret first: crypto-shredding) and, for an opt-in, the address's customer record;
 * - then settle the claim, only if its lease is unchanged (a retry that took it over settles it
 *   itself, or is swept once its own lease runs out).
 *
 * It only ever deletes, and only what a resumed intake would: harmless to repeat, beside a live
 * retry (both use the same stored mark), or on a table restored from a backup (its claims are old,
 * its fence is older than the live one: it finds fewer races, never more). A claim without the
 * keyed email hash (written before the sweep existed) is settled and nothing else.
 */
import { INTAKE_GRACE_SECONDS } from '../contracts/intake-claims.js';
import type {
  Clock,
  ConsentStore,
  ErasureFenceStore,
  IdempotencyRecord,
  IdempotencyStore,
  OrderStore,
} from '../ports.js';
import { erasureRacedBefore } from './erasure-fence.js';

/**
 * The log line of each sweep run, with its SweepIntakesResult as fields: the metric filter
 * IntakeSweepBacklog (infra/constructs/purge-schedule.ts) takes `oldestOpenSeconds` from it.
 */
export const INTAKE_SWEEP_LOG = 'intake sweep finished';

export interface SweepIntakesDeps {
  readonly idempotency: Pick<IdempotencyStore, 'listAbandoned' | 'settle'>;
  readonly orders: Pick<OrderStore, 'getOrder' | 'deletePersonal' | 'removeFromEmailListing'>;
  readonly consent: Pick<ConsentStore, 'deleteCustomer'>;
  readonly fence: Pick<ErasureFenceStore, 'readFence'>;
  readonly clock: Clock;
}

export interface SweepIntakesResult {
  /** Abandoned claims looked at (and settled, unless a retry took one over meanwhile). */
  readonly swept: number;
  /** Of those, claims an erasure raced whose personal writes were deleted now (deletions, not claims). */
  readonly erased: number;
  /** Pages of at most `limit` claims read this run. */
  readonly pages: number;
  /**
   * Seconds since the lease ran out of the oldest abandoned claim still open when the run stopped
   * (0: none left). Above the sweep's grace plus its interval, the documented window is not held.
   */
  readonly oldestOpenSeconds: number;
}

export interface SweepIntakesOptions {
  readonly graceSeconds?: number;
  /** Claims per page (one `listAbandoned` call). */
  readonly limit?: number;
  /**
   * Milliseconds the caller has left (a Lambda's context.getRemainingTimeInMillis): no new page
   * is started with less than `marginMs` left. Absent: pages until a short one.
   */
  readonly remainingMs?: () => number;
  readonly marginMs?: number;
}

/**
 * Pages through the abandoned claims, oldest lease first, until a short page (or a page of claims
 * already seen: the index may lag a settle) or the caller's time runs low. A stranger who can mint
 * abandoned claims then only costs the sweep time, and the backlog left shows in
 * `oldestOpenSeconds` (alarmed, infra/constructs/purge-schedule.ts).
 */
export async function sweepIntakes(
  deps: SweepIntakesDeps,
  options: SweepIntakesOptions = {},
): Promise<SweepIntakesResult> {
  const limit = options.limit ?? 100;
  const marginMs = options.marginMs ?? 60_000;
  const before = deps.clock.now().getTime() - (options.graceSeconds ?? INTAKE_GRACE_SECONDS) * 1000;
  const seen = new Set<string>();
  let [swept, erased, pages] = [0, 0, 0];
  let left: IdempotencyRecord | undefined;
  for (;;) {
    const claims = await deps.idempotency.listAbandoned(before, limit);
    pages++;
    const fresh = claims.filter((claim) => !seen.has(claim.key));
    let stopped = false;
    for (const claim of fresh) {
      if (options.remainingMs && options.remainingMs() < marginMs) {
        left = claim;
        stopped = true;
        break;
      }
      seen.add(claim.key);
      if (await sweepOne(deps, claim)) erased++;
      swept++;
    }
    if (stopped || claims.length < limit || fresh.length === 0) break;
    if (options.remainingMs && options.remainingMs() < marginMs) {
      left = (await deps.idempotency.listAbandoned(before, 1))[0];
      break;
    }
  }
  const oldestOpenSeconds = left
    ? Math.max(0, Math.floor((deps.clock.now().getTime() - left.leaseUntil) / 1000))
    : 0;
  return { swept, erased, pages, oldestOpenSeconds };
}

/**
 * One claim; true when it deleted something. No mark stored (`fenceEnded` absent) means the
 * intake died before its mark landed: its consent write (round 3) waits for the mark, so it wrote
 * no consent and its customer record is not its to delete; its personal record (beside the mark)
 * is checked against mark 0, every erasure ever begun, as a resume would.
 */
async function sweepOne(deps: SweepIntakesDeps, claim: IdempotencyRecord): Promise<boolean> {
  let deleted = false;
  if (claim.emailKey !== undefined && !(await deps.orders.getOrder(claim.orderId))) {
    if (await erasureRacedBefore(deps.fence, claim.emailKey, claim.fenceEnded ?? 0, claim.leaseUntil)) {
      deleted = await deps.orders.deletePersonal(claim.orderId);
      await deps.orders.removeFromEmailListing(claim.emailKey, claim.orderId, new Date(claim.leaseUntil));
      if (claim.optIn && claim.fenceEnded !== undefined) {
        await deps.consent.deleteCustomer(claim.emailKey);
        deleted = true;
      }
    }
  }
  await deps.idempotency.settle(claim.key, claim.leaseUntil);
  return deleted;
}
