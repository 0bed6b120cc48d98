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
import { apiBusy, apiRequests, currentLane, onApiIdle } from './request-lanes.js';

export interface EmbeddedDynamo {
  readonly url: string;
  /**
   * One DynamoDB request from this process, handed to dynalite's request listener in its worker
   * without HTTP: `operation` is the X-Amz-Target's action (e.g. `PutItem`), `body` the JSON
   * request as on the wire; the answer is dynalite's status and JSON body, as on the wire.
   */
  readonly request: DirectRequest;
  stop(): Promise<void>;
}

export type DirectRequest = (operation: string, body: string) => Promise<DirectAnswer>;

export interface DirectAnswer {
  readonly status: number;
  readonly body: string;
}

/** The worker stopped (or failed) while requests were still waiting on it. */
export class EmbeddedDynamoStoppedError extends Error {
  override readonly name = 'EmbeddedDynamoStoppedError';
}

const require = createRequire(import.meta.url);

/** Background requests in the worker at a time while the API is serving (request-lanes.ts), at least. */
export const BACKGROUND_WHILE_API = 2;

/**
 * Background requests go at once while no API request is served. While some are, at most
 * `limit` or one per API request being served (whichever is more) are in the worker, and the
 * rest wait, in order, until one answers or the API goes idle: a lone client's POST does not
 * queue behind a backlog, and a busy API does not starve the consumers (each API request's
 * handful of requests shares the worker with as many background ones).
 */
export function backgroundGate(limit: number): BackgroundGate {
  let running = 0;
  const held: Array<() => void> = [];
  const room = () => !apiBusy() || running < Math.max(limit, apiRequests());
  const admit = () => {
    while (held.length > 0 && room()) {
      running++;
      held.shift()?.();
    }
  };
  const unsubscribe = onApiIdle(admit);
  const gate = async <T>(send: () => Promise<T>): Promise<T> => {
    if (held.length > 0 || !room()) await new Promise<void>((resolve) => held.push(resolve));
    else running++;
    try {
      return await send();
    } finally {
      running--;
      admit();
    }
  };
  return Object.assign(gate, { close: () => void unsubscribe() });
}

/** Sends a background request when the gate lets it; `close` detaches it from the lanes. */
export type BackgroundGate = (<T>(send: () => Promise<T>) => Promise<T>) & { close(): void };

type WorkerMessage =
  | { port: number }
  | { code?: string; message?: string }
  | { id: number; status: number; body: string }
  | 'stopped';

/**
 * Starts dynalite on 127.0.0.1:`port` (0 = random), persisted under `path` (in memory if absent),
 * in a worker thread of its own: DynamoDB's work (parsing, LevelDB) then runs beside the handlers
 * instead of taking turns with them on one event loop. The port serves other processes (the ops
 * CLI); this process may use `request`, which skips HTTP on both sides.
 */
export async function startDynalite(options: {
  port: number;
  path?: string;
  /** Background requests let through at a time while an API request is served. @default 2 */
  backgroundWhileApi?: number;
}): Promise<EmbeddedDynamo> {
  // Owner only, like the key file: the tables hold sealed data and keyed hashes.
  if (options.path) mkdirSync(options.path, { recursive: true, mode: 0o700 });
  const worker = new Worker(DYNALITE_WORKER, {
    eval: true,
    workerData: { dynalite: require.resolve('dynalite'), port: options.port, path: options.path },
  });
  const waiting = new Map<number, { resolve(a: DirectAnswer): void; reject(e: unknown): void }>();
  let nextId = 0;
  let onStopped: (() => void) | undefined;
  let started: { resolve(port: number): void; reject(e: unknown): void } | undefined;
  const failAll = (error: unknown) => {
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  worker.on('message', (m: WorkerMessage) => {
    if (m === 'stopped') onStopped?.();
    else if ('id' in m) {
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      w?.resolve({ status: m.status, body: m.body });
    } else if ('port' in m) started?.resolve(m.port);
    else started?.reject(Object.assign(new Error(m.message ?? 'dynalite did not start'), { code: m.code }));
  });
  worker.on('error', (error) => {
    started?.reject(error);
    failAll(new EmbeddedDynamoStoppedError('the embedded DynamoDB failed', { cause: error }));
  });
  let exited = false;
  worker.on('exit', () => {
    exited = true;
    failAll(new EmbeddedDynamoStoppedError('the embedded DynamoDB stopped'));
  });
  const port = await new Promise<number>((resolve, reject) => {
    started = { resolve, reject };
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  started = undefined;
  const send: DirectRequest = (operation, body) =>
    new Promise<DirectAnswer>((resolve, reject) => {
      // A request after the worker ended would wait for an answer that never comes.
      if (exited) return reject(new EmbeddedDynamoStoppedError('the embedded DynamoDB stopped'));
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, operation, body });
    });
  const gate = backgroundGate(options.backgroundWhileApi ?? BACKGROUND_WHILE_API);
  return {
    url: `http://127.0.0.1:${port}`,
    request: (operation, body) =>
      currentLane() === 'api' ? send(operation, body) : gate(() => send(operation, body)),
    stop: async () => {
      gate.close();
      if (exited) return;
      await new Promise<void>((resolve) => {
        onStopped = resolve;
        worker.postMessage('stop');
      });
      await worker.terminate();
    },
  };
}

/**
 * In the worker, before dynalite loads: its store reads a table's description from LevelDB (and
 * decodes its JSON) on every item request, beside the item itself. Item requests take it from
 * memory instead, once it was read ACTIVE. Any other request (a table created, updated or
 * deleted, by this process or over the port) empties the cache when it comes and when it is
 * answered, and nothing is cached for a second after, so a table's status changes (dynalite
 * makes them on a timer) are read from LevelDB as before. Left out if dynalite's store differs.
 */
const TABLE_CACHE = `
const ITEM_OPERATIONS = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan', 'BatchGetItem', 'BatchWriteItem']);
const tables = new Map();
let changing = 0;
let quietUntil = 0;
const tableChanges = {
  begin() { tables.clear(); changing++; },
  end() { tables.clear(); changing--; quietUntil = Date.now() + 1000; },
  settled() { return changing === 0 && Date.now() >= quietUntil; },
};
const storeModule = require(join(dirname(workerData.dynalite), 'db'));
if (typeof storeModule.create === 'function') {
  const create = storeModule.create;
  storeModule.create = function () {
    const store = create.apply(this, arguments);
    const getTable = store.getTable;
    if (typeof getTable !== 'function') return store;
    store.getTable = function (name, checkStatus, cb) {
      // Item actions call getTable(name, cb); table actions pass checkStatus = false.
      if (typeof checkStatus !== 'function') return getTable.apply(store, arguments);
      const done = checkStatus;
      const cached = tables.get(name);
      if (cached) return process.nextTick(done, null, cached);
      getTable.call(store, name, function (err, table) {
        if (!err && table && table.TableStatus === 'ACTIVE' && tableChanges.settled()) tables.set(name, table);
        done(err, table);
      });
    };
    return store;
  };
}
`;

/**
 * The worker: dynalite with no artificial table delays, answering `stop` once it has closed. A
 * direct request is given to dynalite's own request listener as a request object carrying the
 * headers an unsigned SDK request has (dynalite checks their shape, not a signature), so it is
 * parsed, validated and answered exactly as over HTTP.
 */
const DYNALITE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { EventEmitter } = require('node:events');
const { dirname, join } = require('node:path');
${TABLE_CACHE}
const server = require(workerData.dynalite)({
  createTableMs: 0, deleteTableMs: 0, updateTableMs: 0,
  ...(workerData.path ? { path: workerData.path } : {}),
});
const listener = server.listeners('request')[0];
const AUTH = 'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=none';
function direct(m) {
  const req = new EventEmitter();
  req.method = 'POST';
  req.url = '/';
  req.headers = {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': 'DynamoDB_20120810.' + m.operation,
    'x-amz-date': '20260101T000000Z',
    authorization: AUTH,
  };
  let answered = false;
  const changes = !ITEM_OPERATIONS.has(m.operation);
  if (changes) tableChanges.begin();
  const res = {
    statusCode: 200,
    setHeader() {},
    end(body) {
      if (answered) return;
      answered = true;
      if (changes) tableChanges.end();
      parentPort.postMessage({ id: m.id, status: res.statusCode, body: body === undefined ? '' : String(body) });
    },
  };
  try {
    listener(req, res);
    req.emit('data', Buffer.from(m.body));
    req.emit('end');
  } catch (e) {
    res.statusCode = 500;
    res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: String(e && e.message) }));
  }
}
// Requests over the port (the CLI): the same cache rule.
server.removeListener('request', listener);
server.on('request', (req, res) => {
  const operation = String(req.headers['x-amz-target'] || '').split('.')[1];
  if (!ITEM_OPERATIONS.has(operation)) {
    tableChanges.begin();
    res.once('close', () => tableChanges.end());
  }
  listener(req, res);
});
server.once('error', (e) => parentPort.postMessage({ code: e.code, message: e.message }));
server.listen(workerData.port, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m !== 'stop') return direct(m);
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
