/**
 * Queues between steps: encrypted with the storage key, TLS-only, with a dead-letter queue whose
 * first message raises an alarm. Messages carry order ids only, never personal data.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** SQS's maximum retention: dead letters and retried deliveries wait up to 14 days. */
const FOURTEEN_DAYS = Duration.days(14);

export interface DeadLetterQueueProps {
  /** Queue name. */
  readonly queueName: string;
  /** Key for encryption at rest. */
  readonly encryptionKey: kms.IKey;
  /** Topic the "messages are dead-lettered" alarm notifies. */
  readonly alarmTopic: sns.ITopic;
  /** What the dead letters are, for the alarm description. */
  readonly description: string;
}

/** A dead-letter queue with an alarm on its first visible message. */
export class DeadLetterQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9_-]{1,80}$/.test(props.queueName)) {
      throw new Error(`DeadLetterQueue: invalid queueName "${props.queueName}"`);
    }
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: FOURTEEN_DAYS,
    });
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue; its messages are alarmed on and redriven by operators.',
    });
    Validations.of(this.queue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself a dead-letter queue; a redrive policy on it would only move dead letters again.',
    });
    this.alarm = new cloudwatch.Alarm(this, 'NotEmpty', {
      alarmDescription: `minimis: ${props.description} were dead-lettered in ${props.queueName}`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    this.alarm.addOkAction(new actions.SnsAction(props.alarmTopic));
  }
}

export interface WorkQueueProps {
  /** Queue name; the dead-letter queue is `<queueName>-dlq`. */
  readonly queueName: string;
  /** Key for encryption at rest. */
  readonly encryptionKey: kms.IKey;
  readonly alarmTopic: sns.ITopic;
  /** Receives before a message is dead-lettered. */
  readonly maxReceiveCount: number;
  /** Timeout of the consuming function; the visibility timeout is six times it. */
  readonly consumerTimeout: Duration;
  /** What the messages are, for the alarm description. */
  readonly description: string;
}

/** A work queue with its dead-letter queue and alarm. */
export class WorkQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;
  public readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    if (
      !Number.isInteger(props.maxReceiveCount) ||
      props.maxReceiveCount < 1 ||
      props.maxReceiveCount > 1000
    ) {
      throw new Error('WorkQueue: maxReceiveCount must be an integer between 1 and 1000');
    }
    const visibilityTimeout = Duration.seconds(props.consumerTimeout.toSeconds() * 6);
    if (visibilityTimeout.toSeconds() > 43_200) {
      throw new Error('WorkQueue: consumerTimeout × 6 exceeds the 12-hour SQS visibility limit');
    }
    const dlq = new DeadLetterQueue(this, 'DeadLetters', {
      queueName: `${props.queueName}-dlq`,
      encryptionKey: props.encryptionKey,
      alarmTopic: props.alarmTopic,
      description: props.description,
    });
    this.deadLetterQueue = dlq.queue;
    this.alarm = dlq.alarm;
    this.maxReceiveCount = props.maxReceiveCount;
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: FOURTEEN_DAYS,
      visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
