/**
 * The per-use stores of shared/compose/dynamo.ts as a function composes them in AWS mode (nothing
 * installed: the module's own client, its endpoint from AWS_ENDPOINT_URL_DYNAMODB), against
 * dynalite, read back through the whole-store classes that shared/wiring.ts uses: each binds the
 * same adapter functions to the same tables, a shredded delete included.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
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
import { type EmbeddedDynamo, ensureTables } from '../../shared/adapters/local/embedded-dynamodb.js';
import { keys } from '../../shared/contracts.js';
import type { ConsentEvent } from '../../shared/domain/consent.js';
import type { OrderRecord } from '../../shared/domain/order.js';
import { customerRecordId } from '../../shared/domain/sealing.js';
import { recordKey } from '../../shared/record-secrets.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';

type Compose = typeof import('../../shared/compose/dynamo.js');

const T0 = Date.parse('2026-11-25T10:00:00Z');
const today0 = new Date(T0).toISOString().slice(0, 10);
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
  ({ dynamo, client } = await startTestDynamo());
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

  it("the intake's stores: the record pair written (no secret in the order table), listed, a raced one undone and shredded", async () => {
    // Prepare
    const intake = compose.intakeOrders(config);
    const secret = Uint8Array.from({ length: 32 }, () => 9);
    const personal = {
      orderId: 'ord_use_intake',
      emailKey: EMAIL_KEY,
      sealed: { shipping: Uint8Array.of(4, 5) },
      expiresAt: T0 / 1000 + 86_400,
    };
    // Act
    await compose.secretClaims(config).claim('ord_use_intake', secret, personal.expiresAt);
    await intake.putPersonal({ ...personal, secret });
    await intake.putOrderRecord(order('ord_use_intake'));
    await intake.addToEmailListing(EMAIL_KEY, 'ord_use_intake', new Date(T0));
    const listing = async () =>
      (
        await documentClient(client).send(
          new GetCommand({ TableName: config.tableName, Key: { pk: keys.emailListing(EMAIL_KEY, today0) } }),
        )
      ).Item?.orders as Set<string> | undefined;
    const listed = await listing();
    const stored = await orders.getPersonal('ord_use_intake', new Date(T0));
    const read = await intake.getOrder('ord_use_intake');
    await intake.removeFromEmailListing(EMAIL_KEY, 'ord_use_intake', new Date(T0));
    const unlisted = await listing();
    const deleted = await intake.deletePersonal('ord_use_intake');
    // Assess
    expect(stored).toEqual(personal);
    expect(read).toEqual(order('ord_use_intake'));
    expect([...(listed ?? [])]).toContain('ord_use_intake');
    expect([...(unlisted ?? [])]).not.toContain('ord_use_intake');
    expect(deleted).toBe(true);
    expect((await entries()).filter((e) => e.key === recordKey('ord_use_intake'))).toEqual([
      { key: recordKey('ord_use_intake'), reason: 'erasure', day: today() },
    ]);
    expect([...(await secrets.getSecrets(['ord_use_intake'], new Date(T0))).keys()]).toEqual([]);
  });

  it("the intake's consent and claim: append, ask for confirmation, claim, take over, mark and settle", async () => {
    // Prepare
    const intakeConsent = compose.intakeConsent(config);
    const claims = compose.intakeIdempotency(config);
    const whole = new DynamoIdempotencyStore(documentClient(client), config.tableName);
    const emailKey = 'i'.repeat(43);
    const withoutKey = (result: { claimed: boolean; existing?: object }) =>
      'existing' in result && result.existing
        ? { ...result, existing: { ...result.existing, key: '-' } }
        : result;
    const claim = {
      key: 'mac-intake',
      requestMac: 'r',
      orderId: 'ord_use_claim2',
      state: 'in-progress' as const,
      leaseUntil: T0 + 1000,
      expiresAt: T0 / 1000 + 86_400,
      emailKey,
      optIn: true,
    };
    // Act
    await intakeConsent.appendConsent(emailKey, optOut, null);
    const customer = await intakeConsent.getCustomer(emailKey);
    const suppression = await intakeConsent.getSuppression(emailKey);
    const first = await claims.claim(claim, T0);
    const again = await claims.claim(claim, T0);
    const takenOver = await claims.takeOver('mac-intake', T0 + 1000, T0 + 5000);
    await claims.setMark('mac-intake', 42);
    await claims.settle('mac-intake', T0 + 5000);
    const deleted = await intakeConsent.deleteCustomer(emailKey);
    // An erasure mark in the key table (the order table's entry gone, as after a restore).
    await secrets.markErased(emailKey, '2026-12-01T00:00:00.000Z');
    const marked = await intakeConsent.getSuppression(emailKey);
    // Assess
    expect(customer).toEqual({ emailKey, consent: [optOut], updatedAt: optOut.at });
    expect(suppression).toBeUndefined();
    expect(marked).toEqual({ emailKey, reason: 'erasure', at: '2026-12-01T00:00:00.000Z' });
    expect(await consent.getSuppression(emailKey)).toBeUndefined();
    expect(await secrets.erasedAt(emailKey)).toBe('2026-12-01T00:00:00.000Z');
    expect(withoutKey(first)).toEqual(
      withoutKey(await whole.claim({ ...claim, key: 'mac-intake-whole' }, T0)),
    );
    expect(withoutKey(again)).toEqual(
      withoutKey(await whole.claim({ ...claim, key: 'mac-intake-whole' }, T0)),
    );
    expect(first.claimed).toBe(true);
    expect(again.claimed).toBe(false);
    expect(takenOver).toEqual(await whole.takeOver('mac-intake-whole', T0 + 1000, T0 + 5000));
    expect(deleted).toBe(true);
    expect(await consent.getCustomer(emailKey)).toBeUndefined();
  });

  it("a partner event's stores: the status change applied once, the expiry moved on the record and its secret", async () => {
    // Prepare
    const status = compose.statusOrders(config);
    await orders.putOrderRecord(order('ord_use_status'));
    await orders.putPersonal({
      orderId: 'ord_use_status',
      emailKey: EMAIL_KEY,
      sealed: { shipping: Uint8Array.of(1) },
      expiresAt: T0 / 1000 + 86_400,
    });
    await secrets.claim(
      'ord_use_status',
      Uint8Array.from({ length: 32 }, () => 3),
      T0 / 1000 + 86_400,
    );
    const change = {
      partnerId: 'carrier',
      eventId: 'evt_1',
      to: 'delivered' as const,
      from: ['accepted', 'dispatched'] as const,
      at: new Date(T0).toISOString(),
    };
    // Act
    const applied = await status.applyStatusChange('ord_use_status', change);
    const replay = await status.applyStatusChange('ord_use_status', change);
    const stranger = await status.applyStatusChange('ord_use_status', { ...change, partnerId: 'warehouse' });
    await status.setPersonalExpiry('ord_use_status', T0 / 1000 + 3600, new Date(T0));
    // Assess
    expect([applied.outcome, replay.outcome, stranger.outcome]).toEqual(['applied', 'replay', 'not-routed']);
    expect((await orders.getPersonal('ord_use_status', new Date(T0)))?.expiresAt).toBe(T0 / 1000 + 3600);
    expect([...(await secrets.getSecrets(['ord_use_status'], new Date(T0 + 3_599_000))).keys()]).toEqual([
      'ord_use_status',
    ]);
    expect([...(await secrets.getSecrets(['ord_use_status'], new Date(T0 + 3_601_000))).keys()]).toEqual([]);
  });

  it("a customer email's and a delivery's stores: the record opened with its secret (gone without one), the email claimed and marked, the delivery recorded", async () => {
    // Prepare
    const notify = compose.notifyOrders(config);
    const delivery = compose.deliveryOrders(config);
    const secret = Uint8Array.from({ length: 32 }, () => 5);
    for (const orderId of ['ord_use_mail', 'ord_use_gone']) {
      await orders.putOrderRecord(order(orderId));
      await orders.putPersonal({
        orderId,
        emailKey: EMAIL_KEY,
        sealed: { contact: Uint8Array.of(2, 1, 0) },
        expiresAt: T0 / 1000 + 86_400,
      });
    }
    await secrets.claim('ord_use_mail', secret, undefined);
    const whole = compose.orderStore(config);
    // Act
    const opened = await notify.getPersonal('ord_use_mail', new Date(T0));
    const openedForDelivery = await delivery.getPersonal('ord_use_mail', new Date(T0));
    const gone = await delivery.getPersonal('ord_use_gone', new Date(T0));
    const claimed = await notify.claimEmail('ord_use_mail', 'order.accepted', T0 + 20_000, T0);
    const claimedTwice = await notify.claimEmail('ord_use_mail', 'order.accepted', T0 + 20_000, T0);
    await notify.markEmailSent('ord_use_mail', 'order.accepted');
    await notify.claimEmail('ord_use_mail', 'shipment.delivered', T0 + 20_000, T0);
    await notify.releaseEmail('ord_use_mail', 'shipment.delivered');
    await delivery.setDeliveryState('ord_use_mail', 'carrier', 'delivered', new Date(T0 + 5).toISOString());
    const after = await notify.getOrder('ord_use_mail');
    // Assess
    expect(opened).toEqual(await whole.getPersonal('ord_use_mail', new Date(T0)));
    expect(opened?.secret).toEqual(secret);
    expect(openedForDelivery).toEqual(opened);
    expect(gone).toEqual(await whole.getPersonal('ord_use_gone', new Date(T0)));
    expect([claimed, claimedTwice]).toEqual([true, false]);
    expect(after).toEqual(await orders.getOrder('ord_use_mail'));
    expect(after?.emails['order.accepted']?.state).toBe('sent');
    expect(after?.emails['shipment.delivered']).toBeUndefined();
    expect(after?.deliveries.carrier).toEqual({
      state: 'delivered',
      updatedAt: new Date(T0 + 5).toISOString(),
    });
  });

  it("a customer email's consent and secrets: read the customer and suppression, the confirmation email claimed and finished", async () => {
    // Prepare
    const notifyConsent = compose.notifyConsent(config);
    const emailKey = 'n'.repeat(43);
    await consent.appendConsent(emailKey, { ...optOut, granted: true, source: 'checkout' }, Uint8Array.of(1));
    await consent.putSuppression({ emailKey, reason: 'bounce', at: optOut.at });
    await secrets.claim(
      customerRecordId(emailKey),
      Uint8Array.from({ length: 32 }, () => 1),
      undefined,
    );
    const request = { id: 'req_1', expiresAt: T0 / 1000 + 86_400, email: 'requested' as const };
    // Act
    const requested = await compose
      .intakeConsent(config)
      .requestConfirmation(
        emailKey,
        { ...optOut, granted: true, source: 'checkout' },
        request,
        Uint8Array.of(8),
        T0 / 1000,
      );
    const claimed = await notifyConsent.claimConfirmationEmail(emailKey, 'req_1', T0 + 20_000, T0);
    const claimedTwice = await notifyConsent.claimConfirmationEmail(emailKey, 'req_1', T0 + 20_000, T0);
    await notifyConsent.finishConfirmationEmail(emailKey, 'req_1', true);
    const customer = await notifyConsent.getCustomer(emailKey);
    const suppression = await notifyConsent.getSuppression(emailKey);
    const read = await compose.secretReader(config).getSecrets([customerRecordId(emailKey)], new Date(T0));
    // An erasure mark newer than the entry (the order table restored from before the erasure).
    const markAt = new Date(Date.parse(optOut.at) + 1000).toISOString();
    await secrets.markErased(emailKey, markAt);
    const marked = await notifyConsent.getSuppression(emailKey);
    // Assess
    expect(marked).toEqual({ emailKey, reason: 'erasure', at: markAt });
    expect([requested, claimed, claimedTwice]).toEqual([true, true, false]);
    expect(customer?.confirmation).toEqual({ ...request, email: 'sent' });
    expect(customer?.pendingMarketing).toEqual(Uint8Array.of(8));
    expect(customer).toEqual(await consent.getCustomer(emailKey));
    expect(suppression).toEqual({ emailKey, reason: 'bounce', at: optOut.at });
    expect(read).toEqual(await secrets.getSecrets([customerRecordId(emailKey)], new Date(T0)));
    expect(read.size).toBe(1);
  });
});
