/**
 * The DynamoDB adapters behind the two erasure backstops, against dynalite: the keyed email's
 * listing (`EMAILPII#`, read consistently beside the `byEmail` index) and the open intake claims
 * (`byIntake`, sharded, sorted by lease).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#shared/contracts.js';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoIdempotencyStore } from '../../shared/adapters/aws/dynamo-idempotency-store.js';
import { DynamoOrderStore } from '../../shared/adapters/aws/dynamo-order-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import {
  type EmbeddedDynamo,
  ensureTables,
  startDynalite,
} from '../../shared/adapters/local/embedded-dynamodb.js';
import type { PersonalRecord } from '../../shared/domain/order.js';
import type { IdempotencyRecord } from '../../shared/ports.js';

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let orders: DynamoOrderStore;
let idempotency: DynamoIdempotencyStore;
const EXPIRES = 4_000_000_000;

const personal = (orderId: string, emailKey: string): PersonalRecord => ({
  orderId,
  emailKey,
  sealed: { shipping: Uint8Array.of(1, 2, 3) },
  expiresAt: EXPIRES,
});

const claim = (key: string, leaseUntil: number): IdempotencyRecord => ({
  key,
  requestMac: 'mac',
  orderId: `ord_${key}`,
  state: 'in-progress',
  leaseUntil,
  expiresAt: EXPIRES,
  emailKey: 'e'.repeat(43),
  optIn: true,
});

beforeAll(async () => {
  dynamo = await startDynalite({ port: 0 });
  client = new DynamoDBClient({
    endpoint: dynamo.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await ensureTables(client, [tableDefinition('orders')]);
  doc = documentClient(client);
  orders = new DynamoOrderStore(doc, 'orders');
  idempotency = new DynamoIdempotencyStore(doc, 'orders');
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

const ids = (records: readonly PersonalRecord[]) => records.map((r) => r.orderId).sort();
const raw = async (pk: string) =>
  (await doc.send(new GetCommand({ TableName: 'orders', Key: { pk }, ConsistentRead: true }))).Item;

describe('the keyed email listing', () => {
  it('finds a record the byEmail index does not hold yet, one from before the listing, and forgets each once deleted', async () => {
    // Prepare
    const emailKey = 'a'.repeat(43);
    // Written now: listed; then taken out of byEmail (as if the index had not caught up).
    await orders.putPersonal(personal('ord_lst_new', emailKey));
    await orders.addToEmailListing(emailKey, 'ord_lst_new', EXPIRES);
    await doc.send(
      new UpdateCommand({
        TableName: 'orders',
        Key: { pk: keys.personal('ord_lst_new') },
        UpdateExpression: 'REMOVE emailKey',
      }),
    );
    // Written before the listing existed (or kept by a restored table): byEmail only.
    await doc.send(
      new PutCommand({
        TableName: 'orders',
        Item: { pk: keys.personal('ord_lst_old'), ...personal('ord_lst_old', emailKey) },
      }),
    );
    // Act
    const listed = await orders.listPersonalByEmailKey(emailKey);
    const deletedOld = await orders.deletePersonal('ord_lst_old');
    await orders.putPersonal(personal('ord_lst_third', emailKey));
    await orders.addToEmailListing(emailKey, 'ord_lst_third', EXPIRES + 1);
    const deletedThird = await orders.deletePersonal('ord_lst_third');
    const deletedAgain = await orders.deletePersonal('ord_lst_third');
    // Assess
    expect(ids(listed)).toEqual(['ord_lst_new', 'ord_lst_old']);
    expect([deletedOld, deletedThird, deletedAgain]).toEqual([true, true, false]);
    expect(await raw(keys.emailListing(emailKey))).toEqual({
      pk: keys.emailListing(emailKey),
      orders: new Set(['ord_lst_new']),
      expiresAt: EXPIRES + 1,
    });
    expect(ids(await orders.listPersonalByEmailKey(emailKey))).toEqual(['ord_lst_new']);
  });

  it('holds order ids only, is never created by a delete, and an emptied one lists nothing', async () => {
    // Prepare
    const emailKey = 'b'.repeat(43);
    await doc.send(
      new PutCommand({
        TableName: 'orders',
        Item: { pk: keys.personal('ord_lst_b'), ...personal('ord_lst_b', emailKey) },
      }),
    );
    // Act: a record with no listing is deleted; then one listed, deleted
    await orders.deletePersonal('ord_lst_b');
    const noListing = await raw(keys.emailListing(emailKey));
    await orders.putPersonal(personal('ord_lst_b2', emailKey));
    await orders.addToEmailListing(emailKey, 'ord_lst_b2', EXPIRES);
    await orders.deletePersonal('ord_lst_b2');
    // Assess
    expect(noListing).toBeUndefined();
    expect(await raw(keys.emailListing(emailKey))).toEqual({
      pk: keys.emailListing(emailKey),
      expiresAt: EXPIRES,
    });
    expect(await orders.listPersonalByEmailKey(emailKey)).toEqual([]);
  });
});

describe('open intake claims', () => {
  it('lists claims across shards whose lease ended before the cut-off, oldest first, until settled', async () => {
    // Prepare: 40 claims over many shards, leases 1000..1039
    const all = Array.from({ length: 40 }, (_, n) => claim(`open-${n}`, 1000 + n));
    for (const c of all) expect(await idempotency.claim(c, 0)).toEqual({ claimed: true });
    // Act
    const first = await idempotency.listAbandoned(1020, 100);
    const limited = await idempotency.listAbandoned(1020, 5);
    await idempotency.settle('open-0');
    await idempotency.settle('open-1', 1001);
    // A stale settle (a retry took the claim over: its lease moved) leaves it open.
    expect(await idempotency.takeOver('open-2', 1002, 5000)).toBe(true);
    await idempotency.settle('open-2', 1002);
    const after = await idempotency.listAbandoned(1020, 100);
    const later = await idempotency.listAbandoned(6000, 100);
    // Assess
    expect(first.map((c) => c.key)).toEqual(all.slice(0, 20).map((c) => c.key));
    expect(first[0]).toEqual({ ...all[0], open: true });
    expect(limited.map((c) => c.key)).toEqual(['open-0', 'open-1', 'open-2', 'open-3', 'open-4']);
    expect(after.map((c) => c.key)).toEqual(all.slice(3, 20).map((c) => c.key));
    expect(later.map((c) => c.key)).toEqual([...all.slice(3).map((c) => c.key), 'open-2']);
    // Settled: out of the index, the record itself kept (a retry still replays from it).
    const settled = await raw(keys.idempotency('open-0'));
    expect(settled?.intake).toBeUndefined();
    expect(settled?.orderId).toBe('ord_open-0');
    expect(settled?.intakeEmailKey).toBe('e'.repeat(43));
    expect(settled?.emailKey).toBeUndefined();
  });

  it('a retry reads back the keyed email hash, the opt-in and the open flag of the first attempt', async () => {
    // Prepare
    const first = claim('again', 10);
    await idempotency.claim(first, 0);
    await idempotency.setMark('again', 3);
    // Act
    const retry = await idempotency.claim({ ...first, orderId: 'ord_other' }, 20);
    // Assess
    expect(retry).toEqual({ claimed: false, existing: { ...first, fenceEnded: 3, open: true } });
  });
});
