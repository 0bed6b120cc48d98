/**
 * Review s8: `checkOrderRequest` against the zod/mini schema it replaced (`orderRequestSchema` read
 * through `toProblems`). Over JSON bodies the two agree (a 30 000-run differential fuzz with
 * `__proto__`/`constructor` keys, lone surrogates, -0, 1e21, NaN, code-point limits and stacked
 * errors found no difference); what differs is an array with a hole, which `value.map` skips.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderRequestSchema, toProblems } from '#shared/domain/intake.js';
import { checkOrderRequest } from '#shared/domain/order-check.js';
import openapi from '#shared/http/openapi.json' with { type: 'json' };
import { type JsonSchema, validValue } from '../support/json-schema-arbitrary.js';

function published(body: unknown) {
  const parsed = orderRequestSchema.safeParse(body);
  return parsed.success ? { order: parsed.data } : { problems: toProblems(parsed.error) };
}

const validBody = () => ({
  customer: { givenName: 'Ada', familyName: 'Lovelace', email: 'ada@example.com' },
  shippingAddress: { line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  items: [{ sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 }] as unknown[],
  currency: 'EUR',
  marketingOptIn: false,
  paymentReference: 'pi_3NabcXYZ',
});

const doc = openapi as unknown as { components: { schemas: Record<string, JsonSchema> } };
const resolve = (ref: string): JsonSchema => {
  const name = /^#\/components\/schemas\/([A-Za-z]+)$/.exec(ref)?.[1];
  const found = name ? doc.components.schemas[name] : undefined;
  if (!found) throw new Error(`unresolved ${ref}`);
  return found;
};
const orderSchema = resolve('#/components/schemas/OrderRequest');

describe('review s8: order check', () => {
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
    const holed = fc
      .tuple(validValue(orderSchema, { resolve, maxArrayItems: 4 }), fc.nat())
      .map(([valid, n]) => {
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
