/**
 * Everything that can be replaced without losing data: functions, queues, the HTTP API, email,
 * schedules, alarms and the operator role. Reads the table and keys of the stateful stack.
 */
import { CfnOutput, Fn, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import {
  FUNCTION_DESCRIPTIONS,
  FUNCTIONS,
  type FunctionName,
  ROUTE_TABLE,
  serviceName,
} from '#shared/contracts.js';
import type { Component } from '#shared/inventory.js';
import { AlarmTopic } from '../constructs/alarm-topic.js';
import { FanOutStream } from '../constructs/fan-out-stream.js';
import { type DeploymentValues, environmentFor } from '../constructs/function-environment.js';
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
import { EMAIL_INDEX, INTAKE_INDEX, OUTBOX_INDEX } from '../constructs/order-table.js';
import { OutboxSweeper } from '../constructs/outbox-sweeper.js';
import { PARTNER_MAX_RECEIVE_COUNT, PartnerDelivery } from '../constructs/partner-delivery.js';
import { PurgeSchedule } from '../constructs/purge-schedule.js';
import { grantForComponent, grantPurposes, rolePathFor } from '../constructs/purpose-grants.js';
import { grantReadSecrets, grantSendToQueues, type TableRef } from '../constructs/storage-grants.js';
import { grantTableAccess, TABLE_ACCESS, type TableAccess } from '../constructs/table-access.js';
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

/** The functions behind the HTTP API (the route table is shared/contracts.ts `ROUTE_TABLE`). */
type HttpFunction = (typeof ROUTE_TABLE)[number]['handler'] | 'fallback';

interface HttpFunctionRow {
  /** The inventory component whose purpose grants it holds, if it opens or seals anything. */
  readonly purposes?: Component;
  /**
   * Construct id (kept from before the table, so a deploy replaces no function).
   * @default the name in PascalCase
   */
  readonly id?: string;
  /** @default 512 */
  readonly memorySize?: number;
}

const HTTP_FUNCTIONS: Readonly<Record<HttpFunction, HttpFunctionRow>> = {
  'submit-order': { purposes: 'submit-order' },
  'get-order': { purposes: 'get-order' },
  openapi: { id: 'OpenApi', memorySize: 256 },
  health: { memorySize: 256 },
  fallback: { memorySize: 256 },
  'partner-events': { purposes: 'partner-events' },
  'unsubscribe-page': { purposes: 'unsubscribe' },
  unsubscribe: { purposes: 'unsubscribe' },
  'consent-confirm-page': { purposes: 'unsubscribe' },
  'consent-confirm': { purposes: 'unsubscribe' },
};

/** Why the `$default` route may be called without credentials (every route's reason: PUBLIC_BECAUSE). */
const FALLBACK_PUBLIC_BECAUSE = 'Answers unknown paths with 404/405 and touches no data.';

/** Why each route may be called without AWS credentials (cdk-nag APIG4 acknowledgement). */
type Route = (typeof ROUTE_TABLE)[number];
/** `METHOD /path` of each route of the table, exactly (a distributive conditional type). */
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string }
  ? `${M} ${P}`
  : never;
type RouteKey = KeyOf<Route>;
const routeKey = (route: Route) => `${route.method} ${route.path}` as RouteKey;

const PUBLIC_BECAUSE: Readonly<Record<RouteKey, string>> = {
  'POST /orders':
    'Called by the checkout frontend in the browser; intake is validated, throttled and idempotent.',
  'GET /orders/{orderId}':
    'Returns only non-personal status for an unguessable order id, by contract (api.md).',
  'GET /openapi.json': 'Public API description.',
  'GET /health': 'Unauthenticated health check.',
  'POST /partners/{partnerId}/events':
    'Partners authenticate each request with a Standard Webhooks signature verified by the function.',
  'GET /unsubscribe': 'Opened from an email link; authorised by the signed unsubscribe token in the link.',
  'POST /unsubscribe':
    'RFC 8058 one-click opt-out from mail clients; authorised by the signed unsubscribe token.',
  'GET /consent/confirm':
    'Opened from the consent-confirmation email; authorised by the signed token in the link.',
  'POST /consent/confirm':
    'The confirmation button of that page; authorised by the signed, single-use, expiring token.',
};

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
      indexes: [EMAIL_INDEX, OUTBOX_INDEX, INTAKE_INDEX],
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

    // --- HTTP API functions: one row of HTTP_FUNCTIONS each; routes from the contracts' table ----
    const http = {} as Record<HttpFunction, MinimisFunction>;
    for (const [name, row] of Object.entries(HTTP_FUNCTIONS) as Array<[HttpFunction, HttpFunctionRow]>) {
      const fn = new MinimisFunction(this, row.id ?? pascal(name), {
        handler: name,
        rolePath,
        serviceName: serviceName(name),
        description: `minimis: ${FUNCTION_DESCRIPTIONS[name]}`,
        ...(row.memorySize ? { memorySize: row.memorySize } : {}),
        noDeadLetterQueueReason: SYNC_NO_DLQ,
      });
      // A function with a DynamoDB client has its own table access, named after it.
      if (FUNCTIONS[name].clients.some((client) => client === 'dynamodb')) {
        const access = (TABLE_ACCESS as Readonly<Partial<Record<string, TableAccess>>>)[name];
        if (!access) throw new Error(`StatelessStack: no TABLE_ACCESS entry for ${name}`);
        grantTableAccess(fn.role, table, access);
      }
      if (row.purposes) grantPurposes(fn.role, purposeKey, grantForComponent(row.purposes));
      http[name] = fn;
    }
    grantReadSecrets(
      http['partner-events'].role,
      this.partners.map((p) => p.secret),
      storageKey,
    );
    grantSendToQueues(http['partner-events'].role, [this.notification.queue], storageKey);

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: prefix,
      allowedOrigins: config.allowedOrigins,
      fallback: {
        handler: http.fallback.function,
        publicBecause: FALLBACK_PUBLIC_BECAUSE,
      },
      routes: ROUTE_TABLE.map((route) => ({
        method: route.method,
        path: route.path,
        handler: http[route.handler].function,
        publicBecause: PUBLIC_BECAUSE[routeKey(route)],
      })),
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
      alarmTopic,
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
    grantKeyTableAccess(http['submit-order'].role, keyTable, KEY_TABLE_ACCESS['submit-order']);
    grantKeyTableAccess(this.notification.notify.role, keyTable, KEY_TABLE_ACCESS['notify-customer']);
    grantKeyTableAccess(http['partner-events'].role, keyTable, KEY_TABLE_ACCESS['partner-events']);
    grantKeyTableAccess(this.purge.purge.role, keyTable, KEY_TABLE_ACCESS.purge);
    grantKeyTableAccess(http['consent-confirm'].role, keyTable, KEY_TABLE_ACCESS['consent-confirm']);
    grantKeyTableAccess(http.unsubscribe.role, keyTable, KEY_TABLE_ACCESS.unsubscribe);
    grantKeyTableAccess(this.notification.feedback.role, keyTable, KEY_TABLE_ACCESS['ses-feedback']);
    for (const partner of this.partners)
      grantKeyTableAccess(partner.delivery.role, keyTable, partnerKeyTableAccess(partner.partner));
    if (this.operatorRole) grantKeyTableAccess(this.operatorRole, keyTable, KEY_TABLE_ACCESS.operator);

    // --- Shared environment -----------------------------------------------------------------
    const functions: Record<string, MinimisFunction> = {
      ...http,
      'notify-customer': this.notification.notify,
      'ses-feedback': this.notification.feedback,
      'sweep-outbox': this.sweeper.sweeper,
      'fan-out': this.fanOut.fanOut,
      purge: this.purge.purge,
    };
    for (const partner of this.partners)
      functions[`deliver-to-partner:${partner.partner.id}`] = partner.delivery;
    this.functions = functions;

    // --- Each function's environment: only the variables of the settings it is given ----------
    const partnerList = (partners: readonly PartnerDelivery[]) =>
      this.toJsonString(
        partners.map(({ partner }) => ({
          id: partner.id,
          kind: partner.kind,
          url: partner.url,
          fields: partner.fields,
          // Destination scope (fan-out routes by it, delivery refuses other destinations); omitted when unset.
          ...(partner.countries ? { countries: partner.countries } : {}),
          ...(partner.exceptCountries ? { exceptCountries: partner.exceptCountries } : {}),
        })),
      );
    const secretRefs = (partners: readonly PartnerDelivery[]) =>
      this.toJsonString(Object.fromEntries(partners.map((p) => [p.partner.id, p.secret.secretArn])));
    const queueUrls = (
      queues: ReadonlyArray<{ readonly key: string; readonly queue: { queueUrl: string } }>,
    ) => this.toJsonString(Object.fromEntries(queues.map((q) => [q.key, q.queue.queueUrl])));
    const notifyQueue = { key: this.notification.queueKey, queue: this.notification.queue };
    const allWorkQueues = [notifyQueue, ...this.partners.map((p) => ({ key: p.queueKey, queue: p.queue }))];
    const deployment: DeploymentValues = {
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
      PARTNERS: partnerList(this.partners),
    };
    /** What differs per function: which queues it sends to, which partners and secrets it sees. */
    const own: Partial<Record<FunctionName, DeploymentValues>> = {
      'fan-out': { QUEUE_URLS: queueUrls(allWorkQueues) },
      'partner-events': {
        QUEUE_URLS: queueUrls([notifyQueue]),
        PARTNER_SECRET_REFS: secretRefs(this.partners),
      },
      'sweep-outbox': { QUEUE_URLS: queueUrls(allWorkQueues) },
    };
    for (const [name, fn] of Object.entries(functions)) {
      if (name.startsWith('deliver-to-partner:')) continue;
      const fnName = name as FunctionName;
      for (const [key, value] of Object.entries(environmentFor(fnName, { ...deployment, ...own[fnName] })))
        fn.addEnvironment(key, value);
    }
    for (const partner of this.partners) {
      const values = {
        ...deployment,
        PARTNERS: partnerList([partner]),
        PARTNER_SECRET_REFS: secretRefs([partner]),
        QUEUE_URLS: queueUrls([{ key: partner.queueKey, queue: partner.queue }]),
      };
      for (const [key, value] of Object.entries(environmentFor('deliver-to-partner', values)))
        partner.delivery.addEnvironment(key, value);
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
