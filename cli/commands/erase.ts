import { eraseCustomer } from '#shared/usecases/erase-customer.js';
import { parseOptions, readEmail, TARGET_OPTIONS } from '../args.js';
import { type Command, json, TARGET_HELP, withTarget } from '../command.js';
import { CliError, UsageError } from '../errors.js';

const HELP = `Usage: minimis erase --email <address> --yes [--aws]

Erases all personal data held about one person: the personal record of every order, the consent
ledger and the marketing contact. Keeps the non-personal order records (accounting; GET /orders/{id}
still answers) and a suppression entry (a keyed hash of the address, so it is never mailed again).
Prints a receipt as JSON on stdout; the receipt holds no personal data. Safe to repeat: a second
run finds nothing and says so. Backups (point-in-time recovery) keep erased data up to 35 days.

Erasure cannot be undone: --yes confirms it. Without --yes the command asks at a terminal, and
refuses (exit 2) when not run from one.

Options:
  --email <address>  the person's email address (required); "--email -" reads it from stdin,
                     which keeps it out of shell history and the process list
  --yes              confirm the erasure (required when not at a terminal)
${TARGET_HELP}
  -h, --help         show this help
`;

export const eraseCommand: Command = {
  name: 'erase',
  summary:
    'erase one person\u2019s personal data (keeps non-personal orders and suppression); prints a receipt',
  help: HELP,
  async run(args, io) {
    const values = parseOptions(args, {
      email: { type: 'string' },
      yes: { type: 'boolean' },
      ...TARGET_OPTIONS,
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const email = await readEmail(values.email, io);
    if (!values.yes) {
      if (!io.interactive) throw new UsageError('erasure cannot be undone: add --yes to confirm');
      const answer = await io.prompt(
        'This permanently erases the personal data held for this address. Type "erase" to continue: ',
      );
      if (answer.trim() !== 'erase') throw new CliError('not confirmed; nothing was erased');
    }
    const receipt = await withTarget(io, values.aws as boolean | undefined, ({ wiring: w }) =>
      eraseCustomer(
        { orders: w.orders, consent: w.consent, lookup: w.lookup, fence: w.fence, clock: w.clock },
        email,
      ),
    );
    io.err(
      receipt.outcome === 'erased'
        ? `erased: personal data of ${receipt.ordersErased.length} order(s)${receipt.consentLedgerRemoved || receipt.marketingContactRemoved ? ' and the customer record' : ''}`
        : 'nothing to erase: no personal data is held for this address',
    );
    io.out(json(receipt));
    return 0;
  },
};
