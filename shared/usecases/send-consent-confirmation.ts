/**
 * The consent-confirmation email (transactional; email.md, "A person's word is final"): sent for
 * an `order.accepted` notify message when the customer record of the order's address holds a
 * confirmation request whose email is not sent yet. Carries the signed, single-use link
 * (domain/consent-token.ts) and, like every message, the unsubscribe headers and footer.
 *
 * At most one email per request: the request's email state is claimed (a lease) on the customer
 * record before sending, marked sent after, and given back when the send fails so a retry sends.
 * The address comes from the order's `contact` purpose (the notification function's own grant).
 */
import type { DataKeys } from '../crypto/data-keys.js';
import { confirmationOutstanding, erasedAtOf, openedBeforeErasure } from '../domain/consent.js';
import { type ConsentTokenSigner, createConsentToken } from '../domain/consent-token.js';
import { transactionalAllowed } from '../domain/email-policy.js';
import {
  consentConfirmationEmail,
  consentConfirmUrl,
  unsubscribeHeaders,
  unsubscribeUrl,
} from '../domain/email-templates.js';
import { SealError } from '../domain/errors.js';
import { decodeFields } from '../domain/sealing.js';
import { createUnsubscribeToken, type UnsubscribeTokenSigner } from '../domain/unsubscribe-token.js';
import type { Clock, ConsentStore, Mailer, OrderStore } from '../ports.js';
import { EmailLeaseExpiredError } from './notify-customer.js';

export interface SendConsentConfirmationDeps {
  readonly orders: Pick<OrderStore, 'getOrder' | 'getPersonal'>;
  readonly consent: Pick<
    ConsentStore,
    'getCustomer' | 'getSuppression' | 'claimConfirmationEmail' | 'finishConfirmationEmail'
  >;
  readonly dataKeys: Pick<DataKeys, 'open'>;
  readonly lookup: UnsubscribeTokenSigner & ConsentTokenSigner;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly settings: { readonly publicBaseUrl: string; readonly leaseSeconds?: number };
}

export type ConsentConfirmationOutcome =
  | 'sent'
  /** No outstanding request with an unsent email (the usual case). */
  | 'not-requested'
  /** Sent before, or being sent by another worker. */
  | 'already-sent'
  | 'order-not-found'
  | 'personal-data-gone'
  /** The address hard-bounced or was erased after the order was placed. */
  | 'suppressed';

export interface ConsentConfirmationResult {
  readonly outcome: ConsentConfirmationOutcome;
  readonly messageId?: string;
  readonly recorded?: boolean;
}

const DEFAULT_LEASE_SECONDS = 20;

export async function sendConsentConfirmation(
  deps: SendConsentConfirmationDeps,
  orderId: string,
): Promise<ConsentConfirmationResult> {
  const order = await deps.orders.getOrder(orderId);
  if (!order) return { outcome: 'order-not-found' };
  const now = deps.clock.now();
  const personal = await deps.orders.getPersonal(orderId, now);
  if (!personal) return { outcome: 'personal-data-gone' };
  const { emailKey } = personal;
  const nowMs = now.getTime();
  const [customer, suppression] = await Promise.all([
    deps.consent.getCustomer(emailKey),
    deps.consent.getSuppression(emailKey),
  ]);
  const request = customer?.confirmation;
  if (!confirmationOutstanding(request, Math.floor(nowMs / 1000))) return { outcome: 'not-requested' };
  if (request.email === 'sent') return { outcome: 'not-requested' };
  // A request from before the address's last erasure (an order table restored from a backup) is
  // void: its link would be refused, so it is not mailed.
  if (openedBeforeErasure(request.expiresAt, erasedAtOf(suppression))) return { outcome: 'not-requested' };
  if (!transactionalAllowed(order.createdAt, suppression)) return { outcome: 'suppressed' };
  const leaseMs = (deps.settings.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  if (!(await deps.consent.claimConfirmationEmail(emailKey, request.id, nowMs + leaseMs, nowMs)))
    return { outcome: 'already-sent' };

  let messageId: string;
  try {
    const sealed = personal.sealed.contact;
    if (!sealed) throw new SealError('Personal record lacks the contact purpose');
    const to = decodeFields(await deps.dataKeys.open('contact', orderId, sealed, personal.secret))[
      'customer.email'
    ];
    if (typeof to !== 'string' || to.length === 0) throw new SealError('Sealed record lacks customer.email');
    const [unsubscribeToken, confirmToken] = await Promise.all([
      createUnsubscribeToken(deps.lookup, emailKey),
      createConsentToken(deps.lookup, { emailKey, requestId: request.id, expiresAt: request.expiresAt }),
    ]);
    const unsubscribe = unsubscribeUrl(deps.settings.publicBaseUrl, unsubscribeToken);
    const content = consentConfirmationEmail({
      confirmUrl: consentConfirmUrl(deps.settings.publicBaseUrl, confirmToken),
      unsubscribeUrl: unsubscribe,
    });
    // Only within the claim's lease: an erasure waits out a confirmation being sent (erase-customer.ts).
    if (deps.clock.now().getTime() >= nowMs + leaseMs)
      throw new EmailLeaseExpiredError('consent-confirmation');
    ({ messageId } = await deps.mailer.send({
      to,
      subject: content.subject,
      text: content.text,
      html: content.html,
      headers: unsubscribeHeaders(unsubscribe),
    }));
  } catch (error) {
    await deps.consent
      .finishConfirmationEmail(emailKey, request.id, false, nowMs + leaseMs)
      .catch(() => undefined);
    throw error;
  }
  try {
    await deps.consent.finishConfirmationEmail(emailKey, request.id, true);
  } catch {
    return { outcome: 'sent', messageId, recorded: false };
  }
  return { outcome: 'sent', messageId };
}
