/** Property: whatever a client sends to POST /orders, the answer is never a 5xx. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({}, { samplePartners: false });
});
afterAll(async () => {
  await app.stop();
});

const valid = orderBody(canaries('hostile1'));

/** Bodies near a valid order (one field replaced by anything) and bodies that are anything at all. */
const hostileBody = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc
    .tuple(fc.constantFrom(...Object.keys(valid)), fc.jsonValue())
    .map(([key, value]) => JSON.stringify({ ...valid, [key]: value })),
  fc
    .tuple(fc.constantFrom('givenName', 'familyName', 'email', 'phone', 'nickname'), fc.jsonValue())
    .map(([key, value]) => JSON.stringify({ ...valid, customer: { ...valid.customer, [key]: value } })),
);

describe('POST /orders with hostile bodies', () => {
  it('never answers 5xx, always problem+json for errors', async () => {
    // Act / Assess
    await fc.assert(
      fc.asyncProperty(hostileBody, fc.string({ minLength: 1, maxLength: 40 }), async (body, key) => {
        const response = await app.post('/orders', body, {
          'idempotency-key': key.replace(/[^\x21-\x7e]/g, 'k') || 'k',
        });
        const text = await response.text();
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400)
          expect(response.headers.get('content-type')).toBe('application/problem+json');
        expect(text.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
    expect(app.errors).toEqual([]);
  });
});
