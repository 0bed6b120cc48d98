/**
 * Customer email: the notify queue and function (SES v2), the SES identity and configuration set
 * (TLS required, reputation metrics), and the bounce/complaint feedback path — SES → EventBridge →
 * ses-feedback function, which suppresses the address under its keyed hash (`SUPPRESS#<emailKey>`).
 *
 * No feedback is dropped: an event the function fails on three times (Lambda's two async retries),
 * or that EventBridge cannot deliver for 24 h, goes to the `ses-feedback-retry` queue (storage key,
 * TLS-only, FEEDBACK_RETRY_DAYS retention); the same function consumes that queue and records the event again
 * until it succeeds. Only that function's role can read the queue. Alarms: any message waiting,
 * and the oldest one older than an hour (act long before the retention ends).
 *
 * The configuration set overrides the account-level SES suppression list with no reasons at all:
 * that list stores addresses in clear, and `minimis erase` cannot remove them from it. Our own keyed
 * suppression entries, fed by ses-feedback and checked before every send, do that job instead.
 */

import { Arn, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as eventsources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { NOTIFY_QUEUE } from '#shared/contracts.js';
import { FEEDBACK_RETRY_DAYS } from '#shared/inventory.js';
import { MinimisFunction } from './minimis-function.js';
import { grantForComponent, grantPurposes } from './purpose-grants.js';
import { grantConsumeQueues, grantSendToQueues, type TableRef } from './storage-grants.js';
import { grantTableAccess, TABLE_ACCESS } from './table-access.js';
import { WorkQueue } from './work-queue.js';

/** Receives before a notification is dead-lettered. */
export const NOTIFY_MAX_RECEIVE_COUNT = 8;
/** How long a failed SES feedback event may wait in the retry queue (with the address in it). */
export const FEEDBACK_RETRY_RETENTION = Duration.days(FEEDBACK_RETRY_DAYS);
/** Age of the oldest waiting feedback event at which operators are alarmed. */
export const FEEDBACK_RETRY_ALARM_AGE = Duration.hours(1);
/** Timeout of the ses-feedback function. */
const FEEDBACK_TIMEOUT = Duration.seconds(30);

export interface NotificationProps {
  /** Prefix of resource names, e.g. `minimis-prod`. */
  readonly namePrefix: string;
  /** IAM path of the functions' roles, e.g. `/minimis/prod/`. */
  readonly rolePath: string;
  /** The From address. */
  readonly senderEmail: string;
  /**
   * Domain to verify in SES.
   * @default - the domain of `senderEmail`
   */
  readonly identityDomain?: string;
  readonly storageKey: kms.IKey;
  readonly purposeKey: kms.IKey;
  readonly table: TableRef;
  readonly alarmTopic: sns.ITopic;
  /**
   * Timeout of the notify function.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
}

export class Notification extends Construct {
  /** Queue name key in QUEUE_URLS. */
  public readonly queueKey = NOTIFY_QUEUE;
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;
  public readonly alarm: cloudwatch.Alarm;
  public readonly identity: ses.EmailIdentity;
  public readonly configurationSet: ses.ConfigurationSet;
  public readonly notify: MinimisFunction;
  public readonly feedback: MinimisFunction;
  public readonly feedbackRule: events.Rule;
  public readonly feedbackErrorsAlarm: cloudwatch.Alarm;
  /** Failed SES feedback events, drained by the feedback function itself. */
  public readonly feedbackRetryQueue: sqs.Queue;
  /** Any feedback event waiting for a retry. */
  public readonly feedbackRetryWaitingAlarm: cloudwatch.Alarm;
  /** The oldest waiting feedback event is older than FEEDBACK_RETRY_ALARM_AGE. */
  public readonly feedbackRetryAgeAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: NotificationProps) {
    super(scope, id);
    const at = props.senderEmail.lastIndexOf('@');
    if (at < 1) throw new Error(`Notification: senderEmail is not an address`);
    const domain = props.identityDomain ?? props.senderEmail.slice(at + 1).toLowerCase();
    if (
      !props.senderEmail.toLowerCase().endsWith(`@${domain}`) &&
      !props.senderEmail.toLowerCase().endsWith(`.${domain}`)
    ) {
      throw new Error(`Notification: senderEmail is not in the identity domain ${domain}`);
    }
    const timeout = props.timeout ?? Duration.seconds(30);

    const work = new WorkQueue(this, 'Queue', {
      queueName: `${props.namePrefix}-notify`,
      encryptionKey: props.storageKey,
      alarmTopic: props.alarmTopic,
      maxReceiveCount: NOTIFY_MAX_RECEIVE_COUNT,
      consumerTimeout: timeout,
      description: 'customer notifications',
    });
    this.queue = work.queue;
    this.deadLetterQueue = work.deadLetterQueue;
    this.alarm = work.alarm;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `${props.namePrefix}-email`,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      // SuppressedReasons: [] — no address goes into SES's own (clear-text) suppression list.
      disableSuppressionList: true,
    });
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(domain),
      configurationSet: this.configurationSet,
    });
    this.configurationSet.addEventDestination('Feedback', {
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: [ses.EmailSendingEvent.BOUNCE, ses.EmailSendingEvent.COMPLAINT],
    });

    this.notify = new MinimisFunction(this, 'Notify', {
      handler: 'notify-customer',
      serviceName: 'minimis-notify-customer',
      description: 'minimis: sends customer emails (order confirmation, dispatch, follow-up) through SES',
      rolePath: props.rolePath,
      timeout,
      environment: { SES_CONFIGURATION_SET: this.configurationSet.configurationSetName },
      noDeadLetterQueueReason:
        'Invoked by the notify queue, whose redrive policy dead-letters failed messages.',
    });
    // As in PartnerDelivery: the event source sees the queue without its key; the grant is ours.
    const source = sqs.Queue.fromQueueAttributes(this, 'Source', {
      queueArn: this.queue.queueArn,
      queueUrl: this.queue.queueUrl,
    });
    grantConsumeQueues(this.notify.role, [this.queue], props.storageKey);
    this.notify.function.addEventSource(
      new eventsources.SqsEventSource(source, { batchSize: 10, reportBatchItemFailures: true }),
    );
    Validations.of(this.notify).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event sources do not support on-failure destinations; the queue redrive policy dead-letters instead.',
    });
    grantTableAccess(this.notify.role, props.table, TABLE_ACCESS['notify-customer']);
    grantPurposes(this.notify.role, props.purposeKey, grantForComponent('notify-customer'));
    const stack = Stack.of(this);
    this.notify.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.identity.emailIdentityArn,
          Arn.format(
            {
              service: 'ses',
              resource: 'configuration-set',
              resourceName: this.configurationSet.configurationSetName,
            },
            stack,
          ),
        ],
        // Only ever From the configured sender.
        conditions: { StringEquals: { 'ses:FromAddress': props.senderEmail } },
      }),
    );

    this.feedbackRetryQueue = new sqs.Queue(this, 'FeedbackRetry', {
      queueName: `${props.namePrefix}-ses-feedback-retry`,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.storageKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
      retentionPeriod: FEEDBACK_RETRY_RETENTION,
      visibilityTimeout: Duration.seconds(FEEDBACK_TIMEOUT.toSeconds() * 6),
    });
    const noSecondCopy =
      'This queue is the retry path of SES feedback, whose events carry the recipient address: a dead-letter queue would keep a second copy. Messages are retried until they succeed; alarms page operators long before the retention ends.';
    Validations.of(this.feedbackRetryQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: noSecondCopy });
    Validations.of(this.feedbackRetryQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: noSecondCopy,
    });

    this.feedback = new MinimisFunction(this, 'Feedback', {
      handler: 'ses-feedback',
      serviceName: 'minimis-ses-feedback',
      description: 'minimis: suppresses addresses that bounced or complained',
      rolePath: props.rolePath,
      timeout: FEEDBACK_TIMEOUT,
      noDeadLetterQueueReason:
        'Failed asynchronous invocations go to the on-failure destination (the ses-feedback-retry queue), which this function drains; a dead-letter queue would keep a second copy of the address.',
    });
    grantTableAccess(this.feedback.role, props.table, TABLE_ACCESS['ses-feedback']);
    grantPurposes(this.feedback.role, props.purposeKey, grantForComponent('ses-feedback'));

    // As for the notify queue: the destination and event source see the queue without its key
    // (CDK would grant kms:* wildcards on it); the exact grants are ours.
    const retryQueue = sqs.Queue.fromQueueAttributes(this, 'FeedbackRetryRef', {
      queueArn: this.feedbackRetryQueue.queueArn,
      queueUrl: this.feedbackRetryQueue.queueUrl,
    });
    this.feedback.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(retryQueue),
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    // Send (the destination) and consume (the drain); the key statement of the send grant
    // (GenerateDataKey + Decrypt through SQS) already covers receiving.
    grantSendToQueues(this.feedback.role, [this.feedbackRetryQueue], props.storageKey);
    this.feedback.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:ChangeMessageVisibility',
          'sqs:GetQueueAttributes',
          'sqs:GetQueueUrl',
        ],
        resources: [this.feedbackRetryQueue.queueArn],
      }),
    );
    this.feedback.function.addEventSource(
      new eventsources.SqsEventSource(retryQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );
    Validations.of(this.feedback).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event sources do not support on-failure destinations; a retry that fails stays in the ses-feedback-retry queue for the next receive.',
    });

    this.feedbackRule = new events.Rule(this, 'FeedbackRule', {
      description: 'minimis: SES bounces and complaints of the minimis configuration set',
      eventPattern: {
        source: ['aws.ses'],
        detailType: ['Email Bounced', 'Email Complaint Received'],
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      targets: [
        new targets.LambdaFunction(this.feedback.function, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          // Undeliverable for 24 h: into the same retry queue, drained by the function.
          deadLetterQueue: this.feedbackRetryQueue,
        }),
      ],
    });
    this.feedbackErrorsAlarm = new cw.Alarm(this, 'FeedbackErrors', {
      alarmDescription:
        'minimis: SES bounce/complaint feedback failed to process (address may not be suppressed)',
      metric: this.feedback.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.feedbackErrorsAlarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));

    this.feedbackRetryWaitingAlarm = new cw.Alarm(this, 'FeedbackRetryWaiting', {
      alarmDescription:
        'minimis: SES feedback failed every asynchronous attempt and waits in the retry queue (the address is not suppressed yet)',
      metric: this.feedbackRetryQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    this.feedbackRetryAgeAlarm = new cw.Alarm(this, 'FeedbackRetryAge', {
      alarmDescription: `minimis: SES feedback has waited over ${FEEDBACK_RETRY_ALARM_AGE.toHumanString()} in the retry queue; fix ses-feedback before the ${FEEDBACK_RETRY_RETENTION.toDays()}-day retention drops it`,
      metric: this.feedbackRetryQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: FEEDBACK_RETRY_ALARM_AGE.toSeconds(),
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.feedbackRetryWaitingAlarm, this.feedbackRetryAgeAlarm]) {
      alarm.addAlarmAction(new cwActions.SnsAction(props.alarmTopic));
      alarm.addOkAction(new cwActions.SnsAction(props.alarmTopic));
    }
  }
}
