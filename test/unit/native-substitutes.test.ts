/**
 * The Lambda bundles take SHA-256 and base64 from Node instead of the two packages under
 * `standardwebhooks` (NATIVE_SUBSTITUTES, infra/bundling.ts): each substitute gives its package's
 * answers, refusals included, over generated inputs, and exports every member the package uses.
 * (test/infra/bundles.test.ts signs with a bundle built that way against the unbundled package.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as stablelib from '@stablelib/base64';
import fc from 'fast-check';
import * as fastSha256 from 'fast-sha256';
import { describe, expect, it } from 'vitest';
import * as nativeSha256 from '#shared/crypto/native/fast-sha256.js';
import * as nativeBase64 from '#shared/crypto/native/stablelib-base64.js';
import { NATIVE_SUBSTITUTES } from '../../infra/bundling.js';

const SEED = 20261203;
const RUNS = 3000;

/** The decoded bytes as hex, or the refusal's message. */
function answer(decode: (text: string) => Uint8Array, text: string): string {
  try {
    return Buffer.from(decode(text)).toString('hex');
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

const BASE64_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Mostly base64, with padding in and out of place and the odd stranger (URL-safe, space, dot). */
const base64ish = fc
  .array(
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...BASE64_CHARS) },
      fc.constantFrom('=', '-', '_', ' ', '.', 'é'),
    ),
    {
      maxLength: 70,
    },
  )
  .map((chars) => chars.join(''));
const encoded = fc.uint8Array({ maxLength: 70 }).map((bytes) => Buffer.from(bytes).toString('base64'));

describe('native substitutes for the packages under standardwebhooks', () => {
  it('hmac is fast-sha256 hmac for any key and message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), (key, data) => {
        // Act / Assess
        expect(Buffer.from(nativeSha256.hmac(key, data)).toString('hex')).toBe(
          Buffer.from(fastSha256.hmac(key, data)).toString('hex'),
        );
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('hmac of the RFC 4231 test case 2 (key "Jefe")', () => {
    // Prepare
    const key = new TextEncoder().encode('Jefe');
    const data = new TextEncoder().encode('what do ya want for nothing?');

    // Act
    const mac = nativeSha256.hmac(key, data);

    // Assess
    expect(mac).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(mac).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('encode is @stablelib/base64 encode, over a view into a larger buffer too', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(8), (bytes, offset) => {
        // Prepare
        const larger = new Uint8Array(bytes.length + offset + 3);
        larger.set(bytes, offset);
        const view = larger.subarray(offset, offset + bytes.length);

        // Act / Assess
        expect(nativeBase64.encode(view)).toBe(stablelib.encode(bytes));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('decode gives @stablelib/base64 answers: the same bytes, the same refusals', () => {
    fc.assert(
      fc.property(fc.oneof(base64ish, encoded), (text) => {
        // Act / Assess
        expect(answer(nativeBase64.decode, text)).toBe(answer(stablelib.decode, text));
      }),
      { seed: SEED, numRuns: RUNS * 3 },
    );
  });

  it.each([
    ['', ''],
    ['QQ==', '41'],
    ['QUI=', '4142'],
    ['QUJD', '414243'],
    ['QUJDR', '414243'],
    ['QUJD.', '414243'],
    ['QQ', 'refused: Base64Coder: incorrect padding'],
    ['QQ===', 'refused: Base64Coder: incorrect padding'],
    ['QQ=A', 'refused: Base64Coder: incorrect characters for decoding'],
    ['QU-_', 'refused: Base64Coder: incorrect characters for decoding'],
  ])('decode(%j) answers %s, as the package does', (text, expected) => {
    // Act / Assess
    expect(answer(nativeBase64.decode, text)).toBe(expected);
    expect(answer(stablelib.decode, text)).toBe(expected);
  });

  it('each substitute exports every member standardwebhooks takes from its package', () => {
    // Prepare: the package's compiled code names what it uses, `base64.x(…)` and `sha256.x(…)`.
    const require = createRequire(import.meta.url);
    const source = readFileSync(require.resolve('standardwebhooks'), 'utf8');
    const used = (binding: string) =>
      [
        ...new Set([...source.matchAll(new RegExp(`\\b${binding}\\.(\\w+)\\(`, 'g'))].map((m) => m[1])),
      ].sort();
    const required = Object.fromEntries(
      [...source.matchAll(/const (\w+) = require\("([^"]+)"\)/g)].map((m) => [m[2], m[1]]),
    );

    // Assess
    expect(Object.keys(NATIVE_SUBSTITUTES).sort()).toEqual(['@stablelib/base64', 'fast-sha256']);
    expect(required['fast-sha256']).toBe('sha256');
    expect(required['@stablelib/base64']).toBe('base64');
    expect(used('sha256')).toEqual(['hmac']);
    expect(used('base64')).toEqual(['decode', 'encode']);
    expect(Object.keys(nativeSha256).sort()).toEqual(['hmac']);
    expect(Object.keys(nativeBase64).sort()).toEqual(['decode', 'encode']);
  });
});
