/**
 * Erasure on request: removes every piece of personal data minimis holds about one person and
 * returns a receipt that itself holds none.
 *
 * 1. A suppression entry with reason `erasure`, dated now, is written first, so no email can go
 *    out while, or after, the rest is erased. It holds only the keyed hash of the address. It
 *    replaces a weaker or older entry (unsubscribe, complaint, bounce): the email policy treats
 *    `erasure` as the strongest reason and holds back even transactional mail for orders placed
 *    before it (domain/email-policy.ts). An existing `erasure` entry is kept as it is, and only
 *    re-dated when this run found more to erase (an order placed after the earlier erasure).
 * 2. Every personal record linked to the keyed hash is deleted (expired ones not yet purged too):
 *    those in the keyed email's recent listings (consistent reads) and in the `byEmail` index;
 *    then those listings.
 * 3. The customer record — consent ledger and sealed marketing contact — is deleted.
 *
 * Steps 1–3 run inside the erasure fence (erasure-fence.ts): an intake or consent write for the
 * same address that raced this erasure removes its own writes, so nothing personal outlives the
 * receipt.
 * Crypto-shredding: deleting a personal or customer record deletes its record secret first (the
 * stores are wrapped in shared/adapters/shredding-stores.ts), so every backup of the order table is
 * unreadable for this person from now on; the receipt's `horizon` says when each copy is gone.
 *
 * Kept on purpose: the non-personal ORDER# records (accounting; `GET /orders/{id}` still answers)
 * and the suppression entry. Safe to repeat: a second run finds nothing and says so.
 *
 * With a journal (`deps.journal`, certify-erasure.ts), every delete is written ahead: the order id
 * before its personal record goes, what the customer record held before it goes. A run that died
 * part-way left its journal; the next run for the address resumes it — dated by itself, with the
 * suppression entry as the first run found it, and in its receipt every order either run erased.
 */
import type { LookupKeys } from '../crypto/lookup-keys.js';
import type { ErasureJournal } from '../domain/certificate.js';
import type { SuppressionRecord } from '../domain/consent.js';
import {
  erasureHorizon,
  type HorizonSettings,
  PITR_RETENTION_DAYS,
  unrecoverableAt,
  unrecoverableInWords,
} from '../domain/erasure-horizon.js';
import { RETENTION_DEFAULTS } from '../inventory.js';
import type { Clock, ConsentStore, ErasureFenceStore, OrderStore } from '../ports.js';
import { CLOCK_SKEW_MS } from './deliver-to-partner.js';
import { fencedErasure } from './erasure-fence.js';

export interface EraseDeps {
  readonly orders: Pick<OrderStore, 'listPersonalByEmailKey' | 'deletePersonal' | 'clearEmailListing'>;
  readonly consent: Pick<
    ConsentStore,
    'getCustomer' | 'deleteCustomer' | 'getSuppression' | 'putSuppression'
  >;
  readonly lookup: Pick<LookupKeys, 'emailKey'>;
  readonly fence: ErasureFenceStore;
  readonly clock: Clock;
  /** Write-ahead journal of this erasure. @default none (a crash part-way is not resumed) */
  readonly journal?: EraseJournal;
  /** Waits out an email being sent to the address when the erasure runs. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly settings?: {
    readonly accountingYears?: number;
    /** Days the key table's backups are kept. @default 7 */
    readonly shredBackupDays?: number;
    /** Configured partners, for their rows of the horizon. @default none */
    readonly partners?: HorizonSettings['partners'];
  };
}

/** The erasure's write-ahead journal, as erase-customer.ts uses it (ErasureJournalStore behind it). */
export interface EraseJournal {
  /**
   * Inside the fence, before the first write: the journal a run of this erasure that died part-way
   * left for the address, else a new one (`found`: the suppression entry as this run found it).
   */
  open(emailKey: string, start: Pick<ErasureJournal, 'startedAt' | 'found'>): Promise<ErasureJournal>;
  order(emailKey: string, orderId: string): Promise<void>;
  customer(emailKey: string, customer: NonNullable<ErasureJournal['customer']>): Promise<void>;
}

/** One store of the erasure horizon, for this erasure. */
export interface HorizonEntry {
  readonly id: string;
  readonly store: string;
  /** In words: `at once`, `after 7 days`, `never holds any`, `beyond reach here (…)`. */
  readonly unrecoverable: string;
  /** When it became or becomes unrecoverable (ISO 8601); null when not ours to say. */
  readonly at: string | null;
}

export interface RetainedItem {
  readonly what: string;
  readonly why: string;
  readonly until: string;
}

export interface ErasureReceipt {
  readonly erasedAt: string;
  /** `nothing-to-erase` when no personal data was found (e.g. a repeated request). */
  readonly outcome: 'erased' | 'nothing-to-erase';
  /** Short reference to the suppression entry (a prefix of the keyed hash; not the address). */
  readonly suppressionRef: string;
  /** Orders whose personal record was deleted now. */
  readonly ordersErased: readonly string[];
  readonly consentLedgerRemoved: boolean;
  readonly marketingContactRemoved: boolean;
  readonly suppressionKept: true;
  /**
   * The suppression entry that stays. `recordedNow` is false when an earlier erasure entry was
   * kept unchanged; `replaced` names the reason of an earlier entry this erasure superseded.
   */
  readonly suppression: {
    readonly reason: 'erasure';
    readonly at: string;
    readonly recordedNow: boolean;
    readonly replaced: SuppressionRecord['reason'] | null;
  };
  /** What minimis keeps after erasure, and why. */
  readonly retained: readonly RetainedItem[];
  /** What this erasure cannot reach; to be handled outside minimis. */
  readonly notReached: readonly string[];
  /** For each store that holds personal data or its keys: when this erasure makes it unrecoverable. */
  readonly horizon: readonly HorizonEntry[];
}

/** Point-in-time recovery window of the table (DynamoDB's maximum). */
export const PITR_DAYS = PITR_RETENTION_DAYS;

/** Characters of the keyed hash shown in a receipt: enough to find the entry, too few to be a key. */
const REF_LENGTH = 10;

export async function eraseCustomer(deps: EraseDeps, email: string): Promise<ErasureReceipt> {
  return (await eraseCustomerThen(deps, email, async () => undefined)).receipt;
}

/**
 * The erasure, then `finish` with its receipt while the fence is still held (certify-erasure.ts:
 * the ledger entries, redactions and certificate), so erasures of one address never overlap there
 * either.
 */
export async function eraseCustomerThen<T>(
  deps: EraseDeps,
  email: string,
  finish: (receipt: ErasureReceipt, journal: ErasureJournal | undefined) => Promise<T>,
): Promise<{ readonly receipt: ErasureReceipt; readonly finished: T }> {
  const emailKey = await deps.lookup.emailKey(email);
  return fencedErasure(deps, emailKey, async () => {
    const swept = await sweep(deps, emailKey, deps.clock.now().toISOString());
    const receipt = receiptOf(deps, emailKey, swept);
    return { receipt, finished: await finish(receipt, swept.journal) };
  });
}

function receiptOf(deps: EraseDeps, emailKey: string, swept: Swept): ErasureReceipt {
  const {
    at,
    existing,
    earlierErasure,
    ordersErased,
    customerRemoved,
    consentLedgerRemoved,
    marketingContactRemoved,
  } = swept;
  const erasedSomething = ordersErased.length > 0 || customerRemoved;
  const redate = earlierErasure !== undefined && erasedSomething;
  const kept = earlierErasure !== undefined && !redate;
  const accountingYears = deps.settings?.accountingYears ?? RETENTION_DEFAULTS.accountingYears;
  const horizon = erasureHorizon({
    shredBackupDays: deps.settings?.shredBackupDays ?? 7,
    partners: deps.settings?.partners ?? [],
  }).rows.map((row) => ({
    id: row.id,
    store: row.store,
    unrecoverable: unrecoverableInWords(row.afterErasure),
    at: unrecoverableAt(row.afterErasure, new Date(at)),
  }));
  return {
    erasedAt: at,
    outcome: erasedSomething ? 'erased' : 'nothing-to-erase',
    suppressionRef: `sup_${emailKey.slice(0, REF_LENGTH)}`,
    ordersErased,
    consentLedgerRemoved,
    marketingContactRemoved,
    suppressionKept: true,
    suppression: {
      reason: 'erasure',
      at: kept ? earlierErasure.at : at,
      recordedNow: !kept,
      replaced: earlierErasure ? null : (existing?.reason ?? null),
    },
    retained: [
      {
        what: 'non-personal order records (items, prices, currency, destination country, status, timestamps, tracking number, payment reference) — no longer linked to the person',
        why: 'accounting and tax records',
        until: `${accountingYears} years`,
      },
      {
        what: 'suppression entry: a keyed hash (HMAC) of the address, never the address itself',
        why: 'so the erased address is never mailed again',
        until: 'indefinitely',
      },
      {
        what: 'erasure mark in the key table: a hash of that keyed hash and the erasure time',
        why: 'so the erasure holds even if the order table is restored from a backup taken before it',
        until: 'indefinitely',
      },
      {
        what: 'table backups (point-in-time recovery) taken before this erasure',
        why: 'disaster recovery only; the erased data in them is sealed and its record secrets are deleted, so it opens for nobody (records sealed before envelope v2 stay readable there until the backups age out)',
        until: `${PITR_DAYS} days, then gone`,
      },
    ],
    notReached: [
      'copies partners received to deliver the order (the carrier keeps shipping details under its own retention)',
      'emails already delivered to the customer',
    ],
    horizon,
  };
}

type Swept = Awaited<ReturnType<typeof sweep>>;

/** Steps 1–3 of the module comment (inside the erasure fence). */
async function sweep(deps: EraseDeps, emailKey: string, startedAt: string) {
  const now = new Date(startedAt);
  const stored = await deps.consent.getSuppression(emailKey);
  const journal = await deps.journal?.open(emailKey, {
    startedAt,
    found: stored ? { reason: stored.reason, at: stored.at } : null,
  });
  // Dated by this run, also when it resumes one that stopped: this run's deletes are the last (the
  // stopped run may have deleted nothing), so the horizon and the ledger entry start here.
  const at = startedAt;
  // A resumed run: the suppression as the first run found it (it may have written its own since).
  const existing: SuppressionRecord | undefined = journal
    ? journal.found
      ? { emailKey, ...journal.found }
      : undefined
    : stored;
  const earlierErasure = existing?.reason === 'erasure' ? existing : undefined;
  // An earlier erasure's entry is written again as it was: with it its key-table mark, which a
  // key-table restore or an erasure from before marks existed may lack (record-secrets.ts).
  await deps.consent.putSuppression(earlierErasure ?? { emailKey, reason: 'erasure', at });

  const erased = new Set(journal?.orders ?? []);
  for (const record of await deps.orders.listPersonalByEmailKey(emailKey, now)) {
    await deps.journal?.order(emailKey, record.orderId);
    if (await deps.orders.deletePersonal(record.orderId)) erased.add(record.orderId);
  }
  const ordersErased = [...erased].sort();
  // Its listing links the keyed hash to those orders: gone with them (inside the fence, so an
  // intake listed meanwhile either undoes its own writes or is a new order after this erasure).
  await deps.orders.clearEmailListing(emailKey, now);

  const customer = await deps.consent.getCustomer(emailKey);
  let customerRemoved = false;
  let consentLedgerRemoved = false;
  let marketingContactRemoved = false;
  if (customer) {
    const held = {
      consentLedgerRemoved: customer.consent.length > 0,
      marketingContactRemoved: customer.marketing !== undefined || customer.pendingMarketing !== undefined,
    };
    await deps.journal?.customer(emailKey, held);
    customerRemoved = await deps.consent.deleteCustomer(emailKey);
    consentLedgerRemoved = customerRemoved && held.consentLedgerRemoved;
    marketingContactRemoved = customerRemoved && held.marketingContactRemoved;
    // A confirmation email being sent (its claim is on the record just deleted): a worker sends
    // only within its lease, so the erasure is done once that lease has passed (review s11c).
    const sending = customer.confirmation?.email === 'sending' ? customer.confirmation.leaseUntil : undefined;
    if (sending !== undefined) await waitUntil(deps, sending + CLOCK_SKEW_MS);
  }
  // What a run that died part-way removed before it died.
  if (journal?.customer) {
    customerRemoved = true;
    consentLedgerRemoved ||= journal.customer.consentLedgerRemoved;
    marketingContactRemoved ||= journal.customer.marketingContactRemoved;
  }

  const erasedSomething = ordersErased.length > 0 || customerRemoved;
  if (earlierErasure !== undefined && erasedSomething)
    await deps.consent.putSuppression({ emailKey, reason: 'erasure', at });
  return {
    at,
    journal,
    existing,
    earlierErasure,
    ordersErased,
    customerRemoved,
    consentLedgerRemoved,
    marketingContactRemoved,
  };
}

/** Sleeps (deps.sleep) until the clock reads `untilMs`. */
export async function waitUntil(deps: Pick<EraseDeps, 'clock' | 'sleep'>, untilMs: number): Promise<void> {
  const wait = untilMs - deps.clock.now().getTime();
  if (wait > 0) await (deps.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms))))(wait);
}
