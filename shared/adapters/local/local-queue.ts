/**
 * Local mode's queues, with SQS semantics, persisted in their own DynamoDB table so nothing is
 * lost across restarts and the ops CLI (another process) can redrive dead letters:
 * - a received message stays invisible for the visibility timeout, then comes back;
 * - `retryLater` changes its visibility (exponential backoff, as ChangeMessageVisibility does);
 * - a message received more than `maxReceiveCount` times moves to the dead-letter state.
 */
import { randomUUID } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeadLetterQueue, Queue, QueueMessage, RetryScheduler } from '../../ports.js';
import { isConditionFailure } from '../aws/dynamo-client.js';

export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly sentAt: number;
}

export interface LocalQueueOptions {
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message is dead-lettered, per queue (default for all: `*`). */
  readonly maxReceiveCount: Readonly<Record<string, number>>;
}

export function localQueueTable(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  };
}

function parseHandle(receiptHandle: string): { pk: string; count: number } {
  const at = receiptHandle.lastIndexOf('|');
  return { pk: receiptHandle.slice(0, at), count: Number(receiptHandle.slice(at + 1)) };
}

export class LocalQueue implements Queue, RetryScheduler, DeadLetterQueue {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: LocalQueueOptions,
    private readonly now: () => number = Date.now,
  ) {}

  private maxReceives(queue: string): number {
    return this.options.maxReceiveCount[queue] ?? this.options.maxReceiveCount['*'] ?? 10;
  }

  async send(queue: string, message: QueueMessage, options: { delaySeconds?: number } = {}) {
    const now = this.now();
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `${queue}#${randomUUID()}`,
          queue,
          body: JSON.stringify(message),
          sentAt: now,
          visibleAt: now + (options.delaySeconds ?? 0) * 1000,
          receiveCount: 0,
          dead: 0,
        },
      }),
    );
  }

  private async scan(queue: string, dead: 0 | 1, visibleBefore?: number) {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: `#q = :q AND dead = :dead${visibleBefore === undefined ? '' : ' AND visibleAt <= :now'}`,
          ExpressionAttributeNames: { '#q': 'queue' },
          ExpressionAttributeValues: {
            ':q': queue,
            ':dead': dead,
            ...(visibleBefore === undefined ? {} : { ':now': visibleBefore }),
          },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items.sort((a, b) => (a.sentAt as number) - (b.sentAt as number));
  }

  /** Receives up to `max` visible messages, hiding each for the visibility timeout. */
  async receive(queue: string, max = 10): Promise<ReceivedMessage[]> {
    const now = this.now();
    const out: ReceivedMessage[] = [];
    for (const item of await this.scan(queue, 0, now)) {
      if (out.length >= max) break;
      const count = item.receiveCount as number;
      const dead = count >= this.maxReceives(queue);
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: item.pk },
            UpdateExpression: dead ? 'SET dead = :one' : 'SET receiveCount = :next, visibleAt = :hidden',
            ConditionExpression: 'receiveCount = :count AND visibleAt = :visibleAt AND dead = :zero',
            ExpressionAttributeValues: {
              ':count': count,
              ':visibleAt': item.visibleAt,
              ':zero': 0,
              ...(dead
                ? { ':one': 1 }
                : { ':next': count + 1, ':hidden': now + this.options.visibilityTimeoutSeconds * 1000 }),
            },
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) continue;
        throw error;
      }
      if (dead) continue;
      out.push({
        messageId: String(item.pk).slice(queue.length + 1),
        receiptHandle: `${String(item.pk)}|${count + 1}`,
        body: item.body as string,
        receiveCount: count + 1,
        sentAt: item.sentAt as number,
      });
    }
    return out;
  }

  /** Deletes a handled message (only if nobody received it again since). */
  async delete(receiptHandle: string): Promise<void> {
    const { pk, count } = parseHandle(receiptHandle);
    await this.db
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk },
          ConditionExpression: 'receiveCount = :count',
          ExpressionAttributeValues: { ':count': count },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async retryLater(_queue: string, receiptHandle: string, delaySeconds: number) {
    const { pk, count } = parseHandle(receiptHandle);
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: 'SET visibleAt = :at',
          ConditionExpression: 'receiveCount = :count',
          ExpressionAttributeValues: {
            ':at': this.now() + Math.max(0, delaySeconds) * 1000,
            ':count': count,
          },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async redrive(queue: string, onProgress?: (moved: number) => void): Promise<number> {
    let moved = 0;
    for (const item of await this.scan(queue, 1)) {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: item.pk },
          UpdateExpression: 'SET dead = :zero, receiveCount = :zero, visibleAt = :now',
          ExpressionAttributeValues: { ':zero': 0, ':now': this.now() },
        }),
      );
      moved++;
      onProgress?.(moved);
    }
    return moved;
  }

  async list(queue: string): Promise<QueueMessage[]> {
    return (await this.scan(queue, 1)).map((item) => JSON.parse(item.body as string) as QueueMessage);
  }
}
