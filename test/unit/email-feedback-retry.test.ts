/**
 * No mail feedback is ever dropped: an SES event whose processing fails on every attempt of the
 * asynchronous invocation (the first and Lambda's two retries) lands in the retry queue and is
 * recorded as a suppression once the store recovers — including after a crash between the ledger
 * write and the suppression write.
 *
 * The AWS side is simulated as documented: Lambda invokes an async event up to 3 times, then
 * sends `{ version, requestContext: { condition: 'RetriesExhausted', approximateInvokeCount },
 * requestPayload, responsePayload }` to the on-failure destination; EventBridge's dead-letter queue
 * receives the event itself. The queue here is an array of SQS messages.
 */
import { describe, expect, it } from 'vitest';
import { MemoryErasureFenceStore } from '../../shared/adapters/memory/memory-stores.js';
import type { SuppressionRecord } from '../../shared/domain/consent.js';
import {
  drainFeedbackRetries,
  isRetryBatch,
  type RetryMessage,
  type RetryOutcome,
  recordSesEvent,
  unwrapRetried,
} from '../../shared/usecases/ses-feedback-retry.js';
import { fixedClock, keys, MemoryConsent, optIn } from './email-fakes.js';

const ADDRESS = 'email.canary.retry01@example.com';
const POLICY = '2026-11-01';

/** A consent store whose suppression write fails `failures` times (after the ledger write succeeded). */
class FlakyConsent extends MemoryConsent {
  failures = 0;
  override async putSuppression(record: SuppressionRecord) {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('ProvisionedThroughputExceededException');
    }
    return super.putSuppression(record);
  }
}

function complaint() {
  return {
    version: '0',
    id: 'f0e1d2c3-0000-0000-0000-000000000001',
    'detail-type': 'Email Complaint Received',
    source: 'aws.ses',
    account: '123456789012',
    time: '2026-11-25T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      eventType: 'Complaint',
      mail: { destination: [ADDRESS], messageId: 'ses-9', source: 'orders@shop.example' },
      complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: ADDRESS }] },
    },
  };
}

/** Lambda's asynchronous invocation: up to 1 + 2 attempts, then the on-failure destination. */
async function invokeAsync(
  handler: (event: unknown) => Promise<unknown>,
  event: unknown,
  destination: RetryMessage[],
): Promise<number> {
  let attempts = 0;
  let lastError: unknown;
  while (attempts < 3) {
    attempts++;
    try {
      await handler(event);
      return attempts;
    } catch (error) {
      lastError = error;
    }
  }
  destination.push({
    messageId: `retry-${destination.length + 1}`,
    body: JSON.stringify({
      version: '1.0',
      timestamp: '2026-11-25T10:03:00.000Z',
      requestContext: {
        requestId: 'c0ffee00-0000-0000-0000-000000000000',
        functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:ses-feedback:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: (lastError as Error).message },
    }),
  });
  return attempts;
}

/** The retry queue as the SQS event source hands it to the function. */
const sqsBatch = (messages: readonly RetryMessage[]) => ({
  Records: messages.map((m) => ({ ...m, eventSource: 'aws:sqs', receiptHandle: `rh-${m.messageId}` })),
});

async function setup() {
  const clock = fixedClock('2026-11-25T10:00:00.000Z');
  const k = keys(clock);
  const consent = new FlakyConsent();
  await optIn(k, consent, ADDRESS, '2026-11-20T09:00:00.000Z');
  const emailKey = await k.lookup.emailKey(ADDRESS);
  const deps = {
    consent,
    fence: new MemoryErasureFenceStore(),
    clock,
    lookup: k.lookup,
    settings: { policyVersion: POLICY },
  };
  return { clock, consent, emailKey, deps };
}

describe('SES feedback that fails is retried, never dropped', () => {
  it('lands in the retry queue after failing every async attempt, then is recorded as a suppression', async () => {
    // Prepare
    const { clock, consent, emailKey, deps } = await setup();
    const queue: RetryMessage[] = [];
    consent.failures = 3; // the first attempt and both of Lambda's retries
    const handler = (event: unknown) => recordSesEvent(deps, event);

    // Act: the async invocation exhausts its retries, then the store recovers and the queue drains
    const attempts = await invokeAsync(handler, complaint(), queue);
    const suppressedBefore = consent.suppressions.get(emailKey);
    clock.set('2026-11-25T10:08:00.000Z');
    const batch = sqsBatch(queue);
    const outcomes: RetryOutcome[] = [];
    const response = isRetryBatch(batch)
      ? await drainFeedbackRetries(deps, batch.Records, (o) => outcomes.push(o))
      : undefined;

    // Assess
    expect(attempts).toBe(3);
    expect(queue).toHaveLength(1);
    expect(suppressedBefore).toBeUndefined();
    expect(response).toEqual({ batchItemFailures: [] });
    expect(consent.suppressions.get(emailKey)).toEqual({
      emailKey,
      reason: 'complaint',
      at: '2026-11-25T10:08:00.000Z',
    });
    // The ledger withdrawal written by the first, crashed attempt is not written a second time.
    expect(consent.customers.get(emailKey)?.consent.filter((e) => !e.granted)).toEqual([
      { granted: false, at: '2026-11-25T10:00:00.000Z', source: 'complaint', policyVersion: POLICY },
    ]);
    expect(outcomes).toEqual([
      {
        messageId: 'retry-1',
        source: 'lambda-on-failure',
        invokeCount: 3,
        summaries: [{ kind: 'complaint', recorded: 1, unchanged: 0 }],
      },
    ]);
    expect(JSON.stringify(outcomes)).not.toContain('canary');
  });

  it('keeps a message that fails again in the queue (batch item failure) and records it on the next receive', async () => {
    // Prepare
    const { consent, emailKey, deps } = await setup();
    const queue: RetryMessage[] = [];
    consent.failures = 4; // 3 async attempts + the first receive from the retry queue
    await invokeAsync((event) => recordSesEvent(deps, event), complaint(), queue);
    const outcomes: RetryOutcome[] = [];

    // Act
    const first = await drainFeedbackRetries(deps, queue, (o) => outcomes.push(o));
    const afterFirst = consent.suppressions.get(emailKey);
    const second = await drainFeedbackRetries(deps, queue, (o) => outcomes.push(o));

    // Assess
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'retry-1' }] });
    expect(afterFirst).toBeUndefined();
    expect(second).toEqual({ batchItemFailures: [] });
    expect(consent.suppressions.get(emailKey)?.reason).toBe('complaint');
    expect(outcomes.map((o) => [o.source, o.error instanceof Error ? o.error.message : undefined])).toEqual([
      ['lambda-on-failure', 'ProvisionedThroughputExceededException'],
      ['lambda-on-failure', undefined],
    ]);
    expect(JSON.stringify(outcomes.map(({ error: _e, ...rest }) => rest))).not.toContain('canary');
  });

  it('records an event EventBridge dead-lettered (the body is the event itself)', async () => {
    // Prepare
    const { emailKey, consent, deps } = await setup();
    const messages = [{ messageId: 'dlq-1', body: JSON.stringify(complaint()) }];

    // Act
    const response = await drainFeedbackRetries(deps, messages);

    // Assess
    expect(unwrapRetried(messages[0]?.body ?? '').source).toBe('eventbridge-dead-letter');
    expect(response).toEqual({ batchItemFailures: [] });
    expect(consent.suppressions.get(emailKey)?.reason).toBe('complaint');
  });

  it('drops a message that can never be read instead of keeping it at rest, and changes nothing', async () => {
    // Prepare
    const { consent, deps } = await setup();
    const writesBefore = consent.writes;
    const outcomes: RetryOutcome[] = [];

    // Act
    const response = await drainFeedbackRetries(deps, [{ messageId: 'bad-1', body: '{not json' }], (o) =>
      outcomes.push(o),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(outcomes).toEqual([{ messageId: 'bad-1', source: 'unreadable', summaries: [] }]);
    expect(consent.writes).toBe(writesBefore);
  });

  it('tells a retry batch from the SES events the function is invoked with directly', () => {
    // Prepare
    const sns = { Records: [{ EventSource: 'aws:sns', Sns: { Message: '{}' } }] };
    // Act / Assess
    expect(isRetryBatch(sqsBatch([{ messageId: 'm', body: '{}' }]))).toBe(true);
    expect(isRetryBatch(complaint())).toBe(false);
    expect(isRetryBatch(sns)).toBe(false);
    expect(isRetryBatch({ Records: [] })).toBe(false);
  });
});
