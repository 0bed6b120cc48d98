import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataKeys } from '../../shared/crypto/data-keys.js';
import {
  deriveBlobKey,
  ENVELOPE_V2_OVERHEAD,
  ENVELOPE_V2_SINGLE_USE_OVERHEAD,
  newRecordSecret,
  openV2,
} from '../../shared/crypto/record-envelope.js';
import { RecordShreddedError, SealError } from '../../shared/domain/errors.js';
import { fakePorts } from '../support/fakes.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const single = (secret: Uint8Array) => ({ secret, singleUse: true });

describe('envelope v2: purpose key AND record secret', () => {
  it('round-trips with both, with 25 B (single-use) or 37 B (reusable secret) of overhead', async () => {
    // Prepare
    const { dataKeys } = fakePorts();
    const secret = newRecordSecret();
    // Act
    const order = await dataKeys.seal('shipping', 'ord_A', bytes('{"x":"canary"}'), single(secret));
    const contact = await dataKeys.seal('marketing', 'customer:k', bytes('{"x":"canary"}'), {
      secret,
      singleUse: false,
    });
    // Assess
    expect(order.length).toBe(ENVELOPE_V2_SINGLE_USE_OVERHEAD + 14);
    expect(contact.length).toBe(ENVELOPE_V2_OVERHEAD + 14);
    expect([order[0], contact[0]]).toEqual([0x82, 0x02]);
    expect(text(await dataKeys.open('shipping', 'ord_A', order, secret))).toBe('{"x":"canary"}');
    expect(text(await dataKeys.open('marketing', 'customer:k', contact, secret))).toBe('{"x":"canary"}');
    expect(Buffer.from(order).includes(bytes('canary'))).toBe(false);
    expect(Buffer.from(order).includes(secret)).toBe(false);
  });

  it('the purpose key without the record secret opens nothing (erased or expired)', async () => {
    // Prepare
    const { dataKeys } = fakePorts();
    const blob = await dataKeys.seal('contact', 'ord_A', bytes('secret'), single(newRecordSecret()));
    // Act / Assess: no secret, or any other secret
    await expect(dataKeys.open('contact', 'ord_A', blob)).rejects.toBeInstanceOf(RecordShreddedError);
    await expect(dataKeys.open('contact', 'ord_A', blob, newRecordSecret())).rejects.toThrow(SealError);
  });

  it('the record secret without the purpose key opens nothing', async () => {
    // Prepare: the blob, its secret, and a key service holding other keys (a stranger's KMS).
    const ours = fakePorts();
    const secret = newRecordSecret();
    const blob = await ours.dataKeys.seal('shipping', 'ord_A', bytes('secret'), single(secret));
    const stranger = fakePorts();
    await stranger.dataKeys.seal('shipping', 'ord_B', bytes('x'), single(newRecordSecret()));
    const strangerKeys = new DataKeys(stranger.keyService, ours.keyRecords, stranger.clock, {
      maxAgeSeconds: 600,
      maxUses: 10,
    });
    // Act / Assess: the wrapped data key does not unwrap elsewhere; guessing the data key fails too.
    await expect(strangerKeys.open('shipping', 'ord_A', blob, secret)).rejects.toThrow();
    expect(() => openV2(randomBytes(32), secret, 'shipping', 'ord_A', blob)).toThrow(SealError);
  });

  it('a blob swapped onto another record, or read under another purpose, does not open even with the right secrets', async () => {
    // Prepare
    const { dataKeys } = fakePorts();
    const a = newRecordSecret();
    const b = newRecordSecret();
    const shippingA = await dataKeys.seal('shipping', 'ord_A', bytes('a-ship'), single(a));
    const contactA = await dataKeys.seal('contact', 'ord_A', bytes('a-contact'), single(a));
    await dataKeys.seal('shipping', 'ord_B', bytes('b-ship'), single(b));
    // Act / Assess: onto record B (with B's secret, and with A's), under another purpose
    await expect(dataKeys.open('shipping', 'ord_B', shippingA, b)).rejects.toThrow(SealError);
    await expect(dataKeys.open('shipping', 'ord_B', shippingA, a)).rejects.toThrow(SealError);
    await expect(dataKeys.open('contact', 'ord_A', shippingA, a)).rejects.toThrow(SealError);
    await expect(dataKeys.open('shipping', 'ord_A', contactA, a)).rejects.toThrow(SealError);
  });

  it('a function that may open shipping cannot open contact: the derived keys differ per purpose and record', () => {
    // Prepare
    const dataKey = randomBytes(32);
    const secret = newRecordSecret();
    // Act
    const derived = [
      deriveBlobKey(dataKey, secret, 'shipping', 'ord_A'),
      deriveBlobKey(dataKey, secret, 'contact', 'ord_A'),
      deriveBlobKey(dataKey, secret, 'shipping', 'ord_B'),
      deriveBlobKey(dataKey, newRecordSecret(), 'shipping', 'ord_A'),
      deriveBlobKey(randomBytes(32), secret, 'shipping', 'ord_A'),
    ].map((k) => k.toString('hex'));
    // Assess
    expect(new Set(derived).size).toBe(5);
    expect(() => deriveBlobKey(dataKey, secret.subarray(0, 8), 'shipping', 'ord_A')).toThrow(SealError);
  });

  it('a tampered header or body does not open', async () => {
    // Prepare
    const { dataKeys } = fakePorts();
    const secret = newRecordSecret();
    const blob = Buffer.from(await dataKeys.seal('contact', 'ord_A', bytes('message'), single(secret)));
    const flipped = Buffer.from(blob);
    flipped[12] = (flipped[12] ?? 0) ^ 1;
    const asReusable = Buffer.from(blob);
    asReusable[0] = 0x02;
    // Act / Assess
    await expect(dataKeys.open('contact', 'ord_A', flipped, secret)).rejects.toThrow(SealError);
    await expect(dataKeys.open('contact', 'ord_A', asReusable, secret)).rejects.toThrow(SealError);
    await expect(dataKeys.open('contact', 'ord_A', blob.subarray(0, 20), secret)).rejects.toThrow(SealError);
  });
});

describe('migration: v1 blobs (before record secrets)', () => {
  it('still open with the purpose key alone, and a v2 reader keeps them apart', async () => {
    // Prepare: a blob as the previous release sealed it
    const { dataKeys } = fakePorts();
    const v1 = await dataKeys.seal('shipping', 'ord_OLD', bytes('{"old":"canary"}'));
    // Act
    const opened = await dataKeys.open('shipping', 'ord_OLD', v1);
    const openedWithASecret = await dataKeys.open('shipping', 'ord_OLD', v1, newRecordSecret());
    // Assess
    expect(v1[0]).toBe(1);
    expect(text(opened)).toBe('{"old":"canary"}');
    expect(text(openedWithASecret)).toBe('{"old":"canary"}');
    await expect(dataKeys.open('shipping', 'ord_NEW', v1)).rejects.toThrow(SealError);
  });
});
