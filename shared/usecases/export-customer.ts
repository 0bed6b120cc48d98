/**
 * Subject access: everything minimis holds about one person, decrypted, as one JSON-able object.
 *
 * The person is found by the keyed hash of their normalised email (never a scan, never a plain
 * hash): their live personal records (expired ones are gone, even if not purged yet), the
 * non-personal order records those link to, the consent ledger, the marketing contact and the
 * suppression state. Only the operator's role may decrypt every purpose, so only the ops CLI runs
 * this. Orders whose personal data has expired or was erased are no longer linked to anybody and
 * are therefore not part of an export.
 */

import type { DataKeys } from '../crypto/data-keys.js';
import { type LookupKeys, normaliseEmail } from '../crypto/lookup-keys.js';
import { isShredded, sealedCustomerBlob, sealedMarketingContact } from '../crypto/shredding.js';
import {
  type ConsentEvent,
  erasedAtOf,
  hasMarketingConsent,
  type SuppressionRecord,
  sinceErasure,
} from '../domain/consent.js';
import { suppressionInForce } from '../domain/email-policy.js';
import { type Disclosure, disclosuresOf, type Mac, tipOf, verifyLedger } from '../domain/ledger.js';
import type { DeliveryState, OrderItem, OrderRecord, OrderStatus, PersonalRecord } from '../domain/order.js';
import { customerRecordId, decodeFields, type PersonalFields } from '../domain/sealing.js';
import { PURPOSES, type Purpose } from '../inventory.js';
import type { LedgerStore, PrincipalSource } from '../ledger-ports.js';
import type { Clock, ConsentStore, OrderStore } from '../ports.js';
import type { RecordSecretStore } from '../record-secrets.js';
import { appendOf } from './disclosure-ledger.js';

export interface ExportDeps {
  readonly orders: Pick<OrderStore, 'getOrder' | 'listPersonalByEmailKey'>;
  /** `getSuppression` answers with the key table's erasure mark (shreddingConsentStore). */
  readonly consent: Pick<ConsentStore, 'getCustomer' | 'getSuppression'>;
  readonly dataKeys: Pick<DataKeys, 'open'>;
  /** The key table: the marketing contact's secret (order records come with theirs). */
  readonly recordSecrets: Pick<RecordSecretStore, 'getSecrets'>;
  readonly lookup: Pick<LookupKeys, 'emailKey'>;
  readonly clock: Clock;
  /**
   * The disclosure ledger: each order's "who received which fields when" goes into the export, and
   * the export itself is appended to it (`exported`, by the operator's principal).
   */
  readonly disclosures?: {
    readonly store: LedgerStore;
    readonly mac: Mac;
    readonly principal: PrincipalSource;
  };
}

/** Who received which of the order's fields when, per its disclosure ledger. */
export interface ExportedDisclosures {
  readonly recipients: readonly Disclosure[];
  /** The ledger's chain verified (not tampered with, not shortened). */
  readonly verified: boolean;
}

export interface ExportedOrder {
  readonly orderId: string;
  /** Null only if intake stopped between writing the personal record and the order record. */
  readonly status: OrderStatus | null;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
  readonly deliveredAt: string | null;
  readonly items: readonly OrderItem[];
  readonly currency: string | null;
  readonly country: string | null;
  readonly paymentReference: string | null;
  readonly trackingNumber: string | null;
  readonly trackingUrl: string | null;
  readonly deliveries: ReadonlyArray<{ readonly partner: string; readonly state: DeliveryState }>;
  /** Decrypted personal fields per purpose, keyed by inventory path (e.g. `customer.givenName`). */
  readonly personal: Readonly<Partial<Record<Purpose, PersonalFields>>>;
  /** When this order's personal data expires (ISO 8601); after that it is gone for everybody. */
  readonly personalExpiresAt: string;
  /** Present when the ledger is wired (always in the CLI). */
  readonly disclosures?: ExportedDisclosures;
}

export interface CustomerExport {
  /** The address asked about, normalised (trimmed, lower case) as minimis compares it. */
  readonly email: string;
  readonly generatedAt: string;
  readonly orders: readonly ExportedOrder[];
  readonly consent: { readonly events: readonly ConsentEvent[]; readonly currentlyConsented: boolean };
  /** The contact sealed under `marketing` (present only while consent stands). */
  readonly marketingContact: PersonalFields | null;
  /**
   * An unconfirmed opt-in awaiting its owner's confirmation: the contact it would make the marketing
   * contact, and until when its link works.
   */
  readonly pendingConfirmation: {
    readonly contact: PersonalFields;
    readonly expiresAt: string;
    readonly email: 'requested' | 'sending' | 'sent';
  } | null;
  /** `inForce`: whether it still stops promotional mail (only a confirmed opt-in after it lifts it). */
  readonly suppression: (Omit<SuppressionRecord, 'emailKey'> & { readonly inForce: boolean }) | null;
}

/** Live: not expired, and not shredded (a record restored from a backup after its erasure). */
const live = (record: PersonalRecord, now: Date) =>
  record.expiresAt * 1000 > now.getTime() && !isShredded(record);

export async function exportCustomer(deps: ExportDeps, email: string): Promise<CustomerExport> {
  const now = deps.clock.now();
  const emailKey = await deps.lookup.emailKey(email);
  const [records, stored, suppression] = await Promise.all([
    deps.orders.listPersonalByEmailKey(emailKey, now),
    deps.consent.getCustomer(emailKey),
    deps.consent.getSuppression(emailKey),
  ]);
  // An order table restored from before the last erasure brings the erased ledger back: not
  // exported. The suppression, read with the key table's erasure mark, dates that erasure.
  const customer = sinceErasure(stored, erasedAtOf(suppression));

  const orders: ExportedOrder[] = [];
  for (const record of records.filter((r) => live(r, now))) orders.push(await exportOrder(deps, record));
  orders.sort(
    (a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.orderId.localeCompare(b.orderId),
  );

  const events = [...(customer?.consent ?? [])];
  const marketing = await sealedMarketingContact(deps.recordSecrets, customer, now);
  const marketingContact = marketing
    ? decodeFields(
        await deps.dataKeys.open('marketing', customerRecordId(emailKey), marketing.blob, marketing.secret),
      )
    : null;
  const request = customer?.confirmation;
  const pending = customer?.pendingMarketing
    ? await sealedCustomerBlob(deps.recordSecrets, emailKey, customer.pendingMarketing, now)
    : null;
  const pendingConfirmation =
    pending && request
      ? {
          contact: decodeFields(
            await deps.dataKeys.open('marketing', customerRecordId(emailKey), pending.blob, pending.secret),
          ),
          expiresAt: new Date(request.expiresAt * 1000).toISOString(),
          email: request.email,
        }
      : null;
  return {
    email: normaliseEmail(email),
    generatedAt: now.toISOString(),
    orders,
    consent: { events, currentlyConsented: hasMarketingConsent(events) },
    marketingContact,
    pendingConfirmation,
    suppression: suppression
      ? { reason: suppression.reason, at: suppression.at, inForce: suppressionInForce(suppression, events) }
      : null,
  };
}

async function exportOrder(deps: ExportDeps, record: PersonalRecord): Promise<ExportedOrder> {
  const order = await deps.orders.getOrder(record.orderId);
  const personal: Partial<Record<Purpose, PersonalFields>> = {};
  for (const purpose of PURPOSES) {
    const blob = record.sealed[purpose];
    if (blob)
      personal[purpose] = decodeFields(
        await deps.dataKeys.open(purpose, record.orderId, blob, record.secret),
      );
  }
  const disclosures =
    order && deps.disclosures ? await recordExport(deps.disclosures, order, personal, deps.clock) : undefined;
  return {
    ...(disclosures ? { disclosures } : {}),
    orderId: record.orderId,
    status: order?.status ?? null,
    createdAt: order?.createdAt ?? null,
    updatedAt: order?.updatedAt ?? null,
    deliveredAt: order?.deliveredAt ?? null,
    items: order?.items ?? [],
    currency: order?.currency ?? null,
    country: order?.country ?? null,
    paymentReference: order?.paymentReference ?? null,
    trackingNumber: order?.trackingNumber ?? null,
    trackingUrl: order?.trackingUrl ?? null,
    deliveries: Object.entries(order?.deliveries ?? {})
      .map(([partner, d]) => ({ partner, state: d.state }))
      .sort((a, b) => a.partner.localeCompare(b.partner)),
    personal,
    personalExpiresAt: new Date(record.expiresAt * 1000).toISOString(),
  };
}

/** Reads the order's ledger for the export and appends the export itself (one write). */
async function recordExport(
  ledger: NonNullable<ExportDeps['disclosures']>,
  order: OrderRecord,
  personal: Partial<Record<Purpose, PersonalFields>>,
  clock: Clock,
): Promise<ExportedDisclosures | undefined> {
  const { orderId } = order;
  const stored = await ledger.store.getLedger(orderId);
  if (!stored) return undefined;
  const verification = await verifyLedger(ledger.mac, orderId, stored.entries, stored.head, order);
  const purposes = PURPOSES.filter((p) => personal[p] !== undefined);
  await ledger.store.appendLedger(
    orderId,
    appendOf(
      ledger.mac,
      { orderId, ledgerTip: { count: stored.head?.count ?? 0, lastMac: tipOf(stored.entries).lastMac } },
      [{ type: 'exported', by: 'operator', principal: await ledger.principal.principal(), purposes }],
      clock.now().toISOString(),
    ),
  );
  return { recipients: disclosuresOf(stored.entries), verified: verification.ok };
}
