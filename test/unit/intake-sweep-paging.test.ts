/**
 * The intake sweep pages through every abandoned claim in one run (review F3: one page of 100 per
 * 5-minute run let a stranger's abandoned claims stretch the window), stops a page short of the
 * function's timeout, and reports how old the oldest claim it left open is (the backlog alarm).
 */
import { describe, expect, it } from 'vitest';
import { INTAKE_GRACE_SECONDS } from '../../shared/contracts/intake-claims.js';
import { sweepIntakes } from '../../shared/usecases/sweep-intakes.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';

const LEASE_MS = 30_000;

/** `count` abandoned claims of intakes that wrote nothing personal (no email hash: settled only). */
async function abandoned(ports: FakePorts, count: number) {
  const now = ports.clock.now().getTime();
  for (let n = 0; n < count; n++)
    await ports.idempotency.claim(
      {
        key: `mac-${String(n).padStart(4, '0')}`,
        requestMac: 'r',
        orderId: `ord_${n}`,
        state: 'in-progress',
        leaseUntil: now + LEASE_MS + n,
        expiresAt: Math.floor(now / 1000) + 3600,
      },
      now,
    );
}

const open = (ports: FakePorts) => [...ports.idempotency.records.values()].filter((r) => r.open).length;

describe('the intake sweep run', () => {
  it('takes 250 abandoned claims in one run, in pages of 100, and leaves none open', async () => {
    // Prepare
    const ports = fakePorts();
    await abandoned(ports, 250);
    ports.clock.advance(LEASE_MS + INTAKE_GRACE_SECONDS * 1000 + 1000);
    // Act
    const result = await sweepIntakes(ports);
    // Assess
    expect(result).toEqual({ swept: 250, erased: 0, pages: 3, oldestOpenSeconds: 0 });
    expect(open(ports)).toBe(0);
  });

  it('with little time left, stops before the next page and reports the oldest claim it left open', async () => {
    // Prepare: time for one page only (each remaining-time check after the first 100 is short)
    const ports = fakePorts();
    await abandoned(ports, 250);
    ports.clock.advance(LEASE_MS + INTAKE_GRACE_SECONDS * 1000 + 10_000);
    let checks = 0;
    const remainingMs = () => (++checks <= 100 ? 600_000 : 30_000);
    // Act
    const result = await sweepIntakes(ports, { remainingMs, marginMs: 60_000 });
    // Assess: claim 100's lease ran out 70 s minus 100 ms ago
    expect(result).toEqual({ swept: 100, erased: 0, pages: 1, oldestOpenSeconds: 69 });
    expect(open(ports)).toBe(150);
  });
});
