import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardDataError, ValidationError } from '../../shared/domain/errors.js';
import { FIELD_VALIDATORS } from '../../shared/domain/intake.js';
import { FIELD_PATHS } from '../../shared/inventory.js';
import { parseOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';

const c = canaries('intake01');

function problems(body: unknown) {
  try {
    parseOrder(body);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  return [];
}

describe('intake schema (derived from the inventory)', () => {
  it('has exactly one validator per inventory field', () => {
    // Assess
    expect(Object.keys(FIELD_VALIDATORS).sort()).toEqual([...FIELD_PATHS].sort());
  });

  it('accepts the order from the API contract, optional fields absent', () => {
    // Prepare
    const body = orderBody(c);
    const { phone: _p, ...customer } = body.customer;
    const { line2: _l, region: _r, ...address } = body.shippingAddress;
    // Act
    const order = parseOrder({ ...body, customer, shippingAddress: address });
    // Assess
    expect(order.customer).toEqual({ givenName: c.givenName, familyName: c.familyName, email: c.email });
    expect(order.shippingAddress).toEqual({
      line1: c.line1,
      city: c.city,
      postalCode: c.postalCode,
      country: 'GB',
    });
  });

  it('rejects unknown properties at every level, naming the path', () => {
    // Prepare
    const body = orderBody(c, { extra: 1 });
    (body.customer as Record<string, unknown>).nickname = 'x';
    (body.items[0] as Record<string, unknown>).colour = 'red';
    // Act
    const found = problems(body);
    // Assess
    expect(found).toEqual(
      expect.arrayContaining([
        { path: 'extra', message: 'is not a known field' },
        { path: 'customer.nickname', message: 'is not a known field' },
        { path: 'items[0].colour', message: 'is not a known field' },
      ]),
    );
    expect(found).toHaveLength(3);
  });

  it.each([
    [
      'customer.givenName',
      { customer: { ...orderBody(c).customer, givenName: '' } },
      'must be 1–100 characters',
    ],
    [
      'customer.givenName',
      { customer: { ...orderBody(c).customer, givenName: 'x'.repeat(101) } },
      'must be 1–100 characters',
    ],
    [
      'customer.email',
      { customer: { ...orderBody(c).customer, email: 'not-an-email' } },
      'must be an email address',
    ],
    [
      'customer.phone',
      { customer: { ...orderBody(c).customer, phone: '020 7123 4567' } },
      'must be an E.164 phone number (+ and 7 to 15 digits)',
    ],
    [
      'shippingAddress.country',
      { shippingAddress: { ...orderBody(c).shippingAddress, country: 'XX' } },
      'must be an ISO 3166-1 alpha-2 country code',
    ],
    ['currency', { currency: 'ABC' }, 'must be an ISO 4217 currency code'],
    ['items', { items: [] }, 'must have 1–100 entries'],
    [
      'items[0].quantity',
      { items: [{ sku: 'A', name: 'B', quantity: 0, unitPrice: 1 }] },
      'must be an integer from 1 to 999',
    ],
    [
      'items[0].quantity',
      { items: [{ sku: 'A', name: 'B', quantity: 1.5, unitPrice: 1 }] },
      'must be an integer from 1 to 999',
    ],
    [
      'items[0].unitPrice',
      { items: [{ sku: 'A', name: 'B', quantity: 1, unitPrice: 10_000_001 }] },
      'must be an integer amount in minor units from 0 to 10000000',
    ],
    ['marketingOptIn', { marketingOptIn: 'yes' }, 'must be true or false'],
    ['paymentReference', { paymentReference: 'x'.repeat(256) }, 'must be 1–255 characters'],
  ])('rejects a bad %s', (path, override, message) => {
    // Act
    const found = problems(orderBody(c, override));
    // Assess
    expect(found).toEqual([{ path, message }]);
  });

  it('reports missing required fields as required', () => {
    // Prepare
    const { email: _e, ...customer } = orderBody(c).customer;
    // Act / Assess
    expect(problems(orderBody(c, { customer }))).toEqual([
      { path: 'customer.email', message: 'is required' },
    ]);
  });

  it('rejects card numbers anywhere with a card-data error naming only the path', () => {
    // Act
    const attempt = () => parseOrder(orderBody(c, { paymentReference: '4111 1111 1111 1111' }));
    // Assess
    expect(attempt).toThrow(CardDataError);
    try {
      attempt();
    } catch (error) {
      expect((error as CardDataError).path).toBe('paymentReference');
      expect(JSON.stringify(error)).not.toContain('4111');
      expect((error as Error).message).not.toContain('4111');
    }
  });

  it('never echoes a submitted value in a problem', () => {
    // Prepare: every field set to a wrong-but-recognisable canary string
    const marker = 'ECHOCANARY';
    const body = {
      customer: { givenName: 5, familyName: `${marker}\u0001`, email: `${marker}@`, phone: marker },
      shippingAddress: { line1: '', city: 7, postalCode: [marker], country: marker },
      items: [{ sku: marker.repeat(30), name: 'n', quantity: marker, unitPrice: -1 }],
      currency: marker,
      marketingOptIn: marker,
      paymentReference: { marker },
    };
    // Act
    const found = problems(body);
    // Assess
    expect(found.length).toBeGreaterThan(8);
    expect(JSON.stringify(found)).not.toContain(marker);
  });

  it('property: random hostile bodies only ever produce validation or card-data errors', () => {
    // Prepare
    const hostile = fc.oneof(
      fc.anything(),
      fc.jsonValue(),
      fc.record({
        customer: fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything())),
        shippingAddress: fc.anything(),
        items: fc.array(
          fc.dictionary(
            fc.constantFrom('sku', 'name', 'quantity', 'unitPrice', '__proto__', 'x'),
            fc.anything(),
          ),
        ),
        currency: fc.string(),
        marketingOptIn: fc.anything(),
        paymentReference: fc.oneof(fc.string(), fc.stringMatching(/^[0-9 -]{13,25}$/)),
      }),
    );
    // Act / Assess
    fc.assert(
      fc.property(hostile, (body) => {
        try {
          parseOrder(body);
        } catch (error) {
          return error instanceof ValidationError || error instanceof CardDataError;
        }
        return true;
      }),
      { numRuns: 2000 },
    );
    // 2000 runs take ~1 s on an idle machine; the allowance is for shared, loaded CI machines.
  }, 30_000);

  it('a deeply nested body is a validation error, not a crash', () => {
    // Prepare
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    // Act / Assess
    expect(problems({ ...orderBody(c), items: deep })).toEqual([
      { path: '(body)', message: 'is nested too deeply' },
    ]);
  });

  it('an unknown key that is not an identifier is not echoed (it could be a value)', () => {
    // Prepare
    const body = orderBody(c);
    (body.customer as Record<string, unknown>)[c.email] = true;
    // Act
    const found = problems(body);
    // Assess
    expect(found).toEqual([{ path: 'customer.(unknown key)', message: 'is not a known field' }]);
    expect(JSON.stringify(found)).not.toContain(c.email);
  });
});
