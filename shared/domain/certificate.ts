/**
 * The erasure certificate: the receipt of one erasure that can be shown again by its id. It holds
 * no personal data — order ids, counts, dates, partner ids and webhook ids only. The partners'
 * acknowledgements are not stored in it: they are read from the orders' ledgers each time it is
 * shown, so it shows them as they arrive.
 */
import { randomBytes } from 'node:crypto';
import type { SuppressionRecord } from './consent.js';
import { base32 } from './ids.js';
import type { LedgerEntry } from './ledger.js';

/** `era_` + 26 Crockford base32 characters: 128 bits from the CSPRNG (unguessable). */
export function newCertificateId(random: (n: number) => Uint8Array = randomBytes): string {
  return `era_${base32(random(16))}`;
}

export const CERTIFICATE_ID_PATTERN = /^era_[0-9A-HJKMNP-TV-Z]{26}$/;

/** When one copy of the erased data became (or becomes) unrecoverable. */
export interface CopyHorizon {
  readonly copy: string;
  /** Null where it is not minimis's to say (a partner's or the customer's own copy). */
  readonly unrecoverableAt: string | null;
  readonly how: string;
}

export interface RequestedRedaction {
  readonly orderId: string;
  readonly partner: string;
  readonly webhookId: string;
  readonly requestedAt: string;
  /**
   * Why the partner is asked: `received` when the ledger holds a delivery of personal fields it
   * acknowledged with a 2xx; `may-have-received` when it holds only an attempt whose outcome is not
   * known to have failed before the partner read it (a write-ahead `sending` with no outcome, a
   * timeout, an error answer). Absent in certificates stored before it existed (read: `received`).
   */
  readonly basis?: RedactionBasis;
  /**
   * Set when no `order.redacted` could be sent: the partner received personal data but is no longer
   * in the configuration (no queue, no URL, no secret). The operator must ask it out of band; the
   * certificate stays incomplete.
   */
  readonly notSent?: 'partner-not-configured';
}

export type RedactionBasis = 'received' | 'may-have-received';

/** One erasure in progress (ledger-ports.ts, ErasureJournalStore): ids and flags only. */
export interface ErasureJournal {
  readonly emailKey: string;
  /** The certificate the erasure will store (`era_…`): a resumed run keeps it. */
  readonly certificate: string;
  readonly principal: string;
  /** When the first run began (for the record: a resumed run is dated by itself). */
  readonly startedAt: string;
  /** The suppression entry as the first run found it, before writing its own (null: none). */
  readonly found: { readonly reason: SuppressionRecord['reason']; readonly at: string } | null;
  /** Orders whose personal record the erasure deletes (added before each delete). */
  readonly orders: readonly string[];
  /** Set before the customer record is deleted. */
  readonly customer?: { readonly consentLedgerRemoved: boolean; readonly marketingContactRemoved: boolean };
}

export interface ErasureCertificate {
  readonly id: string;
  readonly erasedAt: string;
  /** The operator who ran the erasure (AWS caller ARN, or the local OS user). */
  readonly principal: string;
  readonly outcome: 'erased' | 'nothing-to-erase';
  // No `suppressionRef` here: the certificate is kept as long as the order records, and a prefix of
  // the address's keyed hash next to the erased order ids would link them to the address again for
  // whoever holds the lookup key (review s11b). The receipt prints it once.
  readonly erased: {
    readonly orders: ReadonlyArray<{ readonly orderId: string; readonly personalRecords: number }>;
    readonly personalRecords: number;
    readonly customerRecords: number;
    readonly consentLedgerRemoved: boolean;
    readonly marketingContactRemoved: boolean;
  };
  readonly copies: readonly CopyHorizon[];
  readonly redactions: readonly RequestedRedaction[];
}

/**
 * `pending`: not answered yet (on its queue, retrying, or held while the partner is disabled after a
 * 410 Gone); `failed`: its last attempt gave up (dead-lettered; a redrive sends it again);
 * `not-sent`: the partner was no longer configured at the erasure (`notSent`).
 */
export type RedactionState = 'pending' | 'acknowledged' | 'failed' | 'not-sent';

export interface RedactionStatus extends RequestedRedaction {
  readonly state: RedactionState;
  readonly sentAt: string | null;
  readonly acknowledgedAt: string | null;
  readonly status: number | null;
}

/** The failure a redaction's `sent` records when the partner answered 410 Gone (it is held). */
const GONE = '410';

/** Where a requested redaction stands, per the order's ledger. */
export function redactionStatus(
  request: RequestedRedaction,
  entries: readonly LedgerEntry[],
): RedactionStatus {
  const ack = entries.find((e) => e.type === 'acknowledged' && e.webhookId === request.webhookId);
  const sends = entries.filter((e) => e.type === 'sent' && e.webhookId === request.webhookId);
  const delivered = sends.find((e) => e.type === 'sent' && e.failure === undefined);
  // Where the redaction stands is its last attempt's word: given up (dead-lettered: `gaveUp`, or a
  // failure other than 410, which a redaction records only when it gives up), or held after a 410
  // Gone and sent when the partner is enabled (review s10: a held one showed `failed`; s10b: a
  // give-up after a 410 showed `pending`, and an earlier give-up outweighed a later hold).
  const last = sends.at(-1);
  const gaveUp =
    last?.type === 'sent' && (last.gaveUp === true || (last.failure !== undefined && last.failure !== GONE));
  const state: RedactionState = ack
    ? 'acknowledged'
    : request.notSent
      ? 'not-sent'
      : gaveUp
        ? 'failed'
        : 'pending';
  return {
    ...request,
    state,
    sentAt: (delivered ?? sends.at(-1))?.at ?? null,
    acknowledgedAt: ack?.at ?? null,
    status: ack?.type === 'acknowledged' ? ack.status : null,
  };
}
