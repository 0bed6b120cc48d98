import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { INTAKE_FLAG_ATTRIBUTE, INTAKE_OPEN_VALUES, intakeOpen } from '../../contracts/intake-claims.js';
import { INDEX, keys } from '../../contracts.js';
import type { IdempotencyRecord, IdempotencyStore } from '../../ports.js';
import { call, conditional, type DynamoTable } from './dynamo-client.js';

type Item = Record<string, unknown>;

/**
 * The claim's keyed email hash is stored as `intakeEmailKey`, never `emailKey`: that attribute is
 * the `byEmail` index's key, which lists personal records only.
 */
const EMAIL_KEY_ATTRIBUTE = 'intakeEmailKey';

const IDEM_PREFIX = keys.idempotency('');

function toItem(record: IdempotencyRecord): Item {
  const { emailKey, open: _open, ...rest } = record;
  return {
    pk: keys.idempotency(record.key),
    ...rest,
    ...(emailKey === undefined ? {} : { [EMAIL_KEY_ATTRIBUTE]: emailKey }),
    [INTAKE_FLAG_ATTRIBUTE]: intakeOpen(record.key),
  };
}

function toRecord(item: Item): IdempotencyRecord {
  const { pk: _pk, [EMAIL_KEY_ATTRIBUTE]: emailKey, [INTAKE_FLAG_ATTRIBUTE]: flag, ...rest } = item;
  return {
    ...(rest as unknown as IdempotencyRecord),
    ...(typeof emailKey === 'string' ? { emailKey } : {}),
    ...(typeof flag === 'string' ? { open: true } : {}),
  };
}

/** Parallel consistent reads of the claims one sweep found. */
const READS_AT_ONCE = 16;

export async function claim(
  t: DynamoTable,
  record: IdempotencyRecord,
  nowMs: number,
): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }> {
  const nowSeconds = Math.floor(nowMs / 1000);
  const claimed = await conditional('claim idempotency key', () =>
    t.db.send(
      new PutCommand({
        TableName: t.tableName,
        Item: toItem(record),
        // An expired record (TTL not yet applied) counts as absent.
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
        ExpressionAttributeValues: { ':now': nowSeconds },
      }),
    ),
  );
  if (claimed) return { claimed: true };
  const { Item } = await call('get idempotency key', () =>
    t.db.send(
      new GetCommand({
        TableName: t.tableName,
        Key: { pk: keys.idempotency(record.key) },
        ConsistentRead: true,
      }),
    ),
  );
  if (!Item || (Item.expiresAt as number) <= nowSeconds) return claim(t, record, nowMs);
  return { claimed: false, existing: toRecord(Item) };
}

export function takeOver(
  t: DynamoTable,
  key: string,
  expectedLeaseUntil: number,
  leaseUntil: number,
  reopen?: { readonly emailKey: string; readonly optIn: boolean },
): Promise<boolean> {
  return conditional('take over idempotency key', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.idempotency(key) },
        // A resume checks against the stored mark, or 0 when none landed: store that 0, so the
        // consent it writes is always covered by a stored mark (the intake sweep reads it).
        UpdateExpression: reopen
          ? 'SET leaseUntil = :lease, fenceEnded = if_not_exists(fenceEnded, :zero), #flag = :open, #emailKey = :emailKey, optIn = :optIn'
          : 'SET leaseUntil = :lease, fenceEnded = if_not_exists(fenceEnded, :zero)',
        ConditionExpression: '#state = :inProgress AND leaseUntil = :expected',
        ExpressionAttributeNames: {
          '#state': 'state',
          ...(reopen ? { '#flag': INTAKE_FLAG_ATTRIBUTE, '#emailKey': EMAIL_KEY_ATTRIBUTE } : {}),
        },
        ExpressionAttributeValues: {
          ':lease': leaseUntil,
          ':zero': 0,
          ':expected': expectedLeaseUntil,
          ':inProgress': 'in-progress',
          ...(reopen
            ? { ':open': intakeOpen(key), ':emailKey': reopen.emailKey, ':optIn': reopen.optIn }
            : {}),
        },
      }),
    ),
  );
}

export async function setMark(t: DynamoTable, key: string, fenceEnded: number): Promise<void> {
  // Conditional on the record: a late write never creates a stray item.
  await conditional('set idempotency fence mark', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.idempotency(key) },
        UpdateExpression: 'SET fenceEnded = :mark',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':mark': fenceEnded },
      }),
    ),
  );
}

export async function settle(t: DynamoTable, key: string, expectedLeaseUntil?: number): Promise<void> {
  await conditional('settle idempotency key', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.idempotency(key) },
        // The keyed email hash is needed only while the claim is open: settled, it links nothing.
        UpdateExpression: 'REMOVE #flag, #emailKey, optIn',
        ConditionExpression:
          expectedLeaseUntil === undefined ? 'attribute_exists(pk)' : 'leaseUntil = :expected',
        ExpressionAttributeNames: { '#flag': INTAKE_FLAG_ATTRIBUTE, '#emailKey': EMAIL_KEY_ATTRIBUTE },
        ...(expectedLeaseUntil === undefined
          ? {}
          : { ExpressionAttributeValues: { ':expected': expectedLeaseUntil } }),
      }),
    ),
  );
}

/**
 * Every shard of the `byIntake` index in parallel (INTAKE_SHARDS requests at once, keys only),
 * then each claim found read consistently: the index may lag a `settle` or a take-over.
 */
export async function listAbandoned(
  t: DynamoTable,
  beforeMs: number,
  limit: number,
): Promise<IdempotencyRecord[]> {
  const pages = await Promise.all(
    INTAKE_OPEN_VALUES.map((value) =>
      call('query open intakes', () =>
        t.db.send(
          new QueryCommand({
            TableName: t.tableName,
            IndexName: INDEX.byIntake,
            KeyConditionExpression: '#flag = :open AND leaseUntil < :before',
            ExpressionAttributeNames: { '#flag': INTAKE_FLAG_ATTRIBUTE },
            ExpressionAttributeValues: { ':open': value, ':before': beforeMs },
            Limit: limit,
          }),
        ),
      ),
    ),
  );
  const keysFound = pages
    .flatMap(({ Items = [] }) => Items)
    .sort((a, b) => Number(a.leaseUntil) - Number(b.leaseUntil))
    .slice(0, limit)
    .map((item) => String(item.pk));
  const out: IdempotencyRecord[] = [];
  for (let i = 0; i < keysFound.length; i += READS_AT_ONCE) {
    const items = await Promise.all(
      keysFound.slice(i, i + READS_AT_ONCE).map(async (pk) => {
        const { Item } = await call('get open intake', () =>
          t.db.send(new GetCommand({ TableName: t.tableName, Key: { pk }, ConsistentRead: true })),
        );
        return Item;
      }),
    );
    for (const item of items) {
      if (!item || !String(item.pk).startsWith(IDEM_PREFIX)) continue;
      const record = toRecord(item);
      if (record.open && record.leaseUntil < beforeMs) out.push(record);
    }
  }
  return out;
}

/** Every IdempotencyStore function bound to one table (the all-in-one wiring, the adapter tests). */
export class DynamoIdempotencyStore implements IdempotencyStore {
  private readonly t: DynamoTable;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.t = { db, tableName };
  }

  claim(record: IdempotencyRecord, nowMs: number) {
    return claim(this.t, record, nowMs);
  }
  takeOver(
    key: string,
    expectedLeaseUntil: number,
    leaseUntil: number,
    reopen?: { readonly emailKey: string; readonly optIn: boolean },
  ) {
    return takeOver(this.t, key, expectedLeaseUntil, leaseUntil, reopen);
  }
  setMark(key: string, fenceEnded: number) {
    return setMark(this.t, key, fenceEnded);
  }
  settle(key: string, expectedLeaseUntil?: number) {
    return settle(this.t, key, expectedLeaseUntil);
  }
  listAbandoned(beforeMs: number, limit: number) {
    return listAbandoned(this.t, beforeMs, limit);
  }
}
