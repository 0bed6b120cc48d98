import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ConsentEvent, CustomerRecord, SuppressionRecord } from '../../domain/consent.js';
import type { ConsentStore } from '../../ports.js';
import { call, keys } from './dynamo-client.js';

/** Consent ledger (CUSTOMER#) and suppression list (SUPPRESS#), both keyed by the keyed email hash. */
export class DynamoConsentStore implements ConsentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getCustomer(emailKey: string): Promise<CustomerRecord | undefined> {
    const { Item } = await call('get customer', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: keys.customer(emailKey) },
          ConsistentRead: true,
        }),
      ),
    );
    if (!Item) return undefined;
    return {
      emailKey,
      consent: (Item.consent as ConsentEvent[] | undefined) ?? [],
      ...(Item.marketing instanceof Uint8Array ? { marketing: Item.marketing } : {}),
      updatedAt: Item.updatedAt as string,
    };
  }

  async appendConsent(emailKey: string, event: ConsentEvent, marketing?: Uint8Array | null): Promise<void> {
    const values: Record<string, unknown> = { ':e': [event], ':empty': [], ':at': event.at };
    let update = 'SET consent = list_append(if_not_exists(consent, :empty), :e), updatedAt = :at';
    if (marketing) {
      update += ', marketing = :m';
      values[':m'] = marketing;
    }
    if (marketing === null) update += ' REMOVE marketing';
    await call('append consent', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.customer(emailKey) },
          UpdateExpression: update,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  async deleteCustomer(emailKey: string): Promise<boolean> {
    const { Attributes } = await call('delete customer', () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: keys.customer(emailKey) },
          ReturnValues: 'ALL_OLD',
        }),
      ),
    );
    return Attributes !== undefined;
  }

  async getSuppression(emailKey: string): Promise<SuppressionRecord | undefined> {
    const { Item } = await call('get suppression', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: keys.suppression(emailKey) },
          ConsistentRead: true,
        }),
      ),
    );
    return Item
      ? { emailKey, reason: Item.reason as SuppressionRecord['reason'], at: Item.at as string }
      : undefined;
  }

  async putSuppression(record: SuppressionRecord): Promise<void> {
    await call('put suppression', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.suppression(record.emailKey), reason: record.reason, at: record.at },
        }),
      ),
    );
  }
}
