/**
 * Local mode's queues, with SQS semantics, persisted in their own DynamoDB table so nothing is
 * lost across restarts and the ops CLI (another process) can redrive dead letters:
 * - a received message stays invisible for the visibility timeout, then comes back;
 * - `retryLater` changes its visibility (exponential backoff, as ChangeMessageVisibility does);
 * - a message received more than `maxReceiveCount` times moves to the dead-letter state.
 *
 * Receiving is one Query on the `byLane` index, never a Scan: a message's lane is its queue's
 * name while it is live and `dead#<queue>` once dead-lettered, sorted by the time it becomes
 * visible. The first page of a lane holds the visible messages first and then the one that
 * becomes visible next, so one request tells a consumer both what to handle and when to look
 * again. One lane per queue is one partition key per queue: local mode's rates are far below a
 * partition's 1000 writes/s, so the lanes are not sharded.
 *
 * Claims in memory (`claims: 'memory'`, local mode's server, the queues' only consumer): a
 * receive writes nothing. Which messages are in flight, until when and how often each was
 * received live in this instance; the send and the delete stay in the table, so a message is
 * gone only once deleted, and after a restart every message not deleted is received again (the
 * in-flight ones at once). A retry (`retryLater`) and a dead-lettering write the receive count
 * to the table, so the receive limit holds across restarts for messages that failed; only a
 * receive that ended in a crash is not counted. Sends and deletes made in the same tick (a
 * fan-out's three sends, a batch's deletes) then share one BatchWriteItem: none is conditional.
 * Default (`'table'`): each receive is a
 * conditional update, so several processes may consume one queue.
 *
 * In-process consumers need not poll: `send`, `retryLater` and `redrive` tell this instance's
 * listeners (`onVisible`) when a message of a queue becomes visible. Another process's sends
 * (the CLI's redrive or replay) are seen by the consumers' slow heartbeat.
 */
import { randomUUID } from 'node:crypto';
import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeadLetterQueue, Queue, QueueMessage, RetryScheduler } from '../../ports.js';
import { isConditionFailure } from '../aws/dynamo-client.js';
import { currentLane, inLaneOf, type Lane } from './request-lanes.js';
import { addMissingIndexes } from './table-upgrade.js';

export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly receiveCount: number;
  readonly sentAt: number;
}

export interface ReceivedBatch {
  readonly messages: readonly ReceivedMessage[];
  /** More visible messages than were taken: receive again at once. */
  readonly more: boolean;
  /** When the next message not visible yet (delayed, retrying, in flight) becomes visible. */
  readonly nextVisibleAt: number | undefined;
}

export interface LocalQueueOptions {
  readonly visibilityTimeoutSeconds: number;
  /** Receives before a message is dead-lettered, per queue (default for all: `*`). */
  readonly maxReceiveCount: Readonly<Record<string, number>>;
  /** Where a receive is recorded: in the table (default), or in this instance alone (see above). */
  readonly claims?: 'table' | 'memory';
}

/** A queue-table write waiting for the tick's BatchWriteItem. */
interface PendingWrite {
  /** The writer's lane (request-lanes.ts): a chunk goes in the API's if any writer is in it. */
  readonly lane: Lane;
  readonly pk: string;
  readonly request:
    | { PutRequest: { Item: Record<string, unknown> } }
    | { DeleteRequest: { Key: { pk: string } } };
  resolve(): void;
  reject(error: unknown): void;
}

/** BatchWriteItem takes at most 25 requests. */
const MAX_WRITES = 25;

/** A message received by this instance (claims in memory): its receive count and hidden time. */
interface Claim {
  readonly queue: string;
  readonly count: number;
  readonly hiddenUntil: number;
}

export const LANE_INDEX = 'byLane';
const deadLane = (queue: string) => `dead#${queue}`;

export function localQueueTable(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'lane', AttributeType: 'S' },
      { AttributeName: 'visibleAt', AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: LANE_INDEX,
        KeySchema: [
          { AttributeName: 'lane', KeyType: 'HASH' },
          { AttributeName: 'visibleAt', KeyType: 'RANGE' },
        ],
        // Queue messages carry ids only (never personal data), so the index holds whole items.
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

function parseHandle(receiptHandle: string): { pk: string; count: number } {
  const at = receiptHandle.lastIndexOf('|');
  return { pk: receiptHandle.slice(0, at), count: Number(receiptHandle.slice(at + 1)) };
}

export type VisibleListener = (visibleAt: number) => void;

export class LocalQueue implements Queue, RetryScheduler, DeadLetterQueue {
  private readonly listeners = new Map<string, Set<VisibleListener>>();
  /** Claims in memory: by message key. */
  private readonly claims = new Map<string, Claim>();
  /** Claims in memory: this tick's unconditional writes, sent together. */
  private writes: PendingWrite[] = [];

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: LocalQueueOptions,
    private readonly now: () => number = Date.now,
  ) {}

  private maxReceives(queue: string): number {
    return this.options.maxReceiveCount[queue] ?? this.options.maxReceiveCount['*'] ?? 10;
  }

  /** Calls `listener` with the time a message of `queue` becomes visible, for each one this instance writes. */
  onVisible(queue: string, listener: VisibleListener): () => void {
    const set = this.listeners.get(queue) ?? new Set<VisibleListener>();
    this.listeners.set(queue, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  private notify(queue: string, visibleAt: number): void {
    for (const listener of this.listeners.get(queue) ?? []) listener(visibleAt);
  }

  async send(queue: string, message: QueueMessage, options: { delaySeconds?: number } = {}) {
    const now = this.now();
    const visibleAt = now + (options.delaySeconds ?? 0) * 1000;
    const item = {
      pk: `${queue}#${randomUUID()}`,
      queue,
      lane: queue,
      body: JSON.stringify(message),
      sentAt: now,
      visibleAt,
      receiveCount: 0,
    };
    if (this.options.claims === 'memory') await this.write(item.pk, { PutRequest: { Item: item } });
    else await this.db.send(new PutCommand({ TableName: this.tableName, Item: item }));
    this.notify(queue, visibleAt);
  }

  /** Claims in memory: one unconditional write, sent with the others of this tick. */
  private write(pk: string, request: PendingWrite['request']): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.writes.length === 0) queueMicrotask(() => this.flushWrites());
      this.writes.push({ lane: currentLane(), pk, request, resolve, reject });
    });
  }

  private flushWrites(): void {
    let rest = this.writes;
    this.writes = [];
    // BatchWriteItem refuses two requests for one key: such a write waits for the next chunk.
    while (rest.length > 0) {
      const chunk: PendingWrite[] = [];
      const later: PendingWrite[] = [];
      const keys = new Set<string>();
      for (const w of rest)
        if (chunk.length < MAX_WRITES && !keys.has(w.pk)) {
          keys.add(w.pk);
          chunk.push(w);
        } else later.push(w);
      void inLaneOf(chunk, () => this.writeChunk(chunk));
      rest = later;
    }
  }

  private async writeChunk(chunk: readonly PendingWrite[]): Promise<void> {
    const alone = async (w: PendingWrite) => {
      try {
        if ('PutRequest' in w.request)
          await this.db.send(new PutCommand({ TableName: this.tableName, Item: w.request.PutRequest.Item }));
        else
          await this.db.send(
            new DeleteCommand({ TableName: this.tableName, Key: w.request.DeleteRequest.Key }),
          );
        w.resolve();
      } catch (error) {
        w.reject(error);
      }
    };
    const [first] = chunk;
    if (chunk.length === 1 && first) return alone(first);
    let retry: readonly PendingWrite[] = chunk;
    try {
      const out = await this.db.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: chunk.map((w) => w.request) } }),
      );
      const unprocessed = new Set(
        (out.UnprocessedItems?.[this.tableName] ?? []).map((r) =>
          String(r.PutRequest?.Item?.pk ?? r.DeleteRequest?.Key?.pk),
        ),
      );
      retry = chunk.filter((w) => unprocessed.has(w.pk));
      for (const w of chunk) if (!unprocessed.has(w.pk)) w.resolve();
    } catch {
      // each write on its own then, so that each caller gets its own answer or error
    }
    await Promise.all(retry.map(alone));
  }

  /** Every item of a lane, oldest visibility first (dead letters, redrive). */
  private async lane(lane: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: LANE_INDEX,
          KeyConditionExpression: 'lane = :lane',
          ExpressionAttributeValues: { ':lane': lane },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }

  /** Receives up to `max` visible messages, hiding each for the visibility timeout. */
  async receive(queue: string, max = 10): Promise<ReceivedMessage[]> {
    return [...(await this.receiveBatch(queue, max)).messages];
  }

  /**
   * One Query for the first `max + 1` messages of the queue's lane by visibility: the visible
   * ones are claimed (a conditional update each, so two receivers never take the same one), the
   * first one not visible yet says when to look again.
   */
  async receiveBatch(queue: string, max = 10): Promise<ReceivedBatch> {
    if (this.options.claims === 'memory') return this.receiveInMemory(queue, max);
    const now = this.now();
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LANE_INDEX,
        KeyConditionExpression: 'lane = :lane',
        ExpressionAttributeValues: { ':lane': queue },
        Limit: max + 1,
      }),
    );
    const items = page.Items ?? [];
    const visible = items.filter((item) => (item.visibleAt as number) <= now);
    const next = items.find((item) => (item.visibleAt as number) > now);
    const taken = visible.slice(0, max);
    const claimed = await Promise.all(taken.map((item) => this.claim(queue, item, now)));
    const messages = claimed.filter((m): m is ReceivedMessage => m !== undefined);
    return {
      messages,
      more: visible.length > max,
      nextVisibleAt: next ? (next.visibleAt as number) : undefined,
    };
  }

  /**
   * Claims in memory: the same Query, asking for as many more items as this instance has in
   * flight on the queue (their table visibility is the one before they were received, so they
   * sort first), a message's visibility being its claim's while it has one.
   */
  private async receiveInMemory(queue: string, max: number): Promise<ReceivedBatch> {
    const now = this.now();
    let inFlight = 0;
    for (const claim of this.claims.values()) if (claim.queue === queue) inFlight++;
    const page = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: LANE_INDEX,
        KeyConditionExpression: 'lane = :lane',
        ExpressionAttributeValues: { ':lane': queue },
        Limit: max + 1 + inFlight,
      }),
    );
    const visibleAt = (item: Record<string, unknown>) =>
      this.claims.get(String(item.pk))?.hiddenUntil ?? (item.visibleAt as number);
    const items = page.Items ?? [];
    const visible = items.filter((item) => visibleAt(item) <= now);
    const later = items.map(visibleAt).filter((at) => at > now);
    const messages: ReceivedMessage[] = [];
    await Promise.all(
      visible.slice(0, max).map(async (item) => {
        const pk = String(item.pk);
        const count = Math.max(item.receiveCount as number, this.claims.get(pk)?.count ?? 0);
        if (count >= this.maxReceives(queue)) {
          await this.deadLetter(queue, pk, count);
          return;
        }
        this.claims.set(pk, {
          queue,
          count: count + 1,
          hiddenUntil: now + this.options.visibilityTimeoutSeconds * 1000,
        });
        messages.push({
          messageId: pk.slice(queue.length + 1),
          receiptHandle: `${pk}|${count + 1}`,
          body: item.body as string,
          receiveCount: count + 1,
          sentAt: item.sentAt as number,
        });
      }),
    );
    return {
      messages,
      more: visible.length > max,
      nextVisibleAt: later.length > 0 ? Math.min(...later) : undefined,
    };
  }

  /** Claims in memory: a message received too often moves to its dead lane, with its count. */
  private async deadLetter(queue: string, pk: string, count: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: 'SET lane = :dead, receiveCount = :count',
          ConditionExpression: 'lane = :lane',
          ExpressionAttributeValues: { ':dead': deadLane(queue), ':count': count, ':lane': queue },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    this.claims.delete(pk);
  }

  /** Claims in memory: the claim a receipt handle names, unless it is stale (received again since). */
  private currentClaim(receiptHandle: string): { pk: string; claim: Claim } | undefined {
    const { pk, count } = parseHandle(receiptHandle);
    const claim = this.claims.get(pk);
    return claim?.count === count ? { pk, claim } : undefined;
  }

  private async claim(
    queue: string,
    item: Record<string, unknown>,
    now: number,
  ): Promise<ReceivedMessage | undefined> {
    const count = item.receiveCount as number;
    const dead = count >= this.maxReceives(queue);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: item.pk },
          UpdateExpression: dead ? 'SET lane = :dead' : 'SET receiveCount = :next, visibleAt = :hidden',
          ConditionExpression: 'receiveCount = :count AND visibleAt = :visibleAt AND lane = :lane',
          ExpressionAttributeValues: {
            ':count': count,
            ':visibleAt': item.visibleAt,
            ':lane': queue,
            ...(dead
              ? { ':dead': deadLane(queue) }
              : { ':next': count + 1, ':hidden': now + this.options.visibilityTimeoutSeconds * 1000 }),
          },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
    if (dead) return undefined;
    return {
      messageId: String(item.pk).slice(queue.length + 1),
      receiptHandle: `${String(item.pk)}|${count + 1}`,
      body: item.body as string,
      receiveCount: count + 1,
      sentAt: item.sentAt as number,
    };
  }

  /** Deletes a handled message (only if nobody received it again since). */
  async delete(receiptHandle: string): Promise<void> {
    if (this.options.claims === 'memory') {
      const current = this.currentClaim(receiptHandle);
      if (!current) return;
      this.claims.delete(current.pk);
      await this.write(current.pk, { DeleteRequest: { Key: { pk: current.pk } } }).catch((error: unknown) => {
        this.claims.set(current.pk, current.claim);
        throw error;
      });
      return;
    }
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

  async retryLater(queue: string, receiptHandle: string, delaySeconds: number) {
    const visibleAt = this.now() + Math.max(0, delaySeconds) * 1000;
    if (this.options.claims === 'memory') {
      const current = this.currentClaim(receiptHandle);
      if (!current) return;
      // The receive count goes to the table with the new visibility; the claim is then done.
      const changed = await this.db
        .send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: { pk: current.pk },
            UpdateExpression: 'SET visibleAt = :at, receiveCount = :count',
            ConditionExpression: 'lane = :lane',
            ExpressionAttributeValues: { ':at': visibleAt, ':count': current.claim.count, ':lane': queue },
          }),
        )
        .then(
          () => true,
          (error: unknown) => {
            if (!isConditionFailure(error)) throw error;
            return false;
          },
        );
      if (this.claims.get(current.pk) === current.claim) this.claims.delete(current.pk);
      if (changed) this.notify(queue, visibleAt);
      return;
    }
    const { pk, count } = parseHandle(receiptHandle);
    const changed = await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk },
          UpdateExpression: 'SET visibleAt = :at',
          ConditionExpression: 'receiveCount = :count',
          ExpressionAttributeValues: { ':at': visibleAt, ':count': count },
        }),
      )
      .then(
        () => true,
        (error: unknown) => {
          if (!isConditionFailure(error)) throw error;
          return false;
        },
      );
    if (changed) this.notify(queue, visibleAt);
  }

  async redrive(queue: string, onProgress?: (moved: number) => void): Promise<number> {
    let moved = 0;
    for (const item of await this.lane(deadLane(queue))) {
      const now = this.now();
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: item.pk },
          UpdateExpression: 'SET lane = :queue, receiveCount = :zero, visibleAt = :now',
          ExpressionAttributeValues: { ':queue': queue, ':zero': 0, ':now': now },
        }),
      );
      moved++;
      this.notify(queue, now);
      onProgress?.(moved);
    }
    return moved;
  }

  async list(queue: string): Promise<QueueMessage[]> {
    return (await this.lane(deadLane(queue)))
      .sort((a, b) => (a.sentAt as number) - (b.sentAt as number))
      .map((item) => JSON.parse(item.body as string) as QueueMessage);
  }
}

/**
 * A queue table from before the `byLane` index (a data directory of an older version) is rebuilt
 * with the index (table-upgrade.ts: through a side table, crash-safe), each message given its lane.
 */
export async function upgradeLocalQueueTable(
  client: DynamoDBClient,
  db: DynamoDBDocumentClient,
  tableName: string,
): Promise<void> {
  const withLane = ({ dead, ...item }: Record<string, unknown>) =>
    item.lane ? item : { ...item, lane: dead ? deadLane(String(item.queue)) : item.queue };
  await addMissingIndexes(client, db, localQueueTable(tableName), { how: 'rebuild', reshape: withLane });
}
