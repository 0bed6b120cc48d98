/** Embedded DynamoDB for local mode and integration tests: dynalite (in-process, LevelDB on disk). */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

export interface EmbeddedDynamo {
  readonly url: string;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/**
 * Starts dynalite on 127.0.0.1:`port` (0 = random), persisted under `path` (in memory if absent),
 * in a worker thread of its own: DynamoDB's work (parsing, LevelDB, the HTTP server) then runs
 * beside the handlers instead of taking turns with them on one event loop.
 */
export async function startDynalite(options: { port: number; path?: string }): Promise<EmbeddedDynamo> {
  if (options.path) mkdirSync(options.path, { recursive: true });
  const worker = new Worker(DYNALITE_WORKER, {
    eval: true,
    workerData: { dynalite: require.resolve('dynalite'), port: options.port, path: options.path },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m: { port?: number; code?: string; message?: string }) => {
      if (m.port !== undefined) resolve(m.port);
      else reject(Object.assign(new Error(m.message ?? 'dynalite did not start'), { code: m.code }));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.postMessage('stop');
      });
      await worker.terminate();
    },
  };
}

/** The worker: dynalite with no artificial table delays, answering `stop` once it has closed. */
const DYNALITE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require(workerData.dynalite)({
  createTableMs: 0, deleteTableMs: 0, updateTableMs: 0,
  ...(workerData.path ? { path: workerData.path } : {}),
});
server.once('error', (e) => parentPort.postMessage({ code: e.code, message: e.message }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', () => {
  if (server.closeAllConnections) server.closeAllConnections();
  server.close(() => parentPort.postMessage('stopped'));
});
`;

/** A table local mode needs, and the attribute DynamoDB TTL reads on it (as the AWS table has it). */
export interface LocalTable {
  readonly definition: CreateTableCommandInput;
  readonly ttlAttribute?: string;
}

/** DynamoDB did not answer, refused a table, or a table did not become active in time. */
export class DynamoSetupError extends Error {
  override readonly name = 'DynamoSetupError';
  constructor(
    readonly table: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const ENSURE_TABLES_TIMEOUT_MS = 30_000;

/** An error's errno code, else its class name (a thrown non-Error: its string), for one-line start-up messages. */
export const errorName = (error: unknown): string =>
  (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.name ?? String(error);

/**
 * Creates each table that does not exist yet, waits until it is active and turns TTL on where
 * the AWS table has it. dynalite has no TTL (it refuses UpdateTimeToLive): that answer is
 * tolerated, any other failure is not. Everything within `timeoutMs`; a failure is a
 * DynamoSetupError naming the table.
 */
export async function ensureTables(
  client: DynamoDBClient,
  tables: readonly (CreateTableCommandInput | LocalTable)[],
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? ENSURE_TABLES_TIMEOUT_MS;
  const abort = new AbortController();
  const deadline = setTimeout(() => abort.abort(), timeoutMs);
  const call = <T>(table: string, what: string, run: () => Promise<T>): Promise<T> =>
    run().catch((error: unknown) => {
      if (error instanceof DynamoSetupError) throw error;
      throw new DynamoSetupError(
        table,
        abort.signal.aborted
          ? `DynamoDB did not ${what} table ${table} within ${timeoutMs / 1000} s`
          : `DynamoDB could not ${what} table ${table} (${errorName(error)})`,
        { cause: error },
      );
    });
  const signal = { abortSignal: abort.signal };
  try {
    for (const entry of tables) {
      const { definition, ttlAttribute } =
        'definition' in entry ? entry : { definition: entry, ttlAttribute: undefined };
      const name = definition.TableName ?? '';
      const describe = () =>
        call(name, 'describe', () =>
          client.send(new DescribeTableCommand({ TableName: name }), signal).then(
            (r) => r.Table,
            (error: unknown) => {
              if (error instanceof ResourceNotFoundException) return undefined;
              throw error;
            },
          ),
        );
      let table = await describe();
      if (!table)
        await call(name, 'create', () =>
          client.send(new CreateTableCommand(definition), signal).catch((error: unknown) => {
            if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
          }),
        );
      while (table?.TableStatus !== 'ACTIVE') {
        if (table) await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
        table = await describe();
        if (abort.signal.aborted)
          throw new DynamoSetupError(
            name,
            `DynamoDB table ${name} did not become active within ${timeoutMs / 1000} s`,
          );
        table ??= { TableStatus: 'CREATING' };
      }
      if (ttlAttribute)
        await call(name, 'turn on TTL for', () => enableTtl(client, name, ttlAttribute, signal));
    }
  } finally {
    clearTimeout(deadline);
  }
}

/** UpdateTimeToLive unless it is on already; dynalite's "unknown operation" is not a failure. */
async function enableTtl(
  client: DynamoDBClient,
  table: string,
  attribute: string,
  signal: { abortSignal: AbortSignal },
): Promise<void> {
  try {
    const { TimeToLiveDescription: ttl } = await client.send(
      new DescribeTimeToLiveCommand({ TableName: table }),
      signal,
    );
    if (
      ttl?.AttributeName === attribute &&
      (ttl.TimeToLiveStatus === 'ENABLED' || ttl.TimeToLiveStatus === 'ENABLING')
    )
      return;
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
      signal,
    );
  } catch (error) {
    if (isUnsupportedTtl(error)) return;
    throw error;
  }
}

/** dynalite answers UpdateTimeToLive with UnknownOperationException (it has no TTL at all). */
function isUnsupportedTtl(error: unknown): boolean {
  return error instanceof Error && error.name === 'UnknownOperationException';
}
