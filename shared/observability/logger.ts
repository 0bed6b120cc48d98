/**
 * Structured JSON logs, one line per entry, in the Powertools for AWS Lambda logger's format
 * (`level`, `message`, `timestamp`, `service`, `sampling_rate`, `xray_trace_id`, then the entry's
 * fields; empty top-level values dropped; DEBUG and INFO to stdout, WARN and ERROR to stderr), so
 * CloudWatch queries written for Powertools work unchanged. `test/unit/logger.test.ts` holds the
 * output to the Powertools logger's, line for line.
 *
 * Ours rather than Powertools' (README, "Bundle size and cold import"): the Powertools logger is
 * a class (its buffering, sampling, correlation ids and formatters cannot be tree-shaken) of
 * 20.5 KB in every bundle; this is well under 1 KB. And it is stricter than Powertools about
 * errors: an `Error` among the fields is written as its class name only, never its message,
 * stack or cause (which may carry a submitted value), where Powertools writes all three.
 *
 * Never pass request bodies, personal fields or decrypted values here: log ids, counts, states
 * and error names only. `errorFields` keeps causes to their names.
 */

import { Console } from 'node:console';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, ...fields: LogFields[]): void;
  info(message: string, ...fields: LogFields[]): void;
  warn(message: string, ...fields: LogFields[]): void;
  error(message: string, ...fields: LogFields[]): void;
}

/** Powertools' thresholds (`LogLevelThreshold`); an entry is written at or above the threshold. */
const THRESHOLDS = { TRACE: 6, DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, CRITICAL: 24, SILENT: 28 } as const;
type LevelName = keyof typeof THRESHOLDS;

/** A level's threshold; as Powertools, only the upper-case names are levels. */
const thresholdOf = (name: string | undefined): number | undefined =>
  name !== undefined && Object.hasOwn(THRESHOLDS, name) ? THRESHOLDS[name as LevelName] : undefined;

/** An environment variable as Powertools reads it: trimmed, empty counts as unset. */
const fromEnv = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name]?.trim() || undefined;

/**
 * The threshold Powertools settles on: Lambda's Advanced Logging Controls level
 * (AWS_LAMBDA_LOG_LEVEL, FATAL read as CRITICAL) where Lambda sets one, else POWERTOOLS_LOG_LEVEL,
 * else LOG_LEVEL, else INFO. (The construct sets the first two to the same level.)
 */
export function logThreshold(env: NodeJS.ProcessEnv = process.env): number {
  const lambda = fromEnv(env, 'AWS_LAMBDA_LOG_LEVEL');
  return (
    thresholdOf(lambda === 'FATAL' ? 'CRITICAL' : lambda) ??
    thresholdOf(fromEnv(env, 'POWERTOOLS_LOG_LEVEL') ?? fromEnv(env, 'LOG_LEVEL')) ??
    THRESHOLDS.INFO
  );
}

/** Where Lambda's runtime keeps per-invocation data when one instance serves several at once. */
type InvokeStoreHolder = { awslambda?: { InvokeStore?: { getXRayTraceId(): string | undefined } } };

/** The X-Ray trace id of the invocation (`Root` of the trace header), as Powertools reads it. */
function traceId(): string | undefined {
  const header =
    (globalThis as InvokeStoreHolder).awslambda?.InvokeStore?.getXRayTraceId() ??
    fromEnv(process.env, '_X_AMZN_TRACE_ID');
  if (header === undefined || header === '') return undefined;
  if (!header.includes('=')) return header;
  for (const field of header.split(';')) {
    const [key, value] = field.split('=');
    if (key === 'Root') return value;
  }
  return undefined;
}

/** Keys every entry sets itself; a field of that name is dropped (with a warning, as Powertools). */
const RESERVED: ReadonlySet<string> = new Set(['level', 'message', 'sampling_rate', 'service', 'timestamp']);

/**
 * JSON.stringify replacer. An Error is its class name only, also one with a `toJSON` (the replacer
 * sees what `toJSON` returned, so the original is read from its holder); a bigint its digits; a
 * value that is one of its own ancestors is dropped (as Powertools drops cycles).
 */
function replacer(): (this: unknown, key: string, value: unknown) => unknown {
  const ancestors: unknown[] = [];
  return function (this: unknown, key, value) {
    const original = key === '' ? value : (this as Record<string, unknown>)[key];
    if (original instanceof Error) return { name: original.name };
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'object' && value !== null) {
      while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
      if (ancestors.includes(value)) return undefined;
      ancestors.push(value);
    }
    return value;
  };
}

/**
 * A logger for `service` (the function's POWERTOOLS_SERVICE_NAME where Lambda sets one, so each
 * partner's delivery function logs as itself; else `service`, e.g. `minimis-get-order`). A log call
 * never throws: fields that cannot be written (a getter that throws, say) leave the entry with its
 * own keys and `logFieldsDropped: true`; a failed write (a closed pipe) is ignored, as the
 * Powertools logger's Console ignores it.
 */
export function createLogger(service: string): Logger {
  const name = fromEnv(process.env, 'POWERTOOLS_SERVICE_NAME') ?? service;
  const threshold = logThreshold();
  const out = new Console({ stdout: process.stdout, stderr: process.stderr });
  const write = (level: LevelName, method: 'info' | 'warn' | 'error') => {
    const log = (message: string, ...fields: LogFields[]): void => {
      if (THRESHOLDS[level] < threshold) return;
      const base = {
        level,
        message,
        timestamp: new Date().toISOString(),
        service: name,
        sampling_rate: 0,
        xray_trace_id: traceId(),
      };
      const entry: Record<string, unknown> = { ...base };
      const reserved: string[] = [];
      let line: string;
      try {
        for (const extra of fields)
          for (const [key, value] of Object.entries(extra)) {
            if (RESERVED.has(key)) reserved.push(key);
            else entry[key] = value;
          }
        for (const key of Object.keys(entry)) {
          const value = entry[key];
          if (value === undefined || value === null || value === '') delete entry[key];
        }
        line = JSON.stringify(entry, replacer());
      } catch {
        line = JSON.stringify({ ...base, xray_trace_id: base.xray_trace_id, logFieldsDropped: true });
      }
      for (const key of reserved) logger.warn(`The key "${key}" is a reserved key and will be dropped.`);
      out[method](line);
    };
    return log;
  };
  const logger: Logger = {
    debug: write('DEBUG', 'info'),
    info: write('INFO', 'info'),
    warn: write('WARN', 'warn'),
    error: write('ERROR', 'error'),
  };
  return logger;
}

/** Our typed errors, whose messages are written to never carry a submitted or personal value. */
const OWN_ERRORS = new Set([
  'ValidationError',
  'CardDataError',
  'IdempotencyInProgressError',
  'IdempotencyKeyReusedError',
  'OrderNotFoundError',
  'TransitionError',
  'SealError',
  'DependencyError',
  'ConfigError',
  'NoLookupKeyError',
]);

/** An error reduced to what is safe to log: class names, and messages only of our own errors. */
export function errorFields(error: unknown): Record<string, string> {
  if (!(error instanceof Error)) return { errorName: typeof error };
  const fields: Record<string, string> = { errorName: error.name };
  if (OWN_ERRORS.has(error.name)) fields.errorMessage = error.message;
  if (error.cause instanceof Error) fields.causeName = error.cause.name;
  return fields;
}
