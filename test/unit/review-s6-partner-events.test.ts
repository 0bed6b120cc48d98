/**
 * Review s6 (commit 72f11f3): bodies where `checkPartnerEvent` does not answer what the published
 * schema answers through `toProblems` (the function's answer before the commit).
 */
import { describe, expect, it } from 'vitest';
import { toProblems } from '#shared/domain/field-problems.js';
import { partnerEventSchema } from '#shared/domain/partner-event-schema.js';
import { checkPartnerEvent } from '#shared/domain/partner-events.js';

function published(body: unknown) {
  const parsed = partnerEventSchema.safeParse(body);
  return parsed.success ? { event: parsed.data } : { problems: toProblems(parsed.error) };
}

describe('review s6: partner event check', () => {
  it('names an unknown key that is not identifier-like as "(unknown key)", once, never the key itself', () => {
    // Prepare: a body as it arrives (JSON); the keys carry what a partner should not see echoed.
    const canary = 'ada.lovelace@example.com';
    const body = JSON.parse(
      `{"type":"shipment.delivered","orderId":"o","${canary}":true,"Ada Lovelace, 12 Main St":1}`,
    );
    // Act
    const ours = checkPartnerEvent(body);
    // Assess
    expect(published(body)).toEqual({
      problems: [{ path: '(unknown key)', message: 'is not a known field' }],
    });
    expect(JSON.stringify(ours)).not.toContain(canary);
    expect(ours).toEqual({ problems: [{ path: '(unknown key)', message: 'is not a known field' }] });
  });

  it('reads a JSON number too large for a double (1e400 → Infinity) as the schema does', () => {
    // Prepare
    const body = JSON.parse('{"type":"shipment.delivered","orderId":1e400}');
    // Act
    const ours = checkPartnerEvent(body);
    // Assess
    expect(published(body)).toEqual({
      problems: [{ path: 'orderId', message: 'Invalid input: expected string, received Infinity' }],
    });
    expect(ours).toEqual({
      problems: [{ path: 'orderId', message: 'Invalid input: expected string, received Infinity' }],
    });
  });
});
