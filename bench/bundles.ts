/**
 * Bundle size and cold import time of every function (`FUNCTIONS` in shared/contracts.ts), each
 * beside a bare handler that builds the same AWS SDK clients and does nothing else, bundled in the
 * same run with the same options as MinimisFunction (infra/bundling.ts).
 *
 *   npm run bench -- bundles            # this table only
 *   npx tsx bench/bundles.ts --runs 9   # the same; --json for machine-readable
 *
 * KB (1024 bytes) is the bundled `index.mjs` (the source map beside it is not loaded at cold start). Cold
 * import: a fresh `node` imports the bundle (its module scope runs: config parsed, clients built),
 * timed inside that process around `import()`, the median of `runs` processes.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { variablesOf } from '#shared/config.js';
import { type AwsClient, FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '#shared/contracts.js';
import { bareHandlerSource, esbuildOptions } from '../infra/bundling.js';
import { PLAUSIBLE_ENV } from '../test/support/aws-env.js';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Issue 9's figures before per-function composition. */
export const BEFORE_BUNDLES = { minKb: 946, maxKb: 991, bareAllClientsKb: 745 } as const;

/**
 * KB per function at 2117f20 (shared/wiring.ts built every adapter for every handler), measured
 * with these options and this lock file; a function that did not exist then shows none.
 */
export const KB_AT_2117F20: Readonly<Record<string, number>> = {
  'submit-order': 1033.5,
  'get-order': 1025.1,
  openapi: 1011.9,
  health: 1001.3,
  fallback: 1.7,
  'partner-events': 1027.9,
  'unsubscribe-page': 1027.3,
  unsubscribe: 1029.7,
  'consent-confirm-page': 1027.5,
  'consent-confirm': 1028.0,
  'notify-customer': 1038.2,
  'ses-feedback': 1028.0,
  'sweep-outbox': 1023.2,
  purge: 1023.1,
  'deliver-to-partner': 1037.2,
};
/**
 * KB per function at baea550 (before per-use stores for the last four, the queue messages' typed
 * checks and webhook signing on node:crypto), measured in the same sitting as the README's "KB now".
 */
export const KB_AT_BAEA550: Readonly<Record<string, number>> = {
  'submit-order': 476.1,
  'get-order': 375.9,
  openapi: 28.3,
  health: 0.3,
  fallback: 3.1,
  'partner-events': 483.3,
  'unsubscribe-page': 403.5,
  unsubscribe: 410.7,
  'consent-confirm-page': 403.6,
  'consent-confirm': 405.7,
  'notify-customer': 535.2,
  'ses-feedback': 408.8,
  'sweep-outbox': 398.9,
  'fan-out': 404.5,
  purge: 378.0,
  'deliver-to-partner': 542.8,
};
/**
 * KB per function at 6b5f25a (before our own logger and the typed checks of the order body, partner
 * events and keyrings), measured in the same sitting as the README's "KB now".
 */
export const KB_AT_6B5F25A: Readonly<Record<string, number>> = {
  'submit-order': 462.7,
  'get-order': 376.3,
  openapi: 28.3,
  health: 0.3,
  fallback: 3.1,
  'partner-events': 468.8,
  'unsubscribe-page': 403.8,
  unsubscribe: 411.1,
  'consent-confirm-page': 404.0,
  'consent-confirm': 406.1,
  'notify-customer': 500.2,
  'ses-feedback': 409.2,
  'sweep-outbox': 399.3,
  'fan-out': 404.9,
  purge: 379.1,
  'deliver-to-partner': 532.7,
};
/** Issue 9's goals. */
export const BUNDLE_GOALS = { ratio: 1.15, clientLessKb: 50 } as const;

/** What Lambda sets for every function (the construct's environment plus the runtime's own). */
function lambdaEnv(fn: string): NodeJS.ProcessEnv {
  const own = Object.fromEntries(
    variablesOf(fn as FunctionName)
      .filter((name) => name !== 'MINIMIS_MODE' && PLAUSIBLE_ENV[name] !== undefined)
      .map((name) => [name, PLAUSIBLE_ENV[name] as string]),
  );
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: `minimis-prod-${fn}`,
    POWERTOOLS_SERVICE_NAME: `minimis-${fn}`,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...own,
  };
}

export interface BundleFigures {
  readonly bytes: number;
  readonly importMs: number;
}

export interface BundleRow {
  readonly fn: string;
  readonly clients: readonly AwsClient[];
  readonly handler: BundleFigures;
  readonly bare: BundleFigures;
  /** handler bytes / bare bytes. */
  readonly ratio: number;
  /** Input bytes in the bundle by package (`shared/`, `functions/` for ours), largest first. */
  readonly top: ReadonlyArray<readonly [string, number]>;
  readonly goal: boolean;
}

export class BundleImportError extends Error {
  override readonly name = 'BundleImportError';
}

/** A package name, or our own top-level folder, for a metafile input path. */
export function ownerOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.split('/')[0] ?? input;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? input);
}

/** Output bytes by owner (package or our folder) of the bundle's single output. */
export function bytesByOwner(metafile: Metafile): Array<[string, number]> {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  const totals = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const owner = ownerOf(input);
    totals.set(owner, (totals.get(owner) ?? 0) + bytesInOutput);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

async function bundle(
  dir: string,
  entry: string | { source: string },
): Promise<{ file: string; bytes: number; metafile: Metafile }> {
  await mkdir(dir, { recursive: true });
  const base = esbuildOptions(typeof entry === 'string' ? entry : 'bare.mjs', PROJECT_ROOT);
  const { entryPoints: _, ...rest } = base;
  const result = await build({
    ...rest,
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : {
          stdin: { contents: entry.source, resolveDir: PROJECT_ROOT, sourcefile: 'bare.mjs', loader: 'js' },
        }),
    outfile: join(dir, 'index.mjs'),
    metafile: true,
    logLevel: 'silent',
  });
  const out = Object.entries(result.metafile.outputs).find(([path]) => path.endsWith('index.mjs'));
  return { file: join(dir, 'index.mjs'), bytes: out?.[1].bytes ?? 0, metafile: result.metafile };
}

/** One fresh `node`: milliseconds to import `file` (module scope included). */
function importOnce(file: string, env: NodeJS.ProcessEnv): Promise<number> {
  const script = [
    `const started = performance.now();`,
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    `process.stdout.write(String(performance.now() - started));`,
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(out);
      if (code === 0 && Number.isFinite(ms)) resolve(ms);
      else
        reject(new BundleImportError(`importing ${file} failed (exit ${code}): ${err.trim().slice(0, 500)}`));
    });
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * Median cold import of two bundles, their processes alternating (a, b, a, b…) so that load from
 * elsewhere on the machine falls on both alike.
 */
async function pairedImportMs(
  a: string,
  b: string,
  env: NodeJS.ProcessEnv,
  runs: number,
): Promise<[number, number]> {
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    times[0].push(await importOnce(a, env));
    times[1].push(await importOnce(b, env));
  }
  return [median(times[0]), median(times[1])];
}

/** Bundle every function and its bare handler, then time their cold imports (one at a time). */
export async function measureBundles(options: {
  runs: number;
  only?: readonly string[];
}): Promise<BundleRow[]> {
  const names = FUNCTION_NAMES.filter((fn) => options.only === undefined || options.only.includes(fn));
  const root = await mkdtemp(join(tmpdir(), 'minimis-bundles-'));
  try {
    const bares = new Map<string, ReturnType<typeof bundle>>();
    const built = await Promise.all(
      names.map(async (fn) => {
        const clients: readonly AwsClient[] = FUNCTIONS[fn].clients;
        const key = clients.join('+') || 'none';
        if (!bares.has(key))
          bares.set(key, bundle(join(root, `bare-${key}`), { source: bareHandlerSource(clients) }));
        const [own, bare] = await Promise.all([
          bundle(join(root, fn), join(PROJECT_ROOT, 'functions', `${fn}.ts`)),
          bares.get(key) as ReturnType<typeof bundle>,
        ]);
        return { fn, clients, own, bare };
      }),
    );
    const rows: BundleRow[] = [];
    for (const { fn, clients, own, bare } of built) {
      const [handlerMs, ms] = await pairedImportMs(own.file, bare.file, lambdaEnv(fn), options.runs);
      const ratio = own.bytes / bare.bytes;
      const goal =
        clients.length === 0 ? own.bytes <= BUNDLE_GOALS.clientLessKb * 1024 : ratio <= BUNDLE_GOALS.ratio;
      rows.push({
        fn,
        clients,
        handler: { bytes: own.bytes, importMs: handlerMs },
        bare: { bytes: bare.bytes, importMs: ms },
        ratio,
        top: bytesByOwner(own.metafile).slice(0, 4),
        goal,
      });
    }
    return rows;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);

export function bundlesTable(rows: readonly BundleRow[]): string {
  const header = [
    'function',
    'clients',
    'KB at 2117f20',
    'KB at baea550',
    'KB at 6b5f25a',
    'KB',
    'bare KB',
    'ratio',
    'import ms',
    'bare ms',
    'goal',
    'largest parts (KB)',
  ];
  const cells = rows.map((r) => [
    r.fn,
    r.clients.join(',') || '-',
    KB_AT_2117F20[r.fn]?.toFixed(1) ?? '-',
    KB_AT_BAEA550[r.fn]?.toFixed(1) ?? '-',
    KB_AT_6B5F25A[r.fn]?.toFixed(1) ?? '-',
    kb(r.handler.bytes),
    kb(r.bare.bytes),
    `${r.ratio.toFixed(2)}×`,
    r.handler.importMs.toFixed(1),
    r.bare.importMs.toFixed(1),
    r.goal ? 'yes' : 'NO',
    r.top.map(([owner, bytes]) => `${owner} ${kb(bytes)}`).join(', '),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) => (c >= 2 && c <= 10 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

export function bundlesSummary(rows: readonly BundleRow[]): string {
  const sizes = rows.map((r) => r.handler.bytes);
  return (
    `Bundles: ${kb(Math.min(...sizes))}–${kb(Math.max(...sizes))} KB (before: ${BEFORE_BUNDLES.minKb}–${BEFORE_BUNDLES.maxKb} KB ` +
    `every function; bare handler with all five clients ${BEFORE_BUNDLES.bareAllClientsKb} KB). Goals: ≤ ${BUNDLE_GOALS.ratio}× ` +
    `the bare handler with the same clients; client-less functions ≤ ${BUNDLE_GOALS.clientLessKb} KB. ` +
    `${rows.filter((r) => r.goal).length}/${rows.length} meet theirs.`
  );
}

/** `npm run bench -- bundles [--runs N] [--only a,b] [--json]`, or this file run alone. */
export async function bundlesMain(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      runs: { type: 'string', default: '7' },
      only: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
  const rows = await measureBundles({ runs, only: values.only?.split(',').map((s) => s.trim()) });
  if (values.json) {
    console.log(JSON.stringify({ node: process.version, runs, rows }, null, 2));
    return;
  }
  console.log(bundlesTable(rows));
  console.log(bundlesSummary(rows));
  console.log(coldImportNote(runs));
}

export const coldImportNote = (runs: number) =>
  `Cold import: median of ${runs} fresh node ${process.version} processes, import() of the bundle alone ` +
  '(module scope: config parsed, clients built; node start-up not included).';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundlesMain(process.argv.slice(2));
}
