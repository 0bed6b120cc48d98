/**
 * Delivers local-queue messages to an SQS-triggered Lambda handler, in-process, with the same
 * event shape and partial-batch-response semantics as the AWS event source mapping.
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { LocalQueue, ReceivedMessage } from '#shared/adapters/local/local-queue.js';

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

export interface Consumer {
  stop(): Promise<void>;
  /** Polls once now (tests use it to avoid waiting for the timer). */
  poll(): Promise<number>;
}

export function startConsumer(
  queue: LocalQueue,
  name: string,
  load: () => Promise<{ handler: SqsHandler }>,
  onError: (error: unknown) => void,
  intervalMs = 200,
): Consumer {
  let running: Promise<number> | undefined;
  let stopped = false;
  const pollOnce = async (): Promise<number> => {
    const messages = await queue.receive(name, 10);
    if (messages.length === 0) return 0;
    const { handler } = await load();
    const response = await handler(toSqsEvent(name, messages));
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    for (const m of messages) if (!failed.has(m.messageId)) await queue.delete(m.receiptHandle);
    return messages.length;
  };
  const poll = () => {
    running ??= pollOnce()
      .catch((error: unknown) => {
        onError(error);
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void poll();
  }, intervalMs);
  return {
    poll,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
