/**
 * The embedded document client's direct channel (no SDK serde, no HTTP) against dynalite: each
 * item command answers exactly what the SDK's own path over HTTP answers for the same request,
 * failures are the SDK's exception classes, every request is observed once, and what it writes is
 * what another process reading over the port sees.
 */
import {
  ConditionalCheckFailedException,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import {
  type EmbeddedDocumentClient,
  embeddedDocumentClient,
} from '../../shared/adapters/local/embedded-dynamo-client.js';
import {
  type EmbeddedDynamo,
  ensureTables,
  startDynalite,
} from '../../shared/adapters/local/embedded-dynamodb.js';

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
/** The SDK's own path over HTTP, as another process (the CLI) uses the port. */
let overHttp: DynamoDBDocumentClient;
let direct: EmbeddedDocumentClient;
const TABLE = 'orders';
/** What local mode sets for the SDK path (table commands), restored afterwards. */
const SDK_ENV = ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
const previous = Object.fromEntries(SDK_ENV.map((name) => [name, process.env[name]]));

beforeAll(async () => {
  dynamo = await startDynalite({ port: 0 });
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.url;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  client = new DynamoDBClient({
    endpoint: dynamo.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  overHttp = documentClient(client);
  direct = embeddedDocumentClient(dynamo.request);
  await ensureTables(client, [tableDefinition(TABLE)]);
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
  for (const [name, value] of Object.entries(previous))
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

const bytes = (...values: number[]) => Uint8Array.from(values);
/** An answer without its metadata, a BatchGetItem's items by key (their order is not defined). */
const comparable = ({ $metadata: _, ...rest }: { $metadata?: unknown; Responses?: unknown }) => {
  const responses = rest.Responses as Record<string, { pk: string }[]> | undefined;
  if (responses) for (const items of Object.values(responses)) items.sort((a, b) => a.pk.localeCompare(b.pk));
  return rest;
};

/** An item with every kind of value the adapters write: strings, numbers, bytes, sets, maps, lists. */
const item = (pk: string) => ({
  pk,
  emailKey: `email#${pk}`,
  outbox: 'pending#3',
  createdAt: '2026-01-01T00:00:00.000Z',
  n: 42,
  big: 1.5e10,
  sealed: bytes(0, 1, 2, 250, 255),
  secrets: new Set([bytes(1), bytes(2, 3)]),
  tags: new Set(['a', 'b']),
  nested: { list: [1, 'two', { B: 'not bytes' }], flag: true, none: null },
});

describe('the embedded document client, direct', () => {
  it('answers each item command as the SDK over HTTP does', async () => {
    // Prepare
    const run = async (db: DynamoDBDocumentClient, p: string) => [
      await db.send(new PutCommand({ TableName: TABLE, Item: item(`${p}1`) })),
      await db.send(new PutCommand({ TableName: TABLE, Item: item(`${p}1`), ReturnValues: 'ALL_OLD' })),
      await db.send(new GetCommand({ TableName: TABLE, Key: { pk: `${p}1` }, ConsistentRead: true })),
      await db.send(new GetCommand({ TableName: TABLE, Key: { pk: `${p}missing` } })),
      await db.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: `${p}1` },
          UpdateExpression: 'SET n = n + :one, extra = :extra',
          ExpressionAttributeValues: { ':one': 1, ':extra': bytes(9, 8) },
          ReturnValues: 'ALL_NEW',
        }),
      ),
      await db.send(
        new BatchWriteCommand({
          RequestItems: { [TABLE]: [{ PutRequest: { Item: item(`${p}2`) } }] },
        }),
      ),
      await db.send(
        new BatchGetCommand({ RequestItems: { [TABLE]: { Keys: [{ pk: `${p}1` }, { pk: `${p}2` }] } } }),
      ),
      await db.send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: 'byEmail',
          KeyConditionExpression: 'emailKey = :e',
          ExpressionAttributeValues: { ':e': `email#${p}2` },
        }),
      ),
      await db.send(
        new ScanCommand({
          TableName: TABLE,
          FilterExpression: 'begins_with(pk, :p)',
          ExpressionAttributeValues: { ':p': p },
        }),
      ),
      await db.send(new DeleteCommand({ TableName: TABLE, Key: { pk: `${p}2` }, ReturnValues: 'ALL_OLD' })),
      await db.send(new DeleteCommand({ TableName: TABLE, Key: { pk: `${p}1` } })),
    ];
    // Act: the same requests (the same keys: each run leaves the table as it found it)
    const sdk = (await run(overHttp, 'same-')).map(comparable);
    const viaDirect = (await run(direct, 'same-')).map(comparable);
    // Assess
    expect(viaDirect).toEqual(sdk);
    const got = viaDirect[2] as { Item: ReturnType<typeof item> };
    expect(got.Item.sealed).toEqual(bytes(0, 1, 2, 250, 255));
    expect(got.Item.secrets).toEqual(new Set([bytes(1), bytes(2, 3)]));
    expect(got.Item.nested).toEqual({ list: [1, 'two', { B: 'not bytes' }], flag: true, none: null });
    expect(viaDirect[3]).toEqual({});
  });

  it('fails with the SDK exception classes: a condition that does not hold, a missing table, a refused request', async () => {
    // Prepare
    await direct.send(new PutCommand({ TableName: TABLE, Item: { pk: 'cond' } }));
    const failure = (run: Promise<unknown>) =>
      run.then(
        () => undefined,
        (error: unknown) => error,
      );
    // Act
    const condition = await failure(
      direct.send(
        new PutCommand({
          TableName: TABLE,
          Item: { pk: 'cond' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    const missing = await failure(
      direct.send(new GetCommand({ TableName: 'no-such-table', Key: { pk: 'x' } })),
    );
    const refused = await failure(direct.send(new GetCommand({ TableName: TABLE, Key: { nope: 'x' } })));
    // Assess
    expect(condition).toBeInstanceOf(ConditionalCheckFailedException);
    expect(condition).toMatchObject({
      name: 'ConditionalCheckFailedException',
      message: 'The conditional request failed',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    expect(refused).toBeInstanceOf(DynamoDBServiceException);
    expect(refused).toMatchObject({
      name: 'ValidationException',
      message: 'The provided key element does not match the schema',
      $fault: 'client',
    });
  });

  it('observes every request once, direct or by the SDK path, and another process reads what it wrote', async () => {
    // Prepare
    const seen: string[] = [];
    const stop = direct.onRequest((command, input) => seen.push(`${command} ${String(input.TableName)}`));
    // Act
    await direct.send(new PutCommand({ TableName: TABLE, Item: { pk: 'seen', sealed: bytes(7) } }));
    await direct.send(new GetCommand({ TableName: TABLE, Key: { pk: 'seen' } }));
    await Promise.all([
      direct.send(new GetCommand({ TableName: TABLE, Key: { pk: 'seen' } })),
      direct.send(new GetCommand({ TableName: TABLE, Key: { pk: 'cond' } })),
    ]);
    await direct.send(new DescribeTableCommand({ TableName: TABLE }) as unknown as GetCommand);
    stop();
    await direct.send(new GetCommand({ TableName: TABLE, Key: { pk: 'seen' } }));
    const fromOtherProcess = await overHttp.send(
      new GetCommand({ TableName: TABLE, Key: { pk: 'seen' }, ConsistentRead: true }),
    );
    // Assess
    expect(seen).toEqual([
      `PutItemCommand ${TABLE}`,
      `GetItemCommand ${TABLE}`,
      'BatchGetItemCommand undefined',
      `DescribeTableCommand ${TABLE}`,
    ]);
    expect(fromOtherProcess.Item).toEqual({ pk: 'seen', sealed: bytes(7) });
  });

  it("sees a table deleted and created again at once, over the port or direct (dynalite's table reads are cached)", async () => {
    // Prepare
    const name = 'recreated';
    await ensureTables(client, [tableDefinition(name)]);
    await direct.send(new PutCommand({ TableName: name, Item: { pk: 'before' } }));
    const failure = (run: Promise<unknown>) =>
      run.then(
        () => undefined,
        (error: unknown) => error,
      );
    // Act
    await client.send(new DeleteTableCommand({ TableName: name }));
    const afterDelete = await failure(
      direct.send(new GetCommand({ TableName: name, Key: { pk: 'before' } })),
    );
    await ensureTables(client, [
      {
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
      },
    ]);
    const oldKey = await failure(direct.send(new GetCommand({ TableName: name, Key: { pk: 'before' } })));
    await direct.send(new PutCommand({ TableName: name, Item: { k: 'after' } }));
    const newKey = await direct.send(new GetCommand({ TableName: name, Key: { k: 'after' } }));
    // Assess
    expect(afterDelete).toBeInstanceOf(ResourceNotFoundException);
    expect(oldKey).toMatchObject({ name: 'ValidationException' });
    expect(newKey.Item).toEqual({ k: 'after' });
  });
});
