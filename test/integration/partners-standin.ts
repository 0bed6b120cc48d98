/**
 * Test stand-ins for fulfilment partners: plain node:http servers on 127.0.0.1 random ports that
 * record every webhook and answer with a scripted status. Plus small helpers shared by the partner
 * integration tests (secrets, submitting orders, bounded waiting).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReceivedWebhook {
  readonly path: string;
  /** Lower-cased header names, as node gives them. */
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly json: Record<string, unknown>;
}

export type Responder = (request: ReceivedWebhook, nth: number) => number | Promise<number>;

export interface PartnerStandIn {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Requests for one order, in arrival order. */
  forOrder(orderId: string): ReceivedWebhook[];
  respondWith(responder: Responder): void;
  stop(): Promise<void>;
}

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startPartnerStandIn(initial: Responder = () => 204): Promise<PartnerStandIn> {
  const received: ReceivedWebhook[] = [];
  let responder = initial;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        // recorded as an empty object; the tests assert on the parsed payloads
      }
      const request = { path: req.url ?? '/', headers, body, json };
      received.push(request);
      const nth = received.filter((r) => r.json.orderId === json.orderId).length;
      const status = await responder(request, nth);
      if (!res.destroyed) res.writeHead(status).end();
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    forOrder: (orderId) => received.filter((r) => r.json.orderId === orderId),
    respondWith(next) {
      responder = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Standard Webhooks secret: `whsec_` + base64 of 24 random bytes. */
export function webhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** Polls `probe` until it returns something truthy; fails after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export interface OrderView {
  readonly orderId: string;
  readonly status: string;
  readonly trackingNumber: string | null;
  readonly deliveries: ReadonlyArray<{ readonly partner: string; readonly state: string }>;
}

export function deliveryState(view: OrderView, partner: string): string | undefined {
  return view.deliveries.find((d) => d.partner === partner)?.state;
}
