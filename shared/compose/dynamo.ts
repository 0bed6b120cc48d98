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
  markedGetSuppression,
  shreddingConsentStore,
  shreddingDeleteCustomer,
  shreddingDeletePersonal,
  shreddingGetPersonal,
  shreddingOrderStore,
  shreddingPutPersonal,
  shreddingSetPersonalExpiry,
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
import type { ErasureLog, ErasureLogEntry, ErasureMarks, RecordSecretStore } from '../record-secrets.js';
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

export function recordSecretStore(config: Pick<Config, 'keyTableName'>): RecordSecretStore & ErasureMarks {
  return installed()?.recordSecrets ?? new DynamoRecordSecretStore(dynamo(), config.keyTableName);
}

export function erasureLog(config: ShreddingSettings): ErasureLog {
  return installed()?.erasureLog ?? new DynamoErasureLog(dynamo(), config.tableName, keepDays(config));
}

const keepDays = (config: ShreddingSettings) => config.shredBackupDays + 1;

/** The key-table secrets that the purge sweeps and shreds (nothing else of the store is bundled). */
export function purgingSecrets(
  config: Pick<Config, 'keyTableName'>,
): Pick<RecordSecretStore, 'sweepExpired' | 'reshred'> {
  const local = installed()?.recordSecrets;
  if (local) return local;
  const t: DynamoTable = { db: dynamo(), tableName: config.keyTableName };
  return {
    sweepExpired: (now) => secretTable.sweepExpired(t, now),
    reshred: (entries) => secretTable.reshred(t, entries),
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

/** The key table's secrets as a use case reads or writes them (only these functions bundled). */
function keyTable(config: Pick<Config, 'keyTableName'>): DynamoTable {
  return { db: dynamo(), tableName: config.keyTableName };
}

/** What an intake does to orders: write the record pair, list it by email, undo a raced one. */
export function intakeOrders(
  config: ShreddingSettings,
): Pick<
  OrderStore,
  | 'getOrder'
  | 'putOrderRecord'
  | 'putPersonal'
  | 'addToEmailListing'
  | 'removeFromEmailListing'
  | 'deletePersonal'
> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  return {
    getOrder: (orderId) => orderTable.getOrder(t, orderId),
    putOrderRecord: (order) => orderTable.putOrderRecord(t, order),
    putPersonal: shreddingPutPersonal({ putPersonal: (personal) => orderTable.putPersonal(t, personal) }),
    addToEmailListing: (emailKey, orderId, at) => orderTable.addToEmailListing(t, emailKey, orderId, at),
    removeFromEmailListing: (emailKey, orderId, at) =>
      orderTable.removeFromEmailListing(t, emailKey, orderId, at),
    deletePersonal: shreddingDeletePersonal(
      { deletePersonal: (orderId) => orderTable.deletePersonal(t, orderId) },
      shredder(config),
    ),
  };
}

/** What a partner's event does to its order: the status change, the after-delivery expiry (secret too). */
export function statusOrders(
  config: ShreddingSettings,
): Pick<OrderStore, 'applyStatusChange' | 'setPersonalExpiry'> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  const secrets = keyTable(config);
  return {
    applyStatusChange: (orderId, change) => orderTable.applyStatusChange(t, orderId, change),
    setPersonalExpiry: shreddingSetPersonalExpiry(
      {
        setPersonalExpiry: (orderId, expiresAt, now) =>
          orderTable.setPersonalExpiry(t, orderId, expiresAt, now),
      },
      {
        secrets: {
          setExpiry: (recordId, expiresAt, now) => secretTable.setExpiry(secrets, recordId, expiresAt, now),
        },
      },
    ),
  };
}

/** An order and its personal record, opened with its key-table secret (notify and deliver read them). */
function orderReads(config: ShreddingSettings): Pick<OrderStore, 'getOrder' | 'getPersonal'> {
  const t = table(config);
  const secrets = keyTable(config);
  return {
    getOrder: (orderId) => orderTable.getOrder(t, orderId),
    getPersonal: shreddingGetPersonal(
      { getPersonal: (orderId, now) => orderTable.getPersonal(t, orderId, now) },
      { secrets: { getSecrets: (recordIds, now) => secretTable.getSecrets(secrets, recordIds, now) } },
    ),
  };
}

/** What a customer email does to its order: read it, claim the email, mark it sent or release it. */
export function notifyOrders(
  config: ShreddingSettings,
): Pick<OrderStore, 'getOrder' | 'getPersonal' | 'claimEmail' | 'markEmailSent' | 'releaseEmail'> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  return {
    ...orderReads(config),
    claimEmail: (orderId, emailType, leaseUntil, nowMs) =>
      orderTable.claimEmail(t, orderId, emailType, leaseUntil, nowMs),
    markEmailSent: (orderId, emailType, ledger) => orderTable.markEmailSent(t, orderId, emailType, ledger),
    releaseEmail: (orderId, emailType, ledger, leaseUntil) =>
      orderTable.releaseEmail(t, orderId, emailType, ledger, leaseUntil),
  };
}

/** What a webhook delivery does to its order: read it, record each partner's delivery state. */
export function deliveryOrders(
  config: ShreddingSettings,
): Pick<OrderStore, 'getOrder' | 'getPersonal' | 'setDeliveryState'> {
  const local = installed()?.orders;
  if (local) return local;
  const t = table(config);
  return {
    ...orderReads(config),
    setDeliveryState: (orderId, partnerId, state, at, ledger) =>
      orderTable.setDeliveryState(t, orderId, partnerId, state, at, ledger),
  };
}

/** The key-table secrets a customer email reads (the marketing contact's). */
export function secretReader(config: Pick<Config, 'keyTableName'>): Pick<RecordSecretStore, 'getSecrets'> {
  const local = installed()?.recordSecrets;
  if (local) return local;
  const t = keyTable(config);
  return { getSecrets: (recordIds, now) => secretTable.getSecrets(t, recordIds, now) };
}

/** The key table's erasure marks, read only (a confirmation link checks its request against them). */
export function erasureMarks(config: Pick<Config, 'keyTableName'>): Pick<ErasureMarks, 'erasedAt'> {
  const local = installed()?.recordSecrets;
  if (local) return local;
  const t = keyTable(config);
  return { erasedAt: (emailKey) => secretTable.erasedAt(t, emailKey) };
}

/** The key-table secrets an intake creates (and only an intake). */
export function secretClaims(config: Pick<Config, 'keyTableName'>): Pick<RecordSecretStore, 'claim'> {
  const local = installed()?.recordSecrets;
  if (local) return local;
  const t = keyTable(config);
  return {
    claim: (recordId, secret, expiresAt, createdAt) =>
      secretTable.claim(t, recordId, secret, expiresAt, createdAt),
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
    appendConsent: (emailKey, event, marketing, ifLedgerLength) =>
      consentTable.appendConsent(t, emailKey, event, marketing, ifLedgerLength),
    // With the key table's erasure mark, as the intake reads it (review s11): after an order-table
    // restore from before an erasure, the first opt-out must not take the address for one never
    // erased (it would write its own reason over the erasure, and the erased history resurface).
    getSuppression: markedGetSuppression(
      { getSuppression: (emailKey) => consentTable.getSuppression(t, emailKey) },
      { erasedAt: (emailKey) => secretTable.erasedAt(keyTable(config), emailKey) },
    ),
    putSuppression: (record) => consentTable.putSuppression(t, record),
    deleteCustomer: shreddingDeleteCustomer(
      { deleteCustomer: (emailKey) => consentTable.deleteCustomer(t, emailKey) },
      shredder(config),
    ),
  };
}

/**
 * What an intake does to consent: read (the suppression with the key table's erasure mark), append,
 * ask for confirmation, delete a raced record (shredded).
 */
export function intakeConsent(
  config: ShreddingSettings,
): Pick<
  ConsentStore,
  'getCustomer' | 'appendConsent' | 'getSuppression' | 'requestConfirmation' | 'deleteCustomer'
> {
  const local = installed()?.consent;
  if (local) return local;
  const t = table(config);
  return {
    getCustomer: (emailKey) => consentTable.getCustomer(t, emailKey),
    appendConsent: (emailKey, event, marketing, ifLedgerLength) =>
      consentTable.appendConsent(t, emailKey, event, marketing, ifLedgerLength),
    // With the key table's erasure mark: an order table restored from before an erasure does not
    // let a checkout opt the address in unconfirmed (read beside the entry: no extra round trip).
    getSuppression: markedGetSuppression(
      { getSuppression: (emailKey) => consentTable.getSuppression(t, emailKey) },
      { erasedAt: (emailKey) => secretTable.erasedAt(keyTable(config), emailKey) },
    ),
    requestConfirmation: (emailKey, event, request, pendingMarketing, nowSeconds) =>
      consentTable.requestConfirmation(t, emailKey, event, request, pendingMarketing, nowSeconds),
    deleteCustomer: shreddingDeleteCustomer(
      { deleteCustomer: (emailKey) => consentTable.deleteCustomer(t, emailKey) },
      shredder(config),
    ),
  };
}

/** What a customer email reads of consent, and the confirmation email's claim and finish. */
export function notifyConsent(
  config: TableSettings & Pick<Config, 'keyTableName'>,
): Pick<
  ConsentStore,
  'getCustomer' | 'getSuppression' | 'claimConfirmationEmail' | 'finishConfirmationEmail'
> {
  const local = installed()?.consent;
  if (local) return local;
  const t = table(config);
  return {
    getCustomer: (emailKey) => consentTable.getCustomer(t, emailKey),
    // With the key table's erasure mark, as the intake reads it (an order table restored from
    // before an erasure brings back an old opt-in whose contact no secret opens any more).
    getSuppression: markedGetSuppression(
      { getSuppression: (emailKey) => consentTable.getSuppression(t, emailKey) },
      { erasedAt: (emailKey) => secretTable.erasedAt(keyTable(config), emailKey) },
    ),
    claimConfirmationEmail: (emailKey, requestId, leaseUntil, nowMs) =>
      consentTable.claimConfirmationEmail(t, emailKey, requestId, leaseUntil, nowMs),
    finishConfirmationEmail: (emailKey, requestId, sent, leaseUntil) =>
      consentTable.finishConfirmationEmail(t, emailKey, requestId, sent, leaseUntil),
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

/** What an intake does to its idempotency claim: claim, take over a dead one, mark, settle. */
export function intakeIdempotency(
  config: TableSettings,
): Pick<IdempotencyStore, 'claim' | 'takeOver' | 'setMark' | 'settle'> {
  const local = installed()?.idempotency;
  if (local) return local;
  const t = table(config);
  return {
    claim: (record, nowMs) => idempotencyTable.claim(t, record, nowMs),
    takeOver: (key, expectedLeaseUntil, leaseUntil, reopen) =>
      idempotencyTable.takeOver(t, key, expectedLeaseUntil, leaseUntil, reopen),
    setMark: (key, fenceEnded) => idempotencyTable.setMark(t, key, fenceEnded),
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
