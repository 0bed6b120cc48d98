import { exportCustomer } from '#shared/usecases/export-customer.js';
import { parseOptions, readEmail, TARGET_OPTIONS } from '../args.js';
import { type Command, json, TARGET_HELP, withTarget } from '../command.js';

const HELP = `Usage: minimis export --email <address> [--aws]

Prints, as JSON on stdout, everything minimis holds about one person, decrypted: each order whose
personal data is still held (its non-personal record, its personal fields per purpose and when they
expire, and who received which of its fields when, from its disclosure ledger), the consent
ledger, the marketing contact and the suppression state. Expired personal data
is not included: it is gone. This is the one place minimis prints personal data, by design.

Options:
  --email <address>  the person's email address (required); "--email -" reads it from stdin,
                     which keeps it out of shell history and the process list
${TARGET_HELP}
  -h, --help         show this help
`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'print everything held about one person (JSON, decrypted), incl. the consent ledger',
  help: HELP,
  async run(args, io) {
    const values = parseOptions(args, { email: { type: 'string' }, ...TARGET_OPTIONS });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const email = await readEmail(values.email, io);
    const result = await withTarget(io, values.aws as boolean | undefined, ({ wiring: w }) =>
      exportCustomer(
        {
          orders: w.orders,
          consent: w.consent,
          dataKeys: w.dataKeys,
          recordSecrets: w.recordSecrets,
          lookup: w.lookup,
          clock: w.clock,
          disclosures: { store: w.ledger, mac: w.ledgerKey.mac, principal: w.principal },
        },
        email,
      ),
    );
    io.out(json(result));
    return 0;
  },
};
