import { describe, expect, it } from 'vitest';
import type { ConsentEvent, CustomerRecord, SuppressionRecord } from '../../shared/domain/consent.js';
import {
  decidePromotion,
  latestConfirmationAt,
  transactionalAllowed,
} from '../../shared/domain/email-policy.js';

const KEY = 'k'.repeat(43);
const BLOB = Uint8Array.of(1, 2, 3);

const optIn = (at: string): ConsentEvent => ({
  granted: true,
  at,
  source: 'checkout',
  policyVersion: '2026-11-01',
});
const unconfirmed = (at: string): ConsentEvent => ({ ...optIn(at), status: 'unconfirmed' });
const confirmed = (at: string): ConsentEvent => ({
  ...optIn(at),
  source: 'confirmation',
  status: 'confirmed',
});
const optOut = (at: string, source: ConsentEvent['source'] = 'unsubscribe-link'): ConsentEvent => ({
  granted: false,
  at,
  source,
  policyVersion: '2026-11-01',
});
const customer = (consent: ConsentEvent[], withMarketing = true): CustomerRecord => ({
  emailKey: KEY,
  consent,
  updatedAt: consent.at(-1)?.at ?? '',
  ...(withMarketing ? { marketing: BLOB } : {}),
});
const suppression = (reason: SuppressionRecord['reason'], at: string): SuppressionRecord => ({
  emailKey: KEY,
  reason,
  at,
});

describe('promotional mail decision', () => {
  it('allows promotion after a checkout opt-in and hands back the sealed marketing contact', () => {
    // Prepare
    const record = customer([optIn('2026-11-01T10:00:00.000Z')]);

    // Act
    const decision = decidePromotion(record, undefined);

    // Assess
    expect(decision).toEqual({ allowed: true, marketing: BLOB });
  });

  it('refuses when the customer never opted in (no ledger)', () => {
    // Prepare
    const record = undefined;

    // Act
    const decision = decidePromotion(record, undefined);

    // Assess
    expect(decision).toEqual({ allowed: false, reason: 'not-opted-in' });
  });

  it('refuses when the latest ledger event is an opt-out, even without a suppression entry', () => {
    // Prepare
    const record = customer([optIn('2026-11-01T10:00:00.000Z'), optOut('2026-11-02T10:00:00.000Z')]);

    // Act
    const decision = decidePromotion(record, undefined);

    // Assess
    expect(decision).toEqual({ allowed: false, reason: 'not-opted-in' });
  });

  it('refuses when the sealed marketing contact is gone', () => {
    // Prepare
    const record = customer([optIn('2026-11-01T10:00:00.000Z')], false);

    // Act
    const decision = decidePromotion(record, undefined);

    // Assess
    expect(decision).toEqual({ allowed: false, reason: 'not-opted-in' });
  });

  it.each(['unsubscribe', 'bounce', 'complaint', 'erasure'] as const)(
    'refuses when a %s suppression is newer than the latest opt-in',
    (reason) => {
      // Prepare
      const record = customer([optIn('2026-11-01T10:00:00.000Z')]);

      // Act
      const decision = decidePromotion(record, suppression(reason, '2026-11-03T00:00:00.000Z'));

      // Assess
      expect(decision).toEqual({ allowed: false, reason: 'suppressed' });
    },
  );

  it('refuses when the suppression has the same timestamp as the opt-in', () => {
    // Prepare
    const record = customer([optIn('2026-11-01T10:00:00.000Z')]);

    // Act
    const decision = decidePromotion(record, suppression('unsubscribe', '2026-11-01T10:00:00.000Z'));

    // Assess
    expect(decision).toEqual({ allowed: false, reason: 'suppressed' });
  });

  it('allows promotion again after a confirmed re-opt-in that is newer than the suppression', () => {
    // Prepare
    const record = customer([
      optIn('2026-11-01T10:00:00.000Z'),
      optOut('2026-11-02T10:00:00.000Z'),
      unconfirmed('2026-11-05T10:00:00.000Z'),
      confirmed('2026-11-06T10:00:00.000Z'),
    ]);

    // Act
    const decision = decidePromotion(record, suppression('unsubscribe', '2026-11-02T10:00:00.000Z'));

    // Assess
    expect(decision).toEqual({ allowed: true, marketing: BLOB });
  });

  it('an unconfirmed opt-in decides nothing: the latest effective event (an opt-out) stands', () => {
    // Prepare
    const record = customer([
      optIn('2026-11-01T10:00:00.000Z'),
      optOut('2026-11-02T10:00:00.000Z'),
      unconfirmed('2026-11-05T10:00:00.000Z'),
    ]);

    // Act
    const decision = decidePromotion(record, undefined);

    // Assess
    expect(decision).toEqual({ allowed: false, reason: 'not-opted-in' });
  });

  it('finds the latest confirmation regardless of ledger order', () => {
    // Prepare
    const ledger = [
      confirmed('2026-11-05T00:00:00.000Z'),
      optOut('2026-11-06T00:00:00.000Z'),
      confirmed('2026-11-01T00:00:00.000Z'),
      unconfirmed('2026-11-07T00:00:00.000Z'),
    ];

    // Act
    const at = latestConfirmationAt(ledger);

    // Assess
    expect(at).toBe('2026-11-05T00:00:00.000Z');
  });
});

describe('only the person lifts a suppression', () => {
  it.each(['unsubscribe', 'erasure', 'bounce', 'complaint'] as const)(
    'a %s suppression: a later checkout opt-in does not lift it, a later confirmation does',
    (reason) => {
      // Prepare: suppressed on the 2nd, opted in again at checkout on the 3rd, confirmed on the 4th
      const checkout = customer([optIn('2026-11-01T10:00:00.000Z'), optIn('2026-11-03T10:00:00.000Z')]);
      const pending = customer([optIn('2026-11-01T10:00:00.000Z'), unconfirmed('2026-11-03T10:00:00.000Z')]);
      const confirmedRecord = customer([
        optIn('2026-11-01T10:00:00.000Z'),
        unconfirmed('2026-11-03T10:00:00.000Z'),
        confirmed('2026-11-04T10:00:00.000Z'),
      ]);
      const entry = suppression(reason, '2026-11-02T10:00:00.000Z');
      // Act
      const decisions = [checkout, pending, confirmedRecord].map((record) => decidePromotion(record, entry));
      // Assess
      expect(decisions).toEqual([
        { allowed: false, reason: 'suppressed' },
        { allowed: false, reason: 'suppressed' },
        { allowed: true, marketing: BLOB },
      ]);
    },
  );
});

describe('transactional mail decision', () => {
  const ORDER_AT = '2026-11-10T12:00:00.000Z';

  it.each([
    { label: 'no suppression', record: undefined, expected: true },
    {
      label: 'an unsubscribe after the order',
      record: suppression('unsubscribe', '2026-11-11T00:00:00.000Z'),
      expected: true,
    },
    {
      label: 'a complaint after the order',
      record: suppression('complaint', '2026-11-11T00:00:00.000Z'),
      expected: true,
    },
    {
      label: 'a hard bounce after the order',
      record: suppression('bounce', '2026-11-11T00:00:00.000Z'),
      expected: false,
    },
    { label: 'a hard bounce at the order time', record: suppression('bounce', ORDER_AT), expected: false },
    {
      label: 'a hard bounce before the order',
      record: suppression('bounce', '2026-11-09T00:00:00.000Z'),
      expected: true,
    },
    {
      label: 'an erasure after the order',
      record: suppression('erasure', '2026-11-11T00:00:00.000Z'),
      expected: false,
    },
    {
      label: 'an erasure before the order',
      record: suppression('erasure', '2026-11-09T00:00:00.000Z'),
      expected: true,
    },
  ])('with $label: allowed = $expected', ({ record, expected }) => {
    // Prepare
    const current: SuppressionRecord | undefined = record;

    // Act
    const allowed = transactionalAllowed(ORDER_AT, current);

    // Assess
    expect(allowed).toBe(expected);
  });
});
