/**
 * Local-only pages (the email viewer, the sample partners, the console under `/_local/`) answer
 * only requests whose `Host` is a loopback name with the port the request came in on:
 * `localhost:PORT`, `127.0.0.1:PORT` or `[::1]:PORT`. Binding to 127.0.0.1 keeps other machines
 * out, but not a web page in the developer's own browser: with DNS rebinding, `evil.example`
 * resolves to 127.0.0.1 and the browser sends `Host: evil.example:PORT` — and would let that page
 * read the answer. Anything but a loopback Host is therefore 421 Misdirected Request.
 *
 * The local API server applies this to every path under `/_local/` and `/_sample/`
 * (`LOCAL_ONLY_PATH`) before any route runs; `loopbackOnly(route, paths)` wraps a `LocalRoute` for
 * other paths, and `refuseUnlessLoopback(req, res)` guards any other node handler (the email
 * viewer's server uses it for every request).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { problem } from '#shared/http/problem.js';
import type { LocalRoute } from './http-server.js';
import { parseRequestTarget } from './request-target.js';

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Paths on the API server that only local tools use: guarded by the server for every route there. */
export const LOCAL_ONLY_PATH = /^\/_(?:local|sample)(?:\/|$)/;

/** True when `host` (a Host header value) is a loopback name with exactly `port`. */
export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const value = host.toLowerCase();
  const colon = value.lastIndexOf(':');
  // Browsers leave out the port only when it is the scheme's default.
  if (colon < 0 || value.endsWith(']')) return port === 80 && LOOPBACK_NAMES.has(value);
  return LOOPBACK_NAMES.has(value.slice(0, colon)) && value.slice(colon + 1) === String(port);
}

export function misdirected() {
  return problem(
    421,
    'misdirected-request',
    'Misdirected request',
    'Local pages answer only on localhost, 127.0.0.1 or [::1] with their own port',
  );
}

/**
 * Answers 421 and returns true unless the request's host (its absolute-form target's, else its
 * `Host` header) is a loopback name with the port it arrived on.
 */
export function refuseUnlessLoopback(req: IncomingMessage, res: ServerResponse): boolean {
  const target = parseRequestTarget(req.url ?? '/', req.headers.host);
  const host = target.ok ? target.host : undefined;
  if (isLoopbackHost(host, req.socket.localPort ?? -1)) return false;
  const result = misdirected();
  res.writeHead(result.statusCode, result.headers as Record<string, string>);
  res.end(result.body);
  return true;
}

/**
 * A LocalRoute that refuses (421) any request to `paths` whose Host is not loopback, before the
 * route sees it. Requests to other paths go to the route untouched.
 */
export function loopbackOnly(route: LocalRoute, paths: RegExp = LOCAL_ONLY_PATH): LocalRoute {
  return async (req, body, res) => {
    const path = (req.url ?? '/').replace(/^https?:\/\/[^/?#]*/i, '').split('?')[0] ?? '/';
    if (paths.test(path) && refuseUnlessLoopback(req, res)) return true;
    return route(req, body, res);
  };
}
