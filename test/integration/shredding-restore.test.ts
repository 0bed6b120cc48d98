/**
 * Restores cannot resurrect (data-inventory.md, "Erasure and expiry reach backups"): a copy of the
 * order table taken before an erasure or an expiry, restored into the order table with the key
 * table as it is now, opens nothing personal through any read path — export, notification,
 * carrier delivery, order status — with no operator step. And a key table restored from its own
 * backup is shredded again by the next purge (erasure log).
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRecordSecretStore } from '../../shared/adapters/aws/dynamo-record-secret-store.js';
import { createConsentToken } from '../../shared/domain/consent-token.js';
import { decidePromotion } from '../../shared/domain/email-policy.js';
import { RecordShreddedError } from '../../shared/domain/errors.js';
import type { Clock, PartnerClient } from '../../shared/ports.js';
import { recordKey } from '../../shared/record-secrets.js';
import { deliverToPartner } from '../../shared/usecases/deliver-to-partner.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { exportCustomer } from '../../shared/usecases/export-customer.js';
import { getOrderStatus } from '../../shared/usecases/get-order-status.js';
import { notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { purgeExpired } from '../../shared/usecases/purge-expired.js';
import { recordOptOut } from '../../shared/usecases/unsubscribe.js';
import { type Wiring, wire } from '../../shared/wiring.js';
import { type Canaries, canaries, orderBody, personalValues } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { rawTableText } from '../support/raw-table.js';

type Item = Record<string, AttributeValue>;
const DAY_MS = 86_400_000;

let app: TestApp;
let client: DynamoDBClient;

/** A backup of a table: every item as DynamoDB holds it. */
async function snapshot(table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Restores a backup: the table afterwards holds exactly the backup's items. */
async function restore(table: string, keyName: string, backup: readonly Item[]): Promise<void> {
  const deletes = (await snapshot(table)).map((item) => ({
    DeleteRequest: { Key: { [keyName]: item[keyName] as AttributeValue } },
  }));
  const puts = backup.map((item) => ({ PutRequest: { Item: item } }));
  for (const writes of [deletes, puts]) {
    for (let i = 0; i < writes.length; i += 25) {
      await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: writes.slice(i, i + 25) } }));
    }
  }
}

function at(time: Date): Wiring {
  const clock: Clock = { now: () => new Date(time) };
  return wire(app.config, {
    db: app.wiring.db,
    keyService: app.wiring.keyService,
    keyRecords: app.wiring.keyRecords,
    clock,
  });
}

class RecordingPartners implements PartnerClient {
  readonly bodies: string[] = [];
  async post(_url: string, body: string) {
    this.bodies.push(body);
    return { status: 200 };
  }
}

async function place(person: Canaries, marketingOptIn: boolean, key: string): Promise<string> {
  const response = await app.post('/orders', orderBody(person, { marketingOptIn }), {
    'idempotency-key': key,
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

/** Every read path, at `time`, for one order of `person`; returns what each said. */
async function readEverything(w: Wiring, person: Canaries, orderId: string) {
  const partners = new RecordingPartners();
  const exported = await exportCustomer(w, person.email);
  const confirmation = await notifyCustomer(
    { ...w, settings: { publicBaseUrl: w.config.publicBaseUrl } },
    { type: 'order.accepted', orderId },
  );
  const carrier = w.config.partners.find((p) => p.kind === 'carrier');
  if (!carrier) throw new Error('no carrier configured');
  const delivery = await deliverToPartner(
    {
      ...w,
      partnerClient: partners,
      partners: w.config.partners,
      settings: { ...w.config.delivery, originCountry: w.config.originCountry },
    },
    { orderId, partnerId: carrier.id, receiveCount: 1, maxAttempts: 8 },
  );
  const status = await getOrderStatus({ orders: w.orders, partners: w.config.partners }, orderId);
  // The export names the address it was asked about; everything else must be free of it.
  const { email: _asked, ...rest } = exported;
  return { exported: rest, confirmation, delivery, status, partnerBodies: partners.bodies };
}

beforeAll(async () => {
  app = await startTestApp({}, { samplePartners: false });
  // Nothing runs behind the test's back: deliveries and emails stay queued.
  await Promise.all(Object.values(app.consumers).map((c) => c.stop()));
  client = new DynamoDBClient({ endpoint: app.dynamoUrl });
});

afterAll(async () => {
  client?.destroy();
  await app?.stop();
});

describe('restoring the order table after an erasure', () => {
  it('opens nothing personal through export, notification, carrier delivery or status', async () => {
    // Prepare: an opted-in customer with an order, and a bystander whose data must stay readable.
    const ada = canaries('5ad0e001');
    const bystander = canaries('5b0e0002');
    const orderId = await place(ada, true, 'shred-ada-1');
    const otherId = await place(bystander, false, 'shred-bystander-1');
    const now = new Date();
    const w = at(now);
    const backup = await snapshot(app.config.tableName);
    // Before the erasure every read path opens what it may.
    const before = await readEverything(w, ada, orderId);
    expect(before.exported.orders.map((o) => o.orderId)).toEqual([orderId]);
    expect(before.exported.marketingContact).toEqual({ 'customer.email': ada.email });
    expect(before.confirmation.outcome).toBe('sent');
    expect(before.delivery.outcome).toBe('delivered');
    expect(before.partnerBodies.join()).toContain(ada.familyName);
    await eraseCustomer(w, ada.email);

    // Act: restore the backup taken before the erasure (the key table stays as it is now).
    await restore(app.config.tableName, 'pk', backup);
    const after = await readEverything(at(new Date(now.getTime() + 1000)), ada, orderId);

    // Assess: the personal items are back in the table, and open for nobody.
    const restored = await app.wiring.orders.getOrder(orderId);
    expect(restored?.orderId).toBe(orderId);
    expect(after.exported.orders).toEqual([]);
    expect(after.exported.marketingContact).toBeNull();
    expect(after.confirmation).toEqual({ outcome: 'personal-data-gone', email: 'order-confirmation' });
    expect(after.delivery).toEqual({ outcome: 'personal-data-gone' });
    expect(after.partnerBodies).toEqual([]);
    expect(after.status).toMatchObject({ orderId, status: 'accepted' });
    const said = JSON.stringify(after);
    for (const value of personalValues(ada)) expect(said).not.toContain(value);
    // Even the purpose keys themselves open nothing without the record secret.
    const { Item } = await client.send(
      new GetItemCommand({ TableName: app.config.tableName, Key: { pk: { S: `PII#${orderId}` } } }),
    );
    const blob = Item?.sealed?.M?.shipping?.B as Uint8Array;
    expect(blob[0]).toBe(0x82);
    await expect(w.dataKeys.open('shipping', orderId, blob)).rejects.toBeInstanceOf(RecordShreddedError);
    // The bystander is untouched.
    const other = await exportCustomer(w, bystander.email);
    expect(other.orders.map((o) => o.orderId)).toEqual([otherId]);
    expect(other.orders[0]?.personal.shipping?.['customer.familyName']).toBe(bystander.familyName);
  });
});

describe('restoring the order table after an erasure, then a stranger checks out with the address', () => {
  it('keeps the erasure suppression: the opt-in is unconfirmed, a confirmation is asked, no promotion', async () => {
    // Prepare: an opted-in customer, a backup, the erasure.
    const eve = canaries('5e7e0004');
    await place(eve, true, 'restore-eve-1');
    const emailKey = await app.wiring.lookup.emailKey(eve.email);
    const backup = await snapshot(app.config.tableName);
    const w = at(new Date());
    await eraseCustomer(w, eve.email);
    const erased = await app.wiring.consent.getSuppression(emailKey);
    await restore(app.config.tableName, 'pk', backup);
    // The order table itself holds no suppression for the address any more.
    const { Item: entry } = await client.send(
      new GetItemCommand({ TableName: app.config.tableName, Key: { pk: { S: `SUPPRESS#${emailKey}` } } }),
    );

    // Act: someone else checks out with the address, ticking the marketing box.
    await place(eve, true, 'restore-stranger-1');

    // Assess
    expect(entry).toBeUndefined();
    expect(erased?.reason).toBe('erasure');
    expect(await app.wiring.consent.getSuppression(emailKey)).toEqual({
      emailKey,
      reason: 'erasure',
      at: erased?.at,
    });
    const customer = await app.wiring.consent.getCustomer(emailKey);
    expect(customer?.consent.at(-1)?.status).toBe('unconfirmed');
    expect(customer?.confirmation).toEqual(expect.objectContaining({ id: expect.any(String) }));
    const suppression = await app.wiring.consent.getSuppression(emailKey);
    expect(decidePromotion(customer, suppression)).toEqual({ allowed: false, reason: 'suppressed' });
  });
});

describe('restoring the order table after an erasure that withdrew a pending confirmation', () => {
  it('the old link is refused (400) and the export shows none of the erased consent history', async () => {
    // Prepare: an opted-in customer who unsubscribed; a checkout opt-in then asked for a
    // confirmation; a backup; the erasure; the backup restored over the order table.
    const fay = canaries('5fa70005');
    await place(fay, true, 'restore-fay-1');
    const emailKey = await app.wiring.lookup.emailKey(fay.email);
    const w = at(new Date());
    await recordOptOut(
      { ...w, settings: { policyVersion: w.config.policyVersion } },
      emailKey,
      'unsubscribe',
    );
    await place(fay, true, 'restore-fay-2');
    const request = (await app.wiring.consent.getCustomer(emailKey))?.confirmation;
    if (!request) throw new Error('no confirmation request');
    const token = await createConsentToken(app.wiring.lookup, {
      emailKey,
      requestId: request.id,
      expiresAt: request.expiresAt,
    });
    const backup = await snapshot(app.config.tableName);
    const later = at(new Date(Date.now() + 2000));
    await eraseCustomer(later, fay.email);
    await restore(app.config.tableName, 'pk', backup);

    // Act
    const page = await app.get(`/consent/confirm?token=${token}`);
    const confirm = await app.post(`/consent/confirm?token=${token}`, '');
    const exported = await exportCustomer(at(new Date(Date.now() + 3000)), fay.email);

    // Assess: the request is back in the table, its link still verifies, but it confirms nothing
    const restored = await app.wiring.consent.getCustomer(emailKey);
    expect(restored?.confirmation?.id).toBe(request.id);
    expect(restored?.consent.some((e) => e.status === 'confirmed')).toBe(false);
    expect(page.status).toBe(200);
    expect(confirm.status).toBe(400);
    expect(exported.consent).toEqual({ events: [], currentlyConsented: false });
    expect(exported.pendingConfirmation).toBeNull();
    expect(exported.marketingContact).toBeNull();
    expect(exported.suppression).toMatchObject({ reason: 'erasure', inForce: true });
  });
});

describe('restoring the order table after an expiry', () => {
  it('a record whose expiry was shortened after the backup stays expired once purged', async () => {
    // Prepare: an order delivered after the backup, so its personal data expires 30 days after
    // delivery — while the backup still says 90 days after acceptance.
    const cleo = canaries('5c1e0003');
    const orderId = await place(cleo, false, 'shred-cleo-1');
    const backup = await snapshot(app.config.tableName);
    const now = new Date();
    const w = at(now);
    const carrier = w.config.partners.find((p) => p.kind === 'carrier');
    if (!carrier) throw new Error('no carrier configured');
    await w.orders.applyStatusChange(orderId, {
      partnerId: carrier.id,
      eventId: 'evt_shred_delivered',
      to: 'delivered',
      from: ['accepted', 'dispatched'],
      at: now.toISOString(),
    });
    await w.orders.setPersonalExpiry(orderId, Math.floor(now.getTime() / 1000) + 30 * 86_400, now);
    const later = new Date(now.getTime() + 31 * DAY_MS);
    const purge = await purgeExpired(at(later));
    expect(purge.purged).toBeGreaterThanOrEqual(1);

    // Act: restore the backup; its personal item is live by its own (old) expiry.
    await restore(app.config.tableName, 'pk', backup);
    const after = await readEverything(at(later), cleo, orderId);

    // Assess
    expect(after.exported.orders).toEqual([]);
    expect(after.confirmation).toEqual({ outcome: 'personal-data-gone', email: 'order-confirmation' });
    expect(after.delivery).toEqual({ outcome: 'personal-data-gone' });
    expect(after.partnerBodies).toEqual([]);
    expect(after.status).toMatchObject({ orderId, status: 'accepted' });
    for (const value of personalValues(cleo)) expect(JSON.stringify(after)).not.toContain(value);
  });
});

describe('restoring the key table from its own backup', () => {
  it('the next purge re-applies the erasures made since, from the erasure log', async () => {
    // Prepare: backups of both tables, then an erasure, then the key table restored.
    const dora = canaries('5d0a0004');
    const orderId = await place(dora, true, 'shred-dora-1');
    const emailKey = await app.wiring.lookup.emailKey(dora.email);
    const ids = [orderId, `customer:${emailKey}`];
    const keyBackup = await snapshot(app.config.keyTableName);
    const orderBackup = await snapshot(app.config.tableName);
    const now = new Date();
    await eraseCustomer(at(now), dora.email);
    await restore(app.config.keyTableName, 'k', keyBackup);
    const resurrected = await at(now).recordSecrets.getSecrets(ids, now);
    expect(resurrected.size).toBe(2);

    // Act
    const purge = await purgeExpired(at(new Date(now.getTime() + 1000)));

    // Assess: both of dora's secrets (order and marketing contact) were shredded again, so even
    // the order table's backup from before the erasure opens nothing.
    expect(purge.secretsReshredded).toBe(2);
    expect((await at(now).recordSecrets.getSecrets(ids, now)).size).toBe(0);
    const log = JSON.stringify(await erasureLogItems());
    await restore(app.config.tableName, 'pk', orderBackup);
    const after = await exportCustomer(at(new Date(now.getTime() + 2000)), dora.email);
    expect(after.orders).toEqual([]);
    expect(after.marketingContact).toBeNull();
    // The log holds no personal data, no order id and no keyed email hash.
    expect(log).toContain('"erasure"');
    expect(log).not.toContain(orderId);
    expect(log).not.toContain(emailKey);
    for (const value of personalValues(dora)) expect(log).not.toContain(value);
  });
});

describe('restoring the key table from between two erasures of one day', () => {
  it("the purge shreds again the second erasure's secret: customer shreddings are logged to the second (review s11b)", async () => {
    // Prepare: opt in, erase; opt in again (a new secret); the key table's backup (that secret and
    // the FIRST erasure's mark); erase again; the key table restored from the backup.
    const erin = canaries('5d0a0005');
    await place(erin, true, 'shred-erin-1');
    const emailKey = await app.wiring.lookup.emailKey(erin.email);
    const customer = [`customer:${emailKey}`];
    await eraseCustomer(at(new Date()), erin.email);
    await new Promise((r) => setTimeout(r, 1100));
    const secondOrder = await place(erin, true, 'shred-erin-2');
    const keyBackup = await snapshot(app.config.keyTableName);
    await new Promise((r) => setTimeout(r, 1100));
    const second = new Date();
    await eraseCustomer(at(second), erin.email);
    await restore(app.config.keyTableName, 'k', keyBackup);
    expect((await at(second).recordSecrets.getSecrets(customer, second)).size).toBe(1);

    // Act
    await purgeExpired(at(new Date(second.getTime() + 1000)));

    // Assess: the re-opt-in's secret is shredded again; only customer entries carry a time.
    expect((await at(second).recordSecrets.getSecrets(customer, second)).size).toBe(0);
    expect((await at(second).recordSecrets.getSecrets([secondOrder], second)).size).toBe(0);
    const timed = (await erasureLogItems()).filter((item) => item.at?.S !== undefined);
    expect(timed.length).toBeGreaterThan(0);
    expect(timed.map((item) => item.pk?.S)).not.toContain(`SHRED#${recordKey(secondOrder)}`);
    expect(timed.map((item) => item.pk?.S)).toContain(`SHRED#${recordKey(customer[0] as string)}`);
  });
});

describe('the key table at rest', () => {
  it('holds no record id, no keyed hash and nothing personal; the order table holds no secret', async () => {
    // Prepare
    const eve = canaries('5e0e0005');
    const orderId = await place(eve, true, 'shred-eve-1');
    const emailKey = await app.wiring.lookup.emailKey(eve.email);
    // Act
    const keyTable = await rawTableText(app.dynamoUrl, app.config.keyTableName);
    const orderTable = await rawTableText(app.dynamoUrl, app.config.tableName);
    const secrets = await new DynamoRecordSecretStore(app.wiring.db, app.config.keyTableName).getSecrets(
      [orderId, `customer:${emailKey}`],
      new Date(),
    );
    // Assess
    expect(keyTable).not.toContain(orderId);
    expect(keyTable).not.toContain(emailKey);
    for (const value of personalValues(eve)) expect(keyTable).not.toContain(value);
    expect(secrets.size).toBe(2);
    for (const secret of secrets.values()) {
      expect(secret.length).toBe(16);
      expect(orderTable).not.toContain(Buffer.from(secret).toString('base64'));
    }
  });
});

async function erasureLogItems(): Promise<Item[]> {
  return (await snapshot(app.config.tableName)).filter((item) => item.pk?.S?.startsWith('SHRED#'));
}
