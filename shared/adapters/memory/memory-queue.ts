import type { DeadLetterQueue, Queue, QueueMessage, RetryScheduler } from '../../ports.js';

/** Records what was sent; enough for unit tests and the benchmark. */
export class MemoryQueue implements Queue, RetryScheduler, DeadLetterQueue {
  readonly sent: Array<{ queue: string; message: QueueMessage; delaySeconds?: number }> = [];
  readonly retries: Array<{ queue: string; receiptHandle: string; delaySeconds: number }> = [];
  readonly dead = new Map<string, QueueMessage[]>();

  async send(queue: string, message: QueueMessage, options: { delaySeconds?: number } = {}) {
    this.sent.push({
      queue,
      message,
      ...(options.delaySeconds === undefined ? {} : { delaySeconds: options.delaySeconds }),
    });
  }
  async retryLater(queue: string, receiptHandle: string, delaySeconds: number) {
    this.retries.push({ queue, receiptHandle, delaySeconds });
  }
  async redrive(queue: string, onProgress?: (moved: number) => void) {
    const messages = this.dead.get(queue) ?? [];
    this.dead.delete(queue);
    for (const message of messages) this.sent.push({ queue, message });
    onProgress?.(messages.length);
    return messages.length;
  }
  async list(queue: string) {
    return [...(this.dead.get(queue) ?? [])];
  }
}
