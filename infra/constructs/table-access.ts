/**
 * Least-privilege access to the single order table. Every role gets only the item actions its code
 * performs (shared/usecases via shared/adapters/aws/dynamo-*.ts), each in its own statement limited
 * by `dynamodb:LeadingKeys` (`ForAllValues:StringLike`) to the item key prefixes it touches:
 *
 * | item                  | holds                                                                        |
 * | --------------------- | ---------------------------------------------------------------------------- |
 * | `ORDER#<orderId>`     | the non-personal order record                                                |
 * | `PII#<orderId>`       | sealed personal record (`emailKey` → GSI `byEmail`)                          |
 * | `EMAILPII#<ek>#<day>` | order ids of the keyed email's personal records of a day (erase reads them)  |
 * | `CUSTOMER#<emailKey>` | consent ledger and sealed marketing contact                                  |
 * | `SUPPRESS#<emailKey>` | suppression entry                                                            |
 * | `FENCE#<emailKey>`    | erasure fence: erasures begun/ended (usecases/erasure-fence.ts)              |
 * | `IDEM#<key>`          | idempotency record (`open#<n>` while its intake runs → GSI `byIntake`)       |
 * | `DATAKEY#<ref>`       | wrapped data keys; `DATAKEY#lookup-v1` and `DATAKEY#token-v1` the index keys |
 * | `PARTNER#<id>`        | whether a partner is enabled (disabled after 410 Gone)                       |
 * | `HELD#<id>#<msgId>`   | a message held while its partner is disabled                                 |
 *
 * Index queries are separate statements on the index ARN with only `dynamodb:Query`: the
 * LeadingKeys of an index query are the index's partition values (`pending#<n>` for `byOutbox`,
 * `open#<n>` for `byIntake`; the bare keyed email hash for `byEmail`, which has no prefix to match,
 * so that one is not limited).
 * `ForAllValues` holds vacuously for a request without keys, and a Scan has none: LeadingKeys
 * cannot constrain a Scan, so Scan is granted separately and only to the purge and the operator.
 *
 * Any table access also grants the storage key for DynamoDB's own use (kms:ViaService): decrypt
 * to read, and encrypt/generate as well when the role writes.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { PartnerConfig } from '#shared/config.js';
import { INTAKE_OPEN_VALUES } from '#shared/contracts/intake-claims.js';
import { LEGACY_OUTBOX_PENDING } from '#shared/contracts/outbox.js';
import { INDEX, keys } from '#shared/contracts.js';
import { LEDGER_KEY_REF } from '#shared/crypto/ledger-key.js';
import { LOOKUP_KEY_REF, TOKEN_KEY_REF } from '#shared/crypto/lookup-keys.js';
import { purposesForFields } from '#shared/inventory.js';
import type { TableRef } from './storage-grants.js';

/** LeadingKeys patterns of the item kinds, built from the adapters' own key functions. */
export const ITEM = {
  order: keys.order('*'),
  personal: keys.personal('*'),
  emailListing: keys.emailListing('*', '*'),
  customer: keys.customer('*'),
  suppression: keys.suppression('*'),
  fence: keys.fence('*'),
  idempotency: keys.idempotency('*'),
  dataKey: keys.dataKey('*'),
  lookupKey: keys.dataKey(LOOKUP_KEY_REF),
  tokenKey: keys.dataKey(TOKEN_KEY_REF),
  /** Erasure log (crypto-shredding): record keys of shredded records, no personal data. */
  shred: keys.shred('*'),
  ledgerKey: keys.dataKey(LEDGER_KEY_REF),
  certificate: keys.certificate('*'),
  /** The write-ahead journal of an erasure in progress (ids and flags, no personal data). */
  erasureJournal: keys.erasureJournal('*'),
  partner: keys.partner('*'),
  held: keys.held('*', '*'),
} as const;

const KNOWN_PREFIXES = Object.values(ITEM).map((pattern) => pattern.slice(0, pattern.indexOf('#') + 1));

export const ITEM_ACTIONS = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] as const;
export type ItemAction = (typeof ITEM_ACTIONS)[number];

/** What one role may do on the table. */
export interface TableAccess {
  /** Item actions, each limited to items whose partition key matches one of the patterns. */
  readonly items?: Readonly<Partial<Record<ItemAction, readonly string[]>>>;
  /** Indexes the role may Query; `leadingKeys` limits the index partition values (omit: any). */
  readonly query?: ReadonlyArray<{ readonly index: string; readonly leadingKeys?: readonly string[] }>;
  /** Scan the table (unconstrained by LeadingKeys: grant it only to roles that must sweep). */
  readonly scan?: boolean;
}

/** Handlers' table access, from what their use cases do (see the module comment). */
export const TABLE_ACCESS = {
  /**
   * Idempotency claim/take-over/fence mark, the lookup and token keys (created on first order),
   * sealing keys, consent ledger (read with the suppression to decide whether an opt-in needs
   * confirming), personal and order record (the order read back when a retry finds a claim); the
   * erasure fence, and deleting its own personal record and the customer record when an erasure
   * raced it; the keyed email's listing of the day (added to). No queue and no order update: the
   * fan-out runs after the write (fan-out-stream.ts).
   */
  'submit-order': {
    items: {
      GetItem: [
        ITEM.idempotency,
        ITEM.lookupKey,
        ITEM.tokenKey,
        ITEM.order,
        ITEM.customer,
        ITEM.suppression,
        ITEM.fence,
      ],
      // SHRED#: an intake that raced an erasure erases its own writes, logging them as erase does.
      PutItem: [ITEM.idempotency, ITEM.personal, ITEM.order, ITEM.dataKey, ITEM.shred],
      UpdateItem: [ITEM.idempotency, ITEM.customer, ITEM.emailListing],
      DeleteItem: [ITEM.personal, ITEM.customer],
    },
  },
  'get-order': { items: { GetItem: [ITEM.order] } },
  /** Status change (read back on conflict); on delivery, the personal record's expiry (a conditional update). */
  'partner-events': { items: { GetItem: [ITEM.order], UpdateItem: [ITEM.order, ITEM.personal] } },
  /** Only verifies the unsubscribe token (a MAC under the token key). */
  'unsubscribe-page': { items: { GetItem: [ITEM.tokenKey] } },
  /**
   * Token check, then the opt-out: ledger event (update) and suppression entry (put), fenced against
   * a concurrent erasure (the fence read; the customer record deleted again when one raced).
   */
  unsubscribe: {
    items: {
      GetItem: [ITEM.tokenKey, ITEM.customer, ITEM.suppression, ITEM.fence],
      UpdateItem: [ITEM.customer],
      PutItem: [ITEM.suppression],
      DeleteItem: [ITEM.customer],
    },
  },
  /** Keyed hash of each bounced/complaining address, then the same opt-out as unsubscribe. */
  'ses-feedback': {
    items: {
      GetItem: [ITEM.lookupKey, ITEM.customer, ITEM.suppression, ITEM.fence],
      UpdateItem: [ITEM.customer],
      PutItem: [ITEM.suppression],
      DeleteItem: [ITEM.customer],
    },
  },
  /** Only verifies the consent-confirmation token (a MAC under the token key, and its expiry). */
  'consent-confirm-page': { items: { GetItem: [ITEM.tokenKey] } },
  /** Token check, then the single-use confirmation: one conditional update of the customer record. */
  'consent-confirm': { items: { GetItem: [ITEM.tokenKey], UpdateItem: [ITEM.customer] } },
  /**
   * Order, personal record, consent and suppression, data keys to open contact/marketing; email
   * claims on the order, and the consent-confirmation email's claim on the customer record.
   */
  'notify-customer': {
    items: {
      GetItem: [ITEM.order, ITEM.personal, ITEM.customer, ITEM.suppression, ITEM.dataKey],
      UpdateItem: [ITEM.order, ITEM.customer],
      // The ledger key, created by whichever ledger appender comes first.
      PutItem: [ITEM.ledgerKey],
    },
  },
  /**
   * Pending outbox entries (every shard `pending#<n>`, and the unsharded `pending` of items written
   * before the sharding), their orders (destination), and the cleared outbox flag.
   */
  'sweep-outbox': {
    items: { GetItem: [ITEM.order], UpdateItem: [ITEM.order] },
    query: [{ index: 'byOutbox', leadingKeys: [LEGACY_OUTBOX_PENDING, `${LEGACY_OUTBOX_PENDING}#*`] }],
  },
  /** The order table's stream function: reads the new order, clears its outbox flag. */
  'fan-out': { items: { GetItem: [ITEM.order], UpdateItem: [ITEM.order] } },
  /**
   * Finds expired personal records by scanning; deletes them, logging each in the erasure log. The intake sweep: open claims (every shard
   * `open#<n>` of `byIntake`), each read with its order and its address's fence; a raced one's
   * personal and customer records deleted and its order removed from its address's listing; the
   * claim settled.
   */
  purge: {
    items: {
      GetItem: [ITEM.idempotency, ITEM.order, ITEM.fence],
      DeleteItem: [ITEM.personal, ITEM.customer],
      PutItem: [ITEM.shred],
      UpdateItem: [ITEM.idempotency, ITEM.emailListing],
    },
    query: [{ index: INDEX.byIntake, leadingKeys: INTAKE_OPEN_VALUES }],
    scan: true,
  },
  /**
   * The ops CLI: export (the email listing and byEmail, orders, ledger, suppression, data keys),
   * erase (the email listings and byEmail; delete personal records, the listings and customer
   * records; put the erasure suppression, begin/end the erasure fence; its write-ahead journal), purge (scan,
   * delete personal records), redrive (delivery state on the order), replay (scan; order and
   * personal record read to skip erased data), partner enable/status (partner state; held
   * messages: scan, delete); ledger appends on the order, the ledger key, erasure certificates.
   */
  operator: {
    items: {
      GetItem: [
        ITEM.order,
        ITEM.personal,
        ITEM.emailListing,
        ITEM.customer,
        ITEM.suppression,
        ITEM.dataKey,
        ITEM.partner,
        ITEM.certificate,
        ITEM.erasureJournal,
      ],
      PutItem: [ITEM.suppression, ITEM.shred, ITEM.ledgerKey, ITEM.certificate, ITEM.erasureJournal],
      UpdateItem: [ITEM.order, ITEM.fence, ITEM.partner, ITEM.erasureJournal],
      DeleteItem: [ITEM.personal, ITEM.customer, ITEM.held, ITEM.emailListing, ITEM.erasureJournal],
    },
    query: [{ index: 'byEmail' }],
    scan: true,
  },
} as const satisfies Record<string, TableAccess>;

/**
 * One partner's delivery function: the order and its delivery state; the personal record and the
 * data keys only when the partner's fields need a purpose opened (none for the warehouse); its own
 * partner state (read; disabled on 410 Gone) and its own held messages (update: a hold keeps the
 * first hold's time; delete when it takes one back) — never another partner's.
 */
export function partnerTableAccess(partner: Pick<PartnerConfig, 'id' | 'fields'>): TableAccess {
  const opens = purposesForFields(partner.fields).length > 0;
  const own = keys.partner(partner.id);
  const held = keys.held(partner.id, '*');
  return {
    items: {
      // Every delivery function chains ledger entries: it reads (and may create) the ledger key.
      GetItem: opens ? [ITEM.order, ITEM.personal, ITEM.dataKey, own] : [ITEM.order, ITEM.ledgerKey, own],
      UpdateItem: [ITEM.order, own, held],
      PutItem: [ITEM.ledgerKey],
      DeleteItem: [held],
    },
  };
}

/** Give `role` exactly `access` on the table (see the module comment). Empty access adds nothing. */
export function grantTableAccess(role: iam.IRole, table: TableRef, access: TableAccess): void {
  let writes = false;
  let reads = false;
  for (const action of ITEM_ACTIONS) {
    const patterns = [...new Set(access.items?.[action] ?? [])].sort();
    if (patterns.length === 0) continue;
    for (const pattern of patterns) {
      if (!KNOWN_PREFIXES.some((prefix) => pattern.startsWith(prefix) && pattern.length > prefix.length)) {
        throw new Error(`grantTableAccess: "${pattern}" is not an item key pattern of the table`);
      }
    }
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [`dynamodb:${action}`],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': patterns } },
      }),
    );
    if (action === 'GetItem') reads = true;
    else writes = true;
  }
  for (const { index, leadingKeys } of access.query ?? []) {
    if (!table.indexes.includes(index)) throw new Error(`grantTableAccess: the table has no index ${index}`);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${table.tableArn}/index/${index}`],
        conditions: leadingKeys
          ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...leadingKeys] } }
          : undefined,
      }),
    );
    reads = true;
  }
  if (access.scan) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [table.tableArn] }),
    );
    reads = true;
  }
  if (!reads && !writes) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: writes
        ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey']
        : ['kms:Decrypt', 'kms:DescribeKey'],
      resources: [table.encryptionKey.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(role).region}.amazonaws.com` },
      },
    }),
  );
}
