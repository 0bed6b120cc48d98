import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '../../domain/errors.js';
import type { IdempotencyRecord, IdempotencyStore } from '../../ports.js';
import { isConditionFailure, keys } from './dynamo-client.js';

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
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.idempotency(record.key), ...record },
          // An expired record (TTL not yet applied) counts as absent.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return { claimed: true } as const;
    } catch (error) {
      if (!isConditionFailure(error))
        throw new DependencyError('DynamoDB claim idempotency key', { cause: error });
    }
    const { Item } = await this.db
      .send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: keys.idempotency(record.key) },
          ConsistentRead: true,
        }),
      )
      .catch((cause: unknown) => {
        throw new DependencyError('DynamoDB get idempotency key', { cause });
      });
    if (!Item || (Item.expiresAt as number) <= nowSeconds) return this.claim(record, nowMs);
    const { pk: _pk, ...existing } = Item;
    return { claimed: false, existing: existing as IdempotencyRecord } as const;
  }

  async takeOver(key: string, expectedLeaseUntil: number, leaseUntil: number): Promise<boolean> {
    try {
      await this.db.send(
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
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new DependencyError('DynamoDB take over idempotency key', { cause: error });
    }
  }

  async complete(key: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.idempotency(key) },
          UpdateExpression: 'SET #state = :done',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':done': 'done' },
        }),
      )
      .catch((cause: unknown) => {
        throw new DependencyError('DynamoDB complete idempotency key', { cause });
      });
  }
}
