/**
 * The keyring's typed check against the zod/mini schema it replaced (test/support/zod-keyring-schema.ts):
 * over many generated stored keyrings, the same ones accepted with the same value, the same ones
 * refused; and what a refused one does to reading and writing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkKeyring,
  KeyringError,
  parseKeyring,
  serializeKeyring,
} from '#shared/domain/partner-keyring.js';
import { zodKeyringSchema } from '../support/zod-keyring-schema.js';

const SEED = 20261204;

const odd = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.string(),
);
const secrets = fc.oneof(
  fc.base64String({ minLength: 16, maxLength: 48 }).map((s) => `whsec_${s}`),
  fc.base64String({ minLength: 16, maxLength: 48 }),
  fc.constantFrom(
    'whsec_',
    'whsec_short',
    'whsec_ZmFrZS1zZWNyZXQtZm9yLXRlc3Rz!',
    `whsec_${'A'.repeat(15)}`,
    `${'A'.repeat(16)}`,
  ),
);
const instants = fc.oneof(
  fc
    .date({ min: new Date(0), max: new Date(4_102_444_800_000), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-12-01T10:00:00Z',
    '2026-12-01T10:00:00+01:00',
    '2026-12-01',
    '2026-02-30T00:00:00Z',
    '',
  ),
);
const entries = fc
  .record(
    {
      secret: fc.oneof({ weight: 8, arbitrary: secrets }, { weight: 1, arbitrary: odd }),
      activatedAt: fc.oneof({ weight: 8, arbitrary: instants }, { weight: 1, arbitrary: odd }),
      retireAt: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        { weight: 4, arbitrary: instants },
        { weight: 1, arbitrary: odd },
      ),
      extra: fc.oneof(
        { weight: 12, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: fc.string() },
      ),
    },
    { requiredKeys: ['secret', 'activatedAt', 'retireAt', 'extra'] },
  )
  .map((entry) => JSON.parse(JSON.stringify(entry)));
const keyrings = fc.oneof(
  { weight: 12, arbitrary: fc.array(entries, { maxLength: 3 }).map((list) => ({ secrets: list })) },
  {
    weight: 1,
    arbitrary: fc.array(entries, { maxLength: 2 }).map((list) => ({ secrets: list, version: 2 })),
  },
  { weight: 1, arbitrary: odd },
  { weight: 1, arbitrary: fc.record({ secrets: odd }) },
);

describe('keyring check', () => {
  it('accepts and refuses what the zod schema did, over 20 000 generated keyrings', () => {
    // Prepare / Act / Assess
    let accepted = 0;
    fc.assert(
      fc.property(keyrings, (keyring) => {
        const zod = zodKeyringSchema.safeParse(keyring);
        expect(checkKeyring(keyring)).toEqual(zod.success ? zod.data : undefined);
        if (zod.success) accepted++;
      }),
      { numRuns: 20_000, seed: SEED },
    );
    expect(accepted).toBeGreaterThan(1_000);
  });

  it('reads a stored keyring, and refuses one that does not match without echoing it', () => {
    // Prepare
    const stored = {
      secrets: [{ secret: 'whsec_ZmFrZS1zZWNyZXQtZm9yLXRlc3Rz', activatedAt: '2026-12-01T10:00:00.000Z' }],
    };
    const canary = 'whsec_Y2FuYXJ5LWNhbmFyeS1jYW5hcnk=';
    // Act
    const read = parseKeyring(JSON.stringify(stored));
    const refused = (() => {
      try {
        parseKeyring(JSON.stringify({ secrets: [{ secret: canary, activatedAt: 'yesterday' }] }));
      } catch (error) {
        return error;
      }
    })();
    // Assess
    expect(read).toEqual(stored);
    expect(refused).toBeInstanceOf(KeyringError);
    expect((refused as Error).message).toBe('the stored keyring does not match its schema');
    expect(String((refused as Error).message)).not.toContain(canary);
  });

  it('writes only a keyring that matches', () => {
    // Prepare
    const good = {
      secrets: [{ secret: 'whsec_ZmFrZS1zZWNyZXQtZm9yLXRlc3Rz', activatedAt: '2026-12-01T10:00:00.000Z' }],
    };
    // Act / Assess
    expect(serializeKeyring(good)).toBe(`${JSON.stringify(good, null, 2)}\n`);
    expect(() => serializeKeyring({ secrets: [] })).toThrow(KeyringError);
  });
});
