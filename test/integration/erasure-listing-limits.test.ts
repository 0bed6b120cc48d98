/**
 * The keyed email's listing and consent ledger at their limits on the DynamoDB adapters (dynalite),
 * as an independent review of 3850ba1 found them (each failed there): the day buckets an erasure
 * clears around a UTC-day boundary, and item sizes a stranger controls (a consent ledger, a day
 * bucket) that must not make an intake die between its personal write and its settle.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#shared/contracts.js';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { keyTableDefinition } from '../../shared/adapters/aws/dynamo-record-secret-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import { type EmbeddedDynamo, ensureTables } from '../../shared/adapters/local/embedded-dynamodb.js';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { loadConfig } from '../../shared/config.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { wire } from '../../shared/wiring.js';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';
import { FakeClock } from '../support/fakes.js';

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;

beforeAll(async () => {
  ({ dynamo, client } = await startTestDynamo());
  doc = documentClient(client);
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

async function wired(table: string, clock: FakeClock) {
  await ensureTables(client, [tableDefinition(table), keyTableDefinition(`${table}-keys`)]);
  const config = loadConfig({ MINIMIS_MODE: 'local', TABLE_NAME: table, KEY_TABLE_NAME: `${table}-keys` });
  const w = wire(config, { db: doc, clock, keyService: new LocalKeyService(randomBytes(32)) });
  const deps = {
    ...w,
    partners: [{ id: 'carrier' }],
    settings: { undeliveredDays: 90, idempotencyHours: 48, policyVersion: 'p1' },
  };
  const raw = async (pk: string) =>
    (await doc.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }))).Item;
  return { w, deps, raw };
}

describe('the listing after an erasure', () => {
  it('an order at 23:59:59.9 and an erasure at 00:00:00.1 two days later: no listing links the keyed hash to the erased order', async () => {
    // Prepare
    const person = canaries('1157da75');
    const clock = new FakeClock(new Date('2026-11-23T23:59:59.900Z'));
    const { w, deps, raw } = await wired('listing-days', clock);
    const { orderId } = await submitOrder(deps, { idempotencyKey: 'k', body: orderBody(person) });
    const emailKey = await w.lookup.emailKey(person.email);
    // Act
    clock.current = new Date('2026-11-25T00:00:00.100Z');
    const receipt = await eraseCustomer(w, person.email);
    // Assess: the record was found (through byEmail) and erased, and the receipt says the order
    // records are "no longer linked to the person"; the 11-23 bucket (TTL 11-26T00:00, DynamoDB
    // may take 48 h more) is outside yesterday/today/tomorrow, so the erasure neither read nor
    // deleted it.
    expect(receipt.ordersErased).toEqual([orderId]);
    const bucket = await raw(keys.emailListing(emailKey, '2026-11-23'));
    expect(bucket?.orders instanceof Set ? [...bucket.orders] : []).toEqual([]);
  });
});

describe('a stranger can make every opt-in intake of an address die after its personal writes', () => {
  it('a consent ledger grown to the item limit by checkout opt-ins (no cap): the next opt-in intake does not die between its personal write and its settle', async () => {
    // Prepare: the customer record of an address as ~4,000 checkout opt-ins leave it (one ledger
    // entry each; 50 requests/s is the stage's rate limit: well under two minutes)
    const stranger = canaries('5742a49e');
    const clock = new FakeClock();
    const { w, deps, raw } = await wired('ledger-limit', clock);
    const emailKey = await w.lookup.emailKey(stranger.email);
    const entry = { granted: true, at: clock.now().toISOString(), source: 'checkout', policyVersion: 'p1' };
    // The largest ledger DynamoDB still stores (binary search on the entry count).
    const put = (n: number) =>
      doc
        .send(
          new PutCommand({
            TableName: 'ledger-limit',
            Item: {
              pk: keys.customer(emailKey),
              emailKey,
              consent: Array.from({ length: n }, () => entry),
              updatedAt: entry.at,
            },
          }),
        )
        .then(
          () => true,
          () => false,
        );
    let [low, high] = [1_000, 20_000];
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await put(mid)) low = mid;
      else high = mid;
    }
    expect(await put(low)).toBe(true);
    // Act
    const outcome = await submitOrder(deps, {
      idempotencyKey: 'flood-1',
      body: orderBody(stranger, { marketingOptIn: true }),
    }).then(
      () => 'accepted',
      (error: Error) => error.name,
    );
    // Assess: the intake is accepted (or refused before it writes anything); it never dies midway
    const open = await w.idempotency.listAbandoned(Number.MAX_SAFE_INTEGER, 10);
    const personalWritten = open[0] ? (await raw(keys.personal(open[0].orderId))) !== undefined : false;
    expect({ low, outcome, open: open.length, personalWritten }).toEqual({
      low,
      outcome: 'accepted',
      open: 0,
      personalWritten: false,
    });
  });
});

describe('the listing bucket is bounded by the item limit', () => {
  it("a day's bucket filled by a stranger's orders for the victim's address (about 13,000 ids, under five minutes at the stage's rate limit): the victim's intake that day is still accepted", async () => {
    // Prepare: the victim's bucket of today as a stranger's flood of orders with that address leaves it
    const victim = canaries('b0c4e7f1');
    const clock = new FakeClock();
    const { w, deps } = await wired('bucket-limit', clock);
    const emailKey = await w.lookup.emailKey(victim.email);
    const pk = keys.emailListing(emailKey, clock.now().toISOString().slice(0, 10));
    const put = (n: number) =>
      doc
        .send(
          new PutCommand({
            TableName: 'bucket-limit',
            Item: {
              pk,
              orders: new Set(Array.from({ length: n }, (_, i) => `ord_${String(i).padStart(26, '0')}`)),
              expiresAt: 4_000_000_000,
            },
          }),
        )
        .then(
          () => true,
          () => false,
        );
    let [low, high] = [1_000, 40_000];
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await put(mid)) low = mid;
      else high = mid;
    }
    expect(await put(low)).toBe(true);
    // Act: the victim checks out
    const outcome = await submitOrder(deps, { idempotencyKey: 'victim', body: orderBody(victim) }).then(
      () => 'accepted',
      (error: Error) => error.name,
    );
    // Assess
    const open = await w.idempotency.listAbandoned(Number.MAX_SAFE_INTEGER, 10);
    expect({ low, outcome, open: open.length }).toEqual({ low, outcome: 'accepted', open: 0 });
  });
});

describe("a raced intake's listing entry", () => {
  it('is removed from its day bucket (the hour before included, across midnight) and creates no bucket where there is none', async () => {
    // Prepare: listed just before midnight; the removal comes just after it
    const clock = new FakeClock(new Date('2026-11-23T23:59:30.000Z'));
    const { w, raw } = await wired('listing-remove', clock);
    const emailKey = 'e'.repeat(43);
    await w.orders.addToEmailListing(emailKey, 'ord_kept', clock.now());
    await w.orders.addToEmailListing(emailKey, 'ord_raced', clock.now());
    // Act
    await w.orders.removeFromEmailListing(emailKey, 'ord_raced', new Date('2026-11-24T00:00:10.000Z'));
    await w.orders.removeFromEmailListing(emailKey, 'ord_other', new Date('2026-11-20T12:00:00.000Z'));
    // Assess
    const bucket = await raw(keys.emailListing(emailKey, '2026-11-23'));
    expect(bucket?.orders instanceof Set ? [...bucket.orders] : []).toEqual(['ord_kept']);
    expect(await raw(keys.emailListing(emailKey, '2026-11-24'))).toBeUndefined();
    expect(await raw(keys.emailListing(emailKey, '2026-11-20'))).toBeUndefined();
  });
});
