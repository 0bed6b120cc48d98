/**
 * CLI errors. Their messages are written to be printed as they are: they name options, variables
 * and endpoints, never a value the operator typed (an email address is personal data).
 */

/** Bad usage: unknown command or option, missing or invalid value. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure with a message that is safe and useful to print. Exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
