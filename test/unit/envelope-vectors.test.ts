/**
 * Known-answer vectors for envelope v2, sealed by main at baea550 (before the sealing path was
 * reworked for CPU): blobs already stored must still open, and a single-use seal (zero IV, so
 * deterministic) must be byte-identical. The construction is also recomputed here from its
 * description in record-envelope.ts, with nothing of that module but the inputs.
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveBlobKey, openV2, sealV2 } from '#shared/crypto/record-envelope.js';
import { SealError } from '#shared/domain/errors.js';

const dataKey = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const secret = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaabacadaeaf', 'hex');
const ref = '0123456789abcdef';
const plaintext = '{"customer.email":"ada@example.com"}';
const orderId = 'ord_0123456789ABCDEFGHJKMNPQRS';

const VECTORS = {
  derivedContact: '80b5f4f03ccd08cecbc5201af96166763cc339097ecb60b759a32fe29243776b',
  singleUseShipping:
    '820123456789abcdef433e1384212f21bb07a72cea6d1c30148d1c1183b9bda51dac8bf0093cf12292356678726597acd540033d603998e980d2df69e2',
  reusableMarketing:
    '020123456789abcdef4fc3bb703b606f654ffba888d1de74bd547f1f9441524860041124fb84edabeb13990bb92da333547cc7ee741c9ac1f8ed6a5da0022cb755a5ab7a3b7f6dcfbd',
} as const;

/** The documented construction, written out: HKDF-Expand-SHA256 one block, AES-256-GCM, zero IV. */
function referenceSingleUse(context: string, recordId: string): Buffer {
  const label = Buffer.from(`minimis:v2:${context}:${recordId}`, 'utf8');
  const key = createHmac('sha256', dataKey)
    .update(Buffer.concat([label, Buffer.of(0), secret, Buffer.of(1)]))
    .digest();
  const header = Buffer.concat([Buffer.of(0x82), Buffer.from(ref, 'hex')]);
  const cipher = createCipheriv('aes-256-gcm', key, Buffer.alloc(12));
  cipher.setAAD(Buffer.concat([header, label]));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

describe('envelope v2 known-answer vectors (stored blobs keep opening)', () => {
  it('derives the same blob key as before', () => {
    // Act
    const key = deriveBlobKey(dataKey, secret, 'contact', orderId);
    // Assess
    expect(key.toString('hex')).toBe(VECTORS.derivedContact);
  });

  it('seals a single-use blob byte for byte as before, and as the documented construction', () => {
    // Act
    const blob = sealV2(dataKey, ref, secret, 'shipping', orderId, Buffer.from(plaintext, 'utf8'), true);
    // Assess
    expect(blob.toString('hex')).toBe(VECTORS.singleUseShipping);
    expect(referenceSingleUse('shipping', orderId).toString('hex')).toBe(VECTORS.singleUseShipping);
  });

  it('opens blobs sealed before (single-use and with a random IV)', () => {
    // Act
    const shipping = openV2(
      dataKey,
      secret,
      'shipping',
      orderId,
      Buffer.from(VECTORS.singleUseShipping, 'hex'),
    );
    const marketing = openV2(
      dataKey,
      secret,
      'marketing',
      'customer:AbC_-xyz',
      Buffer.from(VECTORS.reusableMarketing, 'hex'),
    );
    // Assess
    expect(shipping.toString('utf8')).toBe(plaintext);
    expect(marketing.toString('utf8')).toBe(plaintext);
  });

  it('a reusable-secret blob gets a fresh IV each seal, and still opens', () => {
    // Act
    const a = sealV2(dataKey, ref, secret, 'marketing', 'customer:k', Buffer.from(plaintext), false);
    const b = sealV2(dataKey, ref, secret, 'marketing', 'customer:k', Buffer.from(plaintext), false);
    // Assess: same header, different IVs (bytes 9–20), both open.
    expect(a.subarray(0, 9).toString('hex')).toBe(`02${ref}`);
    expect(a.subarray(9, 21).equals(b.subarray(9, 21))).toBe(false);
    expect(openV2(dataKey, secret, 'marketing', 'customer:k', a).toString()).toBe(plaintext);
    expect(openV2(dataKey, secret, 'marketing', 'customer:k', b).toString()).toBe(plaintext);
  });

  it("leaves the caller's secret as it was, and a wrong-length secret still fails as before", () => {
    // Prepare
    const copy = Buffer.from(secret);
    // Act
    sealV2(dataKey, ref, secret, 'contact', orderId, Buffer.from(plaintext), true);
    // Assess
    expect(secret.equals(copy)).toBe(true);
    expect(() =>
      sealV2(dataKey, ref, secret.subarray(0, 15), 'contact', orderId, Buffer.from('x'), true),
    ).toThrow(new SealError('Record secret has the wrong length'));
    expect(() =>
      openV2(
        dataKey,
        secret.subarray(0, 15),
        'shipping',
        orderId,
        Buffer.from(VECTORS.singleUseShipping, 'hex'),
      ),
    ).toThrow(new SealError('Sealed blob does not open for this record, purpose and record secret'));
  });
});
