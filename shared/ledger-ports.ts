/**
 * Ports of the disclosure ledger and the erasure certificates (kept apart from ports.ts so the
 * ledger stays one change). Nothing here does I/O.
 */
import type { ErasureCertificate, ErasureJournal } from './domain/certificate.js';
import type { LedgerEntry, LedgerHead, LedgerTip, SealedAppend } from './domain/ledger.js';

/**
 * An append that rides on a write: the store makes the write conditional on the ledger still
 * ending at `tip`; when a concurrent append moved it, the store reads the new tip, calls `build`
 * again and retries, so two appenders never fork the chain or lose an entry.
 */
export interface LedgerAppend {
  /** The tip as the caller last read it (from the order record): no extra read when unchanged. */
  readonly tip: LedgerTip;
  readonly build: (tip: LedgerTip) => Promise<SealedAppend>;
}

export interface StoredLedger {
  readonly entries: readonly LedgerEntry[];
  readonly head: LedgerHead | undefined;
}

export interface LedgerStore {
  /** Undefined when there is no such order. */
  getLedger(orderId: string): Promise<StoredLedger | undefined>;
  /** A ledger-only append (a disclosure with no state update of its own); false: no such order. */
  appendLedger(orderId: string, append: LedgerAppend): Promise<boolean>;
}

export interface CertificateStore {
  /** Conditional on the id being new. */
  /** Stores it unless one with its id is stored: false then (a resumed erasure's, the same content). */
  putCertificate(certificate: ErasureCertificate): Promise<boolean>;
  getCertificate(id: string): Promise<ErasureCertificate | undefined>;
}

/**
 * The write-ahead journal of an erasure in progress (`ERASING#<emailKey>`, no personal data): what
 * it is about to delete is added before the delete, so a run that dies between its deletes and its
 * ledger entries leaves a journal that the next run of the same erasure resumes.
 */
export interface ErasureJournalStore {
  getJournal(emailKey: string): Promise<ErasureJournal | undefined>;
  /** Conditional on there being none for this key. */
  openJournal(journal: ErasureJournal): Promise<void>;
  /** Adds an order id (a set: adding one twice is a no-op). */
  journalOrder(emailKey: string, orderId: string): Promise<void>;
  journalCustomer(emailKey: string, customer: NonNullable<ErasureJournal['customer']>): Promise<void>;
  /** After the certificate is stored. */
  closeJournal(emailKey: string): Promise<void>;
}

/** Who is acting, for operator entries: the AWS caller identity's ARN, or locally the OS user. */
export interface PrincipalSource {
  principal(): Promise<string>;
}
