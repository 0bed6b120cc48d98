/**
 * The erasure horizon (data-inventory.md, "Erasure and expiry reach backups"): for every store that
 * holds personal data or the keys that open it, when a record becomes unrecoverable after it is
 * erased and after it expires. One function, `erasureHorizon(settings)`, computes it; the privacy
 * report, the erase receipt and the erasure certificate all show what it returns.
 *
 * Why these answers: each personal record is sealed (envelope v2) under its purpose data key AND
 * its own secret in the key table. Erasure and expiry delete that secret first, so every copy of
 * the order table — the live table and every point-in-time-recovery copy — is unreadable at once;
 * the last copy of the secret itself is gone when the key table's own backups age out
 * (`shredBackupDays`; the key table has no PITR). Records sealed before envelope v2 (v1) have no
 * record secret: their PITR copies stay readable until PITR ages them out (35 days).
 */
import type { PartnerKind } from '../inventory.js';
import { FEEDBACK_RETRY_DAYS, FIELDS, type FieldDeclaration, type FieldPath } from '../inventory.js';

/** DynamoDB point-in-time recovery keeps the order table's copies this long (its maximum). */
export const PITR_RETENTION_DAYS = 35;

export interface HorizonSettings {
  /** Days the key table's backups are kept (0 = none). */
  readonly shredBackupDays: number;
  /** The configured partners; those that receive a personal field get a row of their own. */
  readonly partners: ReadonlyArray<{
    readonly id: string;
    readonly kind: PartnerKind;
    readonly fields: readonly FieldPath[];
  }>;
}

/** When a copy becomes unrecoverable, relative to the erasure or expiry. */
export type Unrecoverable =
  /** The moment the erasure or expiry happens (the purge for expiry; every read treats expired data as gone at once). */
  | { readonly kind: 'at-once' }
  /** This many days after it. */
  | { readonly kind: 'after-days'; readonly days: number }
  /** The store never holds personal data or its keys: nothing to recover. */
  | { readonly kind: 'never-held' }
  /** Outside minimis: the holder decides (`whose` names them). */
  | { readonly kind: 'beyond-reach'; readonly whose: string };

export interface HorizonRow {
  /** Stable id, e.g. `order-table`, `key-table-backups`, `partner:carrier`. */
  readonly id: string;
  readonly store: string;
  /** What of a record it holds (never a value). */
  readonly holds: string;
  readonly afterErasure: Unrecoverable;
  readonly afterExpiry: Unrecoverable;
  /** How it gets there, in words. */
  readonly how: string;
}

export interface ErasureHorizon {
  readonly rows: readonly HorizonRow[];
  /**
   * Days after an erasure until no copy minimis controls can open the record (records sealed
   * with envelope v2): the key table's backup retention.
   */
  readonly lastCopyGoneAfterDays: number;
}

const atOnce: Unrecoverable = { kind: 'at-once' };
const neverHeld: Unrecoverable = { kind: 'never-held' };

/** The horizon for a deployment's settings (see the module comment). */
export function erasureHorizon(settings: HorizonSettings): ErasureHorizon {
  const days = settings.shredBackupDays;
  if (!Number.isInteger(days) || days < 0) throw new RangeError('shredBackupDays must be a whole number ≥ 0');
  const backups: Unrecoverable = days === 0 ? atOnce : { kind: 'after-days', days };
  const partnerRows: HorizonRow[] = settings.partners
    .filter((p) => p.fields.some((path) => (FIELDS[path] as FieldDeclaration).personal))
    .map((p) => ({
      id: `partner:${p.id}`,
      store: `partner ${p.id} (${p.kind})`,
      holds: 'the personal fields it received to deliver the order',
      afterErasure: { kind: 'beyond-reach', whose: p.id },
      afterExpiry: { kind: 'beyond-reach', whose: p.id },
      how: 'kept under the partner’s own retention; minimis cannot reach it (telling partners to delete it is the redaction webhook)',
    }));
  return {
    lastCopyGoneAfterDays: days,
    rows: [
      {
        id: 'order-table',
        store: 'order table (DynamoDB)',
        holds: 'sealed blobs of the personal record and marketing contact',
        afterErasure: atOnce,
        afterExpiry: atOnce,
        how: 'the record secret is deleted first, then the items; an expired record is gone for every reader at once and its secret is deleted by the next purge (daily) or DynamoDB TTL',
      },
      {
        id: 'order-table-pitr',
        store: `order table point-in-time recovery (${PITR_RETENTION_DAYS} days)`,
        holds: 'copies of the sealed blobs',
        afterErasure: atOnce,
        afterExpiry: atOnce,
        how: 'crypto-shredding: the copies stay but open for nobody once the record secret is deleted; restoring one brings back nothing readable',
      },
      {
        id: 'order-table-pitr-v1',
        store: 'order table point-in-time recovery, records sealed before envelope v2',
        holds: 'copies of blobs sealed under the purpose key alone (no record secret)',
        afterErasure: { kind: 'after-days', days: PITR_RETENTION_DAYS },
        afterExpiry: { kind: 'after-days', days: PITR_RETENTION_DAYS },
        how: 'erasure and purge delete them from the table; the recovery copies age out',
      },
      {
        id: 'key-table',
        store: 'key table (DynamoDB, no point-in-time recovery)',
        holds: 'the record secret (16 random bytes, under a hash of the record id)',
        afterErasure: atOnce,
        afterExpiry: atOnce,
        how: 'erasure deletes the secret; expiry: every read treats an expired secret as gone, the purge deletes it, DynamoDB TTL too',
      },
      {
        id: 'key-table-backups',
        store:
          days === 0 ? 'key table backups (none configured)' : `key table backups (AWS Backup, ${days} days)`,
        holds: 'copies of record secrets',
        afterErasure: backups,
        afterExpiry: backups,
        how:
          days === 0
            ? 'no backups are taken (shredBackupDays 0)'
            : 'each backup is deleted after shredBackupDays by its plan, and the vault lock refuses longer retention; a restored key table is shredded again from the erasure log by the next purge',
      },
      {
        id: 'erasure-log',
        store: 'erasure log (order table)',
        holds: 'hashes of shredded record ids, reason and day: no personal data, no key',
        afterErasure: neverHeld,
        afterExpiry: neverHeld,
        how: `kept ${days + 1} days (the key table's backup retention plus one) so a restored key table can be shredded again`,
      },
      {
        id: 'logs-queues',
        store: 'logs, metrics, traces, and the work queues and their dead-letter queues',
        holds: 'order ids, counts, states and error names only',
        afterErasure: neverHeld,
        afterExpiry: neverHeld,
        how: 'personal data is never written to them',
      },
      {
        id: 'feedback-retry-queue',
        store: 'SES feedback retry queue',
        holds: 'bounce and complaint events that failed processing, with the recipient address',
        afterErasure: { kind: 'after-days', days: FEEDBACK_RETRY_DAYS },
        afterExpiry: { kind: 'after-days', days: FEEDBACK_RETRY_DAYS },
        how: `an event is retried for at most ${FEEDBACK_RETRY_DAYS} days (the queue's retention), then deleted; one processed is deleted at once`,
      },
      {
        id: 'local-mail-viewer',
        store: 'the local mail viewer (local mode only)',
        holds: 'copies of emails sent in local mode',
        afterErasure: { kind: 'beyond-reach', whose: 'the local operator' },
        afterExpiry: { kind: 'beyond-reach', whose: 'the local operator' },
        how: 'kept under MINIMIS_DATA_DIR until deleted by hand; not part of a deployment',
      },
      {
        id: 'mailboxes',
        store: 'the customer’s mailbox (via Amazon SES)',
        holds: 'emails already delivered',
        afterErasure: { kind: 'beyond-reach', whose: 'the customer' },
        afterExpiry: { kind: 'beyond-reach', whose: 'the customer' },
        how: 'delivered email belongs to its recipient',
      },
      ...partnerRows,
    ],
  };
}

/** A horizon entry in words, e.g. "at once", "after 7 days", "beyond reach (carrier)". */
export function unrecoverableInWords(when: Unrecoverable): string {
  switch (when.kind) {
    case 'at-once':
      return 'at once';
    case 'after-days':
      return `after ${when.days} day${when.days === 1 ? '' : 's'}`;
    case 'never-held':
      return 'never holds any';
    case 'beyond-reach':
      return `beyond reach here (${when.whose})`;
  }
}

/** The instant a copy becomes unrecoverable for an erasure or expiry at `at`; null if not ours to say. */
export function unrecoverableAt(when: Unrecoverable, at: Date): string | null {
  switch (when.kind) {
    case 'at-once':
      return at.toISOString();
    case 'after-days':
      return new Date(at.getTime() + when.days * 86_400_000).toISOString();
    case 'never-held':
    case 'beyond-reach':
      return null;
  }
}
