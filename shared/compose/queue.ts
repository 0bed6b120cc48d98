/** The queue side of a function: SQS in AWS (one module-scope client), the local queue locally. */
import { SQSClient } from '@aws-sdk/client-sqs';
import { SqsQueue } from '../adapters/aws/sqs-queue.js';
import type { Config } from '../config.js';
import type { Queue, RetryScheduler } from '../ports.js';
import { installed } from './installed.js';

let sqs: SqsQueue | undefined;

/** Sends to (and reschedules on) the queues in `queueUrls`: the ones this function is given. */
export function queue(config: Pick<Config, 'queueUrls'>): Queue & RetryScheduler {
  const local = installed()?.queue;
  if (local) return local;
  sqs ??= new SqsQueue(new SQSClient({}), config.queueUrls);
  return sqs;
}
