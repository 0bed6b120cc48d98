/**
 * Everything that can be replaced without losing data: functions, queues, the HTTP API, email,
 * schedules, alarms and the operator role. Reads the table and keys of the stateful stack.
 */
import { CfnOutput, Duration, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { AlarmTopic } from '../constructs/alarm-topic.js';
import { FanOutStream } from '../constructs/fan-out-stream.js';
import { HttpApi } from '../constructs/http-api.js';
import {
  grantKeyTableAccess,
  KEY_TABLE_ACCESS,
  type KeyTableRef,
  partnerKeyTableAccess,
} from '../constructs/key-table-access.js';
import { MinimisFunction } from '../constructs/minimis-function.js';
import { Notification } from '../constructs/notification.js';
import { OperatorRole } from '../constructs/operator-role.js';
import { EMAIL_INDEX, OUTBOX_INDEX } from '../constructs/order-table.js';
import { OutboxSweeper } from '../constructs/outbox-sweeper.js';
import { PARTNER_MAX_RECEIVE_COUNT, PartnerDelivery } from '../constructs/partner-delivery.js';
import { PurgeSchedule } from '../constructs/purge-schedule.js';
import { grantForComponent, grantPurposes, rolePathFor } from '../constructs/purpose-grants.js';
import { grantReadSecrets, grantSendToQueues, type TableRef } from '../constructs/storage-grants.js';
import { grantTableAccess, TABLE_ACCESS } from '../constructs/table-access.js';
import { DeadLetterQueue } from '../constructs/work-queue.js';
import type { MinimisContext } from '../context.js';

export interface StatelessStackProps extends StackProps {
  /** The validated deploy-time configuration. */
  readonly config: MinimisContext;
  readonly table: dynamodb.ITable;
  /** The key table (record secrets). */
  readonly keyTable: dynamodb.ITable;
  /** Wraps the per-purpose data keys (KMS_KEY_ID). */
  readonly purposeKey: kms.IKey;
  /** Encryption at rest of queues, secrets and the alarm topic. */
  readonly storageKey: kms.IKey;
}

const pascal = (id: string): string =>
  id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

const SYNC_NO_DLQ = 'Invoked synchronously by the HTTP API; the caller sees the error and retries.';

export class StatelessStack extends Stack {
  public readonly api: HttpApi;
  public readonly partners: readonly PartnerDelivery[];
  public readonly notification: Notification;
  public readonly sweeper: OutboxSweeper;
  public readonly fanOut: FanOutStream;
  public readonly purge: PurgeSchedule;
  /** Absent when the context lists no operator principals. */
  public readonly operatorRole?: iam.Role;
  /** Every function, by handler-plus-partner name (e.g. `submit-order`, `deliver-to-partner:carrier`). */
  public readonly functions: Readonly<Record<string, MinimisFunction>>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;
    // Re-import the stateful resources by ARN: grants then land in this stack's role policies and
    // never in the stateful stack's key policies (which would make the stacks depend on each other).
    const purposeKey = kms.Key.fromKeyArn(this, 'PurposeKey', props.purposeKey.keyArn);
    const storageKey = kms.Key.fromKeyArn(this, 'StorageKey', props.storageKey.keyArn);
    const table: TableRef = {
      tableArn: props.table.tableArn,
      indexes: [EMAIL_INDEX, OUTBOX_INDEX],
      encryptionKey: storageKey,
    };
    const prefix = `minimis-${config.stage}`;
    // Every role of the stack sits under this path: the purpose key admits no role outside it.
    const rolePath = rolePathFor(config.stage);

    const alarmTopic = new AlarmTopic(this, 'Alarms', { encryptionKey: storageKey }).topic;
    const scheduleFailures = new DeadLetterQueue(this, 'ScheduleFailures', {
      queueName: `${prefix}-schedule-dlq`,
      encryptionKey: storageKey,
      alarmTopic,
      description: 'scheduled sweeps or purges',
    });

    this.partners = config.partners.map(
      (partner) =>
        new PartnerDelivery(this, `Partner-${partner.id}`, {
          partner,
          rolePath,
          namePrefix: prefix,
          storageKey,
          purposeKey,
          table,
          alarmTopic,
          maxReceiveCount: PARTNER_MAX_RECEIVE_COUNT,
        }),
    );
    this.notification = new Notification(this, 'Notification', {
      rolePath,
      namePrefix: prefix,
      senderEmail: config.senderEmail,
      identityDomain: config.sesIdentityDomain,
      storageKey,
      purposeKey,
      table,
      alarmTopic,
    });
    const partnerQueues = this.partners.map((p) => p.queue);
    const workQueues = [...partnerQueues, this.notification.queue];

    // --- HTTP API functions ---------------------------------------------------------------
    const submitOrder = new MinimisFunction(this, 'SubmitOrder', {
      handler: 'submit-order',
      rolePath,
      serviceName: 'minimis-submit-order',
      description: 'minimis: POST /orders — validates, seals per purpose, stores, fans out',
      timeout: Duration.seconds(10),
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });
    grantTableAccess(submitOrder.role, table, TABLE_ACCESS['submit-order']);
    grantPurposes(submitOrder.role, purposeKey, grantForComponent('submit-order'));

    const getOrder = new MinimisFunction(this, 'GetOrder', {
      handler: 'get-order',
      rolePath,
      serviceName: 'minimis-get-order',
      description: 'minimis: GET /orders/{orderId} — non-personal order status',
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });
    grantTableAccess(getOrder.role, table, TABLE_ACCESS['get-order']);
    grantPurposes(getOrder.role, purposeKey, grantForComponent('order-status'));

    const openapi = new MinimisFunction(this, 'OpenApi', {
      handler: 'openapi',
      rolePath,
      serviceName: 'minimis-openapi',
      description: 'minimis: GET /openapi.json',
      memorySize: 256,
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });

    const health = new MinimisFunction(this, 'Health', {
      handler: 'health',
      rolePath,
      serviceName: 'minimis-health',
      description: 'minimis: GET /health',
      memorySize: 256,
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });

    const partnerEvents = new MinimisFunction(this, 'PartnerEvents', {
      handler: 'partner-events',
      rolePath,
      serviceName: 'minimis-partner-events',
      description: 'minimis: POST /partners/{partnerId}/events — verifies and records partner events',
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });
    grantTableAccess(partnerEvents.role, table, TABLE_ACCESS['partner-events']);
    grantPurposes(partnerEvents.role, purposeKey, grantForComponent('partner-events'));
    grantReadSecrets(
      partnerEvents.role,
      this.partners.map((p) => p.secret),
      storageKey,
    );
    grantSendToQueues(partnerEvents.role, [this.notification.queue], storageKey);

    const unsubscribePage = new MinimisFunction(this, 'UnsubscribePage', {
      handler: 'unsubscribe-page',
      rolePath,
      serviceName: 'minimis-unsubscribe-page',
      description: 'minimis: GET /unsubscribe — confirmation page (changes nothing)',
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });
    grantTableAccess(unsubscribePage.role, table, TABLE_ACCESS['unsubscribe-page']);
    grantPurposes(unsubscribePage.role, purposeKey, grantForComponent('unsubscribe'));

    const unsubscribe = new MinimisFunction(this, 'Unsubscribe', {
      handler: 'unsubscribe',
      rolePath,
      serviceName: 'minimis-unsubscribe',
      description: 'minimis: POST /unsubscribe — one-click opt-out (RFC 8058)',
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });
    grantTableAccess(unsubscribe.role, table, TABLE_ACCESS.unsubscribe);
    grantPurposes(unsubscribe.role, purposeKey, grantForComponent('unsubscribe'));

    const consentConfirmPage = new MinimisFunction(this, 'ConsentConfirmPage', {
      handler: 'consent-confirm-page',
      rolePath,
      serviceName: 'minimis-consent-confirm-page',
      description: 'minimis: GET /consent/confirm — confirmation page (changes nothing)',
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });
    grantTableAccess(consentConfirmPage.role, table, TABLE_ACCESS['consent-confirm-page']);
    grantPurposes(consentConfirmPage.role, purposeKey, grantForComponent('unsubscribe'));

    const consentConfirm = new MinimisFunction(this, 'ConsentConfirm', {
      handler: 'consent-confirm',
      rolePath,
      serviceName: 'minimis-consent-confirm',
      description: 'minimis: POST /consent/confirm — confirms a renewed opt-in (single-use link)',
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });
    grantTableAccess(consentConfirm.role, table, TABLE_ACCESS['consent-confirm']);
    grantPurposes(consentConfirm.role, purposeKey, grantForComponent('unsubscribe'));

    const fallback = new MinimisFunction(this, 'Fallback', {
      handler: 'fallback',
      rolePath,
      serviceName: 'minimis-fallback',
      description: 'minimis: $default route — 404/405 as problem+json',
      memorySize: 256,
      noDeadLetterQueueReason: SYNC_NO_DLQ,
    });

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: prefix,
      allowedOrigins: config.allowedOrigins,
      fallback: {
        handler: fallback.function,
        publicBecause: 'Answers unknown paths with 404/405 and touches no data.',
      },
      routes: [
        {
          method: 'POST',
          path: '/orders',
          handler: submitOrder.function,
          publicBecause:
            'Called by the checkout frontend in the browser; intake is validated, throttled and idempotent.',
        },
        {
          method: 'GET',
          path: '/orders/{orderId}',
          handler: getOrder.function,
          publicBecause:
            'Returns only non-personal status for an unguessable order id, by contract (api.md).',
        },
        {
          method: 'GET',
          path: '/openapi.json',
          handler: openapi.function,
          publicBecause: 'Public API description.',
        },
        {
          method: 'GET',
          path: '/health',
          handler: health.function,
          publicBecause: 'Unauthenticated health check.',
        },
        {
          method: 'POST',
          path: '/partners/{partnerId}/events',
          handler: partnerEvents.function,
          publicBecause:
            'Partners authenticate each request with a Standard Webhooks signature verified by the function.',
        },
        {
          method: 'GET',
          path: '/unsubscribe',
          handler: unsubscribePage.function,
          publicBecause: 'Opened from an email link; authorised by the signed unsubscribe token in the link.',
        },
        {
          method: 'POST',
          path: '/unsubscribe',
          handler: unsubscribe.function,
          publicBecause:
            'RFC 8058 one-click opt-out from mail clients; authorised by the signed unsubscribe token.',
        },
        {
          method: 'GET',
          path: '/consent/confirm',
          handler: consentConfirmPage.function,
          publicBecause:
            'Opened from the consent-confirmation email; authorised by the signed token in the link.',
        },
        {
          method: 'POST',
          path: '/consent/confirm',
          handler: consentConfirm.function,
          publicBecause:
            'The confirmation button of that page; authorised by the signed, single-use, expiring token.',
        },
      ],
    });

    // --- After the write: the order table's stream fans out; the sweeper is the backstop ----
    this.fanOut = new FanOutStream(this, 'FanOut', {
      streamTable: props.table,
      table,
      rolePath,
      namePrefix: prefix,
      queueKey: storageKey,
      queues: workQueues,
      alarmTopic,
    });

    // --- Schedules ------------------------------------------------------------------------
    this.sweeper = new OutboxSweeper(this, 'OutboxSweeper', {
      rolePath,
      table,
      queues: workQueues,
      queueKey: storageKey,
      deadLetterQueue: scheduleFailures.queue,
    });
    this.purge = new PurgeSchedule(this, 'PurgeSchedule', {
      rolePath,
      table,
      queueKey: storageKey,
      deadLetterQueue: scheduleFailures.queue,
    });

    // --- Operators ------------------------------------------------------------------------
    if (config.operatorPrincipals.length > 0) {
      this.operatorRole = new OperatorRole(this, 'Operator', {
        rolePath,
        principals: config.operatorPrincipals,
        table,
        queueKey: storageKey,
        purposeKey,
        workQueues: partnerQueues,
        deadLetterQueues: this.partners.map((p) => p.deadLetterQueue),
        partnerSecrets: this.partners.map((p) => p.secret),
        secretKey: storageKey,
      }).role;
    }

    // --- The key table (crypto-shredding): who creates, reads, moves expiry, deletes ----------
    const keyTable: KeyTableRef = { tableArn: props.keyTable.tableArn, encryptionKey: storageKey };
    grantKeyTableAccess(submitOrder.role, keyTable, KEY_TABLE_ACCESS['submit-order']);
    grantKeyTableAccess(this.notification.notify.role, keyTable, KEY_TABLE_ACCESS['notify-customer']);
    grantKeyTableAccess(partnerEvents.role, keyTable, KEY_TABLE_ACCESS['partner-events']);
    grantKeyTableAccess(this.purge.purge.role, keyTable, KEY_TABLE_ACCESS.purge);
    for (const partner of this.partners)
      grantKeyTableAccess(partner.delivery.role, keyTable, partnerKeyTableAccess(partner.partner));
    if (this.operatorRole) grantKeyTableAccess(this.operatorRole, keyTable, KEY_TABLE_ACCESS.operator);

    // --- Shared environment -----------------------------------------------------------------
    const functions: Record<string, MinimisFunction> = {
      'submit-order': submitOrder,
      'get-order': getOrder,
      fallback,
      openapi,
      health,
      'partner-events': partnerEvents,
      'unsubscribe-page': unsubscribePage,
      unsubscribe,
      'consent-confirm-page': consentConfirmPage,
      'consent-confirm': consentConfirm,
      'notify-customer': this.notification.notify,
      'ses-feedback': this.notification.feedback,
      'sweep-outbox': this.sweeper.sweeper,
      'fan-out': this.fanOut.fanOut,
      purge: this.purge.purge,
    };
    for (const partner of this.partners)
      functions[`deliver-to-partner:${partner.partner.id}`] = partner.delivery;
    this.functions = functions;

    const queueUrls: Record<string, string> = {
      [this.notification.queueKey]: this.notification.queue.queueUrl,
    };
    for (const partner of this.partners) queueUrls[partner.queueKey] = partner.queue.queueUrl;
    const environment: Record<string, string> = {
      MINIMIS_MODE: 'aws',
      TABLE_NAME: props.table.tableName,
      KEY_TABLE_NAME: props.keyTable.tableName,
      SHRED_BACKUP_DAYS: String(config.shredBackupDays),
      KMS_KEY_ID: purposeKey.keyArn,
      PUBLIC_BASE_URL: config.publicBaseUrl,
      SENDER_EMAIL: config.senderEmail,
      ORIGIN_COUNTRY: config.originCountry,
      POLICY_VERSION: config.policyVersion,
      RETENTION_AFTER_DELIVERY_DAYS: String(config.retention.afterDeliveryDays),
      RETENTION_UNDELIVERED_DAYS: String(config.retention.undeliveredDays),
      RETENTION_ACCOUNTING_YEARS: String(config.retention.accountingYears),
      DELIVERY_MAX_ATTEMPTS: String(PARTNER_MAX_RECEIVE_COUNT),
      PARTNERS: this.toJsonString(
        this.partners.map(({ partner, secret }) => ({
          id: partner.id,
          kind: partner.kind,
          url: partner.url,
          fields: partner.fields,
          // Destination scope (fan-out routes by it, delivery refuses other destinations); omitted when unset.
          ...(partner.countries ? { countries: partner.countries } : {}),
          ...(partner.exceptCountries ? { exceptCountries: partner.exceptCountries } : {}),
          secretRef: secret.secretArn,
        })),
      ),
      QUEUE_URLS: this.toJsonString(queueUrls),
    };
    for (const fn of Object.values(functions)) {
      for (const [key, value] of Object.entries(environment)) fn.addEnvironment(key, value);
    }

    // --- Outputs --------------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'AlarmTopicArn', {
      value: alarmTopic.topicArn,
      description: 'Subscribe operators here',
    });
    new CfnOutput(this, 'OperatorRoleArn', {
      value: this.operatorRole?.roleArn ?? 'none: set operatorPrincipals in the minimis context to create it',
      description: 'Role the ops CLI assumes in AWS',
    });
    for (const partner of this.partners) {
      new CfnOutput(this, `${pascal(partner.partner.id)}DeadLetterQueueName`, {
        value: partner.deadLetterQueue.queueName,
        description: `Dead-lettered deliveries to partner ${partner.partner.id}`,
      });
      new CfnOutput(this, `${pascal(partner.partner.id)}SecretArn`, {
        value: partner.secret.secretArn,
        description: `Webhook signing secret shared with partner ${partner.partner.id}`,
      });
    }
    // What `minimis redrive --aws` needs in QUEUE_URLS: each partner queue and its dead-letter queue.
    const opsQueueUrls: Record<string, string> = {};
    for (const partner of this.partners) {
      opsQueueUrls[partner.queueKey] = partner.queue.queueUrl;
      opsQueueUrls[`${partner.queueKey}-dlq`] = partner.deadLetterQueue.queueUrl;
    }
    new CfnOutput(this, 'OpsQueueUrls', {
      value: this.toJsonString(opsQueueUrls),
      description: 'QUEUE_URLS for the ops CLI (minimis redrive --aws)',
    });
    this.notification.identity.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `SesDkimRecord${index + 1}`, {
        value: Fn.join(' ', [record.name, 'CNAME', record.value]),
        description: 'DNS record verifying the SES sending domain (DKIM)',
      });
    });
  }
}
