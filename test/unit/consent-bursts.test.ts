/**
 * Bursts (review s9b): 16 concurrent opt-in checkouts for one address plus the owner's opt-out(s), on the
 * in-memory ports, with the opt-out started after k microtask ticks (sweeping k). Every intake
 * must succeed (no ConsentConflictError -> 500) and the ledger must grow by a bounded amount.
 */
import { describe, expect, it } from 'vitest';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { type OptOutReason, recordOptOut } from '../../shared/usecases/unsubscribe.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';

const owner = canaries('c0f1a001');
const DAY_MS = 86_400_000;
const ticks = async (k: number) => {
  for (let i = 0; i < k; i++) await Promise.resolve();
};

type Start = 'fresh' | 'opted-in' | 'unsubscribed' | 'erased';

async function run(start: Start, k: number, optOuts: readonly OptOutReason[], n = 16, stagger = 0) {
  const ports = fakePorts();
  const key = await ports.lookup.emailKey(owner.email);
  const optOutDeps = {
    consent: ports.consent,
    fence: ports.fence,
    clock: ports.clock,
    settings: ports.settings,
  };
  if (start !== 'fresh') {
    await submitOrder(ports, {
      idempotencyKey: 'first',
      body: orderBody(owner, { marketingOptIn: start !== 'erased' }),
    });
    ports.clock.advance(DAY_MS);
  }
  if (start === 'unsubscribed') await recordOptOut(optOutDeps, key, 'unsubscribe');
  if (start === 'erased') await eraseCustomer({ ...ports, settings: {} }, owner.email);
  ports.clock.advance(8 * DAY_MS);
  const before = ports.consent.customers.get(key)?.consent.length ?? 0;
  const results = await Promise.allSettled([
    ...Array.from({ length: n }, async (_, i) => {
      await ticks(i * stagger);
      return submitOrder(ports, {
        idempotencyKey: `burst-${i}`,
        body: orderBody(owner, { marketingOptIn: true }),
      });
    }),
    ...optOuts.map(async (reason, j) => {
      await ticks(k * (j + 1));
      return recordOptOut(optOutDeps, key, reason);
    }),
  ]);
  const failed = results
    .filter((r) => r.status === 'rejected')
    .map((r) => String((r as PromiseRejectedResult).reason));
  const growth = (ports.consent.customers.get(key)?.consent.length ?? 0) - before;
  return { failed, growth };
}

describe('a burst of 16 opt-in checkouts racing opt-outs (review s9b)', () => {
  it('fresh address, owner\'s unsubscribe + complaint ("report spam and unsubscribe") mid-burst: no intake fails with ConsentConflictError', async () => {
    const bad: string[] = [];
    for (let k = 0; k <= 60; k++) {
      const { failed } = await run('fresh', k, ['unsubscribe', 'complaint'], 16, 0);
      if (failed.length) bad.push(`k=${k} failed=${failed.length}/16 ${failed[0]}`);
    }
    expect(bad.slice(0, 3)).toEqual([]);
  }, 120_000);

  it('erased address, owner unsubscribes mid-burst: the ledger grows by a bounded amount, not one per checkout', async () => {
    const growths: number[] = [];
    for (let k = 0; k <= 60; k++) growths.push((await run('erased', k, ['unsubscribe'], 16, 0)).growth);
    expect(Math.max(...growths)).toBeLessThanOrEqual(4);
  }, 120_000);
});
