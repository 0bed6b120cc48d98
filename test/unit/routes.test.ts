import { describe, expect, it } from 'vitest';
import { handler as fallback } from '../../functions/fallback.js';
import { matchRoute } from '../../shared/http/routes.js';

const event = (method: string, rawPath: string) =>
  ({ rawPath, requestContext: { http: { method } } }) as never;

describe('routes', () => {
  it('matches path parameters', () => {
    // Act / Assess
    expect(matchRoute('GET', '/orders/ord_1')).toEqual({
      kind: 'found',
      route: { method: 'GET', path: '/orders/{orderId}', handler: 'get-order' },
      params: { orderId: 'ord_1' },
    });
  });

  it('the $default fallback answers 405 with Allow for a known path, 404 otherwise', async () => {
    // Act
    const wrongMethod = await fallback(event('PUT', '/unsubscribe'));
    const unknown = await fallback(event('GET', '/admin'));
    // Assess
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers).toMatchObject({
      allow: 'GET, POST',
      'content-type': 'application/problem+json',
    });
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body)).toEqual({
      type: 'https://minimis.dev/problems/not-found',
      title: 'Not found',
      status: 404,
    });
  });
});

describe('malformed paths', () => {
  it('a malformed percent-escape in a path parameter is simply not found', () => {
    // Act / Assess
    expect(matchRoute('GET', '/orders/%E0%A4%A')).toEqual({ kind: 'not-found' });
  });
});

describe('network-path and backslash paths in AWS', () => {
  it.each([
    '//',
    '/\\',
    '//evil.example/orders',
    '/\\evil.example/orders',
    '//orders',
    '/orders/',
    '/orders//x',
    '/partners//events',
    '/partners/carrier/events/',
  ])('the $default fallback answers %s with a 404 problem, never a route or a 500', async (rawPath) => {
    // Act
    const get = await fallback(event('GET', rawPath));
    const post = await fallback(event('POST', rawPath));
    // Assess
    expect(matchRoute('POST', rawPath).kind).toBe('not-found');
    expect(matchRoute('GET', rawPath).kind).toBe('not-found');
    for (const result of [get, post]) {
      expect(result.statusCode).toBe(404);
      expect(result.headers).toMatchObject({ 'content-type': 'application/problem+json' });
    }
  });
});
