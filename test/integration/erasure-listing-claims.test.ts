/**
 * The DynamoDB adapters behind the two erasure backstops, against dynalite: the keyed email's
 * listing (`EMAILPII#`, read consistently beside the `byEmail` index) and the open intake claims
 * (`byIntake`, sharded, sorted by lease).
 */

import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#shared/contracts.js';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoIdempotencyStore } from '../../shared/adapters/aws/dynamo-idempotency-store.js';
import { DynamoOrderStore } from '../../shared/adapters/aws/dynamo-order-store.js';
import { keyTableDefinition } from '../../shared/adapters/aws/dynamo-record-secret-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import { type EmbeddedDynamo, ensureTables } from '../../shared/adapters/local/embedded-dynamodb.js';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { loadConfig } from '../../shared/config.js';
import type { PersonalRecord } from '../../shared/domain/order.js';
import type { IdempotencyRecord } from '../../shared/ports.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { sweepIntakes } from '../../shared/usecases/sweep-intakes.js';
import { wire } from '../../shared/wiring.js';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';
import { FakeClock } from '../support/fakes.js';

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
  ({ dynamo, client } = await startTestDynamo());
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
  const T = new Date('2026-11-25T23:59:59.000Z');
  const DAY = 86_400_000;

  it('finds a record the byEmail index does not hold yet, from yesterday to tomorrow of its day, beside one found through byEmail', async () => {
    // Prepare
    const emailKey = 'a'.repeat(43);
    // Written now: listed; then taken out of byEmail (as if the index had not caught up).
    await orders.putPersonal(personal('ord_lst_new', emailKey));
    await orders.addToEmailListing(emailKey, 'ord_lst_new', T);
    await doc.send(
      new UpdateCommand({
        TableName: 'orders',
        Key: { pk: keys.personal('ord_lst_new') },
        UpdateExpression: 'REMOVE emailKey',
      }),
    );
    // Written before the listing existed (or older than it): byEmail only.
    await doc.send(
      new PutCommand({
        TableName: 'orders',
        Item: { pk: keys.personal('ord_lst_old'), ...personal('ord_lst_old', emailKey) },
      }),
    );
    // Act: readers at the same moment, a second later (the next day), a day later, a day earlier
    // (a clock behind), two days later
    const at = (ms: number) => orders.listPersonalByEmailKey(emailKey, new Date(T.getTime() + ms));
    const seen = await Promise.all([at(0), at(1000), at(DAY), at(-DAY + 1000), at(2 * DAY)]);
    // Assess
    expect(seen.map(ids)).toEqual([
      ['ord_lst_new', 'ord_lst_old'],
      ['ord_lst_new', 'ord_lst_old'],
      ['ord_lst_new', 'ord_lst_old'],
      ['ord_lst_new', 'ord_lst_old'],
      // Past the listing's window only byEmail is read (by then it has caught up).
      ['ord_lst_old'],
    ]);
    expect(await raw(keys.emailListing(emailKey, '2026-11-25'))).toEqual({
      pk: keys.emailListing(emailKey, '2026-11-25'),
      orders: new Set(['ord_lst_new']),
      // Its day's end plus EMAIL_LISTING_DAYS (2): TTL.
      expiresAt: Date.parse('2026-11-28T00:00:00Z') / 1000,
    });
  });

  it('holds order ids only; the erasure clears the buckets around it, nothing else', async () => {
    // Prepare: orders of yesterday and today, and one five days ago
    const emailKey = 'b'.repeat(43);
    for (const [id, when] of [
      ['ord_lst_b1', new Date(T.getTime() - DAY)],
      ['ord_lst_b2', T],
      ['ord_lst_b3', T],
      ['ord_lst_b0', new Date(T.getTime() - 5 * DAY)],
    ] as const)
      await orders.addToEmailListing(emailKey, id, when);
    // Act
    await orders.clearEmailListing(emailKey, T);
    // Assess
    expect(await raw(keys.emailListing(emailKey, '2026-11-24'))).toBeUndefined();
    expect(await raw(keys.emailListing(emailKey, '2026-11-25'))).toBeUndefined();
    expect(await raw(keys.emailListing(emailKey, '2026-11-20'))).toEqual({
      pk: keys.emailListing(emailKey, '2026-11-20'),
      orders: new Set(['ord_lst_b0']),
      expiresAt: Date.parse('2026-11-23T00:00:00Z') / 1000,
    });
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
    // Settled, it no longer links the keyed email hash to the order.
    expect(settled).toEqual({
      pk: keys.idempotency('open-0'),
      key: 'open-0',
      requestMac: 'mac',
      orderId: 'ord_open-0',
      state: 'in-progress',
      leaseUntil: 1000,
      expiresAt: EXPIRES,
    });
  });

  it('a take-over with reopen makes a settled claim open again, for the sweep, with mark 0 where none landed', async () => {
    // Prepare
    await idempotency.claim(claim('reopen', 10), 0);
    await idempotency.settle('reopen');
    // Act
    const took = await idempotency.takeOver('reopen', 10, 50, { emailKey: 'f'.repeat(43), optIn: false });
    // Assess
    expect(took).toBe(true);
    expect((await idempotency.listAbandoned(51, 100)).filter((c) => c.key === 'reopen')).toEqual([
      // fenceEnded 0: the resume checks against mark 0 and may write consent, so the sweep must
      // see a stored mark (none stored means nothing past round 2 ran).
      { ...claim('reopen', 50), emailKey: 'f'.repeat(43), optIn: false, open: true, fenceEnded: 0 },
    ]);
  });

  it('a take-over keeps a mark that landed', async () => {
    // Prepare
    await idempotency.claim(claim('kept', 10), 0);
    await idempotency.setMark('kept', 4);
    // Act
    await idempotency.takeOver('kept', 10, 50, { emailKey: 'f'.repeat(43), optIn: true });
    // Assess
    expect((await idempotency.listAbandoned(51, 100)).find((c) => c.key === 'kept')?.fenceEnded).toBe(4);
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

describe('the intake sweep on the DynamoDB adapters', () => {
  it('an intake raced just after its mark and dead at its fence re-read leaves its writes readable until the sweep, then nothing', async () => {
    // Prepare: the AWS adapters (order table, key table, shredding) on dynalite
    const person = canaries('d1a1e5a7');
    const clock = new FakeClock();
    // Tables of its own: the claims of the tests above stay out of this sweep.
    await ensureTables(client, [tableDefinition('sweep'), keyTableDefinition('sweep-keys')]);
    const config = loadConfig({ MINIMIS_MODE: 'local', TABLE_NAME: 'sweep', KEY_TABLE_NAME: 'sweep-keys' });
    const w = wire(config, { db: doc, clock, keyService: new LocalKeyService(randomBytes(32)) });
    const deps = {
      ...w,
      partners: [{ id: 'carrier' }],
      settings: { undeliveredDays: 90, idempotencyHours: 48, policyVersion: 'p1' },
    };
    await submitOrder(deps, { idempotencyKey: 'earlier', body: orderBody(person, { marketingOptIn: true }) });
    clock.advance(1000);
    let reads = 0;
    const fence = {
      readFence: async (emailKey: string) => {
        reads++;
        if (reads === 2) throw new Error('crash');
        const mark = await w.fence.readFence(emailKey);
        await eraseCustomer(w, person.email);
        return mark;
      },
    };
    await expect(
      submitOrder(
        { ...deps, fence },
        { idempotencyKey: 'now', body: orderBody(person, { marketingOptIn: true }) },
      ),
    ).rejects.toThrow('crash');
    const emailKey = await w.lookup.emailKey(person.email);
    const open = (await w.idempotency.listAbandoned(Number.MAX_SAFE_INTEGER, 10)).map((c) => c.orderId);
    const left = async () => ({
      personal: (await w.orders.listPersonalByEmailKey(emailKey, clock.now()))
        .filter((r) => r.secret !== undefined)
        .map((r) => r.orderId),
      customer: (await w.consent.getCustomer(emailKey)) !== undefined,
    });
    const before = await left();
    // Act
    clock.advance(30_000);
    const early = await sweepIntakes(w);
    clock.advance(60_001);
    const swept = await sweepIntakes(w);
    // Assess
    expect(open).toHaveLength(1);
    expect(before).toEqual({ personal: open, customer: true });
    expect(early).toEqual({ swept: 0, erased: 0, pages: 1, oldestOpenSeconds: 0 });
    expect(swept).toEqual({ swept: 1, erased: 1, pages: 1, oldestOpenSeconds: 0 });
    expect(await left()).toEqual({ personal: [], customer: false });
    expect(await w.idempotency.listAbandoned(Number.MAX_SAFE_INTEGER, 10)).toEqual([]);
  });
});
