/**
 * `npm run load`: posts N valid orders at concurrency C against a running `npm start` and reports
 * accepted/s, end-to-end orders/s and the latency of `POST /orders`.
 *
 *   npm run load                                   # 1000 orders at C = 16 against http://127.0.0.1:3000
 *   npm run load -- --url http://127.0.0.1:3000 --orders 500 --concurrency 1
 *   npm run load -- --self                         # starts its own `npm start` (random ports, temp dir)
 *   npm run load -- --self --concurrency 1 --orders 300 --json
 *   npm run load -- --self --root ../main                     # measure another checkout the same way
 *   npm run load -- --self --concurrency 1 --orders 100 --pace-ms 500   # each POST on an idle instance
 *
 * An order is done end to end when both sample partners acknowledged their webhook and the
 * confirmation email was sent. That is observed without any personal value: the local console's
 * `GET /_local/orders/{id}/ledger.json` (loopback only) lists the order's disclosures by id,
 * recipient and field path. The observer polls the oldest unfinished orders first (orders finish
 * roughly in order), one request at a time and each order at most every 20 ms, so its own load stays small; an order's done time is
 * when it was first seen done (an upper bound, a few ms late at most while the run keeps up).
 *
 * The bodies are synthetic (`load+<run>-<n>@example.com`, no real person) and every request has
 * its own Idempotency-Key. Base URL: `--url`, else `LOAD_URL`, else http://127.0.0.1:3000.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    orders: { type: 'string', short: 'n', default: '1000' },
    concurrency: { type: 'string', short: 'c', default: '16' },
    warmup: { type: 'string', default: '20' },
    self: { type: 'boolean', default: false },
    /** With --self: the checkout to start (default this one), e.g. another worktree to compare. */
    root: { type: 'string' },
    'timeout-seconds': { type: 'string', default: '120' },
    'opt-in': { type: 'boolean', default: false },
    /** Each client waits this long after each answer: with C = 1 and ~500 ms, every POST meets an
     * instance that has finished the previous order's background work (the latency without it). */
    'pace-ms': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});

const positiveInt = (name: string, text: string, allowZero = false): number => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new Error(`--${name} must be a whole number`);
  return n;
};
const N = positiveInt('orders', values.orders);
const C = positiveInt('concurrency', values.concurrency);
const WARMUP = positiveInt('warmup', values.warmup, true);
const TIMEOUT_MS = positiveInt('timeout-seconds', values['timeout-seconds']) * 1000;
const PACE_MS = positiveInt('pace-ms', values['pace-ms'], true);
const RUN = randomUUID().slice(0, 8);
const PARTNERS = ['warehouse', 'carrier'];
const CONFIRMATION = 'email “order-confirmation”';

function orderBody(n: number): string {
  return JSON.stringify({
    customer: { givenName: 'Load', familyName: `Test ${n}`, email: `load+${RUN}-${n}@example.com` },
    shippingAddress: { line1: `${n} Bench Street`, city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    items: [{ sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 }],
    currency: 'EUR',
    marketingOptIn: values['opt-in'],
    paymentReference: `pi_load_${RUN}_${n}`,
  });
}

async function postOrder(base: string, n: number): Promise<{ ms: number; orderId: string }> {
  const started = performance.now();
  const response = await fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `load-${RUN}-${n}` },
    body: orderBody(n),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 202)
    throw new Error(`POST /orders answered ${response.status}: ${text.slice(0, 200)}`);
  return { ms, orderId: (JSON.parse(text) as { orderId: string }).orderId };
}

interface Ledger {
  readonly deliveries: ReadonlyArray<{ partner: string; state: string }>;
  readonly timeline: ReadonlyArray<{ who: string; what: string; lane: string }>;
}

function isDone(ledger: Ledger): boolean {
  const acknowledged = (partner: string) =>
    ledger.timeline.some((t) => t.who === partner && t.what.startsWith('acknowledged'));
  return (
    PARTNERS.every(acknowledged) && ledger.timeline.some((t) => t.lane === 'email' && t.what === CONFIRMATION)
  );
}

async function isOrderDone(base: string, orderId: string): Promise<boolean> {
  const response = await fetch(`${base}/_local/orders/${orderId}/ledger.json`);
  if (response.status === 404) {
    await response.arrayBuffer();
    return false;
  }
  if (!response.ok) throw new Error(`GET /_local/orders/{id}/ledger.json answered ${response.status}`);
  return isDone((await response.json()) as Ledger);
}

/** Watches orders until each is done end to end; oldest first, one request at a time. */
function observer(base: string, width = 1) {
  const pending: Array<{ orderId: string; polledAt: number }> = [];
  const doneAt = new Map<string, number>();
  let closed = false;
  let failure: unknown;
  const worker = async () => {
    while (!closed || pending.length > 0) {
      const now = performance.now();
      const next = pending.find((p) => now - p.polledAt >= 20);
      if (!next) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      next.polledAt = Number.POSITIVE_INFINITY; // taken
      try {
        const done = await isOrderDone(base, next.orderId);
        if (done) {
          doneAt.set(next.orderId, performance.now());
          pending.splice(pending.indexOf(next), 1);
        } else next.polledAt = performance.now();
      } catch (error) {
        failure = error;
        closed = true;
        pending.length = 0;
      }
    }
  };
  const workers = Array.from({ length: width }, worker);
  return {
    add: (orderId: string) => pending.push({ orderId, polledAt: 0 }),
    doneAt,
    async finish(deadline: number): Promise<void> {
      closed = true;
      const timer = setTimeout(() => {
        const stuck = pending.slice(0, 3).map((p) => p.orderId);
        failure ??= new Error(
          `${pending.length} orders not done end to end before the timeout (e.g. ${stuck.join(', ')})`,
        );
        pending.length = 0;
      }, deadline);
      await Promise.all(workers);
      clearTimeout(timer);
      if (failure) throw failure;
    },
  };
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;

export interface LoadResult {
  readonly orders: number;
  readonly concurrency: number;
  /** Each client's wait after each answer (--pace-ms; 0: back to back). */
  readonly paceMs: number;
  readonly acceptedPerSecond: number;
  readonly endToEndPerSecond: number;
  readonly postP50Ms: number;
  readonly postP99Ms: number;
  readonly postMaxMs: number;
  readonly endToEndP50Ms: number;
  readonly endToEndP99Ms: number;
  readonly cpus: number;
  /** With --self: CPU the instance used per order while the run lasted (every thread). */
  readonly serverCpuMsPerOrder?: number;
  /** The machine's 1-minute load average at the end (other work skews every figure). */
  readonly loadAverage: number;
}

/** CPU seconds (user + system, every thread) a process has used so far; Linux only. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ)
  } catch {
    return undefined;
  }
}

async function run(base: string, pid?: number): Promise<LoadResult> {
  // Warm-up: handlers load lazily, data keys are created on first use; not measured, and
  // finished end to end before the measured run starts.
  const warm = observer(base);
  for (let i = 0; i < WARMUP; i++) warm.add((await postOrder(base, N + i)).orderId);
  await warm.finish(TIMEOUT_MS);
  const watch = observer(base);
  const cpuBefore = cpuSeconds(pid);
  const latencies: number[] = [];
  const submittedAt = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  const client = async () => {
    while (next < N) {
      const n = next++;
      const { ms, orderId } = await postOrder(base, n);
      latencies.push(ms);
      submittedAt.set(orderId, performance.now() - ms);
      watch.add(orderId);
      if (PACE_MS > 0) await new Promise((resolve) => setTimeout(resolve, PACE_MS));
    }
  };
  await Promise.all(Array.from({ length: C }, client));
  const acceptedMs = performance.now() - started;
  await watch.finish(TIMEOUT_MS);
  const cpuAfter = cpuSeconds(pid);
  const lastDone = Math.max(...watch.doneAt.values());
  const e2e = [...watch.doneAt].map(([id, at]) => at - (submittedAt.get(id) ?? at)).sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    orders: N,
    concurrency: C,
    paceMs: PACE_MS,
    acceptedPerSecond: round(N / (acceptedMs / 1000)),
    endToEndPerSecond: round(N / ((lastDone - started) / 1000)),
    postP50Ms: round(percentile(latencies, 50)),
    postP99Ms: round(percentile(latencies, 99)),
    postMaxMs: round(latencies[latencies.length - 1] ?? Number.NaN),
    endToEndP50Ms: round(percentile(e2e, 50)),
    endToEndP99Ms: round(percentile(e2e, 99)),
    cpus: cpus().length,
    ...(cpuBefore !== undefined && cpuAfter !== undefined
      ? { serverCpuMsPerOrder: round(((cpuAfter - cpuBefore) * 1000) / N) }
      : {}),
    loadAverage: round(loadavg()[0] ?? 0),
  };
}

/** `--self`: `npm start` in a child process on random ports and a temporary data directory. */
async function startOwnInstance(): Promise<{ url: string; pid: number | undefined; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'minimis-load-'));
  const root = values.root ?? fileURLToPath(new URL('..', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', DYNAMODB_PORT: '0', SES_PORT: '0', MINIMIS_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (out.length > 100_000) return; // the banner is early; later lines are only drained
      out += chunk.toString();
      const match = /API\s+(http:\/\/localhost:\d+)/.exec(out);
      if (match?.[1]) resolve(match[1].replace('localhost', '127.0.0.1'));
    });
    child.once('exit', (code) =>
      reject(new Error(`npm start exited (${code}): ${err.trim().slice(0, 500)}`)),
    );
  });
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => {
          rmSync(dataDir, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

const own = values.self ? await startOwnInstance() : undefined;
const base = (own?.url ?? values.url ?? process.env.LOAD_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
try {
  const result = await run(base, own?.pid);
  if (values.json) console.log(JSON.stringify(result));
  else
    console.log(
      [
        `minimis load: ${result.orders} orders at concurrency ${result.concurrency}${PACE_MS > 0 ? `, ${PACE_MS} ms between a client's orders` : ''} against ${base}${own ? ' (own instance)' : ''}, ${result.cpus} CPUs`,
        `  accepted          ${result.acceptedPerSecond} orders/s`,
        `  end to end        ${result.endToEndPerSecond} orders/s (both partners acknowledged, confirmation sent)`,
        `  POST /orders      p50 ${result.postP50Ms} ms, p99 ${result.postP99Ms} ms, max ${result.postMaxMs} ms`,
        `  order to done     p50 ${result.endToEndP50Ms} ms, p99 ${result.endToEndP99Ms} ms`,
        ...(result.serverCpuMsPerOrder === undefined
          ? []
          : [`  server CPU        ${result.serverCpuMsPerOrder} ms per order (all threads)`]),
        `  load average      ${result.loadAverage} (other processes on this machine skew the rates)`,
        `  goals             ≥ 100 orders/s end to end at C = 16 on 2 cores; C = 1: p50 ≤ 15 ms, p99 ≤ 50 ms`,
      ].join('\n'),
    );
} finally {
  await own?.stop();
}
