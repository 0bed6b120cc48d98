/**
 * The disclosure ledger on DynamoDB: a list attribute `ledger` on the order's own ORDER# item and
 * its head `ledgerHead` ({ count, mac }) beside it. An append is one UpdateItem —
 * `list_append` plus the new head — conditional on the head count the appender chained on, so it
 * can ride on a state update the caller makes anyway (delivery state, email bookkeeping) and two
 * appenders can never fork the chain: the second one's condition fails, it reads the new tip,
 * re-chains its entries and tries again. (DynamoDB's 400 KB item limit leaves room for thousands
 * of entries; an order sees a handful.)
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts.js';
import type { ErasureCertificate, ErasureJournal } from '../../domain/certificate.js';
import { DependencyError } from '../../domain/errors.js';
import {
  EMPTY_TIP,
  erasedMark,
  type LedgerEntry,
  type LedgerHead,
  type LedgerTip,
  type SealedAppend,
} from '../../domain/ledger.js';
import type {
  CertificateStore,
  ErasureJournalStore,
  LedgerAppend,
  LedgerStore,
  StoredLedger,
} from '../../ledger-ports.js';
import { call, conditional, type DynamoTable } from './dynamo-client.js';

type Item = Record<string, unknown>;

/** How often an append re-chains after losing to a concurrent one before it gives up. */
const MAX_APPEND_ATTEMPTS = 8;

export function ledgerOf(item: Item): StoredLedger {
  return {
    entries: (item.ledger as LedgerEntry[] | undefined) ?? [],
    head: item.ledgerHead as LedgerHead | undefined,
  };
}

/** The tip an order item's ledger ends at (count from the head, mac of the last entry). */
export function ledgerTipOf(item: Item): LedgerTip | undefined {
  const { entries, head } = ledgerOf(item);
  if (!head && entries.length === 0) return undefined;
  return { count: head?.count ?? 0, lastMac: entries.at(-1)?.mac ?? '', ...erasedMark(entries) };
}

/** The parts of an UpdateItem that append `sealed` on top of `tip`. */
export interface LedgerParts {
  readonly set: string;
  readonly condition: string;
  readonly names: Record<string, string>;
  readonly values: Item;
}

export function ledgerParts(tip: LedgerTip, sealed: SealedAppend): LedgerParts {
  const first = tip.count === 0;
  return {
    set: 'ledger = list_append(if_not_exists(ledger, :lgEmpty), :lgEntries), ledgerHead = :lgHead',
    condition: first ? 'attribute_not_exists(ledgerHead)' : 'ledgerHead.#lgCount = :lgCount',
    names: first ? {} : { '#lgCount': 'count' },
    values: {
      ':lgEmpty': [],
      ':lgEntries': sealed.entries,
      ':lgHead': sealed.head,
      ...(first ? {} : { ':lgCount': tip.count }),
    },
  };
}

/**
 * Runs a conditional write that carries a ledger append. `write` returns false when its condition
 * failed; then the current tip is read: if it moved, the entries are re-chained and the write
 * retried; if not, the write's own condition failed and nothing was written (returns false).
 */
export async function writeWithLedger(
  readTip: () => Promise<LedgerTip | undefined | null>,
  ledger: LedgerAppend | undefined,
  write: (parts: LedgerParts | undefined) => Promise<boolean>,
): Promise<boolean> {
  if (!ledger) return write(undefined);
  let tip = ledger.tip;
  for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
    const sealed = await ledger.build(tip);
    if (await write(ledgerParts(tip, sealed))) return true;
    const current = await readTip();
    if (current === null) return false; // no such order
    const now = current ?? EMPTY_TIP;
    if (now.count === tip.count) return false;
    // The ledger ends with these very entries: this write landed, and the condition that failed was
    // the SDK's retry of it after a lost answer. Chaining them again would enter them twice
    // (review s10b: a delivery's `sent` twice settled another attempt's `sending`).
    if (now.count === sealed.head.count && now.lastMac === sealed.entries.at(-1)?.mac) return true;
    tip = now;
  }
  throw new DependencyError('DynamoDB ledger append (lost to concurrent appends too often)');
}

/** The order item's ledger attributes; null when the order does not exist. */
async function readLedgerItem({ db, tableName }: DynamoTable, orderId: string): Promise<Item | null> {
  const { Item } = await call('get ledger', () =>
    db.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: keys.order(orderId) },
        ProjectionExpression: 'pk, ledger, ledgerHead',
        ConsistentRead: true,
      }),
    ),
  );
  return Item ?? null;
}

/** The current tip of an order's ledger (undefined: empty ledger; null: no such order). */
export async function readLedgerTip(
  table: DynamoTable,
  orderId: string,
): Promise<LedgerTip | undefined | null> {
  const item = await readLedgerItem(table, orderId);
  return item ? ledgerTipOf(item) : null;
}

export class DynamoLedgerStore implements LedgerStore {
  private readonly table: DynamoTable;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.table = { db, tableName };
  }

  /** The current tip (undefined: empty ledger; null: no such order). */
  readonly readTip = (orderId: string): Promise<LedgerTip | undefined | null> =>
    readLedgerTip(this.table, orderId);

  async getLedger(orderId: string): Promise<StoredLedger | undefined> {
    const item = await readLedgerItem(this.table, orderId);
    return item ? ledgerOf(item) : undefined;
  }

  appendLedger(orderId: string, append: LedgerAppend): Promise<boolean> {
    return writeWithLedger(
      () => this.readTip(orderId),
      append,
      (parts) =>
        conditional('append ledger', () =>
          this.table.db.send(
            new UpdateCommand({
              TableName: this.table.tableName,
              Key: { pk: keys.order(orderId) },
              // An `erased` entry also flags the item, in the same write: an email claim after it is
              // refused by its own condition (claimEmail), as a delivery's write-ahead is by the tip.
              UpdateExpression: `SET ${parts?.set}${erasesOrder(parts) ? `, ${ERASED_FLAG} = :lgErased` : ''}`,
              ConditionExpression: `attribute_exists(pk) AND ${parts?.condition}`,
              ...(parts && Object.keys(parts.names).length > 0
                ? { ExpressionAttributeNames: parts.names }
                : {}),
              ExpressionAttributeValues: erasesOrder(parts)
                ? { ...parts?.values, ':lgErased': true }
                : parts?.values,
            }),
          ),
        ),
    );
  }
}

/** The order item's flag that its ledger holds an `erased` entry (set with that entry). */
export const ERASED_FLAG = 'ledgerErased';

const erasesOrder = (parts: LedgerParts | undefined): boolean =>
  ((parts?.values[':lgEntries'] as readonly LedgerEntry[] | undefined) ?? []).some(
    (entry) => entry.type === 'erased',
  );

/**
 * Erasure certificates as CERT#<id> items (no personal data; kept like the order records), and the
 * journals of erasures in progress as ERASING#<emailKey> items (ids and flags; the order ids a
 * string set, so adding one twice is a no-op).
 */
export class DynamoCertificateStore implements CertificateStore, ErasureJournalStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putCertificate(certificate: ErasureCertificate): Promise<boolean> {
    return conditional('put certificate', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.certificate(certificate.id), certificate: JSON.stringify(certificate) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  async getJournal(emailKey: string): Promise<ErasureJournal | undefined> {
    const { Item } = await call('get erasure journal', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: keys.erasureJournal(emailKey) },
          ConsistentRead: true,
        }),
      ),
    );
    if (typeof Item?.journal !== 'string') return undefined;
    const journal = JSON.parse(Item.journal) as ErasureJournal;
    const orders = Item.orders instanceof Set ? [...(Item.orders as Set<string>)].sort() : [];
    const customer =
      typeof Item.customer === 'string'
        ? (JSON.parse(Item.customer) as NonNullable<ErasureJournal['customer']>)
        : undefined;
    return { ...journal, orders, ...(customer ? { customer } : {}) };
  }

  async openJournal(journal: ErasureJournal): Promise<void> {
    const { orders: _orders, customer: _customer, ...rest } = journal;
    const stored = await conditional('open erasure journal', () =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.erasureJournal(journal.emailKey), journal: JSON.stringify(rest) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!stored) throw new DependencyError('DynamoDB open erasure journal (one is open)');
  }

  async journalOrder(emailKey: string, orderId: string): Promise<void> {
    await call('journal erased order', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.erasureJournal(emailKey) },
          UpdateExpression: 'ADD orders :order',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':order': new Set([orderId]) },
        }),
      ),
    );
  }

  async journalCustomer(emailKey: string, customer: NonNullable<ErasureJournal['customer']>): Promise<void> {
    await call('journal erased customer', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.erasureJournal(emailKey) },
          UpdateExpression: 'SET customer = :customer',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':customer': JSON.stringify(customer) },
        }),
      ),
    );
  }

  async closeJournal(emailKey: string): Promise<void> {
    await call('close erasure journal', () =>
      this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: { pk: keys.erasureJournal(emailKey) } }),
      ),
    );
  }

  async getCertificate(id: string): Promise<ErasureCertificate | undefined> {
    const { Item } = await call('get certificate', () =>
      this.db.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: keys.certificate(id) },
          ConsistentRead: true,
        }),
      ),
    );
    return typeof Item?.certificate === 'string'
      ? (JSON.parse(Item.certificate) as ErasureCertificate)
      : undefined;
  }
}
