/**
 * The key table (`minimis-keys` locally; its own table in AWS): one item per personal record,
 *
 *   { k: <16-byte record key>, s: <16-byte record secret>, t?: <expiry, epoch seconds (TTL)> }
 *
 * and nothing else: no record id, no keyed email hash. Short attribute names on purpose: the item
 * is part of every order's storage overhead (bench/). The secrets are stored as they are, in a
 * table encrypted at rest with the storage key; see the README ("Crypto-shredding") for why they
 * are not wrapped as well.
 */

import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '../../domain/errors.js';
import {
  type ErasureLogEntry,
  type ErasureMarks,
  erasureMarkKey,
  markKeyOf,
  newerThan,
  type RecordSecretStore,
  recordKey,
} from '../../record-secrets.js';
import { call, conditional, type DynamoTable, isConditionFailure } from './dynamo-client.js';

/** Attribute names of key-table items. */
export const KEY_TABLE = { key: 'k', secret: 's', ttl: 't', erasedAt: 'e', createdAt: 'c' } as const;

type Item = Record<string, unknown>;

const keyBytes = (hex: string) => Buffer.from(hex, 'hex');
const epoch = (now: Date) => Math.floor(now.getTime() / 1000);
const live = (item: Item, now: Date) => typeof item.t !== 'number' || item.t > epoch(now);

/** DynamoDB's size of a key-table item (attribute names + values), for the storage figures. */
export function keyTableItemBytes(expiresAt: number | undefined): number {
  const numberBytes = (n: number) => Math.ceil(String(n).replace(/^0+|0+$/g, '').length / 2) + 1;
  return 1 + 16 + 1 + 16 + (expiresAt === undefined ? 0 : 1 + numberBytes(expiresAt));
}

/** The key table's shape, to create it locally; infra/ declares the same table (a test keeps them in step). */
export function keyTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: KEY_TABLE.key, AttributeType: 'B' }],
    KeySchema: [{ AttributeName: KEY_TABLE.key, KeyType: 'HASH' }],
  };
}

/**
 * One request when the record is new, and also when it has a secret already: the refused put
 * returns the item in force (ReturnValuesOnConditionCheckFailure), so a returning customer's
 * opt-in costs no extra round trip. An endpoint that does not return it (dynalite) is asked with a
 * consistent read.
 */
export async function claim(
  t: DynamoTable,
  recordId: string,
  secret: Uint8Array,
  expiresAt: number | undefined,
  createdAt?: Date,
): Promise<Uint8Array> {
  const k = keyBytes(recordKey(recordId));
  const created = createdAt ? { c: epoch(createdAt) } : {};
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await t.db.send(
        new PutCommand({
          TableName: t.tableName,
          Item: { k, s: secret, ...(expiresAt === undefined ? {} : { t: expiresAt }), ...created },
          ConditionExpression: 'attribute_not_exists(k)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return secret;
    } catch (cause) {
      if (!isConditionFailure(cause)) throw new DependencyError('DynamoDB put record secret', { cause });
      // Someone (a retried or concurrent intake of the same record) was first: seal with theirs.
      const old = (cause as { Item?: Record<string, { B?: unknown }> }).Item?.s?.B;
      if (old instanceof Uint8Array) return old;
    }
    const { Item } = await call('get record secret', () =>
      t.db.send(new GetCommand({ TableName: t.tableName, Key: { k }, ConsistentRead: true })),
    );
    if (Item?.s instanceof Uint8Array) return Item.s;
  }
  throw new DependencyError('DynamoDB claim record secret');
}

export async function getSecrets(
  t: DynamoTable,
  recordIds: readonly string[],
  now: Date,
): Promise<ReadonlyMap<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const byKey = new Map(recordIds.map((id) => [recordKey(id), id]));
  const take = (item: Item) => {
    const id = byKey.get(Buffer.from(item.k as Uint8Array).toString('hex'));
    if (id !== undefined && item.s instanceof Uint8Array && live(item, now)) out.set(id, item.s);
  };
  if (byKey.size === 1) {
    const [hex] = byKey.keys();
    const { Item } = await call('get record secret', () =>
      t.db.send(
        new GetCommand({
          TableName: t.tableName,
          Key: { k: keyBytes(hex ?? '') },
          ConsistentRead: true,
        }),
      ),
    );
    if (Item) take(Item);
    return out;
  }
  const all = [...byKey.keys()];
  for (let i = 0; i < all.length; i += 100) {
    let pending: Item[] | undefined = all.slice(i, i + 100).map((hex) => ({ k: keyBytes(hex) }));
    for (let round = 0; pending && pending.length > 0 && round < 8; round++) {
      const keys: Item[] = pending;
      const page = await call('batch get record secrets', () =>
        t.db.send(
          new BatchGetCommand({
            RequestItems: { [t.tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        ),
      );
      for (const item of page.Responses?.[t.tableName] ?? []) take(item);
      pending = page.UnprocessedKeys?.[t.tableName]?.Keys as Item[] | undefined;
    }
    if (pending && pending.length > 0) throw new DependencyError('DynamoDB batch get record secrets');
  }
  return out;
}

export async function setExpiry(
  t: DynamoTable,
  recordId: string,
  expiresAt: number,
  now: Date,
): Promise<void> {
  await conditional('set record secret expiry', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { k: keyBytes(recordKey(recordId)) },
        UpdateExpression: 'SET t = :e',
        ConditionExpression: 'attribute_exists(k) AND (attribute_not_exists(t) OR t > :now)',
        ExpressionAttributeValues: { ':e': expiresAt, ':now': epoch(now) },
      }),
    ),
  );
}

export async function shred(t: DynamoTable, keys: readonly string[]): Promise<number> {
  let existed = 0;
  for (const hex of new Set(keys)) {
    // ReturnValues NONE: whoever shreds never reads the secret it deletes.
    const deleted = await conditional('delete record secret', () =>
      t.db.send(
        new DeleteCommand({
          TableName: t.tableName,
          Key: { k: keyBytes(hex) },
          ConditionExpression: 'attribute_exists(k)',
        }),
      ),
    );
    if (deleted) existed++;
  }
  return existed;
}

/** RecordSecretStore.reshred: each entry's secret, unless created after the entry's day. */
export async function reshred(t: DynamoTable, entries: readonly ErasureLogEntry[]): Promise<number> {
  let deleted = 0;
  for (const entry of entries) {
    // A customer's erasure is dated to the second by its mark (only erasures have one).
    // (Before entries were dated: only erasures have one, and a restore may bring back an older one.)
    const markAt =
      entry.reason === 'erasure' && entry.at === undefined
        ? await markTime(t, markKeyOf(entry.key))
        : undefined;
    // ReturnValues NONE: the purge never reads a secret; the condition reads only the creation time.
    const done = await conditional('reshred record secret', () =>
      t.db.send(
        new DeleteCommand({
          TableName: t.tableName,
          Key: { k: keyBytes(entry.key) },
          ConditionExpression: 'attribute_exists(s) AND (attribute_not_exists(c) OR c < :newer)',
          ExpressionAttributeValues: { ':newer': newerThan(entry, markAt) },
        }),
      ),
    );
    if (done) deleted++;
  }
  return deleted;
}

export async function sweepExpired(t: DynamoTable, now: Date): Promise<number> {
  let swept = 0;
  let start: Item | undefined;
  do {
    // Only keys and expiry are read (IAM holds the purge to these attributes).
    const page = await call('scan expired record secrets', () =>
      t.db.send(
        new ScanCommand({
          TableName: t.tableName,
          Select: 'SPECIFIC_ATTRIBUTES',
          ProjectionExpression: 'k, t',
          FilterExpression: 't <= :now',
          ExpressionAttributeValues: { ':now': epoch(now) },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of page.Items ?? []) {
      const deleted = await conditional('delete expired record secret', () =>
        t.db.send(
          new DeleteCommand({
            TableName: t.tableName,
            Key: { k: item.k },
            // Still expired: an expiry moved in between (never later, but be exact) keeps it.
            ConditionExpression: 't <= :now',
            ExpressionAttributeValues: { ':now': epoch(now) },
          }),
        ),
      );
      if (deleted) swept++;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return swept;
}

/** An address's erasure mark (record-secrets.ts, ErasureMarks): the key and the time, nothing else. */
export async function markErased(t: DynamoTable, emailKey: string, at: string): Promise<void> {
  // Never moves back: a run that outlived its lease re-dating after the run that resumed it.
  await conditional('put erasure mark', () =>
    t.db.send(
      new PutCommand({
        TableName: t.tableName,
        Item: { k: keyBytes(erasureMarkKey(emailKey)), e: at },
        ConditionExpression: 'attribute_not_exists(e) OR e < :at',
        ExpressionAttributeValues: { ':at': at },
      }),
    ),
  );
}

export function erasedAt(t: DynamoTable, emailKey: string): Promise<string | undefined> {
  return markTime(t, erasureMarkKey(emailKey));
}

async function markTime(t: DynamoTable, markKey: string): Promise<string | undefined> {
  const { Item } = await call('get erasure mark', () =>
    t.db.send(
      new GetCommand({
        TableName: t.tableName,
        Key: { k: keyBytes(markKey) },
        ProjectionExpression: 'e',
        ConsistentRead: true,
      }),
    ),
  );
  return typeof Item?.e === 'string' ? Item.e : undefined;
}

/** Every RecordSecretStore function bound to one table (the all-in-one wiring, the adapter tests). */
export class DynamoRecordSecretStore implements RecordSecretStore, ErasureMarks {
  private readonly t: DynamoTable;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.t = { db, tableName };
  }

  claim(recordId: string, secret: Uint8Array, expiresAt: number | undefined, createdAt?: Date) {
    return claim(this.t, recordId, secret, expiresAt, createdAt);
  }
  reshred(entries: readonly ErasureLogEntry[]) {
    return reshred(this.t, entries);
  }
  getSecrets(recordIds: readonly string[], now: Date) {
    return getSecrets(this.t, recordIds, now);
  }
  setExpiry(recordId: string, expiresAt: number, now: Date) {
    return setExpiry(this.t, recordId, expiresAt, now);
  }
  shred(keys: readonly string[]) {
    return shred(this.t, keys);
  }
  sweepExpired(now: Date) {
    return sweepExpired(this.t, now);
  }
  markErased(emailKey: string, at: string) {
    return markErased(this.t, emailKey, at);
  }
  erasedAt(emailKey: string) {
    return erasedAt(this.t, emailKey);
  }
}
