import { describe, expect, it } from 'vitest';
import { MemoryErasureFenceStore } from '../../shared/adapters/memory/memory-stores.js';
import {
  createUnsubscribeToken,
  InvalidUnsubscribeTokenError,
} from '../../shared/domain/unsubscribe-token.js';
import { checkUnsubscribeToken, recordOptOut, unsubscribe } from '../../shared/usecases/unsubscribe.js';
import { fixedClock, keys, MemoryConsent, optIn } from './email-fakes.js';

const ADDRESS = 'email.canary.cd34@example.com';
const POLICY = '2026-11-01';

async function setup() {
  const clock = fixedClock('2026-11-25T10:00:00.000Z');
  const k = keys(clock);
  const consent = new MemoryConsent();
  const emailKey = await k.lookup.emailKey(ADDRESS);
  const token = await createUnsubscribeToken(k.lookup, emailKey);
  const deps = {
    consent,
    fence: new MemoryErasureFenceStore(),
    clock,
    lookup: k.lookup,
    settings: { policyVersion: POLICY },
  };
  return { clock, k, consent, emailKey, token, deps };
}

describe('unsubscribe', () => {
  it('records an opt-out event, removes the sealed marketing contact and writes the suppression', async () => {
    // Prepare
    const { deps, consent, k, emailKey, token } = await setup();
    await optIn(k, consent, ADDRESS, '2026-11-20T09:00:00.000Z');

    // Act
    const outcome = await unsubscribe(deps, token);

    // Assess
    expect(outcome).toBe('recorded');
    const customer = consent.customers.get(emailKey);
    expect(customer?.marketing).toBeUndefined();
    expect(customer?.consent.at(-1)).toEqual({
      granted: false,
      at: '2026-11-25T10:00:00.000Z',
      source: 'unsubscribe-link',
      policyVersion: POLICY,
    });
    expect(consent.suppressions.get(emailKey)).toEqual({
      emailKey,
      reason: 'unsubscribe',
      at: '2026-11-25T10:00:00.000Z',
    });
  });

  it('is harmless to repeat: no second event, suppression unchanged', async () => {
    // Prepare
    const { deps, consent, k, emailKey, token, clock } = await setup();
    await optIn(k, consent, ADDRESS, '2026-11-20T09:00:00.000Z');
    await unsubscribe(deps, token);
    const writes = consent.writes;
    clock.set('2026-11-26T10:00:00.000Z');

    // Act
    const outcome = await unsubscribe(deps, token);

    // Assess
    expect(outcome).toBe('unchanged');
    expect(consent.writes).toBe(writes);
    expect(consent.customers.get(emailKey)?.consent).toHaveLength(2);
    expect(consent.suppressions.get(emailKey)?.at).toBe('2026-11-25T10:00:00.000Z');
  });

  it('records an opt-out for an address that never opted in (transactional-only customer)', async () => {
    // Prepare
    const { deps, consent, emailKey, token } = await setup();

    // Act
    const first = await unsubscribe(deps, token);
    const second = await unsubscribe(deps, token);

    // Assess
    expect([first, second]).toEqual(['recorded', 'unchanged']);
    expect(consent.customers.get(emailKey)?.consent).toEqual([
      { granted: false, at: '2026-11-25T10:00:00.000Z', source: 'unsubscribe-link', policyVersion: POLICY },
    ]);
    expect(consent.suppressions.get(emailKey)?.reason).toBe('unsubscribe');
  });

  it('records a new opt-out after the customer confirmed a renewed opt-in', async () => {
    // Prepare
    const { deps, consent, k, emailKey, token, clock } = await setup();
    await optIn(k, consent, ADDRESS, '2026-11-20T09:00:00.000Z');
    await unsubscribe(deps, token);
    await consent.appendConsent(emailKey, {
      granted: true,
      at: '2026-11-27T09:00:00.000Z',
      source: 'confirmation',
      status: 'confirmed',
      policyVersion: POLICY,
    });
    clock.set('2026-11-28T10:00:00.000Z');

    // Act
    const outcome = await unsubscribe(deps, token);

    // Assess
    expect(outcome).toBe('recorded');
    expect(consent.customers.get(emailKey)?.consent.map((e) => [e.granted, e.at])).toEqual([
      [true, '2026-11-20T09:00:00.000Z'],
      [false, '2026-11-25T10:00:00.000Z'],
      [true, '2026-11-27T09:00:00.000Z'],
      [false, '2026-11-28T10:00:00.000Z'],
    ]);
    expect(consent.customers.get(emailKey)?.marketing).toBeUndefined();
    expect(consent.suppressions.get(emailKey)?.at).toBe('2026-11-28T10:00:00.000Z');
  });

  it('upgrades the suppression to a bounce without a second ledger event', async () => {
    // Prepare
    const { deps, consent, emailKey, token, clock } = await setup();
    await unsubscribe(deps, token);
    clock.set('2026-11-26T10:00:00.000Z');

    // Act
    const bounce = await recordOptOut(deps, emailKey, 'bounce');
    const unsubscribeAfterBounce = await recordOptOut(deps, emailKey, 'unsubscribe');

    // Assess
    expect([bounce, unsubscribeAfterBounce]).toEqual(['recorded', 'unchanged']);
    expect(consent.suppressions.get(emailKey)).toEqual({
      emailKey,
      reason: 'bounce',
      at: '2026-11-26T10:00:00.000Z',
    });
    expect(consent.customers.get(emailKey)?.consent).toHaveLength(1);
  });

  it('creates no new record about an erased customer whose suppression is kept', async () => {
    // Prepare
    const { deps, consent, emailKey, token } = await setup();
    await consent.putSuppression({ emailKey, reason: 'erasure', at: '2026-11-24T00:00:00.000Z' });
    const writes = consent.writes;

    // Act
    const outcome = await unsubscribe(deps, token);

    // Assess
    expect(outcome).toBe('unchanged');
    expect(consent.writes).toBe(writes);
    expect(consent.customers.has(emailKey)).toBe(false);
    expect(consent.suppressions.get(emailKey)).toEqual({
      emailKey,
      reason: 'erasure',
      at: '2026-11-24T00:00:00.000Z',
    });
  });

  it('changes nothing for a tampered or malformed token', async () => {
    // Prepare
    const { deps, consent, k, token } = await setup();
    await optIn(k, consent, ADDRESS, '2026-11-20T09:00:00.000Z');
    const writes = consent.writes;
    const flipped = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;

    // Act
    const errors: unknown[] = [];
    for (const bad of [flipped, token.slice(0, 60), 'not-a-token', undefined]) {
      errors.push(await unsubscribe(deps, bad).catch((error: unknown) => error));
    }

    // Assess
    expect(errors.every((e) => e instanceof InvalidUnsubscribeTokenError)).toBe(true);
    expect(errors.map((e) => (e as InvalidUnsubscribeTokenError).reason)).toEqual([
      'bad-signature',
      'malformed',
      'malformed',
      'malformed',
    ]);
    expect(consent.writes).toBe(writes);
    expect(consent.suppressions.size).toBe(0);
  });

  it('checks a token for the GET page without touching any store', async () => {
    // Prepare
    const { deps, consent, emailKey, token } = await setup();

    // Act
    const claims = await checkUnsubscribeToken(deps, token);

    // Assess
    expect(claims).toEqual({ emailKey, scope: 'marketing' });
    expect(consent.writes).toBe(0);
  });
});
