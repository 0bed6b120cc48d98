/**
 * Where the CLI works: local mode (the default: the DynamoDB of a running `npm start` and the local
 * key provider's key file) or AWS (`--aws`, MINIMIS_MODE=aws, or KMS_KEY_ID and TABLE_NAME both set:
 * the operator's own credentials). Builds the same wiring the functions use, and turns the usual
 * connection problems into one clear line.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '#shared/adapters/aws/dynamo-client.js';
import { LocalKeyService } from '#shared/adapters/local/local-key-service.js';
import { ConfigError, loadConfig } from '#shared/config.js';
import type { KeyService } from '#shared/ports.js';
import { type Wiring, wire } from '#shared/wiring.js';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';

export type Mode = 'local' | 'aws';

export interface Target {
  readonly mode: Mode;
  /** The DynamoDB endpoint (local mode), for messages. */
  readonly endpoint: string | undefined;
  readonly wiring: Wiring;
  close(): void;
}

export function modeOf(env: CliIo['env'], aws: boolean | undefined): Mode {
  if (aws) return 'aws';
  if (env.MINIMIS_MODE === 'aws') return 'aws';
  if (env.MINIMIS_MODE === 'local') return 'local';
  return env.KMS_KEY_ID && env.TABLE_NAME ? 'aws' : 'local';
}

/** Local DynamoDB endpoint: AWS_ENDPOINT_URL_DYNAMODB, else the embedded one of `npm start`. */
export function localEndpoint(env: CliIo['env']): string {
  if (env.AWS_ENDPOINT_URL_DYNAMODB) return env.AWS_ENDPOINT_URL_DYNAMODB;
  const port = env.DYNAMODB_PORT ?? '8000';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65_535)
    throw new ConfigError('DYNAMODB_PORT', 'must be a port number');
  return `http://127.0.0.1:${port}`;
}

/** Stands in for the local key provider when its key file is missing: fails only when a key is needed. */
function missingKeyFile(file: string): KeyService {
  const fail = async (): Promise<never> => {
    throw new CliError(
      `no local key file at ${file} — run from the directory where \`npm start\` runs, or set MINIMIS_DATA_DIR`,
    );
  };
  return { generateDataKey: fail, decryptDataKey: fail };
}

export function connect(io: CliIo, aws: boolean | undefined): Target {
  const mode = modeOf(io.env, aws);
  const env = { ...io.env };
  if (mode === 'aws') {
    if (!env.TABLE_NAME)
      throw new ConfigError('TABLE_NAME', 'is required against AWS (the deployed table name)');
    const config = loadConfig({ ...env, MINIMIS_MODE: 'aws' });
    if (!env.KEY_TABLE_NAME)
      throw new ConfigError(
        'KEY_TABLE_NAME',
        'is required against AWS (the deployed key table name: stack output KeyTableName)',
      );
    const client = new DynamoDBClient({});
    return {
      mode,
      endpoint: undefined,
      wiring: wire(config, { db: documentClient(client) }),
      close: () => client.destroy(),
    };
  }

  const endpoint = localEndpoint(env);
  const dataDir = resolve(io.cwd, env.MINIMIS_DATA_DIR ?? '.minimis');
  const config = loadConfig({ ...env, MINIMIS_MODE: 'local', MINIMIS_DATA_DIR: dataDir });
  const hasCredentials = Boolean((env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) || env.AWS_PROFILE);
  const client = new DynamoDBClient({
    endpoint,
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    // Like `npm start`: dummy credentials when none are configured (the embedded DynamoDB ignores them).
    ...(hasCredentials ? {} : { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    maxAttempts: 2,
  });
  const keyFile = join(dataDir, 'master.key');
  const keyService = config.kmsKeyId
    ? undefined
    : existsSync(keyFile)
      ? LocalKeyService.fromDataDir(dataDir)
      : missingKeyFile(keyFile);
  const wiring = wire(config, { db: documentClient(client), ...(keyService ? { keyService } : {}) });
  return { mode, endpoint, wiring, close: () => client.destroy() };
}

/** Every error in a cause chain (and inside AggregateErrors). */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  const queue = [error];
  while (queue.length > 0 && out.length < 20) {
    const next = queue.shift();
    if (next === undefined || next === null) continue;
    out.push(next);
    if (next instanceof AggregateError) queue.push(...next.errors);
    if (next instanceof Error && next.cause !== undefined) queue.push(next.cause);
  }
  return out;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/** A one-line, personal-data-free explanation of a failure while working on `target`, if we recognise it. */
export function explainTargetFailure(
  error: unknown,
  mode: Mode,
  endpoint: string | undefined,
  table: string,
) {
  for (const e of chain(error)) {
    const code = (e as NodeJS.ErrnoException).code;
    const name = e instanceof Error ? e.name : '';
    if ((code && UNREACHABLE.has(code)) || name === 'TimeoutError') {
      return mode === 'local'
        ? `cannot reach DynamoDB at ${endpoint} — is \`npm start\` running?`
        : `cannot reach DynamoDB (${code ?? name}) — check AWS_REGION and the network`;
    }
    if (name === 'ResourceNotFoundException') {
      return mode === 'local'
        ? `table ${table} not found at ${endpoint} — \`npm start\` creates it; or set TABLE_NAME`
        : `table ${table} not found — set TABLE_NAME to the deployed table's name`;
    }
    if (
      name === 'CredentialsProviderError' ||
      name === 'ExpiredTokenException' ||
      name === 'UnrecognizedClientException'
    ) {
      return 'no valid AWS credentials — sign in (e.g. assume the operator role) and try again';
    }
    if (name === 'AccessDeniedException' || name === 'AccessDenied') {
      return 'access denied by AWS — run with the operator role (see the OperatorRoleArn stack output)';
    }
  }
  return undefined;
}
