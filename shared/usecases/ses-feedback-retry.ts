/**
 * No mail feedback is ever dropped. SES events reach `ses-feedback` asynchronously (EventBridge
 * invokes it; Lambda retries twice). An event that still fails lands in the `ses-feedback-retry`
 * queue — as Lambda's on-failure destination record, or as the event itself when EventBridge could
 * not invoke the function at all (the rule target's dead-letter queue) — and the same function,
 * consuming that queue, records it again until it succeeds or the short retention runs out
 * (an alarm fires long before). Recording is idempotent: a suppression already present is
 * `unchanged`, so a retry after a partial success does no harm.
 *
 * The queue is encrypted with the storage key; only the feedback function's role may receive
 * from it. Addresses exist only in memory here and are never logged or returned.
 */
import {
  type FeedbackSummary,
  parseSesFeedback,
  type RecordMailFeedbackDeps,
  recordMailFeedback,
} from './record-ses-feedback.js';

/** Records every actionable feedback of one SES event (EventBridge or SNS shape); throws on failure. */
export async function recordSesEvent(
  deps: RecordMailFeedbackDeps,
  event: unknown,
): Promise<FeedbackSummary[]> {
  const summaries: FeedbackSummary[] = [];
  for (const feedback of parseSesFeedback(event)) summaries.push(await recordMailFeedback(deps, feedback));
  return summaries;
}

export interface RetryMessage {
  readonly messageId: string;
  readonly body: string;
}

/** An SQS batch from the retry queue (as opposed to an SES event invoked directly). */
export function isRetryBatch(event: unknown): event is { Records: RetryMessage[] } {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every(
      (r) =>
        (r as { eventSource?: unknown }).eventSource === 'aws:sqs' &&
        typeof (r as { body?: unknown }).body === 'string' &&
        typeof (r as { messageId?: unknown }).messageId === 'string',
    )
  );
}

/** Where a retried event came from. */
export type RetrySource = 'lambda-on-failure' | 'eventbridge-dead-letter' | 'unreadable';

/**
 * Lambda's on-failure destination record wraps the event (`requestPayload`, with
 * `requestContext.approximateInvokeCount`); EventBridge's dead-letter queue holds the event itself.
 */
export function unwrapRetried(body: string): { source: RetrySource; event: unknown; invokeCount?: number } {
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch {
    return { source: 'unreadable', event: undefined };
  }
  const record = value as {
    requestPayload?: unknown;
    requestContext?: { approximateInvokeCount?: unknown };
  } | null;
  if (record && typeof record === 'object' && 'requestPayload' in record) {
    const count = record.requestContext?.approximateInvokeCount;
    return {
      source: 'lambda-on-failure',
      event: record.requestPayload,
      ...(typeof count === 'number' ? { invokeCount: count } : {}),
    };
  }
  return { source: 'eventbridge-dead-letter', event: value };
}

export interface RetryOutcome {
  readonly messageId: string;
  readonly source: RetrySource;
  readonly invokeCount?: number;
  /** Recorded summaries; absent when recording failed. */
  readonly summaries?: readonly FeedbackSummary[];
  readonly error?: unknown;
}

/**
 * Re-records each retried event. A message that fails again is reported as a batch item failure,
 * so it stays in the queue and comes back after its visibility timeout; one that cannot be read
 * at all is dropped (it can never succeed, and it must not stay at rest).
 */
export async function drainFeedbackRetries(
  deps: RecordMailFeedbackDeps,
  messages: readonly RetryMessage[],
  onOutcome: (outcome: RetryOutcome) => void = () => {},
): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const message of messages) {
    const { source, event, invokeCount } = unwrapRetried(message.body);
    const about = { messageId: message.messageId, source, ...(invokeCount ? { invokeCount } : {}) };
    try {
      const summaries = source === 'unreadable' ? [] : await recordSesEvent(deps, event);
      onOutcome({ ...about, summaries });
    } catch (error) {
      batchItemFailures.push({ itemIdentifier: message.messageId });
      onOutcome({ ...about, error });
    }
  }
  return { batchItemFailures };
}
