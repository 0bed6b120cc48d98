import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freshRandom, POOL_BYTES, randomPool } from '#shared/crypto/fresh-random.js';
import { newRecordSecret } from '#shared/crypto/record-envelope.js';
import { newOrderId } from '#shared/domain/ids.js';

/** A "CSPRNG" that writes a running byte counter, so every byte it ever produced is identifiable. */
function countingFill() {
  const produced: number[] = [];
  let next = 0;
  const fill = (buffer: Buffer) => {
    for (let i = 0; i < buffer.length; i++) {
      buffer[i] = next & 0xff;
      produced.push(next);
      next++;
    }
  };
  return { fill, produced };
}

describe('pooled CSPRNG (fresh-random.ts)', () => {
  it('hands out every filled byte at most once, in order, refilling when a draw does not fit', () => {
    // Prepare: a 40-byte pool over a counting fill (each byte produced is its own index, < 256 here).
    const { fill, produced } = countingFill();
    const draw = randomPool(40, fill);
    // Act: an order's draws, twice: 16 (order id), 12 (IV), 16 (secret), 12 (IV).
    const draws = [16, 12, 16, 12, 16, 12].map((n) => [...draw(n)]);
    // Assess: refill 1 serves bytes 0–15 and 16–27; 16 more do not fit (28 + 16 > 40), so bytes
    // 28–39 are never handed out and refill 2 serves 40–55, 56–67; refill 3 serves 80–95, 96–107.
    const run = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
    expect(draws).toEqual([run(0, 16), run(16, 12), run(40, 16), run(56, 12), run(80, 16), run(96, 12)]);
    expect(produced.length).toBe(120);
    const handedOut = draws.flat();
    expect(new Set(handedOut).size).toBe(handedOut.length);
  });

  it('zeroes what it handed out in the pool, and a draw is a copy the pool no longer touches', () => {
    // Prepare: a pool over a fill of 0xff bytes.
    let fills = 0;
    const draw = randomPool(32, (b) => {
      fills++;
      b.fill(0xff);
    });
    // Act
    const a = draw(16);
    a.fill(0x11); // the caller may scribble on its copy
    const b = draw(16);
    const c = draw(1); // does not fit: a refill
    // Assess: b is untouched by the write to a (no shared memory), each came from a fill.
    expect([...b]).toEqual(Array(16).fill(0xff));
    expect([...c]).toEqual([0xff]);
    expect(fills).toBe(2);
  });

  it('draws larger than the pool come straight from the fill, without touching the pool', () => {
    // Prepare
    const { fill, produced } = countingFill();
    const draw = randomPool(16, fill);
    // Act
    const big = draw(40);
    const small = draw(4);
    // Assess: the big draw is bytes 0–39 of the counter, the pool's fill starts after them.
    expect([...big]).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect([...small]).toEqual([40, 41, 42, 43]);
    expect(produced.length).toBe(56);
  });

  it('the process pool never repeats: 20 000 order ids and 20 000 secrets, across many refills, all distinct', () => {
    // Prepare / Act: 20 000 × (16 + 16) bytes = 156 refills of the 4 KiB pool.
    const ids = new Set(Array.from({ length: 20_000 }, () => newOrderId()));
    const secrets = new Set(Array.from({ length: 20_000 }, () => newRecordSecret().toString('hex')));
    const ivs = new Set(Array.from({ length: 20_000 }, () => freshRandom(12).toString('hex')));
    // Assess
    expect(POOL_BYTES).toBe(4096);
    expect(ids.size).toBe(20_000);
    expect(secrets.size).toBe(20_000);
    expect(ivs.size).toBe(20_000);
    for (const id of [...ids].slice(0, 100)) expect(id).toMatch(/^ord_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('two processes started alike draw different bytes (each has its own pool from the CSPRNG)', () => {
    // Prepare: a child that prints its first three order ids.
    const script =
      "import { newOrderId } from '#shared/domain/ids.js'; console.log([newOrderId(), newOrderId(), newOrderId()].join(','));";
    const run = () =>
      execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
      }).trim();
    // Act
    const first = run().split(',');
    const second = run().split(',');
    // Assess
    expect(first).toHaveLength(3);
    expect(new Set([...first, ...second]).size).toBe(6);
  });
});
