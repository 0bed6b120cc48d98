/**
 * The partner event catalog (`docs/partners/`), generated from the message registry
 * (shared/domain/message-catalog.ts), the zod schemas (`z.toJSONSchema`), the delivery settings'
 * defaults and the verification examples in ./partner-examples. Deterministic: the committed copy
 * is compared with a fresh one by a test.
 */
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import * as z from 'zod';
import { loadConfig } from '../config.js';
import { EXAMPLE_ORDER, MESSAGE_TYPES, type MessageType } from '../domain/message-catalog.js';
import { DEFAULT_GRACE_HOURS } from '../domain/partner-keyring.js';
import {
  MAX_RETRY_DELAY_SECONDS,
  retryDelaySeconds,
  retryScheduleSpan,
  webhookId,
} from '../usecases/deliver-to-partner.js';

export const CATALOG_DIR = 'docs/partners';
export const REGENERATE_CATALOG = 'npm run partner-catalog';

const EXAMPLES = {
  'verify-webhook.ts': new URL('./partner-examples/verify-webhook.ts', import.meta.url),
  'verify_webhook.py': new URL('./partner-examples/verify_webhook.py', import.meta.url),
} as const;

/** A documented example secret (never used by any deployment). */
const EXAMPLE_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const EXAMPLE_TIME = new Date('2026-11-25T10:00:05Z');

const code = (text: string) => `\`${text}\``;
const block = (lang: string, text: string) => `\`\`\`${lang}\n${text.trimEnd()}\n\`\`\``;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1).replace(/\.0$/, '')} h`;
}

/** The AWS defaults of the delivery settings (DELIVERY_* in shared/config.ts). */
function deliveryDefaults() {
  const { delivery, secretCacheSeconds } = loadConfig({ MINIMIS_MODE: 'local' });
  return { ...delivery, secretCacheSeconds };
}

function signedExample(message: MessageType): string {
  const body = JSON.stringify(message.example);
  const id =
    message.direction === 'outbound'
      ? webhookId(EXAMPLE_ORDER.orderId, message.kinds[0] ?? 'carrier', message.type)
      : 'evt_2f9c1e4b-6a7d-4c1e-9b0a-3d5e8f7a6b21';
  const headers = [
    `POST ${message.direction === 'outbound' ? '<your endpoint>' : `/partners/<partnerId>/events`} HTTP/1.1`,
    'content-type: application/json',
    ...(message.direction === 'outbound' ? ['user-agent: minimis-webhooks/1'] : []),
    `webhook-id: ${id}`,
    `webhook-timestamp: ${Math.floor(EXAMPLE_TIME.getTime() / 1000)}`,
    `webhook-signature: ${new Webhook(EXAMPLE_SECRET).sign(id, EXAMPLE_TIME, body)}`,
  ];
  return block('http', `${headers.join('\n')}\n\n${body}`);
}

const fileName = (message: MessageType) => `${message.type}.md`;
const schemaName = (message: MessageType) => `${message.type}.schema.json`;

function jsonSchema(message: MessageType): unknown {
  return {
    $id: `https://minimis.dev/partners/${schemaName(message)}`,
    title: message.type,
    ...(z.toJSONSchema(message.schema, { target: 'draft-2020-12' }) as Record<string, unknown>),
  };
}

function messagePage(message: MessageType): string {
  const outbound = message.direction === 'outbound';
  return [
    `# ${code(message.type)}`,
    '',
    `${outbound ? 'Outbound webhook, minimis → partner' : 'Inbound event, partner → minimis'} (${message.kinds.map(code).join(', ')}): sent ${message.when}.`,
    '',
    ...message.notes.map((note) => `- ${note}`),
    '',
    '## Example',
    '',
    block('json', json(message.example)),
    '',
    `Signed as it travels (example secret ${code(EXAMPLE_SECRET)}; see [the headers](README.md#headers-and-signatures)):`,
    '',
    signedExample(message),
    '',
    '## JSON Schema',
    '',
    `Also as [${schemaName(message)}](${schemaName(message)}). Generated from the zod schema the code validates with${outbound ? ' before anything is sent' : ' when the event arrives'}.`,
    '',
    block('json', json(jsonSchema(message))),
    '',
    outbound
      ? 'Answers: see [status codes](README.md#what-your-answer-does).'
      : 'Answers: see [inbound status codes](README.md#inbound-events).',
    '',
  ].join('\n');
}

function readme(): string {
  const d = deliveryDefaults();
  const policy = { baseDelaySeconds: d.baseDelaySeconds };
  const span = retryScheduleSpan(policy, d.maxAttempts);
  const rows = Array.from({ length: d.maxAttempts - 1 }, (_, i) => {
    const attempt = i + 1;
    return `| ${attempt + 1} | ${duration(retryDelaySeconds(attempt, policy, () => 0))} – ${duration(retryDelaySeconds(attempt, policy, () => 1))} |`;
  });
  const list = (direction: MessageType['direction']) =>
    MESSAGE_TYPES.filter((m) => m.direction === direction).map(
      (m) =>
        `| [${code(m.type)}](${fileName(m)}) | ${m.kinds.map(code).join(', ')} | ${m.when} | [schema](${schemaName(m)}) |`,
    );
  const example = (name: keyof typeof EXAMPLES) => readFileSync(EXAMPLES[name], 'utf8');
  return [
    '# Partner event catalog',
    '',
    `Generated by ${code(REGENERATE_CATALOG)} from the code's own message registry and zod schemas; do not edit by hand (a test fails when this directory is stale).`,
    '',
    '## Outbound webhooks (minimis → partner)',
    '',
    '| type | sent to | when | |',
    '|---|---|---|---|',
    ...list('outbound'),
    '',
    '## Inbound events (partner → minimis)',
    '',
    '| type | may be sent by | when | |',
    '|---|---|---|---|',
    ...list('inbound'),
    '',
    '## Headers and signatures',
    '',
    'Every message, in both directions, follows [Standard Webhooks 1.0](https://www.standardwebhooks.com/):',
    '',
    '| header | value |',
    '|---|---|',
    '| `content-type` | `application/json` |',
    '| `user-agent` | `minimis-webhooks/1` (outbound) |',
    '| `webhook-id` | the message id: `msg_` + 26 characters, the same on every retry, redrive and replay of a message — deduplicate on it |',
    '| `webhook-timestamp` | Unix seconds when this attempt was signed (fresh on every attempt); reject messages more than 5 minutes off |',
    '| `webhook-signature` | `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per active secret, space-separated |',
    '',
    `**Secret rotation.** Your signing secret (${code('whsec_…')}) is shared with you by the operator. On a rotation (${code('minimis partner rotate-secret')}) a second secret becomes active and every message carries two signatures, one per secret: a receiver holding either secret verifies it, so you can switch to the new secret when you are ready. Events you send may be signed with either. The old secret stops working ${DEFAULT_GRACE_HOURS} hours later by default (or when the operator retires it earlier); a changed secret takes effect within ${d.secretCacheSeconds} s.`,
    '',
    '## What your answer does',
    '',
    `| your answer | what minimis does |`,
    '|---|---|',
    `| ${code('2xx')} within ${d.timeoutMs / 1000} s | delivered: recorded on the order, not sent again (except an operator replay, same ${code('webhook-id')}) |`,
    `| ${code('410 Gone')} | you are **disabled at once**: nothing more is sent to you; your messages are held (not dropped) and the order shows the delivery ${code('pending')}; an alarm tells the operator, who re-enables you with ${code('minimis partner enable')} — then every held message is sent |`,
    `| anything else, a timeout or a network error | retried with exponential backoff and jitter (below); after the last attempt the message is dead-lettered, the order shows ${code('failed')} and the operator can redrive it |`,
    '',
    '## Retry schedule',
    '',
    `Attempt ${code('n')} waits a random time between half and all of min(${duration(MAX_RETRY_DELAY_SECONDS)}, ${d.baseDelaySeconds} s × 2^(n−2)) after the previous one ("equal jitter"). With the AWS defaults (${d.maxAttempts} attempts, base ${d.baseDelaySeconds} s) the schedule spans ${duration(span.minSeconds)} to ${duration(span.maxSeconds)} before a message is dead-lettered. Local mode starts at about 1 second.`,
    '',
    '| attempt | wait after the previous one |',
    '|---|---|',
    ...rows,
    '',
    '## Inbound events',
    '',
    `${code('POST /partners/<partnerId>/events')}, signed with your own secret as above (${code('webhook-id')} unique per event). Answers:`,
    '',
    '| status | meaning |',
    '|---|---|',
    `| ${code('202')} | applied (or a replay of an event already applied, with no further effect): body ${code('{"orderId", "status"}')} |`,
    `| ${code('400')} | malformed JSON or an invalid event (problem+json lists the fields) |`,
    `| ${code('401')} | missing, invalid or expired signature (a retired secret included) |`,
    `| ${code('403')} | your kind of partner may not send this event type |`,
    `| ${code('404')} | no such partner, or no such order for you |`,
    `| ${code('409')} | the order's status does not allow this transition (e.g. delivered → dispatched) |`,
    `| ${code('413')} / ${code('415')} | body over 32 KiB / not ${code('application/json')} |`,
    '',
    '## Verifying a webhook',
    '',
    'Verify the raw body, before parsing it. Both examples are run by the test suite against real signed messages (with one and with two signatures).',
    '',
    `TypeScript, with the ${code('standardwebhooks')} package ([verify-webhook.ts](verify-webhook.ts)):`,
    '',
    block('ts', example('verify-webhook.ts')),
    '',
    'Python, standard library only ([verify_webhook.py](verify_webhook.py)):',
    '',
    block('python', example('verify_webhook.py')),
    '',
  ].join('\n');
}

/** Every file of the catalog, by name under docs/partners/. */
export function partnerCatalogFiles(): Record<string, string> {
  const files: Record<string, string> = { 'README.md': readme() };
  for (const message of MESSAGE_TYPES) {
    files[fileName(message)] = messagePage(message);
    files[schemaName(message)] = json(jsonSchema(message));
  }
  for (const [name, url] of Object.entries(EXAMPLES)) files[name] = readFileSync(url, 'utf8');
  return files;
}
