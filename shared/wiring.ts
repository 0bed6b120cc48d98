/**
 * The all-in-one composition of the local runner, the ops CLI, tests and benches: every adapter
 * for the configured mode, built once per process. Lambda functions never import it: each
 * composes only its own adapters (shared/compose/*); the local runner installs this one
 * (`setWiring`) and those then use it. Every AWS client reads its endpoint from the SDK
 * configuration (AWS_ENDPOINT_URL_*).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './adapters/aws/dynamo-client.js';
import { DynamoConsentStore } from './adapters/aws/dynamo-consent-store.js';
import { DynamoErasureFenceStore } from './adapters/aws/dynamo-erasure-fence.js';
import { DynamoErasureLog } from './adapters/aws/dynamo-erasure-log.js';
import { DynamoIdempotencyStore } from './adapters/aws/dynamo-idempotency-store.js';
import { DynamoKeyRecordStore } from './adapters/aws/dynamo-key-record-store.js';
import { DynamoCertificateStore, DynamoLedgerStore } from './adapters/aws/dynamo-ledger.js';
import { DynamoOrderScan } from './adapters/aws/dynamo-order-scan.js';
import { DynamoOrderStore } from './adapters/aws/dynamo-order-store.js';
import { DynamoPartnerStateStore } from './adapters/aws/dynamo-partner-state-store.js';
import { DynamoRecordSecretStore } from './adapters/aws/dynamo-record-secret-store.js';
import { FetchPartnerClient } from './adapters/aws/fetch-partner-client.js';
import { KmsKeyService } from './adapters/aws/kms-key-service.js';
import { PartnerKeyrings } from './adapters/aws/partner-keyrings.js';
import { SesMailer } from './adapters/aws/ses-mailer.js';
import { SqsDeadLetterQueue } from './adapters/aws/sqs-dead-letter-queue.js';
import { osUserPrincipal, StsPrincipal } from './adapters/aws/sts-principal.js';
import { coalescingGets } from './adapters/local/coalescing-gets.js';
import { LocalKeyService } from './adapters/local/local-key-service.js';
import { LocalQueue, type LocalQueueOptions } from './adapters/local/local-queue.js';
import { shreddingConsentStore, shreddingOrderStore } from './adapters/shredding-stores.js';
import { install, systemClock } from './compose/installed.js';
import { type Config, loadConfig, partnersWithSecretRefs } from './config.js';
import { DataKeys } from './crypto/data-keys.js';
import { LedgerKey } from './crypto/ledger-key.js';
import { LookupKeys } from './crypto/lookup-keys.js';
import type { CertificateStore, ErasureJournalStore, LedgerStore, PrincipalSource } from './ledger-ports.js';
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
import type { ErasureLog, ErasureMarks, RecordSecretStore } from './record-secrets.js';

export interface Wiring {
  readonly config: Config;
  readonly clock: Clock;
  readonly db: DynamoDBDocumentClient;
  readonly orders: OrderStore;
  readonly idempotency: IdempotencyStore;
  readonly consent: ConsentStore;
  readonly fence: ErasureFenceStore;
  readonly keyRecords: KeyRecordStore;
  /** The key table: one secret per personal record (crypto-shredding). */
  readonly recordSecrets: RecordSecretStore & ErasureMarks;
  /** What was shredded (record keys only), to re-apply after a key-table restore. */
  readonly erasureLog: ErasureLog;
  readonly keyService: KeyService;
  readonly dataKeys: DataKeys;
  readonly lookup: LookupKeys;
  readonly queue: Queue & RetryScheduler & DeadLetterQueue;
  readonly mailer: Mailer;
  readonly partnerClient: PartnerClient;
  readonly secrets: SecretStore;
  /** The disclosure ledger (on the order items), its chaining key, erasure certificates. */
  readonly ledger: LedgerStore;
  readonly ledgerKey: LedgerKey;
  readonly certificates: CertificateStore & ErasureJournalStore;
  /** Who the operator is (ledger entries of exports and erasures). */
  readonly principal: PrincipalSource;
  /** The stored partner keyrings (rotation); by default the same store as `secrets`. */
  readonly keyrings: KeyringStore;
  /** Enabled/disabled (410 Gone) partners and their held messages. */
  readonly partnerState: PartnerStateStore;
  /** Orders by creation time, for replays (a scan). */
  readonly orderScan: OrderScan;
}

export function localQueueTableName(config: Config): string {
  return `${config.tableName}-local-queue`;
}

/** The local queue's visibility timeout and receive limit for `config` (the same for every process). */
export function localQueueOptions(config: Config): LocalQueueOptions {
  return {
    visibilityTimeoutSeconds: Math.ceil(config.delivery.timeoutMs / 1000) * 2,
    maxReceiveCount: { '*': config.delivery.maxAttempts },
  };
}

/** Builds the adapters for `config`. Pass overrides (a fake clock, a stub) in tests. */
export function wire(config: Config = loadConfig(), overrides: Partial<Wiring> = {}): Wiring {
  const clock = overrides.clock ?? systemClock;
  // Local mode: parallel GetItems share one BatchGetItem (fewer SDK round trips to dynalite).
  const db =
    overrides.db ??
    (config.mode === 'local'
      ? coalescingGets(documentClient(new DynamoDBClient({})))
      : documentClient(new DynamoDBClient({})));
  const keyRecords = overrides.keyRecords ?? new DynamoKeyRecordStore(db, config.tableName);
  const keyService =
    overrides.keyService ??
    (config.kmsKeyId
      ? new KmsKeyService(new KMSClient({}), config.kmsKeyId)
      : LocalKeyService.fromDataDir(config.dataDir));
  const queue =
    overrides.queue ??
    (config.mode === 'aws'
      ? new SqsDeadLetterQueue(new SQSClient({}), config.queueUrls)
      : new LocalQueue(db, localQueueTableName(config), localQueueOptions(config)));
  const recordSecrets = overrides.recordSecrets ?? new DynamoRecordSecretStore(db, config.keyTableName);
  const erasureLog =
    overrides.erasureLog ?? new DynamoErasureLog(db, config.tableName, config.shredBackupDays + 1);
  const shredding = { secrets: recordSecrets, erasureLog, clock };
  const secrets = new PartnerKeyrings(partnersWithSecretRefs(config), {
    ...(config.mode === 'aws' ? { client: new SecretsManagerClient({}) } : { dataDir: config.dataDir }),
    cacheSeconds: config.secretCacheSeconds,
    clock,
  });
  return {
    config,
    clock,
    db,
    orders: overrides.orders ?? shreddingOrderStore(new DynamoOrderStore(db, config.tableName), shredding),
    idempotency: overrides.idempotency ?? new DynamoIdempotencyStore(db, config.tableName),
    consent:
      overrides.consent ?? shreddingConsentStore(new DynamoConsentStore(db, config.tableName), shredding),
    fence: overrides.fence ?? new DynamoErasureFenceStore(db, config.tableName),
    keyRecords,
    recordSecrets,
    erasureLog,
    keyService,
    dataKeys: overrides.dataKeys ?? new DataKeys(keyService, keyRecords, clock, config.dataKeyCache),
    lookup:
      overrides.lookup ?? new LookupKeys(keyService, keyRecords, () => clock.now(), config.mode === 'local'),
    queue,
    mailer:
      overrides.mailer ?? new SesMailer(new SESv2Client({}), config.senderEmail, config.sesConfigurationSet),
    partnerClient: overrides.partnerClient ?? new FetchPartnerClient(),
    // The ledger lives on the order items: an order store that holds it (in memory) is its store.
    ledger:
      overrides.ledger ??
      (overrides.orders && 'getLedger' in overrides.orders
        ? (overrides.orders as OrderStore & LedgerStore)
        : new DynamoLedgerStore(db, config.tableName)),
    ledgerKey: overrides.ledgerKey ?? new LedgerKey(keyService, keyRecords, () => clock.now()),
    certificates: overrides.certificates ?? new DynamoCertificateStore(db, config.tableName),
    principal:
      overrides.principal ?? (config.mode === 'aws' ? new StsPrincipal(new STSClient({})) : osUserPrincipal),
    secrets: overrides.secrets ?? secrets,
    keyrings: overrides.keyrings ?? secrets,
    partnerState: overrides.partnerState ?? new DynamoPartnerStateStore(db, config.tableName),
    orderScan: overrides.orderScan ?? new DynamoOrderScan(db, config.tableName),
  };
}

/**
 * For the local runner and tests: install this wiring for the functions of this process (they
 * compose from it, shared/compose/installed.ts); `undefined` removes it.
 */
export function setWiring(next: Wiring | undefined): void {
  install(next);
}
