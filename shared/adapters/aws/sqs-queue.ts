import { ChangeMessageVisibilityCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyError } from '../../domain/errors.js';
import type { Queue, QueueMessage, RetryScheduler } from '../../ports.js';

/** SQS allows at most 12 hours of visibility timeout per change. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Named queues → SQS queue URLs (from QUEUE_URLS): what a function sends and reschedules with. The
 * dead-letter side (the ops CLI's) is `SqsDeadLetterQueue`, in a module of its own, so that a
 * function's bundle carries only the SQS commands it sends.
 */
export class SqsQueue implements Queue, RetryScheduler {
  constructor(
    protected readonly sqs: SQSClient,
    private readonly urls: Readonly<Record<string, string>>,
  ) {}

  protected url(queue: string): string {
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
}
