import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Structured JSON logs. Never pass request bodies, personal fields or decrypted values here:
 * log ids, counts, states and error names only. `errorFields` keeps causes to their names.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({
    serviceName,
    logLevel: (process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
  });
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
