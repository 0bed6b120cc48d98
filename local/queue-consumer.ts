/**
 * Delivers local-queue messages to an SQS-triggered Lambda handler, in-process, with the same
 * event shape and partial-batch-response semantics as the AWS event source mapping.
 *
 * A consumer does not poll on a short timer. It receives when it is told a message became
 * visible (the queue's `onVisible`: a send, a retry or a redrive in this process), keeps
 * receiving while batches come back full or more was sent meanwhile, then sleeps until the next
 * message it knows of becomes visible (the receive's `nextVisibleAt`: delayed, retrying or in
 * flight) or the heartbeat, whichever is first. The heartbeat (5 s) is the only request an idle
 * consumer makes; it picks up what another process (the CLI) put on the queue.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { ReceivedBatch, ReceivedMessage } from '#shared/adapters/local/local-queue.js';
import { inBackgroundLane } from '#shared/adapters/local/request-lanes.js';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export function toSqsEvent(queue: string, messages: readonly ReceivedMessage[]): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: m.receiptHandle,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'local',
        ApproximateFirstReceiveTimestamp: String(m.sentAt),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:local:000000000000:${queue}`,
      awsRegion: 'local',
    })),
  };
}

/** What a consumer needs of the local queue. */
export interface ConsumableQueue {
  receiveBatch(queue: string, max: number): Promise<ReceivedBatch>;
  delete(receiptHandle: string): Promise<void>;
  onVisible(queue: string, listener: (visibleAt: number) => void): () => void;
}

/** Time and timers, so tests can drive a consumer with a fake clock. */
export interface ConsumerClock {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(timer: unknown): void;
}

export const systemConsumerClock: ConsumerClock = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (timer) => clearTimeout(timer as NodeJS.Timeout),
};

export interface ConsumerOptions {
  /** Longest sleep of an idle consumer (it then receives once). @default 5000 */
  readonly heartbeatMs?: number;
  /** Messages per receive and handler call (SQS allows 10). @default 10 */
  readonly batchSize?: number;
  readonly clock?: ConsumerClock;
}

export const HEARTBEAT_MS = 5_000;
const SETTLE_MS = 250;

export interface Consumer {
  stop(): Promise<void>;
  /** Receives once now, after any receive in progress; the number handled (tests use it). */
  poll(): Promise<number>;
  /** Resolves once no receive is in progress or queued (tests use it with a fake clock). */
  idle(): Promise<void>;
}

export function startConsumer(
  queue: ConsumableQueue,
  name: string,
  load: () => Promise<{ handler: SqsHandler }>,
  onError: (error: unknown) => void,
  options: ConsumerOptions = {},
): Consumer {
  const clock = options.clock ?? systemConsumerClock;
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const batchSize = options.batchSize ?? 10;
  let stopped = false;
  let busy: Promise<unknown> = Promise.resolve();
  let draining = false;
  /** A message became visible while a drain was running: receive again before sleeping. */
  let again = false;
  /** A drain was started because a message became visible (not by the timer). */
  let notified = false;
  let timer: unknown;
  let timerAt = Number.POSITIVE_INFINITY;

  const receiveOnce = async (): Promise<ReceivedBatch> => {
    const batch = await queue.receiveBatch(name, batchSize);
    if (batch.messages.length === 0) return batch;
    const { handler } = await load();
    const response = await handler(toSqsEvent(name, batch.messages));
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    await Promise.all(
      batch.messages.filter((m) => !failed.has(m.messageId)).map((m) => queue.delete(m.receiptHandle)),
    );
    return batch;
  };

  /** Runs `task` after whatever receive is in progress: one receive at a time per consumer. */
  const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
    const run = busy.then(task);
    busy = run.catch(() => undefined);
    return run;
  };

  const sleepUntil = (at: number) => {
    if (stopped || at >= timerAt) return;
    if (timer !== undefined) clock.clearTimeout(timer);
    timerAt = at;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        timerAt = Number.POSITIVE_INFINITY;
        drain();
      },
      Math.max(0, at - clock.now()),
    );
  };

  const drain = () => {
    if (stopped) return;
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    // Consumers are background work even when an API request's send woke them (request-lanes.ts).
    void inBackgroundLane(() =>
      exclusive(async () => {
        let next: number | undefined;
        let received = 0;
        const woken = notified;
        notified = false;
        try {
          for (;;) {
            again = false;
            const batch = await receiveOnce();
            received += batch.messages.length;
            next = batch.nextVisibleAt;
            if (stopped || !(batch.more || again)) break;
          }
        } catch (error) {
          onError(error);
          next = undefined; // try again at the heartbeat
        } finally {
          draining = false;
        }
        const now = clock.now();
        // Told of a message but found none: an index of a real DynamoDB may lag its table by a
        // moment (dynalite's never does), so look once more shortly instead of at the heartbeat.
        const settle = woken && received === 0 ? now + SETTLE_MS : Number.POSITIVE_INFINITY;
        sleepUntil(Math.min(next ?? Number.POSITIVE_INFINITY, settle, now + heartbeatMs));
      }),
    );
  };

  const unsubscribe = queue.onVisible(name, (visibleAt) => {
    if (visibleAt <= clock.now()) {
      if (!draining) notified = true;
      drain();
    } else sleepUntil(visibleAt);
  });
  drain();

  return {
    poll: () =>
      inBackgroundLane(() =>
        exclusive(async () => {
          const batch = await receiveOnce().catch((error: unknown) => {
            onError(error);
            return undefined;
          });
          if (batch?.nextVisibleAt !== undefined) sleepUntil(batch.nextVisibleAt);
          return batch?.messages.length ?? 0;
        }),
      ),
    async idle() {
      let last: Promise<unknown>;
      do {
        last = busy;
        await last;
      } while (last !== busy);
    },
    async stop() {
      stopped = true;
      unsubscribe();
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      await busy;
    },
  };
}
