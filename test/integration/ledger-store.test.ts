/**
 * The ledger's conditional appends on DynamoDB (dynalite): appenders that chained on the same
 * stale tip all land in one chain, whether their entries ride on a delivery-state write, an email
 * write or stand alone; a state write whose own condition fails appends nothing; a write-ahead
 * entry chained on a tip from before an erasure is refused once the re-read tip holds `erased`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoCertificateStore, DynamoLedgerStore } from '../../shared/adapters/aws/dynamo-ledger.js';
import { DynamoOrderStore } from '../../shared/adapters/aws/dynamo-order-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import { type EmbeddedDynamo, ensureTables } from '../../shared/adapters/local/embedded-dynamodb.js';
import type { ErasureCertificate } from '../../shared/domain/certificate.js';
import { DependencyError, OrderErasedError } from '../../shared/domain/errors.js';
import { type LedgerEvent, type Mac, verifyLedger } from '../../shared/domain/ledger.js';
import type { OrderRecord } from '../../shared/domain/order.js';
import { appendOf, writeAheadOf } from '../../shared/usecases/disclosure-ledger.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let orders: DynamoOrderStore;
let ledger: DynamoLedgerStore;
let certificates: DynamoCertificateStore;
const AT = '2026-12-01T10:00:00.000Z';
const key = randomBytes(32);
const mac: Mac = async (data) => createHmac('sha256', key).update(data).digest('base64url');
let n = 0;

function order(): OrderRecord {
  const orderId = `ord_${String(n++).padStart(26, '0')}`;
  return {
    orderId,
    createdAt: AT,
    updatedAt: AT,
    status: 'accepted',
    items: [{ sku: 'A', name: 'B', quantity: 1, unitPrice: 100 }],
    currency: 'EUR',
    country: 'GB',
    paymentReference: 'pi_1',
    trackingNumber: null,
    trackingUrl: null,
    deliveredAt: null,
    deliveries: {
      carrier: { state: 'pending', updatedAt: AT },
      warehouse: { state: 'pending', updatedAt: AT },
    },
    emails: {},
    processedEvents: [],
    outbox: 'done',
  };
}
const sent = (recipient: string): LedgerEvent => ({
  type: 'sent',
  by: 'partner-delivery',
  recipient,
  messageType: 'x',
  fields: [],
  webhookId: `msg_${recipient}`,
});

beforeAll(async () => {
  ({ dynamo, client } = await startTestDynamo());
  await ensureTables(client, [tableDefinition('orders')]);
  const db = documentClient(client);
  orders = new DynamoOrderStore(db, 'orders');
  ledger = new DynamoLedgerStore(db, 'orders');
  certificates = new DynamoCertificateStore(db, 'orders');
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

/** A new order, stored with an empty personal record. */
async function storedOrder(): Promise<OrderRecord> {
  const record = order();
  await orders.putOrder(record, {
    orderId: record.orderId,
    emailKey: 'k'.repeat(43),
    sealed: {},
    expiresAt: 2e9,
  });
  return record;
}

describe('DynamoDB ledger appends', () => {
  it('concurrent appenders from the same stale tip never fork the chain or lose an entry', async () => {
    // Prepare: every appender read the order before any of them wrote.
    const record = await storedOrder();
    const seen = (await orders.getOrder(record.orderId)) as OrderRecord;
    // Act
    await Promise.all([
      orders.setDeliveryState(
        record.orderId,
        'carrier',
        'delivered',
        AT,
        appendOf(mac, seen, [sent('carrier')], AT),
      ),
      orders.setDeliveryState(
        record.orderId,
        'warehouse',
        'delivered',
        AT,
        appendOf(mac, seen, [sent('warehouse')], AT),
      ),
      orders.markEmailSent(record.orderId, 'order-confirmation', appendOf(mac, seen, [sent('mailbox')], AT)),
      ledger.appendLedger(record.orderId, appendOf(mac, seen, [sent('operator')], AT)),
    ]);
    // Assess
    const stored = await ledger.getLedger(record.orderId);
    expect(stored?.entries.map((e) => (e.type === 'sent' ? e.recipient : '')).sort()).toEqual([
      'carrier',
      'mailbox',
      'operator',
      'warehouse',
    ]);
    expect(await verifyLedger(mac, record.orderId, stored?.entries ?? [], stored?.head)).toEqual({
      ok: true,
      entries: 4,
      problems: [],
    });
    const after = await orders.getOrder(record.orderId);
    expect(after?.deliveries.carrier?.state).toBe('delivered');
    expect(after?.deliveries.warehouse?.state).toBe('delivered');
    expect(after?.emails['order-confirmation']?.state).toBe('sent');
    expect(after?.ledgerTip?.count).toBe(4);
  });

  it('a write the SDK sent again after a lost answer (its retry fails the condition) is entered once', async () => {
    // Prepare: a client whose first UpdateItem commits, then is sent again, as the SDK retries a
    // request whose answer was lost: the retry meets the moved head and fails its condition.
    const record = await storedOrder();
    const seen = (await orders.getOrder(record.orderId)) as OrderRecord;
    const db = documentClient(client);
    const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
    let retried = false;
    (db as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (command) => {
      const first = await send(command);
      if (retried || (command as object).constructor.name !== 'UpdateCommand') return first;
      retried = true;
      return send(command);
    };
    const retrying = new DynamoOrderStore(db, 'orders');

    // Act
    await retrying.setDeliveryState(
      record.orderId,
      'carrier',
      'delivered',
      AT,
      appendOf(mac, seen, [sent('carrier')], AT),
    );

    // Assess: written, its entry once, the chain intact.
    const stored = await ledger.getLedger(record.orderId);
    expect(retried).toBe(true);
    expect((await orders.getOrder(record.orderId))?.deliveries.carrier?.state).toBe('delivered');
    expect(stored?.entries.map((e) => e.type)).toEqual(['sent']);
    expect((await verifyLedger(mac, record.orderId, stored?.entries ?? [], stored?.head)).ok).toBe(true);
  });

  it('a state write whose own condition fails appends nothing, and an unknown order takes no entry', async () => {
    // Prepare
    const record = await storedOrder();
    await orders.setDeliveryState(
      record.orderId,
      'carrier',
      'delivered',
      AT,
      appendOf(mac, record, [sent('first')], AT),
    );
    const seen = (await orders.getOrder(record.orderId)) as OrderRecord;
    // Act
    await orders.setDeliveryState(
      record.orderId,
      'carrier',
      'failed',
      AT,
      appendOf(mac, seen, [sent('late')], AT),
    );
    const unknown = await ledger.appendLedger(
      'ord_NOPE',
      appendOf(mac, { orderId: 'ord_NOPE' }, [sent('x')], AT),
    );
    // Assess
    const stored = await ledger.getLedger(record.orderId);
    expect(stored?.entries.map((e) => (e.type === 'sent' ? e.recipient : ''))).toEqual(['first']);
    expect(unknown).toBe(false);
    expect(await ledger.getLedger('ord_NOPE')).toBeUndefined();
  });

  it('an email claim after the erasure entry is refused by its condition; one before it stands (review s11b)', async () => {
    // Prepare: one email claimed before the erasure's entry lands
    const record = await storedOrder();
    const T = Date.parse(AT);
    const before = await orders.claimEmail(record.orderId, 'order-confirmation', T + 20_000, T);
    const erased: LedgerEvent = { type: 'erased', by: 'operator', principal: 'p', certificate: 'era_2' };
    await ledger.appendLedger(record.orderId, appendOf(mac, record, [erased], AT));
    // Act: another email, and the first one's lease taken over once it ran out
    const after = await orders.claimEmail(record.orderId, 'shipment-dispatched', T + 20_000, T);
    const takeover = await orders.claimEmail(record.orderId, 'order-confirmation', T + 60_000, T + 30_000);
    // Assess
    expect([before, after, takeover]).toEqual([true, false, false]);
    expect((await orders.getOrder(record.orderId))?.emails).toEqual({
      'order-confirmation': { state: 'sending', leaseUntil: T + 20_000 },
    });
  });

  it("a worker that lost its claim still enters what it opened, and leaves the other worker's claim", async () => {
    // Prepare: A's claim ran out, B took it over
    const record = await storedOrder();
    const T = Date.parse(AT);
    await orders.claimEmail(record.orderId, 'order-confirmation', T + 20_000, T);
    await orders.claimEmail(record.orderId, 'order-confirmation', T + 60_000, T + 30_000);
    const opened: LedgerEvent = { type: 'purpose-opened', by: 'notify-customer', purpose: 'contact' };
    // Act: A gives back what it holds no more, with its ledger entry
    await orders.releaseEmail(
      record.orderId,
      'order-confirmation',
      appendOf(mac, record, [opened], AT),
      T + 20_000,
    );
    // Assess
    const after = await orders.getOrder(record.orderId);
    expect(after?.emails).toEqual({ 'order-confirmation': { state: 'sending', leaseUntil: T + 60_000 } });
    const stored = await ledger.getLedger(record.orderId);
    expect(stored?.entries.map((e) => e.type)).toEqual(['purpose-opened']);
    expect((await verifyLedger(mac, record.orderId, stored?.entries ?? [], stored?.head)).ok).toBe(true);
  });

  it('a write-ahead entry read before an erasure is refused on the tip that holds it; one read after it too', async () => {
    // Prepare: the delivery read the order (no erasure yet); the erasure's entry lands first.
    const record = await storedOrder();
    await ledger.appendLedger(record.orderId, appendOf(mac, record, [sent('warehouse')], AT));
    const seen = (await orders.getOrder(record.orderId)) as OrderRecord;
    const erased: LedgerEvent = { type: 'erased', by: 'operator', principal: 'p', certificate: 'era_1' };
    await ledger.appendLedger(record.orderId, appendOf(mac, seen, [erased], AT));
    const sending: LedgerEvent = {
      type: 'sending',
      by: 'partner-delivery',
      recipient: 'carrier',
      messageType: 'shipment.requested',
      fields: ['customer.givenName'],
      webhookId: 'msg_carrier',
    };
    // Act
    const stale = await ledger
      .appendLedger(record.orderId, writeAheadOf(mac, seen, [sending], AT).append)
      .catch((error: unknown) => error);
    const after = (await orders.getOrder(record.orderId)) as OrderRecord;
    const fresh = await ledger
      .appendLedger(record.orderId, writeAheadOf(mac, after, [sending], AT).append)
      .catch((error: unknown) => error);
    // Assess
    expect(stale).toBeInstanceOf(OrderErasedError);
    expect(fresh).toBeInstanceOf(OrderErasedError);
    expect(seen.ledgerTip).toEqual({ count: 1, lastMac: expect.any(String) });
    expect(after.ledgerTip).toEqual({ count: 2, lastMac: expect.any(String), erased: true });
    const stored = await ledger.getLedger(record.orderId);
    expect(stored?.entries.map((e) => e.type)).toEqual(['sent', 'erased']);
  });
});

describe('DynamoDB erasure journal and certificates', () => {
  it('opens one journal per address, adds each order once, keeps the customer flags, and closes', async () => {
    // Prepare
    const emailKey = 'j'.repeat(43);
    const journal = {
      emailKey,
      certificate: 'era_JOURNAL0000000000000000001',
      principal: 'local:test',
      startedAt: AT,
      found: { reason: 'unsubscribe' as const, at: AT },
      orders: [],
    };
    // Act
    await certificates.openJournal(journal);
    const second = await certificates
      .openJournal({ ...journal, certificate: 'era_OTHER' })
      .catch((e: unknown) => e);
    await certificates.journalOrder(emailKey, 'ord_B');
    await certificates.journalOrder(emailKey, 'ord_A');
    await certificates.journalOrder(emailKey, 'ord_B');
    await certificates.journalCustomer(emailKey, {
      consentLedgerRemoved: true,
      marketingContactRemoved: false,
    });
    const read = await certificates.getJournal(emailKey);
    await certificates.closeJournal(emailKey);
    const noJournal = await certificates.journalOrder(emailKey, 'ord_C').catch((e: unknown) => e);
    // Assess
    expect(second).toBeInstanceOf(DependencyError);
    expect(read).toEqual({
      ...journal,
      orders: ['ord_A', 'ord_B'],
      customer: { consentLedgerRemoved: true, marketingContactRemoved: false },
    });
    expect(await certificates.getJournal(emailKey)).toBeUndefined();
    // A write for a closed journal is refused, so a late run cannot re-create half a journal.
    expect(noJournal).toBeInstanceOf(DependencyError);
    expect(await certificates.getJournal(emailKey)).toBeUndefined();
  });

  it('stores a certificate once: a resumed erasure putting the same id again leaves the first', async () => {
    // Prepare
    const certificate = {
      id: 'era_ONCE00000000000000000000001',
      erasedAt: AT,
      principal: 'local:test',
      outcome: 'erased',
      erased: {
        orders: [],
        personalRecords: 0,
        customerRecords: 0,
        consentLedgerRemoved: false,
        marketingContactRemoved: false,
      },
      copies: [],
      redactions: [],
    } as unknown as ErasureCertificate;
    // Act
    const first = await certificates.putCertificate(certificate);
    const again = await certificates.putCertificate({ ...certificate, principal: 'someone-else' });
    // Assess
    expect([first, again]).toEqual([true, false]);
    expect((await certificates.getCertificate(certificate.id))?.principal).toBe('local:test');
  });
});
