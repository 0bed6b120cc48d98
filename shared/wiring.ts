/**
 * The composition root shared by every Lambda handler, the local runner and the ops CLI: builds
 * the adapters for the configured mode once per process. Handlers are the same in AWS and in local
 * mode; only what this module plugs in differs (KMS or the local key provider, SQS or the local
 * queue). Every AWS client reads its endpoint from the SDK configuration (AWS_ENDPOINT_URL_*).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './adapters/aws/dynamo-client.js';
import { DynamoConsentStore } from './adapters/aws/dynamo-consent-store.js';
import { DynamoErasureFenceStore } from './adapters/aws/dynamo-erasure-fence.js';
import { DynamoIdempotencyStore } from './adapters/aws/dynamo-idempotency-store.js';
import { DynamoKeyRecordStore } from './adapters/aws/dynamo-key-record-store.js';
import { DynamoOrderScan } from './adapters/aws/dynamo-order-scan.js';
import { DynamoOrderStore } from './adapters/aws/dynamo-order-store.js';
import { DynamoPartnerStateStore } from './adapters/aws/dynamo-partner-state-store.js';
import { FetchPartnerClient } from './adapters/aws/fetch-partner-client.js';
import { KmsKeyService } from './adapters/aws/kms-key-service.js';
import { PartnerSecrets } from './adapters/aws/secrets-manager-store.js';
import { SesMailer } from './adapters/aws/ses-mailer.js';
import { SqsQueue } from './adapters/aws/sqs-queue.js';
import { LocalKeyService } from './adapters/local/local-key-service.js';
import { LocalQueue } from './adapters/local/local-queue.js';
import { type Config, loadConfig } from './config.js';
import { DataKeys } from './crypto/data-keys.js';
import { LookupKeys } from './crypto/lookup-keys.js';
import type {
  Clock,
  ConsentStore,
  DeadLetterQueue,
  ErasureFenceStore,
  IdempotencyStore,
  KeyRecordStore,
  KeyringStore,
  KeyService,
  Mailer,
  OrderScan,
  OrderStore,
  PartnerClient,
  PartnerStateStore,
  Queue,
  RetryScheduler,
  SecretStore,
} from './ports.js';

export interface Wiring {
  readonly config: Config;
  readonly clock: Clock;
  readonly db: DynamoDBDocumentClient;
  readonly orders: OrderStore;
  readonly idempotency: IdempotencyStore;
  readonly consent: ConsentStore;
  readonly fence: ErasureFenceStore;
  readonly keyRecords: KeyRecordStore;
  readonly keyService: KeyService;
  readonly dataKeys: DataKeys;
  readonly lookup: LookupKeys;
  readonly queue: Queue & RetryScheduler & DeadLetterQueue;
  readonly mailer: Mailer;
  readonly partnerClient: PartnerClient;
  readonly secrets: SecretStore;
  /** The stored partner keyrings (rotation); by default the same store as `secrets`. */
  readonly keyrings: KeyringStore;
  /** Enabled/disabled (410 Gone) partners and their held messages. */
  readonly partnerState: PartnerStateStore;
  /** Orders by creation time, for replays (a scan). */
  readonly orderScan: OrderScan;
}

export const systemClock: Clock = { now: () => new Date() };

export function localQueueTableName(config: Config): string {
  return `${config.tableName}-local-queue`;
}

/** Builds the adapters for `config`. Pass overrides (a fake clock, a stub) in tests. */
export function wire(config: Config = loadConfig(), overrides: Partial<Wiring> = {}): Wiring {
  const clock = overrides.clock ?? systemClock;
  const db = overrides.db ?? documentClient(new DynamoDBClient({}));
  const keyRecords = overrides.keyRecords ?? new DynamoKeyRecordStore(db, config.tableName);
  const keyService =
    overrides.keyService ??
    (config.kmsKeyId
      ? new KmsKeyService(new KMSClient({}), config.kmsKeyId)
      : LocalKeyService.fromDataDir(config.dataDir));
  const queue =
    overrides.queue ??
    (config.mode === 'aws'
      ? new SqsQueue(new SQSClient({}), config.queueUrls)
      : new LocalQueue(db, localQueueTableName(config), {
          visibilityTimeoutSeconds: Math.ceil(config.delivery.timeoutMs / 1000) * 2,
          maxReceiveCount: { '*': config.delivery.maxAttempts },
        }));
  const secrets = new PartnerSecrets(config.partners, {
    ...(config.mode === 'aws' ? { client: new SecretsManagerClient({}) } : { dataDir: config.dataDir }),
    cacheSeconds: config.secretCacheSeconds,
    clock,
  });
  return {
    config,
    clock,
    db,
    orders: overrides.orders ?? new DynamoOrderStore(db, config.tableName),
    idempotency: overrides.idempotency ?? new DynamoIdempotencyStore(db, config.tableName),
    consent: overrides.consent ?? new DynamoConsentStore(db, config.tableName),
    fence: overrides.fence ?? new DynamoErasureFenceStore(db, config.tableName),
    keyRecords,
    keyService,
    dataKeys: overrides.dataKeys ?? new DataKeys(keyService, keyRecords, clock, config.dataKeyCache),
    lookup:
      overrides.lookup ?? new LookupKeys(keyService, keyRecords, () => clock.now(), config.mode === 'local'),
    queue,
    mailer:
      overrides.mailer ?? new SesMailer(new SESv2Client({}), config.senderEmail, config.sesConfigurationSet),
    partnerClient: overrides.partnerClient ?? new FetchPartnerClient(),
    secrets: overrides.secrets ?? secrets,
    keyrings: overrides.keyrings ?? secrets,
    partnerState: overrides.partnerState ?? new DynamoPartnerStateStore(db, config.tableName),
    orderScan: overrides.orderScan ?? new DynamoOrderScan(db, config.tableName),
  };
}

let current: Wiring | undefined;

/** The process-wide wiring, built on first use from the environment (fails fast on bad config). */
export function wiring(): Wiring {
  current ??= wire();
  return current;
}

/** For the local runner and tests: install a specific wiring for this process. */
export function setWiring(next: Wiring | undefined): void {
  current = next;
}
