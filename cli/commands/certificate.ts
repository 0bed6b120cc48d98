import { CERTIFICATE_ID_PATTERN } from '#shared/domain/certificate.js';
import { showCertificate } from '#shared/usecases/certify-erasure.js';
import { parseOptions, TARGET_OPTIONS } from '../args.js';
import { type Command, json, TARGET_HELP, withTarget } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';

const HELP = `Usage: minimis certificate <id> [--aws]

Shows an erasure certificate again (era_…, printed by \`minimis erase\`), as JSON on stdout: what
was erased (order ids, record counts), when each copy became or becomes unrecoverable, and for
each partner that received personal data when the redaction (order.redacted) was requested, sent
and acknowledged — with the acknowledgements that arrived so far. It holds no personal data.

Options:
${TARGET_HELP}
  -h, --help         show this help
`;

export const certificateCommand: Command = {
  name: 'certificate',
  summary: 'show an erasure certificate again, with partners\u2019 acknowledgements so far',
  help: HELP,
  async run(args, io) {
    const [id, ...rest] = args;
    if (id === '--help' || id === '-h' || rest.includes('--help') || rest.includes('-h')) {
      io.out(HELP);
      return EXIT.ok;
    }
    const values = parseOptions(rest, { ...TARGET_OPTIONS });
    if (id === undefined || id.startsWith('-'))
      throw new UsageError('the certificate id (era_…) is required');
    if (!CERTIFICATE_ID_PATTERN.test(id)) throw new UsageError('a certificate id is era_ and 26 characters');
    const shown = await withTarget(io, values.aws as boolean | undefined, ({ wiring: w }) =>
      showCertificate({ certificates: w.certificates, ledger: w.ledger }, id),
    );
    if (!shown) throw new CliError(`no certificate ${id}`);
    const acknowledged = shown.redactions.filter((r) => r.state === 'acknowledged').length;
    io.err(
      `certificate ${id}: ${shown.erased.orders.length} order(s) erased; ${acknowledged} of ${shown.redactions.length} partner redaction(s) acknowledged`,
    );
    io.out(json(shown));
    return EXIT.ok;
  },
};
