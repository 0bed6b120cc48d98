import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LookupKeys } from '../../shared/crypto/lookup-keys.js';
import { fakePorts } from '../support/fakes.js';

describe('lookup keys', () => {
  it('hashes the normalised address with a keyed HMAC, never a plain hash', async () => {
    // Prepare
    const { lookup } = fakePorts();
    // Act
    const a = await lookup.emailKey('Ada@Example.com ');
    const b = await lookup.emailKey('ada@example.com');
    // Assess
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const algo of ['sha256', 'sha1', 'md5']) {
      const plain = createHash(algo).update('ada@example.com');
      expect(a).not.toBe(plain.copy().digest('base64url'));
      expect(a).not.toBe(plain.digest('hex'));
    }
  });

  it('two shops (two keys) hash the same address differently', async () => {
    // Act
    const one = await fakePorts().lookup.emailKey('ada@example.com');
    const two = await fakePorts().lookup.emailKey('ada@example.com');
    // Assess
    expect(one).not.toBe(two);
  });

  it('processes sharing the key records agree, and the key is unwrapped once per process', async () => {
    // Prepare
    const ports = fakePorts();
    const first = await ports.lookup.emailKey('ada@example.com');
    const other = new LookupKeys(ports.keyService, ports.keyRecords);
    ports.keyService.calls.length = 0;
    // Act
    const second = await other.emailKey('ada@example.com');
    await other.mac('request-mac', 'x');
    // Assess
    expect(second).toBe(first);
    expect(ports.keyService.calls).toEqual([{ op: 'decrypt', context: 'lookup' }]);
  });

  it('verifies MACs in constant time and rejects others', async () => {
    // Prepare
    const { lookup } = fakePorts();
    const mac = await lookup.mac('unsubscribe-token', 'payload');
    // Act / Assess
    expect(await lookup.verifyMac('unsubscribe-token', 'payload', mac)).toBe(true);
    expect(await lookup.verifyMac('unsubscribe-token', 'payload2', mac)).toBe(false);
    expect(await lookup.verifyMac('request-mac', 'payload', mac)).toBe(false);
    expect(await lookup.verifyMac('unsubscribe-token', 'payload', mac.slice(0, 10))).toBe(false);
  });
});
