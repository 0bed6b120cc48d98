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
import { sweepOutbox } from '../../shared/usecases/fan-out.js';
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
    queue: il.wrap('queue', ports.queue),
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
  await submitOrder(ports, { idempotencyKey: 'earlier', body: orderBody(person, { marketingOptIn: true }) });
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

describe('erase vs intake, erasure at every await point of the intake', () => {
  it.each(VARIANTS)('%s', async (variant) => {
    // Prepare: a dry run counts the intake's await points
    const dry = await world(variant);
    const counter = new Interleaver();
    await submitOrder(wrapped(dry.ports, counter), { idempotencyKey: 'now', body: dry.body });
    const points = counter.points;
    const markRead = counter.log.indexOf('after fence.readFence');
    expect(points).toBeGreaterThan(10);
    expect(markRead).toBeGreaterThan(0);

    for (let at = 0; at < points; at++) {
      const { ports, emailKey, body } = await world(variant);
      const il = new Interleaver();
      let receipt: Awaited<ReturnType<typeof eraseCustomer>> | undefined;
      il.inject(at, async () => {
        receipt = await eraseCustomer(eraseDeps(ports), person.email);
      });
      // Act
      const accepted = await submitOrder(wrapped(ports, il), { idempotencyKey: 'now', body });
      // Assess
      const where = `${variant}: erasure at point ${at} (${counter.log[at]})`;
      expect(il.injected, where).toBe(true);
      expect(receipt?.outcome, where).toBe('erased');
      expect(ports.orders.orders.get(accepted.orderId)?.status, where).toBe('accepted');
      if (at < markRead) {
        // The erasure ended before the intake read the fence: this is a new order after it.
        expect(await ports.orders.getPersonal(accepted.orderId, ports.clock.now()), where).toBeDefined();
      } else {
        // The order was accepted (202) and is consistent: its personal data is erased.
        await nothingReadable(ports, emailKey, accepted.orderId);
      }
    }
  });

  it('a retry that resumes a crashed first attempt, with the erasure at every await point of the retry', async () => {
    // Prepare: the first attempt writes the personal record and dies before its fence check
    const crashFirst = async () => {
      const w = await world('opt-in');
      let reads = 0;
      const fence = {
        readFence: (key: string) => {
          reads++;
          return reads === 2 ? Promise.reject(new Error('crash')) : w.ports.fence.readFence(key);
        },
      };
      await expect(
        submitOrder({ ...w.ports, fence }, { idempotencyKey: 'now', body: w.body }),
      ).rejects.toThrow('crash');
      expect(await w.ports.orders.listPersonalByEmailKey(w.emailKey)).toHaveLength(2);
      w.ports.clock.advance(31_000);
      return w;
    };
    const dry = await crashFirst();
    const counter = new Interleaver();
    await submitOrder(wrapped(dry.ports, counter), { idempotencyKey: 'now', body: dry.body });
    const points = counter.points;
    expect(points).toBeGreaterThan(10);

    for (let at = 0; at < points; at++) {
      const { ports, emailKey, body } = await crashFirst();
      const il = new Interleaver();
      let receipt: Awaited<ReturnType<typeof eraseCustomer>> | undefined;
      il.inject(at, async () => {
        receipt = await eraseCustomer(eraseDeps(ports), person.email);
      });
      // Act
      const resumed = await submitOrder(wrapped(ports, il), { idempotencyKey: 'now', body });
      // Assess: the first attempt's mark predates every one of these erasures
      const where = `erasure at point ${at} (${counter.log[at]}) of the resumed retry`;
      expect(resumed.replayed, where).toBe(true);
      expect(receipt?.outcome, where).toBe('erased');
      await nothingReadable(ports, emailKey, resumed.orderId);
    }
  });

  it('an outbox resume, with the erasure at every await point of the sweep, creates nothing personal', async () => {
    // Prepare: an intake that wrote its order and died before the fan-out
    const crashed = async () => {
      const w = await world('opt-in');
      const queue = { send: () => Promise.reject(new Error('crash')) };
      await expect(
        submitOrder({ ...w.ports, queue }, { idempotencyKey: 'now', body: w.body }),
      ).rejects.toThrow('crash');
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
