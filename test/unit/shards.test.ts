import { describe, expect, it } from 'vitest';
import { INTAKE_OPEN_VALUES, intakeOpen } from '#shared/contracts/intake-claims.js';
import { OUTBOX_PENDING_VALUES, outboxPending } from '#shared/contracts/outbox.js';
import { stableShard } from '#shared/contracts/shards.js';

describe('stableShard', () => {
  it('is FNV-1a of the key mod the shards: the same key always lands on the same shard', () => {
    // Act / Assess (FNV-1a 32-bit of "a" is 0xe40c292c, of "" the offset basis 0x811c9dc5)
    expect(stableShard('a', 1 << 16)).toBe(0xe40c292c % (1 << 16));
    expect(stableShard('', 16)).toBe(0x811c9dc5 % 16);
    expect(stableShard('ord_01JABCDEF', 16)).toBe(stableShard('ord_01JABCDEF', 16));
  });

  it('spreads order ids and idempotency keys over every shard, none above twice its share', () => {
    // Prepare
    const ids = Array.from(
      { length: 1600 },
      (_, n) => `ord_01J${n.toString(36).toUpperCase().padStart(8, '0')}`,
    );
    const keys = Array.from({ length: 1600 }, (_, n) => `checkout-${n}`);
    // Act
    const count = (values: string[]) =>
      values.reduce((m, v) => m.set(v, (m.get(v) ?? 0) + 1), new Map<string, number>());
    const outbox = count(ids.map(outboxPending));
    const intake = count(keys.map(intakeOpen));
    // Assess
    expect([...outbox.keys()].sort()).toEqual(OUTBOX_PENDING_VALUES.filter((v) => v !== 'pending').sort());
    expect([...intake.keys()].sort()).toEqual([...INTAKE_OPEN_VALUES].sort());
    expect(Math.max(...outbox.values())).toBeLessThanOrEqual(200);
    expect(Math.max(...intake.values())).toBeLessThanOrEqual(200);
  });
});
