/**
 * Local mode: the same Lambda handlers in one process, with embedded stand-ins for every AWS
 * service that has no endpoint configured. Used by `npm start` and by the integration tests
 * (which pass port 0 and a temporary data directory).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KEY_TABLE, keyTableDefinition } from '#shared/adapters/aws/dynamo-record-secret-store.js';
import { tableDefinition } from '#shared/adapters/aws/table-schema.js';
import { embeddedDocumentClient } from '#shared/adapters/local/embedded-dynamo-client.js';
import {
  type DirectRequest,
  DynamoSetupError,
  ensureTables,
  errorName,
  startDynalite,
} from '#shared/adapters/local/embedded-dynamodb.js';
import { LocalQueue, localQueueTable, upgradeLocalQueueTable } from '#shared/adapters/local/local-queue.js';
import { lastApiRequestAt } from '#shared/adapters/local/request-lanes.js';
import { addMissingIndexes } from '#shared/adapters/local/table-upgrade.js';
import { type Config, loadConfig, type PartnerConfig } from '#shared/config.js';
import { NOTIFY_QUEUE, ORDER_TTL_ATTRIBUTE, partnerQueue } from '#shared/contracts.js';
import { localQueueOptions, localQueueTableName, setWiring, type Wiring, wire } from '#shared/wiring.js';
import { orderConsole } from './console.js';
import { type FanOutOnWrite, fanOutOnWrite } from './fan-out-on-write.js';
import { createApiServer, type LocalRoute } from './http-server.js';
import { type LocalEnv, localPartners, parseLocalEnv } from './local-env.js';
import { type Consumer, type SqsHandler, startConsumer } from './queue-consumer.js';
import { once } from './routes.js';
import { samplePartners } from './sample-partners.js';
import { type EmbeddedSes, startSesEmulator } from './ses-emulator.js';
import { startTimers } from './timers.js';

export interface LocalApp {
  readonly apiUrl: string;
  readonly dynamoUrl: string;
  readonly sesUrl: string;
  /** The email viewer's page, when the embedded SES emulator runs. */
  readonly emailViewerUrl: string | undefined;
  /** The local order console (`/_local/`): recent orders, status and ledger per order. */
  readonly consoleUrl: string;
  readonly config: Config;
  readonly wiring: Wiring;
  readonly consumers: Readonly<Record<string, Consumer>>;
  /**
   * Resolves once the fan-outs started so far have ended. The fan-out of an order starts before
   * its 202 and runs after it (as the stream does in AWS): a caller that wants its queue messages
   * there waits for this.
   */
  fanOutsSettled(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Extra local routes (tests mount their own partner stand-ins elsewhere; this is for samples). */
  readonly samplePartners?: boolean;
  readonly onError?: (error: unknown) => void;
  /** Background timers (outbox sweep, sample partner progress); tests may turn them off. */
  readonly timers?: boolean;
  /** Partners instead of the built-in warehouse and carrier (e.g. two carriers scoped by country). */
  readonly partners?: readonly PartnerConfig[];
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** The part of local mode that failed to start. */
export type StartupService = 'DynamoDB' | 'SES emulator' | 'key provider' | 'HTTP port' | 'configuration';

/** Local mode cannot start; the message is one line naming the service that failed. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(
    readonly service: StartupService,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Runs one start-up step; any failure becomes a StartupError naming `service`. */
async function step<T>(service: StartupService, describe: (error: unknown) => string, run: () => Promise<T>) {
  try {
    return await run();
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError(service, describe(error), { cause: error });
  }
}

/** A cheap request to the DynamoDB endpoint (bounded: a dead one fails within seconds). */
async function dynamoAnswers(tableName: string): Promise<void> {
  const client = new DynamoDBClient({ maxAttempts: 1 });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }), {
      abortSignal: AbortSignal.timeout(5_000),
    });
  } finally {
    client.destroy();
  }
}

/**
 * The three tables (TTL where the AWS tables have it); a table of an older version gets the
 * indexes it lacks (online on a real endpoint, rebuilt in the embedded dynalite, which adds none).
 */
async function prepareTables(
  config: Config,
  wiring: Wiring,
  dynamoUrl: string,
  embedded: boolean,
): Promise<void> {
  const client = new DynamoDBClient({});
  try {
    await ensureTables(client, [
      { definition: tableDefinition(config.tableName), ttlAttribute: ORDER_TTL_ATTRIBUTE },
      { definition: keyTableDefinition(config.keyTableName), ttlAttribute: KEY_TABLE.ttl },
    ]);
    for (const definition of [tableDefinition(config.tableName), keyTableDefinition(config.keyTableName)]) {
      const name = definition.TableName ?? '';
      await addMissingIndexes(client, wiring.db, definition, { how: embedded ? 'rebuild' : 'online' }).catch(
        (error: unknown) => {
          throw new DynamoSetupError(
            name,
            `DynamoDB could not add the new indexes to table ${name} (${errorName(error)})`,
            {
              cause: error,
            },
          );
        },
      );
    }
    const queueTable = localQueueTableName(config);
    await upgradeLocalQueueTable(client, wiring.db, queueTable).catch((error: unknown) => {
      throw new DynamoSetupError(
        queueTable,
        `DynamoDB could not upgrade table ${queueTable} (${errorName(error)})`,
        {
          cause: error,
        },
      );
    });
    await ensureTables(client, [localQueueTable(queueTable)]);
  } catch (error) {
    throw new StartupError(
      'DynamoDB',
      error instanceof DynamoSetupError
        ? error.message.replace(/^DynamoDB/, `DynamoDB at ${dynamoUrl}`)
        : `DynamoDB at ${dynamoUrl} does not answer (${errorName(error)})`,
      { cause: error },
    );
  } finally {
    client.destroy();
  }
}

export async function startLocal(options: StartOptions = {}): Promise<LocalApp> {
  const env = options.env ?? process.env;
  const local: LocalEnv = parseLocalEnv(env);
  const onError =
    options.onError ??
    ((error: unknown) => console.error('[minimis] background error:', (error as Error)?.name));

  // The SDK needs credentials and a region even against stand-ins; never override real ones.
  process.env.AWS_REGION ??= env.AWS_REGION ?? 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= env.AWS_ACCESS_KEY_ID ?? 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= env.AWS_SECRET_ACCESS_KEY ?? 'local';

  const stops: Array<() => Promise<void>> = [];
  const unwind = async (error: unknown): Promise<never> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  };
  let dynamoUrl = local.AWS_ENDPOINT_URL_DYNAMODB;
  let direct: DirectRequest | undefined;
  if (!dynamoUrl) {
    const dynamo = await step(
      'DynamoDB',
      (e) =>
        `the embedded DynamoDB cannot listen on port ${local.DYNAMODB_PORT} (${errorName(e)}): set DYNAMODB_PORT`,
      () => startDynalite({ port: local.DYNAMODB_PORT, path: join(local.MINIMIS_DATA_DIR, 'dynamodb') }),
    );
    stops.push(dynamo.stop);
    dynamoUrl = dynamo.url;
    direct = dynamo.request;
  }
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoUrl;

  let ses: EmbeddedSes | undefined;
  let consoleUrl = '';
  if (!local.AWS_ENDPOINT_URL_SESV2) {
    ses = await step(
      'SES emulator',
      (e) =>
        `the SES emulator cannot listen on port ${local.SES_PORT}${(e as NodeJS.ErrnoException)?.code ? ` (${(e as NodeJS.ErrnoException).code})` : ''}: set SES_PORT`,
      () =>
        startSesEmulator(local.SES_PORT, {
          persistFile: join(local.MINIMIS_DATA_DIR, 'sent-email.json'),
          consoleUrl: () => consoleUrl,
        }),
    ).catch(unwind);
    stops.push(ses.stop);
  }
  const sesUrl = local.AWS_ENDPOINT_URL_SESV2 ?? ses?.url ?? '';
  process.env.AWS_ENDPOINT_URL_SESV2 = sesUrl;

  // Bind the API first: the partner URLs and the public base URL default to its real port.
  const extra: LocalRoute[] = [];
  const api = createApiServer(extra, onError);
  const server = api.server;
  const apiPort = await step(
    'HTTP port',
    (e) => `the API cannot listen on HTTP port ${local.PORT} (${errorName(e)}): set PORT`,
    () => listen(server, local.PORT),
  ).catch(unwind);
  let fanOuts: FanOutOnWrite | undefined;
  /**
   * Stops taking requests, then waits for the ones being handled and the fan-outs they started,
   * so nothing writes after the stores below close. Run first by stop() (and again, a no-op, in
   * turn).
   */
  const closeApi = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await api.served();
    await fanOuts?.settled();
  };
  stops.push(closeApi);
  const apiUrl = `http://localhost:${apiPort}`;
  consoleUrl = `${apiUrl}/_local/`;
  const partners = options.partners ? [...options.partners] : localPartners(local, apiUrl);

  const config = loadConfig({
    ...env,
    MINIMIS_MODE: 'local',
    MINIMIS_DATA_DIR: local.MINIMIS_DATA_DIR,
    PUBLIC_BASE_URL: local.PUBLIC_BASE_URL ?? apiUrl,
    ORIGIN_COUNTRY: local.ORIGIN_COUNTRY,
    SENDER_EMAIL: local.SENDER_EMAIL,
    PARTNERS: JSON.stringify(partners),
    DELIVERY_BASE_DELAY_SECONDS: env.DELIVERY_BASE_DELAY_SECONDS ?? '1',
    DELIVERY_MAX_ATTEMPTS: env.DELIVERY_MAX_ATTEMPTS ?? '8',
    // The CLI may rotate a keyring file at any moment: read it on every use (it is a small file).
    PARTNER_SECRET_CACHE_SECONDS: env.PARTNER_SECRET_CACHE_SECONDS ?? '0',
  });
  // The embedded DynamoDB checks no signature: its requests skip SigV4 (a real endpoint keeps it),
  // and its item requests skip the SDK and HTTP (embedded-dynamo-client.ts); the port stays for the CLI.
  // No stream locally: the fan-out runs when an order record is written (local/fan-out-on-write.ts).
  const db = local.AWS_ENDPOINT_URL_DYNAMODB ? undefined : embeddedDocumentClient(direct);
  // This process is its queues' only consumer: receives are claimed in memory (local-queue.ts).
  const base = wire(config, db ? { db } : {});
  const queue = new LocalQueue(base.db, localQueueTableName(config), {
    ...localQueueOptions(config),
    claims: 'memory',
  });
  fanOuts = fanOutOnWrite({ ...base, queue }, onError);
  const wiring = fanOuts.wiring;
  setWiring(wiring);

  await prepareTables(config, wiring, dynamoUrl, !local.AWS_ENDPOINT_URL_DYNAMODB).catch(unwind);
  // Ready means ready to take orders: the key service must answer before /health says 200.
  await wiring.lookup
    .ensureKey()
    .catch(async (cause: unknown) => {
      // The keys are stored in DynamoDB: if that is what failed, say so, not "the key service".
      await dynamoAnswers(config.tableName).catch((dynamo: unknown) => {
        throw new StartupError(
          'DynamoDB',
          `DynamoDB at ${dynamoUrl} does not answer (${errorName(dynamo)})`,
          {
            cause,
          },
        );
      });
      throw new StartupError(
        'key provider',
        config.kmsKeyId
          ? 'the key service does not answer: check KMS_KEY_ID, AWS_ENDPOINT_URL_KMS and credentials, or unset KMS_KEY_ID for the local key provider'
          : `the local key provider cannot store or read its keys (${errorName(cause)})`,
        { cause },
      );
    })
    .catch(unwind);

  // The order console: local mode only (this runner), never part of the deployed API.
  extra.push(
    orderConsole({ wiring, port: () => apiPort, ...(ses ? { emailViewerUrl: ses.viewerUrl } : {}) }),
  );

  const loadDelivery = once(
    () => import('#functions/deliver-to-partner.js') as unknown as Promise<{ handler: SqsHandler }>,
  );
  const loadNotify = once(
    () => import('#functions/notify-customer.js') as unknown as Promise<{ handler: SqsHandler }>,
  );
  const consumers: Record<string, Consumer> = {};
  for (const p of config.partners)
    consumers[partnerQueue(p.id)] = startConsumer(queue, partnerQueue(p.id), loadDelivery, onError);
  consumers[NOTIFY_QUEUE] = startConsumer(queue, NOTIFY_QUEUE, loadNotify, onError);
  stops.push(async () => {
    await Promise.all(Object.values(consumers).map((c) => c.stop()));
  });
  stops.push(async () => fanOuts?.settled());

  if (options.samplePartners !== false) {
    const samples = samplePartners({
      apiUrl,
      partners,
      secrets: wiring.secrets,
      timers: options.timers !== false,
      onError,
    });
    extra.push(samples.route);
    stops.push(samples.stop);
  }
  if (options.timers !== false)
    stops.push(startTimers(wiring, onError, { lastActivityAt: lastApiRequestAt }).stop);

  return {
    apiUrl,
    dynamoUrl,
    sesUrl,
    emailViewerUrl: ses ? ses.viewerUrl : undefined,
    consoleUrl,
    config,
    wiring,
    consumers,
    fanOutsSettled: async () => fanOuts?.settled(),
    async stop() {
      await closeApi().catch(onError);
      for (const stop of stops.reverse()) await stop().catch(onError);
      setWiring(undefined);
    },
  };
}
