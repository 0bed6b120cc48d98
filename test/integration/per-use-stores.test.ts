/**
 * The per-use stores of shared/compose/dynamo.ts as a function composes them in AWS mode (nothing
 * installed: the module's own client, its endpoint from AWS_ENDPOINT_URL_DYNAMODB), against
 * dynalite, read back through the whole-store classes that shared/wiring.ts uses: each binds the
 * same adapter functions to the same tables, a shredded delete included.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoConsentStore } from '../../shared/adapters/aws/dynamo-consent-store.js';
import { DynamoErasureLog } from '../../shared/adapters/aws/dynamo-erasure-log.js';
import { DynamoIdempotencyStore } from '../../shared/adapters/aws/dynamo-idempotency-store.js';
import { DynamoOrderStore } from '../../shared/adapters/aws/dynamo-order-store.js';
import {
  DynamoRecordSecretStore,
  keyTableDefinition,
} from '../../shared/adapters/aws/dynamo-record-secret-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import {
  type EmbeddedDynamo,
  ensureTables,
  startDynalite,
} from '../../shared/adapters/local/embedded-dynamodb.js';
import type { ConsentEvent } from '../../shared/domain/consent.js';
import type { OrderRecord } from '../../shared/domain/order.js';
import { customerRecordId } from '../../shared/domain/sealing.js';
import { recordKey } from '../../shared/record-secrets.js';

type Compose = typeof import('../../shared/compose/dynamo.js');

const T0 = Date.parse('2026-11-25T10:00:00Z');
/** The erasure log's day: the shredded deletes run on the system clock (nothing installed). */
const today = () => new Date().toISOString().slice(0, 10);
const config = { tableName: 'orders', keyTableName: 'keys', shredBackupDays: 35 };
const EMAIL_KEY = 'k'.repeat(43);

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let compose: Compose;
let orders: DynamoOrderStore;
let consent: DynamoConsentStore;
let secrets: DynamoRecordSecretStore;
let log: DynamoErasureLog;

function order(orderId: string): OrderRecord {
  const at = new Date(T0).toISOString();
  return {
    orderId,
    createdAt: at,
    updatedAt: at,
    status: 'accepted',
    items: [{ sku: 'A', name: 'B', quantity: 1, unitPrice: 100 }],
    currency: 'EUR',
    country: 'GB',
    paymentReference: 'pi_1',
    trackingNumber: null,
    trackingUrl: null,
    deliveredAt: null,
    deliveries: { carrier: { state: 'pending', updatedAt: at } },
    emails: {},
    processedEvents: [],
    outbox: 'pending',
  };
}

const optOut: ConsentEvent = {
  granted: false,
  at: new Date(T0).toISOString(),
  source: 'unsubscribe-link',
  policyVersion: 'v1',
};

beforeAll(async () => {
  dynamo = await startDynalite({ port: 0 });
  client = new DynamoDBClient({
    endpoint: dynamo.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await ensureTables(client, [tableDefinition(config.tableName), keyTableDefinition(config.keyTableName)]);
  const doc = documentClient(client);
  orders = new DynamoOrderStore(doc, config.tableName);
  consent = new DynamoConsentStore(doc, config.tableName);
  secrets = new DynamoRecordSecretStore(doc, config.keyTableName);
  log = new DynamoErasureLog(doc, config.tableName, config.shredBackupDays + 1);
  // What Lambda gives a function: the SDK's configuration in the environment.
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.url);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'x');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
  compose = await import('../../shared/compose/dynamo.js');
});
afterAll(async () => {
  compose.dynamo().destroy();
  vi.unstubAllEnvs();
  client.destroy();
  await dynamo.stop();
});

const entries = async () => {
  const found = [];
  for await (const entry of log.entries()) found.push(entry);
  return found;
};

describe('per-use stores in AWS mode', () => {
  it('the status read and the outbox: read an order, list it while flagged, clear its flag', async () => {
    // Prepare
    await orders.putOrderRecord(order('ord_use_outbox'));
    const outbox = compose.outboxOrders(config);
    // Act
    const read = await compose.orderReader(config).getOrder('ord_use_outbox');
    const listed = await outbox.listPendingFanout(new Date(T0 + 1000), 10);
    await compose.fanOutOrders(config).markFanoutDone('ord_use_outbox');
    // Assess
    expect(read).toEqual(order('ord_use_outbox'));
    expect(listed).toEqual(['ord_use_outbox']);
    expect((await orders.getOrder('ord_use_outbox'))?.outbox).toBe('done');
    expect(await outbox.listPendingFanout(new Date(T0 + 1000), 10)).toEqual([]);
  });

  it("the purge's delete logs the record key with its reason, shreds the secret, then deletes the record", async () => {
    // Prepare
    await orders.putPersonal({
      orderId: 'ord_use_purge',
      emailKey: EMAIL_KEY,
      sealed: { shipping: Uint8Array.of(1, 2, 3) },
      expiresAt: T0 / 1000 - 60,
    });
    await secrets.claim(
      'ord_use_purge',
      Uint8Array.from({ length: 32 }, (_, i) => i),
      undefined,
    );
    const purging = compose.purgingOrders(config);
    // Act
    const expired = [];
    for await (const record of purging.scanExpiredPersonal(new Date(T0))) expired.push(record.orderId);
    const deleted = await purging.deletePersonal('ord_use_purge', 'expiry');
    // Assess
    expect(expired).toEqual(['ord_use_purge']);
    expect(deleted).toBe(true);
    expect((await entries()).filter((e) => e.key === recordKey('ord_use_purge'))).toEqual([
      { key: recordKey('ord_use_purge'), reason: 'expiry', day: today() },
    ]);
    expect([...(await secrets.getSecrets(['ord_use_purge'], new Date(T0))).keys()]).toEqual([]);
    expect(await orders.getPersonal('ord_use_purge', new Date(T0 - 3_600_000))).toBeUndefined();
    expect(await purging.deletePersonal('ord_use_purge', 'expiry')).toBe(false);
  });

  it("an opt-out's consent: append and read back, suppress, and a shredded customer delete", async () => {
    // Prepare
    const optOutConsent = compose.optOutConsent(config);
    await secrets.claim(
      customerRecordId(EMAIL_KEY),
      Uint8Array.from({ length: 32 }, () => 7),
      undefined,
    );
    // Act
    await optOutConsent.appendConsent(EMAIL_KEY, optOut, null);
    const customer = await optOutConsent.getCustomer(EMAIL_KEY);
    await optOutConsent.putSuppression({ emailKey: EMAIL_KEY, reason: 'unsubscribe', at: optOut.at });
    const suppression = await optOutConsent.getSuppression(EMAIL_KEY);
    const deleted = await compose.purgingConsent(config).deleteCustomer(EMAIL_KEY);
    // Assess
    expect(customer).toEqual({ emailKey: EMAIL_KEY, consent: [optOut], updatedAt: optOut.at });
    expect(suppression).toEqual({ emailKey: EMAIL_KEY, reason: 'unsubscribe', at: optOut.at });
    expect(deleted).toBe(true);
    expect(await consent.getCustomer(EMAIL_KEY)).toBeUndefined();
    const key = recordKey(customerRecordId(EMAIL_KEY));
    expect((await entries()).filter((e) => e.key === key)).toEqual([
      { key, reason: 'erasure', day: today() },
    ]);
    expect([...(await secrets.getSecrets([customerRecordId(EMAIL_KEY)], new Date(T0))).keys()]).toEqual([]);
  });

  it('the intake sweep: the fence read, the abandoned claims listed and settled, the erasure log re-read', async () => {
    // Prepare
    await new DynamoIdempotencyStore(documentClient(client), config.tableName).claim(
      {
        key: 'mac-use',
        requestMac: 'r',
        orderId: 'ord_use_claim',
        state: 'in-progress',
        leaseUntil: T0 - 1000,
        expiresAt: T0 / 1000 + 86_400,
        emailKey: EMAIL_KEY,
        optIn: false,
      },
      T0 - 2000,
    );
    const claims = compose.abandonedIntakes(config);
    // Act
    const fence = await compose.fenceReader(config).readFence(EMAIL_KEY);
    const abandoned = await claims.listAbandoned(T0, 10);
    await claims.settle('mac-use', T0 - 1000);
    const logged = [];
    for await (const entry of compose.purgingErasureLog(config).entries()) logged.push(entry.key);
    // Assess
    expect(fence).toEqual({ begun: 0, ended: 0 });
    expect(abandoned.map((c) => [c.key, c.orderId, c.emailKey, c.open])).toEqual([
      ['mac-use', 'ord_use_claim', EMAIL_KEY, true],
    ]);
    expect(await claims.listAbandoned(T0, 10)).toEqual([]);
    expect(logged.sort()).toEqual((await entries()).map((e) => e.key).sort());
  });
});
