import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createUnsubscribeToken,
  InvalidUnsubscribeTokenError,
  type UnsubscribeTokenSigner,
  verifyUnsubscribeToken,
} from '../../shared/domain/unsubscribe-token.js';
import { fixedClock, keys } from './email-fakes.js';

const ADDRESS = 'ada.canary@example.com';

async function setup() {
  const k = keys(fixedClock('2026-11-25T10:00:00.000Z'));
  return { signer: k.lookup, emailKey: await k.lookup.emailKey(ADDRESS) };
}

async function rejection(
  signer: UnsubscribeTokenSigner,
  token: unknown,
): Promise<InvalidUnsubscribeTokenError> {
  const error = await verifyUnsubscribeToken(signer, token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidUnsubscribeTokenError);
  return error as InvalidUnsubscribeTokenError;
}

/** Replaces byte `index` of a token with `value`, keeping the rest (and the old tag). */
function withByte(token: string, index: number, value: number): string {
  const bytes = Buffer.from(token, 'base64url');
  bytes[index] = value;
  return bytes.toString('base64url');
}

describe('unsubscribe token', () => {
  it('round-trips the keyed email hash and scope in 67 opaque characters', async () => {
    // Prepare
    const { signer, emailKey } = await setup();

    // Act
    const token = await createUnsubscribeToken(signer, emailKey);
    const claims = await verifyUnsubscribeToken(signer, token);

    // Assess
    expect(claims).toEqual({ emailKey, scope: 'marketing' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{67}$/);
    expect(Buffer.from(token, 'base64url').length).toBe(50);
  });

  it('carries no personal data in clear: not the address, its plain hashes or the keyed hash text', async () => {
    // Prepare
    const { signer, emailKey } = await setup();

    // Act
    const token = await createUnsubscribeToken(signer, emailKey);
    const decoded = Buffer.from(token, 'base64url').toString('latin1');

    // Assess
    for (const text of [token, decoded]) {
      expect(text.toLowerCase()).not.toContain(ADDRESS);
      expect(text).not.toContain('ada.canary');
      expect(text).not.toContain(emailKey);
      for (const algorithm of ['sha256', 'sha1', 'md5']) {
        const digest = createHash(algorithm).update(ADDRESS).digest();
        for (const encoding of ['hex', 'base64', 'base64url'] as const) {
          expect(text).not.toContain(digest.toString(encoding));
        }
      }
    }
  });

  it('is the same token every time for the same address (links stay stable)', async () => {
    // Prepare
    const { signer, emailKey } = await setup();

    // Act
    const first = await createUnsubscribeToken(signer, emailKey);
    const second = await createUnsubscribeToken(signer, emailKey);

    // Assess
    expect(second).toBe(first);
  });

  it('rejects a token whose payload was changed (another email key) as a bad signature', async () => {
    // Prepare
    const { signer, emailKey } = await setup();
    const token = await createUnsubscribeToken(signer, emailKey);
    const bytes = Buffer.from(token, 'base64url');
    const tampered = withByte(token, 5, (bytes[5] ?? 0) ^ 0x01);

    // Act
    const error = await rejection(signer, tampered);

    // Assess
    expect(error.reason).toBe('bad-signature');
    expect(error.message).toBe('Invalid unsubscribe token (bad-signature)');
  });

  it('rejects a token whose tag was changed in any single byte', async () => {
    // Prepare
    const { signer, emailKey } = await setup();
    const token = await createUnsubscribeToken(signer, emailKey);
    const bytes = Buffer.from(token, 'base64url');

    // Act
    const reasons: string[] = [];
    for (let index = 34; index < 50; index++) {
      reasons.push((await rejection(signer, withByte(token, index, (bytes[index] ?? 0) ^ 0x80))).reason);
    }

    // Assess
    expect(reasons).toEqual(Array.from({ length: 16 }, () => 'bad-signature'));
  });

  it('rejects a token signed under another shop key', async () => {
    // Prepare
    const ours = await setup();
    const theirs = await setup();
    const foreign = await createUnsubscribeToken(theirs.signer, theirs.emailKey);

    // Act
    const error = await rejection(ours.signer, foreign);

    // Assess
    expect(error.reason).toBe('bad-signature');
  });

  it('rejects truncated, extended, non-canonical and non-string tokens as malformed', async () => {
    // Prepare
    const { signer, emailKey } = await setup();
    const token = await createUnsubscribeToken(signer, emailKey);
    const last = token.at(-1) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last character holds 4 data bits and 2 padding bits; flipping a padding bit keeps the bytes.
    const nonCanonical = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(last) ^ 1]}`;
    const candidates: unknown[] = [
      token.slice(0, 66),
      token.slice(0, 40),
      `${token}A`,
      `${token.slice(0, 66)}=`,
      nonCanonical,
      '',
      undefined,
      42,
      `${token.slice(0, 66)}+`,
    ];

    // Act
    const reasons: string[] = [];
    for (const candidate of candidates) reasons.push((await rejection(signer, candidate)).reason);

    // Assess
    expect(Buffer.from(nonCanonical, 'base64url')).toEqual(Buffer.from(token, 'base64url'));
    expect(reasons).toEqual(Array.from({ length: candidates.length }, () => 'malformed'));
  });

  it('rejects an unknown version', async () => {
    // Prepare
    const { signer, emailKey } = await setup();
    const token = await createUnsubscribeToken(signer, emailKey);

    // Act
    const error = await rejection(signer, withByte(token, 0, 2));

    // Assess
    expect(error.reason).toBe('unknown-version');
  });

  it('rejects a correctly signed token with an unknown scope', async () => {
    // Prepare
    const { signer, emailKey } = await setup();
    const payload = Buffer.concat([Buffer.of(1), Buffer.from(emailKey, 'base64url'), Buffer.of(9)]);
    const tag = Buffer.from(await signer.mac('unsubscribe-token', payload), 'base64url').subarray(0, 16);
    const token = Buffer.concat([payload, tag]).toString('base64url');

    // Act
    const error = await rejection(signer, token);

    // Assess
    expect(error.reason).toBe('unknown-scope');
  });

  it('refuses to create a token for anything but a 32-byte keyed hash', async () => {
    // Prepare
    const { signer } = await setup();

    // Act
    const attempt = createUnsubscribeToken(signer, ADDRESS);

    // Assess
    await expect(attempt).rejects.toThrow('An unsubscribe token needs a 32-byte keyed email hash');
  });
});
