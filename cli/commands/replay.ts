import { isOrderId } from '#shared/domain/ids.js';
import { UnknownPartnerError } from '#shared/usecases/redrive.js';
import { type ReplaySelection, ReplayTypeError, replayMessages } from '#shared/usecases/replay.js';
import { parseOptions, TARGET_OPTIONS } from '../args.js';
import { type Command, json, TARGET_HELP, withTarget } from '../command.js';
import { UsageError } from '../errors.js';
import { knownPartners, requirePartner } from './partner-args.js';

const HELP = `Usage: minimis replay --partner <id> (--order <id> [--type <type>] | --webhook-id <id> | --since <time> [--until <time>]) [--aws]

Re-sends messages to a partner with their original webhook-id and a fresh timestamp, through the
partner's queue (signed and retried like any delivery; held if the partner is disabled). The
payload is projected anew from the data held now. Personal data that was erased or has expired is
never replayed: such messages are skipped and counted ("skippedPersonalDataGone"). Progress goes to
stderr; a JSON summary (with the webhook-ids enqueued) to stdout.

Options:
  --partner <id>       the partner (an id from the configuration, e.g. carrier)
  --order <id>         the message of one order (ord_…)
  --type <type>        with --order: the message type (the partner's own, e.g. shipment.requested)
  --webhook-id <id>    the message with this webhook-id (msg_…; scans the orders)
  --since <time>       every message of orders accepted at or after this ISO 8601 time (a scan)
  --until <time>       with --since: only orders accepted before this time
${TARGET_HELP}
  -h, --help           show this help
`;

const WEBHOOK_ID = /^msg_[0-9A-HJKMNP-TV-Z]{26}$/;
const TYPE = /^[a-z]+(\.[a-z]+)+$/;

function isoTime(option: string, value: unknown): string {
  const text = String(value);
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new UsageError(`${option} must be an ISO 8601 time, e.g. 2026-12-01T10:00:00Z`);
  return new Date(ms).toISOString();
}

function selection(values: Record<string, unknown>): ReplaySelection {
  const chosen = ['order', 'webhook-id', 'since'].filter((o) => values[o] !== undefined);
  if (chosen.length !== 1) throw new UsageError('give exactly one of --order, --webhook-id or --since');
  if (values.type !== undefined && values.order === undefined)
    throw new UsageError('--type goes with --order');
  if (values.until !== undefined && values.since === undefined)
    throw new UsageError('--until goes with --since');
  if (values.order !== undefined) {
    if (!isOrderId(String(values.order))) throw new UsageError('--order must be an order id (ord_…)');
    if (values.type !== undefined && !TYPE.test(String(values.type)))
      throw new UsageError('--type must be a message type, e.g. shipment.requested');
    return {
      by: 'order',
      orderId: String(values.order),
      ...(values.type !== undefined ? { type: String(values.type) } : {}),
    };
  }
  if (values['webhook-id'] !== undefined) {
    if (!WEBHOOK_ID.test(String(values['webhook-id'])))
      throw new UsageError('--webhook-id must be a minimis webhook-id (msg_…)');
    return { by: 'webhook-id', webhookId: String(values['webhook-id']) };
  }
  const since = isoTime('--since', values.since);
  const until = values.until === undefined ? undefined : isoTime('--until', values.until);
  if (until !== undefined && until <= since) throw new UsageError('--until must be after --since');
  return { by: 'range', since, ...(until ? { until } : {}) };
}

export const replayCommand: Command = {
  name: 'replay',
  summary: 're-send partner messages with their original webhook-id',
  help: HELP,
  async run(args, io) {
    const values = parseOptions(args, {
      partner: { type: 'string' },
      order: { type: 'string' },
      type: { type: 'string' },
      'webhook-id': { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      ...TARGET_OPTIONS,
    });
    if (values.help) {
      io.out(HELP);
      return 0;
    }
    const partnerId = requirePartner(values.partner);
    const what = selection(values);
    const result = await withTarget(io, values.aws as boolean | undefined, async ({ wiring: w }) => {
      try {
        return await replayMessages(
          {
            orders: w.orders,
            orderScan: w.orderScan,
            queue: w.queue,
            clock: w.clock,
            partners: w.config.partners,
          },
          partnerId,
          what,
          ({ scanned, enqueued }) => io.err(`${partnerId}: ${scanned} looked at, ${enqueued} enqueued…`),
        );
      } catch (error) {
        if (error instanceof UnknownPartnerError) throw knownPartners(error.partnerId, w.config.partners);
        if (error instanceof ReplayTypeError) throw new UsageError(error.message);
        throw error;
      }
    });
    io.err(
      `${partnerId}: ${result.enqueued} of ${result.matched} message${result.matched === 1 ? '' : 's'} replayed` +
        (result.skippedPersonalDataGone > 0
          ? ` (${result.skippedPersonalDataGone} skipped: personal data erased or expired)`
          : ''),
    );
    io.out(json(result));
    if (result.matched === 0 && what.by !== 'range') {
      io.err(`${partnerId}: nothing to replay — no such order or webhook-id for this partner`);
      return 1;
    }
    return 0;
  },
};
