/**
 * When each copy of erased personal data becomes unrecoverable (the erasure certificate's
 * "copies"). `erasureHorizon(settings)` has the shape of the crypto-shredding work's function
 * (issue 10, `shared/domain/erasure-horizon.ts`), which replaces this local stand-in once it is
 * merged; `certificateCopies` turns either into the certificate's dated list.
 */
import type { CopyHorizon } from '../domain/certificate.js';
import { FIELDS, type FieldDeclaration, type FieldPath, type PartnerKind } from '../inventory.js';

/** DynamoDB point-in-time recovery keeps the order table's copies this long (its maximum). */
export const PITR_RETENTION_DAYS = 35;

export interface HorizonSettings {
  /** Days the key table's backups are kept (0 = none); unused until crypto-shredding lands. */
  readonly shredBackupDays: number;
  readonly partners: ReadonlyArray<{
    readonly id: string;
    readonly kind: PartnerKind;
    readonly fields: readonly FieldPath[];
  }>;
}

export type Unrecoverable =
  | { readonly kind: 'at-once' }
  | { readonly kind: 'after-days'; readonly days: number }
  | { readonly kind: 'never-held' }
  | { readonly kind: 'beyond-reach'; readonly whose: string };

export interface HorizonRow {
  readonly id: string;
  readonly store: string;
  readonly holds: string;
  readonly afterErasure: Unrecoverable;
  readonly afterExpiry: Unrecoverable;
  readonly how: string;
}

export interface ErasureHorizon {
  readonly rows: readonly HorizonRow[];
  readonly lastCopyGoneAfterDays: number;
}

const atOnce: Unrecoverable = { kind: 'at-once' };
const neverHeld: Unrecoverable = { kind: 'never-held' };

export function erasureHorizon(settings: HorizonSettings): ErasureHorizon {
  const pitr: Unrecoverable = { kind: 'after-days', days: PITR_RETENTION_DAYS };
  return {
    lastCopyGoneAfterDays: PITR_RETENTION_DAYS,
    rows: [
      {
        id: 'order-table',
        store: 'order table (DynamoDB)',
        holds: 'sealed blobs of the personal record and marketing contact',
        afterErasure: atOnce,
        afterExpiry: atOnce,
        how: 'the items are deleted',
      },
      {
        id: 'order-table-pitr',
        store: `order table point-in-time recovery (${PITR_RETENTION_DAYS} days)`,
        holds: 'copies of the sealed blobs',
        afterErasure: pitr,
        afterExpiry: pitr,
        how: 'the recovery copies age out',
      },
      {
        id: 'logs-queues',
        store: 'logs, metrics, traces, queues and dead-letter queues',
        holds: 'order ids, counts, states and error names only',
        afterErasure: neverHeld,
        afterExpiry: neverHeld,
        how: 'personal data is never written to them',
      },
      {
        id: 'mailboxes',
        store: 'the customer’s mailbox (via Amazon SES)',
        holds: 'emails already delivered',
        afterErasure: { kind: 'beyond-reach', whose: 'the customer' },
        afterExpiry: { kind: 'beyond-reach', whose: 'the customer' },
        how: 'delivered email belongs to its recipient',
      },
      ...settings.partners
        .filter((p) => p.fields.some((path) => (FIELDS[path] as FieldDeclaration).personal))
        .map(
          (p): HorizonRow => ({
            id: `partner:${p.id}`,
            store: `partner ${p.id} (${p.kind})`,
            holds: 'the personal fields it received to deliver the order',
            afterErasure: { kind: 'beyond-reach', whose: p.id },
            afterExpiry: { kind: 'beyond-reach', whose: p.id },
            how: 'asked to delete it by order.redacted; its acknowledgement is in the certificate',
          }),
        ),
    ],
  };
}

/** The instant a copy becomes unrecoverable for an erasure at `at`; null if not ours to say. */
function unrecoverableAt(when: Unrecoverable, at: Date): string | null {
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

/** The certificate's copies: every row of the horizon, dated from the erasure. */
export function certificateCopies(horizon: ErasureHorizon, erasedAt: Date): CopyHorizon[] {
  return horizon.rows.map((row) => ({
    copy: row.store,
    unrecoverableAt: unrecoverableAt(row.afterErasure, erasedAt),
    how:
      row.afterErasure.kind === 'never-held'
        ? `never held personal data: ${row.how}`
        : row.afterErasure.kind === 'beyond-reach'
          ? `beyond minimis (${row.afterErasure.whose}): ${row.how}`
          : row.how,
  }));
}
