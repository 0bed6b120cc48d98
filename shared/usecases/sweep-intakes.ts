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
import type { Clock, ConsentStore, ErasureFenceStore, IdempotencyStore, OrderStore } from '../ports.js';
import { erasureRaced } from './erasure-fence.js';

export interface SweepIntakesDeps {
  readonly idempotency: Pick<IdempotencyStore, 'listAbandoned' | 'settle'>;
  readonly orders: Pick<OrderStore, 'getOrder' | 'deletePersonal'>;
  readonly consent: Pick<ConsentStore, 'deleteCustomer'>;
  readonly fence: Pick<ErasureFenceStore, 'readFence'>;
  readonly clock: Clock;
}

export interface SweepIntakesResult {
  /** Abandoned claims looked at (and settled, unless a retry took one over meanwhile). */
  readonly swept: number;
  /** Of those, claims an erasure raced: their personal writes were deleted now. */
  readonly erased: number;
}

/** At most `limit` claims per run; the next run takes the rest (oldest lease first). */
export async function sweepIntakes(
  deps: SweepIntakesDeps,
  options: { readonly graceSeconds?: number; readonly limit?: number } = {},
): Promise<SweepIntakesResult> {
  const before = deps.clock.now().getTime() - (options.graceSeconds ?? INTAKE_GRACE_SECONDS) * 1000;
  const claims = await deps.idempotency.listAbandoned(before, options.limit ?? 100);
  let erased = 0;
  for (const claim of claims) {
    if (claim.emailKey !== undefined && !(await deps.orders.getOrder(claim.orderId))) {
      if (await erasureRaced(deps.fence, claim.emailKey, claim.fenceEnded ?? 0)) {
        await deps.orders.deletePersonal(claim.orderId);
        if (claim.optIn) await deps.consent.deleteCustomer(claim.emailKey);
        erased++;
      }
    }
    await deps.idempotency.settle(claim.key, claim.leaseUntil);
  }
  return { swept: claims.length, erased };
}
