import { CliError } from './errors.js';
import type { CliIo } from './io.js';
import { connect, explainTargetFailure, type Target } from './target.js';

export interface Command {
  readonly name: string;
  /** One line for `minimis --help`. */
  readonly summary: string;
  /** The full `minimis <command> --help` text. */
  readonly help: string;
  /** Runs with the arguments after the command name; returns the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Connects (local mode or AWS), runs `work`, closes; recognised connection problems become one line. */
export async function withTarget<T>(
  io: CliIo,
  aws: boolean | undefined,
  work: (target: Target) => Promise<T>,
) {
  const target = connect(io, aws);
  try {
    return await work(target);
  } catch (error) {
    const explained = explainTargetFailure(
      error,
      target.mode,
      target.endpoint,
      target.wiring.config.tableName,
    );
    throw explained ? new CliError(explained, { cause: error }) : error;
  } finally {
    target.close();
  }
}

export const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const TARGET_HELP =
  '  --aws              work against AWS with your credentials instead of local mode (see `minimis --help`)';
