/**
 * Consent is a ledger: every opt-in, confirmation and opt-out is an event; the latest EFFECTIVE one
 * decides. A checkout opt-in for a suppressed address is recorded as `unconfirmed` (not effective)
 * until the owner of the address confirms it with the signed link of the consent-confirmation email
 * (a `confirmation` event). See email.md, "A person's word is final".
 */
export const CONSENT_SOURCES = [
  'checkout',
  'confirmation',
  'unsubscribe-link',
  'bounce',
  'complaint',
  'operator',
] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export interface ConsentEvent {
  readonly granted: boolean;
  readonly at: string;
  readonly source: ConsentSource;
  readonly policyVersion: string;
  /**
   * `unconfirmed`: a checkout opt-in for a suppressed address, awaiting the owner's confirmation
   * (recorded, not effective). `confirmed`: the owner confirmed with the signed link. Absent: an
   * ordinary event, effective as recorded.
   */
  readonly status?: 'unconfirmed' | 'confirmed';
}

/** An outstanding request to confirm a renewed opt-in (one at a time per address). */
export interface ConfirmationRequest {
  /** Random id (base64url, 16 bytes) carried by the signed link; single use. */
  readonly id: string;
  /** Epoch seconds after which the link no longer works (7 days after the request). */
  readonly expiresAt: number;
  /** The confirmation email: to be sent, being sent (lease, epoch ms), or sent. */
  readonly email: 'requested' | 'sending' | 'sent';
  readonly leaseUntil?: number;
}

export interface CustomerRecord {
  readonly emailKey: string;
  readonly consent: readonly ConsentEvent[];
  /** The email sealed under the `marketing` purpose; present only while consent stands. */
  readonly marketing?: Uint8Array;
  /** The sealed marketing contact of an unconfirmed opt-in: becomes `marketing` on confirmation. */
  readonly pendingMarketing?: Uint8Array;
  readonly confirmation?: ConfirmationRequest;
  /**
   * Epoch seconds before which no new confirmation request is opened: the last request's expiry.
   * An opt-out withdraws the request but keeps this, so the owner who unsubscribes from (or
   * complains about) a confirmation email is not sent another by the next stranger's checkout;
   * the owner's confirmation removes it.
   */
  readonly confirmationCooldownUntil?: number;
  readonly updatedAt: string;
}

export interface SuppressionRecord {
  readonly emailKey: string;
  readonly reason: 'unsubscribe' | 'bounce' | 'complaint' | 'erasure';
  readonly at: string;
  /**
   * Read only, never stored: the key table's erasure mark under an entry newer than it (an opt-out
   * after the owner's confirmed re-opt-in), so the erasure still dates what predates it.
   */
  readonly erasedAt?: string;
}

/**
 * The suppression in force given the order table's entry and the key table's erasure mark
 * (record-secrets.ts, ErasureMarks). The erasure writes its entry and then its mark with the same
 * time, so an entry as old as the mark or newer was written knowing of the erasure (the erasure's
 * own, or a later opt-out after the owner's confirmed re-opt-in): it stands. The mark wins only
 * where the entry is missing or older than the mark — as after a restore of the order table from
 * before the erasure.
 */
export function withErasureMark(
  emailKey: string,
  stored: SuppressionRecord | undefined,
  erasedAt: string | undefined,
): SuppressionRecord | undefined {
  if (erasedAt === undefined) return stored;
  if (stored && stored.at >= erasedAt) return stored.reason === 'erasure' ? stored : { ...stored, erasedAt };
  return { emailKey, reason: 'erasure', at: erasedAt };
}

/** How long a consent-confirmation link works. */
export const CONFIRMATION_DAYS = 7;

/**
 * Epoch seconds up to which a confirmation request (or its cooldown) opened at or before
 * `erasedAt` would have run: the latest expiry of a request `openedBeforeErasure`.
 */
export function voidUntil(erasedAt: string): number {
  return Math.floor(Date.parse(erasedAt) / 1000) + CONFIRMATION_DAYS * 86_400;
}

/**
 * Whether a confirmation request expiring at `expiresAt` (epoch seconds, 7 days after it was
 * opened) was opened at or before the address's last erasure (the key table's mark): such a
 * request was erased with its customer record, and finding it again means the order table was
 * restored from a backup taken before the erasure.
 */
export function openedBeforeErasure(expiresAt: number, erasedAt: string | undefined): boolean {
  return erasedAt !== undefined && expiresAt <= voidUntil(erasedAt);
}

/**
 * When the address was last erased, as its suppression says: an erasure's suppression is dated by
 * the erasure (read with the key table's mark, it survives a restore of the order table), so a
 * reader that has the suppression needs no second read of the mark. Undefined for other reasons.
 */
export function erasedAtOf(suppression: SuppressionRecord | undefined): string | undefined {
  // A newer entry (an opt-out after a confirmed re-opt-in) carries the mark it stands over (review
  // s11: without it, the erased history an order-table restore brought back surfaced again).
  return suppression?.reason === 'erasure' ? suppression.at : suppression?.erasedAt;
}

/**
 * The customer record as the address's last erasure (`erasedAt`, the key table's mark, which
 * order-table restores do not reach) left it. The erasure deleted the record; an order table
 * restored from a backup taken before it brings the record back. What predates the erasure is
 * dropped — ledger events dated at or before it, a confirmation request (with its sealed contact)
 * and a cooldown opened before it, and the marketing contact unless an effective opt-in after it
 * stands — and a record with nothing left is no record ("a checkout by 'them' later starts
 * afresh", data-inventory.md).
 */
export function sinceErasure(
  record: CustomerRecord | undefined,
  erasedAt: string | undefined,
): CustomerRecord | undefined {
  if (!record || erasedAt === undefined) return record;
  const consent = record.consent.filter((event) => event.at > erasedAt);
  const { marketing, pendingMarketing, confirmation, confirmationCooldownUntil: cooldown, ...rest } = record;
  const requestStands = confirmation !== undefined && !openedBeforeErasure(confirmation.expiresAt, erasedAt);
  const cooldownStands = cooldown !== undefined && !openedBeforeErasure(cooldown, erasedAt);
  const marketingStands = marketing !== undefined && hasMarketingConsent(consent);
  if (consent.length === 0 && !requestStands && !cooldownStands && !marketingStands) return undefined;
  return {
    ...rest,
    consent,
    ...(marketingStands ? { marketing } : {}),
    ...(requestStands ? { confirmation, ...(pendingMarketing ? { pendingMarketing } : {}) } : {}),
    ...(cooldownStands ? { confirmationCooldownUntil: cooldown } : {}),
  };
}

/**
 * How many times a consent write re-reads and decides again when the ledger changed under it
 * (a confirmation, an opt-out or a checkout of the same address landing in between).
 */
export const CONSENT_WRITE_ATTEMPTS = 3;

/**
 * The time of a new ledger event: `now`, or one millisecond after the ledger's latest event when
 * that is not earlier (another function's clock ahead of ours). The latest event decides, so
 * the ledger's order by time must be the order its conditional writes landed in.
 */
export function nextEventAt(now: Date, ledger: readonly ConsentEvent[]): string {
  let latest = Number.NEGATIVE_INFINITY;
  for (const event of ledger) latest = Math.max(latest, Date.parse(event.at));
  return new Date(Math.max(now.getTime(), latest + 1)).toISOString();
}

/** Whether an event counts: an unconfirmed opt-in is in the ledger but decides nothing. */
export function isEffective(event: ConsentEvent): boolean {
  return event.status !== 'unconfirmed';
}

/** The latest effective event decides; no event means no consent. */
export function hasMarketingConsent(ledger: readonly ConsentEvent[]): boolean {
  let latest: ConsentEvent | undefined;
  for (const event of ledger) if (isEffective(event) && (!latest || event.at >= latest.at)) latest = event;
  return latest?.granted ?? false;
}

/** Whether a confirmation request is still outstanding at `nowSeconds` (then no new one is made). */
export function confirmationOutstanding(
  request: ConfirmationRequest | undefined,
  nowSeconds: number,
): request is ConfirmationRequest {
  return request !== undefined && request.expiresAt > nowSeconds;
}

/**
 * Whether no new confirmation request may be opened at `nowSeconds`: one is still outstanding, or
 * the last one was withdrawn by an opt-out less than its 7 days ago (at most one confirmation
 * email per address per 7 days, whoever checks out with it).
 */
export function confirmationCoolingDown(
  customer: Pick<CustomerRecord, 'confirmation' | 'confirmationCooldownUntil'> | undefined,
  nowSeconds: number,
): boolean {
  return (
    confirmationOutstanding(customer?.confirmation, nowSeconds) ||
    (customer?.confirmationCooldownUntil ?? 0) > nowSeconds
  );
}
