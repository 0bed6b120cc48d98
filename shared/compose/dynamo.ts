/**
 * The DynamoDB side of a function: one module-scope client, and the stores over the order table
 * and the key table, each built on first use. Only functions that import this bundle DynamoDB.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type DynamoTable, documentClient } from '../adapters/aws/dynamo-client.js';
import * as consentTable from '../adapters/aws/dynamo-consent-store.js';
import { DynamoConsentStore } from '../adapters/aws/dynamo-consent-store.js';
import * as fenceTable from '../adapters/aws/dynamo-erasure-fence.js';
import { DynamoErasureFenceStore } from '../adapters/aws/dynamo-erasure-fence.js';
import * as erasureLogTable from '../adapters/aws/dynamo-erasure-log.js';
import { DynamoErasureLog } from '../adapters/aws/dynamo-erasure-log.js';
import * as idempotencyTable from '../adapters/aws/dynamo-idempotency-store.js';
import { DynamoIdempotencyStore } from '../adapters/aws/dynamo-idempotency-store.js';
import { DynamoKeyRecordStore } from '../adapters/aws/dynamo-key-record-store.js';
import { DynamoLedgerStore } from '../adapters/aws/dynamo-ledger.js';
import * as orderTable from '../adapters/aws/dynamo-order-store.js';
import { DynamoOrderStore } from '../adapters/aws/dynamo-order-store.js';
import { DynamoPartnerStateStore } from '../adapters/aws/dynamo-partner-state-store.js';
import * as secretTable from '../adapters/aws/dynamo-record-secret-store.js';
import { DynamoRecordSecretStore } from '../adapters/aws/dynamo-record-secret-store.js';
import {
  shreddingConsentStore,
  shreddingDeleteCustomer,
  shreddingDeletePersonal,
  shreddingOrderStore,
} from '../adapters/shredding-stores.js';
import type { Config } from '../config.js';
import type { LedgerStore } from '../ledger-ports.js';
import type {
  ConsentStore,
  ErasureFenceStore,
  IdempotencyStore,
  KeyRecordStore,
  OrderStore,
  PartnerStateStore,
} from '../ports.js';
import type { ErasureLog, ErasureLogEntry, RecordSecretStore } from '../record-secrets.js';
import { clock, installed } from './installed.js';

type TableSettings = Pick<Config, 'tableName'>;
type ShreddingSettings = Pick<Config, 'tableName' | 'keyTableName' | 'shredBackupDays'>;

let client: DynamoDBDocumentClient | undefined;

/** The document client (its endpoint from the SDK's configuration, AWS_ENDPOINT_URL_DYNAMODB). */
export function dynamo(): DynamoDBDocumentClient {
  const local = installed()?.db;
  if (local) return local;
  client ??= documentClient(new DynamoDBClient({}));
  return client;
}

/** The order table through the module's client: what the per-use stores below bind their functions to. */
const table = (config: TableSettings): DynamoTable => ({ db: dynamo(), tableName: config.tableName });

export function recordSecretStore(config: Pick<Config, 'keyTableName'>): RecordSecretStore {
  return installed()?.recordSecrets ?? new DynamoRecordSecretStore(dynamo(), config.keyTableName);
}

export function erasureLog(config: ShreddingSettings): ErasureLog {
  return installed()?.erasureLog ?? new DynamoErasureLog(dynamo(), config.tableName, keepDays(config));
}

const keepDays = (config: ShreddingSettings) => config.shredBackupDays + 1;

/** The key-table secrets that the purge sweeps and shreds (nothing else of the store is bundled). */
export function purgingSecrets(
  config: Pick<Config, 'keyTableName'>,
): Pick<RecordSecretStore, 'sweepExpired' | 'shred'> {
  const local = installed()?.recordSecrets;
  if (local) return local;
  const t: DynamoTable = { db: dynamo(), tableName: config.keyTableName };
  return {
    sweepExpired: (now) => secretTable.sweepExpired(t, now),
    shred: (recordKeys) => secretTable.shred(t, recordKeys),
  };
}

/** The erasure log that the purge re-applies (and appends to, through its shredded deletes). */
export function purgingErasureLog(config: ShreddingSettings): Pick<ErasureLog, 'entries'> {
  const local = installed()?.erasureLog;
  if (local) return local;
  const t = table(config);
  return { entries: () => erasureLogTable.entries(t) };
}

/**
 * What a shredded delete takes (`shreddingDeletePersonal`, `shreddingDeleteCustomer`) and no more:
 * the log's append and the secrets' shred.
 */
function shredder(config: ShreddingSettings) {
  const local = installed();
  const secrets: DynamoTable = { db: dynamo(), tableName: config.keyTableName };
  const log: erasureLogTable.ErasureLogTable = { ...table(config), keepDays: keepDays(config) };
  return {
    secrets: local?.recordSecrets ?? {
      shred: (recordKeys: readonly string[]) => secretTable.shred(secrets, recordKeys),
    },
    erasureLog: local?.erasureLog ?? {
      append: (recordKeys: readonly string[], reason: ErasureLogEntry['reason'], at: Date) =>
        erasureLogTable.append(log, recordKeys, reason, at),
    },
    clock: clock(),
  };
}

const shredding = (config: ShreddingSettings) => ({
  secrets: recordSecretStore(config),
  erasureLog: erasureLog(config),
  clock: clock(),
});

/** Orders and their personal records, each record opened with its key-table secret. */
export function orderStore(config: ShreddingSettings): OrderStore {
  return (
    installed()?.orders ??
    shreddingOrderStore(new DynamoOrderStore(dynamo(), config.tableName), shredding(config))
  );
}

/*
 * Per-use order stores: only the OrderStore functions a use case calls are bound (and so bundled);
 * the whole store is a class whose methods esbuild cannot drop.
 */

/** Order records read by id: the status read (no personal data). */
export function orderReader(config: TableSettings): Pick<OrderStore, 'getOrder'> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  return { getOrder: (orderId) => orderTable.getOrder(t, orderId) };
}

/** What the stream's fan-out does to an order: read it, clear its outbox flag. */
export function fanOutOrders(config: TableSettings): Pick<OrderStore, 'getOrder' | 'markFanoutDone'> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  return {
    getOrder: (orderId) => orderTable.getOrder(t, orderId),
    markFanoutDone: (orderId) => orderTable.markFanoutDone(t, orderId),
  };
}

/** The outbox sweeper's: the fan-out's, and the list of orders still flagged. */
export function outboxOrders(
  config: TableSettings,
): Pick<OrderStore, 'getOrder' | 'markFanoutDone' | 'listPendingFanout'> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  return {
    ...fanOutOrders(config),
    listPendingFanout: (before, limit) => orderTable.listPendingFanout(t, before, limit),
  };
}

/** What the purge and the intake sweep do to orders: find, scan expired, delete (shredded). */
export function purgingOrders(
  config: ShreddingSettings,
): Pick<OrderStore, 'getOrder' | 'scanExpiredPersonal' | 'deletePersonal' | 'removeFromEmailListing'> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  return {
    getOrder: (orderId) => orderTable.getOrder(t, orderId),
    removeFromEmailListing: (emailKey, orderId, at) =>
      orderTable.removeFromEmailListing(t, emailKey, orderId, at),
    scanExpiredPersonal: (now) => orderTable.scanExpiredPersonal(t, now),
    deletePersonal: shreddingDeletePersonal(
      { deletePersonal: (orderId) => orderTable.deletePersonal(t, orderId) },
      shredder(config),
    ),
  };
}

export function consentStore(config: ShreddingSettings): ConsentStore {
  return (
    installed()?.consent ??
    shreddingConsentStore(new DynamoConsentStore(dynamo(), config.tableName), shredding(config))
  );
}

/** What an opt-out does to consent (unsubscribe, bounces, complaints); a deleted customer is shredded. */
export function optOutConsent(
  config: ShreddingSettings,
): Pick<
  ConsentStore,
  'getCustomer' | 'appendConsent' | 'getSuppression' | 'putSuppression' | 'deleteCustomer'
> {
  const local = installed()?.consent;
  if (local) return local;
  const t = table(config);
  return {
    getCustomer: (emailKey) => consentTable.getCustomer(t, emailKey),
    appendConsent: (emailKey, event, marketing) => consentTable.appendConsent(t, emailKey, event, marketing),
    getSuppression: (emailKey) => consentTable.getSuppression(t, emailKey),
    putSuppression: (record) => consentTable.putSuppression(t, record),
    deleteCustomer: shreddingDeleteCustomer(
      { deleteCustomer: (emailKey) => consentTable.deleteCustomer(t, emailKey) },
      shredder(config),
    ),
  };
}

/** What a confirmation link does to consent: confirm the request it names (one conditional write). */
export function confirmingConsent(config: TableSettings): Pick<ConsentStore, 'confirmConsent'> {
  const local = installed()?.consent;
  if (local) return local;
  const t = table(config);
  return {
    confirmConsent: (emailKey, requestId, event, nowSeconds) =>
      consentTable.confirmConsent(t, emailKey, requestId, event, nowSeconds),
  };
}

/** What the intake sweep does to consent: delete a raced customer record (shredded). */
export function purgingConsent(config: ShreddingSettings): Pick<ConsentStore, 'deleteCustomer'> {
  const local = installed()?.consent;
  if (local) return local;
  const t = table(config);
  return {
    deleteCustomer: shreddingDeleteCustomer(
      { deleteCustomer: (emailKey) => consentTable.deleteCustomer(t, emailKey) },
      shredder(config),
    ),
  };
}

/** The intake sweep's side of the idempotency claims: list the abandoned ones, settle each. */
export function abandonedIntakes(config: TableSettings): Pick<IdempotencyStore, 'listAbandoned' | 'settle'> {
  const local = installed()?.idempotency;
  if (local) return local;
  const t = table(config);
  return {
    listAbandoned: (beforeMs, limit) => idempotencyTable.listAbandoned(t, beforeMs, limit),
    settle: (key, expectedLeaseUntil) => idempotencyTable.settle(t, key, expectedLeaseUntil),
  };
}

export function idempotencyStore(config: TableSettings): IdempotencyStore {
  return installed()?.idempotency ?? new DynamoIdempotencyStore(dynamo(), config.tableName);
}

export function fenceStore(config: TableSettings): ErasureFenceStore {
  return installed()?.fence ?? new DynamoErasureFenceStore(dynamo(), config.tableName);
}

/** The fence read alone: an intake's or opt-out's re-check (begin/end belong to the erasure). */
export function fenceReader(config: TableSettings): Pick<ErasureFenceStore, 'readFence'> {
  const local = installed()?.fence;
  if (local) return local;
  const t = table(config);
  return { readFence: (emailKey) => fenceTable.readFence(t, emailKey) };
}

export function keyRecordStore(config: TableSettings): KeyRecordStore {
  return installed()?.keyRecords ?? new DynamoKeyRecordStore(dynamo(), config.tableName);
}

export function partnerStateStore(config: TableSettings): PartnerStateStore {
  return installed()?.partnerState ?? new DynamoPartnerStateStore(dynamo(), config.tableName);
}

/** The disclosure ledger (on the order items). */
export function ledgerStore(config: TableSettings): LedgerStore {
  return installed()?.ledger ?? new DynamoLedgerStore(dynamo(), config.tableName);
}
