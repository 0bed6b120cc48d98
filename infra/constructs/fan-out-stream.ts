/**
 * "After the write, fan out": the order table's stream (KEYS_ONLY) feeds a function through an
 * event source mapping filtered to INSERTs of `ORDER#` items. The function reads the order and
 * enqueues its deliveries and confirmation email, then clears the outbox flag. Failed records are
 * reported one by one (ReportBatchItemFailures), a failing batch is bisected, retries are bounded
 * and so is a record's age; what still fails goes to an encrypted on-failure queue with an alarm.
 * The outbox sweeper (outbox-sweeper.ts) stays the backstop for anything this missed.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MinimisFunction } from './minimis-function.js';
import { grantSendToQueues, type TableRef } from './storage-grants.js';
import { grantTableAccess, ITEM, TABLE_ACCESS } from './table-access.js';
import { DeadLetterQueue } from './work-queue.js';

export interface FanOutStreamProps {
  /** The order table, with its stream (`tableStreamArn`). */
  readonly streamTable: dynamodb.ITable;
  /** The order table as the grants need it. */
  readonly table: TableRef;
  /** IAM path of the function's role, e.g. `/minimis/prod/`. */
  readonly rolePath: string;
  /** Name prefix, e.g. `minimis-prod` (the on-failure queue is `<prefix>-fan-out-failures`). */
  readonly namePrefix: string;
  /** Key encrypting the queues (and the on-failure queue) at rest. */
  readonly queueKey: kms.IKey;
  /** The queues an order fans out to (every partner queue and the notify queue). */
  readonly queues: readonly sqs.IQueue[];
  /** Topic the on-failure queue's alarm notifies. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Stream records per invocation.
   * @default 100
   */
  readonly batchSize?: number;
  /**
   * Concurrent batches per stream shard (1–10); order within an order id is kept.
   * @default 4
   */
  readonly parallelizationFactor?: number;
  /**
   * Retries of a failing record (after bisecting) before it goes to the on-failure queue.
   * @default 5
   */
  readonly retryAttempts?: number;
  /**
   * Oldest record still processed; older ones go to the on-failure queue (the sweeper re-sends them).
   * @default Duration.hours(1)
   */
  readonly maxRecordAge?: Duration;
}

export class FanOutStream extends Construct {
  public readonly fanOut: MinimisFunction;
  public readonly mapping: lambda.EventSourceMapping;
  public readonly failures: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: FanOutStreamProps) {
    super(scope, id);
    const streamArn = props.streamTable.tableStreamArn;
    if (!streamArn) throw new Error('FanOutStream: the table has no stream');
    if (props.queues.length === 0) throw new Error('FanOutStream: at least one queue is required');
    const batchSize = props.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
      throw new Error('FanOutStream: batchSize must be an integer between 1 and 10000');
    const parallelizationFactor = props.parallelizationFactor ?? 4;
    if (!Number.isInteger(parallelizationFactor) || parallelizationFactor < 1 || parallelizationFactor > 10)
      throw new Error('FanOutStream: parallelizationFactor must be an integer between 1 and 10');
    const retryAttempts = props.retryAttempts ?? 5;
    if (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 10_000)
      throw new Error('FanOutStream: retryAttempts must be an integer between 0 and 10000');
    const maxRecordAge = props.maxRecordAge ?? Duration.hours(1);
    if (maxRecordAge.toSeconds() < 60 || maxRecordAge.toSeconds() > 604_800)
      throw new Error('FanOutStream: maxRecordAge must be between one minute and seven days');

    this.failures = new DeadLetterQueue(this, 'Failures', {
      queueName: `${props.namePrefix}-fan-out-failures`,
      encryptionKey: props.queueKey,
      alarmTopic: props.alarmTopic,
      description: 'order fan-outs from the table stream (the outbox sweeper re-sends them)',
    });
    this.fanOut = new MinimisFunction(this, 'Function', {
      handler: 'fan-out',
      serviceName: 'minimis-fan-out',
      description: 'minimis: after an order is written, enqueues its deliveries and email',
      rolePath: props.rolePath,
      timeout: Duration.seconds(30),
      noDeadLetterQueueReason:
        'Invoked by a stream event source mapping, whose on-failure destination takes what fails.',
    });
    grantTableAccess(this.fanOut.role, props.table, TABLE_ACCESS['fan-out']);
    grantSendToQueues(this.fanOut.role, props.queues, props.queueKey);

    // The mapping is declared directly (not a DynamoEventSource) so that its grants are exactly
    // these: the stream reads on this table's stream, and the on-failure queue through SQS only
    // (the CDK helpers would add unconditioned storage-key rights).
    this.fanOut.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    this.fanOut.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }),
    );
    grantSendToQueues(this.fanOut.role, [this.failures.queue], props.queueKey);
    const failures = this.failures.queue;
    this.mapping = new lambda.EventSourceMapping(this, 'Mapping', {
      target: this.fanOut.function,
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize,
      parallelizationFactor,
      bisectBatchOnError: true,
      retryAttempts,
      maxRecordAge,
      reportBatchItemFailures: true,
      onFailure: { bind: () => ({ destination: failures.queueArn }) },
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { Keys: { pk: { S: lambda.FilterRule.beginsWith(ITEM.order.slice(0, -1)) } } },
        }),
      ],
    });
    Validations.of(this.fanOut.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray (PutTraceSegments, PutTelemetryRecords) and dynamodb:ListStreams, which the stream mapping needs, support only Resource "*"; every other stream action is on this table stream alone.',
    });
  }
}
