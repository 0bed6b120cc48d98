import * as z from 'zod';
import { FUNCTIONS, type FunctionName, PARTNER_ID_PATTERN, type Setting } from './contracts.js';
import { COUNTRY_CODES } from './domain/countries.js';
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

const countryCode = z
  .string()
  .refine((c) => COUNTRY_CODES.has(c), 'must be ISO 3166-1 alpha-2 country codes');

const partnerId = z.string().regex(PARTNER_ID_PATTERN, 'must be a lowercase id (a-z, 0-9, -)');

/**
 * One fulfilment partner. `fields` defaults to the kind's default choice and must be drawn from
 * the inventory fields that this kind of partner may receive.
 */
export const partnerConfigSchema = z
  .strictObject({
    id: partnerId,
    kind: z.enum(PARTNER_KINDS),
    url: z.url({ protocol: /^https?$/ }),
    /** Raw `whsec_…` secret (local mode) … */
    secret: z.string().startsWith('whsec_').optional(),
    /** … or the Secrets Manager ARN/name holding it (AWS). */
    secretRef: z.string().min(1).optional(),
    fields: z.array(z.enum(FIELD_PATHS as [FieldPath, ...FieldPath[]])).optional(),
    /** Destinations this partner serves (ISO 3166-1 alpha-2); absent: all. */
    countries: z.array(countryCode).min(1).optional(),
    /** Destinations this partner never gets (e.g. served by another carrier). */
    exceptCountries: z.array(countryCode).min(1).optional(),
  })
  .transform((p) => ({ ...p, fields: p.fields ?? [...DEFAULT_PARTNER_FIELDS[p.kind]] }))
  .superRefine((p, ctx) => {
    for (const path of p.fields) {
      const field: FieldDeclaration = FIELDS[path];
      if (!field.shareableWith.includes(p.kind)) {
        ctx.addIssue({ code: 'custom', message: `field ${path} may not be sent to a ${p.kind}` });
      }
    }
  });
export type PartnerConfig = z.output<typeof partnerConfigSchema>;

export const partnersSchema = z
  .array(partnerConfigSchema)
  .min(1)
  .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, 'partner ids must be unique');

/** Deploy-time retention (CDK context `minimis.retention`), defaults from the inventory. */
export const retentionSettingsSchema = z
  .strictObject({
    afterDeliveryDays: z.number().int().positive().default(RETENTION_DEFAULTS.afterDeliveryDays),
    undeliveredDays: z.number().int().positive().default(RETENTION_DEFAULTS.undeliveredDays),
    accountingYears: z.number().int().positive().default(RETENTION_DEFAULTS.accountingYears),
  })
  .default({
    afterDeliveryDays: RETENTION_DEFAULTS.afterDeliveryDays,
    undeliveredDays: RETENTION_DEFAULTS.undeliveredDays,
    accountingYears: RETENTION_DEFAULTS.accountingYears,
  });

const boolish = z.enum(['true', 'false']).transform((v) => v === 'true');
const positiveInt = z.coerce
  .number({ error: 'must be a positive whole number' })
  .int({ error: 'must be a positive whole number' })
  .positive({ error: 'must be a positive whole number' });
/** An assigned ISO 3166-1 alpha-2 code (`UK` is not one: the United Kingdom is `GB`). */
export const countrySetting = z
  .string()
  .refine((c) => COUNTRY_CODES.has(c), 'must be an ISO 3166-1 alpha-2 country code (e.g. GB, DE, CN)');
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** Environment variables set to the empty string count as unset (`PORT= npm start`). */
export function withoutEmpty(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

const jsonOf = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** Every environment variable minimis reads, in one place, parsed once at cold start. */
export const envSchema = z.object({
  MINIMIS_MODE: z.enum(['aws', 'local']).default('aws'),
  TABLE_NAME: z.string().min(3).default('minimis'),
  /** The key table (record secrets); default `<TABLE_NAME>-keys`. */
  KEY_TABLE_NAME: z.string().min(3).optional(),
  /** Days the key table's backups are kept (0: none); the erasure log outlives them by a day. */
  SHRED_BACKUP_DAYS: z.coerce
    .number({ error: 'must be a whole number of days (0 or more)' })
    .int({ error: 'must be a whole number of days (0 or more)' })
    .min(0, { error: 'must be a whole number of days (0 or more)' })
    .max(35, { error: 'must be at most 35 days' })
    .default(7),
  KMS_KEY_ID: z.string().min(1).optional(),
  MINIMIS_DATA_DIR: z.string().min(1).default('.minimis'),
  PUBLIC_BASE_URL: httpUrl.default('http://localhost:3000'),
  SENDER_EMAIL: z.email({ error: 'must be an email address' }).default('orders@shop.example'),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  ORIGIN_COUNTRY: countrySetting.default('CN'),
  POLICY_VERSION: z.string().min(1).default('2026-11-01'),
  PARTNERS: jsonOf(partnersSchema).optional(),
  /** Partner id → Secrets Manager ARN of its keyring (AWS); only functions that sign or verify get it. */
  PARTNER_SECRET_REFS: jsonOf(z.record(z.string().regex(PARTNER_ID_PATTERN), z.string().min(1))).optional(),
  /** Queue name → SQS URL (AWS). */
  QUEUE_URLS: jsonOf(z.record(z.string(), z.url())).optional(),
  RETENTION_AFTER_DELIVERY_DAYS: positiveInt.default(RETENTION_DEFAULTS.afterDeliveryDays),
  RETENTION_UNDELIVERED_DAYS: positiveInt.default(RETENTION_DEFAULTS.undeliveredDays),
  RETENTION_ACCOUNTING_YEARS: positiveInt.default(RETENTION_DEFAULTS.accountingYears),
  /** Set on a partner's delivery function in AWS: it serves only that partner's queue. */
  PARTNER_ID: partnerId.optional(),
  IDEMPOTENCY_HOURS: positiveInt.min(24).default(RETENTION_DEFAULTS.idempotencyHours),
  DATA_KEY_MAX_AGE_SECONDS: positiveInt.default(600),
  DATA_KEY_MAX_USES: positiveInt.default(100_000),
  DELIVERY_MAX_ATTEMPTS: positiveInt.default(16),
  DELIVERY_BASE_DELAY_SECONDS: positiveInt.default(30),
  DELIVERY_TIMEOUT_MS: positiveInt.default(15_000),
  /** Seconds a loaded partner keyring is used before it is read again (0: every time). */
  PARTNER_SECRET_CACHE_SECONDS: z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int({ error: 'must be a whole number of seconds' })
    .min(0, { error: 'must be a whole number of seconds' })
    .max(3600, { error: 'must be at most 3600' })
    .default(60),
  TRACE_ENABLED: boolish.default(false),
});
export type Env = z.output<typeof envSchema>;

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

const DEFAULT_PARTNERS: PartnerConfig[] = [
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
];

/** Parse the environment; the first problem becomes one ConfigError naming its variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return parseConfig(env, SETTING_NAMES);
}

function parseConfig(env: NodeJS.ProcessEnv, settings: ReadonlySet<Setting>): Config {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const where = issue && issue.path.length > 1 ? ` (at ${issue.path.slice(1).join('.')})` : '';
    throw new ConfigError(variable, `${issue?.message ?? 'is invalid'}${where}`);
  }
  const e = parsed.data;
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
    originCountry: e.ORIGIN_COUNTRY,
    policyVersion: e.POLICY_VERSION,
    partners: e.PARTNERS ?? DEFAULT_PARTNERS,
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
export const SETTING_VARIABLES: Readonly<Record<Setting, readonly (keyof Env)[]>> = {
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
    super(
      `Function ${fn} reads setting ${setting}, which its contract (shared/contracts.ts) does not give it`,
    );
  }
}

/**
 * `config` narrowed to what `fn` is given: reading any other setting throws SettingNotGivenError,
 * in AWS and locally alike, so a function cannot quietly run on a default its deployment never set.
 */
export function scopeConfig(config: Config, fn: FunctionName): Config {
  const given: ReadonlySet<string> = new Set(FUNCTIONS[fn].settings);
  return new Proxy(config, {
    get(target, property, receiver) {
      if (typeof property === 'string' && SETTING_NAMES.has(property as Setting) && !given.has(property))
        throw new SettingNotGivenError(fn, property);
      return Reflect.get(target, property, receiver);
    },
  });
}

/** One function's configuration, from only its own variables (others in `env` are ignored). */
export function loadConfigFor(fn: FunctionName, env: NodeJS.ProcessEnv = process.env): Config {
  const settings = new Set<Setting>(FUNCTIONS[fn].settings);
  const own = new Set(variablesOf(fn));
  const picked = Object.fromEntries(Object.entries(env).filter(([name]) => own.has(name)));
  return scopeConfig(parseConfig(picked, settings), fn);
}

export type { PartnerKind };
