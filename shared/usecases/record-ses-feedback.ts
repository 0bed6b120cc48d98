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

import * as z from 'zod/mini';
import { NoLookupKeyError } from '../domain/errors.js';
import '../schema.js';
import { type OptOutDeps, type OptOutOutcome, recordOptOut } from './unsubscribe.js';

export interface MailFeedback {
  readonly kind: 'bounce' | 'complaint';
  /** Recipient addresses as SES reported them; personal — never log these. */
  readonly addresses: readonly string[];
}

const recipients = z.optional(z.array(z.looseObject({ emailAddress: z.string() })));
const text = z.optional(z.string());

const sesMessage = z.looseObject({
  eventType: text,
  notificationType: text,
  mail: z.optional(z.looseObject({ destination: z.optional(z.array(z.string())) })),
  bounce: z.optional(z.looseObject({ bounceType: text, bouncedRecipients: recipients })),
  complaint: z.optional(z.looseObject({ complaintFeedbackType: text, complainedRecipients: recipients })),
});
type SesMessage = z.output<typeof sesMessage>;

const eventBridgeEvent = z.looseObject({ source: text, detail: sesMessage });
const snsEvent = z.looseObject({
  Records: z.array(z.looseObject({ Sns: z.looseObject({ Message: z.string() }) })).check(z.minLength(1)),
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
  const sns = snsEvent.safeParse(event);
  const messages: unknown[] = sns.success ? sns.data.Records.map((r) => parseJson(r.Sns.Message)) : [];
  if (!sns.success) {
    const bridge = eventBridgeEvent.safeParse(event);
    if (bridge.success) messages.push(bridge.data.detail);
  }
  const out: MailFeedback[] = [];
  for (const raw of messages) {
    const parsed = sesMessage.safeParse(raw);
    const feedback = parsed.success ? toFeedback(parsed.data) : undefined;
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
