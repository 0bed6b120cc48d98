import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LookupKeys } from '../../shared/crypto/lookup-keys.js';
import {
  CONSENT_TOKEN_LENGTH,
  type ConsentTokenSigner,
  createConsentToken,
  InvalidConsentTokenError,
  verifyConsentToken,
} from '../../shared/domain/consent-token.js';
import { createUnsubscribeToken } from '../../shared/domain/unsubscribe-token.js';
import { fakePorts } from '../support/fakes.js';
import { fixedClock, keys } from './email-fakes.js';

const ADDRESS = 'email.canary.70c4@example.com';
const NOW = Date.parse('2026-11-25T10:00:00.000Z') / 1000;
const WEEK = 7 * 86_400;

async function setup() {
  const k = keys(fixedClock('2026-11-25T10:00:00.000Z'));
  const emailKey = await k.lookup.emailKey(ADDRESS);
  const claims = { emailKey, requestId: randomBytes(16).toString('base64url'), expiresAt: NOW + WEEK };
  return { signer: k.lookup, claims, token: await createConsentToken(k.lookup, claims) };
}

async function reason(signer: ConsentTokenSigner, token: unknown, now = NOW): Promise<string> {
  const error = await verifyConsentToken(signer, token, now).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidConsentTokenError);
  return (error as InvalidConsentTokenError).reason;
}

describe('consent-confirmation token', () => {
  it('round-trips the keyed hash, request id and expiry in 92 opaque characters with no address in it', async () => {
    // Prepare
    const { signer, claims, token } = await setup();
    // Act
    const verified = await verifyConsentToken(signer, token, NOW);
    // Assess
    expect(verified).toEqual(claims);
    expect(token).toMatch(new RegExp(`^[A-Za-z0-9_-]{${CONSENT_TOKEN_LENGTH}}$`));
    expect(CONSENT_TOKEN_LENGTH).toBe(92);
    const text = Buffer.from(token, 'base64url').toString('latin1');
    expect(text).not.toContain(ADDRESS);
    expect(text).not.toContain(ADDRESS.split('@')[0]);
  });

  it('rejects every single-byte change (id, expiry, key, version, tag)', async () => {
    // Prepare
    const { signer, token } = await setup();
    const bytes = Buffer.from(token, 'base64url');
    // Act
    const reasons = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      const changed = Buffer.from(bytes);
      changed[i] = (changed[i] ?? 0) ^ 0x01;
      reasons.add(await reason(signer, changed.toString('base64url')));
    }
    // Assess
    expect([...reasons].sort()).toEqual(['bad-signature', 'unknown-version']);
  });

  it('expires at its expiry second, not before', async () => {
    // Prepare
    const { signer, claims, token } = await setup();
    // Act
    const justBefore = await verifyConsentToken(signer, token, claims.expiresAt - 1);
    const at = await reason(signer, token, claims.expiresAt);
    // Assess
    expect(justBefore.requestId).toBe(claims.requestId);
    expect(at).toBe('expired');
  });

  it('is not an unsubscribe token and vice versa (separate sub-keys and shapes)', async () => {
    // Prepare
    const { signer, claims } = await setup();
    const unsubscribe = await createUnsubscribeToken(signer, claims.emailKey);
    // Act / Assess
    expect(await reason(signer, unsubscribe)).toBe('malformed');
    expect(await reason(signer, `${unsubscribe}${'A'.repeat(92 - unsubscribe.length)}`)).toBe(
      'bad-signature',
    );
  });

  it('rejects other shapes as malformed, and any token while no token key exists', async () => {
    // Prepare
    const { signer, token } = await setup();
    const ports = fakePorts();
    const withoutKey = new LookupKeys(ports.keyService, ports.keyRecords);
    const nonCanonical = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    // Act / Assess
    for (const bad of [undefined, 42, '', token.slice(1), `${token}A`, `${token.slice(0, -1)}=`])
      expect(await reason(signer, bad)).toBe('malformed');
    expect(['malformed', 'bad-signature']).toContain(await reason(signer, nonCanonical));
    expect(await reason(withoutKey, token)).toBe('bad-signature');
  });
});
