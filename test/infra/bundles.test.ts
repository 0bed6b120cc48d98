/**
 * Each function's bundle holds exactly the AWS SDK clients its contract names (shared/contracts.ts
 * `FUNCTIONS[fn].clients`): esbuild, with MinimisFunction's own options (infra/bundling.ts), over
 * `functions/<fn>.ts`, and the metafile's inputs read for `@aws-sdk/client-*` packages. And what
 * issue 9's size goals rest on, without timing anything: a function that builds no partner
 * payload carries no schema library (queue messages are read
 * with typed checks); the rest carry zod/mini (never classic zod) with zod's English messages; no
 * function but those that sign or verify webhooks carries the standardwebhooks package; client-less bundles
 * stay within 50 KB. And the functions composed from per-use stores (shared/compose/dynamo.ts)
 * bundle exactly the DynamoDB operations their use cases perform: each operation's label (`call('get order', …)` in shared/adapters/aws/) is a string that
 * survives bundling, so the labels in a bundle are the store functions it kept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AWS_CLIENTS,
  type AwsClient,
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionName,
} from '#shared/contracts.js';
import * as Keyring from '#shared/domain/partner-keyring.js';
import { CLIENT_PACKAGES, esbuildOptions, NATIVE_SUBSTITUTES } from '../../infra/bundling.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The npm package of a metafile input path, or undefined for our own files. */
function packageOf(input: string): string | undefined {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const [scope, name] = input.slice(at + 'node_modules/'.length).split('/');
  return scope?.startsWith('@') ? `${scope}/${name}` : scope;
}

const CLIENT_OF_PACKAGE = new Map<string, AwsClient>(
  AWS_CLIENTS.flatMap((client) => CLIENT_PACKAGES[client].map((pkg) => [pkg, client] as const)),
);

/** Every package reachable by imports from `entry` (whether or not tree-shaking kept any of it). */
function packagesOf(metafile: Metafile, entry: string): string[] {
  const seen = new Set<string>([entry]);
  const pending = [entry];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    for (const { path: next, external } of metafile.inputs[path]?.imports ?? []) {
      if (external || seen.has(next)) continue;
      seen.add(next);
      pending.push(next);
    }
  }
  const names = [...seen].map(packageOf);
  return [...new Set(names.filter((name): name is string => name !== undefined))].sort();
}

/** The contract clients a bundle's SDK client packages stand for; an unknown client package as itself. */
function clientsIn(packages: readonly string[]): string[] {
  const sdkClients = packages.filter(
    (pkg) => pkg.startsWith('@aws-sdk/client-') || CLIENT_OF_PACKAGE.has(pkg),
  );
  return [...new Set(sdkClients.map((pkg) => CLIENT_OF_PACKAGE.get(pkg) ?? pkg))].sort();
}

/**
 * The functions that sign (deliveries) or verify (partner events) Standard Webhooks, with the
 * `standardwebhooks` package as partners.md requires; no other function may carry it.
 */
const SIGNING: ReadonlySet<FunctionName> = new Set(['deliver-to-partner', 'partner-events']);

/** zod's modules that a bundle kept code of (tree-shaken ones have no bytes), below `node_modules/zod/`. */
function zodKeptIn(metafile: Metafile, entry: string): string[] {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint === entry);
  return Object.entries(output?.inputs ?? {})
    .filter(([input, { bytesInOutput }]) => bytesInOutput > 0 && input.includes('node_modules/zod/'))
    .map(([input]) => input.slice(input.lastIndexOf('node_modules/zod/') + 'node_modules/zod/'.length))
    .sort();
}

/** Every DynamoDB operation's label in the AWS adapters (the `what` of `call`, `conditional`, …). */
function operationLabels(): string[] {
  const dir = join(PROJECT_ROOT, 'shared/adapters/aws');
  const labels = readdirSync(dir)
    .filter((file) => file.startsWith('dynamo-') && file.endsWith('.ts'))
    .flatMap((file) => [
      ...readFileSync(join(dir, file), 'utf8').matchAll(
        /\b(?:call|conditional|putIfAbsent|emailUpdate)\(\s*(?:t,\s*)?'([^']+)'/g,
      ),
    ])
    .map((match) => match[1] as string);
  return [...new Set(labels)].sort();
}

/** The labels whose string literal is in a bundle's text. */
const operationsIn = (text: string, labels: readonly string[]) =>
  labels.filter((label) => text.includes(`"${label}"`) || text.includes(`'${label}'`));

/**
 * The DynamoDB operations of the functions composed from per-use stores: what their use cases call,
 * no more (a store class would bring every one of its operations along).
 */
const OPERATIONS: Partial<Record<FunctionName, readonly string[]>> = {
  'get-order': ['get order'],
  'fan-out': ['get order', 'mark fan-out done'],
  'sweep-outbox': ['get order', 'mark fan-out done', 'query outbox'],
  // The one-click opt-out: consent and suppression (read with the key table's erasure mark), a
  // shredded customer delete (log, secret, item), the fence read, the index keys (lookup).
  unsubscribe: [
    'append consent',
    'append erasure log',
    'delete customer',
    'delete record secret',
    'get customer',
    'get data key',
    'get erasure fence',
    'get erasure mark',
    'get suppression',
    'put data key',
    'put suppression',
  ],
  'ses-feedback': [
    'append consent',
    'append erasure log',
    'delete customer',
    'delete record secret',
    'get customer',
    'get data key',
    'get erasure fence',
    'get erasure mark',
    'get suppression',
    'put data key',
    'put suppression',
  ],
  'consent-confirm': ['confirm consent', 'get data key', 'get erasure mark', 'put data key'],
  // The intake: the claim (claim, take over, mark, settle), the record pair and its listing, the
  // consent append or confirmation request, the fence read; a raced record undone (shredded).
  'submit-order': [
    'append consent',
    'append erasure log',
    'claim idempotency key',
    'delete customer',
    'delete personal',
    'delete record secret',
    'get customer',
    'get data key',
    'get erasure fence',
    // The key table's erasure mark, beside the suppression entry (an order-table restore keeps it).
    'get erasure mark',
    'get idempotency key',
    'get order',
    'get record secret',
    'get suppression',
    'put data key',
    'put order',
    'put personal',
    'remove from email listing',
    'request consent confirmation',
    'set idempotency fence mark',
    'settle idempotency key',
    'take over idempotency key',
  ],
  // A partner's event: the status change, and the after-delivery expiry on the record and its secret.
  'partner-events': ['apply status change', 'get order', 'set personal expiry', 'set record secret expiry'],
  // A customer email: the order and its record (with its secret), the email's claim and mark (with
  // the ledger's tip), the customer and suppression, the confirmation email's claim.
  'notify-customer': [
    // What a worker that lost its claim opened, entered on its own (its give-back did not land).
    'append ledger',
    'batch get record secrets',
    'claim confirmation email',
    'claim email',
    'finish confirmation email',
    'get customer',
    'get data key',
    // The key table's erasure mark, beside the suppression entry (an order-table restore keeps it).
    'get erasure mark',
    'get ledger',
    'get order',
    'get personal',
    'get record secret',
    'get suppression',
    'mark email sent',
    'put data key',
    'release email',
  ],
  // A webhook delivery: the order and its record (with its secret), the delivery state (with the
  // ledger), the partner's state and its held messages (410 Gone), a redaction's ledger.
  'deliver-to-partner': [
    'append ledger',
    'batch get record secrets',
    'get data key',
    'get ledger',
    'get order',
    'get partner state',
    'get personal',
    'get record secret',
    'hold message',
    'put data key',
    'release held message',
    'scan held messages',
    'set delivery state',
  ],
  // The intake sweep and the expiry purge: abandoned claims, shredded deletes, the key table's
  // sweep and the erasure log's re-application; a raced intake's order taken off its listing.
  purge: [
    'append erasure log',
    'delete customer',
    'delete expired record secret',
    'delete personal',
    'delete record secret',
    'get erasure fence',
    // Re-applying the erasure log: a customer's erasure mark dates its erasure to the second.
    'get erasure mark',
    'get open intake',
    'get order',
    'query open intakes',
    'remove from email listing',
    'reshred record secret',
    'scan erasure log',
    'scan expired',
    'scan expired record secrets',
    'settle idempotency key',
  ],
};

const CLIENT_LESS = FUNCTION_NAMES.filter((fn) => FUNCTIONS[fn].clients.length === 0);

describe('function bundles', () => {
  const packages = new Map<FunctionName, string[]>();
  const zod = new Map<FunctionName, string[]>();
  const minifiedBytes = new Map<FunctionName, number>();
  const operations = new Map<FunctionName, string[]>();
  const texts = new Map<FunctionName, string>();
  const substitutesIn = new Map<FunctionName, string[]>();

  beforeAll(async () => {
    // Prepare / Act: every function bundled as MinimisFunction bundles it, in one esbuild run (the
    // modules they share parsed once); the inputs do not depend on minifying or the source map.
    const { outfile: _, ...options } = esbuildOptions('', PROJECT_ROOT);
    const result = await build({
      ...options,
      entryPoints: FUNCTION_NAMES.map((fn) => `functions/${fn}.ts`),
      outdir: 'cdk.out/bundles-test',
      minify: false,
      sourcemap: false,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const labels = operationLabels();
    for (const fn of FUNCTION_NAMES) {
      packages.set(fn, packagesOf(result.metafile, `functions/${fn}.ts`));
      zod.set(fn, zodKeptIn(result.metafile, `functions/${fn}.ts`));
      const text = result.outputFiles.find((file) => file.path.endsWith(`/${fn}.js`))?.text ?? '';
      operations.set(fn, operationsIn(text, labels));
      texts.set(fn, text);
      const output = Object.values(result.metafile.outputs).find(
        (o) => o.entryPoint === `functions/${fn}.ts`,
      );
      substitutesIn.set(
        fn,
        Object.keys(output?.inputs ?? {})
          .filter((input) => input.startsWith('shared/crypto/native/'))
          .sort(),
      );
    }
    // The client-less functions as they are deployed (minified), for their size.
    const deployed = await build({
      ...options,
      entryPoints: CLIENT_LESS.map((fn) => `functions/${fn}.ts`),
      outdir: 'cdk.out/bundles-test',
      sourcemap: false,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    for (const output of Object.values(deployed.metafile.outputs)) {
      const fn = CLIENT_LESS.find((name) => output.entryPoint === `functions/${name}.ts`);
      if (fn) minifiedBytes.set(fn, output.bytes);
    }
  });

  it.each(FUNCTION_NAMES)("%s carries its own contract only, not the other functions'", (fn) => {
    // Assess: each contract is a constant its handler passes to configFor (shared/contracts.ts);
    // the table of all of them (FUNCTIONS) is for infra, the local runner and tests.
    const text = texts.get(fn) ?? '';
    const others = FUNCTION_NAMES.filter((other) => other !== fn && text.includes(`name: "${other}"`));
    expect(others).toEqual([]);
  });

  it('submit-order seals but bundles no opening code (SealingKeys, not DataKeys)', () => {
    // Assess
    const text = texts.get('submit-order') ?? '';
    expect(text.includes('activeKey(context)')).toBe(true);
    expect(text.includes('forgetStale()')).toBe(false);
    expect(text.includes('Sealed blob does not open')).toBe(false);
    expect((texts.get('notify-customer') ?? '').includes('Sealed blob does not open')).toBe(true);
  });

  it.each(FUNCTION_NAMES)('%s bundles exactly the AWS SDK clients of its contract', (fn) => {
    // Assess
    expect(clientsIn(packages.get(fn) ?? [])).toEqual([...FUNCTIONS[fn].clients].sort());
  });

  it.each(FUNCTION_NAMES.filter((fn) => FUNCTIONS[fn].clients.length === 0))(
    '%s (no clients) bundles nothing of the AWS SDK',
    (fn) => {
      // Assess
      const sdk = (packages.get(fn) ?? []).filter(
        (pkg) => pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/'),
      );
      expect(sdk).toEqual([]);
    },
  );

  /**
   * No function carries a schema library: queue messages are our own and are read with typed
   * checks (shared/contracts/message-schemas.ts), as ses-feedback reads its few SES fields; a
   * stranger's order body (checkOrderRequest), partner events (checkPartnerEvent), stored keyrings
   * and the strict partner payloads (checkPayloadShape) likewise, each held to its published zod
   * schema's answers by a parity test.
   */
  it.each(FUNCTION_NAMES)('%s bundles no schema library', (fn) => {
    // Assess
    expect(zod.get(fn)).toEqual([]);
  });

  it.each(FUNCTION_NAMES)('%s bundles standardwebhooks only if it signs or verifies webhooks', (fn) => {
    // Assess
    expect((packages.get(fn) ?? []).includes('standardwebhooks')).toBe(SIGNING.has(fn));
  });

  it.each([...SIGNING])(
    '%s signs with the standardwebhooks code on node:crypto and Buffer (NATIVE_SUBSTITUTES)',
    (fn) => {
      // Assess: the package's browser-grade SHA-256 and base64 are not bundled; our substitutes are.
      const bundled = packages.get(fn) ?? [];
      expect(bundled.filter((pkg) => pkg in NATIVE_SUBSTITUTES)).toEqual([]);
      expect(substitutesIn.get(fn)).toEqual(
        Object.values(NATIVE_SUBSTITUTES)
          .map((p) => p.slice(2))
          .sort(),
      );
    },
  );

  it('a bundled signer signs and verifies as the unbundled package does', async () => {
    // Prepare: the keyring's signing and verifying, bundled with the substitutes, loaded from disk.
    const dir = await mkdtemp(join(tmpdir(), 'minimis-bundled-signer-'));
    try {
      const outfile = join(dir, 'signer.mjs');
      await build({
        ...esbuildOptions('shared/domain/partner-keyring.ts', PROJECT_ROOT),
        outfile,
        sourcemap: false,
        logLevel: 'silent',
      });
      const bundled = (await import(pathToFileURL(outfile).href)) as typeof Keyring;
      const secrets = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'c2VjcmV0LWZvci1hLWJ1bmRsZWQtdGVzdA=='];
      const at = new Date();
      const body = '{"type":"order.created","data":{"orderId":"ord_1"}}';

      // Act
      const signature = bundled.signWithAll(secrets, 'msg_1', at, body);
      const headers = bundled.signedWebhookHeaders(secrets, 'msg_1', at, body);

      // Assess: byte for byte the package's signature, and each side verifies the other's.
      expect(signature).toBe(Keyring.signWithAll(secrets, 'msg_1', at, body));
      expect(signature.split(' ')).toHaveLength(2);
      expect(() => Keyring.verifyWithAny([secrets[1] as string], body, headers)).not.toThrow();
      expect(() => bundled.verifyWithAny([secrets[0] as string], Buffer.from(body), headers)).not.toThrow();
      expect(() => bundled.verifyWithAny(secrets, `${body} `, headers)).toThrow(
        'No matching signature found',
      );
      expect(() => bundled.verifyWithAny(['whsec_not*base64*at*all*'], body, headers)).toThrow(
        'Base64Coder: incorrect characters for decoding',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(FUNCTION_NAMES)('%s logs with our logger, not the Powertools logger class (20 KB)', (fn) => {
    // Assess
    expect((packages.get(fn) ?? []).filter((pkg) => pkg === '@aws-lambda-powertools/logger')).toEqual([]);
  });

  it.each(Object.entries(OPERATIONS))(
    '%s bundles exactly the DynamoDB operations of its use case',
    (fn, expected) => {
      // Assess
      expect(operations.get(fn as FunctionName)).toEqual(expected);
    },
  );

  it('finds the label of every DynamoDB operation of the AWS adapters', () => {
    // Prepare / Act
    const labels = operationLabels();
    // Assess: the order store's puts and email updates name theirs through helpers, the rest directly.
    expect(labels).toEqual(
      expect.arrayContaining(['get order', 'put order', 'mark email sent', 'release email']),
    );
  });

  it.each(CLIENT_LESS)('%s (no clients) bundles to at most 50 KB', (fn) => {
    // Assess
    expect(minifiedBytes.get(fn)).toBeGreaterThan(0);
    expect(minifiedBytes.get(fn)).toBeLessThanOrEqual(50 * 1024);
  });

  it('reads a client package as its contract name, and an unknown one as itself', () => {
    // Prepare / Act
    const found = clientsIn(['@aws-sdk/client-s3', '@aws-sdk/lib-dynamodb', '@aws-sdk/core', 'zod']);
    // Assess
    expect(found).toEqual(['@aws-sdk/client-s3', 'dynamodb']);
  });
});
