/** The DynamoDB order store's conditional writes, against dynalite. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#shared/contracts.js';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoOrderStore } from '../../shared/adapters/aws/dynamo-order-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import { type EmbeddedDynamo, ensureTables } from '../../shared/adapters/local/embedded-dynamodb.js';
import type { OrderRecord, PersonalRecord } from '../../shared/domain/order.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let store: DynamoOrderStore;
let doc: DynamoDBDocumentClient;
const T0 = Date.parse('2026-11-25T10:00:00Z');

function order(orderId: string): OrderRecord {
  return {
    orderId,
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    status: 'accepted',
    items: [{ sku: 'A', name: 'B', quantity: 1, unitPrice: 100 }],
    currency: 'EUR',
    country: 'GB',
    paymentReference: 'pi_1',
    trackingNumber: null,
    trackingUrl: null,
    deliveredAt: null,
    deliveries: { carrier: { state: 'pending', updatedAt: new Date(T0).toISOString() } },
    emails: {},
    processedEvents: [],
    outbox: 'pending',
  };
}
const personal = (orderId: string, expiresAt: number): PersonalRecord => ({
  orderId,
  emailKey: 'k'.repeat(43),
  sealed: { shipping: Uint8Array.of(1, 2, 3) },
  expiresAt,
});

beforeAll(async () => {
  ({ dynamo, client } = await startTestDynamo());
  await ensureTables(client, [tableDefinition('orders')]);
  doc = documentClient(client);
  store = new DynamoOrderStore(doc, 'orders');
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

describe('DynamoDB order store', () => {
  it('the outbox sweep lists sharded flags and the unsharded one of items from before (a restored table), then forgets each once cleared', async () => {
    // Prepare: one order written now (sharded flag), one as written before the sharding.
    await store.putOrderRecord(order('ord_obx_new'));
    await store.putOrderRecord(order('ord_obx_old'));
    await doc.send(
      new UpdateCommand({
        TableName: 'orders',
        Key: { pk: keys.order('ord_obx_old') },
        UpdateExpression: 'SET outbox = :legacy',
        ExpressionAttributeValues: { ':legacy': 'pending' },
      }),
    );
    const before = new Date(T0 + 60_000);
    // Act
    const listed = await store.listPendingFanout(before, 100);
    await store.markFanoutDone('ord_obx_old');
    await store.markFanoutDone('ord_obx_new');
    const after = await store.listPendingFanout(before, 100);
    // Assess
    expect(listed.filter((id) => id.startsWith('ord_obx_')).sort()).toEqual(['ord_obx_new', 'ord_obx_old']);
    expect(after.filter((id) => id.startsWith('ord_obx_'))).toEqual([]);
    expect((await store.getOrder('ord_obx_old'))?.outbox).toBe('done');
  });

  it('an expired personal record is not served and its expiry is never extended', async () => {
    // Prepare: expires at T0 + 10 s
    await store.putOrder(order('ord_exp'), personal('ord_exp', T0 / 1000 + 10));
    // Act
    await store.setPersonalExpiry('ord_exp', T0 / 1000 + 99_999, new Date(T0 + 11_000));
    // Assess
    expect(await store.getPersonal('ord_exp', new Date(T0 + 5_000))).toBeDefined();
    expect(await store.getPersonal('ord_exp', new Date(T0 + 11_000))).toBeUndefined();
  });

  it('a live record gets its new expiry', async () => {
    // Prepare
    await store.putOrder(order('ord_live'), personal('ord_live', T0 / 1000 + 10));
    // Act
    await store.setPersonalExpiry('ord_live', T0 / 1000 + 100, new Date(T0 + 5_000));
    // Assess
    expect((await store.getPersonal('ord_live', new Date(T0 + 50_000)))?.expiresAt).toBe(T0 / 1000 + 100);
  });

  it('putOrder is safe to repeat: the first write stays', async () => {
    // Prepare
    await store.putOrder(order('ord_twice'), personal('ord_twice', 1e10));
    // Act
    await store.putOrder({ ...order('ord_twice'), currency: 'GBP' }, personal('ord_twice', 5));
    // Assess
    expect((await store.getOrder('ord_twice'))?.currency).toBe('EUR');
    expect((await store.getPersonal('ord_twice', new Date(T0)))?.expiresAt).toBe(1e10);
  });

  it('a status change applies once per event id, only from allowed statuses', async () => {
    // Prepare
    await store.putOrder(order('ord_ev'), personal('ord_ev', 1e10));
    const change = {
      partnerId: 'carrier',
      eventId: 'evt_1',
      to: 'dispatched',
      from: ['accepted'],
      at: '2026-11-25T11:00:00.000Z',
      trackingNumber: '1Z',
    } as const;
    // Act
    const first = await store.applyStatusChange('ord_ev', change);
    const replay = await store.applyStatusChange('ord_ev', change);
    const conflict = await store.applyStatusChange('ord_ev', { ...change, eventId: 'evt_2' });
    const missing = await store.applyStatusChange('ord_nope', change);
    // Assess
    expect(first.outcome).toBe('applied');
    expect(replay.outcome).toBe('replay');
    expect(conflict.outcome).toBe('conflict');
    expect(missing.outcome).toBe('not-found');
    expect(await store.getOrder('ord_ev')).toMatchObject({
      status: 'dispatched',
      trackingNumber: '1Z',
      processedEvents: ['carrier evt_1'],
    });
  });

  it('event ids are per partner: two carriers on one order may both use evt_1; ids from before stay seen', async () => {
    // Prepare: routed to two carriers (both serve the destination), and one order written before
    // event ids were kept per partner
    const twoCarriers = order('ord_two');
    const at = new Date(T0).toISOString();
    await store.putOrder(
      {
        ...twoCarriers,
        deliveries: { ...twoCarriers.deliveries, 'carrier-b': { state: 'pending', updatedAt: at } },
      },
      personal('ord_two', 1e10),
    );
    await store.putOrder({ ...order('ord_old'), processedEvents: ['evt_1'] }, personal('ord_old', 1e10));
    const dispatched = {
      partnerId: 'carrier',
      eventId: 'evt_1',
      to: 'dispatched',
      from: ['accepted'],
      at: '2026-11-25T11:00:00.000Z',
      trackingNumber: '1Z',
    } as const;
    const delivered = {
      partnerId: 'carrier-b',
      eventId: 'evt_1',
      to: 'delivered',
      from: ['accepted', 'dispatched'],
      at: '2026-11-25T12:00:00.000Z',
    } as const;
    // Act
    const first = await store.applyStatusChange('ord_two', dispatched);
    const other = await store.applyStatusChange('ord_two', delivered);
    const replay = await store.applyStatusChange('ord_two', delivered);
    const old = await store.applyStatusChange('ord_old', dispatched);
    // Assess
    expect([first.outcome, other.outcome, replay.outcome, old.outcome]).toEqual([
      'applied',
      'applied',
      'replay',
      'replay',
    ]);
    expect(await store.getOrder('ord_two')).toMatchObject({
      status: 'delivered',
      processedEvents: ['carrier evt_1', 'carrier-b evt_1'],
    });
    expect((await store.getOrder('ord_old'))?.status).toBe('accepted');
  });

  it('a status change from a partner the order was not routed to is refused by the write itself', async () => {
    // Prepare: routed to `carrier` only; `carrier-x` reports, also re-using carrier's event id
    await store.putOrder(order('ord_route'), personal('ord_route', 1e10));
    const change = {
      partnerId: 'carrier',
      eventId: 'evt_1',
      to: 'dispatched',
      from: ['accepted'],
      at: '2026-11-25T11:00:00.000Z',
      trackingNumber: '1Z',
    } as const;
    const before = await store.getOrder('ord_route');
    // Act
    const foreign = await store.applyStatusChange('ord_route', {
      ...change,
      partnerId: 'carrier-x',
      trackingUrl: 'https://x.example/t',
    });
    const real = await store.applyStatusChange('ord_route', change);
    const foreignReplay = await store.applyStatusChange('ord_route', { ...change, partnerId: 'carrier-x' });
    const foreignUnknown = await store.applyStatusChange('ord_nope', { ...change, partnerId: 'carrier-x' });
    // Assess
    expect(foreign.outcome).toBe('not-routed');
    expect(before?.status).toBe('accepted');
    expect(real.outcome).toBe('applied');
    expect(foreignReplay.outcome).toBe('not-routed');
    expect(foreignUnknown.outcome).toBe('not-found');
    expect(await store.getOrder('ord_route')).toMatchObject({
      status: 'dispatched',
      trackingNumber: '1Z',
      trackingUrl: null,
      processedEvents: ['carrier evt_1'],
    });
  });

  it('the routing is checked when the write lands: a routing change after any read still wins', async () => {
    // Prepare: `carrier-x` is on the order when the event arrives (a read would say "routed"),
    // and is taken off it just before the status write reaches the table
    const routedTwice = order('ord_race');
    const at = new Date(T0).toISOString();
    await store.putOrder(
      {
        ...routedTwice,
        deliveries: { ...routedTwice.deliveries, 'carrier-x': { state: 'pending', updatedAt: at } },
      },
      personal('ord_race', 1e10),
    );
    const seen = await store.getOrder('ord_race');
    let interleaved = false;
    const racing = new DynamoOrderStore(
      {
        send: async (command: unknown) => {
          if (command instanceof UpdateCommand && !interleaved) {
            interleaved = true;
            await doc.send(
              new UpdateCommand({
                TableName: 'orders',
                Key: { pk: keys.order('ord_race') },
                UpdateExpression: 'REMOVE deliveries.#p',
                ExpressionAttributeNames: { '#p': 'carrier-x' },
              }),
            );
          }
          return doc.send(command as UpdateCommand);
        },
      } as unknown as DynamoDBDocumentClient,
      'orders',
    );
    // Act
    const result = await racing.applyStatusChange('ord_race', {
      partnerId: 'carrier-x',
      eventId: 'evt_x',
      to: 'delivered',
      from: ['accepted', 'dispatched'],
      at: '2026-11-25T11:00:00.000Z',
    });
    // Assess
    expect(Object.keys(seen?.deliveries ?? {}).sort()).toEqual(['carrier', 'carrier-x']);
    expect(interleaved).toBe(true);
    expect(result.outcome).toBe('not-routed');
    expect(await store.getOrder('ord_race')).toMatchObject({
      status: 'accepted',
      deliveredAt: null,
      processedEvents: [],
    });
  });

  it('a delivery state change never adds a partner to the order (nor lets it report events)', async () => {
    // Prepare: routed to `carrier` only
    await store.putOrder(order('ord_addp'), personal('ord_addp', 1e10));
    // Act
    await store.setDeliveryState('ord_addp', 'carrier-x', 'failed', '2026-11-25T10:01:00.000Z');
    await store.setDeliveryState('ord_addp', 'carrier-x', 'pending', '2026-11-25T10:02:00.000Z');
    await store.setDeliveryState('ord_nope', 'carrier', 'failed', '2026-11-25T10:02:00.000Z');
    const event = await store.applyStatusChange('ord_addp', {
      partnerId: 'carrier-x',
      eventId: 'evt_x',
      to: 'delivered',
      from: ['accepted', 'dispatched'],
      at: '2026-11-25T11:00:00.000Z',
    });
    // Assess
    expect(Object.keys((await store.getOrder('ord_addp'))?.deliveries ?? {})).toEqual(['carrier']);
    expect(await store.getOrder('ord_nope')).toBeUndefined();
    expect(event.outcome).toBe('not-routed');
  });

  it('an email claim is exclusive until sent, or until its lease runs out', async () => {
    // Prepare
    await store.putOrder(order('ord_mail'), personal('ord_mail', 1e10));
    // Act
    const first = await store.claimEmail('ord_mail', 'order-confirmation', T0 + 20_000, T0);
    const during = await store.claimEmail('ord_mail', 'order-confirmation', T0 + 40_000, T0 + 10_000);
    const afterLease = await store.claimEmail('ord_mail', 'order-confirmation', T0 + 60_000, T0 + 30_000);
    await store.markEmailSent('ord_mail', 'order-confirmation');
    const afterSent = await store.claimEmail('ord_mail', 'order-confirmation', T0 + 1e9, T0 + 1e8);
    // Assess
    expect([first, during, afterLease, afterSent]).toEqual([true, false, true, false]);
  });

  it('a worker gives back only its own claim: one taken over since stays (review s11c)', async () => {
    // Prepare: A's claim ran out and B took it over
    await store.putOrder(order('ord_rel'), personal('ord_rel', 1e10));
    await store.claimEmail('ord_rel', 'order-confirmation', T0 + 20_000, T0);
    await store.claimEmail('ord_rel', 'order-confirmation', T0 + 60_000, T0 + 30_000);
    // Act: A, late, gives its claim back; then B gives back its own
    await store.releaseEmail('ord_rel', 'order-confirmation', undefined, T0 + 20_000);
    const afterStale = (await store.getOrder('ord_rel'))?.emails;
    await store.releaseEmail('ord_rel', 'order-confirmation', undefined, T0 + 60_000);
    // Assess
    expect(afterStale).toEqual({ 'order-confirmation': { state: 'sending', leaseUntil: T0 + 60_000 } });
    expect((await store.getOrder('ord_rel'))?.emails).toEqual({});
  });

  it('a late failure never overwrites a recorded delivery', async () => {
    // Prepare
    await store.putOrder(order('ord_del'), personal('ord_del', 1e10));
    await store.setDeliveryState('ord_del', 'carrier', 'delivered', '2026-11-25T10:01:00.000Z');
    // Act
    await store.setDeliveryState('ord_del', 'carrier', 'failed', '2026-11-25T10:02:00.000Z');
    // Assess
    expect((await store.getOrder('ord_del'))?.deliveries.carrier?.state).toBe('delivered');
    expect((await store.getOrder('ord_del'))?.updatedAt).toBe('2026-11-25T10:01:00.000Z');
  });
});
