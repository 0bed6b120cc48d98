/** Strict option parsing (node:util parseArgs) with usage errors that never echo a typed value. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { z } from 'zod';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

const OPTION_NAME = /^--?[A-Za-z][\w-]*$/;

/** parseArgs' messages quote what was typed; keep only an option name, and only if it looks like one. */
function quotedOption(message: string): string | undefined {
  const quoted = /'(-[^'=\s]*)/.exec(message)?.[1];
  return quoted && OPTION_NAME.test(quoted) ? quoted : undefined;
}

function usageErrorFrom(error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : '';
  const option = quotedOption(message);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new UsageError(option ? `unknown option ${option}` : 'unknown option');
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError('unexpected argument: options take the form --name value');
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(message)) {
        return new UsageError(option ? `option ${option} takes no value` : 'an option takes no value');
      }
      return new UsageError(option ? `option ${option} needs a value` : 'an option needs a value');
    default:
      return new UsageError('invalid arguments');
  }
}

/** Parses `args` strictly against `options` (plus `--help`/`-h`); bad usage throws a UsageError. */
export function parseOptions<T extends Options>(args: readonly string[], options: T) {
  try {
    return parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw usageErrorFrom(error);
  }
}

const emailSchema = z.email();

/**
 * The `--email` value, or with `--email -` the first line of stdin (so the address stays out of
 * shell history and the process list): required, and an email address (never echoed).
 */
export async function readEmail(value: unknown, io: { readStdin(): Promise<string> }): Promise<string> {
  if (value !== '-') return requireEmail(value);
  const [line = ''] = (await io.readStdin()).split(/\r?\n/);
  return requireEmail(line);
}

/** The `--email` value: required, and an email address (the value itself is never echoed). */
export function requireEmail(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError('--email <address> is required');
  const email = value.trim();
  if (email.length > 254 || !emailSchema.safeParse(email).success) {
    throw new UsageError('--email must be an email address');
  }
  return email;
}

/** Options every command that reaches the data accepts. */
export const TARGET_OPTIONS = { aws: { type: 'boolean' } } as const satisfies Options;
