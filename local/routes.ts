/**
 * The HTTP routes, each served by one Lambda handler (the same table API Gateway is given in
 * infra/). The local runner loads handlers lazily, after the wiring is installed.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResult } from '#shared/http/problem.js';

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;

export interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly load: () => Promise<{ handler: HttpHandler }>;
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/orders', load: () => import('#functions/submit-order.js') },
  { method: 'GET', path: '/orders/{orderId}', load: () => import('#functions/get-order.js') },
  { method: 'GET', path: '/openapi.json', load: () => import('#functions/openapi.js') },
  { method: 'GET', path: '/health', load: () => import('#functions/health.js') },
  { method: 'POST', path: '/partners/{partnerId}/events', load: () => import('#functions/partner-events.js') as never },
  { method: 'GET', path: '/unsubscribe', load: () => import('#functions/unsubscribe-page.js') as never },
  { method: 'POST', path: '/unsubscribe', load: () => import('#functions/unsubscribe.js') as never },
];

function compile(path: string): RegExp {
  const source = path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${source}$`);
}

const compiled = ROUTES.map((route) => ({ route, pattern: compile(route.path) }));

export type Match =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: string }
  | { readonly kind: 'not-found' };

export function matchRoute(method: string, path: string): Match {
  const allowed: string[] = [];
  for (const { route, pattern } of compiled) {
    const m = pattern.exec(path);
    if (!m) continue;
    if (route.method === method) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
      return { kind: 'found', route, params };
    }
    allowed.push(route.method);
  }
  return allowed.length ? { kind: 'method-not-allowed', allow: allowed.join(', ') } : { kind: 'not-found' };
}
