import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts.js';
import type { ErasureFence, ErasureFenceStore } from '../../ports.js';
import { call, conditional } from './dynamo-client.js';

/**
 * The erasure fence of one keyed email hash (`FENCE#<emailKey>`): two counters, erasures begun and
 * erasures ended (usecases/erasure-fence.ts). Single-item atomic updates; holds nothing personal.
 */
export class DynamoErasureFenceStore implements ErasureFenceStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async readFence(emailKey: string): Promise<ErasureFence> {
    const { Item } = await call('get erasure fence', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: keys.fence(emailKey) },
          ConsistentRead: true,
        }),
      ),
    );
    return {
      begun: (Item?.begun as number | undefined) ?? 0,
      ended: (Item?.ended as number | undefined) ?? 0,
    };
  }

  async beginErasure(emailKey: string, leaseUntil: number, nowMs: number): Promise<number | undefined> {
    let begun: number | undefined;
    const done = await conditional('begin erasure', async () => {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.fence(emailKey) },
          UpdateExpression: 'SET leaseUntil = :lease ADD begun :one',
          ConditionExpression: 'attribute_not_exists(begun) OR begun = ended OR leaseUntil < :now',
          ExpressionAttributeValues: { ':one': 1, ':lease': leaseUntil, ':now': nowMs },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      begun = Attributes?.begun as number;
    });
    return done ? begun : undefined;
  }

  async endErasure(emailKey: string, begun: number): Promise<void> {
    await conditional('end erasure', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.fence(emailKey) },
          UpdateExpression: 'SET ended = :b',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(ended) OR ended < :b)',
          ExpressionAttributeValues: { ':b': begun },
        }),
      ),
    );
  }
}
