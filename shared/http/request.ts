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
