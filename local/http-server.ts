/**
 * Serves the Lambda handlers over plain HTTP, turning each request into the API Gateway HTTP API
 * (payload v2) event those handlers get in AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { inApiLane } from '#shared/adapters/local/request-lanes.js';
import {
  type HttpResult,
  internalError,
  methodNotAllowed,
  notFound,
  PROBLEM_BASE,
  problem,
} from '#shared/http/problem.js';
import { MAX_BODY_BYTES } from '#shared/http/request.js';
import { matchRoute } from '#shared/http/routes.js';
import { createLogger } from '#shared/observability/logger.js';
import { LOCAL_ONLY_PATH, refuseUnlessLoopback } from './loopback-host.js';
import { parseRequestTarget } from './request-target.js';
import { HANDLERS } from './routes.js';

/** Extra, local-only endpoints (sample partners, the email viewer link) mounted beside the API. */
export type LocalRoute = (req: IncomingMessage, body: Buffer, res: ServerResponse) => Promise<boolean>;

const READ_LIMIT = MAX_BODY_BYTES + 1;

async function readBody(req: IncomingMessage): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size <= READ_LIMIT * 2) chunks.push(buf);
  }
  return { body: Buffer.concat(chunks), truncated: size > READ_LIMIT * 2 };
}

export function toEvent(
  req: IncomingMessage,
  url: URL,
  body: Buffer,
  params: Record<string, string>,
  routeKey: string,
) {
  // As API Gateway (payload 2.0) passes them: a repeated header's values joined by commas, every
  // header alike (`req.headers` drops a second Content-Type and joins others with ", ").
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headersDistinct)) if (v !== undefined) headers[k] = v.join(',');
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: true,
    ...(body.length ? { body: body.toString('base64') } : {}),
  };
  return event;
}

let logger: ReturnType<typeof createLogger> | undefined;

/** A request the client got wrong: logged as such (reason only, never the target or a header). */
function logClientError(statusCode: number, reason: string): void {
  logger ??= createLogger('minimis-local-http'); // on first use, as the handlers' loggers are
  logger.warn('client error', { statusCode, reason });
}

function rejectMalformed(req: IncomingMessage, res: ServerResponse, reason: 'request-target' | 'host'): void {
  logClientError(400, `malformed-${reason}`);
  req.resume(); // drain the body so the connection stays usable
  send(
    res,
    reason === 'host'
      ? problem(
          400,
          'malformed-host',
          'Malformed Host header',
          'Send a Host header with a host name and port',
        )
      : problem(
          400,
          'malformed-request-target',
          'Malformed request target',
          'The request target must be a path starting with a single "/"',
        ),
  );
}

/** Requests node's parser refuses (bad syntax, oversized headers): a problem+json answer, then close. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  logClientError(status, error.code ?? 'parse-error');
  const body = JSON.stringify({
    type: `${PROBLEM_BASE}/${status === 400 ? 'malformed-request' : status === 431 ? 'headers-too-large' : 'request-timeout'}`,
    title: reason,
    status,
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/problem+json\r\ncache-control: no-store\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function send(res: ServerResponse, result: HttpResult): void {
  res.writeHead(result.statusCode, (result.headers ?? {}) as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

/** The local API's server, and what it is still serving. */
export interface ApiServer {
  readonly server: Server;
  /** Resolves once every request received so far has been handled (answered or failed). */
  served(): Promise<void>;
}

export function createApiServer(
  extra: LocalRoute[] = [],
  onError: (error: unknown) => void = () => {},
): ApiServer {
  const serving = new Set<Promise<void>>();
  // A missing Host is ours to answer (400 problem+json), not node's bare 400.
  const server = createServer({ requireHostHeader: false }, (req, res) => {
    const handling = (async () => {
      try {
        const target = parseRequestTarget(req.url ?? '/', req.headers.host);
        if (!target.ok) return rejectMalformed(req, res, target.reason);
        if (LOCAL_ONLY_PATH.test(target.path) && refuseUnlessLoopback(req, res)) {
          return logClientError(421, 'host-not-loopback');
        }
        const url = new URL(`http://${target.host}${target.path}${target.query ? `?${target.query}` : ''}`);
        const { body, truncated } = await readBody(req);
        for (const route of extra) if (await route(req, body, res)) return;
        const match = matchRoute(req.method ?? 'GET', url.pathname);
        if (match.kind === 'not-found') return send(res, notFound());
        if (match.kind === 'method-not-allowed') return send(res, methodNotAllowed(match.allow));
        if (truncated)
          return send(
            res,
            problem(413, 'payload-too-large', 'Payload too large', 'The body must be at most 32 KiB'),
          );
        const load = HANDLERS[match.route.handler];
        if (!load) return send(res, notFound());
        const { handler } = await load();
        const routeKey = `${match.route.method} ${match.route.path}`;
        send(res, await inApiLane(() => handler(toEvent(req, url, body, match.params, routeKey))));
      } catch (error) {
        onError(error);
        if (!res.headersSent) send(res, internalError());
        else res.end();
      }
    })().finally(() => serving.delete(handling));
    serving.add(handling);
  });
  server.on('clientError', answerClientError);
  return {
    server,
    async served() {
      while (serving.size > 0) await Promise.all(serving);
    },
  };
}
