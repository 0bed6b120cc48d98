/**
 * The OrderStore on one DynamoDB table, as one function per port method, each taking the table
 * (`DynamoTable`) first; every write is a single-item (conditional) operation. A function's
 * composition (shared/compose/dynamo.ts) binds only the functions its use case calls, so its bundle
 * carries no other; `DynamoOrderStore` binds them all (shared/wiring.ts, the adapter tests).
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isOutboxPending, OUTBOX_PENDING_VALUES, outboxPending } from '../../contracts/outbox.js';
import { EMAIL_LISTING_DAYS, emailListingClearDays, emailListingDays, INDEX, keys } from '../../contracts.js';
import { DependencyError } from '../../domain/errors.js';
import { eventSeen, type OrderRecord, type PersonalRecord, processedEventKey } from '../../domain/order.js';
import type { Purpose } from '../../inventory.js';
import type { LedgerAppend } from '../../ledger-ports.js';
import type { ApplyEventResult, OrderStore, StatusChange } from '../../ports.js';
import { call, conditional, type DynamoTable } from './dynamo-client.js';
import {
  ERASED_FLAG,
  type LedgerParts,
  ledgerTipOf,
  readLedgerTip,
  writeWithLedger,
} from './dynamo-ledger.js';

type Item = Record<string, unknown>;

const ORDER_PREFIX = keys.order('');
const PERSONAL_PREFIX = keys.personal('');

/** Parallel item reads behind one `byEmail` query (erase, export). */
const PERSONAL_READS_AT_ONCE = 16;

const toBytes = (value: unknown): Uint8Array | undefined => (value instanceof Uint8Array ? value : undefined);

export function toOrder(item: Item): OrderRecord {
  const ledgerTip = ledgerTipOf(item);
  return {
    ...(ledgerTip ? { ledgerTip } : {}),
    orderId: item.orderId as string,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
    status: item.status as OrderRecord['status'],
    items: item.items as OrderRecord['items'],
    currency: item.currency as string,
    country: item.country as string,
    paymentReference: item.paymentReference as string,
    trackingNumber: (item.trackingNumber as string | undefined) ?? null,
    trackingUrl: (item.trackingUrl as string | undefined) ?? null,
    deliveredAt: (item.deliveredAt as string | undefined) ?? null,
    deliveries: (item.deliveries as OrderRecord['deliveries'] | undefined) ?? {},
    emails: (item.emails as OrderRecord['emails'] | undefined) ?? {},
    processedEvents: (item.processedEvents as string[] | undefined) ?? [],
    outbox: isOutboxPending(item.outbox) ? 'pending' : 'done',
  };
}

function toPersonal(item: Item): PersonalRecord {
  const sealed: Partial<Record<Purpose, Uint8Array>> = {};
  for (const [purpose, blob] of Object.entries((item.sealed as Item | undefined) ?? {})) {
    const bytes = toBytes(blob);
    if (bytes) sealed[purpose as Purpose] = bytes;
  }
  return {
    orderId: item.orderId as string,
    emailKey: item.emailKey as string,
    sealed,
    expiresAt: item.expiresAt as number,
  };
}

const live = (item: Item, now: Date) => (item.expiresAt as number) * 1000 > now.getTime();

/** A write carrying an optional ledger append (see dynamo-ledger.ts). */
function withLedger(
  t: DynamoTable,
  orderId: string,
  ledger: LedgerAppend | undefined,
  write: (parts: LedgerParts | undefined) => Promise<boolean>,
): Promise<boolean> {
  return writeWithLedger(() => readLedgerTip(t, orderId), ledger, write);
}

export async function putOrder(t: DynamoTable, order: OrderRecord, personal: PersonalRecord): Promise<void> {
  await putPersonal(t, personal);
  await putOrderRecord(t, order);
}

// Each put only if absent: a repeated intake keeps what the first one wrote.
function putIfAbsent(t: DynamoTable, what: string, item: Item): Promise<boolean> {
  return conditional(what, () =>
    t.db.send(
      new PutCommand({
        TableName: t.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

export async function putPersonal(t: DynamoTable, personal: PersonalRecord): Promise<void> {
  await putIfAbsent(t, 'put personal', {
    pk: keys.personal(personal.orderId),
    orderId: personal.orderId,
    emailKey: personal.emailKey,
    sealed: personal.sealed,
    expiresAt: personal.expiresAt,
  });
}

export async function putOrderRecord(t: DynamoTable, order: OrderRecord): Promise<void> {
  const { outbox, trackingNumber, trackingUrl, deliveredAt, ...rest } = order;
  await putIfAbsent(t, 'put order', {
    pk: keys.order(order.orderId),
    ...rest,
    ...(trackingNumber ? { trackingNumber } : {}),
    ...(trackingUrl ? { trackingUrl } : {}),
    ...(deliveredAt ? { deliveredAt } : {}),
    ...(outbox === 'pending' ? { outbox: outboxPending(order.orderId) } : {}),
  });
}

/**
 * One UpdateItem: `ADD orders :id` to the string set of the keyed email's bucket of that UTC day,
 * kept EMAIL_LISTING_DAYS after the day ends (TTL): the listing only has to cover the `byEmail`
 * index's lag. A bucket holds one address's orders of one day: order ids only.
 */
export async function addToEmailListing(
  t: DynamoTable,
  emailKey: string,
  orderId: string,
  at: Date,
): Promise<void> {
  const day = at.toISOString().slice(0, 10);
  const expiresAt = Date.parse(`${day}T00:00:00Z`) / 1000 + (1 + EMAIL_LISTING_DAYS) * 86_400;
  try {
    await t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.emailListing(emailKey, day) },
        UpdateExpression: 'ADD orders :id SET expiresAt = :e',
        ExpressionAttributeValues: { ':id': new Set([orderId]), ':e': expiresAt },
      }),
    );
  } catch (cause) {
    // A bucket at the item limit (a stranger's flood of orders with this address): the order is
    // not listed, and erase and export find it through `byEmail` (after its lag). Never a reason
    // for the intake to die between its personal write and its settle.
    if (isItemTooLarge(cause)) return;
    throw new DependencyError('DynamoDB add to email listing', { cause });
  }
}

/** DynamoDB's refusal of an update that would grow an item past 400 KB. */
export function isItemTooLarge(error: unknown): boolean {
  return error instanceof Error && error.name === 'ValidationException' && /item size/i.test(error.message);
}

/**
 * Removes one order from the keyed email's buckets of the days of `at` and an hour before it
 * (a raced intake's, by its submit time or its claim's lease end). A missing bucket stays missing.
 */
export async function removeFromEmailListing(
  t: DynamoTable,
  emailKey: string,
  orderId: string,
  at: Date,
): Promise<void> {
  const days = new Set([at, new Date(at.getTime() - 3_600_000)].map((d) => d.toISOString().slice(0, 10)));
  await Promise.all(
    [...days].map((day) =>
      conditional('remove from email listing', () =>
        t.db.send(
          new UpdateCommand({
            TableName: t.tableName,
            Key: { pk: keys.emailListing(emailKey, day) },
            UpdateExpression: 'DELETE orders :id',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':id': new Set([orderId]) },
          }),
        ),
      ),
    ),
  );
}

/**
 * Deletes the buckets from the day before yesterday to tomorrow (erasure, inside its fence, after
 * its sweep): wider than the read window, so none outlives the erasure for its TTL.
 */
export async function clearEmailListing(t: DynamoTable, emailKey: string, now: Date): Promise<void> {
  await Promise.all(
    emailListingClearDays(now).map((day) =>
      call('clear email listing', () =>
        t.db.send(
          new DeleteCommand({ TableName: t.tableName, Key: { pk: keys.emailListing(emailKey, day) } }),
        ),
      ),
    ),
  );
}

export async function getOrder(t: DynamoTable, orderId: string): Promise<OrderRecord | undefined> {
  const { Item } = await call('get order', () =>
    t.db.send(
      new GetCommand({ TableName: t.tableName, Key: { pk: keys.order(orderId) }, ConsistentRead: true }),
    ),
  );
  return Item ? toOrder(Item) : undefined;
}

async function getPersonalItem(t: DynamoTable, orderId: string): Promise<Item | undefined> {
  const { Item } = await call('get personal', () =>
    t.db.send(
      new GetCommand({
        TableName: t.tableName,
        Key: { pk: keys.personal(orderId) },
        ConsistentRead: true,
      }),
    ),
  );
  return Item;
}

export async function getPersonal(
  t: DynamoTable,
  orderId: string,
  now: Date,
): Promise<PersonalRecord | undefined> {
  const Item = await getPersonalItem(t, orderId);
  return Item && live(Item, now) ? toPersonal(Item) : undefined;
}

/**
 * Every shard of the outbox flag (and the legacy unsharded value), queried in parallel: at most
 * OUTBOX_SHARDS + 1 requests at once. Oldest first across shards, at most `limit` ids.
 */
export async function listPendingFanout(t: DynamoTable, before: Date, limit: number): Promise<string[]> {
  const pages = await Promise.all(
    OUTBOX_PENDING_VALUES.map((value) =>
      call('query outbox', () =>
        t.db.send(
          new QueryCommand({
            TableName: t.tableName,
            IndexName: INDEX.byOutbox,
            KeyConditionExpression: 'outbox = :pending AND createdAt < :before',
            ExpressionAttributeValues: { ':pending': value, ':before': before.toISOString() },
            Limit: limit,
          }),
        ),
      ),
    ),
  );
  return pages
    .flatMap(({ Items = [] }) => Items)
    .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)))
    .slice(0, limit)
    .map((item) => String(item.pk).slice(ORDER_PREFIX.length));
}

export async function markFanoutDone(t: DynamoTable, orderId: string): Promise<void> {
  await call('mark fan-out done', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.order(orderId) },
        UpdateExpression: 'REMOVE outbox',
        ConditionExpression: 'attribute_exists(pk)',
      }),
    ),
  );
}

export async function setDeliveryState(
  t: DynamoTable,
  orderId: string,
  partnerId: string,
  state: 'pending' | 'delivered' | 'failed',
  at: string,
  ledger?: LedgerAppend,
) {
  await withLedger(t, orderId, ledger, (parts) =>
    conditional('set delivery state', () =>
      t.db.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: { pk: keys.order(orderId) },
          UpdateExpression: `SET deliveries.#p = :d, updatedAt = :at${parts ? `, ${parts.set}` : ''}`,
          // Only a delivery routed at intake changes (this never adds a partner to the order, so
          // never lets one report events on it); a late failure never overwrites a delivery.
          ConditionExpression: `${
            state === 'delivered'
              ? 'attribute_exists(deliveries.#p)'
              : 'attribute_exists(deliveries.#p) AND deliveries.#p.#s <> :delivered'
          }${parts ? ` AND ${parts.condition}` : ''}`,
          ExpressionAttributeNames: {
            '#p': partnerId,
            ...(state === 'delivered' ? {} : { '#s': 'state' }),
            ...parts?.names,
          },
          ExpressionAttributeValues: {
            ':d': { state, updatedAt: at },
            ':at': at,
            ...(state === 'delivered' ? {} : { ':delivered': 'delivered' }),
            ...parts?.values,
          },
        }),
      ),
    ),
  );
}

export async function applyStatusChange(
  t: DynamoTable,
  orderId: string,
  change: StatusChange,
): Promise<ApplyEventResult> {
  // `#partner` is the reporting partner: routed at intake iff it is a key of `deliveries`.
  const names: Record<string, string> = { '#status': 'status', '#partner': change.partnerId };
  const values: Item = {
    ':to': change.to,
    ':at': change.at,
    ':event': processedEventKey(change.partnerId, change.eventId),
    ':bare': change.eventId,
    ':events': [processedEventKey(change.partnerId, change.eventId)],
    ':empty': [],
  };
  const sets = [
    '#status = :to',
    'updatedAt = :at',
    'processedEvents = list_append(if_not_exists(processedEvents, :empty), :events)',
  ];
  const from = change.from.map((status, i) => {
    values[`:from${i}`] = status;
    return `:from${i}`;
  });
  if (change.trackingNumber !== undefined) {
    sets.push('trackingNumber = :tn');
    values[':tn'] = change.trackingNumber;
  }
  if (change.trackingUrl !== undefined) {
    sets.push('trackingUrl = :tu');
    values[':tu'] = change.trackingUrl;
  }
  if (change.to === 'delivered') sets.push('deliveredAt = :at');
  let updated: Item | undefined;
  const applied = await conditional('apply status change', async () => {
    ({ Attributes: updated } = await t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.order(orderId) },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `attribute_exists(pk) AND attribute_exists(deliveries.#partner) AND #status IN (${from.join(', ')}) AND NOT contains(processedEvents, :event) AND NOT contains(processedEvents, :bare)`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    ));
  });
  if (applied) return { outcome: 'applied', order: toOrder(updated ?? {}) };
  // Why the write was refused. A partner the order was not routed to learns nothing more than
  // it would about an order that does not exist (not even whether an event id was seen).
  const order = await getOrder(t, orderId);
  if (!order) return { outcome: 'not-found' };
  if (!Object.hasOwn(order.deliveries, change.partnerId)) return { outcome: 'not-routed' };
  if (eventSeen(order, change.partnerId, change.eventId)) return { outcome: 'replay', order };
  return { outcome: 'conflict', order };
}

export async function setPersonalExpiry(
  t: DynamoTable,
  orderId: string,
  expiresAt: number,
  now: Date,
): Promise<void> {
  await conditional('set personal expiry', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.personal(orderId) },
        UpdateExpression: 'SET expiresAt = :e',
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
        ExpressionAttributeValues: { ':e': expiresAt, ':now': Math.floor(now.getTime() / 1000) },
      }),
    ),
  );
}

export function claimEmail(
  t: DynamoTable,
  orderId: string,
  emailType: string,
  leaseUntil: number,
  nowMs: number,
): Promise<boolean> {
  return conditional('claim email', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.order(orderId) },
        UpdateExpression: 'SET emails.#t = :claim',
        // Never once the order is erased (the `erased` ledger entry's flag): a notification that
        // read the personal record before the erasure does not mail the address after it.
        ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(${ERASED_FLAG}) AND (attribute_not_exists(emails.#t) OR (emails.#t.#s = :sending AND emails.#t.leaseUntil < :now))`,
        ExpressionAttributeNames: { '#t': emailType, '#s': 'state' },
        ExpressionAttributeValues: {
          ':claim': { state: 'sending', leaseUntil },
          ':sending': 'sending',
          ':now': nowMs,
        },
      }),
    ),
  );
}

export async function markEmailSent(
  t: DynamoTable,
  orderId: string,
  emailType: string,
  ledger?: LedgerAppend,
): Promise<void> {
  await emailUpdate(
    t,
    'mark email sent',
    orderId,
    'SET emails.#t = :sent',
    { ':sent': { state: 'sent' } },
    emailType,
    ledger,
  );
}

export async function releaseEmail(
  t: DynamoTable,
  orderId: string,
  emailType: string,
  ledger?: LedgerAppend,
  leaseUntil?: number,
): Promise<void> {
  if (leaseUntil === undefined) {
    await emailUpdate(t, 'release email', orderId, 'REMOVE emails.#t', {}, emailType, ledger);
    return;
  }
  // Only the claim this worker holds (its lease): one taken over since is another worker's, and
  // removing it would let a third send a copy and an erasure miss that worker's send (review s11c).
  const released = await withLedger(t, orderId, ledger, (parts) =>
    conditional('release email', () =>
      t.db.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: { pk: keys.order(orderId) },
          UpdateExpression: parts ? `SET ${parts.set} REMOVE emails.#t` : 'REMOVE emails.#t',
          ConditionExpression: `attribute_exists(pk) AND emails.#t.leaseUntil = :mine${parts ? ` AND ${parts.condition}` : ''}`,
          ExpressionAttributeNames: { '#t': emailType, ...parts?.names },
          ExpressionAttributeValues: { ':mine': leaseUntil, ...parts?.values },
        }),
      ),
    ),
  );
  // The claim is another worker's now: the ledger still records what this one opened.
  if (!released && ledger) await appendOrderLedger(t, orderId, ledger);
}

/** A ledger-only append on the order item (what a lost claim's worker opened). */
async function appendOrderLedger(t: DynamoTable, orderId: string, ledger: LedgerAppend): Promise<void> {
  await withLedger(t, orderId, ledger, (parts) =>
    conditional('append ledger', () =>
      t.db.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: { pk: keys.order(orderId) },
          UpdateExpression: `SET ${parts?.set}`,
          ConditionExpression: `attribute_exists(pk) AND ${parts?.condition}`,
          ...(parts && Object.keys(parts.names).length > 0 ? { ExpressionAttributeNames: parts.names } : {}),
          ExpressionAttributeValues: parts?.values,
        }),
      ),
    ),
  );
}

/** Email bookkeeping, unconditional unless a ledger append rides on it. */
async function emailUpdate(
  t: DynamoTable,
  what: string,
  orderId: string,
  expression: string,
  values: Item,
  emailType: string,
  ledger: LedgerAppend | undefined,
): Promise<void> {
  if (!ledger) {
    await call(what, () =>
      t.db.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: { pk: keys.order(orderId) },
          UpdateExpression: expression,
          ExpressionAttributeNames: { '#t': emailType },
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
    return;
  }
  await withLedger(t, orderId, ledger, (parts) =>
    conditional(what, () => {
      const [verb, ...rest] = expression.split(' ');
      const own = rest.join(' ');
      // SET … and REMOVE … clauses may stand side by side in one update expression.
      const update = verb === 'SET' ? `SET ${own}, ${parts?.set}` : `SET ${parts?.set} ${verb} ${own}`;
      return t.db.send(
        new UpdateCommand({
          TableName: t.tableName,
          Key: { pk: keys.order(orderId) },
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(pk) AND ${parts?.condition}`,
          ExpressionAttributeNames: { '#t': emailType, ...parts?.names },
          ExpressionAttributeValues: { ...values, ...parts?.values },
        }),
      );
    }),
  );
}

/**
 * The keyed email's listings of yesterday, today and tomorrow (`EMAILPII#`, ConsistentRead: a
 * record written a moment ago is in them) and the `byEmail` index (eventually consistent: it holds
 * every older record), read in parallel; then each personal item by key (consistent reads, at most
 * PERSONAL_READS_AT_ONCE at a time). An item deleted between the reads is skipped.
 */
export async function listPersonalByEmailKey(
  t: DynamoTable,
  emailKey: string,
  now = new Date(),
): Promise<PersonalRecord[]> {
  const [listed, indexed] = await Promise.all([listing(t, emailKey, now), indexedIds(t, emailKey)]);
  const ids = [...new Set([...listed, ...indexed])];
  const out: PersonalRecord[] = [];
  for (let i = 0; i < ids.length; i += PERSONAL_READS_AT_ONCE) {
    const items = await Promise.all(
      ids.slice(i, i + PERSONAL_READS_AT_ONCE).map((orderId) => getPersonalItem(t, orderId)),
    );
    for (const item of items) if (item) out.push(toPersonal(item));
  }
  return out;
}

async function listing(t: DynamoTable, emailKey: string, now: Date): Promise<string[]> {
  const buckets = await Promise.all(
    emailListingDays(now).map((day) =>
      call('get email listing', () =>
        t.db.send(
          new GetCommand({
            TableName: t.tableName,
            Key: { pk: keys.emailListing(emailKey, day) },
            ConsistentRead: true,
          }),
        ),
      ),
    ),
  );
  return buckets.flatMap(({ Item }) => (Item?.orders instanceof Set ? [...Item.orders].map(String) : []));
}

async function indexedIds(t: DynamoTable, emailKey: string): Promise<string[]> {
  const ids: string[] = [];
  let start: Item | undefined;
  do {
    const page = await call('query by email', () =>
      t.db.send(
        new QueryCommand({
          TableName: t.tableName,
          IndexName: INDEX.byEmail,
          KeyConditionExpression: 'emailKey = :k',
          ExpressionAttributeValues: { ':k': emailKey },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of page.Items ?? [])
      if (String(item.pk).startsWith(PERSONAL_PREFIX))
        ids.push(String(item.pk).slice(PERSONAL_PREFIX.length));
    start = page.LastEvaluatedKey;
  } while (start);
  return ids;
}

export async function deletePersonal(t: DynamoTable, orderId: string): Promise<boolean> {
  const { Attributes } = await call('delete personal', () =>
    t.db.send(
      new DeleteCommand({
        TableName: t.tableName,
        Key: { pk: keys.personal(orderId) },
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  return Attributes !== undefined;
}

export async function* scanExpiredPersonal(t: DynamoTable, now: Date): AsyncIterable<PersonalRecord> {
  let start: Item | undefined;
  do {
    const page = await call('scan expired', () =>
      t.db.send(
        new ScanCommand({
          TableName: t.tableName,
          FilterExpression: 'begins_with(pk, :pii) AND expiresAt <= :now',
          ExpressionAttributeValues: { ':pii': PERSONAL_PREFIX, ':now': Math.floor(now.getTime() / 1000) },
          ExclusiveStartKey: start,
        }),
      ),
    );
    for (const item of page.Items ?? []) yield toPersonal(item);
    start = page.LastEvaluatedKey;
  } while (start);
}

/** Every OrderStore function bound to one table (the all-in-one wiring, the adapter tests). */
export class DynamoOrderStore implements OrderStore {
  private readonly t: DynamoTable;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.t = { db, tableName };
  }

  putOrder(order: OrderRecord, personal: PersonalRecord) {
    return putOrder(this.t, order, personal);
  }
  putPersonal(personal: PersonalRecord) {
    return putPersonal(this.t, personal);
  }
  putOrderRecord(order: OrderRecord) {
    return putOrderRecord(this.t, order);
  }
  addToEmailListing(emailKey: string, orderId: string, at: Date) {
    return addToEmailListing(this.t, emailKey, orderId, at);
  }
  clearEmailListing(emailKey: string, now: Date) {
    return clearEmailListing(this.t, emailKey, now);
  }
  removeFromEmailListing(emailKey: string, orderId: string, at: Date) {
    return removeFromEmailListing(this.t, emailKey, orderId, at);
  }
  getOrder(orderId: string) {
    return getOrder(this.t, orderId);
  }
  getPersonal(orderId: string, now: Date) {
    return getPersonal(this.t, orderId, now);
  }
  listPendingFanout(before: Date, limit: number) {
    return listPendingFanout(this.t, before, limit);
  }
  markFanoutDone(orderId: string) {
    return markFanoutDone(this.t, orderId);
  }
  setDeliveryState(
    orderId: string,
    partnerId: string,
    state: 'pending' | 'delivered' | 'failed',
    at: string,
    ledger?: LedgerAppend,
  ) {
    return setDeliveryState(this.t, orderId, partnerId, state, at, ledger);
  }
  applyStatusChange(orderId: string, change: StatusChange) {
    return applyStatusChange(this.t, orderId, change);
  }
  setPersonalExpiry(orderId: string, expiresAt: number, now: Date) {
    return setPersonalExpiry(this.t, orderId, expiresAt, now);
  }
  claimEmail(orderId: string, emailType: string, leaseUntil: number, nowMs: number) {
    return claimEmail(this.t, orderId, emailType, leaseUntil, nowMs);
  }
  markEmailSent(orderId: string, emailType: string, ledger?: LedgerAppend) {
    return markEmailSent(this.t, orderId, emailType, ledger);
  }
  releaseEmail(orderId: string, emailType: string, ledger?: LedgerAppend, leaseUntil?: number) {
    return releaseEmail(this.t, orderId, emailType, ledger, leaseUntil);
  }
  listPersonalByEmailKey(emailKey: string, now?: Date) {
    return listPersonalByEmailKey(this.t, emailKey, now);
  }
  deletePersonal(orderId: string) {
    return deletePersonal(this.t, orderId);
  }
  scanExpiredPersonal(now: Date) {
    return scanExpiredPersonal(this.t, now);
  }
}
