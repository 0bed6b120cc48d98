/**
 * The HTTP API's routes and the handler (functions/<handler>.ts) serving each: one table for API
 * Gateway (infra/), the local runner and the `$default` fallback that answers 404/405.
 */
import { ROUTE_TABLE, type RouteSpec } from '../contracts.js';

function compile(path: string): RegExp {
  const source = path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${source}$`);
}

const compiled = ROUTE_TABLE.map((route) => ({ route, pattern: compile(route.path) }));

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: RouteSpec; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: string }
  | { readonly kind: 'not-found' };

export function matchRoute(method: string, path: string): RouteMatch {
  const allowed: string[] = [];
  for (const { route, pattern } of compiled) {
    const m = pattern.exec(path);
    if (!m) continue;
    if (route.method === method) {
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(m.groups ?? {})) {
        try {
          params[k] = decodeURIComponent(v);
        } catch {
          return { kind: 'not-found' }; // a malformed %-escape names nothing we serve
        }
      }
      return { kind: 'found', route, params };
    }
    allowed.push(route.method);
  }
  return allowed.length ? { kind: 'method-not-allowed', allow: allowed.join(', ') } : { kind: 'not-found' };
}
