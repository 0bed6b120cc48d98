/**
 * Erasure with its receipt (data-inventory.md, "Erasure and expiry reach backups"): runs the
 * erasure (erase-customer.ts), then for every order it erased
 * 1. appends `erased` and one `redaction-requested` per partner that received, or may be
 *    receiving, personal data of it (the carrier; never the warehouse, which gets no personal
 *    field) to the ledger, in one write,
 * 2. enqueues `order.redacted` on each such partner's queue (signed, retried and acknowledged like
 *    any webhook: deliver-redaction.ts),
 * and stores the erasure certificate (`era_…`): what was erased, when each copy becomes
 * unrecoverable, and the redactions requested. It holds no personal data; `showCertificate`
 * adds the partners' acknowledgements from the ledgers each time it is shown.
 *
 * In-flight deliveries: a webhook with personal fields is entered in the ledger (`sending`)
 * before it is POSTed, by an append that is refused once the ledger holds `erased`
 * (deliver-to-partner.ts). The partners to redact are picked from exactly the ledger the
 * `erased` entry chains on: the write is conditional on the tip, and when another entry landed
 * since the ledger was read, the store calls `build` again on the new tip and the ledger is read
 * again. So an entry before `erased` is in the redactions, and none with personal data can follow
 * it.
 *
 * A run that dies part-way (between its deletes and its ledger entries, before the redactions are
 * enqueued, before the certificate is stored) leaves its write-ahead journal (`ERASING#<emailKey>`:
 * the certificate id, the orders it deleted or was about to delete). The next `minimis erase` of
 * the address (once the fence's lease has passed) resumes it: the same certificate id, dated by
 * the resuming run (its deletes are the last; the first run's may have been none), ledger entries
 * only where no run of it wrote one — also when the first run was only slow and lands its entry
 * while the resumer runs — every redaction enqueued again (the same webhook-id), the certificate
 * stored once. The journal goes after the certificate.
 */

import { redactionMessage } from '../contracts/messages.js';
import { partnerQueue } from '../contracts.js';
import {
  type ErasureCertificate,
  type ErasureJournal,
  newCertificateId,
  type RedactionStatus,
  type RequestedRedaction,
  redactionStatus,
} from '../domain/certificate.js';
import {
  type LedgerEntry,
  type LedgerEvent,
  type Mac,
  partnersWithPersonalData,
  redactionBasis,
  sealEntries,
  tipOf,
} from '../domain/ledger.js';
import { ORDER_REDACTED_TYPE } from '../domain/projections.js';
import { FIELDS, type FieldDeclaration, type FieldPath, type PartnerKind } from '../inventory.js';
import type {
  CertificateStore,
  ErasureJournalStore,
  LedgerAppend,
  LedgerStore,
  PrincipalSource,
} from '../ledger-ports.js';
import type { OrderStore, Queue } from '../ports.js';
import { certificateCopies, erasureHorizon } from '../report/erasure-horizon.js';
import { CLOCK_SKEW_MS, webhookId } from './deliver-to-partner.js';
import {
  type EraseDeps,
  type EraseJournal,
  type ErasureReceipt,
  eraseCustomerThen,
  waitUntil,
} from './erase-customer.js';

export interface CertifiedEraseDeps extends Omit<EraseDeps, 'journal' | 'orders'> {
  /** Also read: the erased orders' email claims still in flight (`emailsSettled`). */
  readonly orders: EraseDeps['orders'] & Pick<OrderStore, 'getOrder'>;
  readonly ledger: LedgerStore;
  readonly ledgerMac: Mac;
  readonly queue: Pick<Queue, 'send'>;
  readonly certificates: CertificateStore & ErasureJournalStore;
  readonly principal: PrincipalSource;
  /** Configured partners: a redaction goes only to a partner that still exists. */
  readonly partners: ReadonlyArray<{
    readonly id: string;
    readonly kind: PartnerKind;
    readonly fields: readonly FieldPath[];
  }>;
  readonly newId?: () => string;
}

export interface CertifiedErasure {
  readonly receipt: ErasureReceipt;
  readonly certificate: ErasureCertificate;
}

const isPersonal = (path: keyof typeof FIELDS) => (FIELDS[path] as FieldDeclaration).personal;

export async function eraseWithCertificate(
  deps: CertifiedEraseDeps,
  email: string,
): Promise<CertifiedErasure> {
  const principal = await deps.principal.principal();
  const store = deps.certificates;
  const journal: EraseJournal = {
    open: async (emailKey, start) => {
      const left = await store.getJournal(emailKey);
      if (left) return left;
      const opened = {
        emailKey,
        certificate: (deps.newId ?? newCertificateId)(),
        principal,
        ...start,
        orders: [],
      };
      await store.openJournal(opened);
      return opened;
    },
    order: (emailKey, orderId) => store.journalOrder(emailKey, orderId),
    customer: (emailKey, customer) => store.journalCustomer(emailKey, customer),
  };
  const { receipt, finished } = await eraseCustomerThen({ ...deps, journal }, email, (receipt, opened) =>
    certify(deps, receipt, opened as NonNullable<typeof opened>, principal),
  );
  return { receipt, certificate: finished };
}

/** Steps 1–2 of the module comment and the certificate, inside the erasure's fence; then the journal goes. */
async function certify(
  deps: CertifiedEraseDeps,
  receipt: ErasureReceipt,
  journal: ErasureJournal,
  principal: string,
): Promise<ErasureCertificate> {
  const id = journal.certificate;
  const requestedAt = receipt.erasedAt;
  const known = new Set(deps.partners.map((p) => p.id));
  const redactions: RequestedRedaction[] = [];
  const redactionOf = (entries: readonly LedgerEntry[], orderId: string, partner: string) => ({
    orderId,
    partner,
    webhookId: webhookId(orderId, partner, ORDER_REDACTED_TYPE),
    requestedAt,
    basis: redactionBasis(entries, partner, isPersonal),
  });
  const requestsIn = (entries: readonly LedgerEntry[], orderId: string): RequestedRedaction[] =>
    partnersWithPersonalData(entries, isPersonal)
      .filter((p) => known.has(p))
      .map((partner) => redactionOf(entries, orderId, partner));
  /**
   * Partners that received personal data but are no longer configured: nothing can be sent to
   * them, so the certificate names them as not sent (incomplete) instead of leaving them out.
   */
  const unreachableIn = (entries: readonly LedgerEntry[], orderId: string): RequestedRedaction[] =>
    partnersWithPersonalData(entries, isPersonal)
      .filter((p) => !known.has(p))
      .map((partner) => ({ ...redactionOf(entries, orderId, partner), notSent: 'partner-not-configured' }));

  for (const orderId of receipt.ordersErased) {
    const ledger = await deps.ledger.getLedger(orderId);
    if (!ledger) continue; // intake stopped before writing the order record: nothing was sent
    let seen: readonly LedgerEntry[] = ledger.entries;
    let requests: RequestedRedaction[];
    const ours = ownEntry(seen, id);
    if (ours >= 0) {
      // A run of this erasure that died after its ledger write: the same requests, sent again
      // (the same webhook-id, so a partner that has it already sees a retry).
      requests = requestsIn(seen.slice(0, ours), orderId);
    } else {
      requests = [];
      const append: LedgerAppend = {
        tip: tipOf(seen),
        build: async (tip) => {
          // Another entry landed since the ledger was read (a delivery's `sending`, an
          // acknowledgement): read it again, so the partners come from the ledger this write chains on.
          if (tip.count !== seen.length) seen = (await deps.ledger.getLedger(orderId))?.entries ?? seen;
          // A run of this same erasure landed its entry meanwhile (this one outlived its lease and
          // was resumed): nothing to append; its requests are this run's too.
          const landed = ownEntry(seen, id);
          if (landed >= 0) throw new AlreadyEntered(landed);
          requests = requestsIn(seen, orderId);
          const events: LedgerEvent[] = [
            { type: 'erased', by: 'operator', principal, certificate: id },
            ...requests.map(
              (r): LedgerEvent => ({
                type: 'redaction-requested',
                by: 'operator',
                principal,
                recipient: r.partner,
                webhookId: r.webhookId,
                certificate: id,
              }),
            ),
          ];
          return sealEntries(deps.ledgerMac, orderId, tip, events, requestedAt);
        },
      };
      try {
        if (!(await deps.ledger.appendLedger(orderId, append))) continue;
      } catch (error) {
        if (!(error instanceof AlreadyEntered)) throw error;
        requests = requestsIn(seen.slice(0, error.index), orderId);
      }
    }
    for (const r of requests)
      await deps.queue.send(partnerQueue(r.partner), redactionMessage(orderId, r.partner, requestedAt));
    const before = ownEntry(seen, id);
    redactions.push(...requests, ...unreachableIn(before >= 0 ? seen.slice(0, before) : seen, orderId));
  }

  await emailsSettled(deps, receipt.ordersErased);

  const certificate: ErasureCertificate = {
    id,
    erasedAt: receipt.erasedAt,
    principal: journal.principal,
    outcome: receipt.outcome,
    erased: {
      orders: receipt.ordersErased.map((orderId) => ({ orderId, personalRecords: 1 })),
      personalRecords: receipt.ordersErased.length,
      customerRecords: receipt.consentLedgerRemoved || receipt.marketingContactRemoved ? 1 : 0,
      consentLedgerRemoved: receipt.consentLedgerRemoved,
      marketingContactRemoved: receipt.marketingContactRemoved,
    },
    copies: certificateCopies(
      erasureHorizon({ shredBackupDays: deps.settings?.shredBackupDays ?? 7, partners: deps.partners }),
      new Date(receipt.erasedAt),
    ),
    redactions,
  };
  // A run of this erasure that died (or outlived its lease) after storing it: the one stored stands.
  const stored = (await deps.certificates.putCertificate(certificate))
    ? certificate
    : ((await deps.certificates.getCertificate(id)) ?? certificate);
  await deps.certificates.closeJournal(journal.emailKey);
  return stored;
}

/**
 * Returns once no email to an erased order can still go out (review s11b: an erasure at any await
 * of a notification let the email out after the erasure reported done). A claim made after the
 * order's `erased` entry is refused by the store; one made before it holds a lease, and a
 * notification sends only within its lease (notify-customer.ts): so the erasure waits until the
 * latest lease in flight, plus the clock skew it allows, has passed.
 */
async function emailsSettled(deps: CertifiedEraseDeps, orderIds: readonly string[]): Promise<void> {
  let until = 0;
  for (const orderId of orderIds) {
    const order = await deps.orders.getOrder(orderId);
    for (const claim of Object.values(order?.emails ?? {}))
      if (claim.state === 'sending') until = Math.max(until, claim.leaseUntil ?? 0);
  }
  if (until > 0) await waitUntil(deps, until + CLOCK_SKEW_MS);
}

/** Where the ledger holds the `erased` entry of certificate `id` (-1: nowhere). */
const ownEntry = (entries: readonly LedgerEntry[], id: string) =>
  entries.findIndex((e) => e.type === 'erased' && e.certificate === id);

/** Thrown out of a ledger append's build when the entry is already there (not an error to anyone). */
class AlreadyEntered extends Error {
  override readonly name = 'AlreadyEntered';
  constructor(readonly index: number) {
    super('the erased entry of this certificate is in the ledger already');
  }
}

export interface ShownCertificate extends Omit<ErasureCertificate, 'redactions'> {
  readonly redactions: readonly RedactionStatus[];
  /** True when every requested redaction was acknowledged. */
  readonly complete: boolean;
}

/** The certificate with the partners' acknowledgements so far (from the orders' ledgers). */
export async function showCertificate(
  deps: { readonly certificates: CertificateStore; readonly ledger: Pick<LedgerStore, 'getLedger'> },
  id: string,
): Promise<ShownCertificate | undefined> {
  const certificate = await deps.certificates.getCertificate(id);
  if (!certificate) return undefined;
  const redactions: RedactionStatus[] = [];
  for (const request of certificate.redactions) {
    const ledger = await deps.ledger.getLedger(request.orderId);
    redactions.push(redactionStatus(request, ledger?.entries ?? []));
  }
  return {
    ...certificate,
    redactions,
    complete: redactions.every((r) => r.state === 'acknowledged'),
  };
}
