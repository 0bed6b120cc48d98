/**
 * Reading an HTTP/1.1 request's target and `Host` strictly (RFC 9112 §3.2, RFC 9110 §7.2), so
 * that a malformed request is a 400 the client caused, never a 500 or a request to another path:
 *
 * - origin-form (`/orders?x=1`) only with a path that starts with exactly one `/` (no `//`, no
 *   `\`, which URL parsers read as a network-path reference, i.e. another host), visible ASCII,
 *   no fragment and only well-formed `%XX` escapes;
 * - absolute-form (`http://localhost:3000/orders`), which servers must accept: its authority then
 *   stands for the host (the `Host` header is ignored, as RFC 9112 §3.2.2 says) and its path
 *   follows the origin-form rules;
 * - `Host`: required (node already refuses HTTP/1.1 requests without one), a reg-name, IPv4 or
 *   bracketed IPv6 literal with an optional port: `a b`, `[::1`, `` (empty) are malformed.
 */

export type RequestTarget =
  | {
      readonly ok: true;
      /** The path, still percent-encoded, as routes match it. */
      readonly path: string;
      /** Without the `?`; empty when there is none. */
      readonly query: string;
      /** The host the request is for, lower-cased, with its port if one was given. */
      readonly host: string;
    }
  | { readonly ok: false; readonly reason: 'request-target' | 'host' };

const PATH = /^\/(?!\/)[\x21-\x7e]*$/;
const BAD_PATH_CHARS = /[\\#]|%(?![0-9A-Fa-f]{2})/;
const REG_NAME = /^[A-Za-z0-9\-._~!$&'()*+,;=]+$/;
const IPV6 = /^\[[0-9A-Fa-f:.]+\]$/;
const PORT = /^\d{1,5}$/;
const ABSOLUTE = /^https?:\/\/([^/?#]*)(.*)$/i;

/** A `host[:port]` authority as `Host` carries it, or undefined when it is malformed. */
export function parseHost(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let name = value;
  let port: string | undefined;
  const colon = value.lastIndexOf(':');
  if (colon >= 0 && !value.slice(colon).includes(']')) {
    name = value.slice(0, colon);
    port = value.slice(colon + 1);
    if (!PORT.test(port) || Number(port) > 65_535) return undefined;
  }
  if (name.startsWith('[')) {
    if (!IPV6.test(name)) return undefined;
  } else if (!REG_NAME.test(name)) return undefined;
  try {
    // What URL parsers refuse (an IPv4 literal out of range, an invalid IPv6 literal) is malformed too.
    return new URL(`http://${value}/`).host === '' ? undefined : value.toLowerCase();
  } catch {
    return undefined;
  }
}

function splitPath(raw: string): { path: string; query: string } | undefined {
  if (!PATH.test(raw) || BAD_PATH_CHARS.test(raw)) return undefined;
  const q = raw.indexOf('?');
  return q < 0 ? { path: raw, query: '' } : { path: raw.slice(0, q), query: raw.slice(q + 1) };
}

export function parseRequestTarget(target: string, hostHeader: string | undefined): RequestTarget {
  const absolute = ABSOLUTE.exec(target);
  if (absolute) {
    const [, authority = '', rest = ''] = absolute;
    // No userinfo: `http://user@host/` is not for a server to accept.
    const host = authority.includes('@') ? undefined : parseHost(authority);
    const parts = splitPath(rest.startsWith('/') ? rest : `/${rest}`);
    if (!host || !parts) return { ok: false, reason: 'request-target' };
    return { ok: true, ...parts, host };
  }
  const parts = splitPath(target);
  if (!parts) return { ok: false, reason: 'request-target' };
  const host = parseHost(hostHeader);
  if (!host) return { ok: false, reason: 'host' };
  return { ok: true, ...parts, host };
}
