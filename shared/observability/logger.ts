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

/**
 * The threshold Powertools settles on: Lambda's Advanced Logging Controls level
 * (AWS_LAMBDA_LOG_LEVEL, FATAL read as CRITICAL) where Lambda sets one, else POWERTOOLS_LOG_LEVEL,
 * else LOG_LEVEL, else INFO. (The construct sets the first two to the same level.)
 */
export function logThreshold(env: NodeJS.ProcessEnv = process.env): number {
  const lambda = env.AWS_LAMBDA_LOG_LEVEL;
  return (
    thresholdOf(lambda === 'FATAL' ? 'CRITICAL' : lambda) ??
    thresholdOf(env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL) ??
    THRESHOLDS.INFO
  );
}

/** The X-Ray trace id of the invocation (`Root=` of `_X_AMZN_TRACE_ID`), read per entry. */
function traceId(): string | undefined {
  const header = process.env._X_AMZN_TRACE_ID;
  if (header === undefined) return undefined;
  const root = header.split(';')[0] ?? '';
  return root.startsWith('Root=') ? root.slice(5) : root;
}

/** JSON.stringify replacer: an Error is its class name only; a bigint its digits (as Powertools). */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name };
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * A logger for `service` (the function's POWERTOOLS_SERVICE_NAME where Lambda sets one, so each
 * partner's delivery function logs as itself; else `service`, e.g. `minimis-get-order`).
 */
export function createLogger(service: string): Logger {
  const name = process.env.POWERTOOLS_SERVICE_NAME || service;
  const threshold = logThreshold();
  const write =
    (level: LevelName, stream: 'stdout' | 'stderr') =>
    (message: string, ...fields: LogFields[]): void => {
      if (THRESHOLDS[level] < threshold) return;
      const entry: Record<string, unknown> = {
        level,
        message,
        timestamp: new Date().toISOString(),
        service: name,
        sampling_rate: 0,
        xray_trace_id: traceId(),
      };
      for (const extra of fields) Object.assign(entry, extra);
      for (const key of Object.keys(entry)) {
        const value = entry[key];
        if (value === undefined || value === null || value === '') delete entry[key];
      }
      process[stream].write(`${JSON.stringify(entry, replacer)}\n`);
    };
  return {
    debug: write('DEBUG', 'stdout'),
    info: write('INFO', 'stdout'),
    warn: write('WARN', 'stderr'),
    error: write('ERROR', 'stderr'),
  };
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
