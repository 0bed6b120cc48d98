import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts.js';
import type { ErasureFence, ErasureFenceStore } from '../../ports.js';
import { call, conditional, type DynamoTable } from './dynamo-client.js';

/**
 * The erasure fence of one keyed email hash (`FENCE#<emailKey>`): two counters, erasures begun and
 * erasures ended (usecases/erasure-fence.ts). Single-item atomic updates; holds nothing personal.
 */

export async function readFence(t: DynamoTable, emailKey: string): Promise<ErasureFence> {
  const { Item } = await call('get erasure fence', () =>
    t.db.send(
      new GetCommand({
        TableName: t.tableName,
        Key: { pk: keys.fence(emailKey) },
        ConsistentRead: true,
      }),
    ),
  );
  return {
    begun: (Item?.begun as number | undefined) ?? 0,
    ended: (Item?.ended as number | undefined) ?? 0,
    ...(Array.isArray(Item?.beganAt) ? { beganAt: (Item.beganAt as unknown[]).map(Number) } : {}),
  };
}

export async function beginErasure(
  t: DynamoTable,
  emailKey: string,
  leaseUntil: number,
  nowMs: number,
): Promise<number | undefined> {
  let begun: number | undefined;
  const done = await conditional('begin erasure', async () => {
    const { Attributes } = await t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.fence(emailKey) },
        // beganAt: when each erasure began, in order (one entry per `begun`; the intake sweep
        // tells an erasure that began after a dead intake's lease from one that raced it).
        UpdateExpression:
          'SET leaseUntil = :lease, beganAt = list_append(if_not_exists(beganAt, :none), :at) ADD begun :one',
        ConditionExpression: 'attribute_not_exists(begun) OR begun = ended OR leaseUntil < :now',
        ExpressionAttributeValues: {
          ':one': 1,
          ':lease': leaseUntil,
          ':now': nowMs,
          ':at': [nowMs],
          ':none': [],
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    begun = Attributes?.begun as number;
  });
  return done ? begun : undefined;
}

export async function endErasure(t: DynamoTable, emailKey: string, begun: number): Promise<void> {
  await conditional('end erasure', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.fence(emailKey) },
        UpdateExpression: 'SET ended = :b',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(ended) OR ended < :b)',
        ExpressionAttributeValues: { ':b': begun },
      }),
    ),
  );
}

/** Every ErasureFenceStore function bound to one table (the all-in-one wiring, the adapter tests). */
export class DynamoErasureFenceStore implements ErasureFenceStore {
  private readonly t: DynamoTable;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.t = { db, tableName };
  }

  readFence(emailKey: string) {
    return readFence(this.t, emailKey);
  }
  beginErasure(emailKey: string, leaseUntil: number, nowMs: number) {
    return beginErasure(this.t, emailKey, leaseUntil, nowMs);
  }
  endErasure(emailKey: string, begun: number) {
    return endErasure(this.t, emailKey, begun);
  }
}
