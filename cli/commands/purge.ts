import { purgeExpired } from '#shared/usecases/purge-expired.js';
import { parseOptions, TARGET_OPTIONS } from '../args.js';
import { type Command, json, TARGET_HELP, withTarget } from '../command.js';

/** Progress is reported after the first purged record, then every this many. */
export const PROGRESS_EVERY = 100;

const HELP = `Usage: minimis purge [--aws]

Deletes every personal record whose retention has passed, now (in AWS this also runs daily).
Expired data is already gone for every reader; this removes it physically without waiting for
DynamoDB TTL. Progress goes to stderr; a JSON summary to stdout.

Options:
${TARGET_HELP}
  -h, --help         show this help
`;

const records = (n: number) => `${n} record${n === 1 ? '' : 's'}`;

export const purgeCommand: Command = {
  name: 'purge',
  summary: 'delete expired personal data now (also scheduled daily in AWS)',
  help: HELP,
  async run(args, io) {
    const values = parseOptions(args, { ...TARGET_OPTIONS });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    io.err('purging expired personal data…');
    const result = await withTarget(io, values.aws as boolean | undefined, ({ wiring: w }) =>
      purgeExpired(w, (purged) => {
        if (purged === 1 || purged % PROGRESS_EVERY === 0) io.err(`purged ${records(purged)}…`);
      }),
    );
    io.err(
      `done: purged ${records(result.purged)}${result.alreadyGone > 0 ? ` (${records(result.alreadyGone)} already gone)` : ''}`,
    );
    io.out(json(result));
    return 0;
  },
};
