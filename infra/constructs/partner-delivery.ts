/**
 * One fulfilment partner's delivery channel: its queue (+ dead-letter queue and alarm), its
 * webhook signing secret and its delivery function, which may decrypt only the purposes that the
 * partner's configured fields need (none for a partner that receives nothing personal).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as eventsources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { PartnerConfig } from '#shared/config.js';
import { PARTNER_ID_PATTERN, partnerQueue } from '#shared/contracts.js';
import { PERSONAL_DATA_GONE_LOG } from '#shared/usecases/deliver-to-partner.js';
import { PARTNER_DISABLED_LOG } from '#shared/usecases/partner-gone.js';
import { MinimisFunction } from './minimis-function.js';
import { grantForPartner, grantPurposes, type PurposeGrant } from './purpose-grants.js';
import { grantConsumeQueues, grantReadSecrets, type TableRef } from './storage-grants.js';
import { grantTableAccess, partnerTableAccess } from './table-access.js';
import { WorkQueue } from './work-queue.js';

/** Receives before a partner message is dead-lettered; with backoff this spans more than 24 hours. */
export const PARTNER_MAX_RECEIVE_COUNT = 16;
/** CloudWatch namespace of minimis' own metrics. */
export const METRIC_NAMESPACE = 'minimis';
/** A partner must answer within 15 s (partners.md). */
export const PARTNER_RESPONSE_TIMEOUT = Duration.seconds(15);

export interface PartnerDeliveryProps {
  /** The partner, as validated by `partnersSchema` (fields defaulted). */
  readonly partner: PartnerConfig;
  /** Prefix of queue and secret names, e.g. `minimis-prod`. */
  readonly namePrefix: string;
  /** IAM path of the delivery function's role, e.g. `/minimis/prod/`. */
  readonly rolePath: string;
  /** Key for encryption at rest of the queues and the secret. */
  readonly storageKey: kms.IKey;
  /** Key wrapping the per-purpose data keys. */
  readonly purposeKey: kms.IKey;
  readonly table: TableRef;
  readonly alarmTopic: sns.ITopic;
  /**
   * Receives before dead-lettering (the function's DELIVERY_MAX_ATTEMPTS).
   * @default PARTNER_MAX_RECEIVE_COUNT (16)
   */
  readonly maxReceiveCount?: number;
  /**
   * Function timeout. Must cover a whole batch of webhooks to an unresponsive partner.
   * @default batchSize × 15 s + 30 s (180 s for the default batch of 10)
   */
  readonly timeout?: Duration;
  /**
   * Messages per invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Concurrent invocations the queue may drive, protecting the partner's endpoint.
   * @default 5
   */
  readonly maxConcurrency?: number;
}

export class PartnerDelivery extends Construct {
  public readonly partner: PartnerConfig;
  /** Queue name key in QUEUE_URLS: `partner-<id>`. */
  public readonly queueKey: string;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;
  /** Fires when the partner answers 410 Gone and is disabled (its messages are held). */
  public readonly goneAlarm: cloudwatch.Alarm;
  /** An accepted order this partner cannot be sent: its personal data is gone (erased, expired, raced). */
  public readonly dataGoneAlarm: cloudwatch.Alarm;
  public readonly secret: secretsmanager.Secret;
  public readonly delivery: MinimisFunction;
  public readonly maxReceiveCount: number;
  /** The purposes the delivery function may decrypt. */
  public readonly purposeGrant: PurposeGrant;

  constructor(scope: Construct, id: string, props: PartnerDeliveryProps) {
    super(scope, id);
    const { partner } = props;
    if (!PARTNER_ID_PATTERN.test(partner.id))
      throw new Error(`PartnerDelivery: invalid partner id "${partner.id}"`);
    if (!Array.isArray(partner.fields)) throw new Error('PartnerDelivery: partner.fields must be resolved');
    const batchSize = props.batchSize ?? 10;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
      throw new Error('PartnerDelivery: batchSize must be between 1 and 10');
    }
    const maxConcurrency = props.maxConcurrency ?? 5;
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      throw new Error('PartnerDelivery: maxConcurrency must be between 2 and 1000');
    }
    const timeout = props.timeout ?? Duration.seconds(batchSize * PARTNER_RESPONSE_TIMEOUT.toSeconds() + 30);
    if (timeout.toSeconds() < PARTNER_RESPONSE_TIMEOUT.toSeconds() + 5) {
      throw new Error('PartnerDelivery: timeout must leave room for at least one 15-second webhook call');
    }
    this.partner = partner;
    this.queueKey = partnerQueue(partner.id);
    this.maxReceiveCount = props.maxReceiveCount ?? PARTNER_MAX_RECEIVE_COUNT;

    const work = new WorkQueue(this, 'Queue', {
      queueName: `${props.namePrefix}-${this.queueKey}`,
      encryptionKey: props.storageKey,
      alarmTopic: props.alarmTopic,
      maxReceiveCount: this.maxReceiveCount,
      consumerTimeout: timeout,
      description: `deliveries to partner ${partner.id}`,
    });
    this.queue = work.queue;
    this.deadLetterQueue = work.deadLetterQueue;
    this.alarm = work.alarm;

    this.secret = new secretsmanager.Secret(this, 'SigningSecret', {
      secretName: `${props.namePrefix}/partners/${partner.id}/webhook-secret`,
      description: `minimis: Standard Webhooks signing secret(s) shared with partner ${partner.id}: the bare secret (base64; whsec_ prefix optional) or the JSON keyring written by \`minimis partner rotate-secret\``,
      encryptionKey: props.storageKey,
      // 48 base64 characters = a 36-byte key; replace with the value agreed with the partner.
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A webhook signing secret is shared with the partner; operators rotate it with `minimis partner rotate-secret` (two secrets active during a grace period, so the partner switches when ready), not with a rotation Lambda that could not hand the new secret to the partner.',
    });

    this.delivery = new MinimisFunction(this, 'Delivery', {
      handler: 'deliver-to-partner',
      serviceName: `minimis-deliver-${partner.id}`,
      description: `minimis: signs and sends webhooks to partner ${partner.id}`,
      rolePath: props.rolePath,
      timeout,
      environment: {
        PARTNER_ID: partner.id,
        DELIVERY_TIMEOUT_MS: String(PARTNER_RESPONSE_TIMEOUT.toMilliseconds()),
      },
      noDeadLetterQueueReason: `Invoked by the ${this.queueKey} queue, whose redrive policy dead-letters failed messages.`,
    });
    // The event source gets the queue without its key, so that CDK adds no KMS grant of its own:
    // grantConsumeQueues grants the storage key only through SQS (kms:ViaService).
    const source = sqs.Queue.fromQueueAttributes(this, 'Source', {
      queueArn: this.queue.queueArn,
      queueUrl: this.queue.queueUrl,
    });
    grantConsumeQueues(this.delivery.role, [this.queue], props.storageKey);
    this.delivery.function.addEventSource(
      new eventsources.SqsEventSource(source, {
        batchSize,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency,
      }),
    );
    Validations.of(this.delivery).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event sources do not support on-failure destinations; the queue redrive policy dead-letters instead.',
    });
    grantTableAccess(this.delivery.role, props.table, partnerTableAccess(partner));
    grantReadSecrets(this.delivery.role, [this.secret], props.storageKey);
    this.purposeGrant = grantForPartner(partner);
    grantPurposes(this.delivery.role, props.purposeKey, this.purposeGrant);

    // 410 Gone: the delivery function logs PARTNER_DISABLED_LOG once when it disables the partner.
    const gone = new logs.MetricFilter(this, 'GoneFilter', {
      logGroup: this.delivery.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', PARTNER_DISABLED_LOG),
      metricNamespace: METRIC_NAMESPACE,
      metricName: `PartnerDisabled-${partner.id}`,
      metricValue: '1',
      defaultValue: 0,
    });
    this.goneAlarm = new cloudwatch.Alarm(this, 'GoneAlarm', {
      alarmDescription: `minimis: partner ${partner.id} answered 410 Gone and is disabled; its messages are held until \`minimis partner enable --partner ${partner.id}\``,
      metric: gone.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.goneAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));

    // An accepted order whose personal data was gone before it could be sent (an intake that raced
    // an erasure, retention passed before delivery): the customer paid and gets nothing.
    const dataGone = new logs.MetricFilter(this, 'DataGoneFilter', {
      logGroup: this.delivery.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', PERSONAL_DATA_GONE_LOG),
      metricNamespace: METRIC_NAMESPACE,
      metricName: `PersonalDataGone-${partner.id}`,
      metricValue: '1',
      defaultValue: 0,
    });
    this.dataGoneAlarm = new cloudwatch.Alarm(this, 'DataGoneAlarm', {
      alarmDescription: `minimis: an accepted order could not be sent to partner ${partner.id}: its personal data was gone (erased, expired or its intake raced an erasure); check the order with \`minimis audit\``,
      metric: dataGone.metric({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.dataGoneAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
