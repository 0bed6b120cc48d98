/**
 * Sends the customer the email a notify-queue message calls for:
 *
 * | message               | email                | category      | opens only  |
 * |-----------------------|----------------------|---------------|-------------|
 * | `order.accepted`      | order confirmation   | transactional | `contact`   |
 * | `shipment.dispatched` | shipment dispatched  | transactional | `contact`   |
 * | `shipment.delivered`  | delivered follow-up  | promotional   | `marketing` |
 *
 * The `shipping` purpose is never opened here: the confirmation shows the destination country
 * from the clear order record. Consent and suppression are checked at send time
 * (domain/email-policy.ts). Each email is sent at most once per order and kind, as far as a
 * crash between the send and the bookkeeping allows: the order's email claim (a lease) is taken
 * before sending, marked sent after, and released when the send fails so the retry can send.
 * A claim that cannot be taken means the email was sent or another worker is sending it: ack.
 *
 * The lease must be shorter than the queue's visibility timeout, so that when a worker dies
 * mid-send its redelivered message finds the lease expired and sends.
 */

import type { DataKeys } from '../crypto/data-keys.js';
import { sealedMarketingContact } from '../crypto/shredding.js';
import {
  decidePromotion,
  EMAIL_CATEGORY,
  EMAIL_FOR,
  type EmailKind,
  transactionalAllowed,
} from '../domain/email-policy.js';
import {
  deliveredFollowUpEmail,
  orderConfirmationEmail,
  type RenderedEmail,
  shipmentDispatchedEmail,
  unsubscribeHeaders,
  unsubscribeUrl,
} from '../domain/email-templates.js';
import { SealError } from '../domain/errors.js';
import { CUSTOMER_MAILBOX, type LedgerEvent, type Mac } from '../domain/ledger.js';
import type { OrderRecord, PersonalRecord } from '../domain/order.js';
import { customerRecordId, decodeFields } from '../domain/sealing.js';
import { createUnsubscribeToken, type UnsubscribeTokenSigner } from '../domain/unsubscribe-token.js';
import type { FieldPath, Purpose } from '../inventory.js';
import type { Clock, ConsentStore, Mailer, OrderStore } from '../ports.js';
import type { RecordSecretStore } from '../record-secrets.js';
import { appendOf } from './disclosure-ledger.js';

export interface NotifyCustomerDeps {
  readonly orders: Pick<
    OrderStore,
    'getOrder' | 'getPersonal' | 'claimEmail' | 'markEmailSent' | 'releaseEmail'
  >;
  readonly consent: Pick<ConsentStore, 'getCustomer' | 'getSuppression'>;
  readonly dataKeys: Pick<DataKeys, 'open'>;
  /** The key table: the marketing contact's secret (the order's comes with its personal record). */
  readonly recordSecrets: Pick<RecordSecretStore, 'getSecrets'>;
  readonly lookup: UnsubscribeTokenSigner;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly settings: {
    readonly publicBaseUrl: string;
    /** How long a send may take before another worker may retry it (default 20 s). */
    readonly leaseSeconds?: number;
  };
  /**
   * The ledger key's MAC: the purpose opened and the email sent ride on the mark-sent write.
   * @default no ledger (unit tests of other concerns)
   */
  readonly ledgerMac?: Mac;
}

import type { NotifyMessage } from '../contracts/messages.js';

export type { NotifyMessage };

export type NotifyOutcome =
  /** The email went out. */
  | 'sent'
  /** Sent before, or being sent by another worker. */
  | 'already-sent'
  | 'order-not-found'
  /** The order's personal data expired or was erased: nobody to write to. */
  | 'personal-data-gone'
  /** The order is not (yet) in the state this email is about. */
  | 'not-applicable'
  /** Promotional: no standing opt-in, or no sealed marketing contact. */
  | 'not-opted-in'
  /** The address is suppressed for this kind of mail (see email-policy.ts). */
  | 'suppressed';

export interface NotifyResult {
  readonly outcome: NotifyOutcome;
  readonly email: EmailKind;
  readonly messageId?: string;
  /** False when the email went out but marking it sent failed (logged by the caller). */
  readonly recorded?: boolean;
}

const DEFAULT_LEASE_SECONDS = 20;

/** The claim's lease ran out before the send: not sent; the message is retried (its claim given back). */
export class EmailLeaseExpiredError extends Error {
  override readonly name = 'EmailLeaseExpiredError';
  constructor(readonly email: string) {
    super(`email ${email} not sent: its claim's lease ran out first`);
  }
}

const STATUS_NEEDED: Readonly<Record<EmailKind, readonly OrderRecord['status'][]>> = {
  'order-confirmation': ['accepted', 'dispatched', 'delivered'],
  'shipment-dispatched': ['dispatched', 'delivered'],
  'delivered-follow-up': ['delivered'],
};

function field(fields: Partial<Record<string, string>>, path: string): string {
  const value = fields[path];
  if (typeof value !== 'string' || value.length === 0) throw new SealError(`Sealed record lacks ${path}`);
  return value;
}

/** The personal fields each email carries (the address as its recipient). */
const EMAIL_FIELDS: Readonly<Record<EmailKind, readonly FieldPath[]>> = {
  'order-confirmation': ['customer.givenName', 'customer.email'],
  'shipment-dispatched': ['customer.givenName', 'customer.email'],
  'delivered-follow-up': ['customer.email'],
};

type Prepared =
  | {
      readonly ok: true;
      readonly to: string;
      readonly content: RenderedEmail;
      /** The purpose opened to write it. */
      readonly purpose: Purpose;
    }
  | { readonly ok: false; readonly outcome: NotifyOutcome };

/** Decides and renders one email; opens only the purpose that email needs. */
async function prepare(
  deps: NotifyCustomerDeps,
  kind: EmailKind,
  order: OrderRecord,
  personal: PersonalRecord,
  unsubscribe: string,
): Promise<Prepared> {
  if (EMAIL_CATEGORY[kind] === 'promotional') {
    const [customer, suppression] = await Promise.all([
      deps.consent.getCustomer(personal.emailKey),
      deps.consent.getSuppression(personal.emailKey),
    ]);
    const decision = decidePromotion(customer, suppression);
    if (!decision.allowed) return { ok: false, outcome: decision.reason };
    // A shredded contact (erased, or a customer record restored from a backup) is no contact.
    const sealed = await sealedMarketingContact(deps.recordSecrets, customer, deps.clock.now());
    if (!sealed) return { ok: false, outcome: 'not-opted-in' };
    const marketing = decodeFields(
      await deps.dataKeys.open('marketing', customerRecordId(personal.emailKey), sealed.blob, sealed.secret),
    );
    return {
      ok: true,
      to: field(marketing, 'customer.email'),
      content: deliveredFollowUpEmail({ items: order.items, unsubscribeUrl: unsubscribe }),
      purpose: 'marketing',
    };
  }

  const suppression = await deps.consent.getSuppression(personal.emailKey);
  if (!transactionalAllowed(order.createdAt, suppression)) return { ok: false, outcome: 'suppressed' };
  const sealed = personal.sealed.contact;
  if (!sealed) throw new SealError('Personal record lacks the contact purpose');
  const contact = decodeFields(await deps.dataKeys.open('contact', order.orderId, sealed, personal.secret));
  const givenName = field(contact, 'customer.givenName');
  const content =
    kind === 'order-confirmation'
      ? orderConfirmationEmail({
          givenName,
          orderId: order.orderId,
          items: order.items,
          currency: order.currency,
          country: order.country,
          unsubscribeUrl: unsubscribe,
        })
      : shipmentDispatchedEmail({
          givenName,
          orderId: order.orderId,
          trackingNumber: order.trackingNumber,
          trackingUrl: order.trackingUrl,
          unsubscribeUrl: unsubscribe,
        });
  return { ok: true, to: field(contact, 'customer.email'), content, purpose: 'contact' };
}

export async function notifyCustomer(
  deps: NotifyCustomerDeps,
  message: NotifyMessage,
): Promise<NotifyResult> {
  const email = EMAIL_FOR[message.type];
  const result = (outcome: NotifyOutcome, messageId?: string): NotifyResult =>
    messageId === undefined ? { outcome, email } : { outcome, email, messageId };

  // The order and its personal record are read side by side (one batched read where the store
  // batches parallel reads): every email that gets past the order's checks needs the record.
  // Reading it is not opening it: a purpose is opened (and recorded) only to write the email.
  const now = deps.clock.now();
  const personalRead = deps.orders.getPersonal(message.orderId, now);
  personalRead.catch(() => undefined);
  const order = await deps.orders.getOrder(message.orderId);
  if (!order) return result('order-not-found');
  if (order.emails[email]?.state === 'sent') return result('already-sent');
  if (!STATUS_NEEDED[email].includes(order.status)) return result('not-applicable');
  const personal = await personalRead;
  if (!personal) return result('personal-data-gone');

  // Promotional mail the customer did not opt in to (the usual case) is refused before the claim:
  // no claim and release for it. An opted-in customer's consent is decided again in `prepare`
  // (the same reads when the caller shares them per message): either way an opt-out recorded
  // after these reads and before the send is the same race it always was, one write wider.
  if (EMAIL_CATEGORY[email] === 'promotional') {
    const [customer, suppression] = await Promise.all([
      deps.consent.getCustomer(personal.emailKey),
      deps.consent.getSuppression(personal.emailKey),
    ]);
    const decision = decidePromotion(customer, suppression);
    if (!decision.allowed) return result(decision.reason);
  }

  const nowMs = now.getTime();
  const leaseMs = (deps.settings.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  if (!(await deps.orders.claimEmail(order.orderId, email, nowMs + leaseMs, nowMs)))
    return result('already-sent');

  let messageId: string;
  let purpose: Purpose | undefined;
  const opened = (): LedgerEvent[] =>
    purpose ? [{ type: 'purpose-opened', by: 'notify-customer', purpose }] : [];
  const ledger = (events: LedgerEvent[]) =>
    deps.ledgerMac && events.length > 0
      ? appendOf(deps.ledgerMac, order, events, deps.clock.now().toISOString())
      : undefined;
  try {
    const token = await createUnsubscribeToken(deps.lookup, personal.emailKey);
    const link = unsubscribeUrl(deps.settings.publicBaseUrl, token);
    const prepared = await prepare(deps, email, order, personal, link);
    if (!prepared.ok) {
      await deps.orders.releaseEmail(order.orderId, email, undefined, nowMs + leaseMs);
      return result(prepared.outcome);
    }
    purpose = prepared.purpose;
    // Only within the claim's lease: an erasure waits out the leases in flight (certify-erasure.ts),
    // so a send that comes later (a stalled worker) might reach an address erased meanwhile.
    if (deps.clock.now().getTime() >= nowMs + leaseMs) throw new EmailLeaseExpiredError(email);
    ({ messageId } = await deps.mailer.send({
      to: prepared.to,
      subject: prepared.content.subject,
      text: prepared.content.text,
      html: prepared.content.html,
      headers: unsubscribeHeaders(link),
    }));
  } catch (error) {
    // Let the retry send it: give the claim back, then fail this message.
    await deps.orders
      .releaseEmail(order.orderId, email, ledger(opened()), nowMs + leaseMs)
      .catch(() => undefined);
    throw error;
  }
  // The email is out. Failing to record that must not fail the message: its retry would send a
  // second copy once the lease ran out. Report it so the caller logs it, and acknowledge.
  try {
    await deps.orders.markEmailSent(
      order.orderId,
      email,
      ledger([
        ...opened(),
        {
          type: 'email-sent',
          by: 'notify-customer',
          recipient: CUSTOMER_MAILBOX,
          template: email,
          fields: EMAIL_FIELDS[email],
          messageId,
        },
      ]),
    );
  } catch {
    return { ...result('sent', messageId), recorded: false };
  }
  return result('sent', messageId);
}
