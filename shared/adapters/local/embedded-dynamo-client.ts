/**
 * The document client for the embedded DynamoDB (dynalite in this process's worker).
 *
 * With the worker's direct channel (`EmbeddedDynamo.request`), the item commands the adapters send
 * (Get, Put, Update, Delete, Query, Scan, BatchGet, BatchWrite) skip the SDK's middleware, schema
 * serde and HTTP on both sides: the input is marshalled as lib-dynamodb does (the command's own
 * key nodes, the same marshall options), written as the wire JSON, handed to dynalite's request
 * listener in the worker, and its wire answer is unmarshalled the same way. A failure is the
 * SDK's own exception class for its `__type` (ConditionalCheckFailedException and the rest, a
 * DynamoDBServiceException of that name otherwise), so adapters tell them apart as in AWS. Why:
 * in local mode DynamoDB requests are the work (~40 per order), and the SDK plus HTTP were most
 * of each request's CPU. Every other command (tables, TTL) takes the SDK path below.
 *
 * Without it (or for those other commands) requests are not SigV4-signed, only given the
 * Authorization shape dynalite checks for (it verifies no signature). Parallel GetItems share a
 * BatchGetItem (coalescing-gets.ts). Only for the embedded endpoint: a real DynamoDB endpoint
 * (AWS_ENDPOINT_URL_DYNAMODB) gets the signed client and the SDK path.
 */
import * as dynamodb from '@aws-sdk/client-dynamodb';
import {
  DynamoDBClient,
  type DynamoDBClientConfig,
  DynamoDBServiceException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { marshall, type marshallOptions, unmarshall, type unmarshallOptions } from '@aws-sdk/util-dynamodb';
import { documentClient } from '../aws/dynamo-client.js';
import { coalescingGets } from './coalescing-gets.js';
import type { DirectRequest } from './embedded-dynamodb.js';

type AuthSchemes = NonNullable<DynamoDBClientConfig['httpAuthSchemes']>;

const UNSIGNED =
  'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=none';

const unsigned: AuthSchemes = [
  {
    schemeId: 'aws.auth#sigv4',
    // No credentials are looked up either: the signer below uses none.
    identityProvider: () => async () => ({}),
    signer: {
      sign: async (request) => {
        request.headers['x-amz-date'] = '20260101T000000Z';
        request.headers.authorization = UNSIGNED;
        return request;
      },
    },
  },
];

/** A request to the embedded DynamoDB: its SDK command name (e.g. `PutItemCommand`) and document input. */
export type DirectRequestListener = (commandName: string, input: Readonly<Record<string, unknown>>) => void;

/** The embedded document client; `onRequest` observes each request it makes (request counts in bench and tests). */
export interface EmbeddedDocumentClient extends DynamoDBDocumentClient {
  onRequest(listener: DirectRequestListener): () => void;
}

export function embeddedDocumentClient(direct?: DirectRequest): EmbeddedDocumentClient {
  const sdk = documentClient(new DynamoDBClient({ httpAuthSchemes: unsigned }));
  const listeners = new Set<DirectRequestListener>();
  // Requests that take the SDK path are observed too (from its first step).
  sdk.middlewareStack.add(
    (next, context) => async (args) => {
      for (const listener of listeners)
        listener(String(context.commandName), args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name: 'embeddedRequestListeners' },
  );
  const client = (direct ? directClient(sdk, direct, listeners) : sdk) as EmbeddedDocumentClient;
  client.onRequest = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return coalescingGets(client) as EmbeddedDocumentClient;
}

/** The item commands dynalite answers, by the document command's class. */
const OPERATIONS = new Map<unknown, string>([
  [GetCommand, 'GetItem'],
  [PutCommand, 'PutItem'],
  [UpdateCommand, 'UpdateItem'],
  [DeleteCommand, 'DeleteItem'],
  [QueryCommand, 'Query'],
  [ScanCommand, 'Scan'],
  [BatchGetCommand, 'BatchGetItem'],
  [BatchWriteCommand, 'BatchWriteItem'],
]);

/** lib-dynamodb's key-node tree: which members hold (maps or lists of) attribute values. */
type KeyNodes = { readonly [key: string]: KeyNodes | null } | readonly [];
interface DocumentCommand {
  readonly input: Record<string, unknown>;
  readonly inputKeyNodes: KeyNodes;
  readonly outputKeyNodes: KeyNodes;
}

const NEXT_LEVEL = '*';

/** lib-dynamodb's processKeysInObj (commands/utils.js), which it does not export: the same walk. */
function processKeys(obj: unknown, f: (v: unknown) => unknown, nodes: KeyNodes): unknown {
  const source = obj as Record<string, unknown>;
  const out: Record<string, unknown> | unknown[] = Array.isArray(obj)
    ? obj.filter((v) => typeof v !== 'function')
    : Object.fromEntries(Object.entries(source).filter(([, v]) => typeof v !== 'function'));
  for (const [key, child] of Object.entries(nodes)) {
    if (typeof source[key] === 'function') continue;
    const value = processNode(source[key], f, child as KeyNodes | null);
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

function processNode(obj: unknown, f: (v: unknown) => unknown, nodes: KeyNodes | null): unknown {
  if (obj === undefined) return undefined;
  if (nodes === null) return f(obj);
  const keys = Object.keys(nodes);
  if (keys.length === 1 && keys[0] === NEXT_LEVEL) {
    const next = (nodes as Record<string, KeyNodes | null>)[NEXT_LEVEL] ?? null;
    const acc: Record<string, unknown> | unknown[] = Array.isArray(obj) ? [] : {};
    for (const [k, v] of Object.entries(obj as object))
      if (typeof v !== 'function') (acc as Record<string, unknown>)[k] = processNode(v, f, next);
    return acc;
  }
  if (keys.length >= 1) return processKeys(obj, f, nodes);
  // Every member (or every element) is one value.
  if (Array.isArray(obj))
    return obj.filter((v) => typeof v !== 'function').map((v) => processNode(v, f, null));
  const acc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj as object)) {
    if (typeof v === 'function') continue;
    const value = processNode(v, f, null);
    if (value !== undefined) acc[k] = value;
  }
  return acc;
}

const base64 = (raw: Uint8Array): string =>
  Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');

const bytes = (text: string): Uint8Array => {
  const b = Buffer.from(text, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

type Wire = Record<string, unknown>;

/**
 * One attribute value with its binary parts converted (`to` on each B and BS member): the wire
 * JSON has them in base64, the SDK's types as bytes. Walks the value alone, not the whole request.
 */
function binaryParts(value: Wire, to: (v: never) => unknown): Wire {
  if (value.B !== undefined) return { B: to(value.B as never) };
  if (value.BS !== undefined) return { BS: (value.BS as never[]).map(to) };
  if (value.M !== undefined) {
    const m: Wire = {};
    for (const [k, v] of Object.entries(value.M as Record<string, Wire>)) m[k] = binaryParts(v, to);
    return { M: m };
  }
  if (value.L !== undefined) return { L: (value.L as Wire[]).map((v) => binaryParts(v, to)) };
  return value;
}

/**
 * An error answer parsed, binary values back to bytes (a condition failure's item): an attribute
 * value `{ B }` or `{ BS }` is the only object with that single member holding a string (or
 * strings); an item's member named B holds an attribute value object, never a string.
 */
function fromWire(body: string): Record<string, unknown> {
  return JSON.parse(body, function (this: Record<string, unknown>, key, value: unknown) {
    if (key === 'B' && typeof value === 'string' && Object.keys(this).length === 1) return bytes(value);
    if (key === 'BS' && Array.isArray(value) && Object.keys(this).length === 1)
      return value.map((v) => (typeof v === 'string' ? bytes(v) : v));
    return value;
  }) as Record<string, unknown>;
}

type ExceptionClass = new (opts: Record<string, unknown>) => DynamoDBServiceException;

/** The SDK's exception for an error answer, as its JSON protocol would build it. */
export function directError(status: number, body: string): DynamoDBServiceException {
  let parsed: Record<string, unknown> = {};
  try {
    parsed = body ? fromWire(body) : {};
  } catch {
    // not JSON (dynalite's 404 page): a service exception with no details
  }
  const { __type, message, Message, ...rest } = parsed;
  const name = String(__type ?? (status === 413 ? 'RequestEntityTooLarge' : 'UnknownError'))
    .split('#')
    .pop()
    ?.split(':')[0] as string;
  const $metadata = { httpStatusCode: status, attempts: 1, totalRetryDelay: 0 };
  const text = String(message ?? Message ?? name);
  const Exception = (dynamodb as unknown as Record<string, unknown>)[name];
  if (typeof Exception === 'function' && Exception.prototype instanceof DynamoDBServiceException)
    return new (Exception as ExceptionClass)({ ...rest, message: text, $metadata });
  return new DynamoDBServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    message: text,
    $metadata,
  });
}

function directClient(
  sdk: DynamoDBDocumentClient,
  direct: DirectRequest,
  listeners: ReadonlySet<DirectRequestListener>,
): DynamoDBDocumentClient {
  const translate = (
    sdk.config as {
      translateConfig?: { marshallOptions?: marshallOptions; unmarshallOptions?: unmarshallOptions };
    }
  ).translateConfig;
  // As the document commands default them (DynamoDBDocumentClientCommand.addMarshallingMiddleware).
  const marshalling: marshallOptions = { ...translate?.marshallOptions, convertTopLevelContainer: true };
  const unmarshalling: unmarshallOptions = {
    ...translate?.unmarshallOptions,
    convertWithoutMapWrapper: true,
  };
  const toAttributes = (v: unknown) => binaryParts(marshall(v, marshalling) as Wire, base64);
  const fromAttributes = (v: unknown) =>
    unmarshall(binaryParts(v as Wire, bytes) as unknown as dynamodb.AttributeValue, unmarshalling);
  const sdkSend = sdk.send.bind(sdk) as (command: unknown, options?: unknown) => Promise<unknown>;

  const client = Object.create(sdk) as DynamoDBDocumentClient;
  client.send = (async (command: unknown, options?: unknown) => {
    const operation = OPERATIONS.get((command as object)?.constructor);
    if (!operation) return sdkSend(command, options);
    const { input, inputKeyNodes, outputKeyNodes } = command as DocumentCommand;
    for (const listener of listeners) listener(`${operation}Command`, input);
    const answer = await direct(operation, JSON.stringify(processKeys(input, toAttributes, inputKeyNodes)));
    if (answer.status !== 200) throw directError(answer.status, answer.body);
    const output = processKeys(JSON.parse(answer.body), fromAttributes, outputKeyNodes) as Record<
      string,
      unknown
    >;
    output.$metadata = { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 };
    return output;
  }) as DynamoDBDocumentClient['send'];
  return client;
}
