import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { DependencyError } from '../../domain/errors.js';
import type { DeadLetterQueue, QueueMessage } from '../../ports.js';
import { SqsQueue } from './sqs-queue.js';

/** The queues with their dead-letter side (the ops CLI): the DLQ of `x` is named `x-dlq`. */
export class SqsDeadLetterQueue extends SqsQueue implements DeadLetterQueue {
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
