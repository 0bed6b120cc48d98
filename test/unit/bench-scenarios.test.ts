/**
 * The benchmark's scenarios on small runs: only deterministic things (KMS call counts given the
 * cache settings, byte overheads), never timings.
 */

import { describe, expect, it } from 'vitest';
import { KMS_CIPHERTEXT_BLOB_BYTES } from '../../bench/kms.js';
import { optedIn, syntheticOrder } from '../../bench/orders.js';
import {
  esdkMessageSizes,
  kmsSensitivity,
  runScenario,
  type ScenarioOptions,
} from '../../bench/scenarios.js';
import { NAIVE_FIELD_FRAMING } from '../../bench/sealers.js';
import {
  ENVELOPE_V2_OVERHEAD,
  ENVELOPE_V2_SINGLE_USE_OVERHEAD,
} from '../../shared/crypto/record-envelope.js';
import { personalFieldsFor } from '../../shared/domain/sealing.js';
import type { Purpose } from '../../shared/inventory.js';
import { parseOrder } from '../../shared/usecases/submit-order.js';

const EMAIL_KEY_BYTES = 43;

// 2 orders/s with a 30 s key lifetime: 200 orders span 100 s, so keys rotate at 30, 60 and 90 s
// (orders 60, 120, 180; all three are opted-in orders, so marketing rotates with the others).
const small: ScenarioOptions = {
  warmup: 50,
  measured: 150,
  rate: 2,
  cache: { maxAgeSeconds: 30, maxUses: 100_000 },
  run: 'unit',
};
const total = small.warmup + small.measured;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const optIns = (from: number, to: number) => range(from, to).filter(optedIn).length;

function fieldCount(i: number, purpose: Purpose): number {
  const order = parseOrder(syntheticOrder(i, 'unit').body);
  if (purpose === 'marketing' && !order.marketingOptIn) return 0;
  return Object.keys(personalFieldsFor(order, purpose)).length;
}

describe('bench scenarios', () => {
  it('minimis: one KMS call per context per key lifetime in each process, 25 B per order blob, 37 B per marketing blob, plus the key table', async () => {
    const r = await runScenario('minimis', small);
    // Cold start: intake generates lookup, token + 3 purpose keys; the carrier unwraps shipping; the
    // notification unwraps contact, marketing and token. Then 3 rotations in the measured orders.
    expect(r.kms.steadyByRole).toEqual({
      intake: { generate: 9, decrypt: 0 },
      carrier: { generate: 0, decrypt: 3 },
      notification: { generate: 0, decrypt: 6 },
    });
    expect(r.kms.total).toBe(9 + 18);
    expect(r.kms.steadyPer1000).toBeCloseTo((18 * 1000) / small.measured, 9);

    const blobs = 2 * total + optIns(0, total);
    expect(r.bytes.sealedBlobs * total).toBeCloseTo(blobs, 9);
    // Order records seal under a single-use key (no IV); the marketing contact keeps a random IV.
    // Key table: per order { k: 16 B, s: 16 B, t: ≤ 6 B }, per opted-in customer { k, s }.
    const keyTable = r.bytes.keyTable * total;
    expect(keyTable).toBeLessThanOrEqual(total * 41 + optIns(0, total) * 34);
    expect(keyTable).toBeGreaterThanOrEqual(total * 38 + optIns(0, total) * 34);
    expect(r.bytes.overhead * total).toBeCloseTo(
      2 * total * ENVELOPE_V2_SINGLE_USE_OVERHEAD +
        optIns(0, total) * ENVELOPE_V2_OVERHEAD +
        total * EMAIL_KEY_BYTES +
        keyTable,
      6,
    );
    // Key records: 5 generated at cold start + 9 rotations, each a KMS-sized blob and a 16-hex-char ref
    // (the index keys' refs are `lookup-v1` and `token-v1`).
    expect(r.bytes.keyRecordsAmortised * total).toBeCloseTo(
      14 * KMS_CIPHERTEXT_BLOB_BYTES + 12 * 16 + 'lookup-v1'.length + 'token-v1'.length,
      6,
    );
  });

  it('naive: one GenerateDataKey per sealed field and one Decrypt per opened field, 216 B per field', async () => {
    const r = await runScenario('naive', small);
    const measured = range(small.warmup, total);
    const sum = (purposes: Purpose[], orders: number[]) =>
      orders.reduce((s, i) => s + purposes.reduce((t, p) => t + fieldCount(i, p), 0), 0);
    expect(r.kms.steadyByRole).toEqual({
      intake: { generate: sum(['shipping', 'contact', 'marketing'], measured), decrypt: 0 },
      carrier: { generate: 0, decrypt: sum(['shipping'], measured) },
      notification: { generate: 0, decrypt: sum(['contact', 'marketing'], measured) },
    });
    const fields = sum(['shipping', 'contact', 'marketing'], range(0, total));
    const perField = NAIVE_FIELD_FRAMING + KMS_CIPHERTEXT_BLOB_BYTES + 12 + 16;
    expect(r.bytes.overhead * total).toBeCloseTo(fields * perField + total * EMAIL_KEY_BYTES, 6);
  });

  it('plaintext: stored equals plaintext, no KMS beyond the index keys', async () => {
    const r = await runScenario('plaintext', small);
    expect(r.bytes.overhead).toBe(0);
    expect(r.bytes.stored).toBe(r.bytes.plaintext);
    expect(r.kms.total).toBe(3); // lookup and token key generate, token key decrypt
  });

  it('ESDK with the record id in the context: the caching CMM never hits (a KMS call per message)', async () => {
    const opts = { ...small, warmup: 5, measured: 15 };
    const r = await runScenario('esdk-unsigned', opts);
    const messages = (from: number, to: number) => 2 * (to - from) + optIns(from, to);
    expect(r.kms.steadyByRole).toEqual({
      intake: { generate: messages(5, 20), decrypt: 0 },
      carrier: { generate: 0, decrypt: 15 },
      notification: { generate: 0, decrypt: 15 + optIns(5, 20) },
    });
  });

  it('ESDK with {purpose} only: the cache works; each message costs the floor plus its context', async () => {
    const opts = { ...small, warmup: 5, measured: 15 };
    const r = await runScenario('esdk-unsigned-purpose', opts);
    expect(r.kms.total).toBe(3 + 3 + 3); // 3 generate, 3 decrypt, index keys: 2 generate + token decrypt
    const { floorKms } = await esdkMessageSizes();
    // Context {purpose: p}: 2-byte pair count + 2-byte key length + "purpose" + 2-byte value length + p.
    const perMessage = (p: Purpose) => floorKms + 2 + 2 + 'purpose'.length + 2 + p.length;
    const orders = range(0, 20);
    const expected = orders.reduce(
      (s, i) =>
        s + perMessage('shipping') + perMessage('contact') + (optedIn(i) ? perMessage('marketing') : 0),
      0,
    );
    expect(r.bytes.overhead * 20).toBeCloseTo(expected + 20 * EMAIL_KEY_BYTES, 6);
    expect(floorKms).toBeGreaterThan(200);
  });

  it('KMS sensitivity: 6 calls per key lifetime per container, whatever the per-order work', async () => {
    const cache = { maxAgeSeconds: 60, maxUses: 100_000 };
    expect((await kmsSensitivity(1, 1, cache)).steadyPer1000).toBeCloseTo(100, 9);
    expect((await kmsSensitivity(1, 2, cache)).steadyPer1000).toBeCloseTo(200, 9);
  });
});
