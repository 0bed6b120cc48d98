/**
 * `minimis partner <action> --partner <id>`: signing-secret rotation and the 410 Gone switch.
 * The new secret of a rotation is printed once, on stdout, for the operator to hand to the partner;
 * it is never logged or written anywhere else by the CLI.
 */
import { DependencyError } from '#shared/domain/errors.js';
import { DEFAULT_GRACE_HOURS, retireKeyring, rotateKeyring } from '#shared/domain/partner-keyring.js';
import { enablePartner, partnerStatus } from '#shared/usecases/partner-gone.js';
import { UnknownPartnerError } from '#shared/usecases/redrive.js';
import type { Wiring } from '#shared/wiring.js';
import { parseOptions, TARGET_OPTIONS } from '../args.js';
import { type Command, json, TARGET_HELP, withTarget } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import type { CliIo } from '../io.js';
import { knownPartners, requirePartner } from './partner-args.js';

const HELP = `Usage: minimis partner <action> --partner <id> [options] [--aws]

Actions:
  rotate-secret    add a new signing secret next to the current one; prints the new secret once
  retire-secret    stop using the old secret now (otherwise it retires after the grace period)
  enable           re-enable a partner disabled because it answered 410 Gone; sends what was held
  status           whether the partner is enabled, and how many messages are held for it

Run \`minimis partner <action> --help\` for the options of an action.
`;

const ROTATE_HELP = `Usage: minimis partner rotate-secret --partner <id> [--grace-hours <n>] [--aws]

Adds a second active signing secret for the partner, without a redeploy (Secrets Manager in AWS,
the partner's keyring file in the data directory locally; functions pick it up within
PARTNER_SECRET_CACHE_SECONDS, default 60 s). While both are active every webhook carries two
signatures (space-separated in webhook-signature) and partner events verify against either, so
the partner can switch to the new secret whenever it is ready. The old secret retires after the
grace period, or earlier with \`minimis partner retire-secret\`.

The new secret is printed once, on stdout, as JSON: give it to the partner over a secure channel.
A secret set in the environment (PARTNERS or PARTNER_<ID>_SECRET) cannot be rotated: exit 1.

Options:
  --partner <id>       the partner (an id from the configuration, e.g. carrier)
  --grace-hours <n>    hours the old secret keeps working (default ${DEFAULT_GRACE_HOURS})
${TARGET_HELP}
  -h, --help           show this help
`;

const RETIRE_HELP = `Usage: minimis partner retire-secret --partner <id> [--aws]

Keeps only the partner's newest secret: messages are signed with it alone and events signed with
the old one are rejected (401) from now on (within PARTNER_SECRET_CACHE_SECONDS in AWS). Without
a rotation in progress there is nothing to retire (reported, exit 0).

Options:
  --partner <id>       the partner (an id from the configuration, e.g. carrier)
${TARGET_HELP}
  -h, --help           show this help
`;

const ENABLE_HELP = `Usage: minimis partner enable --partner <id> [--aws]

Re-enables a partner that was disabled because it answered 410 Gone, then puts every message held
for it back on its queue (each once; the partner deduplicates on webhook-id if it sees one twice).
Progress goes to stderr; a JSON summary to stdout.

Options:
  --partner <id>       the partner (an id from the configuration, e.g. carrier)
${TARGET_HELP}
  -h, --help           show this help
`;

const STATUS_HELP = `Usage: minimis partner status --partner <id> [--aws]

Prints whether the partner is enabled or disabled (410 Gone) and how many messages are held.

Options:
  --partner <id>       the partner (an id from the configuration, e.g. carrier)
${TARGET_HELP}
  -h, --help           show this help
`;

function checkPartner(w: Wiring, partnerId: string): void {
  if (!w.config.partners.some((p) => p.id === partnerId)) throw knownPartners(partnerId, w.config.partners);
}

/** The keyring of `partnerId` may be changed by minimis; otherwise a CliError saying where it is set. */
function checkRotatable(w: Wiring, io: CliIo, partnerId: string): void {
  const envName = `PARTNER_${partnerId.toUpperCase().replace(/-/g, '_')}_SECRET`;
  const source = (() => {
    try {
      return w.keyrings.keyringSource(partnerId);
    } catch {
      return undefined;
    }
  })();
  if (source === 'environment' || (w.config.mode === 'local' && io.env[envName])) {
    throw new CliError(
      `the secret of partner ${partnerId} is set in the environment (PARTNERS or ${envName}): change it there; minimis rotates only secrets it stores (Secrets Manager, or the data directory)`,
    );
  }
  if (source === undefined) {
    throw new CliError(
      w.config.mode === 'aws'
        ? `partner ${partnerId} has no secretRef: set PARTNERS with its Secrets Manager ARN (the stack output <Partner>SecretArn)`
        : `partner ${partnerId} has no keyring`,
    );
  }
}

/** A missing or unreadable keyring, explained in one line. */
function keyringFailure(error: unknown, w: Wiring, partnerId: string): never {
  if (error instanceof DependencyError && w.config.mode === 'local') {
    throw new CliError(
      `no readable keyring for partner ${partnerId} in ${w.config.dataDir}/partner-keys — run from where \`npm start\` runs (or set MINIMIS_DATA_DIR); a partner started with PARTNER_<ID>_SECRET cannot be rotated`,
      { cause: error },
    );
  }
  throw error;
}

function graceHours(value: unknown): number {
  if (value === undefined) return DEFAULT_GRACE_HOURS;
  const text = String(value);
  const hours = /^\d{1,4}(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (!(hours > 0 && hours <= 24 * 90))
    throw new UsageError('--grace-hours must be a number of hours (up to 2160)');
  return hours;
}

type Action = 'rotate-secret' | 'retire-secret' | 'enable' | 'status';
const ACTION_HELP: Record<Action, string> = {
  'rotate-secret': ROTATE_HELP,
  'retire-secret': RETIRE_HELP,
  enable: ENABLE_HELP,
  status: STATUS_HELP,
};

export const partnerCommand: Command = {
  name: 'partner',
  summary: 'rotate or retire a partner signing secret; re-enable a partner after 410 Gone',
  help: HELP,
  async run(args, io) {
    const [action, ...rest] = args;
    if (action === undefined || action === '--help' || action === '-h') {
      if (action === undefined) {
        io.err(HELP);
        return 2;
      }
      io.out(HELP);
      return 0;
    }
    if (!(action in ACTION_HELP)) {
      throw new UsageError(
        /^[a-z][a-z-]{0,30}$/.test(action) ? `unknown action ${action}` : 'unknown action',
      );
    }
    const act = action as Action;
    const values = parseOptions(rest, {
      partner: { type: 'string' },
      ...(act === 'rotate-secret' ? { 'grace-hours': { type: 'string' } } : {}),
      ...TARGET_OPTIONS,
    } as const);
    if (values.help) {
      io.out(ACTION_HELP[act]);
      return 0;
    }
    const partnerId = requirePartner(values.partner);
    const grace =
      act === 'rotate-secret' ? graceHours((values as Record<string, unknown>)['grace-hours']) : 0;
    return withTarget(io, values.aws as boolean | undefined, async ({ wiring: w }) => {
      checkPartner(w, partnerId);
      const now = w.clock.now();
      switch (act) {
        case 'rotate-secret': {
          checkRotatable(w, io, partnerId);
          const current = await w.keyrings
            .readKeyring(partnerId)
            .catch((e: unknown) => keyringFailure(e, w, partnerId));
          const rotation = rotateKeyring(current, now, grace);
          if (rotation.outcome === 'already-rotating') {
            throw new CliError(
              `partner ${partnerId} already has two active secrets (the old one retires ${rotation.retireAt ?? 'never'}): run \`minimis partner retire-secret --partner ${partnerId}\` first`,
            );
          }
          await w.keyrings.writeKeyring(partnerId, rotation.keyring);
          io.err(
            `${partnerId}: new signing secret added; webhooks now carry both signatures. Give the partner the secret below; the old one retires at ${rotation.retireAt}.`,
          );
          io.out(
            json({
              partner: partnerId,
              secret: rotation.secret,
              activeSecrets: 2,
              oldSecretRetiresAt: rotation.retireAt,
            }),
          );
          return 0;
        }
        case 'retire-secret': {
          checkRotatable(w, io, partnerId);
          const current = await w.keyrings
            .readKeyring(partnerId)
            .catch((e: unknown) => keyringFailure(e, w, partnerId));
          const { keyring, retired } = retireKeyring(current, now);
          if (retired > 0 || keyring.secrets.length !== current.secrets.length)
            await w.keyrings.writeKeyring(partnerId, keyring);
          io.err(
            retired > 0
              ? `${partnerId}: old signing secret retired; only the newest is in use`
              : `${partnerId}: one active secret, nothing to retire`,
          );
          io.out(json({ partner: partnerId, retired, activeSecrets: 1 }));
          return 0;
        }
        case 'enable': {
          const result = await enablePartner(
            { partnerState: w.partnerState, queue: w.queue, clock: w.clock, partners: w.config.partners },
            partnerId,
            (released) =>
              io.err(`${partnerId}: ${released} held message${released === 1 ? '' : 's'} re-sent…`),
          ).catch((error: unknown) => {
            if (error instanceof UnknownPartnerError) throw knownPartners(partnerId, w.config.partners);
            throw error;
          });
          io.err(
            `${partnerId}: ${result.wasDisabled ? 'enabled' : 'was not disabled'}; ${result.released} held message${result.released === 1 ? '' : 's'} sent back to its queue`,
          );
          io.out(json(result));
          return 0;
        }
        case 'status': {
          const status = await partnerStatus(
            { partnerState: w.partnerState, partners: w.config.partners },
            partnerId,
          );
          io.out(json(status));
          return 0;
        }
      }
    });
  },
};
