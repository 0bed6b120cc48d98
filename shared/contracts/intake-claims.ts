/**
 * The open-intake flag of an idempotency claim, sharded like the outbox flag (outbox.ts) so no
 * index partition takes every order.
 *
 * An intake claims its idempotency key with `intake = open#<n>` (n = a stable hash of the claim's
 * key mod INTAKE_SHARDS) and removes the flag in its last round, once its erasure-fence re-check
 * has run (usecases/submit-order.ts). The `byIntake` index (partition: the flag, sort: `leaseUntil`)
 * so holds only claims whose intake has not finished: those whose lease has run out are abandoned
 * (the intake died), and the intake sweep (usecases/sweep-intakes.ts) applies to them what a
 * resumed intake's fence re-check would.
 */
import { stableShard } from './shards.js';

/** Shards of the open-intake flag: the one place this number lives. */
export const INTAKE_SHARDS = 16;

/** The attribute of the flag, the `byIntake` index's partition key; its sort key is `leaseUntil`. */
export const INTAKE_FLAG_ATTRIBUTE = 'intake';

/** Claims whose lease ended less than this long ago are left alone by the sweep. */
export const INTAKE_GRACE_SECONDS = 60;

/** Stable shard of a claim's key (shards.ts). */
export function intakeShard(key: string): number {
  return stableShard(key, INTAKE_SHARDS);
}

/** The flag a claim is written with. */
export function intakeOpen(key: string): string {
  return `open#${intakeShard(key)}`;
}

/** Every value of the flag, one per shard. */
export const INTAKE_OPEN_VALUES: readonly string[] = Array.from(
  { length: INTAKE_SHARDS },
  (_, n) => `open#${n}`,
);
