import { isOrderId } from '#shared/domain/ids.js';
import type { LedgerEntry } from '#shared/domain/ledger.js';
import { auditOrder } from '#shared/usecases/audit-order.js';
import { parseOptions, TARGET_OPTIONS } from '../args.js';
import { type Command, json, TARGET_HELP, withTarget } from '../command.js';
import { CliError, EXIT, UsageError } from '../errors.js';

const HELP = `Usage: minimis audit --order <id> [--json] [--aws]

Prints the order's disclosure ledger ("who saw what"): every purpose opened and by which
component, every webhook sent (partner, fields, webhook-id) and acknowledged, every email sent
(template, SES message id), every export and erasure (operator principal). It holds no personal
value. Then verifies its chain under the ledger key: exit 1 when an entry was changed, removed or
reordered, or the ledger was shortened.

Options:
  --order <id>       the order id (ord_…), required
  --json             print the ledger and the verification as JSON instead of lines
${TARGET_HELP}
  -h, --help         show this help
`;

/** One line per entry: seq, time, what, who/where. No value from a personal field ever appears. */
export function describeEntry(e: LedgerEntry): string {
  const head = `${String(e.seq).padStart(3)}  ${e.at}  `;
  switch (e.type) {
    case 'purpose-opened':
      return `${head}${e.by} opened purpose ${e.purpose}`;
    case 'sending':
      return `${head}${e.by} sending ${e.messageType} to ${e.recipient} [${e.fields.join(', ')}] webhook-id ${e.webhookId} (entered before the POST: from here on ${e.recipient} may hold these fields)`;
    case 'sent':
      return `${head}${e.by} sent ${e.messageType} to ${e.recipient} [${e.fields.join(', ') || 'no fields'}] webhook-id ${e.webhookId}${e.failure ? ` — not acknowledged (${e.failure})` : ''}`;
    case 'acknowledged':
      return `${head}${e.recipient} acknowledged ${e.messageType} (${e.status}) webhook-id ${e.webhookId}`;
    case 'email-sent':
      return `${head}${e.by} sent email ${e.template} to the ${e.recipient} [${e.fields.join(', ')}] message-id ${e.messageId}`;
    case 'exported':
      return `${head}operator ${e.principal} exported [${e.purposes.join(', ')}]`;
    case 'erased':
      return `${head}operator ${e.principal} erased the personal data (certificate ${e.certificate})`;
    case 'redaction-requested':
      return `${head}operator ${e.principal} asked ${e.recipient} to delete it (order.redacted, webhook-id ${e.webhookId})`;
  }
}

export const auditCommand: Command = {
  name: 'audit',
  summary: "print an order's disclosure ledger and verify its chain (exit 1 if broken)",
  help: HELP,
  async run(args, io) {
    const values = parseOptions(args, {
      order: { type: 'string' },
      json: { type: 'boolean' },
      ...TARGET_OPTIONS,
    });
    if (values.help) {
      io.out(HELP);
      return EXIT.ok;
    }
    const orderId = values.order;
    if (typeof orderId !== 'string' || orderId === '') throw new UsageError('--order <id> is required');
    if (!isOrderId(orderId)) throw new UsageError('--order must be an order id (ord_ and 26 characters)');
    const result = await withTarget(io, values.aws as boolean | undefined, async ({ wiring: w }) => {
      const audit = await auditOrder(
        { orders: w.orders, ledger: w.ledger, ledgerMac: w.ledgerKey.mac },
        orderId,
      );
      if (!audit) throw new CliError(`no order ${orderId}`);
      return audit;
    });
    const { ledger, verification } = result;
    if (values.json) {
      io.out(json({ orderId, entries: ledger.entries, head: ledger.head ?? null, verification }));
    } else {
      io.out(`Disclosure ledger of ${orderId} (${ledger.entries.length} entries)`);
      for (const entry of ledger.entries) io.out(describeEntry(entry));
      if (ledger.entries.length === 0) io.out('  (nothing disclosed yet)');
    }
    if (!verification.ok) {
      const what = verification.problems
        .map((p) => (p.seq === null ? p.problem : `${p.problem} at entry ${p.seq}`))
        .join(', ');
      io.err(`minimis audit: the ledger does NOT verify: ${what}`);
      return EXIT.failure;
    }
    io.err(`verified: ${verification.entries} entries, chain intact and complete`);
    return EXIT.ok;
  },
};
