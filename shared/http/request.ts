/** Reading API Gateway HTTP API (payload v2) requests safely. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type HttpResult, problem } from './problem.js';

export const MAX_BODY_BYTES = 32 * 1024;

export function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {}))
    if (key.toLowerCase() === wanted) return value;
  return undefined;
}

export function rawBody(event: APIGatewayProxyEventV2): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** Parses a JSON body, answering 415 / 413 / 400 as the API contract says. */
export function readJson(
  event: APIGatewayProxyEventV2,
): { ok: true; value: unknown } | { ok: false; result: HttpResult } {
  const type = header(event, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type.trim())) {
    return {
      ok: false,
      result: problem(415, 'unsupported-media-type', 'Unsupported media type', 'Send application/json'),
    };
  }
  const body = rawBody(event);
  if (body.length > MAX_BODY_BYTES) {
    return {
      ok: false,
      result: problem(413, 'payload-too-large', 'Payload too large', 'The body must be at most 32 KiB'),
    };
  }
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return {
      ok: false,
      result: problem(400, 'malformed-json', 'Malformed JSON', 'The body is not valid JSON'),
    };
  }
}

/** The quality an Accept header gives `type`, and whether it names the type (not only a wildcard). */
function quality(accept: string, type: string): { q: number; named: boolean } {
  const [main] = type.split('/');
  let q = 0;
  let specificity = -1;
  for (const part of accept.split(',')) {
    const [rawRange = '', ...params] = part.split(';');
    const range = rawRange.trim().toLowerCase();
    const rank = range === type ? 2 : range === `${main}/*` ? 1 : range === '*/*' ? 0 : -1;
    if (rank < 0 || rank < specificity) continue;
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const value = qParam ? Number.parseFloat(qParam.slice(2)) : 1;
    q = rank > specificity ? value : Math.max(q, value);
    specificity = rank;
  }
  return { q: Number.isFinite(q) ? q : 0, named: specificity >= 1 };
}

/**
 * True when the client asks for HTML by name and ranks it at least as high as JSON (a browser
 * submitting our form);  mail providers' one-click POSTs (no Accept header, or only wildcards) get JSON.
 */
export function prefersHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  const html = quality(accept, 'text/html');
  return html.named && html.q > 0 && html.q >= quality(accept, 'application/json').q;
}
