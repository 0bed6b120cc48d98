/**
 * Every environment variable minimis reads, each declared once with its reader (`VARIABLES`), and
 * the typed `Config` built from them at cold start. Imports no validation library: every Lambda
 * loads this module, and the readers here are a few hundred bytes where a schema library is ~90 KB.
 * The CDK context (synth time) and the report tools wrap the same partner check in zod
 * (shared/config-schemas.ts), so a partner rejected at cold start is already rejected at synth.
 */
import {
  FUNCTIONS,
  type FunctionContract,
  type FunctionName,
  PARTNER_ID_PATTERN,
  type Setting,
} from './contracts.js';
import { COUNTRY_CODES } from './domain/countries.js';
import { EMAIL_PATTERN } from './domain/email-address.js';
import {
  DEFAULT_PARTNER_FIELDS,
  FIELD_PATHS,
  FIELDS,
  type FieldDeclaration,
  type FieldPath,
  PARTNER_KINDS,
  type PartnerKind,
  RETENTION_DEFAULTS,
} from './inventory.js';

/** Configuration is invalid; the message names the variable and never echoes its value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`, options);
  }
}

/** A value is not what its reader accepts: what is wrong (never the value) and where inside it. */
export class SettingValueError extends Error {
  override readonly name = 'SettingValueError';
  /** Every problem found, this one first: more than one only where a list is checked item by item. */
  readonly problems: readonly { readonly message: string; readonly path: readonly (string | number)[] }[];
  constructor(
    message: string,
    readonly path: readonly (string | number)[] = [],
    others: readonly SettingValueError[] = [],
  ) {
    super(message);
    this.problems = [{ message, path }, ...others.flatMap((other) => other.problems)];
  }
}

// --- Readers (one per kind of value) -------------------------------------------------------------

type Reader<T> = (raw: string) => T;
type Variable<T> = (raw: string | undefined) => T;

const withDefault =
  <T>(read: Reader<T>, fallback: T): Variable<T> =>
  (raw) =>
    raw === undefined ? fallback : read(raw);
const optional =
  <T>(read: Reader<T>): Variable<T | undefined> =>
  (raw) =>
    raw === undefined ? undefined : read(raw);

const received = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

function expectString(value: unknown, path: readonly (string | number)[] = []): string {
  if (typeof value !== 'string')
    throw new SettingValueError(`Invalid input: expected string, received ${received(value)}`, path);
  return value;
}

/** A string of at least `min` characters (code points, as zod counts them). */
const text =
  (min: number) =>
  (raw: string, path: readonly (string | number)[] = []): string => {
    if ([...raw].length < min)
      throw new SettingValueError(`Too small: expected string to have >=${min} characters`, path);
    return raw;
  };

const optionsProblem = (options: readonly string[]): string =>
  `Invalid option: expected one of ${options.map((o) => `"${o}"`).join('|')}`;

const oneOf =
  <const T extends string>(options: readonly T[]): Reader<T> =>
  (raw) => {
    if (!(options as readonly string[]).includes(raw)) throw new SettingValueError(optionsProblem(options));
    return raw as T;
  };

/** A whole number in [min, max] (`Number()` of the text, as `z.coerce.number` read it). */
const wholeNumber =
  (min: number, max: number, problem: string, above = problem): Reader<number> =>
  (raw) => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw new SettingValueError(problem);
    if (n > max) throw new SettingValueError(above);
    return n;
  };
const POSITIVE = 'must be a positive whole number';
const positiveInt = wholeNumber(1, Number.MAX_SAFE_INTEGER, POSITIVE);

/** An absolute URL (the WHATWG parser accepts it); with `http`, an http(s) URL written with `://`. */
function url(value: unknown, options: { http?: boolean; message?: string; path?: (string | number)[] } = {}) {
  const path = options.path ?? [];
  const trimmed = expectString(value, path).trim();
  const message = options.message ?? 'Invalid URL';
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new SettingValueError(message, path);
  }
  if (options.http && (!/^https?:\/\//i.test(trimmed) || !/^https?:$/.test(parsed.protocol)))
    throw new SettingValueError(message, path);
  // What the URL parser ignores anyway (and could move the host with): tabs and newlines.
  return trimmed.replace(/[\t\n\r]/g, '');
}

const email: Reader<string> = (raw) => {
  if (!EMAIL_PATTERN.test(raw)) throw new SettingValueError('must be an email address');
  return raw;
};

export const COUNTRY_PROBLEM = 'must be an ISO 3166-1 alpha-2 country code (e.g. GB, DE, CN)';
/** An assigned ISO 3166-1 alpha-2 code (`UK` is not one: the United Kingdom is `GB`). */
export const isCountryCode = (code: string): boolean => COUNTRY_CODES.has(code);
const country: Reader<string> = (raw) => {
  if (!isCountryCode(raw)) throw new SettingValueError(COUNTRY_PROBLEM);
  return raw;
};

const jsonOf =
  <T>(check: (value: unknown) => T): Reader<T> =>
  (raw) => {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new SettingValueError('must be valid JSON');
    }
    return check(value);
  };

function objectOf(value: unknown, path: readonly (string | number)[] = []): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SettingValueError(`Invalid input: expected object, received ${received(value)}`, path);
  return value as Record<string, unknown>;
}

function arrayOf<T>(
  value: unknown,
  path: readonly (string | number)[],
  item: (value: unknown, path: (string | number)[]) => T,
  min = 0,
  tooFew = `Too small: expected array to have >=${min} items`,
): T[] {
  if (!Array.isArray(value))
    throw new SettingValueError(`Invalid input: expected array, received ${received(value)}`, path);
  if (value.length < min) throw new SettingValueError(tooFew, path);
  return value.map((v, i) => item(v, [...path, i]));
}

/**
 * A JSON object of string values, each key and value checked; `__proto__` is never a key (JSON.parse
 * makes it an own property, which would become one of the result's keys).
 */
const recordOf =
  (key: (k: string) => boolean, item: (value: unknown, path: (string | number)[]) => string) =>
  (value: unknown): Record<string, string> =>
    Object.fromEntries(
      Object.entries(objectOf(value)).map(([k, v]) => {
        if (k === '__proto__' || !key(k)) throw new SettingValueError('Invalid key in record', [k]);
        return [k, item(v, [k])];
      }),
    );

// --- Partners ------------------------------------------------------------------------------------

/** One fulfilment partner, `fields` defaulted to its kind's default choice. */
export interface PartnerConfig {
  id: string;
  kind: PartnerKind;
  url: string;
  /** Raw `whsec_…` secret (local mode) … */
  secret?: string;
  /** … or the Secrets Manager ARN/name holding it (AWS). */
  secretRef?: string;
  fields: FieldPath[];
  /** Destinations this partner serves (ISO 3166-1 alpha-2); absent: all. */
  countries?: string[];
  /** Destinations this partner never gets (e.g. served by another carrier). */
  exceptCountries?: string[];
}

export const PARTNER_ID_PROBLEM = 'must be a lowercase id (a-z, 0-9, -)';
const PARTNER_KEYS: ReadonlySet<string> = /* @__PURE__ */ new Set([
  'id',
  'kind',
  'url',
  'secret',
  'secretRef',
  'fields',
  'countries',
  'exceptCountries',
]);
const FIELD_PATH_SET: ReadonlySet<string> = /* @__PURE__ */ new Set(FIELD_PATHS);

function partnerId(value: unknown, path: readonly (string | number)[]): string {
  const id = expectString(value, path);
  if (!PARTNER_ID_PATTERN.test(id)) throw new SettingValueError(PARTNER_ID_PROBLEM, path);
  return id;
}

const countryCodes = (value: unknown, path: (string | number)[]) =>
  arrayOf(
    value,
    path,
    (code, at) => {
      if (!isCountryCode(expectString(code, at)))
        throw new SettingValueError('must be ISO 3166-1 alpha-2 country codes', at);
      return code as string;
    },
    1,
  );

function partnerConfig(value: unknown, at: (string | number)[]): PartnerConfig {
  const p = objectOf(value, at);
  const here = (key: string) => [...at, key];
  const present = (key: string) => p[key] !== undefined;
  const kind = expectString(p.kind, here('kind'));
  if (!(PARTNER_KINDS as readonly string[]).includes(kind))
    throw new SettingValueError(optionsProblem(PARTNER_KINDS), here('kind'));
  const partner: Record<string, unknown> = {
    id: partnerId(p.id, here('id')),
    kind,
    url: url(p.url, { http: true, path: here('url') }),
  };
  if (present('secret')) {
    const secret = expectString(p.secret, here('secret'));
    if (!secret.startsWith('whsec_'))
      throw new SettingValueError('Invalid string: must start with "whsec_"', here('secret'));
    partner.secret = secret;
  }
  if (present('secretRef'))
    partner.secretRef = text(1)(expectString(p.secretRef, here('secretRef')), here('secretRef'));
  if (present('fields'))
    partner.fields = arrayOf(p.fields, here('fields'), (f, path) => {
      if (!FIELD_PATH_SET.has(expectString(f, path)))
        throw new SettingValueError(optionsProblem(FIELD_PATHS), path);
      return f as FieldPath;
    });
  if (present('countries')) partner.countries = countryCodes(p.countries, here('countries'));
  if (present('exceptCountries'))
    partner.exceptCountries = countryCodes(p.exceptCountries, here('exceptCountries'));
  const unknown = Object.keys(p).filter((key) => !PARTNER_KEYS.has(key));
  if (unknown.length > 0)
    throw new SettingValueError(
      `Unrecognized key${unknown.length > 1 ? 's' : ''}: ${unknown.map((k) => `"${k}"`).join(', ')}`,
      at,
    );
  partner.fields ??= [...DEFAULT_PARTNER_FIELDS[kind as PartnerKind]];
  for (const path of partner.fields as FieldPath[]) {
    const field: FieldDeclaration = FIELDS[path];
    if (!field.shareableWith.includes(kind as PartnerKind))
      throw new SettingValueError(`field ${path} may not be sent to a ${kind}`, at);
  }
  return partner as unknown as PartnerConfig;
}

/**
 * The partner list (PARTNERS, or the CDK context's `partners`): at least one, unique ids, each with
 * only the inventory fields its kind may receive. Throws a SettingValueError with the path of the
 * first problem; its `problems` hold the first problem of every partner that has one.
 */
export function checkPartners(value: unknown): PartnerConfig[] {
  const wrong: SettingValueError[] = [];
  const partners = arrayOf(
    value,
    [],
    (item, at) => {
      try {
        return partnerConfig(item, at);
      } catch (error) {
        if (!(error instanceof SettingValueError)) throw error;
        wrong.push(error);
        return undefined;
      }
    },
    1,
  ).filter((partner) => partner !== undefined);
  const [first, ...rest] = wrong;
  if (first) throw new SettingValueError(first.message, first.path, rest);
  if (new Set(partners.map((p) => p.id)).size !== partners.length)
    throw new SettingValueError('partner ids must be unique');
  return partners;
}

// --- The variables -------------------------------------------------------------------------------

/** Environment variables set to the empty string count as unset (`PORT= npm start`). */
export function withoutEmpty(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

const DAYS = 'must be a whole number of days (0 or more)';
const SECONDS = 'must be a whole number of seconds';

/** Every environment variable minimis reads, in one place, parsed once at cold start. */
const VARIABLES = {
  MINIMIS_MODE: withDefault(oneOf(['aws', 'local']), 'aws'),
  TABLE_NAME: withDefault(text(3), 'minimis'),
  /** The key table (record secrets); default `<TABLE_NAME>-keys`. */
  KEY_TABLE_NAME: optional(text(3)),
  /** Days the key table's backups are kept (0: none); the erasure log outlives them by a day. */
  SHRED_BACKUP_DAYS: withDefault(wholeNumber(0, 35, DAYS, 'must be at most 35 days'), 7),
  KMS_KEY_ID: optional(text(1)),
  MINIMIS_DATA_DIR: withDefault(text(1), '.minimis'),
  PUBLIC_BASE_URL: withDefault(
    (raw) => url(raw, { http: true, message: 'must be an http(s) URL' }),
    'http://localhost:3000',
  ),
  SENDER_EMAIL: withDefault(email, 'orders@shop.example'),
  SES_CONFIGURATION_SET: optional(text(1)),
  POLICY_VERSION: withDefault(text(1), '2026-11-01'),
  /** Partner id → Secrets Manager ARN of its keyring (AWS); only functions that sign or verify get it. */
  PARTNER_SECRET_REFS: optional(
    jsonOf(
      recordOf(
        (k) => PARTNER_ID_PATTERN.test(k),
        (v, path) => text(1)(expectString(v, path), path),
      ),
    ),
  ),
  /** Queue name → SQS URL (AWS). */
  QUEUE_URLS: optional(
    jsonOf(
      recordOf(
        () => true,
        (v, path) => url(v, { path }),
      ),
    ),
  ),
  RETENTION_AFTER_DELIVERY_DAYS: withDefault(positiveInt, RETENTION_DEFAULTS.afterDeliveryDays),
  RETENTION_UNDELIVERED_DAYS: withDefault(positiveInt, RETENTION_DEFAULTS.undeliveredDays),
  RETENTION_ACCOUNTING_YEARS: withDefault(positiveInt, RETENTION_DEFAULTS.accountingYears),
  /** Set on a partner's delivery function in AWS: it serves only that partner's queue. */
  PARTNER_ID: optional((raw) => partnerId(raw, [])),
  IDEMPOTENCY_HOURS: withDefault(
    wholeNumber(24, Number.MAX_SAFE_INTEGER, POSITIVE),
    RETENTION_DEFAULTS.idempotencyHours,
  ),
  DATA_KEY_MAX_AGE_SECONDS: withDefault(positiveInt, 600),
  DATA_KEY_MAX_USES: withDefault(positiveInt, 100_000),
  DELIVERY_MAX_ATTEMPTS: withDefault(positiveInt, 16),
  DELIVERY_BASE_DELAY_SECONDS: withDefault(positiveInt, 30),
  DELIVERY_TIMEOUT_MS: withDefault(positiveInt, 15_000),
  /** Seconds a loaded partner keyring is used before it is read again (0: every time). */
  PARTNER_SECRET_CACHE_SECONDS: withDefault(wholeNumber(0, 3600, SECONDS, 'must be at most 3600'), 60),
} satisfies Record<string, Variable<unknown>>;

/**
 * The readers of the partner list and the origin country, apart from `VARIABLES`: they need the
 * inventory's fields and the country codes, which a function given neither setting then does not
 * bundle. The functions given them pass these to `configFor` (shared/compose/config.ts; the type
 * checker insists); `loadConfig` and `loadConfigFor` always use them.
 */
export const PARTNER_READERS = {
  PARTNERS: (raw: string | undefined): PartnerConfig[] | undefined =>
    raw === undefined ? undefined : jsonOf(checkPartners)(raw),
  ORIGIN_COUNTRY: (raw: string | undefined): string => (raw === undefined ? 'CN' : country(raw)),
  /** The partners when PARTNERS is not set: local stand-ins (plain http, refused in aws mode). */
  defaultPartners: (): PartnerConfig[] => [
    {
      id: 'warehouse',
      kind: 'warehouse',
      url: 'http://localhost:3000/_sample/warehouse',
      fields: [...DEFAULT_PARTNER_FIELDS.warehouse],
    },
    {
      id: 'carrier',
      kind: 'carrier',
      url: 'http://localhost:3000/_sample/carrier',
      fields: [...DEFAULT_PARTNER_FIELDS.carrier],
    },
  ],
};
export type PartnerReaders = typeof PARTNER_READERS;
type PartnerVariable = 'PARTNERS' | 'ORIGIN_COUNTRY';

export type EnvVariable = keyof typeof VARIABLES | PartnerVariable;
export type Env = { readonly [V in keyof typeof VARIABLES]: ReturnType<(typeof VARIABLES)[V]> } & {
  readonly [V in PartnerVariable]: ReturnType<PartnerReaders[V]>;
};

/**
 * Every variable read (in declaration order, then the partner readers' when given); the first
 * problem becomes one ConfigError naming it.
 */
function readEnv(env: NodeJS.ProcessEnv, readers: PartnerReaders | undefined): Env {
  const given = withoutEmpty(env);
  const values: Record<string, unknown> = {};
  const table: [string, Variable<unknown>][] = Object.entries(VARIABLES);
  if (readers) table.push(['ORIGIN_COUNTRY', readers.ORIGIN_COUNTRY], ['PARTNERS', readers.PARTNERS]);
  for (const [variable, read] of table) {
    try {
      values[variable] = read(given[variable]);
    } catch (error) {
      if (!(error instanceof SettingValueError)) throw error;
      const where = error.path.length > 0 ? ` (at ${error.path.join('.')})` : '';
      throw new ConfigError(variable, `${error.message}${where}`);
    }
  }
  return values as Env;
}

export interface Config {
  readonly mode: 'aws' | 'local';
  readonly tableName: string;
  /** The key table holding each personal record's secret (crypto-shredding). */
  readonly keyTableName: string;
  /** Days the key table's backups are kept (0 = none). */
  readonly shredBackupDays: number;
  readonly kmsKeyId: string | undefined;
  readonly dataDir: string;
  readonly publicBaseUrl: string;
  readonly senderEmail: string;
  readonly sesConfigurationSet: string | undefined;
  readonly originCountry: string;
  readonly policyVersion: string;
  readonly partners: readonly PartnerConfig[];
  /** Partner id → Secrets Manager ARN/name of its keyring (AWS), kept apart from `partners`. */
  readonly partnerSecretRefs: Readonly<Record<string, string>>;
  readonly queueUrls: Readonly<Record<string, string>>;
  readonly retention: {
    readonly afterDeliveryDays: number;
    readonly undeliveredDays: number;
    readonly accountingYears: number;
  };
  readonly partnerId: string | undefined;
  readonly idempotencyHours: number;
  readonly dataKeyCache: { readonly maxAgeSeconds: number; readonly maxUses: number };
  readonly delivery: {
    readonly maxAttempts: number;
    readonly baseDelaySeconds: number;
    readonly timeoutMs: number;
  };
  /** Seconds a loaded partner keyring is cached: a rotation takes effect within this time. */
  readonly secretCacheSeconds: number;
}

/** Parse the environment; the first problem becomes one ConfigError naming its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig(env, SETTING_NAMES, PARTNER_READERS);
}

/** A function given partners or the origin country was composed without PARTNER_READERS: a bug. */
export class ReadersNotGivenError extends Error {
  override readonly name = 'ReadersNotGivenError';
  constructor(readonly fn: string) {
    super(`Function ${fn} reads partners or origin: pass PARTNER_READERS to configFor`);
  }
}

function parseConfig(
  env: NodeJS.ProcessEnv,
  settings: ReadonlySet<Setting>,
  readers: PartnerReaders | undefined,
): Config {
  const e = readEnv(env, readers);
  if (e.MINIMIS_MODE === 'aws' && settings.has('kmsKeyId') && !e.KMS_KEY_ID)
    throw new ConfigError('KMS_KEY_ID', 'is required in aws mode');
  // Carrier payloads hold names and addresses: in AWS they only ever travel over TLS.
  const plain = (e.PARTNERS ?? []).findIndex((p) => !p.url.startsWith('https://'));
  if (e.MINIMIS_MODE === 'aws' && settings.has('partners') && plain >= 0) {
    throw new ConfigError('PARTNERS', `url must be https in aws mode (at ${plain})`);
  }
  return {
    mode: e.MINIMIS_MODE,
    tableName: e.TABLE_NAME,
    keyTableName: e.KEY_TABLE_NAME ?? `${e.TABLE_NAME}-keys`,
    shredBackupDays: e.SHRED_BACKUP_DAYS,
    kmsKeyId: e.KMS_KEY_ID,
    dataDir: e.MINIMIS_DATA_DIR,
    publicBaseUrl: e.PUBLIC_BASE_URL.replace(/\/+$/, ''),
    senderEmail: e.SENDER_EMAIL,
    sesConfigurationSet: e.SES_CONFIGURATION_SET,
    originCountry: e.ORIGIN_COUNTRY ?? 'CN',
    policyVersion: e.POLICY_VERSION,
    partners: e.PARTNERS ?? readers?.defaultPartners() ?? [],
    partnerSecretRefs: e.PARTNER_SECRET_REFS ?? {},
    queueUrls: e.QUEUE_URLS ?? {},
    retention: {
      afterDeliveryDays: e.RETENTION_AFTER_DELIVERY_DAYS,
      undeliveredDays: e.RETENTION_UNDELIVERED_DAYS,
      accountingYears: e.RETENTION_ACCOUNTING_YEARS,
    },
    partnerId: e.PARTNER_ID,
    idempotencyHours: e.IDEMPOTENCY_HOURS,
    dataKeyCache: { maxAgeSeconds: e.DATA_KEY_MAX_AGE_SECONDS, maxUses: e.DATA_KEY_MAX_USES },
    delivery: {
      maxAttempts: e.DELIVERY_MAX_ATTEMPTS,
      baseDelaySeconds: e.DELIVERY_BASE_DELAY_SECONDS,
      timeoutMs: e.DELIVERY_TIMEOUT_MS,
    },
    secretCacheSeconds: e.PARTNER_SECRET_CACHE_SECONDS,
  };
}

/** The partners, each with the Secrets Manager ARN of its keyring where `partnerSecretRefs` names one. */
export function partnersWithSecretRefs(
  config: Pick<Config, 'partners' | 'partnerSecretRefs'>,
): readonly PartnerConfig[] {
  const refs = config.partnerSecretRefs;
  return config.partners.map((p) => (refs[p.id] ? { ...p, secretRef: refs[p.id] } : p));
}

/** The environment variables each setting is read from. */
export const SETTING_VARIABLES: Readonly<Record<Setting, readonly EnvVariable[]>> = {
  mode: ['MINIMIS_MODE'],
  tableName: ['TABLE_NAME'],
  keyTableName: ['KEY_TABLE_NAME'],
  shredBackupDays: ['SHRED_BACKUP_DAYS'],
  kmsKeyId: ['KMS_KEY_ID'],
  dataDir: ['MINIMIS_DATA_DIR'],
  publicBaseUrl: ['PUBLIC_BASE_URL'],
  senderEmail: ['SENDER_EMAIL'],
  sesConfigurationSet: ['SES_CONFIGURATION_SET'],
  originCountry: ['ORIGIN_COUNTRY'],
  policyVersion: ['POLICY_VERSION'],
  partners: ['PARTNERS'],
  partnerSecretRefs: ['PARTNER_SECRET_REFS'],
  queueUrls: ['QUEUE_URLS'],
  retention: ['RETENTION_AFTER_DELIVERY_DAYS', 'RETENTION_UNDELIVERED_DAYS', 'RETENTION_ACCOUNTING_YEARS'],
  partnerId: ['PARTNER_ID'],
  idempotencyHours: ['IDEMPOTENCY_HOURS'],
  dataKeyCache: ['DATA_KEY_MAX_AGE_SECONDS', 'DATA_KEY_MAX_USES'],
  delivery: ['DELIVERY_MAX_ATTEMPTS', 'DELIVERY_BASE_DELAY_SECONDS', 'DELIVERY_TIMEOUT_MS'],
  secretCacheSeconds: ['PARTNER_SECRET_CACHE_SECONDS'],
};
const SETTING_NAMES: ReadonlySet<Setting> = new Set(Object.keys(SETTING_VARIABLES) as Setting[]);

/** The environment variables a function is given (infra sets exactly these). */
export function variablesOf(fn: FunctionName): string[] {
  return [...new Set(FUNCTIONS[fn].settings.flatMap((s) => SETTING_VARIABLES[s]))];
}

/** A function read a setting it is not given: a bug (infra would not set its variable). */
export class SettingNotGivenError extends Error {
  override readonly name = 'SettingNotGivenError';
  constructor(
    readonly fn: string,
    readonly setting: string,
  ) {
    super(`Function ${fn} reads setting ${setting}, not in its contract`);
  }
}

/**
 * `config` narrowed to what the function is given: reading any other setting throws
 * SettingNotGivenError, in AWS and locally alike, so a function cannot quietly run on a default its
 * deployment never set.
 */
export function scopeConfig(config: Config, contract: FunctionContract): Config {
  const given: ReadonlySet<string> = new Set(contract.settings);
  return new Proxy(config, {
    get(target, property, receiver) {
      if (typeof property === 'string' && SETTING_NAMES.has(property as Setting) && !given.has(property))
        throw new SettingNotGivenError(contract.name, property);
      return Reflect.get(target, property, receiver);
    },
  });
}

/** One function's configuration, by its name, from only its own variables (others in `env` are ignored). */
export function loadConfigFor(fn: FunctionName, env: NodeJS.ProcessEnv = process.env): Config {
  return readConfigFor(FUNCTIONS[fn], env, PARTNER_READERS);
}

/**
 * One function's configuration from only its own variables, with the partner readers passed in
 * (what a Lambda's composition calls with its own contract, so that a bundle carries neither the
 * other functions' contracts nor, unless given partners or the origin country, their readers).
 */
export function readConfigFor(
  contract: FunctionContract,
  env: NodeJS.ProcessEnv,
  readers?: PartnerReaders,
): Config {
  const settings = new Set<Setting>(contract.settings);
  if (!readers && (settings.has('partners') || settings.has('originCountry')))
    throw new ReadersNotGivenError(contract.name);
  const own: ReadonlySet<string> = new Set(contract.settings.flatMap((s) => SETTING_VARIABLES[s]));
  const picked = Object.fromEntries(Object.entries(env).filter(([name]) => own.has(name)));
  return scopeConfig(parseConfig(picked, settings, readers), contract);
}

export type { PartnerKind };
