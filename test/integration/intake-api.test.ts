import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';

const c = canaries('api00001');
let app: TestApp;
let n = 0;
const key = () => `it-${Date.now()}-${n++}`;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

async function problemOf(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  return (await response.json()) as { type: string; status: number; title: string; errors?: unknown[] };
}

describe('POST /orders', () => {
  it('accepts a valid order: 202, Location, and the order answers GET without personal data', async () => {
    // Act
    const response = await app.post('/orders', orderBody(c), { 'idempotency-key': key() });
    // Assess
    expect(response.status).toBe(202);
    const body = (await response.json()) as { orderId: string; status: string };
    expect(body).toEqual({ orderId: expect.stringMatching(/^ord_[0-9A-Z]{26}$/), status: 'accepted' });
    expect(response.headers.get('location')).toBe(`/orders/${body.orderId}`);
    const status = await app.get(`/orders/${body.orderId}`);
    expect(status.status).toBe(200);
    const view = await status.json();
    expect(view).toEqual({
      orderId: body.orderId,
      status: 'accepted',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      trackingNumber: null,
      // The sample partners may already have taken their delivery.
      deliveries: [
        { partner: 'warehouse', state: expect.stringMatching(/^(pending|delivered)$/) },
        { partner: 'carrier', state: expect.stringMatching(/^(pending|delivered)$/) },
      ],
    });
  });

  it('415 without application/json', async () => {
    // Act
    const response = await app.post('/orders', JSON.stringify(orderBody(c)), {
      'content-type': 'text/plain',
      'idempotency-key': key(),
    });
    // Assess
    expect(response.status).toBe(415);
    expect((await problemOf(response)).type).toBe('https://minimis.dev/problems/unsupported-media-type');
  });

  it('413 over 32 KiB', async () => {
    // Prepare
    const big = orderBody(c, { paymentReference: 'x'.repeat(33 * 1024) });
    // Act
    const response = await app.post('/orders', big, { 'idempotency-key': key() });
    // Assess
    expect(response.status).toBe(413);
    expect((await problemOf(response)).type).toBe('https://minimis.dev/problems/payload-too-large');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'k'.repeat(256)],
    ['not visible ASCII', 'clé unique'],
  ])('400 when the Idempotency-Key is %s', async (_what, value) => {
    // Act
    const response = await app.post(
      '/orders',
      orderBody(c),
      value === undefined ? {} : { 'idempotency-key': value },
    );
    // Assess
    expect(response.status).toBe(400);
    expect((await problemOf(response)).type).toBe('https://minimis.dev/problems/idempotency-key');
  });

  it('400 on malformed JSON', async () => {
    // Act
    const response = await app.post('/orders', '{"customer":', { 'idempotency-key': key() });
    // Assess
    expect(response.status).toBe(400);
    expect((await problemOf(response)).type).toBe('https://minimis.dev/problems/malformed-json');
  });

  it('400 with every invalid path named and no submitted value echoed', async () => {
    // Prepare
    const body = orderBody(c, { currency: 'XXXX', unknownField: c.familyName });
    (body.customer as Record<string, unknown>).email = `${c.givenName}-not-an-email`;
    // Act
    const response = await app.post('/orders', body, { 'idempotency-key': key() });
    // Assess
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      type: 'https://minimis.dev/problems/validation',
      title: 'Invalid order',
      status: 400,
      detail: '3 fields are invalid',
      errors: [
        { path: 'customer.email', message: 'must be an email address' },
        { path: 'currency', message: 'must be an ISO 4217 currency code' },
        { path: 'unknownField', message: 'is not a known field' },
      ],
    });
    expect(text).not.toContain(c.givenName);
    expect(text).not.toContain(c.familyName);
  });

  it('400 for half a surrogate pair in a JSON escape; nothing is stored and the key is not used', async () => {
    // Prepare: as a client's JSON encoder may write a name cut in the middle of an emoji
    const k = key();
    const body = JSON.stringify(orderBody(c)).replace(
      JSON.stringify(c.givenName),
      JSON.stringify(c.givenName).replace(/"$/, '\\ud83d"'),
    );
    expect(body).toContain('\\ud83d"');
    // Act
    const response = await app.post('/orders', body, { 'idempotency-key': k });
    // Assess
    expect(response.status).toBe(400);
    expect((await problemOf(response)).errors).toEqual([
      {
        path: 'customer.givenName',
        message: 'must not be blank, contain control characters or lone surrogates',
      },
    ]);
    const retry = await app.post('/orders', orderBody(c), { 'idempotency-key': k });
    expect(retry.status).toBe(202);
  });

  it('400 card-data for a card number anywhere; the value is neither stored nor echoed', async () => {
    // Prepare
    const k = key();
    // Act
    const response = await app.post('/orders', orderBody(c, { paymentReference: '4111-1111-1111-1111' }), {
      'idempotency-key': k,
    });
    // Assess
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text).type).toBe('https://minimis.dev/problems/card-data');
    expect(text).not.toContain('4111');
    // The key was not consumed: the corrected order goes through under it.
    const retry = await app.post('/orders', orderBody(c), { 'idempotency-key': k });
    expect(retry.status).toBe(202);
  });

  it('same key, same body → same order id; same key, other body → 422', async () => {
    // Prepare
    const k = key();
    const first = (await (await app.post('/orders', orderBody(c), { 'idempotency-key': k })).json()) as {
      orderId: string;
    };
    // Act
    const again = await app.post('/orders', orderBody(c), { 'idempotency-key': k });
    const other = await app.post('/orders', orderBody(c, { currency: 'GBP' }), { 'idempotency-key': k });
    // Assess
    expect(again.status).toBe(202);
    expect(((await again.json()) as { orderId: string }).orderId).toBe(first.orderId);
    expect(other.status).toBe(422);
    expect((await problemOf(other)).type).toBe('https://minimis.dev/problems/idempotency-key-reused');
  });

  it('concurrent duplicates create exactly one order; the rest get the same id or 409', async () => {
    // Prepare
    const k = key();
    const body = orderBody(canaries('concur01'));
    // Act
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => app.post('/orders', body, { 'idempotency-key': k })),
    );
    // Assess
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 202 || s === 409)).toBe(true);
    const ids = new Set<string>();
    for (const r of responses)
      if (r.status === 202) ids.add(((await r.json()) as { orderId: string }).orderId);
    expect(ids.size).toBe(1);
    for (const r of responses) {
      if (r.status === 409)
        expect((await problemOf(r)).type).toBe('https://minimis.dev/problems/idempotency-in-progress');
    }
    // A retry of a 409 succeeds with the same id.
    const retry = await app.post('/orders', body, { 'idempotency-key': k });
    expect(((await retry.json()) as { orderId: string }).orderId).toBe([...ids][0]);
    const emailKey = await app.wiring.lookup.emailKey(canaries('concur01').email);
    expect(await app.wiring.orders.listPersonalByEmailKey(emailKey)).toHaveLength(1);
  });
});

describe('other routes', () => {
  it('GET /orders/{unknown} → 404 problem', async () => {
    // Act
    const wellFormed = await app.get('/orders/ord_00000000000000000000000000');
    const malformed = await app.get('/orders/nope');
    // Assess
    expect(wellFormed.status).toBe(404);
    expect(malformed.status).toBe(404);
    expect((await problemOf(wellFormed)).type).toBe('https://minimis.dev/problems/order-not-found');
  });

  it('unknown route 404, wrong method 405 with Allow', async () => {
    // Act
    const unknown = await app.get('/nothing-here');
    const wrong = await fetch(`${app.apiUrl}/orders`, { method: 'DELETE' });
    // Assess
    expect(unknown.status).toBe(404);
    expect((await problemOf(unknown)).type).toBe('https://minimis.dev/problems/not-found');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('GET /health 200 and GET /openapi.json is OpenAPI 3.1 generated from the intake schema', async () => {
    // Act
    const health = await app.get('/health');
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
    const doc = (await (await app.get('/openapi.json')).json()) as Record<string, any>;
    // Assess
    expect(health.status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    const order = doc.components.schemas.OrderRequest;
    expect(order.additionalProperties).toBe(false);
    expect(order.required).toEqual([
      'customer',
      'shippingAddress',
      'items',
      'currency',
      'marketingOptIn',
      'paymentReference',
    ]);
    expect(order.properties.customer.required).toEqual(['givenName', 'familyName', 'email']);
    expect(order.properties.items.maxItems).toBe(100);
    expect(order.properties.customer.properties.email).toMatchObject({ format: 'email', maxLength: 254 });
    expect(order.properties.currency.enum).toContain('EUR');
    expect(order.properties.currency.enum).not.toContain('HRK');
    expect(order.properties.shippingAddress.properties.country.enum).toHaveLength(249);
    expect(Object.keys(doc.paths['/orders'].post.responses)).toEqual([
      '202',
      '400',
      '409',
      '413',
      '415',
      '422',
      '500',
    ]);
    expect(Object.keys(doc.paths)).toEqual([
      '/orders',
      '/orders/{orderId}',
      '/partners/{partnerId}/events',
      '/unsubscribe',
      '/consent/confirm',
      '/health',
      '/openapi.json',
    ]);
  });
});
