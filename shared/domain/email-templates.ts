/**
 * Customer emails (plain text + HTML) and the unsubscribe web pages, in English.
 *
 * Data minimisation by type: each template's input names exactly the fields that email may show
 * (data-inventory.md). None takes a phone number, street line, postal code, region or city — the
 * city is sealed under `shipping`, which the notification function may not decrypt, so the
 * confirmation shows the destination country from the clear order record and says so. The
 * promotional follow-up greets without a name: the `marketing` purpose holds only the address.
 *
 * Every value that reaches HTML goes through `escapeHtml`; every message ends with a footer that
 * explains in words how to unsubscribe and repeats the link.
 */
import type { EmailCategory } from './email-policy.js';
import type { OrderItem } from './order.js';

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface EmailHeader {
  readonly name: string;
  readonly value: string;
}

const LOCALE = 'en';

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Formats an amount in minor units (cents, yen, fils) in its currency, e.g. 12900 EUR → €129.00. */
export function formatMoney(minorUnits: number, currency: string): string {
  const { format, digits } = moneyFormat(currency);
  return format.format(minorUnits / 10 ** digits);
}

/**
 * Intl formatters are costly to build (about a tenth of a millisecond each, two per email before)
 * and hold no state between uses: one per currency, kept (currencies are a short allowlist; the
 * cache still stops growing at MAX_FORMATS).
 */
const MAX_FORMATS = 64;
const moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

function moneyFormat(currency: string): { format: Intl.NumberFormat; digits: number } {
  const known = moneyFormats.get(currency);
  if (known) return known;
  const format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
  const made = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
  if (moneyFormats.size < MAX_FORMATS) moneyFormats.set(currency, made);
  return made;
}

let regions: Intl.DisplayNames | undefined;

export function countryName(code: string): string {
  try {
    regions ??= new Intl.DisplayNames([LOCALE], { type: 'region', fallback: 'code' });
    return regions.of(code) ?? code;
  } catch {
    return code;
  }
}

export function unsubscribeUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/unsubscribe?token=${encodeURIComponent(token)}`;
}

/** RFC 2369 / RFC 8058 headers, on every message (transactional included). */
export function unsubscribeHeaders(url: string): EmailHeader[] {
  return [
    { name: 'List-Unsubscribe', value: `<${url}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}

/** The footer's wording, shared by every message (tests check it word for word). */
export const FOOTER_REASON: Readonly<Record<EmailCategory, string>> = {
  transactional: 'You are receiving this email because you placed an order with us.',
  promotional: 'You are receiving this email because you agreed at checkout to hear from us.',
};
export const FOOTER_HOW_TO =
  'How to unsubscribe: open the link below and press the "Unsubscribe" button, or use the unsubscribe ' +
  'button of your email program. We then stop sending you promotional email at once. Emails about ' +
  'orders you have already placed are still sent, because we need them to deliver your purchase.';

function textFooter(category: EmailCategory, url: string): string {
  return ['--', FOOTER_REASON[category], FOOTER_HOW_TO, `Unsubscribe: ${url}`].join('\n');
}

function htmlFooter(category: EmailCategory, url: string): string {
  return (
    '<footer style="margin-top:32px;padding-top:16px;border-top:1px solid #ccc;font-size:13px;color:#444">' +
    `<p>${escapeHtml(FOOTER_REASON[category])}</p>` +
    `<p>${escapeHtml(FOOTER_HOW_TO)}</p>` +
    `<p>Unsubscribe: <a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>` +
    '</footer>'
  );
}

/** A minimal, accessible HTML document (language, title, readable width, no external resources). */
function htmlDocument(title: string, body: string): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title></head>` +
    '<body style="margin:0;padding:24px;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;' +
    'line-height:1.5;color:#111;background:#fff">' +
    `<main style="max-width:600px;margin:0 auto">${body}</main></body></html>\n`
  );
}

function message(
  category: EmailCategory,
  subject: string,
  unsubscribe: string,
  text: readonly string[],
  html: string,
): RenderedEmail {
  return {
    subject,
    text: `${text.join('\n')}\n\n${textFooter(category, unsubscribe)}\n`,
    html: htmlDocument(subject, `${html}${htmlFooter(category, unsubscribe)}`),
  };
}

export interface OrderConfirmationInput {
  readonly givenName: string;
  readonly orderId: string;
  readonly items: readonly OrderItem[];
  readonly currency: string;
  /** ISO 3166-1 alpha-2 destination country, from the clear order record. */
  readonly country: string;
  readonly unsubscribeUrl: string;
}

const ADDRESS_NOTE =
  'For your privacy this email shows only the destination country: your full address is stored ' +
  'encrypted and shared only with the carrier.';

export function orderConfirmationEmail(input: OrderConfirmationInput): RenderedEmail {
  const money = (minor: number) => formatMoney(minor, input.currency);
  const total = input.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  const country = countryName(input.country);
  const subject = `Your order ${input.orderId} is confirmed`;
  const lines = input.items.map(
    (item) =>
      `- ${item.quantity} × ${item.name}${item.quantity > 1 ? ` (${money(item.unitPrice)} each)` : ''}: ` +
      money(item.quantity * item.unitPrice),
  );
  const text = [
    `Hello ${input.givenName},`,
    '',
    `thank you for your order ${input.orderId}. We have received it and are getting it ready.`,
    '',
    'Items:',
    ...lines,
    `Total: ${money(total)}`,
    '',
    `Shipping to: ${country}`,
    ADDRESS_NOTE,
    '',
    'We will email you again when your parcel is on its way.',
  ];
  const rows = input.items
    .map(
      (item) =>
        `<tr><td>${escapeHtml(item.name)}</td><td style="text-align:right">${item.quantity}</td>` +
        `<td style="text-align:right">${escapeHtml(money(item.unitPrice))}</td>` +
        `<td style="text-align:right">${escapeHtml(money(item.quantity * item.unitPrice))}</td></tr>`,
    )
    .join('');
  const html =
    `<h1 style="font-size:22px">Thank you for your order</h1>` +
    `<p>Hello ${escapeHtml(input.givenName)},</p>` +
    `<p>thank you for your order <strong>${escapeHtml(input.orderId)}</strong>. ` +
    'We have received it and are getting it ready.</p>' +
    '<table style="border-collapse:collapse;width:100%" cellpadding="6">' +
    '<caption style="text-align:left;font-weight:bold">Items</caption>' +
    '<thead><tr><th scope="col" style="text-align:left">Item</th><th scope="col" style="text-align:right">Quantity</th>' +
    '<th scope="col" style="text-align:right">Unit price</th><th scope="col" style="text-align:right">Amount</th></tr></thead>' +
    `<tbody>${rows}</tbody>` +
    `<tfoot><tr><th scope="row" colspan="3" style="text-align:left">Total</th>` +
    `<td style="text-align:right"><strong>${escapeHtml(money(total))}</strong></td></tr></tfoot></table>` +
    `<p>Shipping to: <strong>${escapeHtml(country)}</strong><br><small>${escapeHtml(ADDRESS_NOTE)}</small></p>` +
    '<p>We will email you again when your parcel is on its way.</p>';
  return message('transactional', subject, input.unsubscribeUrl, text, html);
}

export interface ShipmentDispatchedInput {
  readonly givenName: string;
  readonly orderId: string;
  readonly trackingNumber: string | null;
  readonly trackingUrl: string | null;
  readonly unsubscribeUrl: string;
}

/** Only http(s) links are shown as links; anything else from a partner is left out. */
function safeLink(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

export function shipmentDispatchedEmail(input: ShipmentDispatchedInput): RenderedEmail {
  const link = safeLink(input.trackingUrl);
  const subject = `Your order ${input.orderId} is on its way`;
  const tracking = input.trackingNumber
    ? [`Tracking number: ${input.trackingNumber}`, ...(link ? [`Track your parcel: ${link}`] : [])]
    : ['The carrier has not given us a tracking number yet.'];
  const text = [
    `Hello ${input.givenName},`,
    '',
    `good news: your order ${input.orderId} has been handed to the carrier.`,
    '',
    ...tracking,
  ];
  const trackingHtml = input.trackingNumber
    ? `<p>Tracking number: <strong>${escapeHtml(input.trackingNumber)}</strong></p>` +
      (link ? `<p><a href="${escapeHtml(link)}">Track your parcel</a></p>` : '')
    : '<p>The carrier has not given us a tracking number yet.</p>';
  const html =
    '<h1 style="font-size:22px">Your order is on its way</h1>' +
    `<p>Hello ${escapeHtml(input.givenName)},</p>` +
    `<p>good news: your order <strong>${escapeHtml(input.orderId)}</strong> has been handed to the carrier.</p>` +
    trackingHtml;
  return message('transactional', subject, input.unsubscribeUrl, text, html);
}

export interface DeliveredFollowUpInput {
  readonly items: readonly OrderItem[];
  readonly unsubscribeUrl: string;
}

/** Promotional: no name (the marketing purpose holds only the address), no order details beyond item names. */
export function deliveredFollowUpEmail(input: DeliveredFollowUpInput): RenderedEmail {
  const names = [...new Set(input.items.map((item) => item.name))];
  const subject = 'How was your order?';
  const text = [
    'Hello,',
    '',
    'your parcel has been delivered. How was it?',
    '',
    `We hope you enjoy: ${names.join(', ')}.`,
    '',
    'You may also like what is new in our shop: we add new pieces every week.',
  ];
  const html =
    '<h1 style="font-size:22px">How was your order?</h1>' +
    '<p>Hello,</p>' +
    '<p>your parcel has been delivered. How was it?</p>' +
    `<p>We hope you enjoy:</p><ul>${names.map((name) => `<li>${escapeHtml(name)}</li>`).join('')}</ul>` +
    '<p>You may also like what is new in our shop: we add new pieces every week.</p>';
  return message('promotional', subject, input.unsubscribeUrl, text, html);
}

// ---- Unsubscribe web pages (GET /unsubscribe shows the button; POST answers with a confirmation) ----

function webPage(title: string, body: string): string {
  return (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)}</title>` +
    '<style>body{margin:0;padding:24px;font-family:system-ui,sans-serif;line-height:1.5;color:#111;background:#fff}' +
    'main{max-width:36rem;margin:0 auto}button{font:inherit;padding:.6em 1.4em;border-radius:6px;' +
    'border:2px solid #111;background:#111;color:#fff;cursor:pointer}button:focus-visible{outline:3px solid #1a73e8;' +
    'outline-offset:2px}</style></head>' +
    `<body><main>${body}</main></body></html>\n`
  );
}

export const UNSUBSCRIBE_PAGE_TITLE = 'Unsubscribe from promotional email';

/** The page a person sees on following the link: nothing changes until they press the button. */
export function unsubscribePage(token: string): string {
  return webPage(
    UNSUBSCRIBE_PAGE_TITLE,
    `<h1>${escapeHtml(UNSUBSCRIBE_PAGE_TITLE)}</h1>` +
      '<p>Press the button to stop promotional email to the address this link was sent to.</p>' +
      '<p>Emails about orders you have already placed are still sent, because we need them to deliver your purchase.</p>' +
      `<form method="post" action="?token=${escapeHtml(encodeURIComponent(token))}">` +
      '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
      '<button type="submit">Unsubscribe</button></form>' +
      '<p><small>Nothing changes until you press the button.</small></p>',
  );
}

export const UNSUBSCRIBED_PAGE_TITLE = 'You are unsubscribed';

export function unsubscribedPage(): string {
  return webPage(
    UNSUBSCRIBED_PAGE_TITLE,
    `<h1>${escapeHtml(UNSUBSCRIBED_PAGE_TITLE)}</h1>` +
      '<p role="status">We will not send you promotional email any more.</p>' +
      '<p>Emails about orders you have already placed are still sent, because we need them to deliver your purchase. ' +
      'If you opt in again at a later checkout, we will ask you by email to confirm it first.</p>',
  );
}

export const INVALID_LINK_PAGE_TITLE = 'This unsubscribe link does not work';

/** Shown to a person whose link was cut short or altered: what to do instead, no technical detail. */
export function invalidLinkPage(): string {
  return webPage(
    INVALID_LINK_PAGE_TITLE,
    `<h1>${escapeHtml(INVALID_LINK_PAGE_TITLE)}</h1>` +
      '<p>The link may have been cut short by your email program. Please open the full link from the ' +
      'bottom of one of our emails, or use the unsubscribe button of your email program.</p>' +
      '<p>Nothing was changed.</p>',
  );
}

// ---- Consent confirmation (a checkout opt-in for a suppressed address; email.md) ----

export function consentConfirmUrl(publicBaseUrl: string, token: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/consent/confirm?token=${encodeURIComponent(token)}`;
}

export interface ConsentConfirmationInput {
  readonly confirmUrl: string;
  readonly unsubscribeUrl: string;
}

export const CONSENT_CONFIRMATION_SUBJECT = 'Please confirm: do you want our promotional email?';

/** Transactional: only the address it goes to and the signed link; no name, no order details. */
export function consentConfirmationEmail(input: ConsentConfirmationInput): RenderedEmail {
  const subject = CONSENT_CONFIRMATION_SUBJECT;
  const text = [
    'Hello,',
    '',
    'at a checkout in our shop, someone asked to receive our promotional email at this address.',
    'This address had asked us to stop, or our mail to it could not be delivered, so we send',
    'nothing promotional to it unless you confirm.',
    '',
    `To confirm, open this link and press the button (it works once, for 7 days): ${input.confirmUrl}`,
    '',
    'If this was not you, or you changed your mind, ignore this email: nothing changes.',
  ];
  const html =
    `<h1 style="font-size:22px">${escapeHtml(subject)}</h1>` +
    '<p>Hello,</p>' +
    '<p>at a checkout in our shop, someone asked to receive our promotional email at this address. ' +
    'This address had asked us to stop, or our mail to it could not be delivered, so we send nothing ' +
    'promotional to it unless you confirm.</p>' +
    `<p><a href="${escapeHtml(input.confirmUrl)}">Confirm that you want our promotional email</a> ` +
    '(the link works once, for 7 days).</p>' +
    '<p>If this was not you, or you changed your mind, ignore this email: nothing changes.</p>';
  return message('transactional', subject, input.unsubscribeUrl, text, html);
}

export const CONSENT_CONFIRM_PAGE_TITLE = 'Confirm promotional email';

/** GET /consent/confirm: nothing changes until the person presses the button. */
export function consentConfirmPage(token: string): string {
  return webPage(
    CONSENT_CONFIRM_PAGE_TITLE,
    `<h1>${escapeHtml(CONSENT_CONFIRM_PAGE_TITLE)}</h1>` +
      '<p>Press the button to receive our promotional email at the address this link was sent to.</p>' +
      `<form method="post" action="?token=${escapeHtml(encodeURIComponent(token))}">` +
      '<button type="submit">Yes, send me promotional email</button></form>' +
      '<p><small>Nothing changes until you press the button. You can unsubscribe at any time with the ' +
      'link at the bottom of every email.</small></p>',
  );
}

export const CONSENT_CONFIRMED_PAGE_TITLE = 'Thank you: confirmed';

export function consentConfirmedPage(): string {
  return webPage(
    CONSENT_CONFIRMED_PAGE_TITLE,
    `<h1>${escapeHtml(CONSENT_CONFIRMED_PAGE_TITLE)}</h1>` +
      '<p role="status">We will send you promotional email again.</p>' +
      '<p>You can unsubscribe at any time with the link at the bottom of every email.</p>',
  );
}

export const INVALID_CONSENT_LINK_PAGE_TITLE = 'This confirmation link does not work';

/** A tampered, used or expired confirmation link: what to do instead, no technical detail. */
export function invalidConsentLinkPage(): string {
  return webPage(
    INVALID_CONSENT_LINK_PAGE_TITLE,
    `<h1>${escapeHtml(INVALID_CONSENT_LINK_PAGE_TITLE)}</h1>` +
      '<p>The link may have been used already, have expired (it works for 7 days), or have been cut ' +
      'short by your email program. To receive our promotional email, opt in at your next checkout ' +
      'and confirm with the link we then send you.</p>' +
      '<p>Nothing was changed.</p>',
  );
}
