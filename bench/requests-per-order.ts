/**
 * DynamoDB requests per order end to end in local mode, by path and command: `npm start`'s
 * composition in this process (temporary data directory, random ports, sample partners and their
 * progress events on), a counting listener on the embedded document client (`onRequest`), N orders posted and every
 * request they cause counted until the pipeline is quiet again (both deliveries, the
 * confirmation email, the sample carrier's dispatched/delivered events and their emails).
 *
 * A request's path is the first known module on its (async) call stack: the handler it runs in,
 * the local queue's consumer (receive, delete) or a timer. The idle consumers' heartbeats and the
 * outbox sweep during the run are counted too (a few per run, shown under their own path).
 *
 *   npx tsx bench/requests-per-order.ts [--orders 40] [--concurrency 4] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocal } from '../local/app.js';
import type { EmbeddedDocumentClient } from '../shared/adapters/local/embedded-dynamo-client.js';

/** Most specific first: the handler a request ran in, then the queue machinery, then timers. */
const PATHS: ReadonlyArray<readonly [string, RegExp]> = [
  ['submit', /functions\/submit-order\.ts/],
  ['deliver', /functions\/deliver-to-partner\.ts/],
  ['notify', /functions\/notify-customer\.ts/],
  ['partner event', /functions\/partner-events\.ts/],
  ['queue consumer', /local\/queue-consumer\.ts/],
  ['outbox sweep', /local\/timers\.ts|usecases\/fan-out\.ts/],
  ['console', /local\/console\.ts/],
];

export interface RequestCount {
  readonly path: string;
  readonly command: string;
  readonly perOrder: number;
}

export interface RequestsPerOrder {
  readonly orders: number;
  readonly total: number;
  /** CPU of this whole process (every thread, dynalite's included) per order over the counted window. */
  readonly cpuMsPerOrder: number;
  readonly rows: readonly RequestCount[];
}

/** `--detail`: what a request touched (table, key prefixes), never a value. */
const detail = process.argv.includes('--detail');
function itemKind(input: Record<string, unknown>): string {
  const item = (input.Key ?? input.Item ?? {}) as Record<string, unknown>;
  const key = Object.fromEntries(['pk', 'sk', 'k'].filter((k) => k in item).map((k) => [k, item[k]]));
  const prefix = (v: unknown) => (typeof v === 'string' ? v.split('#')[0] : typeof v);
  const table = String(input.TableName ?? '').replace(/^.*?(-local-queue|-keys)?$/, '$1') || 'orders';
  return `${table} ${Object.entries(key)
    .map(([k, v]) => `${k}=${prefix(v)}`)
    .join(
      ',',
    )}${input.IndexName ? ` ${String(input.IndexName)}` : ''}${input.UpdateExpression ? ` [${String(input.UpdateExpression).slice(0, 60)}]` : ''}`;
}

function pathOf(stack: string): string {
  const queue = /adapters\/local\/local-queue\.ts/.test(stack);
  for (const [name, pattern] of PATHS)
    if (pattern.test(stack)) return queue && name !== 'queue consumer' ? `${name} (queue)` : name;
  return queue ? 'queue (other)' : 'other';
}

/**
 * `paths: false` counts by command only: no stack is captured (formatting one, source-mapped under
 * tsx, costs more CPU than the request it names), so the CPU figure is the pipeline's own.
 */
export async function requestsPerOrder(
  orders = 40,
  concurrency = 4,
  paths = true,
): Promise<RequestsPerOrder> {
  const dataDir = mkdtempSync(join(tmpdir(), 'minimis-requests-'));
  const previousLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 60;
  const app = await startLocal({
    env: {
      ...process.env,
      PORT: '0',
      DYNAMODB_PORT: '0',
      SES_PORT: '0',
      MINIMIS_DATA_DIR: dataDir,
    },
    onError: (error) => console.error('[bench] background error:', (error as Error)?.name),
  });
  const counts = new Map<string, number>();
  let cpuMs = 0;
  let counting = false;
  let lastRequestAt = Date.now();
  // A read that local mode batches (shared/adapters/local/coalescing-gets.ts) is sent from a
  // microtask, off its caller's stack: it is counted under the path of the reads it batched.
  const db = app.wiring.db;
  const send = db.send;
  let queuedPath = 'other';
  db.send = ((command: unknown, options?: unknown) => {
    if (paths) queuedPath = pathOf(new Error().stack ?? '');
    return (send as (c: unknown, o?: unknown) => Promise<unknown>).call(db, command, options);
  }) as typeof db.send;
  (app.wiring.db as EmbeddedDocumentClient).onRequest((commandName, input) => {
    if (!counting) return;
    const stackPath = paths ? pathOf(new Error().stack ?? '') : 'all';
    const key = `${stackPath === 'other' ? queuedPath : stackPath}\u0000${commandName}${detail ? ` ${itemKind(input)}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    lastRequestAt = Date.now();
  });
  const post = async (n: number) => {
    const response = await fetch(`${app.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `req-${n}` },
      body: JSON.stringify({
        customer: { givenName: 'Bench', familyName: `Requests ${n}`, email: `req+${n}@example.com` },
        shippingAddress: {
          line1: `${n} Bench Street`,
          city: 'London',
          postalCode: 'SW1Y 4JH',
          country: 'GB',
        },
        items: [{ sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 }],
        currency: 'EUR',
        marketingOptIn: false,
        paymentReference: `pi_req_${n}`,
      }),
    });
    await response.arrayBuffer();
    if (response.status !== 202) throw new Error(`POST /orders answered ${response.status}`);
  };
  const quiet = async (ms: number) => {
    while (Date.now() - lastRequestAt < ms) await new Promise((r) => setTimeout(r, 100));
  };
  try {
    // Warm-up (data keys, lazy handler imports): not counted.
    for (let i = 0; i < 3; i++) await post(1_000_000 + i);
    await new Promise((r) => setTimeout(r, 7_500));
    await quiet(1_500);
    counting = true;
    const cpuBefore = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < orders) await post(next++);
      }),
    );
    // The sample carrier reports twice, ~3 s apart, ~3 s after its webhook.
    await new Promise((r) => setTimeout(r, 7_500));
    await quiet(2_000);
    counting = false;
    const cpu = process.cpuUsage(cpuBefore);
    cpuMs = (cpu.user + cpu.system) / 1000;
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
    Error.stackTraceLimit = previousLimit;
  }
  const rows = [...counts]
    .map(([key, n]) => {
      const [path = '', command = ''] = key.split('\u0000');
      return { path, command, perOrder: n / orders };
    })
    .sort((a, b) => a.path.localeCompare(b.path) || b.perOrder - a.perOrder);
  return {
    orders,
    total: rows.reduce((s, r) => s + r.perOrder, 0),
    cpuMsPerOrder: Math.round((cpuMs / orders) * 10) / 10,
    rows,
  };
}

export function requestsPerOrderTable(result: RequestsPerOrder): string {
  const byPath = new Map<string, number>();
  for (const r of result.rows) byPath.set(r.path, (byPath.get(r.path) ?? 0) + r.perOrder);
  const lines = ['| path | command | requests/order |', '|---|---|---:|'];
  for (const r of result.rows) lines.push(`| ${r.path} | ${r.command} | ${r.perOrder.toFixed(2)} |`);
  lines.push('', '| path | requests/order |', '|---|---:|');
  for (const [path, n] of byPath) lines.push(`| ${path} | ${n.toFixed(2)} |`);
  lines.push(`| **total** | **${result.total.toFixed(2)}** |`);
  lines.push('', `CPU (whole process, every thread): ${result.cpuMsPerOrder} ms per order`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('requests-per-order.ts')) {
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '40' },
      concurrency: { type: 'string', default: '4' },
      json: { type: 'boolean', default: false },
      detail: { type: 'boolean', default: false },
      /** Count by command only, for the CPU figure (see requestsPerOrder). */
      'no-paths': { type: 'boolean', default: false },
    },
  });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const result = await requestsPerOrder(
    Number(values.orders),
    Number(values.concurrency),
    !values['no-paths'],
  );
  console.log(values.json ? JSON.stringify(result) : requestsPerOrderTable(result));
  process.exit(0);
}
