/**
 * `minimis <command> [options]`: dispatch, help, and the exit-code contract — 0 success, 1 failure
 * (one line on stderr, no stack, no personal data), 2 bad usage.
 */
import { ConfigError } from '#shared/config.js';
import { DependencyError, NoLookupKeyError, SealError } from '#shared/domain/errors.js';
import { ReportSettingsError } from '#shared/report/settings.js';
import type { Command } from './command.js';
import { eraseCommand } from './commands/erase.js';
import { exportCommand } from './commands/export.js';
import { partnerCommand } from './commands/partner.js';
import { partnerCatalogCommand } from './commands/partner-catalog.js';
import { privacyReportCommand } from './commands/privacy-report.js';
import { purgeCommand } from './commands/purge.js';
import { redriveCommand } from './commands/redrive.js';
import { replayCommand } from './commands/replay.js';
import { CliError, EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';

export const COMMANDS: readonly Command[] = [
  exportCommand,
  eraseCommand,
  privacyReportCommand,
  redriveCommand,
  purgeCommand,
  replayCommand,
  partnerCommand,
  partnerCatalogCommand,
];

export const USAGE = `minimis — ops CLI for the minimis order pipeline

Usage: minimis <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(16)}${c.summary}`).join('\n')}

Run \`minimis <command> --help\` for the options of a command.

Where it works:
  local mode (default)  the DynamoDB of a running \`npm start\`: AWS_ENDPOINT_URL_DYNAMODB, or
                        http://127.0.0.1:$DYNAMODB_PORT (default 8000); keys from the local key
                        provider in $MINIMIS_DATA_DIR (default .minimis), or AWS KMS if KMS_KEY_ID is set.
  AWS (--aws, MINIMIS_MODE=aws, or KMS_KEY_ID and TABLE_NAME set)
                        your AWS credentials (the operator role) and region; TABLE_NAME and KMS_KEY_ID
                        of the deployment; QUEUE_URLS (JSON) for redrive.

Exit codes: 0 success, 1 failure, 2 bad usage.
`;

/** Echo a command word back only if it looks like one (never something that may be personal data). */
const COMMAND_WORD = /^[a-z][a-z-]{0,30}$/;

/** Errors whose messages are written to be shown (they name things, never values). */
function safeMessage(error: unknown): string {
  if (error instanceof CliError || error instanceof ConfigError || error instanceof ReportSettingsError) {
    return error.message;
  }
  if (error instanceof NoLookupKeyError) {
    return 'nothing is held about anyone yet: no order has been taken (the lookup key does not exist)';
  }
  if (error instanceof DependencyError && error.dependency === 'Local key service Decrypt') {
    return 'the key file in MINIMIS_DATA_DIR does not match this database: point MINIMIS_DATA_DIR at the data directory of the running `npm start`';
  }
  if (error instanceof DependencyError || error instanceof SealError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.name})` : '';
    return `${error.message}${cause}`;
  }
  return `unexpected failure (${error instanceof Error ? error.name : typeof error})`;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.err(USAGE);
    return EXIT.usage;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    io.out(USAGE);
    return EXIT.ok;
  }
  const name = first === 'help' ? rest[0] : first;
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const what = name?.startsWith('-')
      ? `unknown option ${/^--?[A-Za-z][\w-]*$/.test(name) ? name : ''}`.trim()
      : `unknown command${name && COMMAND_WORD.test(name) ? ` ${name}` : ''}`;
    io.err(`minimis: ${what}\nRun \`minimis --help\` for the list of commands.`);
    return EXIT.usage;
  }
  if (first === 'help') {
    io.out(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`minimis ${command.name}: ${error.message}\nRun \`minimis ${command.name} --help\` for usage.`);
      return EXIT.usage;
    }
    io.err(`minimis ${command.name}: ${safeMessage(error)}`);
    return EXIT.failure;
  }
}
