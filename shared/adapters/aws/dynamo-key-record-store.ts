import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts.js';
import type { KeyContext } from '../../inventory.js';
import type { DataKeyRecord, KeyRecordStore } from '../../ports.js';
import { call, conditional } from './dynamo-client.js';

/** Wrapped data keys (useless without the key service) stored once under a short ref. */
export class DynamoKeyRecordStore implements KeyRecordStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getDataKey(ref: string): Promise<DataKeyRecord | undefined> {
    const { Item } = await call('get data key', () =>
      this.db.send(
        new GetCommand({ TableName: this.tableName, Key: { pk: keys.dataKey(ref) }, ConsistentRead: true }),
      ),
    );
    if (!Item) return undefined;
    return {
      ref,
      context: Item.context as KeyContext,
      wrapped: Item.wrapped as Uint8Array,
      createdAt: Item.createdAt as string,
    };
  }

  putDataKey(record: DataKeyRecord): Promise<boolean> {
    return conditional('put data key', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.dataKey(record.ref), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}
