/**
 * The stable shard of a key, for the sharded index flags (outbox.ts, intake-claims.ts): FNV-1a
 * (32-bit) over the key's UTF-16 code units, mod the number of shards. Not a secret and not
 * collision-resistant, only spread: the writers and the sweepers never need to agree on it (a
 * sweeper queries every shard), so changing it moves no item. ~0.05 µs a key, where SHA-256 took
 * ~1.5 µs on the submit path (twice per order).
 */
export function stableShard(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
