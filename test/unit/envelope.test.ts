import { describe, expect, it } from 'vitest';
import { ENVELOPE_OVERHEAD } from '../../shared/crypto/envelope.js';
import { SealError } from '../../shared/domain/errors.js';
import { fakePorts } from '../support/fakes.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('purpose-bound envelope', () => {
  it('round-trips and adds exactly the fixed overhead', async () => {
    // Prepare
    const { dataKeys } = fakePorts();
    // Act
    const blob = await dataKeys.seal('shipping', 'ord_A', bytes('{"x":"canary"}'));
    // Assess
    expect(blob.length).toBe(ENVELOPE_OVERHEAD + 14);
    expect(text(await dataKeys.open('shipping', 'ord_A', blob))).toBe('{"x":"canary"}');
    expect(Buffer.from(blob).includes(bytes('canary'))).toBe(false);
  });

  it('a blob copied onto another order does not open', async () => {
    // Prepare
    const { dataKeys } = fakePorts();
    const blob = await dataKeys.seal('shipping', 'ord_A', bytes('secret'));
    // Act / Assess
    await expect(dataKeys.open('shipping', 'ord_B', blob)).rejects.toThrow(SealError);
  });

  it('a blob read under another purpose does not open, even by a process that holds both keys', async () => {
    // Prepare
    const { dataKeys } = fakePorts();
    const blob = await dataKeys.seal('shipping', 'ord_A', bytes('secret'));
    await dataKeys.seal('contact', 'ord_A', bytes('other'));
    // Act / Assess
    await expect(dataKeys.open('contact', 'ord_A', blob)).rejects.toThrow(
      'Data key belongs to another purpose',
    );
    await expect(fakePortsOpen(blob)).rejects.toThrow(SealError);
  });

  it('a tampered or truncated blob does not open', async () => {
    // Prepare
    const { dataKeys } = fakePorts();
    const blob = Buffer.from(await dataKeys.seal('contact', 'ord_A', bytes('secret message')));
    const flipped = Buffer.from(blob);
    flipped[blob.length - 20] = (flipped[blob.length - 20] ?? 0) ^ 1;
    // Act / Assess
    await expect(dataKeys.open('contact', 'ord_A', flipped)).rejects.toThrow(SealError);
    await expect(dataKeys.open('contact', 'ord_A', blob.subarray(0, 20))).rejects.toThrow(SealError);
  });

  it('the key service refuses to unwrap a data key under another context', async () => {
    // Prepare
    const { keyService } = fakePorts();
    const { wrapped } = await keyService.generateDataKey('shipping');
    // Act / Assess
    await expect(keyService.decryptDataKey('contact', wrapped)).rejects.toThrow(
      'Local key service Decrypt failed',
    );
  });

  it('caches data keys: one GenerateDataKey per purpose, then a new one after max uses or max age', async () => {
    // Prepare
    const ports = fakePorts({ maxUses: 3, maxAgeSeconds: 60 });
    // Act
    for (let i = 0; i < 7; i++) await ports.dataKeys.seal('shipping', `ord_${i}`, bytes('x'));
    const afterUses = ports.keyService.calls.length;
    ports.clock.advance(61_000);
    await ports.dataKeys.seal('shipping', 'ord_late', bytes('x'));
    // Assess
    expect(afterUses).toBe(3); // uses 1-3, 4-6, 7
    expect(ports.keyService.calls).toEqual(Array(4).fill({ op: 'generate', context: 'shipping' }));
    expect(ports.keyRecords.records.size).toBe(4);
  });

  it('another process opens with one Decrypt per data key, however many blobs', async () => {
    // Prepare
    const ports = fakePorts();
    const blobs = await Promise.all(
      Array.from({ length: 50 }, (_, i) => ports.dataKeys.seal('shipping', `ord_${i}`, bytes(`v${i}`))),
    );
    const reader = ports.otherProcess();
    ports.keyService.calls.length = 0;
    // Act
    const opened = await Promise.all(blobs.map((b, i) => reader.open('shipping', `ord_${i}`, b)));
    // Assess
    expect(opened.map(text)).toEqual(Array.from({ length: 50 }, (_, i) => `v${i}`));
    expect(ports.keyService.calls).toEqual([{ op: 'decrypt', context: 'shipping' }]);
  });

  it('concurrent first seals share one GenerateDataKey call', async () => {
    // Prepare
    const ports = fakePorts();
    // Act
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => ports.dataKeys.seal('contact', `ord_${i}`, bytes('x'))),
    );
    // Assess
    expect(ports.keyService.calls).toEqual([{ op: 'generate', context: 'contact' }]);
  });
});

async function fakePortsOpen(blob: Uint8Array) {
  // A reader of another shop (other master key) cannot open it either.
  return fakePorts().dataKeys.open('shipping', 'ord_A', blob);
}
