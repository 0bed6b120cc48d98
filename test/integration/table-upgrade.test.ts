/**
 * A local table from an older version gets the indexes of the current definition (dynalite adds
 * none online, so the table is rebuilt through a side table), every item kept; a crash mid-way is
 * finished by the next start; a table that is up to date is left alone.
 */
import {
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEX } from '#shared/contracts.js';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import { type EmbeddedDynamo, ensureTables } from '../../shared/adapters/local/embedded-dynamodb.js';
import { addMissingIndexes, sideTableOf } from '../../shared/adapters/local/table-upgrade.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let tableNo = 0;

beforeAll(async () => {
  ({ dynamo, client } = await startTestDynamo());
  db = documentClient(client);
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

/** The order table as it was before `byIntake`. */
const before = (name: string): CreateTableCommandInput => {
  const now = tableDefinition(name);
  return {
    ...now,
    AttributeDefinitions: now.AttributeDefinitions?.filter(
      (a) => !['intake', 'leaseUntil'].includes(a.AttributeName ?? ''),
    ),
    GlobalSecondaryIndexes: now.GlobalSecondaryIndexes?.filter((i) => i.IndexName !== INDEX.byIntake),
  };
};

const ITEMS = Array.from({ length: 60 }, (_, n) => ({
  pk: `IDEM#k${n}`,
  intake: `open#${n % 16}`,
  leaseUntil: 1_000 + n,
  emailKey: `e${n % 3}`,
}));

async function oldTable(): Promise<string> {
  const name = `upgrade-${++tableNo}`;
  await ensureTables(client, [before(name)]);
  for (const Item of ITEMS) await db.send(new PutCommand({ TableName: name, Item }));
  return name;
}

/** The side table a rebuild copies through, holding every item (what a crash mid-rebuild leaves). */
async function sideTableHolding(name: string): Promise<void> {
  const side = sideTableOf(name);
  await ensureTables(client, [
    {
      TableName: side,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    },
  ]);
  for (const Item of ITEMS) await db.send(new PutCommand({ TableName: side, Item }));
}

const indexNames = async (name: string) =>
  ((await client.send(new DescribeTableCommand({ TableName: name }))).Table?.GlobalSecondaryIndexes ?? [])
    .map((i) => i.IndexName)
    .sort();
const allKeys = async (name: string) =>
  ((await db.send(new ScanCommand({ TableName: name }))).Items ?? []).map((i) => i.pk as string).sort();
const tablesLike = async (name: string) =>
  ((await client.send(new ListTablesCommand({}))).TableNames ?? []).filter((t) => t.startsWith(name));

describe('addMissingIndexes', () => {
  it('rebuilds a table from before byIntake with the index and every item, and the index answers', async () => {
    // Prepare
    const name = await oldTable();
    // Act
    const added = await addMissingIndexes(client, db, tableDefinition(name), { how: 'rebuild' });
    // Assess
    expect(added).toEqual([INDEX.byIntake]);
    expect(await indexNames(name)).toEqual([INDEX.byEmail, INDEX.byIntake, INDEX.byOutbox].sort());
    expect(await allKeys(name)).toEqual(ITEMS.map((i) => i.pk).sort());
    const shard = await db.send(
      new QueryCommand({
        TableName: name,
        IndexName: INDEX.byIntake,
        KeyConditionExpression: 'intake = :s',
        ExpressionAttributeValues: { ':s': 'open#3' },
      }),
    );
    expect(shard.Items?.map((i) => i.pk)).toEqual(['IDEM#k3', 'IDEM#k19', 'IDEM#k35', 'IDEM#k51']);
    expect(await tablesLike(name)).toEqual([name]);
  });

  it('changes nothing on a table that has every index, and nothing when the table does not exist', async () => {
    // Prepare
    const name = `upgrade-${++tableNo}`;
    await ensureTables(client, [tableDefinition(name)]);
    await db.send(new PutCommand({ TableName: name, Item: ITEMS[0] }));
    // Act
    const again = await addMissingIndexes(client, db, tableDefinition(name), { how: 'rebuild' });
    const absent = await addMissingIndexes(client, db, tableDefinition(`${name}-absent`), { how: 'rebuild' });
    // Assess
    expect(again).toEqual([]);
    expect(absent).toEqual([]);
    expect(await allKeys(name)).toEqual([ITEMS[0]?.pk]);
    expect(await tablesLike(name)).toEqual([name]);
  });

  it('finishes a rebuild that died after the old table was deleted: the side table holds the items', async () => {
    // Prepare: the state a crash leaves after the copy out and the delete
    const name = await oldTable();
    await sideTableHolding(name);
    await client.send(new DeleteTableCommand({ TableName: name }));
    // Act
    const added = await addMissingIndexes(client, db, tableDefinition(name), { how: 'rebuild' });
    // Assess
    expect(added).toEqual([]);
    expect(await indexNames(name)).toEqual([INDEX.byEmail, INDEX.byIntake, INDEX.byOutbox].sort());
    expect(await allKeys(name)).toEqual(ITEMS.map((i) => i.pk).sort());
    expect(await tablesLike(name)).toEqual([name]);
  });

  it('waits out a delete still under way instead of copying from the table being deleted', async () => {
    // Prepare: as above, but the first look at the table finds it DELETING (what CI saw once,
    // when dynalite had not yet dropped it); a Scan of it then would fail
    const name = await oldTable();
    await sideTableHolding(name);
    const seen = (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
    await client.send(new DeleteTableCommand({ TableName: name }));
    let first = true;
    const slow = new Proxy(client, {
      get(target, key, receiver) {
        if (key !== 'send') return Reflect.get(target, key, receiver);
        return (command: { input?: { TableName?: string } }) => {
          if (first && command instanceof DescribeTableCommand && command.input.TableName === name) {
            first = false;
            return Promise.resolve({ Table: { ...seen, TableStatus: 'DELETING' } });
          }
          return target.send(command as DescribeTableCommand);
        };
      },
    });
    // Act
    const added = await addMissingIndexes(slow, db, tableDefinition(name), { how: 'rebuild' });
    // Assess
    expect(first).toBe(false);
    expect(added).toEqual([]);
    expect(await indexNames(name)).toEqual([INDEX.byEmail, INDEX.byIntake, INDEX.byOutbox].sort());
    expect(await allKeys(name)).toEqual(ITEMS.map((i) => i.pk).sort());
    expect(await tablesLike(name)).toEqual([name]);
  });

  it('finishes a rebuild that died during the copy back, without copying the half-filled table out again', async () => {
    // Prepare: the new table exists with one item, the side table has them all
    const name = `upgrade-${++tableNo}`;
    await ensureTables(client, [tableDefinition(name)]);
    await db.send(new PutCommand({ TableName: name, Item: ITEMS[0] }));
    await sideTableHolding(name);
    // Act
    await addMissingIndexes(client, db, tableDefinition(name), { how: 'rebuild' });
    // Assess
    expect(await allKeys(name)).toEqual(ITEMS.map((i) => i.pk).sort());
    expect(await tablesLike(name)).toEqual([name]);
  });
});
