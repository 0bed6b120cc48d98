/**
 * A local table created by an older version can lack an index the current definition has (a
 * data directory from before `byIntake`, say): the store would then fail at its first query of it.
 * `addMissingIndexes` adds them before local mode starts:
 *
 * - where the endpoint adds a global secondary index to a live table (DynamoDB, moto), by
 *   UpdateTable, one index at a time (DynamoDB's limit), waiting until each is active;
 * - in the embedded dynalite, which cannot (it refuses or ignores such an update), the table is rebuilt: its
 *   items are copied to a side table, the table is created again with the whole definition and
 *   the items copied back. Crash-safe: the side table is removed last, and a start that finds it
 *   finishes the copy (writing an item twice leaves it as it was).
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DeleteTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

/** A table did not reach the state an upgrade step waits for within its time. */
export class TableUpgradeError extends Error {
  override readonly name = 'TableUpgradeError';
  constructor(
    readonly table: string,
    message: string,
  ) {
    super(message);
  }
}

export interface UpgradeOptions {
  /**
   * `online`: UpdateTable, for an endpoint that adds indexes to a live table (DynamoDB, moto);
   * `rebuild`: through a side table, for the embedded dynalite, which cannot. @default 'online'
   */
  readonly how?: 'online' | 'rebuild';
  /** With `rebuild`: each item as the new layout stores it, applied on the copy back. */
  readonly reshape?: (item: Record<string, unknown>) => Record<string, unknown>;
  readonly pollMs?: number;
  readonly timeoutMs?: number;
}

const BATCH = 25;

/** The side table a rebuild copies through. */
export const sideTableOf = (tableName: string): string => `${tableName}-upgrade`;

/** Adds the definition's missing indexes to its table; the names of those added (none: nothing done). */
export async function addMissingIndexes(
  client: DynamoDBClient,
  db: DynamoDBDocumentClient,
  definition: CreateTableCommandInput,
  options: UpgradeOptions = {},
): Promise<readonly string[]> {
  const name = definition.TableName ?? '';
  const side = sideTableOf(name);
  const pollMs = options.pollMs ?? 50;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const describe = (table: string): Promise<TableDescription | undefined> =>
    client.send(new DescribeTableCommand({ TableName: table })).then(
      (r) => r.Table,
      (error: unknown) => {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      },
    );
  const waitFor = async (table: string, done: (t: TableDescription | undefined) => boolean, what: string) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (done(await describe(table))) return;
      if (Date.now() > until)
        throw new TableUpgradeError(table, `table ${table} did not ${what} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  };
  const active = (t: TableDescription | undefined) =>
    t?.TableStatus === 'ACTIVE' &&
    (t.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus !== 'CREATING');
  const wanted = definition.GlobalSecondaryIndexes ?? [];
  const missingFrom = (t: TableDescription) =>
    wanted.filter((index) => !(t.GlobalSecondaryIndexes ?? []).some((i) => i.IndexName === index.IndexName));

  const added: string[] = [];
  let current = await describe(name);
  // A delete that a crash interrupted (or that is still under way) is seen through: the table is gone.
  if (current?.TableStatus === 'DELETING') {
    await waitFor(name, (t) => t === undefined, 'go away');
    current = undefined;
  }
  const halfDone = (await describe(side)) !== undefined;
  // No table and no copy of one: ensureTables creates it with every index.
  if (!current && !halfDone) return [];
  const rebuild = options.how === 'rebuild' || halfDone;
  // Online, one index at a time, while the endpoint adds them.
  while (current && !rebuild) {
    const [next] = missingFrom(current);
    if (!next?.IndexName) break;
    const keyNames = new Set(next.KeySchema?.map((k) => k.AttributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: definition.AttributeDefinitions?.filter((a) => keyNames.has(a.AttributeName)),
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: next.IndexName, KeySchema: next.KeySchema, Projection: next.Projection } },
        ],
      }),
    );
    await waitFor(name, active, 'become active');
    current = await describe(name);
    if (current && missingFrom(current).some((index) => index.IndexName === next.IndexName))
      throw new TableUpgradeError(name, `DynamoDB did not add index ${next.IndexName} to table ${name}`);
    added.push(next.IndexName);
  }
  if (!rebuild) return added;
  if (current && missingFrom(current).length === 0 && !halfDone) return [];

  // Rebuild: table → side table → table created again → back.
  const missing = current ? missingFrom(current).map((index) => index.IndexName ?? '') : [];
  const keyNames = new Set(definition.KeySchema?.map((k) => k.AttributeName));
  // A table that already has every index (a crash during the copy back) is not copied out again.
  if (current && missing.length > 0) {
    await client
      .send(
        new CreateTableCommand({
          TableName: side,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: definition.AttributeDefinitions?.filter((a) => keyNames.has(a.AttributeName)),
          KeySchema: definition.KeySchema,
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
      });
    await waitFor(side, active, 'become active');
    await copy(db, name, side);
    await client.send(new DeleteTableCommand({ TableName: name }));
    await waitFor(name, (t) => t === undefined, 'go away');
  }
  if (!current || missing.length > 0)
    await client.send(new CreateTableCommand(definition)).catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
    });
  await waitFor(name, active, 'become active');
  await copy(db, side, name, options.reshape);
  await client.send(new DeleteTableCommand({ TableName: side }));
  await waitFor(side, (t) => t === undefined, 'go away');
  return [...added, ...missing];
}

/** Every item of `from` written to `to`, a page at a time, unprocessed writes sent again. */
async function copy(
  db: DynamoDBDocumentClient,
  from: string,
  to: string,
  reshape: (item: Record<string, unknown>) => Record<string, unknown> = (item) => item,
): Promise<void> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: from, ExclusiveStartKey: start }));
    const items = page.Items ?? [];
    for (let i = 0; i < items.length; i += BATCH) {
      let writes = items.slice(i, i + BATCH).map((item) => ({ PutRequest: { Item: reshape(item) } }));
      while (writes.length > 0) {
        const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [to]: writes } }));
        writes = (UnprocessedItems?.[to] ?? []) as typeof writes;
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
}
