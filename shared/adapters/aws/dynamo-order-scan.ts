import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts.js';
import type { OrderRecord } from '../../domain/order.js';
import type { OrderScan } from '../../ports.js';
import { call } from './dynamo-client.js';
import { toOrder } from './dynamo-order-store.js';

type Item = Record<string, unknown>;

/** Orders created in a time range, by scanning the table (ops commands only: `minimis replay`). */
export class DynamoOrderScan implements OrderScan {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async *scanOrders(range: { readonly from?: string; readonly to?: string }): AsyncIterable<OrderRecord> {
    const conditions = ['begins_with(pk, :order)'];
    const values: Item = { ':order': keys.order('') };
    if (range.from) {
      conditions.push('createdAt >= :from');
      values[':from'] = range.from;
    }
    if (range.to) {
      conditions.push('createdAt < :to');
      values[':to'] = range.to;
    }
    let start: Item | undefined;
    do {
      const page = await call('scan orders', () =>
        this.db.send(
          new ScanCommand({
            TableName: this.tableName,
            FilterExpression: conditions.join(' AND '),
            ExpressionAttributeValues: values,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) yield toOrder(item);
      start = page.LastEvaluatedKey;
    } while (start);
  }
}
