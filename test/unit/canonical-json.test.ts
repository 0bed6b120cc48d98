import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonical } from '#shared/usecases/submit-order.js';
import { syntheticOrder } from '../../bench/orders.js';

/** The canonical form as main wrote it up to baea550: every stored request MAC is over its output. */
function original(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(original).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${original(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('canonical JSON for the request MAC', () => {
  it('writes sorted keys, compact, for an order', () => {
    // Prepare
    const body = { b: [1, 'x', { d: true, c: null }], a: 'é"\\n' };
    // Act
    const text = canonical(body);
    // Assess
    expect(text).toBe('{"a":"é\\"\\\\n","b":[1,"x",{"c":null,"d":true}]}');
  });

  it('is the original text for any JSON value, including keys that sort by UTF-16 code units', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue({ depthSize: 'small' }), (value, other) => {
        // Prepare: also a key pair whose code-unit order differs from its code-point order.
        const mixed = { '\u{1F600}': value, '\uFFFF': other, ['__proto__']: 1, '': [value] };
        // Act / Assess
        expect(canonical(value)).toBe(original(value));
        expect(canonical(mixed)).toBe(original(mixed));
      }),
      { numRuns: 2000 },
    );
  });

  it('is the original text for values JSON cannot write (undefined in objects and arrays, holes)', () => {
    // Prepare
    const values: unknown[] = [
      { a: undefined, b: [undefined, null, () => 1], c: -0 },
      // biome-ignore lint/suspicious/noSparseArray: a hole is the case under test
      [1, , 3],
      [],
      {},
      'text',
      42,
      null,
    ];
    // Act / Assess
    for (const value of values) expect(canonical(value)).toBe(original(value));
  });

  it('is the original text for 2000 synthetic orders', () => {
    for (let i = 0; i < 2000; i++) {
      const { body } = syntheticOrder(i, 'canonical');
      expect(canonical(body)).toBe(original(body));
    }
  });
});
