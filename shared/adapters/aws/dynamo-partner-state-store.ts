import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts.js';
import type { HeldMessage, PartnerState, PartnerStateStore, QueueMessage } from '../../ports.js';
import { call, conditional } from './dynamo-client.js';

type Item = Record<string, unknown>;

/**
 * Partner state (`PARTNER#<id>`) and held messages (`HELD#<id>#<webhookId>`) on the order table.
 * Items hold ids, states and times only. Held messages are listed with a consistent Scan filtered
 * on the key prefix: only `minimis partner enable` lists them, and it must not miss one.
 */
export class DynamoPartnerStateStore implements PartnerStateStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getPartnerState(partnerId: string): Promise<PartnerState> {
    const { Item } = await call('get partner state', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: keys.partner(partnerId) },
          ConsistentRead: true,
        }),
      ),
    );
    if (Item?.state !== 'disabled') {
      return { state: 'enabled', ...(Item?.changedAt ? { changedAt: Item.changedAt as string } : {}) };
    }
    return {
      state: 'disabled',
      changedAt: Item.changedAt as string,
      ...(typeof Item.status === 'number' ? { status: Item.status } : {}),
    };
  }

  private setState(partnerId: string, state: 'enabled' | 'disabled', at: string, status?: number) {
    return conditional(`set partner ${state}`, () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.partner(partnerId) },
          UpdateExpression:
            status === undefined
              ? 'SET #s = :s, changedAt = :at REMOVE #status'
              : 'SET #s = :s, changedAt = :at, #status = :status',
          // Only a change counts: a second 410 (or enable) reports false.
          ConditionExpression:
            state === 'disabled'
              ? 'attribute_not_exists(#s) OR #s <> :s'
              : 'attribute_exists(#s) AND #s <> :s',
          ExpressionAttributeNames: { '#s': 'state', '#status': 'status' },
          ExpressionAttributeValues: {
            ':s': state,
            ':at': at,
            ...(status === undefined ? {} : { ':status': status }),
          },
        }),
      ),
    );
  }

  disablePartner(partnerId: string, at: string, status: number): Promise<boolean> {
    return this.setState(partnerId, 'disabled', at, status);
  }

  enablePartner(partnerId: string, at: string): Promise<boolean> {
    return this.setState(partnerId, 'enabled', at);
  }

  async holdMessage(partnerId: string, held: HeldMessage & { readonly holdId: string }): Promise<void> {
    await call('hold message', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.held(partnerId, held.webhookId) },
          // The first hold's time is kept; the hold id is always this hold's, so a release of an
          // earlier hold (enable re-sent it, and it met 410 again) does not remove this one.
          UpdateExpression:
            'SET partnerId = :p, webhookId = :w, message = :m, heldAt = if_not_exists(heldAt, :at), holdId = :h',
          ExpressionAttributeValues: {
            ':p': partnerId,
            ':w': held.webhookId,
            ':m': held.message,
            ':at': held.heldAt,
            ':h': held.holdId,
          },
        }),
      ),
    );
  }

  async *listHeld(partnerId: string): AsyncIterable<HeldMessage> {
    let start: Item | undefined;
    do {
      const page = await call('scan held messages', () =>
        this.db.send(
          new ScanCommand({
            TableName: this.tableName,
            ConsistentRead: true,
            FilterExpression: 'begins_with(pk, :prefix)',
            ExpressionAttributeValues: { ':prefix': keys.held(partnerId, '') },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of page.Items ?? []) {
        yield {
          webhookId: item.webhookId as string,
          message: item.message as QueueMessage,
          heldAt: item.heldAt as string,
          ...(typeof item.holdId === 'string' ? { holdId: item.holdId } : {}),
        };
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }

  releaseHeld(partnerId: string, webhookId: string, holdId: string | undefined): Promise<boolean> {
    return conditional('release held message', () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: keys.held(partnerId, webhookId) },
          // Only the hold the caller saw: a later hold of the same message stays.
          ...(holdId === undefined
            ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(holdId)' }
            : {
                ConditionExpression: 'holdId = :h',
                ExpressionAttributeValues: { ':h': holdId },
              }),
        }),
      ),
    );
  }
}
