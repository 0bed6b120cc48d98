/**
 * Race-free erase (usecases/erasure-fence.ts): no interleaving of an erasure with an intake, a
 * resumed intake, an outbox resume or a consent write for the same address leaves personal data
 * readable after the erasure reported success.
 *
 * Each test first counts the await points of the competing operation's store calls (a dry run
 * through test/support/interleave.ts), then, for EVERY point, starts from fresh stores, runs a
 * complete erasure at that point, lets the operation finish, and asserts. The one schedule where
 * the erasure runs before the intake has read the erasure fence is the erasure preceding the
 * intake (a new order placed after the erasure): its data is the new order's and stays.
 */
import { describe, expect, it } from 'vitest';
import { confirmConsent } from '../../shared/usecases/confirm-consent.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { fanOutOrder, sweepOutbox } from '../../shared/usecases/fan-out.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { recordOptOut } from '../../shared/usecases/unsubscribe.js';
import { canaries, orderBody } from '../support/canaries.js';
import { type FakePorts, fakePorts } from '../support/fakes.js';
import { Interleaver } from '../support/interleave.js';

const person = canaries('e7a5e001');

const eraseDeps = (ports: FakePorts) => ({
  orders: ports.orders,
  consent: ports.consent,
  lookup: ports.lookup,
  fence: ports.fence,
  clock: ports.clock,
});

/** The intake's view of the stores: every call passes the interleaver's await points. */
function wrapped(ports: FakePorts, il: Interleaver) {
  return {
    ...ports,
    orders: il.wrap('orders', ports.orders),
    consent: il.wrap('consent', ports.consent),
    idempotency: il.wrap('idempotency', ports.idempotency),
    fence: il.wrap('fence', ports.fence),
    recordSecrets: il.wrap('recordSecrets', ports.recordSecrets),
  };
}

/**
 * The intake's fence, recording what each read saw. With `disabled`, the re-read after the writes
 * reports no erasure begun since the mark (the fence's check switched off), to show the schedules
 * below need it.
 */
function recordedFence(ports: FakePorts, disabled = false) {
  const reads: Array<{ begun: number; ended: number }> = [];
  return {
    reads,
    fence: {
      readFence: async (emailKey: string) => {
        const read = await ports.fence.readFence(emailKey);
        const first = reads[0];
        reads.push(read);
        return disabled && first ? { begun: first.ended, ended: first.ended } : read;
      },
    },
  };
}

type Variant = 'no opt-in' | 'opt-in' | 'opt-in after an unsubscribe (confirmation requested)';
const VARIANTS: readonly Variant[] = [
  'no opt-in',
  'opt-in',
  'opt-in after an unsubscribe (confirmation requested)',
];

/** Fresh stores holding one earlier order of the person (so the keys exist and there is data). */
async function world(variant: Variant) {
  const ports = fakePorts();
  const earlier = await submitOrder(ports, {
    idempotencyKey: 'earlier',
    body: orderBody(person, { marketingOptIn: true }),
  });
  await fanOutOrder(ports, earlier.orderId);
  const emailKey = await ports.lookup.emailKey(person.email);
  if (variant === 'opt-in after an unsubscribe (confirmation requested)') {
    ports.clock.advance(1000);
    await recordOptOut(
      { consent: ports.consent, fence: ports.fence, clock: ports.clock, settings: ports.settings },
      emailKey,
      'unsubscribe',
    );
  }
  ports.clock.advance(1000);
  return { ports, emailKey, body: orderBody(person, { marketingOptIn: variant !== 'no opt-in' }) };
}

/** Nothing personal about the address is readable: no personal record, no customer record. */
async function nothingReadable(ports: FakePorts, emailKey: string, orderId?: string) {
  expect(await ports.orders.listPersonalByEmailKey(emailKey)).toEqual([]);
  if (orderId) expect(await ports.orders.getPersonal(orderId, ports.clock.now())).toBeUndefined();
  expect(ports.consent.customers.get(emailKey)).toBeUndefined();
}

/** One erasure at one await point of a fresh intake: what the intake's mark read saw, and what is left. */
async function eraseDuringIntake(variant: Variant, at: number, disabled = false) {
  const { ports, emailKey, body } = await world(variant);
  const il = new Interleaver();
  let receipt: Awaited<ReturnType<typeof eraseCustomer>> | undefined;
  il.inject(at, async () => {
    receipt = await eraseCustomer(eraseDeps(ports), person.email);
  });
  const recorded = recordedFence(ports, disabled);
  const accepted = await submitOrder(
    { ...wrapped(ports, il), fence: il.wrap('fence', recorded.fence) },
    { idempotencyKey: 'now', body },
  );
  // The erasure (the world's first) had ended when the intake read its mark: a new order after it.
  const afterErasure = (recorded.reads[0]?.ended ?? 0) >= 1;
  return { ports, emailKey, il, receipt, accepted, afterErasure };
}

async function personalReadable(ports: FakePorts, emailKey: string): Promise<boolean> {
  return (
    (await ports.orders.listPersonalByEmailKey(emailKey)).length > 0 || ports.consent.customers.has(emailKey)
  );
}

describe('erase vs intake, erasure at every await point of the intake', () => {
  it.each(VARIANTS)('%s', async (variant) => {
    // Prepare: a dry run counts the intake's await points
    const dry = await world(variant);
    const counter = new Interleaver();
    await submitOrder(wrapped(dry.ports, counter), { idempotencyKey: 'now', body: dry.body });
    const points = counter.points;
    expect(points).toBeGreaterThan(10);
    expect(counter.log.indexOf('after fence.readFence')).toBeGreaterThan(0);

    const outcomes = { after: 0, raced: 0 };
    for (let at = 0; at < points; at++) {
      // Act
      const { ports, emailKey, il, receipt, accepted, afterErasure } = await eraseDuringIntake(variant, at);
      // Assess
      const where = `${variant}: erasure at point ${at} (${counter.log[at]})`;
      expect(il.injected, where).toBe(true);
      expect(receipt?.outcome, where).toBe('erased');
      expect(ports.orders.orders.get(accepted.orderId)?.status, where).toBe('accepted');
      if (afterErasure) {
        // The erasure ended before the intake read the fence: this is a new order after it.
        outcomes.after++;
        expect(await ports.orders.getPersonal(accepted.orderId, ports.clock.now()), where).toBeDefined();
        if (variant !== 'no opt-in') {
          // Its opt-in is sealed under a live customer secret (claimed after the mark, not one the
          // erasure shredded).
          const id = `customer:${emailKey}`;
          expect((await ports.recordSecrets.getSecrets([id], ports.clock.now())).has(id), where).toBe(true);
        }
      } else {
        // The order was accepted (202) and is consistent: its personal data is erased.
        outcomes.raced++;
        await nothingReadable(ports, emailKey, accepted.orderId);
      }
    }
    expect(outcomes.after).toBeGreaterThan(0);
    expect(outcomes.raced).toBeGreaterThan(0);
  });

  it.each(VARIANTS)(
    '%s: with the fence check switched off, some schedule leaves personal data behind',
    async (variant) => {
      // Prepare
      const dry = await world(variant);
      const counter = new Interleaver();
      await submitOrder(wrapped(dry.ports, counter), { idempotencyKey: 'now', body: dry.body });
      // Act
      const leaks: number[] = [];
      for (let at = 0; at < counter.points; at++) {
        const run = await eraseDuringIntake(variant, at, true);
        if (!run.afterErasure && (await personalReadable(run.ports, run.emailKey))) leaks.push(at);
      }
      // Assess: the schedules above would fail without the fence
      expect(leaks.length).toBeGreaterThan(0);
    },
  );

  type Crash = 'after its mark was stored' | 'before its mark was stored';
  const CRASHES: readonly Crash[] = ['after its mark was stored', 'before its mark was stored'];

  /** The first attempt writes the personal record and dies before its fence check. */
  const crashFirst = async (crash: Crash) => {
    const w = await world('opt-in');
    let reads = 0;
    const fence = {
      readFence: (key: string) => {
        reads++;
        return reads === 2 ? Promise.reject(new Error('crash')) : w.ports.fence.readFence(key);
      },
    };
    // Dies as `setMark` fails: the personal record beside it has landed, the mark has not.
    const idempotency = Object.assign(Object.create(w.ports.idempotency) as typeof w.ports.idempotency, {
      setMark: () => Promise.reject(new Error('crash')),
    });
    await expect(
      submitOrder(
        crash === 'after its mark was stored' ? { ...w.ports, fence } : { ...w.ports, idempotency },
        { idempotencyKey: 'now', body: w.body },
      ),
    ).rejects.toThrow('crash');
    expect(await w.ports.orders.listPersonalByEmailKey(w.emailKey)).toHaveLength(2);
    const record = [...w.ports.idempotency.records.values()].at(-1);
    expect(record?.fenceEnded).toBe(crash === 'after its mark was stored' ? 0 : undefined);
    w.ports.clock.advance(31_000);
    return w;
  };

  it.each(CRASHES)(
    'a retry that resumes a first attempt that crashed %s, with the erasure at every await point of the retry',
    async (crash) => {
      // Prepare
      const dry = await crashFirst(crash);
      const counter = new Interleaver();
      await submitOrder(wrapped(dry.ports, counter), { idempotencyKey: 'now', body: dry.body });
      const points = counter.points;
      expect(points).toBeGreaterThan(10);

      for (let at = 0; at < points; at++) {
        const { ports, emailKey, body } = await crashFirst(crash);
        const il = new Interleaver();
        let receipt: Awaited<ReturnType<typeof eraseCustomer>> | undefined;
        il.inject(at, async () => {
          receipt = await eraseCustomer(eraseDeps(ports), person.email);
        });
        // Act
        const resumed = await submitOrder(wrapped(ports, il), { idempotencyKey: 'now', body });
        // Assess: the first attempt's mark (or 0) predates every one of these erasures
        const where = `erasure at point ${at} (${counter.log[at]}) of the resumed retry`;
        expect(resumed.replayed, where).toBe(true);
        expect(receipt?.outcome, where).toBe('erased');
        await nothingReadable(ports, emailKey, resumed.orderId);
      }
    },
  );

  it('a resume checks against the stored mark; without one (0) it counts every erasure ever begun as a race', async () => {
    // Prepare: an erasure completed before the first attempt (fence 1/1), then the attempt crashes
    const run = async (crash: Crash) => {
      const ports = fakePorts();
      await eraseCustomer(eraseDeps(ports), person.email);
      ports.clock.advance(1000);
      const w = { ports, emailKey: await ports.lookup.emailKey(person.email), body: orderBody(person) };
      let reads = 0;
      const fence = {
        readFence: (key: string) =>
          ++reads === 2 ? Promise.reject(new Error('crash')) : ports.fence.readFence(key),
      };
      const idempotency = Object.assign(Object.create(ports.idempotency) as typeof ports.idempotency, {
        setMark: () => Promise.reject(new Error('crash')),
      });
      await expect(
        submitOrder(crash === 'after its mark was stored' ? { ...ports, fence } : { ...ports, idempotency }, {
          idempotencyKey: 'now',
          body: w.body,
        }),
      ).rejects.toThrow('crash');
      ports.clock.advance(31_000);
      // Act: the resume, with no erasure anywhere near it
      const resumed = await submitOrder(ports, { idempotencyKey: 'now', body: w.body });
      return (await ports.orders.getPersonal(resumed.orderId, ports.clock.now())) !== undefined;
    };
    // Assess
    expect(await run('after its mark was stored')).toBe(true);
    expect(await run('before its mark was stored')).toBe(false);
  });

  it('an outbox resume, with the erasure at every await point of the sweep, creates nothing personal', async () => {
    // Prepare: an intake that wrote its order, whose fan-out after the write never ran
    const crashed = async () => {
      const w = await world('opt-in');
      await submitOrder(w.ports, { idempotencyKey: 'now', body: w.body });
      w.ports.clock.advance(120_000);
      return w;
    };
    const dry = await crashed();
    const counter = new Interleaver();
    const sweepDeps = (ports: FakePorts, il: Interleaver) => ({
      orders: il.wrap('orders', ports.orders),
      queue: il.wrap('queue', ports.queue),
      now: () => ports.clock.now(),
    });
    expect(await sweepOutbox(sweepDeps(dry.ports, counter), 60)).toBe(1);
    const points = counter.points;

    for (let at = 0; at < points; at++) {
      const { ports, emailKey } = await crashed();
      const il = new Interleaver();
      let receipt: Awaited<ReturnType<typeof eraseCustomer>> | undefined;
      il.inject(at, async () => {
        receipt = await eraseCustomer(eraseDeps(ports), person.email);
      });
      // Act
      await sweepOutbox(sweepDeps(ports, il), 60);
      // Assess
      expect(receipt?.outcome, `point ${at}`).toBe('erased');
      await nothingReadable(ports, emailKey);
    }
  });
});

describe('erase vs intake, intake at every await point of the erasure', () => {
  it.each(VARIANTS)('%s', async (variant) => {
    // Prepare
    const dry = await world(variant);
    const counter = new Interleaver();
    const erase = (ports: FakePorts, il: Interleaver) =>
      eraseCustomer(
        {
          orders: il.wrap('orders', ports.orders),
          consent: il.wrap('consent', ports.consent),
          fence: il.wrap('fence', ports.fence),
          lookup: ports.lookup,
          clock: ports.clock,
        },
        person.email,
      );
    await erase(dry.ports, counter);
    // The point after the erasure's last call is after it ended: an intake there comes after it.
    const points = counter.points - 1;
    expect(points).toBeGreaterThan(8);

    for (let at = 0; at < points; at++) {
      const { ports, emailKey, body } = await world(variant);
      const il = new Interleaver();
      let orderId: string | undefined;
      il.inject(at, async () => {
        ({ orderId } = await submitOrder(ports, { idempotencyKey: 'now', body }));
      });
      // Act
      const receipt = await erase(ports, il);
      // Assess
      expect(receipt.outcome, `point ${at} (${counter.log[at]})`).toBe('erased');
      await nothingReadable(ports, emailKey, orderId);
      expect(orderId && ports.orders.orders.has(orderId), `point ${at}`).toBe(true);
    }
  });
});

describe('erase vs consent writes', () => {
  it('an opt-out (unsubscribe / SES feedback) with the erasure at each of its await points re-creates no ledger', async () => {
    // Prepare
    const dry = await world('opt-in');
    const counter = new Interleaver();
    const optOut = (ports: FakePorts, emailKey: string, il: Interleaver) =>
      recordOptOut(
        {
          consent: il.wrap('consent', ports.consent),
          fence: il.wrap('fence', ports.fence),
          clock: ports.clock,
          settings: ports.settings,
        },
        emailKey,
        'complaint',
      );
    await optOut(dry.ports, dry.emailKey, counter);
    const points = counter.points;
    const markRead = counter.log.indexOf('after fence.readFence');

    for (let at = 0; at < points; at++) {
      const { ports, emailKey } = await world('opt-in');
      const il = new Interleaver();
      il.inject(at, () => eraseCustomer(eraseDeps(ports), person.email));
      // Act
      await optOut(ports, emailKey, il);
      // Assess
      const where = `point ${at} (${counter.log[at]})`;
      expect(ports.consent.customers.get(emailKey)?.marketing, where).toBeUndefined();
      if (at >= markRead) expect(ports.consent.customers.has(emailKey), where).toBe(false);
      expect(ports.consent.suppressions.get(emailKey)?.reason, where).toMatch(/^(erasure|complaint)$/);
      expect(await ports.orders.listPersonalByEmailKey(emailKey), where).toEqual([]);
    }
  });

  it('a confirmation POST at every await point of the erasure re-creates nothing', async () => {
    // Prepare: a pending confirmation request and its token
    const pending = async () => {
      const w = await world('opt-in after an unsubscribe (confirmation requested)');
      const { orderId } = await submitOrder(w.ports, { idempotencyKey: 'now', body: w.body });
      const request = w.ports.consent.customers.get(w.emailKey)?.confirmation;
      if (!request) throw new Error('no confirmation request');
      const { createConsentToken } = await import('../../shared/domain/consent-token.js');
      const token = await createConsentToken(w.ports.lookup, {
        emailKey: w.emailKey,
        requestId: request.id,
        expiresAt: request.expiresAt,
      });
      return { ...w, orderId, token };
    };
    const erase = (ports: FakePorts, il: Interleaver) =>
      eraseCustomer(
        {
          orders: il.wrap('orders', ports.orders),
          consent: il.wrap('consent', ports.consent),
          fence: il.wrap('fence', ports.fence),
          lookup: ports.lookup,
          clock: ports.clock,
        },
        person.email,
      );
    const dry = await pending();
    const counter = new Interleaver();
    await erase(dry.ports, counter);

    for (let at = 0; at < counter.points; at++) {
      const { ports, emailKey, token } = await pending();
      const il = new Interleaver();
      il.inject(at, () => confirmConsent(ports, token).catch(() => 'rejected'));
      // Act
      const receipt = await erase(ports, il);
      // Assess
      expect(receipt.outcome, `point ${at}`).toBe('erased');
      await nothingReadable(ports, emailKey);
    }
  });
});
