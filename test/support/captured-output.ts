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

/** The logger's environment variables: `clear()` before a test, `restore()` after it. */
export function loggerEnvironment(keys: readonly string[]): { clear(): void; restore(): void } {
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
