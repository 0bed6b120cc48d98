import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts.js';
import type { IdempotencyRecord, IdempotencyStore } from '../../ports.js';
import { call, conditional } from './dynamo-client.js';

export class DynamoIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claim(
    record: IdempotencyRecord,
    nowMs: number,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }> {
    const nowSeconds = Math.floor(nowMs / 1000);
    const claimed = await conditional('claim idempotency key', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.idempotency(record.key), ...record },
          // An expired record (TTL not yet applied) counts as absent.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      ),
    );
    if (claimed) return { claimed: true };
    const { Item } = await call('get idempotency key', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: keys.idempotency(record.key) },
          ConsistentRead: true,
        }),
      ),
    );
    if (!Item || (Item.expiresAt as number) <= nowSeconds) return this.claim(record, nowMs);
    const { pk: _pk, ...existing } = Item;
    return { claimed: false, existing: existing as IdempotencyRecord };
  }

  takeOver(key: string, expectedLeaseUntil: number, leaseUntil: number): Promise<boolean> {
    return conditional('take over idempotency key', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.idempotency(key) },
          UpdateExpression: 'SET leaseUntil = :lease',
          ConditionExpression: '#state = :inProgress AND leaseUntil = :expected',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':lease': leaseUntil,
            ':expected': expectedLeaseUntil,
            ':inProgress': 'in-progress',
          },
        }),
      ),
    );
  }

  async setMark(key: string, fenceEnded: number): Promise<void> {
    // Conditional on the record: a late write never creates a stray item.
    await conditional('set idempotency fence mark', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.idempotency(key) },
          UpdateExpression: 'SET fenceEnded = :mark',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':mark': fenceEnded },
        }),
      ),
    );
  }
}
