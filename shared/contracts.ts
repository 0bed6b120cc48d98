/**
 * The strings that are contracts between handlers, infra, the local runner, the ops CLI and tests,
 * in one place: function (component) names, what each function is given (configuration, AWS
 * clients), queue names, the partner-id pattern, the HTTP route table and the item-key layout of
 * the order table. Imports nothing at run time (no zod, no SDK): every bundle may import it.
 *
 * One name per concept: a function's name is its handler file (`functions/<name>.ts`), its log
 * `service` (`minimis-<name>`), its table and key grants (`infra/constructs/*-access.ts`) and its
 * component in the data inventory.
 */

/** A partner id: lowercase, starts with a letter, at most 31 characters (also its queue's suffix). */
export const PARTNER_ID_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

// --- Queues -------------------------------------------------------------------------------------

/** The customer-email queue (`notify-customer` consumes it). */
export const NOTIFY_QUEUE = 'notify';
/** One delivery queue per partner (`deliver-to-partner` for that partner consumes it). */
export const partnerQueue = (partnerId: string): string => `partner-${partnerId}`;
/** The dead-letter queue of a work queue (ops CLI `redrive`). */
export const deadLetterQueue = (queue: string): string => `${queue}-dlq`;

/** Orders younger than this may still be mid-intake (or mid fan-out): the outbox sweep leaves them. */
export const OUTBOX_GRACE_SECONDS = 60;

// --- Item keys of the order table ----------------------------------------------------------------

/** Item key prefixes of the single table: adapters write them, infra scopes grants to them. */
export const keys = {
  order: (orderId: string) => `ORDER#${orderId}`,
  personal: (orderId: string) => `PII#${orderId}`,
  /**
   * The personal records one keyed email got on one UTC day (`YYYY-MM-DD`): a string set of order
   * ids (no personal data), added beside each personal record and read with ConsistentRead by
   * erase and export, so a record written a moment before an erasure is not missed for the
   * `byEmail` index's lag. Kept EMAIL_LISTING_DAYS (see below), then removed by TTL.
   */
  emailListing: (emailKey: string, day: string) => `EMAILPII#${emailKey}#${day}`,
  customer: (emailKey: string) => `CUSTOMER#${emailKey}`,
  suppression: (emailKey: string) => `SUPPRESS#${emailKey}`,
  fence: (emailKey: string) => `FENCE#${emailKey}`,
  idempotency: (key: string) => `IDEM#${key}`,
  dataKey: (ref: string) => `DATAKEY#${ref}`,
  /** Erasure-log entry: a shredded record's key-table key (record-secrets.ts), never its id. */
  shred: (recordKey: string) => `SHRED#${recordKey}`,
  /** Erasure certificates (no personal data). */
  certificate: (id: string) => `CERT#${id}`,
  /** The write-ahead journal of an erasure in progress (ids and flags; gone when it completes). */
  erasureJournal: (emailKey: string) => `ERASING#${emailKey}`,
  /** Whether a partner is enabled (absent: enabled). */
  partner: (partnerId: string) => `PARTNER#${partnerId}`,
  /** A message held while its partner is disabled (410 Gone). */
  held: (partnerId: string, webhookId: string) => `HELD#${partnerId}#${webhookId}`,
} as const;

/**
 * Days an `EMAILPII#` listing is kept after its day ends: it only has to cover the `byEmail`
 * index's lag (about a second), and a reader reads the buckets of yesterday, today and tomorrow
 * (clock skew between the operator's machine and the functions).
 */
export const EMAIL_LISTING_DAYS = 2;

/** The listing buckets a reader at `now` reads: yesterday's, today's and tomorrow's (UTC). */
export function emailListingDays(now: Date): string[] {
  const day = 86_400_000;
  return [-1, 0, 1].map((offset) => new Date(now.getTime() + offset * day).toISOString().slice(0, 10));
}

/**
 * The listing buckets an erasure at `now` deletes: from the day before yesterday to tomorrow (UTC),
 * wider than the read window: a bucket is kept until EMAIL_LISTING_DAYS after its day ends (TTL,
 * plus DynamoDB's own delay), and one the read window no longer reaches must not outlive the
 * erasure that found its records through `byEmail`.
 */
export function emailListingClearDays(now: Date): string[] {
  const day = 86_400_000;
  return [-2, -1, 0, 1].map((offset) => new Date(now.getTime() + offset * day).toISOString().slice(0, 10));
}

/** The order table's TTL attribute (epoch seconds); the application also treats expired items as gone. */
export const ORDER_TTL_ATTRIBUTE = 'expiresAt';

/** Global secondary indexes of the order table. */
export const INDEX = { byEmail: 'byEmail', byOutbox: 'byOutbox', byIntake: 'byIntake' } as const;

// --- HTTP routes ---------------------------------------------------------------------------------

export interface RouteSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** The function serving it. */
  readonly handler: FunctionName;
}

/** The HTTP API: API Gateway's routes (infra), the local runner and the `$default` fallback. */
export const ROUTE_TABLE = [
  { method: 'POST', path: '/orders', handler: 'submit-order' },
  { method: 'GET', path: '/orders/{orderId}', handler: 'get-order' },
  { method: 'GET', path: '/openapi.json', handler: 'openapi' },
  { method: 'GET', path: '/health', handler: 'health' },
  { method: 'POST', path: '/partners/{partnerId}/events', handler: 'partner-events' },
  { method: 'GET', path: '/unsubscribe', handler: 'unsubscribe-page' },
  { method: 'POST', path: '/unsubscribe', handler: 'unsubscribe' },
  { method: 'GET', path: '/consent/confirm', handler: 'consent-confirm-page' },
  { method: 'POST', path: '/consent/confirm', handler: 'consent-confirm' },
] as const satisfies readonly RouteSpec[];

// --- Functions -----------------------------------------------------------------------------------

/** The AWS SDK clients a bundle may contain (checked against each function's esbuild inputs). */
export const AWS_CLIENTS = ['dynamodb', 'kms', 'sqs', 'sesv2', 'secrets-manager', 'sts'] as const;
export type AwsClient = (typeof AWS_CLIENTS)[number];

/**
 * The settings a function may read: each is one field of `Config` (shared/config.ts), which maps
 * it to its environment variables. Infra sets exactly these variables; the function's config
 * object refuses (throws on) any other field, so a function cannot silently read a default.
 */
export const SETTINGS = [
  'mode',
  'tableName',
  'keyTableName',
  'shredBackupDays',
  'kmsKeyId',
  'dataDir',
  'publicBaseUrl',
  'senderEmail',
  'sesConfigurationSet',
  'originCountry',
  'policyVersion',
  'partners',
  'partnerSecretRefs',
  'queueUrls',
  'retention',
  'partnerId',
  'idempotencyHours',
  'dataKeyCache',
  'delivery',
  'secretCacheSeconds',
] as const;
export type Setting = (typeof SETTINGS)[number];

/**
 * One function's contract. Each is a constant of its own (`SUBMIT_ORDER`, …) that its handler
 * passes to `configFor`, so a bundle carries its own contract and not the table of all sixteen
 * (`FUNCTIONS`, 1.2 KB).
 */
export interface FunctionContract {
  /** Its name: file `functions/<name>.ts`, construct, log `service` `minimis-<name>`. */
  readonly name: string;
  /** AWS SDK clients it constructs; its bundle must contain no other. */
  readonly clients: readonly AwsClient[];
  /** The settings it reads. */
  readonly settings: readonly Setting[];
}

/** Every setting that reaching the order table or the key table needs. */
const TABLES = ['tableName', 'keyTableName', 'shredBackupDays'] as const;
/** Every setting the key service (KMS in AWS, the local provider locally) and data-key cache need. */
const KEYS = ['kmsKeyId', 'dataKeyCache'] as const;

/**
 * A function's settings from groups of them. Called as a pure function (no spread in an array
 * literal, which a bundler must keep), so a bundle drops the contracts it does not use.
 */
function settingsOf<const G extends readonly (readonly Setting[])[]>(...groups: G): G[number][number][] {
  return groups.flat();
}

export const SUBMIT_ORDER = {
  name: 'submit-order',
  clients: ['dynamodb', 'kms'],
  settings: /* @__PURE__ */ settingsOf(TABLES, KEYS, [
    'partners',
    'retention',
    'idempotencyHours',
    'policyVersion',
  ]),
} as const satisfies FunctionContract;
export const GET_ORDER = {
  name: 'get-order',
  clients: ['dynamodb'],
  settings: ['tableName', 'partners'],
} as const satisfies FunctionContract;
export const OPENAPI = {
  name: 'openapi',
  clients: [],
  settings: ['publicBaseUrl'],
} as const satisfies FunctionContract;
export const HEALTH = { name: 'health', clients: [], settings: [] } as const satisfies FunctionContract;
export const FALLBACK = { name: 'fallback', clients: [], settings: [] } as const satisfies FunctionContract;
export const PARTNER_EVENTS = {
  name: 'partner-events',
  clients: ['dynamodb', 'secrets-manager', 'sqs'],
  settings: /* @__PURE__ */ settingsOf(TABLES, [
    'partners',
    'partnerSecretRefs',
    'secretCacheSeconds',
    'queueUrls',
    'retention',
  ]),
} as const satisfies FunctionContract;
export const UNSUBSCRIBE_PAGE = {
  name: 'unsubscribe-page',
  clients: ['dynamodb', 'kms'],
  settings: /* @__PURE__ */ settingsOf(['tableName'], KEYS),
} as const satisfies FunctionContract;
export const UNSUBSCRIBE = {
  name: 'unsubscribe',
  clients: ['dynamodb', 'kms'],
  settings: /* @__PURE__ */ settingsOf(TABLES, KEYS, ['policyVersion']),
} as const satisfies FunctionContract;
export const CONSENT_CONFIRM_PAGE = {
  name: 'consent-confirm-page',
  clients: ['dynamodb', 'kms'],
  settings: /* @__PURE__ */ settingsOf(['tableName'], KEYS),
} as const satisfies FunctionContract;
export const CONSENT_CONFIRM = {
  name: 'consent-confirm',
  clients: ['dynamodb', 'kms'],
  settings: /* @__PURE__ */ settingsOf(TABLES, KEYS, ['policyVersion']),
} as const satisfies FunctionContract;
export const NOTIFY_CUSTOMER = {
  name: 'notify-customer',
  clients: ['dynamodb', 'kms', 'sesv2'],
  settings: /* @__PURE__ */ settingsOf(TABLES, KEYS, ['publicBaseUrl', 'senderEmail', 'sesConfigurationSet']),
} as const satisfies FunctionContract;
export const SES_FEEDBACK = {
  name: 'ses-feedback',
  clients: ['dynamodb', 'kms'],
  settings: /* @__PURE__ */ settingsOf(TABLES, KEYS, ['policyVersion']),
} as const satisfies FunctionContract;
export const SWEEP_OUTBOX = {
  name: 'sweep-outbox',
  clients: ['dynamodb', 'sqs'],
  settings: ['tableName', 'queueUrls'],
} as const satisfies FunctionContract;
export const FAN_OUT = {
  name: 'fan-out',
  clients: ['dynamodb', 'sqs'],
  settings: ['tableName', 'queueUrls'],
} as const satisfies FunctionContract;
export const PURGE = {
  name: 'purge',
  clients: ['dynamodb'],
  settings: TABLES,
} as const satisfies FunctionContract;
export const DELIVER_TO_PARTNER = {
  name: 'deliver-to-partner',
  clients: ['dynamodb', 'kms', 'secrets-manager', 'sqs'],
  settings: /* @__PURE__ */ settingsOf(TABLES, KEYS, [
    'partners',
    'partnerSecretRefs',
    'secretCacheSeconds',
    'partnerId',
    'queueUrls',
    'delivery',
    'originCountry',
  ]),
} as const satisfies FunctionContract;

/** Every function's contract by its name (infra, the local runner, the CLI and tests). */
export const FUNCTIONS = {
  'submit-order': SUBMIT_ORDER,
  'get-order': GET_ORDER,
  openapi: OPENAPI,
  health: HEALTH,
  fallback: FALLBACK,
  'partner-events': PARTNER_EVENTS,
  'unsubscribe-page': UNSUBSCRIBE_PAGE,
  unsubscribe: UNSUBSCRIBE,
  'consent-confirm-page': CONSENT_CONFIRM_PAGE,
  'consent-confirm': CONSENT_CONFIRM,
  'notify-customer': NOTIFY_CUSTOMER,
  'ses-feedback': SES_FEEDBACK,
  'sweep-outbox': SWEEP_OUTBOX,
  'fan-out': FAN_OUT,
  purge: PURGE,
  'deliver-to-partner': DELIVER_TO_PARTNER,
} as const satisfies Record<string, FunctionContract>;
export type FunctionName = keyof typeof FUNCTIONS;
/** Each contract's `name` is its key in `FUNCTIONS` (the type checker refuses the module otherwise). */
export type ContractNamesAreKeys = Expect<
  typeof FUNCTIONS extends { readonly [K in FunctionName]: { readonly name: K } } ? true : false
>;
type Expect<T extends true> = T;
export const FUNCTION_NAMES = /* @__PURE__ */ Object.keys(FUNCTIONS) as FunctionName[];

/** What each function does (its Lambda description): infra's, apart from the contracts the bundles carry. */
export const FUNCTION_DESCRIPTIONS: Readonly<Record<FunctionName, string>> = {
  'submit-order': 'POST /orders — validates, seals per purpose, stores (the stream fans out)',
  'get-order': 'GET /orders/{orderId} — non-personal order status',
  openapi: 'GET /openapi.json',
  health: 'GET /health',
  fallback: '$default route — 404/405 as problem+json',
  'partner-events': 'POST /partners/{partnerId}/events — verifies and records partner events',
  'unsubscribe-page': 'GET /unsubscribe — confirmation page (changes nothing)',
  unsubscribe: 'POST /unsubscribe — one-click opt-out (RFC 8058)',
  'consent-confirm-page': 'GET /consent/confirm — confirmation page (changes nothing)',
  'consent-confirm': 'POST /consent/confirm — confirms a renewed opt-in (single-use link)',
  'notify-customer': 'sends transactional and (with consent) promotional email',
  'ses-feedback': 'SES bounce/complaint feedback: suppresses the address',
  'sweep-outbox': 're-runs the fan-out of orders whose intake stopped before it',
  'fan-out': "after an order is written (the table's stream): enqueues its deliveries and email",
  purge: 'deletes expired personal data daily',
  'deliver-to-partner': 'sends one partner its projection of each order (one function per partner)',
};

/** The log `service` (POWERTOOLS_SERVICE_NAME) of a function. */
export const serviceName = (fn: FunctionName): string => `minimis-${fn}`;
