import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LOOKUP_KEY_REF, LookupKeys, TOKEN_KEY_REF } from '../../shared/crypto/lookup-keys.js';
import { NoLookupKeyError } from '../../shared/domain/errors.js';
import {
  createUnsubscribeToken,
  InvalidUnsubscribeTokenError,
  verifyUnsubscribeToken,
} from '../../shared/domain/unsubscribe-token.js';
import { recordMailFeedback } from '../../shared/usecases/record-ses-feedback.js';
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

describe('who creates the lookup key', () => {
  it('without createOnFirstUse nothing is created: a look-up before any order reports there is no key', async () => {
    // Prepare
    const ports = fakePorts();
    const reader = new LookupKeys(ports.keyService, ports.keyRecords);
    // Act
    const error = await reader.emailKey('ada@example.com').catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(NoLookupKeyError);
    expect(ports.keyService.calls).toEqual([]);
    expect(ports.keyRecords.records.size).toBe(0);
  });

  it('intake creates both keys (ensureKey); readers then load the same keys', async () => {
    // Prepare
    const ports = fakePorts();
    const intake = new LookupKeys(ports.keyService, ports.keyRecords);
    const reader = new LookupKeys(ports.keyService, ports.keyRecords);
    // Act
    await intake.ensureKey();
    // Assess
    expect(await reader.emailKey('ada@example.com')).toBe(await intake.emailKey('ada@example.com'));
    expect(await reader.mac('unsubscribe-token', 'x')).toBe(await intake.mac('unsubscribe-token', 'x'));
    expect(ports.keyService.calls.map((c) => `${c.op}:${c.context}`).sort()).toEqual([
      'decrypt:lookup',
      'decrypt:token',
      'generate:lookup',
      'generate:token',
    ]);
    expect([...ports.keyRecords.records.keys()].sort()).toEqual([LOOKUP_KEY_REF, TOKEN_KEY_REF]);
  });

  it('intake never unwraps an existing token key: it only makes sure it exists', async () => {
    // Prepare: another intake process created both keys
    const ports = fakePorts();
    await new LookupKeys(ports.keyService, ports.keyRecords).ensureKey();
    const intake = new LookupKeys(ports.keyService, ports.keyRecords);
    ports.keyService.calls.length = 0;
    // Act
    await intake.ensureKey();
    await intake.mac('request-mac', 'body');
    await intake.emailKey('ada@example.com');
    // Assess
    expect(ports.keyService.calls).toEqual([{ op: 'decrypt', context: 'lookup' }]);
  });

  it('intake checks that the token key exists once per process, not once per order', async () => {
    // Prepare: another intake process created both keys
    const ports = fakePorts();
    await new LookupKeys(ports.keyService, ports.keyRecords).ensureKey();
    const reads: string[] = [];
    const records = {
      getDataKey: (ref: string) => {
        reads.push(ref);
        return ports.keyRecords.getDataKey(ref);
      },
      putDataKey: ports.keyRecords.putDataKey.bind(ports.keyRecords),
    };
    const intake = new LookupKeys(ports.keyService, records);
    // Act
    for (let i = 0; i < 5; i++) await intake.ensureKey();
    // Assess
    expect(reads.sort()).toEqual(['lookup-v1', 'token-v1']);
  });
});

describe('the token key is apart from the lookup key', () => {
  it('verifying an unsubscribe token unwraps only the token key, never the lookup key', async () => {
    // Prepare: intake created the keys and issued a token
    const ports = fakePorts();
    const emailKey = await ports.lookup.emailKey('ada@example.com');
    const token = await createUnsubscribeToken(ports.lookup, emailKey);
    const unsubscribe = new LookupKeys(ports.keyService, ports.keyRecords);
    ports.keyService.calls.length = 0;
    // Act
    const claims = await verifyUnsubscribeToken(unsubscribe, token);
    // Assess
    expect(claims).toEqual({ emailKey, scope: 'marketing' });
    expect(ports.keyService.calls).toEqual([{ op: 'decrypt', context: 'token' }]);
  });

  it('issuing a token (notification) unwraps only the token key', async () => {
    // Prepare
    const ports = fakePorts();
    const emailKey = await ports.lookup.emailKey('ada@example.com');
    await ports.lookup.ensureKey();
    const notification = new LookupKeys(ports.keyService, ports.keyRecords);
    ports.keyService.calls.length = 0;
    // Act
    const token = await createUnsubscribeToken(notification, emailKey);
    // Assess
    expect(await verifyUnsubscribeToken(ports.lookup, token)).toEqual({ emailKey, scope: 'marketing' });
    expect(ports.keyService.calls).toEqual([{ op: 'decrypt', context: 'token' }]);
  });

  it('keyed email hashes and request MACs unwrap only the lookup key', async () => {
    // Prepare
    const ports = fakePorts();
    await ports.lookup.ensureKey();
    const reader = new LookupKeys(ports.keyService, ports.keyRecords);
    ports.keyService.calls.length = 0;
    // Act
    await reader.emailKey('ada@example.com');
    await reader.mac('request-mac', 'x');
    // Assess
    expect(ports.keyService.calls).toEqual([{ op: 'decrypt', context: 'lookup' }]);
  });

  it('a token signature does not come from the lookup key', async () => {
    // Prepare: a shop whose token key is missing still has its lookup key
    const ports = fakePorts();
    const emailKey = await ports.lookup.emailKey('ada@example.com');
    const token = await createUnsubscribeToken(ports.lookup, emailKey);
    ports.keyRecords.records.delete(TOKEN_KEY_REF);
    const reader = new LookupKeys(ports.keyService, ports.keyRecords);
    // Act
    const error = await verifyUnsubscribeToken(reader, token).catch((e: unknown) => e);
    // Assess: no token key, no valid token, whatever the lookup key
    expect(error).toBeInstanceOf(InvalidUnsubscribeTokenError);
    expect(await reader.emailKey('ada@example.com')).toBe(emailKey);
  });
});

describe('before the first order (no lookup key)', () => {
  it('an unsubscribe token cannot verify: invalid token, not a server error', async () => {
    // Prepare
    const ports = fakePorts();
    const reader = new LookupKeys(ports.keyService, ports.keyRecords);
    const forged = Buffer.concat([Buffer.of(1), Buffer.alloc(33, 1), Buffer.alloc(16)]).toString('base64url');
    // Act
    const error = await verifyUnsubscribeToken(reader, forged).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(InvalidUnsubscribeTokenError);
    expect((error as InvalidUnsubscribeTokenError).reason).toBe('bad-signature');
  });

  it('SES feedback has nobody to suppress and changes nothing', async () => {
    // Prepare
    const ports = fakePorts();
    const reader = new LookupKeys(ports.keyService, ports.keyRecords);
    // Act
    const summary = await recordMailFeedback(
      {
        consent: ports.consent,
        fence: ports.fence,
        clock: ports.clock,
        settings: ports.settings,
        lookup: reader,
      },
      { kind: 'bounce', addresses: ['ada@example.com'] },
    );
    // Assess
    expect(summary).toEqual({ kind: 'bounce', recorded: 0, unchanged: 1 });
    expect(ports.consent.suppressions.size).toBe(0);
  });
});
