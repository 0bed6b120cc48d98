/**
 * The purge function's two schedules (infra/constructs/purge-schedule.ts), on in-memory ports
 * installed through the wiring: the frequent `{ task: 'intakes' }` event runs only the intake
 * sweep; any other event (the daily rule's) runs the sweep and then the purge.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { loadConfig } from '../../shared/config.js';
import { setWiring, wire } from '../../shared/wiring.js';
import { fakePorts } from '../support/fakes.js';

const ports = fakePorts();
const EMAIL_KEY = 'k'.repeat(43);
let handler: (event?: { task?: string }) => Promise<unknown>;

/** An open claim 91 s past its start, whose address an erasure began after its (stored) mark. */
async function abandonedRacedClaim(n: number) {
  const orderId = `ord_purge_${n}`;
  const now = ports.clock.now().getTime();
  await ports.idempotency.claim(
    {
      key: `mac-${n}`,
      requestMac: 'r',
      orderId,
      state: 'in-progress',
      leaseUntil: now + 30_000,
      expiresAt: Math.floor(now / 1000) + 3600,
      emailKey: EMAIL_KEY,
      optIn: false,
    },
    now,
  );
  await ports.idempotency.setMark(`mac-${n}`, 0);
  await ports.recordSecrets.claim(orderId, randomBytes(32), Math.floor(now / 1000) + 3600);
  await ports.orders.putPersonal({
    orderId,
    emailKey: EMAIL_KEY,
    sealed: {},
    expiresAt: Math.floor(now / 1000) + 3600,
  });
  await ports.fence.beginErasure(EMAIL_KEY, now + 1000, now);
  ports.clock.advance(91_000);
  return orderId;
}

beforeAll(async () => {
  const config = loadConfig({ MINIMIS_MODE: 'aws', KMS_KEY_ID: 'alias/test' });
  setWiring(
    wire(config, {
      clock: ports.clock,
      orders: ports.orders,
      consent: ports.consent,
      idempotency: ports.idempotency,
      fence: ports.fence,
      recordSecrets: ports.recordSecrets,
      erasureLog: ports.erasureLog,
      keyRecords: ports.keyRecords,
      keyService: new LocalKeyService(randomBytes(32)),
    }),
  );
  ({ handler } = await import('../../functions/purge.js'));
});
afterAll(() => {
  setWiring(undefined);
});

describe('purge handler', () => {
  it('the intakes task sweeps abandoned intakes only; the daily event sweeps and purges', async () => {
    // Prepare
    const first = await abandonedRacedClaim(1);
    // Act
    const frequent = await handler({ task: 'intakes' });
    const firstGone = ports.orders.personal.has(first);
    const second = await abandonedRacedClaim(2);
    const daily = await handler({});
    // Assess
    expect(frequent).toEqual({ intakes: { swept: 1, erased: 1, pages: 1, oldestOpenSeconds: 0 } });
    expect(firstGone).toBe(false);
    expect(daily).toMatchObject({
      intakes: { swept: 1, erased: 1, pages: 1, oldestOpenSeconds: 0 },
      purge: { checkedAt: ports.clock.now().toISOString(), expired: 0, purged: 0, alreadyGone: 0 },
    });
    expect(ports.orders.personal.has(second)).toBe(false);
  });

  it('a failing intake sweep does not skip the daily purge; the run still fails', async () => {
    // Prepare: the sweep's index query fails once; an expired record awaits the purge
    const now = ports.clock.now().getTime();
    await ports.orders.putPersonal({
      orderId: 'ord_purge_expired',
      emailKey: EMAIL_KEY,
      sealed: {},
      expiresAt: Math.floor(now / 1000) - 1,
    });
    const listAbandoned = ports.idempotency.listAbandoned;
    ports.idempotency.listAbandoned = () => Promise.reject(new Error('throttled'));
    // Act
    const outcome = await handler({}).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    ports.idempotency.listAbandoned = listAbandoned;
    // Assess
    expect(outcome).toBe('throttled');
    expect(ports.orders.personal.has('ord_purge_expired')).toBe(false);
  });
});
