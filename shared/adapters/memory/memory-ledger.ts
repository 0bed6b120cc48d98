/**
 * In-memory ledger with the same semantics as dynamo-ledger.ts: the state write and the append
 * are applied together (synchronously, so atomically) only while the ledger still ends at the tip
 * the entries were chained on; otherwise the entries are re-chained on the new tip and retried.
 */
import type { ErasureCertificate, ErasureJournal } from '../../domain/certificate.js';
import {
  EMPTY_TIP,
  erasedMark,
  type LedgerEntry,
  type LedgerHead,
  type LedgerTip,
} from '../../domain/ledger.js';
import type {
  CertificateStore,
  ErasureJournalStore,
  LedgerAppend,
  StoredLedger,
} from '../../ledger-ports.js';

const MAX_APPEND_ATTEMPTS = 8;

export class MemoryLedgers {
  readonly ledgers = new Map<string, { entries: LedgerEntry[]; head: LedgerHead | undefined }>();

  get(orderId: string): StoredLedger {
    const ledger = this.ledgers.get(orderId);
    return { entries: [...(ledger?.entries ?? [])], head: ledger?.head };
  }

  tip(orderId: string): LedgerTip | undefined {
    const ledger = this.ledgers.get(orderId);
    if (!ledger) return undefined;
    return {
      count: ledger.head?.count ?? 0,
      lastMac: ledger.entries.at(-1)?.mac ?? '',
      ...erasedMark(ledger.entries),
    };
  }

  /** Applies `write` (false: its own condition failed) together with the append. */
  async withAppend(
    orderId: string,
    append: LedgerAppend | undefined,
    write: () => boolean,
  ): Promise<boolean> {
    if (!append) return write();
    let tip = append.tip;
    for (let attempt = 0; attempt < MAX_APPEND_ATTEMPTS; attempt++) {
      const sealed = await append.build(tip);
      const current = this.tip(orderId) ?? EMPTY_TIP;
      if (current.count === tip.count) {
        if (!write()) return false;
        const ledger = this.ledgers.get(orderId) ?? { entries: [], head: undefined };
        ledger.entries.push(...sealed.entries);
        ledger.head = sealed.head;
        this.ledgers.set(orderId, ledger);
        return true;
      }
      tip = current;
    }
    throw new Error('ledger append lost to concurrent appends too often');
  }
}

export class MemoryCertificateStore implements CertificateStore, ErasureJournalStore {
  readonly certificates = new Map<string, ErasureCertificate>();
  readonly journals = new Map<string, ErasureJournal>();
  async getJournal(emailKey: string) {
    const found = this.journals.get(emailKey);
    return found ? structuredClone(found) : undefined;
  }
  async openJournal(journal: ErasureJournal) {
    if (this.journals.has(journal.emailKey)) throw new Error('journal exists');
    this.journals.set(journal.emailKey, structuredClone(journal));
  }
  async journalOrder(emailKey: string, orderId: string) {
    const journal = this.journals.get(emailKey);
    if (!journal) throw new Error('no journal');
    if (!journal.orders.includes(orderId))
      this.journals.set(emailKey, { ...journal, orders: [...journal.orders, orderId] });
  }
  async journalCustomer(emailKey: string, customer: NonNullable<ErasureJournal['customer']>) {
    const journal = this.journals.get(emailKey);
    if (!journal) throw new Error('no journal');
    this.journals.set(emailKey, { ...journal, customer: { ...customer } });
  }
  async closeJournal(emailKey: string) {
    this.journals.delete(emailKey);
  }
  async putCertificate(certificate: ErasureCertificate) {
    if (this.certificates.has(certificate.id)) return false;
    this.certificates.set(certificate.id, structuredClone(certificate));
    return true;
  }
  async getCertificate(id: string) {
    const found = this.certificates.get(id);
    return found ? structuredClone(found) : undefined;
  }
}
