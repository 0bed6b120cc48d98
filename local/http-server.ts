/**
 * Serves the Lambda handlers over plain HTTP, turning each request into the API Gateway HTTP API
 * (payload v2) event those handlers get in AWS.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type HttpResult, internalError, methodNotAllowed, notFound, problem } from '#shared/http/problem.js';
import { MAX_BODY_BYTES } from '#shared/http/request.js';
import { matchRoute } from '#shared/http/routes.js';
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
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
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

function send(res: ServerResponse, result: HttpResult): void {
  res.writeHead(result.statusCode, (result.headers ?? {}) as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

export function createApiServer(
  extra: LocalRoute[] = [],
  onError: (error: unknown) => void = () => {},
): Server {
  return createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
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
        send(res, await handler(toEvent(req, url, body, match.params, routeKey)));
      } catch (error) {
        onError(error);
        if (!res.headersSent) send(res, internalError());
        else res.end();
      }
    })();
  });
}
