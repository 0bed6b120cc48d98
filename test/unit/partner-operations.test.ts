/**
 * Partner operations without I/O: keyrings (rotation, grace period, retirement), signing with
 * every active secret, the 410 Gone hold, replays, and the races between a delivery holding a
 * message and `enable` (or another delivery disabling the partner), forced at every await.
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  MemoryOrderScan,
  MemoryPartnerStateStore,
} from '../../shared/adapters/memory/memory-partner-state.js';
import { MemoryQueue } from '../../shared/adapters/memory/memory-queue.js';
import { MemoryOrderStore } from '../../shared/adapters/memory/memory-stores.js';
import {
  activeSecrets,
  type Keyring,
  parseKeyring,
  retireKeyring,
  rotateKeyring,
  signWithAll,
  verifyWithAny,
} from '../../shared/domain/partner-keyring.js';
import type { QueueMessage, SecretStore } from '../../shared/ports.js';
import {
  type DeliverDeps,
  type DeliverOutcome,
  type DeliveryPartner,
  deliverToPartner,
  webhookId,
} from '../../shared/usecases/deliver-to-partner.js';
import { enablePartner, partnerStatus } from '../../shared/usecases/partner-gone.js';
import { replayMessages } from '../../shared/usecases/replay.js';
import { canaries } from '../support/canaries.js';
import {
  contactFields,
  FakeClock,
  FakeDataKeys,
  newSecret,
  ORDER_ID,
  orderRecord,
  personalRecord,
  SAMPLE_PARTNERS,
  ScriptedPartnerClient,
  shippingFields,
  T0,
} from './deliver-fixtures.js';

const c = canaries('0be70001');
const HOUR = 3_600_000;
const PARTNERS: DeliveryPartner[] = [...SAMPLE_PARTNERS];
const OTHER_ORDER = 'ord_01JDX7Q3M5N8P2R4S6T9V0W2AB';

describe('keyrings', () => {
  const old = newSecret();
  const start: Keyring = { secrets: [{ secret: old, activatedAt: T0.toISOString() }] };

  it('rotation adds a second active secret; the old one retires after the grace period, ignored from then on', () => {
    // Act
    const rotation = rotateKeyring(start, T0, 24);
    if (rotation.outcome !== 'rotated') throw new Error('not rotated');
    // Assess
    expect(rotation.retireAt).toBe(new Date(T0.getTime() + 24 * HOUR).toISOString());
    expect(activeSecrets(rotation.keyring, new Date(T0.getTime() + 1000))).toEqual([rotation.secret, old]);
    expect(activeSecrets(rotation.keyring, new Date(T0.getTime() + 24 * HOUR - 1))).toEqual([
      rotation.secret,
      old,
    ]);
    expect(activeSecrets(rotation.keyring, new Date(T0.getTime() + 24 * HOUR))).toEqual([rotation.secret]);
    expect(rotation.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });

  it('a second rotation during the grace period is refused; after it, the retired secret is dropped', () => {
    // Prepare
    const first = rotateKeyring(start, T0, 24);
    if (first.outcome !== 'rotated') throw new Error('not rotated');
    // Act
    const during = rotateKeyring(first.keyring, new Date(T0.getTime() + HOUR), 24);
    const after = rotateKeyring(first.keyring, new Date(T0.getTime() + 25 * HOUR), 24);
    // Assess
    expect(during).toEqual({ outcome: 'already-rotating', retireAt: first.retireAt });
    if (after.outcome !== 'rotated') throw new Error('not rotated');
    expect(after.keyring.secrets.map((s) => s.secret)).toEqual([first.secret, after.secret]);
  });

  it('retire keeps only the newest active secret; nothing to retire counts 0', () => {
    // Prepare
    const rotation = rotateKeyring(start, T0);
    if (rotation.outcome !== 'rotated') throw new Error('not rotated');
    // Act
    const retired = retireKeyring(rotation.keyring, new Date(T0.getTime() + HOUR));
    const again = retireKeyring(retired.keyring, new Date(T0.getTime() + HOUR));
    // Assess
    expect(retired).toEqual({
      keyring: { secrets: [{ secret: rotation.secret, activatedAt: T0.toISOString() }] },
      retired: 1,
    });
    expect(again.retired).toBe(0);
  });

  it('reads a bare secret (before the first rotation) as a keyring of one; garbage is refused without echoing it', () => {
    // Act
    const bare = parseKeyring(`${old}\n`);
    const unprefixed = parseKeyring('c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0');
    // Assess
    expect(activeSecrets(bare, T0)).toEqual([old]);
    expect(activeSecrets(unprefixed, T0)).toEqual(['c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0']);
    expect(() => parseKeyring('not a secret!')).toThrow('the stored secret is not a base64 secret');
    expect(() => parseKeyring('{"secrets":[{"secret":"x"}]}')).toThrow(/does not match its schema$/);
  });

  it('two active secrets give two signatures, each verifiable alone; verifyWithAny accepts either, rejects others', () => {
    // Prepare
    const fresh = newSecret();
    const at = new Date();
    const body = '{"type":"pick.requested"}';
    // Act
    const header = signWithAll([fresh, old], 'msg_1', at, body);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)) };
    // Assess
    expect(header.split(' ')).toHaveLength(2);
    for (const secret of [old, fresh])
      expect(() =>
        new Webhook(secret).verify(body, { ...headers, 'webhook-signature': header }),
      ).not.toThrow();
    const byOld = new Webhook(old).sign('msg_1', at, body);
    expect(() => verifyWithAny([fresh, old], body, { ...headers, 'webhook-signature': byOld })).not.toThrow();
    expect(() => verifyWithAny([fresh], body, { ...headers, 'webhook-signature': byOld })).toThrow(
      'No matching signature found',
    );
  });
});

/** Two-secret store so that every message is signed twice. */
class RotatingSecrets implements SecretStore {
  readonly secrets = { warehouse: [newSecret(), newSecret()], carrier: [newSecret()] };
  async partnerSecrets(partnerId: string) {
    return this.secrets[partnerId as 'warehouse' | 'carrier'];
  }
}

function setup(script: Array<number | Error> = []) {
  const orders = new MemoryOrderStore();
  const personal = personalRecord({ shipping: shippingFields(c), contact: contactFields(c) });
  for (const orderId of [ORDER_ID, OTHER_ORDER]) {
    orders.orders.set(orderId, orderRecord({ orderId }));
    orders.personal.set(orderId, { ...personal, orderId });
  }
  const partnerState = new MemoryPartnerStateStore();
  const client = new ScriptedPartnerClient(script);
  const queue = new MemoryQueue();
  const clock = new FakeClock();
  const deps: DeliverDeps = {
    orders,
    dataKeys: new FakeDataKeys(),
    secrets: new RotatingSecrets(),
    partnerClient: client,
    partnerState,
    clock,
    partners: PARTNERS,
    settings: { originCountry: 'GB', timeoutMs: 15_000, baseDelaySeconds: 30 },
    random: () => 0,
  };
  const enableDeps = { partnerState, queue, clock, partners: PARTNERS };
  return { deps, orders, partnerState, client, queue, clock, enableDeps };
}

const input = (partnerId: string, orderId = ORDER_ID, replay = false) => ({
  orderId,
  partnerId,
  receiveCount: 1,
  maxAttempts: 16,
  ...(replay ? { replay: true } : {}),
});

/** Delivers every queued message (and retries) like the queue consumer would, until none is left. */
async function drain(deps: DeliverDeps, queue: MemoryQueue): Promise<DeliverOutcome[]> {
  const outcomes: DeliverOutcome[] = [];
  for (let guard = 0; queue.sent.length > 0 && guard < 50; guard++) {
    const { message } = queue.sent.shift() as { message: QueueMessage };
    const run = input(String(message.partner), message.orderId, message.replay === 1);
    let outcome = await deliverToPartner(deps, run);
    while (outcome.outcome === 'retry') outcome = await deliverToPartner(deps, { ...run, receiveCount: 2 });
    outcomes.push(outcome);
  }
  return outcomes;
}

describe('delivery with partner operations', () => {
  it('signs with every active secret (two during a rotation)', async () => {
    // Prepare
    const { deps, client } = setup();
    const secrets = (deps.secrets as RotatingSecrets).secrets.warehouse;
    // Act: signed now, so that the package's 5-minute tolerance accepts it
    await deliverToPartner({ ...deps, clock: new FakeClock(new Date()) }, input('warehouse'));
    // Assess
    const sent = client.posted[0];
    expect(sent?.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    for (const secret of secrets)
      expect(() => new Webhook(secret).verify(sent?.body ?? '', sent?.headers ?? {})).not.toThrow();
  });

  it('a 410 disables the partner at once and holds the message; later messages are held unsent; other partners are not affected', async () => {
    // Prepare
    const { deps, orders, partnerState, client } = setup([410]);
    // Act
    const gone = await deliverToPartner(deps, input('carrier'));
    const next = await deliverToPartner(deps, input('carrier', OTHER_ORDER));
    const warehouse = await deliverToPartner(deps, input('warehouse'));
    const status = await partnerStatus({ partnerState, partners: PARTNERS }, 'carrier');
    // Assess
    expect(gone).toEqual({
      outcome: 'held',
      webhookId: webhookId(ORDER_ID, 'carrier', 'shipment.requested'),
      disabled: true,
    });
    expect(next).toEqual({
      outcome: 'held',
      webhookId: webhookId(OTHER_ORDER, 'carrier', 'shipment.requested'),
      disabled: false,
    });
    expect(warehouse.outcome).toBe('delivered');
    expect(client.posted.map((p) => p.url)).toEqual([
      'https://carrier.example/hooks',
      'https://wh.example/hooks',
    ]);
    expect(status).toEqual({ partnerId: 'carrier', state: 'disabled', changedAt: T0.toISOString(), held: 2 });
    expect(orders.orders.get(ORDER_ID)?.deliveries.carrier?.state).toBe('pending');
    expect(orders.orders.get(OTHER_ORDER)?.deliveries.carrier?.state).toBe('pending');
  });

  it('enable sends every held message exactly once; a second enable sends nothing', async () => {
    // Prepare
    const { deps, orders, client, queue, enableDeps } = setup([410]);
    await deliverToPartner(deps, input('carrier'));
    await deliverToPartner(deps, input('carrier', OTHER_ORDER));
    // Act
    const enabled = await enablePartner(enableDeps, 'carrier');
    const outcomes = await drain(deps, queue);
    const again = await enablePartner(enableDeps, 'carrier');
    // Assess
    expect(enabled).toEqual({ partnerId: 'carrier', wasDisabled: true, released: 2 });
    expect(outcomes.map((o) => o.outcome)).toEqual(['delivered', 'delivered']);
    expect(again).toEqual({ partnerId: 'carrier', wasDisabled: false, released: 0 });
    expect(client.posted).toHaveLength(3);
    expect(orders.orders.get(ORDER_ID)?.deliveries.carrier?.state).toBe('delivered');
  });

  it('enable that crashes between re-sending a held message and removing it re-sends it on the next enable (never loses it)', async () => {
    // Prepare
    const { deps, partnerState, queue, enableDeps, client } = setup([410]);
    await deliverToPartner(deps, input('carrier'));
    const release = partnerState.releaseHeld.bind(partnerState);
    partnerState.releaseHeld = async () => {
      throw new Error('crash');
    };
    // Act
    const crashed = await enablePartner(enableDeps, 'carrier').catch((error: Error) => error.message);
    partnerState.releaseHeld = release;
    const again = await enablePartner(enableDeps, 'carrier');
    const outcomes = await drain(deps, queue);
    // Assess
    expect(crashed).toBe('crash');
    expect(again).toEqual({ partnerId: 'carrier', wasDisabled: false, released: 1 });
    expect(outcomes.map((o) => o.outcome)).toEqual(['delivered', 'already-delivered']);
    expect(client.posted.map((p) => p.headers['webhook-id'])).toEqual([
      webhookId(ORDER_ID, 'carrier', 'shipment.requested'),
      webhookId(ORDER_ID, 'carrier', 'shipment.requested'),
    ]);
  });

  it('a replay is sent even though delivered, with the same webhook-id; a held replay stays a replay', async () => {
    // Prepare
    const { deps, client, partnerState, queue, enableDeps } = setup();
    await deliverToPartner(deps, input('warehouse'));
    // Act
    const duplicate = await deliverToPartner(deps, input('warehouse'));
    const replay = await deliverToPartner(deps, input('warehouse', ORDER_ID, true));
    await partnerState.disablePartner('warehouse', T0.toISOString(), 410);
    const heldReplay = await deliverToPartner(deps, input('warehouse', ORDER_ID, true));
    await enablePartner(enableDeps, 'warehouse');
    const afterEnable = await drain(deps, queue);
    // Assess
    expect(duplicate).toEqual({ outcome: 'already-delivered' });
    expect(replay.outcome).toBe('delivered');
    expect(heldReplay.outcome).toBe('held');
    expect(afterEnable.map((o) => o.outcome)).toEqual(['delivered']);
    expect(new Set(client.posted.map((p) => p.headers['webhook-id']))).toEqual(
      new Set([webhookId(ORDER_ID, 'warehouse', 'pick.requested')]),
    );
    expect(client.posted).toHaveLength(3);
  });
});

/**
 * Wraps a store so that each method call first awaits `hook(step)`: the competing operation runs
 * exactly before the chosen step.
 */
function interleaved<T extends object>(target: T, hook: () => Promise<void>): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (async () => {
          await hook();
          return (value as (...a: unknown[]) => unknown).apply(object, args);
        })();
        // listHeld is an async iterable, not a promise
        if (key === 'listHeld') {
          const inner = (value as (...a: unknown[]) => AsyncIterable<unknown>).apply(object, args);
          return (async function* () {
            await hook();
            yield* inner;
          })();
        }
        return result;
      };
    },
  });
}

/** Runs `delivery` with `competitor` forced in before its step `at` (or never, when past its last step). */
async function race(
  at: number,
  build: (hook: () => Promise<void>) => {
    delivery: () => Promise<unknown>;
    competitor: () => Promise<unknown>;
  },
): Promise<{ steps: number }> {
  let step = 0;
  let ran = false;
  let competitor: () => Promise<unknown> = async () => undefined;
  const hook = async () => {
    if (ran) return;
    if (step++ === at) {
      ran = true;
      await competitor();
    }
  };
  const built = build(hook);
  competitor = async () => {
    const saved = ran;
    ran = true;
    await built.competitor();
    ran = saved;
  };
  await built.delivery();
  return { steps: step };
}

describe('races, forced at every await', () => {
  it('enable while a delivery is holding a message: the message is neither lost nor sent twice', async () => {
    let steps = 0;
    for (let at = 0; at < 12; at++) {
      // Prepare
      const s = setup([]);
      await s.partnerState.disablePartner('carrier', T0.toISOString(), 410);
      // Act
      const result = await race(at, (hook) => {
        const deps = {
          ...s.deps,
          orders: interleaved(s.orders, hook),
          partnerState: interleaved(s.partnerState, hook),
        };
        return {
          delivery: async () => {
            let outcome = await deliverToPartner(deps, input('carrier'));
            while (outcome.outcome === 'retry')
              outcome = await deliverToPartner(s.deps, { ...input('carrier'), receiveCount: 2 });
          },
          competitor: () => enablePartner(s.enableDeps, 'carrier'),
        };
      });
      if (at >= result.steps) await enablePartner(s.enableDeps, 'carrier');
      await drain(s.deps, s.queue);
      // Assess
      expect(s.client.posted, `enable before step ${at}`).toHaveLength(1);
      expect(s.orders.orders.get(ORDER_ID)?.deliveries.carrier?.state, `step ${at}`).toBe('delivered');
      expect(s.partnerState.held.get('carrier')?.size ?? 0, `step ${at}`).toBe(0);
      steps = result.steps;
      if (at >= result.steps) break;
    }
    expect(steps).toBeGreaterThanOrEqual(5);
  });

  it('a message in flight while another delivery disables the partner (410): each order arrives once after enable', async () => {
    for (let at = 0; at < 12; at++) {
      // Prepare: the other order's delivery gets the 410; ours would get a 2xx if it is sent.
      const s = setup([]);
      const answers = new Map([[OTHER_ORDER, [410]]]);
      const client = {
        posted: [] as Array<{ orderId: string; status: number }>,
        async post(_url: string, body: string) {
          const orderId = (JSON.parse(body) as { orderId: string }).orderId;
          const status = answers.get(orderId)?.shift() ?? 204;
          this.posted.push({ orderId, status });
          return { status };
        },
      };
      const base = { ...s.deps, partnerClient: client };
      // Act
      const result = await race(at, (hook) => ({
        delivery: () =>
          deliverToPartner(
            { ...base, orders: interleaved(s.orders, hook), partnerState: interleaved(s.partnerState, hook) },
            input('carrier'),
          ),
        competitor: () => deliverToPartner(base, input('carrier', OTHER_ORDER)),
      }));
      if (at >= result.steps) await deliverToPartner(base, input('carrier', OTHER_ORDER));
      await enablePartner(s.enableDeps, 'carrier');
      await drain(base, s.queue);
      // Assess
      const acknowledged = client.posted
        .filter((p) => p.status === 204)
        .map((p) => p.orderId)
        .sort();
      expect(acknowledged, `disable before step ${at}`).toEqual([ORDER_ID, OTHER_ORDER].sort());
      expect(s.orders.orders.get(ORDER_ID)?.deliveries.carrier?.state).toBe('delivered');
      expect(s.orders.orders.get(OTHER_ORDER)?.deliveries.carrier?.state).toBe('delivered');
      if (at >= result.steps) break;
    }
  });
});

describe('replay selection', () => {
  it('skips and counts orders whose personal data is gone for a partner that needs it; the warehouse still gets them', async () => {
    // Prepare
    const s = setup();
    s.orders.personal.delete(OTHER_ORDER);
    const deps = {
      orders: s.orders,
      orderScan: new MemoryOrderScan(s.orders.orders),
      queue: s.queue,
      clock: s.clock,
      partners: PARTNERS,
    };
    // Act
    const carrier = await replayMessages(deps, 'carrier', { by: 'range', since: T0.toISOString() });
    const warehouse = await replayMessages(deps, 'warehouse', { by: 'range', since: T0.toISOString() });
    const none = await replayMessages(deps, 'carrier', {
      by: 'range',
      since: new Date(T0.getTime() + 1).toISOString(),
    });
    // Assess
    expect(carrier).toEqual({
      partnerId: 'carrier',
      matched: 2,
      enqueued: 1,
      skippedPersonalDataGone: 1,
      webhookIds: [webhookId(ORDER_ID, 'carrier', 'shipment.requested')],
    });
    expect(warehouse).toMatchObject({ matched: 2, enqueued: 2, skippedPersonalDataGone: 0 });
    expect(none).toMatchObject({ matched: 0, enqueued: 0 });
    expect(s.queue.sent.map((m) => m.message)).toEqual([
      { type: 'order.accepted', orderId: ORDER_ID, partner: 'carrier', replay: 1 },
      { type: 'order.accepted', orderId: ORDER_ID, partner: 'warehouse', replay: 1 },
      { type: 'order.accepted', orderId: OTHER_ORDER, partner: 'warehouse', replay: 1 },
    ]);
  });
});
