/**
 * Held messages (410 Gone) in both partner-state stores, the DynamoDB one on dynalite: holding a
 * message again keeps its first time and takes the new hold's id; a release removes only the hold
 * it names, so enable's release of a re-sent message that met 410 again leaves the new hold
 * (review s10); an item held before holds had ids is released by naming none.
 */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '#shared/adapters/aws/dynamo-client.js';
import { DynamoPartnerStateStore } from '#shared/adapters/aws/dynamo-partner-state-store.js';
import { tableDefinition } from '#shared/adapters/aws/table-schema.js';
import { type EmbeddedDynamo, ensureTables } from '#shared/adapters/local/embedded-dynamodb.js';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import { keys } from '#shared/contracts.js';
import type { HeldMessage, PartnerStateStore } from '#shared/ports.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
const TABLE = 'orders';

beforeAll(async () => {
  ({ dynamo, client } = await startTestDynamo());
  await ensureTables(client, [tableDefinition('orders')]);
});

afterAll(async () => {
  client?.destroy();
  await dynamo?.stop();
});

let n = 0;
const message = (orderId: string) => ({ orderId, partner: 'warehouse', type: 'order.accepted' }) as never;
const webhookId = () => `msg_held${String(n++).padStart(4, '0')}`;
const list = async (store: PartnerStateStore): Promise<HeldMessage[]> => {
  const all: HeldMessage[] = [];
  for await (const held of store.listHeld('warehouse')) all.push(held);
  return all;
};

const STORES: [string, () => PartnerStateStore][] = [
  ['memory', () => new MemoryPartnerStateStore()],
  ['dynamodb (dynalite)', () => new DynamoPartnerStateStore(documentClient(client), TABLE)],
];

describe.each(STORES)('held messages, %s', (_name, makeStore) => {
  it('a second hold keeps the first time and takes its own id; releasing the first hold leaves it', async () => {
    // Prepare
    const store = makeStore();
    const id = webhookId();
    await store.holdMessage('warehouse', {
      webhookId: id,
      message: message('ord_1'),
      heldAt: '2026-12-01T10:00:00.000Z',
      holdId: 'h1',
    });
    const [first] = (await list(store)).filter((h) => h.webhookId === id);
    await store.holdMessage('warehouse', {
      webhookId: id,
      message: message('ord_1'),
      heldAt: '2026-12-01T10:05:00.000Z',
      holdId: 'h2',
    });

    // Act: enable's release of the hold it listed, after the message was held again.
    const stale = await store.releaseHeld('warehouse', id, first?.holdId);

    // Assess
    expect(first?.holdId).toBe('h1');
    expect(stale).toBe(false);
    expect((await list(store)).filter((h) => h.webhookId === id)).toEqual([
      { webhookId: id, message: message('ord_1'), heldAt: '2026-12-01T10:00:00.000Z', holdId: 'h2' },
    ]);
    expect(await store.releaseHeld('warehouse', id, 'h2')).toBe(true);
    expect(await store.releaseHeld('warehouse', id, 'h2')).toBe(false);
    expect((await list(store)).filter((h) => h.webhookId === id)).toEqual([]);
  });

  it('a release naming no hold removes only an item without a hold id', async () => {
    // Prepare
    const store = makeStore();
    const id = webhookId();
    await store.holdMessage('warehouse', {
      webhookId: id,
      message: message('ord_2'),
      heldAt: '2026-12-01T10:00:00.000Z',
      holdId: 'h1',
    });

    // Act
    const released = await store.releaseHeld('warehouse', id, undefined);

    // Assess
    expect(released).toBe(false);
    expect((await list(store)).map((h) => h.webhookId)).toContain(id);
  });
});

describe('held messages, dynamodb (dynalite): an item held before holds had ids', () => {
  it('lists without a hold id and is released by naming none', async () => {
    // Prepare: the item as the previous release wrote it (no holdId).
    const store = new DynamoPartnerStateStore(documentClient(client), TABLE);
    const id = webhookId();
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: keys.held('warehouse', id) },
          partnerId: { S: 'warehouse' },
          webhookId: { S: id },
          message: {
            M: { orderId: { S: 'ord_3' }, partner: { S: 'warehouse' }, type: { S: 'order.accepted' } },
          },
          heldAt: { S: '2026-11-30T10:00:00.000Z' },
        },
      }),
    );
    const [legacy] = (await list(store)).filter((h) => h.webhookId === id);

    // Act
    const stale = await store.releaseHeld('warehouse', id, 'h-none');
    const released = await store.releaseHeld('warehouse', id, legacy?.holdId);

    // Assess
    expect(legacy).toEqual({ webhookId: id, message: message('ord_3'), heldAt: '2026-11-30T10:00:00.000Z' });
    expect(stale).toBe(false);
    expect(released).toBe(true);
    expect((await list(store)).filter((h) => h.webhookId === id)).toEqual([]);
  });
});
