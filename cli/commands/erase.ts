import { eraseWithCertificate } from '#shared/usecases/certify-erasure.js';
import { parseOptions, readEmail, TARGET_OPTIONS } from '../args.js';
import { type Command, json, TARGET_HELP, withTarget } from '../command.js';
import { CliError, UsageError } from '../errors.js';

const HELP = `Usage: minimis erase --email <address> --yes [--aws]

Erases all personal data held about one person: the personal record of every order, the consent
ledger and the marketing contact. Keeps the non-personal order records (accounting; GET /orders/{id}
still answers) and a suppression entry (a keyed hash of the address, so it is never mailed again).
Every partner that received personal data of one of the orders (per the disclosure ledger: the
carrier, never the warehouse) is sent order.redacted through its queue (signed, retried); its 2xx
acknowledgement is recorded in the ledger. Prints the receipt and the erasure certificate (era_…)
as JSON on stdout: what was erased, when each copy becomes unrecoverable, the redactions
requested. Neither holds personal data; \`minimis certificate <id>\` shows it again with the
acknowledgements so far. Safe to repeat: a second run finds nothing and says so.

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
    const { receipt, certificate } = await withTarget(
      io,
      values.aws as boolean | undefined,
      ({ wiring: w }) =>
        eraseWithCertificate(
          {
            orders: w.orders,
            consent: w.consent,
            lookup: w.lookup,
            fence: w.fence,
            clock: w.clock,
            ledger: w.ledger,
            ledgerMac: w.ledgerKey.mac,
            queue: w.queue,
            certificates: w.certificates,
            principal: w.principal,
            partners: w.config.partners,
            settings: {
              accountingYears: w.config.retention.accountingYears,
              shredBackupDays: w.config.shredBackupDays,
              partners: w.config.partners,
            },
          },
          email,
        ),
    );
    io.err(
      receipt.outcome === 'erased'
        ? `erased: personal data of ${receipt.ordersErased.length} order(s)${receipt.consentLedgerRemoved || receipt.marketingContactRemoved ? ' and the customer record' : ''}`
        : 'nothing to erase: no personal data is held for this address',
    );
    const notSent = certificate.redactions.filter((r) => r.notSent !== undefined);
    io.err(
      `certificate ${certificate.id}: order.redacted requested from ${certificate.redactions.length - notSent.length} partner(s); \`minimis certificate ${certificate.id}\` shows their acknowledgements`,
    );
    if (notSent.length > 0)
      io.err(
        `not sent: ${[...new Set(notSent.map((r) => r.partner))].join(', ')} received personal data but is no longer configured; ask it to delete the data out of band`,
      );
    io.out(json({ ...receipt, certificate }));
    return 0;
  },
};
