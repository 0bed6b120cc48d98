import { PARTNER_ID_PATTERN } from '#shared/contracts.js';
import { redriveDeliveries, UnknownPartnerError } from '#shared/usecases/redrive.js';
import { parseOptions, TARGET_OPTIONS } from '../args.js';
import { type Command, json, TARGET_HELP, withTarget } from '../command.js';
import { UsageError } from '../errors.js';

const HELP = `Usage: minimis redrive [--partner <id>] [--aws]

Re-sends dead-lettered partner deliveries: their deliveries go back to "pending" in the order
status and the messages move back to the partner's queue, to be delivered again with the same
webhook-id (partners deduplicate on it). All partners unless --partner is given. Progress goes to
stderr; a JSON summary per partner to stdout.

Options:
  --partner <id>     only this partner (an id from the configuration, e.g. carrier)
${TARGET_HELP}
  -h, --help         show this help

Against AWS, QUEUE_URLS must map partner-<id> and partner-<id>-dlq to their SQS queue URLs, and
PARTNERS list the partners unless they are the default warehouse and carrier.
`;

export const redriveCommand: Command = {
  name: 'redrive',
  summary: 're-send dead-lettered partner deliveries',
  help: HELP,
  async run(args, io) {
    const values = parseOptions(args, { partner: { type: 'string' }, ...TARGET_OPTIONS });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const partner = values.partner as string | undefined;
    if (partner !== undefined && !PARTNER_ID_PATTERN.test(partner))
      throw new UsageError('--partner must be a partner id');
    const counts = await withTarget(io, values.aws as boolean | undefined, async ({ wiring: w }) => {
      try {
        return await redriveDeliveries(
          { queue: w.queue, orders: w.orders, partners: w.config.partners, clock: w.clock },
          partner,
          ({ partnerId, moved }) => io.err(`${partnerId}: moved ${moved} back to the queue…`),
        );
      } catch (error) {
        if (error instanceof UnknownPartnerError) {
          const known = w.config.partners.map((p) => p.id).join(', ');
          throw new UsageError(`unknown partner ${error.partnerId} (configured: ${known})`);
        }
        throw error;
      }
    });
    for (const c of counts)
      io.err(`${c.partnerId}: ${c.moved} dead-lettered deliver${c.moved === 1 ? 'y' : 'ies'} redriven`);
    io.out(json({ partners: counts }));
    return 0;
  },
};
