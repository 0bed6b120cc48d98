/**
 * The outbox flag of an order item, sharded so no index partition takes every order.
 *
 * An order is written with `outbox = pending#<n>` (n = a stable hash of the order id mod
 * OUTBOX_SHARDS) and the flag is removed once its fan-out reached the queues. The `byOutbox` index
 * is keyed by the flag: each shard is one index partition (about 1000 WCU/s each), so the outbox
 * takes 1/16 of the intake rate per key instead of all of it. The sweeper queries every shard, and
 * also the unsharded `pending` that items written before the sharding carry (no migration: those
 * items leave the index when their flag is cleared, like any other).
 */
import { stableShard } from './shards.js';

/** Shards of the outbox flag: the one place this number lives. */
export const OUTBOX_SHARDS = 16;

/** The flag of items written before the outbox was sharded (still swept). */
export const LEGACY_OUTBOX_PENDING = 'pending';

/** Stable shard of an order id (shards.ts). */
export function outboxShard(orderId: string): number {
  return stableShard(orderId, OUTBOX_SHARDS);
}

/** The outbox flag an order is written with. */
export function outboxPending(orderId: string): string {
  return `pending#${outboxShard(orderId)}`;
}

/** Every value of the flag that means "fan-out not confirmed": the shards, then the legacy value. */
export const OUTBOX_PENDING_VALUES: readonly string[] = [
  ...Array.from({ length: OUTBOX_SHARDS }, (_, n) => `pending#${n}`),
  LEGACY_OUTBOX_PENDING,
];

/** Whether an item's outbox attribute says its fan-out is not confirmed. */
export function isOutboxPending(value: unknown): boolean {
  return value === LEGACY_OUTBOX_PENDING || (typeof value === 'string' && value.startsWith('pending#'));
}
