/**
 * The DynamoDB side of a function: one module-scope client, and the stores over the order table
 * and the key table, each built on first use. Only functions that import this bundle DynamoDB.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type DynamoTable, documentClient } from '../adapters/aws/dynamo-client.js';
import { DynamoConsentStore } from '../adapters/aws/dynamo-consent-store.js';
import { DynamoErasureFenceStore } from '../adapters/aws/dynamo-erasure-fence.js';
import { DynamoErasureLog } from '../adapters/aws/dynamo-erasure-log.js';
import { DynamoIdempotencyStore } from '../adapters/aws/dynamo-idempotency-store.js';
import { DynamoKeyRecordStore } from '../adapters/aws/dynamo-key-record-store.js';
import { DynamoLedgerStore } from '../adapters/aws/dynamo-ledger.js';
import * as orderTable from '../adapters/aws/dynamo-order-store.js';
import { DynamoOrderStore } from '../adapters/aws/dynamo-order-store.js';
import { DynamoPartnerStateStore } from '../adapters/aws/dynamo-partner-state-store.js';
import { DynamoRecordSecretStore } from '../adapters/aws/dynamo-record-secret-store.js';
import {
  shreddingConsentStore,
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
import type { ErasureLog, RecordSecretStore } from '../record-secrets.js';
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

export function recordSecretStore(config: Pick<Config, 'keyTableName'>): RecordSecretStore {
  return installed()?.recordSecrets ?? new DynamoRecordSecretStore(dynamo(), config.keyTableName);
}

export function erasureLog(config: ShreddingSettings): ErasureLog {
  return (
    installed()?.erasureLog ?? new DynamoErasureLog(dynamo(), config.tableName, config.shredBackupDays + 1)
  );
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

const table = (config: TableSettings): DynamoTable => ({ db: dynamo(), tableName: config.tableName });

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

/** The outbox's side of the order records: the stream's fan-out and the sweeper's list. */
export function outboxOrders(
  config: TableSettings,
): Pick<OrderStore, 'getOrder' | 'markFanoutDone' | 'listPendingFanout'> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  return {
    getOrder: (orderId) => orderTable.getOrder(t, orderId),
    markFanoutDone: (orderId) => orderTable.markFanoutDone(t, orderId),
    listPendingFanout: (before, limit) => orderTable.listPendingFanout(t, before, limit),
  };
}

/** What the purge and the intake sweep do to orders: find, scan expired, delete (shredded). */
export function purgingOrders(
  config: ShreddingSettings,
): Pick<OrderStore, 'getOrder' | 'scanExpiredPersonal' | 'deletePersonal'> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  return {
    getOrder: (orderId) => orderTable.getOrder(t, orderId),
    scanExpiredPersonal: (now) => orderTable.scanExpiredPersonal(t, now),
    deletePersonal: shreddingDeletePersonal(
      { deletePersonal: (orderId) => orderTable.deletePersonal(t, orderId) },
      shredding(config),
    ),
  };
}

/** The order records alone, for functions that never read personal data (status, outbox). */
export function orderRecordStore(config: TableSettings): OrderStore {
  return installed()?.orders ?? new DynamoOrderStore(dynamo(), config.tableName);
}

export function consentStore(config: ShreddingSettings): ConsentStore {
  return (
    installed()?.consent ??
    shreddingConsentStore(new DynamoConsentStore(dynamo(), config.tableName), shredding(config))
  );
}

export function idempotencyStore(config: TableSettings): IdempotencyStore {
  return installed()?.idempotency ?? new DynamoIdempotencyStore(dynamo(), config.tableName);
}

export function fenceStore(config: TableSettings): ErasureFenceStore {
  return installed()?.fence ?? new DynamoErasureFenceStore(dynamo(), config.tableName);
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
