/**
 * The submit path reads settled keys without awaiting them (DataKeys' active key, LookupKeys'
 * derived keys and ensureKey): the same keys, the same KMS calls, and failures still retried.
 */
import { describe, expect, it } from 'vitest';
import { DataKeys, SealingKeys } from '#shared/crypto/data-keys.js';
import { LookupKeys } from '#shared/crypto/lookup-keys.js';
import type { KeyContext } from '#shared/inventory.js';
import type { KeyService } from '#shared/ports.js';
import { fakePorts } from '../support/fakes.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const refOf = (blob: Uint8Array) => Buffer.from(blob.subarray(1, 9)).toString('hex');

describe('settled keys on the hot path', () => {
  it('a settled data key is used up to maxUses, by sequential and concurrent seals alike', async () => {
    // Prepare
    const ports = fakePorts({ maxUses: 3 });
    // Act: 2 sequential, then 5 concurrent (crossing the maxUses boundary), then 2 sequential.
    const first = [];
    for (let i = 0; i < 2; i++) first.push(await ports.dataKeys.seal('shipping', `ord_${i}`, bytes('x')));
    const burst = await Promise.all(
      Array.from({ length: 5 }, (_, i) => ports.dataKeys.seal('shipping', `ord_b${i}`, bytes('x'))),
    );
    const last = [];
    for (let i = 0; i < 2; i++) last.push(await ports.dataKeys.seal('shipping', `ord_l${i}`, bytes('x')));
    // Assess: uses 1–3 on key A, 4–6 on key B, 7–9 on key C; one GenerateDataKey each.
    const refs = [...first, ...burst, ...last].map(refOf);
    expect(new Set(refs.slice(0, 3)).size).toBe(1);
    expect(new Set(refs.slice(3, 6)).size).toBe(1);
    expect(new Set(refs.slice(6, 9)).size).toBe(1);
    expect(new Set(refs).size).toBe(3);
    expect(ports.keyService.calls).toEqual(Array(3).fill({ op: 'generate', context: 'shipping' }));
  });

  it('what the sealing-only cache (intake) seals, another process opens with one Decrypt; a cache that seals and opens needs none', async () => {
    // Prepare: one key service and key-record store, as one deployment's functions share them.
    const ports = fakePorts();
    const limits = { maxAgeSeconds: 600, maxUses: 100 };
    const intake = new SealingKeys(ports.keyService, ports.keyRecords, ports.clock, limits);
    const reader = new DataKeys(ports.keyService, ports.keyRecords, ports.clock, limits);
    const both = new DataKeys(ports.keyService, ports.keyRecords, ports.clock, limits);
    // Act
    const sealed = await intake.seal('contact', 'ord_1', bytes('canary-ada@example.com'));
    const opened = await reader.open('contact', 'ord_1', sealed);
    const own = await both.seal('shipping', 'ord_2', bytes('canary-line1'));
    const ownOpened = await both.open('shipping', 'ord_2', own);
    // Assess
    expect(opened.toString('utf8')).toBe('canary-ada@example.com');
    expect(ownOpened.toString('utf8')).toBe('canary-line1');
    expect(ports.keyService.calls).toEqual([
      { op: 'generate', context: 'contact' },
      { op: 'decrypt', context: 'contact' },
      { op: 'generate', context: 'shipping' },
    ]);
  });

  it('a failed GenerateDataKey is not kept: the next seal asks again', async () => {
    // Prepare: a key service that fails once.
    const ports = fakePorts();
    let failures = 1;
    const original = ports.keyService.generateDataKey.bind(ports.keyService);
    ports.keyService.generateDataKey = (context: KeyContext) => {
      if (failures-- > 0) return Promise.reject(new Error('KMS throttled'));
      return original(context);
    };
    // Act
    const failed = await ports.dataKeys.seal('contact', 'ord_1', bytes('x')).catch((e: Error) => e.message);
    const sealed = await ports.dataKeys.seal('contact', 'ord_2', bytes('x'));
    await ports.dataKeys.seal('contact', 'ord_3', bytes('x'));
    // Assess
    expect(failed).toBe('KMS throttled');
    expect(sealed[0]).toBe(1);
    // The failed call never reached the counting service; the next one did, and its key serves ord_3.
    expect(ports.keyService.calls).toEqual([{ op: 'generate', context: 'contact' }]);
    expect(ports.keyRecords.records.size).toBe(1);
  });

  it('ensureKey that failed is tried again on the next order, and once it succeeded never again', async () => {
    // Prepare: no keys yet; the key service fails the first GenerateDataKey.
    const ports = fakePorts();
    let failures = 1;
    const keys: KeyService = {
      generateDataKey: (context) =>
        failures-- > 0 ? Promise.reject(new Error('KMS down')) : ports.keyService.generateDataKey(context),
      decryptDataKey: (context, wrapped) => ports.keyService.decryptDataKey(context, wrapped),
    };
    const reads: string[] = [];
    const records = {
      getDataKey: (ref: string) => {
        reads.push(ref);
        return ports.keyRecords.getDataKey(ref);
      },
      putDataKey: ports.keyRecords.putDataKey.bind(ports.keyRecords),
    };
    const intake = new LookupKeys(keys, records);
    // Act
    const first = await intake.ensureKey().catch((e: Error) => e.message);
    const readsAfterFailure = reads.length;
    await intake.ensureKey();
    const readsAfterSuccess = reads.length;
    for (let i = 0; i < 5; i++) await intake.ensureKey();
    const mac = await intake.mac('request-mac', 'body');
    // Assess
    expect(first).toBe('KMS down');
    expect(readsAfterSuccess).toBeGreaterThan(readsAfterFailure);
    expect(reads.length).toBe(readsAfterSuccess);
    expect(ports.keyService.calls.map((c) => `${c.op}:${c.context}`).sort()).toEqual([
      'generate:lookup',
      'generate:token',
    ]);
    expect(mac).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await intake.mac('request-mac', 'body')).toBe(mac);
  });
});
