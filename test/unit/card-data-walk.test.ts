import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsCardNumber, findCardNumber, pathKey, TooDeepError } from '#shared/domain/card-data.js';

/** The walk as main wrote it up to baea550 (a path string per node), for the equivalence check. */
function original(value: unknown, path = '', depth = 0): string | undefined {
  if (depth > 32) throw new TooDeepError('The body is nested too deeply');
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    return containsCardNumber(text, { sku: /^items\[\d+\]\.sku$/.test(path) }) ? path || '(body)' : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = original(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (containsCardNumber(key)) return path ? `${path}.(key)` : '(key)';
      const found = original(child, path ? `${path}.${pathKey(key)}` : pathKey(key), depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

const leaf = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '4111111111111111',
    '4111 1111 1111 1111',
    'Flat 3 4111-1111-1111-1111',
    '4006381333931', // a GTIN-13: a card number except as a sku
    '+4915123456787', // an E.164 phone number that is Luhn-valid
    '4111111111111111'.replace(/1/g, '\u0661'), // Arabic-Indic digits
    '378282246310005',
  ),
  fc.constant(4111111111111111),
);
const key = fc.oneof(
  fc.string(),
  fc.constantFrom('items', 'sku', 'name', 'customer', 'a b', '4111111111111111'),
);
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('array'),
    tie('object'),
    tie('order'),
  ),
  array: fc.array(tie('tree'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
  order: fc.record({
    items: fc.array(fc.record({ sku: leaf, name: leaf }), { maxLength: 3 }),
    customer: tie('tree'),
  }),
}));

const outcome = (f: () => string | undefined) => {
  try {
    return { path: f() };
  } catch (error) {
    return { error: error instanceof TooDeepError ? 'too deep' : String(error) };
  }
};

describe('findCardNumber walks without a path string per node', () => {
  it('answers as the original walk for any body, with and without a starting path', () => {
    fc.assert(
      fc.property(tree, fc.constantFrom('', 'body', 'items[0]'), (body, start) => {
        // Act / Assess
        expect(outcome(() => findCardNumber(body, start))).toEqual(outcome(() => original(body, start)));
      }),
      { numRuns: 3000 },
    );
  });

  it('names the exact path, escapes keys, and throws past 32 levels as before', () => {
    // Prepare
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = [deep];
    // Act / Assess
    expect(findCardNumber({ items: [{ sku: 'ok' }, { sku: '4111111111111111' }] })).toBe('items[1].sku');
    expect(findCardNumber({ 'odd key': { x: ['4111 1111 1111 1111'] } })).toBe('(unknown key).x[0]');
    expect(findCardNumber({ a: { '4111111111111111': 1 } })).toBe('a.(key)');
    expect(findCardNumber('4111111111111111')).toBe('(body)');
    expect(findCardNumber({ items: [{ sku: '4006381333931' }] })).toBeUndefined();
    expect(() => findCardNumber(deep)).toThrow(TooDeepError);
  });
});
