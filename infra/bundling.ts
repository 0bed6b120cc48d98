/**
 * How every minimis Lambda is bundled, in one place: `MinimisFunction` hands `LAMBDA_BUNDLING` to
 * NodejsFunction, and the bundle bench and the bundle test run esbuild with `esbuildOptions`, the
 * same flags NodejsFunction derives from it (aws-lambda-nodejs/lib/bundling.ts `buildEsbuildArgs`:
 * `--bundle --platform=node --target --format --minify --sourcemap --sources-content --banner:js
 * --main-fields --external`, run in the project root). Imports nothing at run time, so the bench
 * and tests need no aws-cdk-lib.
 */
import type { BuildOptions } from 'esbuild';
import type { AwsClient } from '#shared/contracts.js';

/**
 * Packages that a bundle takes from Node itself instead (esbuild `alias`, resolved from the project
 * root): the two browser-grade primitives under `standardwebhooks`, SHA-256 and base64, become
 * node:crypto and Buffer. The package's own code (the scheme partners.md requires) is bundled as is.
 * ~9 KB off each function that signs or verifies; test/unit/native-substitutes.test.ts holds each
 * substitute to its package's answers and test/infra/bundles.test.ts the bundles to the substitutes.
 */
export const NATIVE_SUBSTITUTES: Readonly<Record<string, string>> = {
  'fast-sha256': './shared/crypto/native/fast-sha256.ts',
  '@stablelib/base64': './shared/crypto/native/stablelib-base64.ts',
};

/** The `bundling` options of every function (aws-cdk-lib `BundlingOptions`, the fields we set). */
export const LAMBDA_BUNDLING = {
  // Local esbuild only: `cdk synth` must work without Docker.
  forceDockerBundling: false,
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // Bundled CommonJS dependencies may call require(); give ESM output one.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  // Bundle everything, the AWS SDK v3 clients included: versions pinned by package-lock.json,
  // tree-shaken, and identical to what the tests ran against (not the runtime's copy).
  externalModules: [] as string[],
  // NodejsFunction passes `--alias:<package>=<path>` to esbuild for each.
  esbuildArgs: {
    '--alias': Object.entries(NATIVE_SUBSTITUTES).map(([pkg, path]) => `${pkg}=${path}`),
  },
} as const;

/** The esbuild options NodejsFunction runs for `entry` with `LAMBDA_BUNDLING` (cwd: project root). */
export function esbuildOptions(entry: string, projectRoot: string): BuildOptions {
  return {
    entryPoints: [entry],
    absWorkingDir: projectRoot,
    bundle: true,
    platform: 'node',
    target: LAMBDA_BUNDLING.target,
    format: LAMBDA_BUNDLING.format,
    outfile: 'index.mjs',
    minify: LAMBDA_BUNDLING.minify,
    sourcemap: LAMBDA_BUNDLING.sourceMap,
    sourcesContent: LAMBDA_BUNDLING.sourcesContent,
    external: [...LAMBDA_BUNDLING.externalModules],
    banner: { js: LAMBDA_BUNDLING.banner },
    mainFields: [...LAMBDA_BUNDLING.mainFields],
    alias: { ...NATIVE_SUBSTITUTES },
  };
}

/**
 * The npm packages of each contract client (`FUNCTIONS[fn].clients`): the first constructs it; the
 * rest may only be in a bundle that has it (the document client rides on DynamoDB).
 */
export const CLIENT_PACKAGES: Readonly<Record<AwsClient, readonly string[]>> = {
  dynamodb: ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'],
  kms: ['@aws-sdk/client-kms'],
  sqs: ['@aws-sdk/client-sqs'],
  sesv2: ['@aws-sdk/client-sesv2'],
  'secrets-manager': ['@aws-sdk/client-secrets-manager'],
  sts: ['@aws-sdk/client-sts'],
};

/**
 * A handler that builds `clients` the way the adapters do (module scope, default configuration;
 * DynamoDB through the document client) and does nothing else: the floor a function's bundle is
 * measured against.
 */
export function bareHandlerSource(clients: readonly AwsClient[]): string {
  const lines: string[] = [];
  const build: Record<AwsClient, () => void> = {
    dynamodb: () => {
      lines.push("import { DynamoDBClient } from '@aws-sdk/client-dynamodb';");
      lines.push("import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';");
      lines.push('export const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}));');
    },
    kms: () => {
      lines.push("import { KMSClient } from '@aws-sdk/client-kms';");
      lines.push('export const kms = new KMSClient({});');
    },
    sqs: () => {
      lines.push("import { SQSClient } from '@aws-sdk/client-sqs';");
      lines.push('export const sqs = new SQSClient({});');
    },
    sesv2: () => {
      lines.push("import { SESv2Client } from '@aws-sdk/client-sesv2';");
      lines.push('export const sesv2 = new SESv2Client({});');
    },
    'secrets-manager': () => {
      lines.push("import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';");
      lines.push('export const secrets = new SecretsManagerClient({});');
    },
    sts: () => {
      lines.push("import { STSClient } from '@aws-sdk/client-sts';");
      lines.push('export const sts = new STSClient({});');
    },
  };
  for (const client of clients) build[client]();
  lines.push('export const handler = async () => ({ statusCode: 200, body: "" });');
  return `${lines.join('\n')}\n`;
}
