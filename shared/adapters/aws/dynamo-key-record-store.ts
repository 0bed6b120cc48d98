import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DependencyError } from '../../domain/errors.js';
import type { KeyContext } from '../../inventory.js';
import type { DataKeyRecord, KeyRecordStore } from '../../ports.js';
import { isConditionFailure, keys } from './dynamo-client.js';

/** Wrapped data keys (useless without the key service) stored once under a short ref. */
export class DynamoKeyRecordStore implements KeyRecordStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getDataKey(ref: string): Promise<DataKeyRecord | undefined> {
    const { Item } = await this.db
      .send(
        new GetCommand({ TableName: this.tableName, Key: { pk: keys.dataKey(ref) }, ConsistentRead: true }),
      )
      .catch((cause: unknown) => {
        throw new DependencyError('DynamoDB get data key', { cause });
      });
    if (!Item) return undefined;
    return {
      ref,
      context: Item.context as KeyContext,
      wrapped: Item.wrapped as Uint8Array,
      createdAt: Item.createdAt as string,
    };
  }

  async putDataKey(record: DataKeyRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.dataKey(record.ref), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw new DependencyError('DynamoDB put data key', { cause: error });
    }
  }
}
