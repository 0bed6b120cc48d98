/**
 * Which email may go out, decided from the consent ledger and the suppression list at send time.
 * Pure functions; notify-customer and unsubscribe apply them.
 *
 * Promotional mail: only while the latest EFFECTIVE consent event is an opt-in AND no suppression
 * (unsubscribe, bounce, complaint, erasure) is in force. A suppression is lifted only by that
 * person: by a `confirmed` opt-in (the signed link of the consent-confirmation email) recorded
 * after it. A checkout opt-in for a suppressed address is recorded `unconfirmed` and decides
 * nothing (anyone can type an address at checkout; email.md, "A person's word is final").
 *
 * Transactional mail (confirmation, dispatch) still goes to a customer who unsubscribed or
 * complained: it is needed to deliver the purchase. It is held back only when the address
 * hard-bounced, or its owner was erased, at or after the order was placed (the address is known
 * not to work, or the person asked to be forgotten). An order placed after such an event carries a
 * freshly given address, so its mail is tried again.
 */
import {
  type ConsentEvent,
  type CustomerRecord,
  hasMarketingConsent,
  isEffective,
  type SuppressionRecord,
} from './consent.js';

/** The notify-queue message types and the email each one triggers. */
export const NOTIFY_TYPES = ['order.accepted', 'shipment.dispatched', 'shipment.delivered'] as const;
export type NotifyType = (typeof NOTIFY_TYPES)[number];

export const EMAIL_KINDS = ['order-confirmation', 'shipment-dispatched', 'delivered-follow-up'] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];
export type EmailCategory = 'transactional' | 'promotional';

export const EMAIL_FOR: Readonly<Record<NotifyType, EmailKind>> = {
  'order.accepted': 'order-confirmation',
  'shipment.dispatched': 'shipment-dispatched',
  'shipment.delivered': 'delivered-follow-up',
};

export const EMAIL_CATEGORY: Readonly<Record<EmailKind, EmailCategory>> = {
  'order-confirmation': 'transactional',
  'shipment-dispatched': 'transactional',
  'delivered-follow-up': 'promotional',
};

/** Suppression reasons that also stop transactional mail for orders placed before them. */
const STOPS_TRANSACTIONAL: ReadonlySet<SuppressionRecord['reason']> = new Set(['bounce', 'erasure']);

/** The latest effective event of a ledger (ties: the one appended last), or undefined. */
export function latestConsentEvent(ledger: readonly ConsentEvent[]): ConsentEvent | undefined {
  let latest: ConsentEvent | undefined;
  for (const event of ledger) if (isEffective(event) && (!latest || event.at >= latest.at)) latest = event;
  return latest;
}

/** When the owner of the address last confirmed an opt-in with the signed link, or undefined. */
export function latestConfirmationAt(ledger: readonly ConsentEvent[]): string | undefined {
  let at: string | undefined;
  for (const event of ledger)
    if (event.granted && event.status === 'confirmed' && (at === undefined || event.at > at)) at = event.at;
  return at;
}

/**
 * A suppression (any reason) is in force unless the person lifted it: a `confirmed` opt-in
 * recorded after it. A checkout opt-in alone never lifts one.
 */
export function suppressionInForce(
  suppression: SuppressionRecord | undefined,
  ledger: readonly ConsentEvent[],
): suppression is SuppressionRecord {
  if (!suppression) return false;
  const confirmed = latestConfirmationAt(ledger);
  return confirmed === undefined || suppression.at >= confirmed;
}

/**
 * Whether a checkout opt-in needs its owner's confirmation: a suppression is in force, or the
 * ledger's latest effective event is an opt-out. An opt-out writes its ledger event before its
 * suppression entry, so the event alone is the owner's word where the entry never landed (the
 * function died between the two writes) or has not landed yet (a checkout read between them).
 */
export function optInNeedsConfirmation(
  suppression: SuppressionRecord | undefined,
  ledger: readonly ConsentEvent[],
): boolean {
  return suppressionInForce(suppression, ledger) || latestConsentEvent(ledger)?.granted === false;
}

export type PromotionDecision =
  | { readonly allowed: true; readonly marketing: Uint8Array }
  | { readonly allowed: false; readonly reason: 'not-opted-in' | 'suppressed' };

export function decidePromotion(
  customer: CustomerRecord | undefined,
  suppression: SuppressionRecord | undefined,
): PromotionDecision {
  const ledger = customer?.consent ?? [];
  if (suppressionInForce(suppression, ledger)) return { allowed: false, reason: 'suppressed' };
  if (!customer?.marketing || !hasMarketingConsent(ledger)) return { allowed: false, reason: 'not-opted-in' };
  return { allowed: true, marketing: customer.marketing };
}

export function transactionalAllowed(
  orderCreatedAt: string,
  suppression: SuppressionRecord | undefined,
): boolean {
  return !(suppression && STOPS_TRANSACTIONAL.has(suppression.reason) && suppression.at >= orderCreatedAt);
}
