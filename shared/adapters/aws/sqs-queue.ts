import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { DependencyError } from '../../domain/errors.js';
import type { DeadLetterQueue, Queue, QueueMessage, RetryScheduler } from '../../ports.js';

/** SQS allows at most 12 hours of visibility timeout per change. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/** Named queues → SQS queue URLs (from QUEUE_URLS); the DLQ of `x` is named `x-dlq`. */
export class SqsQueue implements Queue, RetryScheduler, DeadLetterQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly urls: Readonly<Record<string, string>>,
  ) {}

  private url(queue: string): string {
    const url = this.urls[queue];
    if (!url) throw new DependencyError(`SQS queue ${queue} (not configured)`);
    return url;
  }

  async send(queue: string, message: QueueMessage, options: { delaySeconds?: number } = {}) {
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.url(queue),
          MessageBody: JSON.stringify(message),
          ...(options.delaySeconds ? { DelaySeconds: Math.min(900, options.delaySeconds) } : {}),
        }),
      );
    } catch (cause) {
      throw new DependencyError(`SQS send to ${queue}`, { cause });
    }
  }

  async retryLater(queue: string, receiptHandle: string, delaySeconds: number) {
    try {
      await this.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.url(queue),
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, Math.round(delaySeconds))),
        }),
      );
    } catch (cause) {
      throw new DependencyError(`SQS change visibility on ${queue}`, { cause });
    }
  }

  private async arn(queue: string): Promise<string> {
    const out = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.url(queue), AttributeNames: ['QueueArn'] }),
    );
    const arn = out.Attributes?.QueueArn;
    if (!arn) throw new DependencyError(`SQS queue ARN of ${queue}`);
    return arn;
  }

  async redrive(queue: string, onProgress?: (moved: number) => void): Promise<number> {
    try {
      const dlq = `${queue}-dlq`;
      const count = await this.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.url(dlq),
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
      );
      const waiting = Number(count.Attributes?.ApproximateNumberOfMessages ?? 0);
      if (waiting === 0) return 0;
      await this.sqs.send(
        new StartMessageMoveTaskCommand({
          SourceArn: await this.arn(dlq),
          DestinationArn: await this.arn(queue),
        }),
      );
      onProgress?.(waiting);
      return waiting;
    } catch (cause) {
      throw new DependencyError(`SQS redrive of ${queue}`, { cause });
    }
  }

  async list(queue: string): Promise<QueueMessage[]> {
    // Peek with a zero visibility timeout: the messages stay where they are.
    const out = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.url(`${queue}-dlq`),
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    return (out.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}') as QueueMessage);
  }
}
