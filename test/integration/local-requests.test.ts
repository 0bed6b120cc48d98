/**
 * The local runner against requests a browser would never send but anyone can: malformed request
 * targets and Host headers are 400 problem+json (logged as client errors, not background errors),
 * and local-only pages (email viewer, sample partners, `/_local/`) answer only a loopback Host
 * with their own port (421 otherwise, the DNS-rebinding defence). Raw sockets, since fetch
 * normalises targets and refuses such headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { type RawResponse, rawRequest } from '../support/raw-http.js';
import { drainNotify, placeOrder } from './email-support.js';

const PROBLEMS = 'https://minimis.dev/problems';
const logged: string[] = [];
const originalOut = process.stdout.write.bind(process.stdout);
const originalErr = process.stderr.write.bind(process.stderr);
let app: TestApp;
let apiPort: number;
let sesPort: number;
let subject: string;

beforeAll(async () => {
  // Warnings go to stderr; both are captured (and not echoed: they are expected here).
  const capture = (chunk: string | Uint8Array): boolean => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  app = await startTestApp({}, { timers: false });
  apiPort = Number(new URL(app.apiUrl).port);
  sesPort = Number(new URL(app.sesUrl).port);
  // One message in the viewer, so a leak would show.
  const orderId = await placeOrder(app, canaries('loopback'));
  await drainNotify(app);
  subject = `Your order ${orderId} is confirmed`;
});
afterAll(async () => {
  process.stdout.write = originalOut;
  process.stderr.write = originalErr;
  await app?.stop();
});

function problemOf(response: RawResponse): { type: string; status: number } {
  expect(response.headers['content-type']).toBe('application/problem+json');
  return JSON.parse(response.body) as { type: string; status: number };
}

describe('malformed requests to the local API are 400, never 500', () => {
  it.each([
    ['//', 'malformed-request-target'],
    ['/\\', 'malformed-request-target'],
    ['//evil.example/orders', 'malformed-request-target'],
    ['/\\evil.example/orders', 'malformed-request-target'],
    ['/orders#fragment', 'malformed-request-target'],
    ['/orders/%zz', 'malformed-request-target'],
    ['http:///health', 'malformed-request-target'],
    ['http://user@localhost/health', 'malformed-request-target'],
    ['*', 'malformed-request-target'],
  ])('GET %s → 400 %s', async (target, type) => {
    // Act
    const response = await rawRequest(apiPort, `GET ${target} HTTP/1.1\r\nHost: localhost:${apiPort}`);
    // Assess
    expect(response.status).toBe(400);
    expect(problemOf(response)).toMatchObject({ type: `${PROBLEMS}/${type}`, status: 400 });
    expect(response.body).not.toContain('evil.example');
  });

  it.each([['a b'], ['[::1'], [''], ['localhost:99999'], ['localhost:port'], ['1.2.3.999'], ['a/b']])(
    'Host %j → 400 malformed-host',
    async (host) => {
      // Act
      const response = await rawRequest(apiPort, `GET /health HTTP/1.1\r\nHost: ${host}`);
      // Assess
      expect(response.status).toBe(400);
      expect(problemOf(response)).toMatchObject({ type: `${PROBLEMS}/malformed-host`, status: 400 });
    },
  );

  it('a POST to //evil.example/orders creates no order (it is not /orders on another host)', async () => {
    // Prepare
    const body = JSON.stringify(orderBody(canaries('netpath1')));
    // Act
    const response = await rawRequest(
      apiPort,
      `POST //evil.example/orders HTTP/1.1\r\nHost: localhost:${apiPort}\r\nContent-Type: application/json\r\nIdempotency-Key: netpath-1`,
      body,
    );
    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.location).toBeUndefined();
    expect(response.body).not.toContain('ord_');
  });

  it('a doubled header reaches the handler as API Gateway passes it: every value, joined by commas', async () => {
    // Prepare: two Content-Types (Node alone would keep the first and drop the second)
    const body = JSON.stringify(orderBody(canaries('doubled1')));
    // Act
    const response = await rawRequest(
      apiPort,
      `POST /orders HTTP/1.1\r\nHost: localhost:${apiPort}\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\nIdempotency-Key: doubled-1`,
      body,
    );
    // Assess: `application/json,text/plain` is not JSON, as in AWS
    expect(response.status).toBe(415);
    expect(response.body).not.toContain('ord_');
  });

  it('requests the parser refuses are 400 problem+json too, and no request is missing a Host', async () => {
    // Act
    const spaces = await rawRequest(apiPort, `GET /a b c HTTP/1.1\r\nHost: localhost:${apiPort}`);
    const noHost11 = await rawRequest(apiPort, 'GET /health HTTP/1.1');
    const noHost10 = await rawRequest(apiPort, 'GET /health HTTP/1.0');
    const badHeader = await rawRequest(
      apiPort,
      `GET /health HTTP/1.1\r\nHost: localhost:${apiPort}\r\nBad Header: x`,
    );
    // Assess
    for (const response of [spaces, noHost11, noHost10, badHeader]) {
      expect(response.status).toBe(400);
      expect(problemOf(response).status).toBe(400);
    }
  });

  it('absolute-form targets are served, with their authority as the host', async () => {
    // Act
    const health = await rawRequest(
      apiPort,
      `GET http://localhost:${apiPort}/health HTTP/1.1\r\nHost: ignored.example`,
    );
    const query = await rawRequest(
      apiPort,
      `GET HTTP://127.0.0.1:${apiPort}/openapi.json?x=1 HTTP/1.1\r\nHost: localhost:${apiPort}`,
    );
    const netPath = await rawRequest(
      apiPort,
      `GET http://localhost:${apiPort}//health HTTP/1.1\r\nHost: localhost:${apiPort}`,
    );
    // Assess
    expect(health.status).toBe(200);
    expect(query.status).toBe(200);
    expect(netPath.status).toBe(400);
  });

  it('logs them as client errors with a reason only, and reports no background error', () => {
    // Act
    const text = logged.join('');
    const lines = text.split('\n').filter((line) => line.includes('"client error"'));
    // Assess
    expect(app.errors).toEqual([]);
    expect(lines.length).toBeGreaterThanOrEqual(20);
    for (const line of lines) {
      const entry = JSON.parse(line) as { level: string; statusCode: number; reason: string };
      expect(entry.level).toBe('WARN');
      expect(entry.statusCode).toBeGreaterThanOrEqual(400);
      expect(entry.statusCode).toBeLessThan(500);
    }
    expect(text).toContain('"reason":"malformed-request-target"');
    expect(text).toContain('"reason":"malformed-host"');
    expect(text).not.toContain('evil.example');
    expect(text).not.toContain('background error');
  });
});

describe('local-only pages answer only a loopback Host with their own port', () => {
  const refused = (port: () => number) =>
    [
      ['a rebinding name', () => `evil.example:${port()}`],
      ['a rebinding name without port', () => 'evil.example'],
      ['the right name on another port', () => `localhost:${port() === 1 ? 2 : port() - 1}`],
      ['127.0.0.1 on another port', () => `127.0.0.1:${port() + 1}`],
      ['a name that ends like localhost', () => `evil.localhost.example:${port()}`],
      ['a loopback address other than 127.0.0.1', () => `127.0.0.2:${port()}`],
      ['localhost without its port', () => 'localhost'],
    ] as const;

  it.each(refused(() => sesPort))('email viewer, %s → 421 with nothing of the mail', async (_, host) => {
    // Act
    const answers = await Promise.all(
      ['/messages', '/', '/store'].map((path) =>
        rawRequest(sesPort, `GET ${path} HTTP/1.1\r\nHost: ${host()}`),
      ),
    );
    // Assess
    for (const response of answers) {
      expect(response.status).toBe(421);
      expect(problemOf(response)).toMatchObject({ type: `${PROBLEMS}/misdirected-request`, status: 421 });
      expect(response.body).not.toContain(subject);
    }
  });

  it('email viewer without any Host (HTTP/1.0) → 421', async () => {
    // Act
    const response = await rawRequest(sesPort, 'GET /messages HTTP/1.0');
    // Assess
    expect(response.status).toBe(421);
    expect(response.body).not.toContain(subject);
  });

  it('email viewer, via an absolute-form target naming another host → 421', async () => {
    // Act
    const response = await rawRequest(
      sesPort,
      `GET http://evil.example:${sesPort}/messages HTTP/1.1\r\nHost: 127.0.0.1:${sesPort}`,
    );
    // Assess
    expect(response.status).toBe(421);
  });

  it.each(['localhost', '127.0.0.1', '[::1]', 'LocalHost'])('email viewer at %s:PORT → 200', async (name) => {
    // Act
    const page = await rawRequest(sesPort, `GET /messages HTTP/1.1\r\nHost: ${name}:${sesPort}`);
    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain(subject);
  });

  it.each(refused(() => apiPort))('sample partners and /_local/, %s → 421', async (_, host) => {
    // Act
    const answers = await Promise.all(
      ['/_sample/carrier', '/_local/', '/_local/orders/x'].map((path) =>
        rawRequest(
          apiPort,
          `POST ${path} HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json`,
          '{}',
        ),
      ),
    );
    // Assess
    for (const response of answers) {
      expect(response.status).toBe(421);
      expect(problemOf(response).type).toBe(`${PROBLEMS}/misdirected-request`);
    }
  });

  it.each(['localhost', '127.0.0.1', '[::1]'])(
    'sample partner at %s:PORT is reached (its own 401 for no signature)',
    async (name) => {
      // Act
      const response = await rawRequest(
        apiPort,
        `POST /_sample/carrier HTTP/1.1\r\nHost: ${name}:${apiPort}\r\nContent-Type: application/json`,
        '{}',
      );
      // Assess
      expect(response.status).toBe(401);
    },
  );

  it('the API itself is not host-bound: /health answers any well-formed Host', async () => {
    // Act
    const response = await rawRequest(apiPort, `GET /health HTTP/1.1\r\nHost: api.shop.example`);
    // Assess
    expect(response.status).toBe(200);
  });
});
