import { afterEach, beforeEach, vi } from 'vitest';

/**
 * What a test's code writes to stdout and stderr, for the logger tests: every line written while
 * `act` runs, tagged with its stream (`stdout …`, `stderr …`); the streams are restored after.
 */
export function captured(act: () => void): string[] {
  const lines: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const tap = (stream: string) =>
    ((chunk: string | Uint8Array) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      for (const line of text.split('\n')) if (line !== '') lines.push(`${stream} ${line}`);
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = tap('stdout');
  process.stderr.write = tap('stderr');
  try {
    act();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return lines;
}

/** The environment variables the logger (ours or Powertools') reads. */
export const LOGGER_ENV_KEYS = [
  'POWERTOOLS_LOG_LEVEL',
  'LOG_LEVEL',
  'AWS_LAMBDA_LOG_LEVEL',
  '_X_AMZN_TRACE_ID',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_DEV',
] as const;

/**
 * For each test of the file: the logger's environment variables cleared before and restored after,
 * and `Date` frozen at 2026-12-02T10:00:00.123Z (the entries' timestamps).
 */
export function isolateLoggerTests(keys: readonly string[] = LOGGER_ENV_KEYS): { clear(): void } {
  const environment = loggerEnvironment(keys);
  beforeEach(() => {
    environment.clear();
    vi.useFakeTimers({ now: new Date('2026-12-02T10:00:00.123Z'), toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    environment.restore();
  });
  return environment;
}

/** The logger's environment variables: `clear()` before a test, `restore()` after it. */
function loggerEnvironment(keys: readonly string[]): { clear(): void; restore(): void } {
  const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
  return {
    clear: () => {
      for (const key of keys) delete process.env[key];
    },
    restore: () => {
      for (const key of keys) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    },
  };
}
