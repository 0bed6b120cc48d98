/**
 * The outbox sweeper: every minute, re-sends queue messages for orders whose fan-out did not reach
 * the queues at intake (the `byOutbox` index lists them), so nothing is lost if SQS hiccups.
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MinimisFunction } from './minimis-function.js';
import { grantSendToQueues, type TableRef } from './storage-grants.js';
import { grantTableAccess, TABLE_ACCESS } from './table-access.js';

export interface OutboxSweeperProps {
  readonly table: TableRef;
  /** IAM path of the sweeper's role, e.g. `/minimis/prod/`. */
  readonly rolePath: string;
  /** Key encrypting the queues at rest. */
  readonly queueKey: kms.IKey;
  /** Queues the sweeper sends to (every partner queue and the notify queue). */
  readonly queues: readonly sqs.IQueue[];
  /** Receives schedule events that could not be delivered or processed. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * How often to sweep.
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
}

export class OutboxSweeper extends Construct {
  public readonly sweeper: MinimisFunction;
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: OutboxSweeperProps) {
    super(scope, id);
    if (props.queues.length === 0) throw new Error('OutboxSweeper: at least one queue is required');
    const interval = props.interval ?? Duration.minutes(1);
    if (interval.toSeconds() < 60) throw new Error('OutboxSweeper: interval must be at least one minute');
    this.sweeper = new MinimisFunction(this, 'Sweeper', {
      handler: 'sweep-outbox',
      serviceName: 'minimis-sweep-outbox',
      description: 'minimis: re-sends outbox entries that did not reach their queue',
      rolePath: props.rolePath,
      timeout: Duration.seconds(50),
      deadLetterQueue: props.deadLetterQueue,
    });
    grantTableAccess(this.sweeper.role, props.table, TABLE_ACCESS['sweep-outbox']);
    grantSendToQueues(this.sweeper.role, [...props.queues, props.deadLetterQueue], props.queueKey);
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'minimis: sweep the outbox',
      schedule: events.Schedule.rate(interval),
      targets: [
        new targets.LambdaFunction(this.sweeper.function, {
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });
  }
}
