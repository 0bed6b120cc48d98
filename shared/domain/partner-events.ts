/**
 * Progress events a partner reports (`POST /partners/{partnerId}/events`), and their check.
 *
 * The check is typed code, not a schema library: partner-events bundles no zod for it (~27 KB;
 * `npm run bench -- bundles`). It answers what the published schema (`partnerEventSchema`,
 * shared/domain/partner-event-schema.ts, built from the same limits and from which the OpenAPI
 * document and the partner catalog are generated) answers through `toProblems`, problem for
 * problem and in the same order, and returns the same event: test/unit/partner-event-check.test.ts
 * compares the two over many generated bodies.
 */
import { pathKey } from './card-data.js';
import type { FieldProblem } from './errors.js';
import { FREE_TEXT_PROBLEM, isFreeText } from './text.js';

export type PartnerEvent =
  | {
      readonly type: 'shipment.dispatched';
      readonly orderId: string;
      readonly trackingNumber: string;
      readonly trackingUrl?: string;
    }
  | { readonly type: 'shipment.delivered'; readonly orderId: string };
export type PartnerEventType = PartnerEvent['type'];

export const PARTNER_EVENT_TYPES = [
  'shipment.dispatched',
  'shipment.delivered',
] as const satisfies readonly PartnerEventType[];

/** Partner kinds allowed to send each event type. */
export const EVENT_SENDERS: Readonly<Record<PartnerEventType, readonly string[]>> = {
  'shipment.dispatched': ['carrier'],
  'shipment.delivered': ['carrier'],
};

/** Lengths in code points (as zod counts them). */
export const EVENT_LIMITS = { id: { min: 1, max: 64 }, trackingUrl: { max: 2048 } } as const;
/** What the URL parser also checks, as a pattern the published document can carry. */
export const TRACKING_URL_PATTERN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  /^https:\/\/(?:[^\s\x00-\x1f\x7f/?#\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])+(?:[/?#](?:[^\s\x00-\x1f\x7f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*)?$/;
export const TRACKING_URL_PROBLEM = 'must be an https URL';

/** What zod's English messages call a JSON value's type (a number too big for a double: `Infinity`). */
const received = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number' && !Number.isFinite(value)
        ? String(value)
        : typeof value;
const codePoints = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** A string field's problem (the first check that fails), else undefined. */
function idProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `Invalid input: expected string, received ${received(value)}`;
  if (value.length < EVENT_LIMITS.id.min)
    return `Too small: expected string to have >=${EVENT_LIMITS.id.min} characters`;
  if (value.length > EVENT_LIMITS.id.max && codePoints(value) > EVENT_LIMITS.id.max)
    return `Too big: expected string to have <=${EVENT_LIMITS.id.max} characters`;
  return undefined;
}

/**
 * The tracking URL as zod's `z.url({ protocol: /^https$/ })` then the length and the pattern read
 * it: trimmed, parsed by WHATWG URL, protocol `https`, then (on the trimmed text without tabs and
 * newlines, which is also the value kept) at most 2048 code points and the pattern.
 */
function trackingUrl(value: unknown): { problem: string } | { url: string } {
  if (typeof value !== 'string')
    return { problem: `Invalid input: expected string, received ${received(value)}` };
  const trimmed = value.trim();
  const parsed = URL.parse(trimmed);
  if (parsed === null || parsed.protocol !== 'https:') return { problem: 'Invalid URL' };
  const url = trimmed.replace(/[\t\n\r]/g, '');
  const max = EVENT_LIMITS.trackingUrl.max;
  if (url.length > max && codePoints(url) > max)
    return { problem: `Too big: expected string to have <=${max} characters` };
  if (!TRACKING_URL_PATTERN.test(url)) return { problem: TRACKING_URL_PROBLEM };
  return { url };
}

const KEYS: Readonly<Record<PartnerEventType, readonly string[]>> = {
  'shipment.dispatched': ['type', 'orderId', 'trackingNumber', 'trackingUrl'],
  'shipment.delivered': ['type', 'orderId'],
};

/** A parsed JSON body as a partner event, or its problems (one per path, never the value). */
export function checkPartnerEvent(
  value: unknown,
): { readonly event: PartnerEvent } | { readonly problems: readonly FieldProblem[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return {
      problems: [{ path: '', message: `Invalid input: expected object, received ${received(value)}` }],
    };
  const body = value as Record<string, unknown>;
  const type = body.type;
  if (!(PARTNER_EVENT_TYPES as readonly unknown[]).includes(type))
    return {
      problems: [
        {
          path: 'type',
          message: `Invalid discriminator value. Expected ${PARTNER_EVENT_TYPES.map((t) => `'${t}'`).join(' | ')}`,
        },
      ],
    };
  const problems: FieldProblem[] = [];
  const orderId = idProblem(body.orderId);
  if (orderId !== undefined) problems.push({ path: 'orderId', message: orderId });
  let event: PartnerEvent | undefined;
  if (type === 'shipment.dispatched') {
    // Shown in the customer's email and the order status: text, as order fields are (a line break
    // would start a line of the partner's own in the email's text part).
    const trackingNumber =
      idProblem(body.trackingNumber) ??
      (isFreeText(body.trackingNumber as string) ? undefined : FREE_TEXT_PROBLEM);
    if (trackingNumber !== undefined) problems.push({ path: 'trackingNumber', message: trackingNumber });
    const url = body.trackingUrl === undefined ? undefined : trackingUrl(body.trackingUrl);
    if (url !== undefined && 'problem' in url) problems.push({ path: 'trackingUrl', message: url.problem });
    event = {
      type,
      orderId: body.orderId as string,
      trackingNumber: body.trackingNumber as string,
      ...(url !== undefined && 'url' in url ? { trackingUrl: url.url } : {}),
    };
  } else {
    event = { type: 'shipment.delivered', orderId: body.orderId as string };
  }
  const known = KEYS[type as PartnerEventType];
  for (const key of Object.keys(body))
    if (!known.includes(key)) problems.push({ path: pathKey(key), message: 'is not a known field' });
  if (problems.length === 0) return { event };
  // One problem per path (two unknown keys that are not identifiers share '(unknown key)').
  const seen = new Set<string>();
  return { problems: problems.filter((p) => !seen.has(p.path) && seen.add(p.path)) };
}
