/**
 * ensureTables against aws-sdk-client-mock: TTL is turned on where the AWS tables have it (a real
 * endpoint), dynalite's refusal of UpdateTimeToLive is tolerated, and waiting is bounded.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_TABLE, keyTableDefinition } from '#shared/adapters/aws/dynamo-record-secret-store.js';
import { tableDefinition } from '#shared/adapters/aws/table-schema.js';
import { DynamoSetupError, ensureTables } from '#shared/adapters/local/embedded-dynamodb.js';
import { ORDER_TTL_ATTRIBUTE } from '#shared/contracts.js';

const client = new DynamoDBClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const mock = mockClient(client);
afterEach(() => mock.reset());

const notFound = () => new ResourceNotFoundException({ message: 'no table', $metadata: {} });
const named = (name: string) => Object.assign(new Error(name), { name });
const tables = [
  { definition: tableDefinition('minimis'), ttlAttribute: ORDER_TTL_ATTRIBUTE },
  { definition: keyTableDefinition('minimis-keys'), ttlAttribute: KEY_TABLE.ttl },
];

describe('ensureTables', () => {
  it('creates missing tables and turns TTL on with the attributes the AWS tables use', async () => {
    // Prepare
    mock
      .on(DescribeTableCommand)
      .rejectsOnce(notFound())
      .resolvesOnce({ Table: { TableStatus: 'CREATING' } })
      .resolvesOnce({ Table: { TableStatus: 'ACTIVE' } })
      .resolves({ Table: { TableStatus: 'ACTIVE' } });
    mock.on(CreateTableCommand).resolves({});
    mock.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
    mock.on(UpdateTimeToLiveCommand).resolves({});
    // Act
    await ensureTables(client, tables, { pollMs: 1 });
    // Assess
    expect(mock.commandCalls(CreateTableCommand).map((c) => c.args[0].input.TableName)).toEqual(['minimis']);
    expect(mock.commandCalls(UpdateTimeToLiveCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 'minimis', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
      { TableName: 'minimis-keys', TimeToLiveSpecification: { AttributeName: 't', Enabled: true } },
    ]);
  });

  it('leaves TTL alone where it is on already', async () => {
    // Prepare
    mock.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    mock.on(DescribeTimeToLiveCommand, { TableName: 'minimis' }).resolves({
      TimeToLiveDescription: { AttributeName: 'expiresAt', TimeToLiveStatus: 'ENABLED' },
    });
    mock.on(DescribeTimeToLiveCommand, { TableName: 'minimis-keys' }).resolves({
      TimeToLiveDescription: { AttributeName: 't', TimeToLiveStatus: 'ENABLING' },
    });
    // Act
    await ensureTables(client, tables);
    // Assess
    expect(mock.commandCalls(UpdateTimeToLiveCommand)).toEqual([]);
  });

  it('tolerates an endpoint without TTL (dynalite: UnknownOperationException)', async () => {
    // Prepare
    mock.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    mock.on(DescribeTimeToLiveCommand).resolves({});
    mock.on(UpdateTimeToLiveCommand).rejects(named('UnknownOperationException'));
    // Act
    const done = ensureTables(client, tables);
    // Assess
    await expect(done).resolves.toBeUndefined();
    expect(mock.commandCalls(UpdateTimeToLiveCommand)).toHaveLength(2);
  });

  it('fails with a DynamoSetupError naming the table when TTL cannot be turned on', async () => {
    // Prepare
    mock.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'ACTIVE' } });
    mock.on(DescribeTimeToLiveCommand).resolves({});
    mock.on(UpdateTimeToLiveCommand).rejects(named('AccessDeniedException'));
    // Act
    const error = await ensureTables(client, tables).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DynamoSetupError);
    expect((error as DynamoSetupError).table).toBe('minimis');
    expect((error as Error).message).toBe(
      'DynamoDB could not turn on TTL for table minimis (AccessDeniedException)',
    );
  });

  it('does not wait forever for a table that stays CREATING: a DynamoSetupError after the timeout', async () => {
    // Prepare
    mock.on(DescribeTableCommand).resolves({ Table: { TableStatus: 'CREATING' } });
    // Act
    const error = await ensureTables(client, tables, { timeoutMs: 50, pollMs: 5 }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DynamoSetupError);
    expect((error as DynamoSetupError).table).toBe('minimis');
    expect((error as Error).message).toBe('DynamoDB table minimis did not become active within 0.05 s');
  });
});
