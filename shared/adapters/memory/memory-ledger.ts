/**
 * In-memory ledger with the same semantics as dynamo-ledger.ts: the state write and the append
 * are applied together (synchronously, so atomically) only while the ledger still ends at the tip
 * the entries were chained on; otherwise the entries are re-chained on the new tip and retried.
 */
import type { ErasureCertificate } from '../../domain/certificate.js';
import {
  EMPTY_TIP,
  erasedMark,
  type LedgerEntry,
  type LedgerHead,
  type LedgerTip,
} from '../../domain/ledger.js';
import type { CertificateStore, LedgerAppend, StoredLedger } from '../../ledger-ports.js';

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

export class MemoryCertificateStore implements CertificateStore {
  readonly certificates = new Map<string, ErasureCertificate>();
  async putCertificate(certificate: ErasureCertificate) {
    if (this.certificates.has(certificate.id)) throw new Error('certificate id taken');
    this.certificates.set(certificate.id, structuredClone(certificate));
  }
  async getCertificate(id: string) {
    const found = this.certificates.get(id);
    return found ? structuredClone(found) : undefined;
  }
}
