/**
 * The erasure log in the order table: `SHRED#<record key>` items with the reason and the day (and
 * a customer record's time, `at`), expiring (TTL) once no key-table backup from before the shredding can exist any more.
 */
import { type DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts.js';
import type { ErasureLog, ErasureLogEntry } from '../../record-secrets.js';
import { call, type DynamoTable } from './dynamo-client.js';

type Item = Record<string, unknown>;

const DAY_SECONDS = 86_400;

/** The order table, and the days an entry is kept (the key table's backup retention plus a day's margin). */
export interface ErasureLogTable extends DynamoTable {
  readonly keepDays: number;
}

export async function append(
  t: ErasureLogTable,
  recordKeys: readonly string[],
  reason: ErasureLogEntry['reason'],
  at: Date,
  options: { readonly precise?: boolean } = {},
): Promise<void> {
  const day = at.toISOString().slice(0, 10);
  const precise = options.precise ? { at: at.toISOString() } : {};
  const expiresAt = Math.floor(at.getTime() / 1000) + t.keepDays * DAY_SECONDS;
  for (const key of new Set(recordKeys)) {
    await call('append erasure log', () =>
      t.db.send(
        new PutCommand({
          TableName: t.tableName,
          Item: { pk: keys.shred(key), reason, day, ...precise, expiresAt },
        }),
      ),
    );
  }
}

export async function* entries(t: DynamoTable): AsyncIterable<ErasureLogEntry> {
  let start: Item | undefined;
  do {
    const page = await call('scan erasure log', () =>
      t.db.send(
        new ScanCommand({
          TableName: t.tableName,
          FilterExpression: 'begins_with(pk, :shred)',
          ExpressionAttributeValues: { ':shred': keys.shred('') },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      yield {
        key: String(item.pk).slice(keys.shred('').length),
        reason: item.reason as ErasureLogEntry['reason'],
        day: item.day as string,
        ...(typeof item.at === 'string' ? { at: item.at } : {}),
      };
    }
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Both ErasureLog functions bound to one table (the all-in-one wiring, the adapter tests). */
export class DynamoErasureLog implements ErasureLog {
  private readonly t: ErasureLogTable;

  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    /** Days an entry is kept: the key table's backup retention plus a day's margin. */
    keepDays: number,
  ) {
    this.t = { db, tableName, keepDays };
  }

  append(
    recordKeys: readonly string[],
    reason: ErasureLogEntry['reason'],
    at: Date,
    options?: { readonly precise?: boolean },
  ) {
    return append(this.t, recordKeys, reason, at, options);
  }
  entries() {
    return entries(this.t);
  }
}
