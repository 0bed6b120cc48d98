import { describe, expect, it } from 'vitest';
import { MemoryErasureFenceStore } from '../../shared/adapters/memory/memory-stores.js';
import { parseSesFeedback, recordMailFeedback } from '../../shared/usecases/record-ses-feedback.js';
import { fixedClock, keys, MemoryConsent, optIn } from './email-fakes.js';

const ADDRESS = 'email.canary.ef56@example.com';

/** An SES event as EventBridge delivers it (detail = SES event publishing record). */
function eventBridge(detail: Record<string, unknown>) {
  return {
    version: '0',
    id: 'c6b7b2a8-0000-0000-0000-000000000000',
    'detail-type': 'Email Bounced',
    source: 'aws.ses',
    account: '123456789012',
    time: '2026-11-25T10:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail,
  };
}

/** SES notifications as SNS delivers them to Lambda. */
function sns(...messages: Array<Record<string, unknown> | string>) {
  return {
    Records: messages.map((message) => ({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:ses-feedback:1',
      Sns: {
        Type: 'Notification',
        MessageId: 'm-1',
        TopicArn: 'arn:aws:sns:eu-west-1:123456789012:ses-feedback',
        Message: typeof message === 'string' ? message : JSON.stringify(message),
        Timestamp: '2026-11-25T10:00:00.000Z',
      },
    })),
  };
}

const mail = { destination: [ADDRESS], messageId: 'ses-1', source: 'orders@shop.example' };

describe('SES feedback parsing', () => {
  it('reads a permanent bounce from an EventBridge SES event', () => {
    // Prepare
    const event = eventBridge({
      eventType: 'Bounce',
      mail,
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: ADDRESS }],
      },
    });

    // Act
    const feedback = parseSesFeedback(event);

    // Assess
    expect(feedback).toEqual([{ kind: 'bounce', addresses: [ADDRESS] }]);
  });

  it('reads a complaint from an EventBridge SES event, falling back to the destination', () => {
    // Prepare
    const event = eventBridge({
      eventType: 'Complaint',
      mail,
      complaint: { complaintFeedbackType: 'abuse' },
    });

    // Act
    const feedback = parseSesFeedback(event);

    // Assess
    expect(feedback).toEqual([{ kind: 'complaint', addresses: [ADDRESS] }]);
  });

  it('reads SNS-wrapped notifications in both notification and event-publishing form', () => {
    // Prepare
    const event = sns(
      {
        notificationType: 'Bounce',
        mail,
        bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: `"Ada" <${ADDRESS}>` }] },
      },
      { eventType: 'Complaint', mail, complaint: { complainedRecipients: [{ emailAddress: ADDRESS }] } },
    );

    // Act
    const feedback = parseSesFeedback(event);

    // Assess
    expect(feedback).toEqual([
      { kind: 'bounce', addresses: [ADDRESS] },
      { kind: 'complaint', addresses: [ADDRESS] },
    ]);
  });

  it('ignores transient bounces, not-spam feedback, deliveries and malformed input', () => {
    // Prepare
    const events: unknown[] = [
      eventBridge({ eventType: 'Bounce', mail, bounce: { bounceType: 'Transient' } }),
      eventBridge({ eventType: 'Complaint', mail, complaint: { complaintFeedbackType: 'not-spam' } }),
      eventBridge({ eventType: 'Delivery', mail }),
      sns('not json', { notificationType: 'AmazonSnsSubscriptionSucceeded' }),
      eventBridge({
        eventType: 'Bounce',
        mail: { destination: ['not-an-address'] },
        bounce: { bounceType: 'Permanent' },
      }),
      { detail: 'nope' },
      null,
      'text',
    ];

    // Act
    const feedback = events.flatMap((event) => parseSesFeedback(event));

    // Assess
    expect(feedback).toEqual([]);
  });
});

describe('recording SES feedback', () => {
  it('suppresses a bounced address under its keyed hash and records the opt-out source', async () => {
    // Prepare
    const clock = fixedClock('2026-11-25T10:00:00.000Z');
    const k = keys(clock);
    const consent = new MemoryConsent();
    await optIn(k, consent, ADDRESS, '2026-11-20T09:00:00.000Z');
    const emailKey = await k.lookup.emailKey(ADDRESS);
    const deps = {
      consent,
      fence: new MemoryErasureFenceStore(),
      clock,
      lookup: k.lookup,
      settings: { policyVersion: '2026-11-01' },
    };

    // Act
    const summary = await recordMailFeedback(deps, { kind: 'bounce', addresses: [ADDRESS.toUpperCase()] });
    const repeated = await recordMailFeedback(deps, { kind: 'bounce', addresses: [ADDRESS] });

    // Assess
    expect(summary).toEqual({ kind: 'bounce', recorded: 1, unchanged: 0 });
    expect(repeated).toEqual({ kind: 'bounce', recorded: 0, unchanged: 1 });
    expect(consent.suppressions.get(emailKey)).toEqual({
      emailKey,
      reason: 'bounce',
      at: '2026-11-25T10:00:00.000Z',
    });
    expect(consent.customers.get(emailKey)?.consent.at(-1)).toEqual({
      granted: false,
      at: '2026-11-25T10:00:00.000Z',
      source: 'bounce',
      policyVersion: '2026-11-01',
    });
    expect(consent.customers.get(emailKey)?.marketing).toBeUndefined();
    expect(JSON.stringify([...consent.suppressions.entries()])).not.toContain('canary');
  });
});
