/**
 * The local queue against dynalite, with a fake clock for visibility and the consumers' timers:
 * what it sends to DynamoDB (counted per command, so "no Scan" and "idle means heartbeats only"
 * are exact), SQS semantics, a second instance standing for another process, and wake-up on send.
 */
import { DescribeTableCommand, type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { currentLane, inApiLane } from '#shared/adapters/local/request-lanes.js';
import { type ConsumerClock, startConsumer } from '../../local/queue-consumer.js';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { type EmbeddedDynamo, ensureTables } from '../../shared/adapters/local/embedded-dynamodb.js';
import {
  LocalQueue,
  localQueueTable,
  upgradeLocalQueueTable,
} from '../../shared/adapters/local/local-queue.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';

const T0 = Date.UTC(2026, 0, 1);
const VISIBILITY_MS = 10_000;

/** Time and timers that move only when the test says so. */
class FakeClock implements ConsumerClock {
  private timers = new Map<number, { at: number; run: () => void }>();
  private nextId = 1;
  constructor(public current = T0) {}
  now = () => this.current;
  setTimeout(run: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.current + ms, run });
    return id;
  }
  clearTimeout(timer: unknown): void {
    this.timers.delete(timer as number);
  }
  /** Moves to `at`, running each timer that falls due on the way, at its own time. */
  async advanceTo(at: number, settle: () => Promise<void>): Promise<void> {
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= at).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.current = due[1].at;
      due[1].run();
      await settle();
    }
    this.current = at;
  }
}

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let table = '';
let tableNo = 0;
let counts: Record<string, number> = {};

beforeAll(async () => {
  ({ dynamo, client } = await startTestDynamo());
  db = documentClient(client);
  db.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String((context as { commandName?: string }).commandName).replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});
beforeEach(async () => {
  table = `queue-${++tableNo}`;
  await ensureTables(client, [localQueueTable(table)]);
  counts = {};
});

function queueAt(clock: FakeClock, maxReceiveCount = 3): LocalQueue {
  return new LocalQueue(
    db,
    table,
    { visibilityTimeoutSeconds: VISIBILITY_MS / 1000, maxReceiveCount: { '*': maxReceiveCount } },
    clock.now,
  );
}

const message = (orderId: string) => ({ type: 'order.accepted', orderId });
const orderIds = (received: ReadonlyArray<{ body: string }>) =>
  received.map((m) => (JSON.parse(m.body) as { orderId: string }).orderId);

describe('local queue', () => {
  it('receives a sent message with one Query and one conditional update, never a Scan', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock);
    await queue.send('notify', message('ord_1'));
    counts = {};
    // Act
    const received = await queue.receive('notify');
    // Assess
    expect(orderIds(received)).toEqual(['ord_1']);
    expect(received.map((m) => m.receiveCount)).toEqual([1]);
    expect(counts).toEqual({ Query: 1, UpdateItem: 1 });
  });

  it('keeps queues apart and a delayed message invisible until its time', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock);
    await queue.send('notify', message('ord_late'), { delaySeconds: 30 });
    await queue.send('partner-carrier', message('ord_other'));
    // Act
    const before = await queue.receive('notify');
    clock.current = T0 + 29_999;
    const justBefore = await queue.receive('notify');
    clock.current = T0 + 30_000;
    const atTime = await queue.receive('notify');
    // Assess
    expect(before).toEqual([]);
    expect(justBefore).toEqual([]);
    expect(orderIds(atTime)).toEqual(['ord_late']);
  });

  it('hides a received message for the visibility timeout, then gives it again; a stale handle deletes nothing', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock);
    await queue.send('notify', message('ord_vis'));
    const [first] = await queue.receive('notify');
    // Act
    clock.current = T0 + VISIBILITY_MS - 1;
    const hidden = await queue.receive('notify');
    clock.current = T0 + VISIBILITY_MS;
    const again = await queue.receive('notify');
    await queue.delete(first?.receiptHandle ?? '');
    clock.current = T0 + 2 * VISIBILITY_MS;
    const afterStaleDelete = await queue.receive('notify');
    // Assess
    expect(hidden).toEqual([]);
    expect(again.map((m) => [m.messageId, m.receiveCount])).toEqual([[first?.messageId, 2]]);
    expect(afterStaleDelete.map((m) => [m.messageId, m.receiveCount])).toEqual([[first?.messageId, 3]]);
  });

  it('retryLater makes a message visible again at the time it asks for', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock);
    await queue.send('partner-carrier', message('ord_retry'));
    const [first] = await queue.receive('partner-carrier');
    // Act
    await queue.retryLater('partner-carrier', first?.receiptHandle ?? '', 5);
    clock.current = T0 + 4_999;
    const early = await queue.receive('partner-carrier');
    clock.current = T0 + 5_000;
    const due = await queue.receive('partner-carrier');
    // Assess
    expect(early).toEqual([]);
    expect(due.map((m) => [m.messageId, m.receiveCount])).toEqual([[first?.messageId, 2]]);
  });

  it('dead-letters a message received maxReceiveCount times, and a second instance redrives it', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock, 2);
    const otherProcess = queueAt(clock, 2);
    await queue.send('partner-carrier', message('ord_dead'));
    const first = await queue.receive('partner-carrier');
    clock.current += VISIBILITY_MS;
    const second = await queue.receive('partner-carrier');
    clock.current += VISIBILITY_MS;
    const third = await queue.receive('partner-carrier');
    const deadLetters = await otherProcess.list('partner-carrier');
    counts = {};
    // Act
    const moved = await otherProcess.redrive('partner-carrier');
    const redriveRequests = { ...counts };
    const afterRedrive = await queue.receive('partner-carrier');
    // Assess
    expect([first, second].map((r) => r.map((m) => m.receiveCount))).toEqual([[1], [2]]);
    expect(third).toEqual([]);
    expect(deadLetters).toEqual([message('ord_dead')]);
    expect(moved).toBe(1);
    expect(redriveRequests).toEqual({ Query: 1, UpdateItem: 1 });
    expect(await queue.list('partner-carrier')).toEqual([]);
    expect(afterRedrive.map((m) => [orderIds([m])[0], m.receiveCount])).toEqual([['ord_dead', 1]]);
  });
});

describe("local queue, claims in memory (the local server, its queues' only consumer)", () => {
  const inMemory = (clock: FakeClock, maxReceiveCount = 3) =>
    new LocalQueue(
      db,
      table,
      {
        visibilityTimeoutSeconds: VISIBILITY_MS / 1000,
        maxReceiveCount: { '*': maxReceiveCount },
        claims: 'memory',
      },
      clock.now,
    );

  it('receives with one Query and no write, and a delete is one DeleteItem', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = inMemory(clock);
    await queue.send('notify', message('ord_mem'));
    counts = {};
    // Act
    const received = await queue.receive('notify');
    const receiveRequests = { ...counts };
    counts = {};
    await queue.delete(received[0]?.receiptHandle ?? '');
    const deleteRequests = { ...counts };
    clock.current = T0 + 2 * VISIBILITY_MS;
    const afterDelete = await queue.receive('notify');
    // Assess
    expect(orderIds(received)).toEqual(['ord_mem']);
    expect(received.map((m) => m.receiveCount)).toEqual([1]);
    expect(receiveRequests).toEqual({ Query: 1 });
    expect(deleteRequests).toEqual({ DeleteItem: 1 });
    expect(afterDelete).toEqual([]);
  });

  it('sends and deletes made in one tick share one BatchWriteItem', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = inMemory(clock);
    // Act
    await Promise.all([
      queue.send('partner-warehouse', message('ord_w')),
      queue.send('partner-carrier', message('ord_c')),
      queue.send('notify', message('ord_n1')),
      queue.send('notify', message('ord_n2')),
    ]);
    const sendRequests = { ...counts };
    const received = await queue.receive('notify');
    counts = {};
    await Promise.all(received.map((m) => queue.delete(m.receiptHandle)));
    const deleteRequests = { ...counts };
    clock.current = T0 + 2 * VISIBILITY_MS;
    const afterDelete = await queue.receive('notify');
    const others = [
      ...(await queue.receive('partner-warehouse')),
      ...(await queue.receive('partner-carrier')),
    ];
    // Assess
    expect(sendRequests).toEqual({ BatchWriteItem: 1 });
    expect(orderIds(received).sort()).toEqual(['ord_n1', 'ord_n2']);
    expect(deleteRequests).toEqual({ BatchWriteItem: 1 });
    expect(afterDelete).toEqual([]);
    expect(orderIds(others)).toEqual(['ord_w', 'ord_c']);
  });

  it('hides a received message for the visibility timeout, then gives it again; a stale handle deletes nothing', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = inMemory(clock);
    await queue.send('notify', message('ord_vis'));
    const [first] = await queue.receive('notify');
    // Act
    clock.current = T0 + VISIBILITY_MS - 1;
    const hidden = await queue.receiveBatch('notify', 10);
    clock.current = T0 + VISIBILITY_MS;
    const again = await queue.receive('notify');
    counts = {};
    await queue.delete(first?.receiptHandle ?? '');
    const staleDeleteRequests = { ...counts };
    clock.current = T0 + 2 * VISIBILITY_MS;
    const afterStaleDelete = await queue.receive('notify');
    // Assess
    expect(hidden).toEqual({ messages: [], more: false, nextVisibleAt: T0 + VISIBILITY_MS });
    expect(again.map((m) => [m.messageId, m.receiveCount])).toEqual([[first?.messageId, 2]]);
    expect(staleDeleteRequests).toEqual({});
    expect(afterStaleDelete.map((m) => [m.messageId, m.receiveCount])).toEqual([[first?.messageId, 3]]);
  });

  it('does not let messages in flight hide the visible ones behind them', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = inMemory(clock);
    await queue.send('notify', message('ord_a'));
    clock.current = T0 + 1;
    await queue.send('notify', message('ord_b'));
    clock.current = T0 + 2;
    await queue.send('notify', message('ord_c'));
    // Act
    const first = await queue.receiveBatch('notify', 1);
    const second = await queue.receiveBatch('notify', 1);
    const third = await queue.receiveBatch('notify', 1);
    const fourth = await queue.receiveBatch('notify', 1);
    // Assess
    expect([first, second, third, fourth].map((b) => [orderIds(b.messages), b.more])).toEqual([
      [['ord_a'], true],
      [['ord_b'], true],
      [['ord_c'], false],
      [[], false],
    ]);
  });

  it('after a restart gives every message not deleted again, a retried one with its count at its time', async () => {
    // Prepare
    const clock = new FakeClock();
    const before = inMemory(clock);
    await before.send('partner-carrier', message('ord_in_flight'));
    await before.send('notify', message('ord_retried'));
    await before.receive('partner-carrier');
    const [retried] = await before.receive('notify');
    await before.retryLater('notify', retried?.receiptHandle ?? '', 5);
    // Act: a new instance over the same table (the server started again)
    const after = inMemory(clock);
    const inFlight = await after.receive('partner-carrier');
    const early = await after.receive('notify');
    clock.current = T0 + 5_000;
    const due = await after.receive('notify');
    // Assess
    expect(inFlight.map((m) => [orderIds([m])[0], m.receiveCount])).toEqual([['ord_in_flight', 1]]);
    expect(early).toEqual([]);
    expect(due.map((m) => [orderIds([m])[0], m.receiveCount])).toEqual([['ord_retried', 2]]);
  });

  it('dead-letters a message received maxReceiveCount times, and a second instance lists and redrives it', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = inMemory(clock, 2);
    const otherProcess = queueAt(clock, 2);
    await queue.send('partner-carrier', message('ord_dead'));
    const first = await queue.receive('partner-carrier');
    clock.current += VISIBILITY_MS;
    const second = await queue.receive('partner-carrier');
    clock.current += VISIBILITY_MS;
    const third = await queue.receive('partner-carrier');
    // Act
    const deadLetters = await otherProcess.list('partner-carrier');
    const moved = await otherProcess.redrive('partner-carrier');
    const afterRedrive = await queue.receive('partner-carrier');
    // Assess
    expect([first, second].map((r) => r.map((m) => m.receiveCount))).toEqual([[1], [2]]);
    expect(third).toEqual([]);
    expect(deadLetters).toEqual([message('ord_dead')]);
    expect(moved).toBe(1);
    expect(afterRedrive.map((m) => [orderIds([m])[0], m.receiveCount])).toEqual([['ord_dead', 1]]);
  });
});

describe('local queue consumer', () => {
  function consumerOn(queue: LocalQueue, clock: FakeClock) {
    const handled: string[] = [];
    const errors: unknown[] = [];
    const handler = async (event: SQSEvent) => {
      handled.push(...orderIds(event.Records));
      return { batchItemFailures: [] };
    };
    const consumer = startConsumer(
      queue,
      'notify',
      async () => ({ handler }),
      (e) => errors.push(e),
      {
        clock,
        heartbeatMs: 5_000,
      },
    );
    return { consumer, handled, errors, advanceTo: (at: number) => clock.advanceTo(at, consumer.idle) };
  }

  it('is woken by a send in this process: the message is handled at once, with no timer', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock);
    const { consumer, handled, errors } = consumerOn(queue, clock);
    await consumer.idle();
    counts = {};
    // Act
    await queue.send('notify', message('ord_wake'));
    await consumer.idle();
    // Assess
    expect(clock.now()).toBe(T0);
    expect(handled).toEqual(['ord_wake']);
    expect(counts).toEqual({ PutItem: 1, Query: 1, UpdateItem: 1, DeleteItem: 1 });
    expect(errors).toEqual([]);
    await consumer.stop();
  });

  it('handles a message sent while an API request is served in the background lane, not the API’s', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock);
    const lanes: string[] = [];
    const consumer = startConsumer(
      queue,
      'notify',
      async () => ({
        handler: async () => {
          lanes.push(currentLane());
          return { batchItemFailures: [] };
        },
      }),
      () => undefined,
      { clock, heartbeatMs: 5_000 },
    );
    await consumer.idle();
    // Act
    await inApiLane(async () => {
      lanes.push(currentLane());
      await queue.send('notify', message('ord_lane'));
    });
    await consumer.idle();
    // Assess
    expect(lanes).toEqual(['api', 'background']);
    await consumer.stop();
  });

  it('makes one Query per heartbeat while idle, and nothing else', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock);
    const { consumer, handled, advanceTo } = consumerOn(queue, clock);
    await consumer.idle();
    counts = {};
    // Act: one minute, a second at a time
    for (let s = 1; s <= 60; s++) await advanceTo(T0 + s * 1000);
    // Assess
    expect(counts).toEqual({ Query: 12 });
    expect(handled).toEqual([]);
    await consumer.stop();
  });

  it('picks up another process’s send at the next heartbeat', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock);
    const otherProcess = queueAt(clock);
    const { consumer, handled, advanceTo } = consumerOn(queue, clock);
    await consumer.idle();
    // Act
    await otherProcess.send('notify', message('ord_cli'));
    await advanceTo(T0 + 4_999);
    const beforeHeartbeat = [...handled];
    await advanceTo(T0 + 5_000);
    // Assess
    expect(beforeHeartbeat).toEqual([]);
    expect(handled).toEqual(['ord_cli']);
    await consumer.stop();
  });

  it('wakes at a delayed message’s visible time, not before', async () => {
    // Prepare
    const clock = new FakeClock();
    const queue = queueAt(clock);
    const { consumer, handled, advanceTo } = consumerOn(queue, clock);
    await consumer.idle();
    await queue.send('notify', message('ord_delayed'), { delaySeconds: 2 });
    await consumer.idle();
    counts = {};
    // Act
    await advanceTo(T0 + 1_999);
    const early = [...handled];
    const earlyRequests = { ...counts };
    await advanceTo(T0 + 2_000);
    // Assess
    expect(early).toEqual([]);
    expect(earlyRequests).toEqual({});
    expect(handled).toEqual(['ord_delayed']);
    expect(counts).toEqual({ Query: 1, UpdateItem: 1, DeleteItem: 1 });
    await consumer.stop();
  });
});

describe('local queue table upgrade', () => {
  it('gives a queue table from before the index its index and keeps every message, live and dead', async () => {
    // Prepare: the old layout (key only, a `dead` flag), one live and one dead-lettered message
    const old = `old-${tableNo}`;
    await ensureTables(client, [
      {
        TableName: old,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      },
    ]);
    const item = (id: string, dead: 0 | 1) => ({
      pk: `notify#${id}`,
      queue: 'notify',
      body: JSON.stringify(message(`ord_${id}`)),
      sentAt: T0,
      visibleAt: T0,
      receiveCount: dead ? 3 : 0,
      dead,
    });
    await db.send(new PutCommand({ TableName: old, Item: item('live', 0) }));
    await db.send(new PutCommand({ TableName: old, Item: item('dead', 1) }));
    const clock = new FakeClock(T0 + 1);
    // Act
    await upgradeLocalQueueTable(client, db, old);
    await upgradeLocalQueueTable(client, db, old); // a second start changes nothing
    // Assess
    const queue = new LocalQueue(
      db,
      old,
      { visibilityTimeoutSeconds: 10, maxReceiveCount: { '*': 3 } },
      clock.now,
    );
    const { Table } = await client.send(new DescribeTableCommand({ TableName: old }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['byLane']);
    expect(orderIds(await queue.receive('notify'))).toEqual(['ord_live']);
    expect(await queue.list('notify')).toEqual([message('ord_dead')]);
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(TableNames?.filter((name) => name.startsWith(old))).toEqual([old]);
  });
});
