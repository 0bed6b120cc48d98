/**
 * SES bounce and complaint feedback → suppression. Accepts both delivery shapes AWS uses:
 * - EventBridge events from SES (`detail.eventType` 'Bounce' | 'Complaint', `detail.mail`,
 *   `detail.bounce` / `detail.complaint`);
 * - SNS-wrapped SES notifications (`Records[].Sns.Message`, a JSON string whose object has
 *   `notificationType` or `eventType`).
 *
 * Only permanent bounces and complaints (other than `not-spam` feedback) suppress. Addresses exist
 * only in memory here: they are turned into keyed hashes at once and never logged or returned.
 */

import { NoLookupKeyError } from '../domain/errors.js';
import { type OptOutDeps, type OptOutOutcome, recordOptOut } from './unsubscribe.js';

export interface MailFeedback {
  readonly kind: 'bounce' | 'complaint';
  /** Recipient addresses as SES reported them; personal — never log these. */
  readonly addresses: readonly string[];
}

// The shapes read here, checked field by field (keys not named are ignored; a named key of the
// wrong type rejects the whole message): a few typed checks, not a schema library in the bundle.
type Check<T> = (value: unknown) => value is T;
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString: Check<string> = (value): value is string => typeof value === 'string';
const optional =
  <T>(check: Check<T>): Check<T | undefined> =>
  (value): value is T | undefined =>
    value === undefined || check(value);
const arrayOf =
  <T>(check: Check<T>, min = 0): Check<T[]> =>
  (value): value is T[] =>
    Array.isArray(value) && value.length >= min && value.every(check);
const shape =
  <T>(fields: { readonly [K in keyof T]-?: Check<T[K]> }): Check<T> =>
  (value): value is T =>
    isObject(value) && Object.entries<Check<unknown>>(fields).every(([key, check]) => check(value[key]));

type Recipients = ReadonlyArray<{ readonly emailAddress: string }> | undefined;
interface SesMessage {
  readonly eventType: string | undefined;
  readonly notificationType: string | undefined;
  readonly mail: { readonly destination: readonly string[] | undefined } | undefined;
  readonly bounce:
    | { readonly bounceType: string | undefined; readonly bouncedRecipients: Recipients }
    | undefined;
  readonly complaint:
    | { readonly complaintFeedbackType: string | undefined; readonly complainedRecipients: Recipients }
    | undefined;
}

const text = optional(isString);
const recipients: Check<Recipients> = optional(arrayOf(shape({ emailAddress: isString })));
const isSesMessage = shape<SesMessage>({
  eventType: text,
  notificationType: text,
  mail: optional(shape({ destination: optional(arrayOf(isString)) })),
  bounce: optional(shape({ bounceType: text, bouncedRecipients: recipients })),
  complaint: optional(shape({ complaintFeedbackType: text, complainedRecipients: recipients })),
});
const isEventBridgeEvent = shape<{ source: string | undefined; detail: SesMessage }>({
  source: text,
  detail: isSesMessage,
});
const isSnsEvent = shape<{ Records: Array<{ Sns: { Message: string } }> }>({
  Records: arrayOf(shape({ Sns: shape({ Message: isString }) }), 1),
});

/** `Name <a@b>` or `a@b` → `a@b`; anything without an `@` is dropped. */
function bareAddress(value: string): string | undefined {
  const angle = /<([^<>]+)>\s*$/.exec(value);
  const address = (angle?.[1] ?? value).trim();
  return address.includes('@') ? address : undefined;
}

function toFeedback(message: SesMessage): MailFeedback | undefined {
  const type = message.eventType ?? message.notificationType;
  const destination = message.mail?.destination ?? [];
  let kind: MailFeedback['kind'];
  let listed: readonly string[];
  if (type === 'Bounce') {
    if (message.bounce?.bounceType !== 'Permanent') return undefined;
    kind = 'bounce';
    listed = message.bounce.bouncedRecipients?.map((r) => r.emailAddress) ?? destination;
  } else if (type === 'Complaint') {
    if (message.complaint?.complaintFeedbackType === 'not-spam') return undefined;
    kind = 'complaint';
    listed = message.complaint?.complainedRecipients?.map((r) => r.emailAddress) ?? destination;
  } else {
    return undefined;
  }
  const addresses = [...new Set(listed.map(bareAddress).filter((a): a is string => a !== undefined))];
  return addresses.length ? { kind, addresses } : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Every actionable feedback in an EventBridge or SNS event; anything else yields nothing. */
export function parseSesFeedback(event: unknown): MailFeedback[] {
  const messages: unknown[] = isSnsEvent(event)
    ? event.Records.map((r) => parseJson(r.Sns.Message))
    : isEventBridgeEvent(event)
      ? [event.detail]
      : [];
  const out: MailFeedback[] = [];
  for (const raw of messages) {
    const feedback = isSesMessage(raw) ? toFeedback(raw) : undefined;
    if (feedback) out.push(feedback);
  }
  return out;
}

export interface RecordMailFeedbackDeps extends OptOutDeps {
  readonly lookup: { emailKey(email: string): Promise<string> };
}

export interface FeedbackSummary {
  readonly kind: MailFeedback['kind'];
  readonly recorded: number;
  readonly unchanged: number;
}

/** Suppresses every address of the feedback (keyed hash only) and records the opt-out in the ledger. */
export async function recordMailFeedback(
  deps: RecordMailFeedbackDeps,
  feedback: MailFeedback,
): Promise<FeedbackSummary> {
  const outcomes: OptOutOutcome[] = [];
  for (const address of feedback.addresses) {
    const emailKey = await deps.lookup.emailKey(address).catch((error: unknown) => {
      // No lookup key yet: no order was taken, so there is no customer to suppress.
      if (error instanceof NoLookupKeyError) return undefined;
      throw error;
    });
    if (!emailKey) {
      outcomes.push('unchanged');
      continue;
    }
    outcomes.push(await recordOptOut(deps, emailKey, feedback.kind));
  }
  return {
    kind: feedback.kind,
    recorded: outcomes.filter((o) => o === 'recorded').length,
    unchanged: outcomes.filter((o) => o === 'unchanged').length,
  };
}
