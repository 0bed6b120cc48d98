/**
 * The intake's typed check (`checkOrderRequest`, what submit-order runs) against the published
 * zod/mini schema (`orderRequestSchema`, what the OpenAPI document shows) read through
 * `toProblems`, as intake answered before: over many bodies generated from the document (valid
 * ones, ones with one broken constraint, ones with several) and from odd values, the same bodies
 * accepted with the same order (same keys in the same order), the same bodies refused with the
 * same problems (path and message, in order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderRequestSchema, toProblems } from '#shared/domain/intake.js';
import { checkOrderRequest, FIELD_CHECKS } from '#shared/domain/order-check.js';
import openapi from '#shared/http/openapi.json' with { type: 'json' };
import { FIELD_PATHS } from '#shared/inventory.js';
import { type JsonSchema, mutations, validValue, wrongKind } from '../support/json-schema-arbitrary.js';

const SEED = 20261205;

function published(body: unknown) {
  const parsed = orderRequestSchema.safeParse(body);
  return parsed.success ? { order: parsed.data } : { problems: toProblems(parsed.error) };
}
/** Same answer, and for an order the same keys in the same order (what sealing serialises). */
function same(body: unknown): void {
  const ours = checkOrderRequest(body);
  const theirs = published(body);
  expect(ours).toEqual(theirs);
  expect(JSON.stringify(ours)).toBe(JSON.stringify(theirs));
}

const doc = openapi as unknown as { components: { schemas: Record<string, JsonSchema> } };
const resolve = (ref: string): JsonSchema => {
  const name = /^#\/components\/schemas\/([A-Za-z]+)$/.exec(ref)?.[1];
  const found = name ? doc.components.schemas[name] : undefined;
  if (!found) throw new Error(`unresolved ${ref}`);
  return found;
};
const orderSchema = resolve('#/components/schemas/OrderRequest');
const options = { resolve, maxArrayItems: 4 };

const odd = fc.oneof(
  wrongKind,
  fc.string({ maxLength: 8 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'x'.repeat(101),
    '😀'.repeat(100),
    '😀'.repeat(101),
    'Ada\ud800',
    '\udc00',
    ' \ud83d\ude00',
    1.5,
    -1,
    Number.POSITIVE_INFINITY,
    1000,
  ),
);
/** A valid body with up to three of its values replaced, removed or joined by an unknown key. */
const damaged = fc
  .tuple(
    validValue(orderSchema, options),
    fc.array(
      fc.tuple(
        fc.constantFrom(...FIELD_PATHS, 'customer', 'items', 'shippingAddress', '(root)'),
        odd,
        fc.nat(3),
      ),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
  )
  .map(([valid, edits]) => {
    const body = structuredClone(valid) as Record<string, unknown>;
    for (const [path, shared, how] of edits) {
      const value = structuredClone(shared);
      if (path === '(root)') {
        body[how === 0 ? '__proto__x' : 'extra'] = value;
        continue;
      }
      const parts = path.replace('[]', '.0').split('.');
      let holder: Record<string, unknown> | undefined = body;
      for (const part of parts.slice(0, -1)) holder = holder?.[part] as Record<string, unknown> | undefined;
      if (typeof holder !== 'object' || holder === null) continue;
      const last = parts.at(-1) as string;
      if (how === 0) delete holder[last];
      else if (how === 1) holder[`${last}X`] = value;
      else holder[last] = value;
    }
    return JSON.parse(JSON.stringify(body));
  });
const tooMany = validValue(orderSchema, options).map((valid) => {
  const body = structuredClone(valid) as { items: unknown[] };
  const item = body.items[0];
  return {
    ...body,
    items: [{ ...(item as object), quantity: 0 }, ...Array.from({ length: 100 }, () => item)],
  };
});

describe('order check', () => {
  it('has one check per inventory field', () => {
    expect(Object.keys(FIELD_CHECKS).sort()).toEqual([...FIELD_PATHS].sort());
  });

  it('accepts what the published schema accepts, with the same order, over 1500 valid bodies', () => {
    fc.assert(fc.property(validValue(orderSchema, options), same), { numRuns: 1_500, seed: SEED });
  });

  it('refuses with the same problems over 1500 bodies breaking one documented constraint', () => {
    fc.assert(
      fc.property(mutations(orderSchema, options), (mutation) => same(mutation.body)),
      { numRuns: 1_500, seed: SEED },
    );
  });

  it('answers the same over 2500 bodies with several values damaged, removed or added', () => {
    fc.assert(fc.property(damaged, same), { numRuns: 2_500, seed: SEED });
  });

  it('answers the same over odd bodies and too many items', () => {
    fc.assert(fc.property(fc.oneof(odd, fc.array(odd), tooMany), same), { numRuns: 500, seed: SEED });
  });

  it('names paths and rules, never the values', () => {
    // Prepare
    const canary = 'canary-7f3a@example.com';
    // Act
    const answer = checkOrderRequest({
      customer: { givenName: canary.repeat(10), familyName: '\u0007', email: `${canary}x`.repeat(20) },
      shippingAddress: { line1: canary, city: canary, postalCode: canary, country: canary },
      items: [{ sku: canary, name: canary, quantity: 1.5, unitPrice: -1, colour: canary }],
      currency: canary,
      marketingOptIn: canary,
      paymentReference: canary,
    });
    // Assess
    expect(JSON.stringify(answer)).not.toContain('canary');
    expect(answer).toEqual({
      problems: [
        { path: 'customer.givenName', message: 'must be 1–100 characters' },
        {
          path: 'customer.familyName',
          message: 'must not be blank, contain control characters or lone surrogates',
        },
        { path: 'customer.email', message: 'must be an email address' },
        { path: 'shippingAddress.country', message: 'must be an ISO 3166-1 alpha-2 country code' },
        { path: 'items[0].quantity', message: 'must be an integer from 1 to 999' },
        {
          path: 'items[0].unitPrice',
          message: 'must be an integer amount in minor units from 0 to 10000000',
        },
        { path: 'items[0].colour', message: 'is not a known field' },
        { path: 'currency', message: 'must be an ISO 4217 currency code' },
        { path: 'marketingOptIn', message: 'must be true or false' },
      ],
    });
  });
});

const validBody = () => ({
  customer: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com' },
  shippingAddress: { line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  items: [{ sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 }] as unknown[],
  currency: 'EUR',
  marketingOptIn: false,
  paymentReference: 'pi_3NabcXYZ',
});

describe('review s8: arrays with holes and JSON __proto__ keys', () => {
  it('refuses an items array that is one hole (no item at all) as the zod schema does', () => {
    // Prepare
    const body = validBody();
    body.items = new Array(1);
    // Act
    const answer = checkOrderRequest(body);
    // Assess
    expect(published(body)).toEqual({ problems: [{ path: 'items[0]', message: 'is required' }] });
    expect(answer).toEqual({ problems: [{ path: 'items[0]', message: 'is required' }] });
  });

  it('answers as the zod schema over valid bodies whose items array has a hole', () => {
    // Prepare
    const holed = fc.tuple(validValue(orderSchema, options), fc.nat()).map(([valid, n]) => {
      const body = structuredClone(valid) as { items: unknown[] };
      delete body.items[n % body.items.length];
      return body;
    });
    // Act / Assess
    fc.assert(
      fc.property(holed, (body) => {
        expect(checkOrderRequest(body)).toEqual(published(body));
      }),
      { numRuns: 200, seed: 20261208 },
    );
  });

  it('refuses a JSON __proto__ key as an unknown field at its own path and never copies it', () => {
    // Prepare
    const text = JSON.stringify(validBody()).replace(
      '{"customer":{',
      '{"__proto__":{"currency":"EUR"},"customer":{"__proto__":null,',
    );
    const body: unknown = JSON.parse(text);
    // Act
    const answer = checkOrderRequest(body);
    // Assess
    expect(answer).toEqual({
      problems: [
        { path: 'customer.__proto__', message: 'is not a known field' },
        { path: '__proto__', message: 'is not a known field' },
      ],
    });
    expect(JSON.stringify(answer)).toBe(JSON.stringify(published(body)));
  });
});
