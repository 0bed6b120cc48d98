/** Local mode's read batching (shared/adapters/local/coalescing-gets.ts) against a fake client. */
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { coalescingGets } from '../../shared/adapters/local/coalescing-gets.js';

type Item = Record<string, unknown>;

/** A client over two tables that records what it was sent. */
function fakeClient(tables: Record<string, Item[]>, options: { failBatch?: boolean } = {}) {
  const sent: string[] = [];
  const find = (table: string, key: Item) =>
    tables[table]?.find((item) =>
      Object.entries(key).every(([k, v]) =>
        v instanceof Uint8Array ? Buffer.from(v).equals(Buffer.from(item[k] as Uint8Array)) : item[k] === v,
      ),
    );
  const client = {
    send: async (command: unknown) => {
      if (command instanceof BatchGetCommand) {
        const request = command.input.RequestItems ?? {};
        sent.push(
          `BatchGet ${Object.entries(request)
            .map(([t, r]) => `${t}:${r.Keys?.length}:${r.ConsistentRead}`)
            .join(' ')}`,
        );
        if (options.failBatch) throw new Error('batch refused');
        const Responses = Object.fromEntries(
          Object.entries(request).map(([t, r]) => [
            t,
            (r.Keys ?? []).map((k) => find(t, k)).filter((i): i is Item => i !== undefined),
          ]),
        );
        return { Responses, $metadata: {} };
      }
      if (command instanceof GetCommand) {
        const { TableName = '', Key = {} } = command.input;
        sent.push(`Get ${TableName}`);
        if (TableName === 'broken') throw new Error('no such table');
        const Item = find(TableName, Key);
        return Item ? { Item, $metadata: {} } : { $metadata: {} };
      }
      sent.push('other');
      return { $metadata: {} };
    },
  };
  return { db: coalescingGets(client as unknown as DynamoDBDocumentClient), sent };
}

const secret = Uint8Array.from([1, 2, 3]);
const tables = {
  orders: [
    { pk: 'ORDER#1', status: 'accepted' },
    { pk: 'PII#1', emailKey: 'e1' },
  ],
  keys: [{ k: secret, s: Uint8Array.from([9]) }],
};
const get = (TableName: string, Key: Item, ConsistentRead = true) =>
  new GetCommand({ TableName, Key, ConsistentRead });

describe('coalescing gets (local mode)', () => {
  it('sends parallel reads across tables as one BatchGetItem and answers each as GetItem would', async () => {
    // Prepare
    const { db, sent } = fakeClient(tables);

    // Act
    const [order, personal, key, missing] = await Promise.all([
      db.send(get('orders', { pk: 'ORDER#1' })),
      db.send(get('orders', { pk: 'PII#1' })),
      db.send(get('keys', { k: Uint8Array.from([1, 2, 3]) })),
      db.send(get('orders', { pk: 'ORDER#2' })),
    ]);

    // Assess
    expect(sent).toEqual(['BatchGet orders:3:true keys:1:true']);
    expect(order.Item).toEqual({ pk: 'ORDER#1', status: 'accepted' });
    expect(personal.Item).toEqual({ pk: 'PII#1', emailKey: 'e1' });
    expect(key.Item).toEqual({ k: secret, s: Uint8Array.from([9]) });
    expect(missing.Item).toBeUndefined();
  });

  it('asks for a key read twice once, and keeps a lone read, a projection and writes as they are', async () => {
    // Prepare
    const { db, sent } = fakeClient(tables);

    // Act
    const [a, b] = await Promise.all([
      db.send(get('orders', { pk: 'ORDER#1' })),
      db.send(get('orders', { pk: 'ORDER#1' })),
    ]);
    await db.send(get('orders', { pk: 'PII#1' }));
    await Promise.all([
      db.send(new GetCommand({ TableName: 'orders', Key: { pk: 'ORDER#1' }, ProjectionExpression: 'pk' })),
      db.send(new PutCommand({ TableName: 'orders', Item: { pk: 'X' } })),
    ]);

    // Assess
    expect(a.Item).toEqual(b.Item);
    expect(sent).toEqual(['Get orders', 'Get orders', 'Get orders', 'other']);
  });

  it('never mixes consistencies in a table: an eventually consistent read goes alone', async () => {
    // Prepare
    const { db, sent } = fakeClient(tables);

    // Act
    await Promise.all([
      db.send(get('orders', { pk: 'ORDER#1' })),
      db.send(get('orders', { pk: 'PII#1' }, false)),
      db.send(get('keys', { k: secret })),
    ]);

    // Assess
    expect(sent).toEqual(['BatchGet orders:1:true keys:1:true', 'Get orders']);
  });

  it('reads each on its own when the batch fails, so one failing read fails alone', async () => {
    // Prepare
    const { db, sent } = fakeClient({ ...tables, broken: [] }, { failBatch: true });

    // Act
    const results = await Promise.allSettled([
      db.send(get('orders', { pk: 'ORDER#1' })),
      db.send(get('broken', { pk: 'X' })),
    ]);

    // Assess
    expect(sent).toEqual(['BatchGet orders:1:true broken:1:true', 'Get orders', 'Get broken']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });
});
