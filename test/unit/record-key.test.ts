import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordKey } from '#shared/record-secrets.js';

describe('recordKey (the key table is keyed by it: its values must never change)', () => {
  it('gives the keys main gave at baea550', () => {
    // Act / Assess
    expect(recordKey('ord_0123456789ABCDEFGHJKMNPQRS')).toBe('f08541b107c039673682ba7d69c8be5f');
    expect(recordKey('customer:AbC_-xyz')).toBe('884f2c4f83ea0563ff46e595907d1574');
    expect(recordKey('é ✓')).toBe('b66c88674fd7661cf2f4f37b468c33bd');
  });

  it('is the first 16 bytes of SHA-256 of the labelled id, in hex, for any id', () => {
    for (const id of ['', 'ord_A', 'customer:x'.repeat(50), '\u{1F600}\uD800']) {
      // Prepare
      const expected = createHash('sha256').update(`minimis:record-key:${id}`).digest().subarray(0, 16);
      // Act / Assess
      expect(recordKey(id)).toBe(expected.toString('hex'));
    }
  });
});
