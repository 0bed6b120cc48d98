/**
 * The privacy report: what minimis keeps, why, how, who sees it and for how long — generated from
 * the data inventory and the deployment configuration, never written by hand. Output is
 * deterministic (no timestamps), so docs/ holds a committed copy that a test keeps fresh.
 */
import { erasureHorizon, unrecoverableInWords } from '../domain/erasure-horizon.js';
import { FEEDBACK_RETRY_DAYS } from '../inventory.js';
import { renderDataFlowSvg } from './data-flow.js';
import { type Block, renderHtml, renderMarkdown } from './document.js';
import { buildPrivacyModel, type PrivacyModel } from './model.js';
import type { ReportSettings } from './settings.js';

/** File names of the generated report, relative to the output directory. */
export const REPORT_FILES = {
  markdown: 'privacy-report.md',
  html: 'privacy-report.html',
  svg: 'data-flow.svg',
} as const;

export const REGENERATE_COMMAND = 'npm run privacy-report';

const TITLE = 'minimis privacy report';

const code = (value: string) => `\`${value}\``;
const codes = (values: readonly string[], none = 'none') =>
  values.length > 0 ? values.map(code).join(', ') : none;

function horizonBlocks(settings: ReportSettings): Block[] {
  const horizon = erasureHorizon({
    shredBackupDays: settings.shredBackupDays ?? 7,
    partners: settings.partners,
  });
  return [
    { kind: 'heading', level: 2, text: 'When erased or expired data is unrecoverable' },
    {
      kind: 'paragraph',
      text: `Each personal record (an order's personal fields, a customer's marketing contact) is sealed under its purpose key and its own random secret, kept in a separate key table. Erasure and expiry delete that secret first: from then on the record's blobs open for nobody in any copy of the order table, backups included, and restoring a backup brings nothing personal back. The last copy of a secret is gone when the key table's own backups age out: ${horizon.lastCopyGoneAfterDays === 0 ? 'it has none' : `after ${horizon.lastCopyGoneAfterDays} days`} (${code('shredBackupDays')}).`,
    },
    {
      kind: 'table',
      head: ['store', 'holds', 'unrecoverable after erasure', 'after expiry', 'how'],
      rows: horizon.rows.map((row) => [
        row.store,
        row.holds,
        unrecoverableInWords(row.afterErasure),
        unrecoverableInWords(row.afterExpiry),
        row.how,
      ]),
    },
  ];
}

function blocks(model: PrivacyModel, svg: string, settings: ReportSettings): Block[] {
  const r = model.retention;
  const sealedFields = model.fields.filter(
    (f) => f.storage === 'sealed' || f.storage === 'sealed+keyed-hash',
  );
  const ledgerFields = model.fields.filter((f) => f.storage === 'consent-ledger').map((f) => f.path);
  const ledger = ledgerFields.length > 0 ? `, plus ${codes(ledgerFields)} in the consent ledger` : '';
  const partnerSummary = model.partners
    .map(
      (p) =>
        `${code(p.id)} (${p.personalFields.length > 0 ? `opens ${p.decrypts.join(', ')}` : 'no personal data'}${p.scoped ? `; ${p.destinations}` : ''})`,
    )
    .join(', ');
  return [
    { kind: 'heading', level: 1, text: TITLE },
    {
      kind: 'note',
      text: `Generated from ${code('shared/inventory.ts')} and the ${code('minimis')} context of ${code('cdk.json')} by ${code(REGENERATE_COMMAND)}. Do not edit by hand: change the inventory or the configuration and regenerate; a test fails when this copy is stale.`,
    },
    {
      kind: 'paragraph',
      text: 'minimis tells every party only what it must know. This report lists every field an order carries, whether it is personal, the purposes it serves, how it is stored, who receives it and how long it is kept — as the code enforces it: the intake schema, the encryption, the partner projections, the IAM grants and the retention all derive from the same declaration.',
    },
    { kind: 'heading', level: 2, text: 'At a glance' },
    {
      kind: 'list',
      items: [
        `${sealedFields.length} personal fields, each encrypted under the purposes it was collected for (${codes(model.purposes.map((p) => p.purpose))})${ledger}; no personal field is ever written to storage, logs, metrics, traces or queues in clear.`,
        `Partners: ${partnerSummary}. Never sent to any partner: ${codes(model.neverSentToPartners)}.`,
        `Personal data is kept ${r.afterDeliveryDays} days after delivery (${r.undeliveredDays} days after acceptance if delivery is never reported); the marketing contact until opt-out or erasure; non-personal order records ${r.accountingYears} years for accounting.`,
        `A customer's data can be exported (${code('minimis export --email <address>')}) and erased (${code('minimis erase --email <address>')}) with one command.`,
      ],
    },
    { kind: 'heading', level: 2, text: 'Data flow' },
    { kind: 'figure', file: 'data-flow.svg', alt: 'Where personal data goes in minimis', svg },
    { kind: 'heading', level: 2, text: 'Fields' },
    {
      kind: 'table',
      head: ['field', 'what', 'personal', 'purposes', 'stored as', 'sent to / seen by', 'retention'],
      rows: model.fields.map((f) => [
        code(f.path),
        f.description,
        f.personal ? 'yes' : 'no',
        f.personal
          ? [f.purposes.join(', '), ...f.consentedPurposes.map((p) => `${p} (only with consent)`)]
              .filter(Boolean)
              .join('; ')
          : `not personal: ${f.uses.join(', ')}`,
        f.storedAs,
        [...f.partners.map((id) => `partner ${code(id)}`), ...f.alsoSeenBy].join('; ') || 'nobody',
        f.retention,
      ]),
    },
    {
      kind: 'list',
      items: [
        `sealed per purpose: one copy per purpose, encrypted with AES-256-GCM under a data key from KMS (local mode: a local key provider with the same format) generated for that purpose's encryption context; the associated data binds each copy to its purpose and its record.`,
        'keyed hash: HMAC-SHA256 of the normalised address under a shop-held key (itself wrapped by KMS), never a plain hash, so it cannot be reversed by guessing addresses without the key.',
        'consent ledger: each opt-in and opt-out is an event (granted or withdrawn, timestamp, source, privacy-policy version); the latest decides.',
        'in clear: non-personal data, in the order record; the table itself is encrypted at rest with a customer-managed KMS key.',
      ],
    },
    {
      kind: 'paragraph',
      text: `Intake is strict: a request with any field not listed here is rejected, never silently stored, and a value that looks like a payment card number anywhere in the body rejects the request without being stored or logged (invisible characters are removed, any script's digits and runs of separators are read through, so a card number cannot be spelled around the check). Non-personal fields are stored in clear for accounting and operations; ${code('paymentReference')} is an opaque token from the payment provider.`,
    },
    { kind: 'heading', level: 2, text: 'Purposes' },
    {
      kind: 'table',
      head: ['purpose', 'why', 'fields sealed under it', 'who may decrypt', 'retention'],
      rows: model.purposes.map((p) => [
        code(p.purpose),
        p.why,
        codes(p.fields),
        codes(p.decryptedBy, 'nobody'),
        p.retention,
      ]),
    },
    {
      kind: 'paragraph',
      text: `Each purpose has its own KMS encryption context (${code('purpose')}). A role can unwrap a data key only for the purposes granted to it: role policies and the key policy both carry ${code('kms:EncryptionContext:purpose')} conditions, so the grants are enforced by KMS, not by convention. The key policy also denies data-key use to every principal that is not one of the deployment's own roles (IAM path ${code('/minimis/<stage>/')}) tagged for the purpose, so IAM permissions such as ${code('kms:*')} alone do not open personal data. The blob's associated data also binds it to its purpose and its record, so a ciphertext copied to another order or read under another purpose does not open.`,
    },
    { kind: 'heading', level: 2, text: 'Partners' },
    {
      kind: 'table',
      head: [
        'partner',
        'kind',
        'destinations',
        'receives',
        'personal data it receives',
        'its delivery function may decrypt',
      ],
      rows: model.partners.map((p) => [
        code(p.id),
        p.kind,
        p.destinations,
        codes(p.fields),
        codes(p.personalFields),
        codes(p.decrypts, 'nothing'),
      ]),
    },
    {
      kind: 'paragraph',
      text: 'An order reaches only the partners serving its destination country: the others never get a message about it, and a delivery function refuses an order for a destination it does not serve. Each partner payload is built by a deny-by-default projection of exactly these fields and validated against that partner\u2019s strict schema before it is signed (Standard Webhooks) and sent over TLS. Optional fields the customer did not give are omitted. Item names and prices reach a carrier only as customs contents of international parcels. Queue messages carry order ids, never personal data.',
    },
    { kind: 'heading', level: 2, text: 'Components and their keys' },
    {
      kind: 'table',
      head: ['component', 'does', 'runs as', 'may decrypt'],
      rows: model.components.map((c) => [
        code(c.key),
        c.does,
        c.handlers.length > 0
          ? c.handlers.map((h) => code(`functions/${h}.ts`)).join(', ')
          : 'the ops CLI under the operator role',
        codes(c.decrypts, 'nothing'),
      ]),
    },
    {
      kind: 'paragraph',
      text: `${code('lookup')} unwraps the shop's HMAC key for keyed email hashes (look-ups, suppression) and request MACs (idempotency); ${code('token')} unwraps a separate key that only signs unsubscribe and consent-confirmation tokens, so the functions that issue or check tokens cannot compute the keyed hash of a guessed address. Nothing personal is sealed under either; only intake creates them. Only intake seals new personal data. Functions with no key rights at all: ${codes(model.handlersWithoutKeys.map((h) => `functions/${h}.ts`))}.`,
    },
    { kind: 'heading', level: 2, text: 'Retention' },
    {
      kind: 'table',
      head: ['data', 'kept', 'how it goes'],
      rows: [
        [
          `personal fields of an order (${code('PII#')} item, sealed per purpose)`,
          `${r.afterDeliveryDays} days after the carrier reports delivery; ${r.undeliveredDays} days after acceptance if delivery is never reported`,
          'every read checks the expiry first, so expired data is gone at once for every reader; the daily purge deletes the record secret and the item (DynamoDB TTL also deletes both, up to 48 hours late)',
        ],
        [
          `marketing contact (${code('CUSTOMER#')} item, sealed under ${code('marketing')})`,
          'until the customer opts out or asks for erasure',
          'an opt-out removes the sealed contact and records a withdrawal in the consent ledger; erasure deletes the item. The contact of an unconfirmed opt-in is kept apart (pending) and becomes the marketing contact only when its owner confirms; an opt-out or erasure removes it',
        ],
        [
          `consent ledger (${code('CUSTOMER#')} item)`,
          'until erasure',
          'erasure deletes it; it proves what the customer agreed to, when, from where and under which policy version',
        ],
        [
          `suppression entry (${code('SUPPRESS#')} item: keyed hash only, never the address)`,
          'indefinitely; it survives erasure',
          'so an address that opted out, bounced, complained or was erased is never mailed promotions again',
        ],
        [
          'erasure mark (key-table item: an opaque hash of the keyed email hash, and the erasure time)',
          'indefinitely',
          'the erasure suppression again, where restores of the order table do not reach: a checkout with an erased address needs a confirmed opt-in even after the order table is restored from before the erasure',
        ],
        [
          `erasure journal (${code('ERASING#')} item: keyed hash, certificate id, order ids, flags)`,
          'while an erasure runs',
          'written ahead of each delete so a stopped erasure is resumed by the next run; deleted when the certificate is stored',
        ],
        [
          `non-personal order record (${code('ORDER#')} item)`,
          `${r.accountingYears} years (accounting)`,
          'stored without TTL; deleting records older than the accounting period is an operator task (not automated)',
        ],
        [
          `idempotency record (${code('IDEM#')} item: a keyed MAC of the request and the order id; while its intake runs also the keyed email hash; no personal data)`,
          `${r.idempotencyHours} hours`,
          'DynamoDB TTL; treated as absent once expired',
        ],
        [
          `a keyed email's orders of one day (${code('EMAILPII#')} item: order ids only)`,
          '2 days after that day',
          'DynamoDB TTL; erasure reads the recent ones with strongly consistent reads, so a record written a moment before it is not missed, and then deletes them',
        ],
        [
          `disclosure ledger (on the ${code('ORDER#')} item) and erasure certificates (${code('CERT#')} items): ids, field paths and times, no personal data`,
          'as long as the non-personal order record',
          'kept as the account of who received what; they outlive erasure on purpose',
        ],
        [
          `failed SES feedback (${code('ses-feedback-retry')} queue: address encrypted)`,
          `until recorded, at most ${FEEDBACK_RETRY_DAYS} days`,
          'the event as SES sent it, under the storage key; only the feedback function reads it, retrying until the suppression is recorded; alarms fire at once and after an hour',
        ],
        [
          'logs, metrics, traces, queue messages',
          'per service configuration',
          'never contain personal data: ids, counts, states and error names only (the feedback retry queue above excepted)',
        ],
      ],
    },
    ...horizonBlocks(settings),
    { kind: 'heading', level: 2, text: 'Who saw what: the disclosure ledger' },
    {
      kind: 'paragraph',
      text: `Every time personal data leaves its sealed form, an entry is appended to the order's disclosure ledger (on its ${code('ORDER#')} item, kept as long as the non-personal order record): which component opened which purpose; which fields (inventory paths, never values) went to which partner with the message's ${code('webhook-id')}, and the partner's acknowledgement; which email template went to the customer's mailbox via SES with the SES message id (never the address); every export and erasure with the operator's principal (the AWS caller identity, or the local OS user); every ${code('order.redacted')} asked of a partner and its acknowledgement. No entry holds a personal value.`,
    },
    {
      kind: 'list',
      items: [
        `Tamper-evident: each entry carries an HMAC-SHA256 over the previous entry's MAC and its own canonical JSON, under a shop-held key wrapped by KMS under its own context ${code('ledger')} (not ${code('lookup')} or ${code('token')}). The order also stores the chain's head (entry count and a keyed MAC over it), so a dropped entry at the end is detected as well. Only the components that append — partner delivery, notification and the operator — may create or unwrap that key.`,
        `${code('minimis audit --order <id>')} prints the ledger and verifies the chain: exit 1 on a changed, removed, reordered or dropped entry.`,
        `Written ahead: a webhook carrying personal fields (the carrier's) is entered in the ledger as ${code('sending')} before it is sent, by a write that is refused once the order is erased. An erasure picks the partners to redact from the very ledger its ${code('erased')} entry is chained on, so a partner whose webhook was on its way during the erasure is asked to redact too (after that webhook, never before), and no personal data is sent after it. An attempt that failed or whose process died may leave a partner named that never got the data; its redaction is harmless.`,
        'The outcome rides on writes that already happen (the delivery state, the email bookkeeping): intake, email and the warehouse delivery cost no extra DynamoDB request; the carrier delivery adds one write (the entry ahead of the webhook); an export, an erasure or a failed delivery attempt that will be retried adds one write.',
        `The customer sees it: ${code('minimis export')} includes, per order, who received which fields when, and whether the chain verified. In local mode the order console (${code('/_local/')}) shows it as a live timeline.`,
      ],
    },
    { kind: 'heading', level: 2, text: "Consent: a person's word is final" },
    {
      kind: 'list',
      items: [
        `Promotional email goes out only while the latest effective consent event is an opt-in and no suppression is in force (checked at send time). A suppression (unsubscribe, erasure, bounce, complaint) is lifted only by the person: a ${code('confirmed')} event recorded after it.`,
        `A checkout opt-in for a suppressed address (anyone can type an address at checkout) is recorded as ${code('unconfirmed')}: in the ledger and the export, but not effective. The order's own mail goes out as usual, plus one consent-confirmation email (transactional, with the unsubscribe headers and footer) holding a signed link (an HMAC under the ${code('token')} key: no personal data in clear) that works once and for 7 days.`,
        `${code('GET /consent/confirm')} only shows a button. Its ${code('POST')} records the ${code('confirmed')} event with one conditional write on the ${code('CUSTOMER#')} item that holds only while that link's request is outstanding and unexpired and closes it, so a used, expired, withdrawn (by a later opt-out) or erased request changes nothing and two concurrent POSTs record one event. A tampered, used or expired link is a 400 (a page for a browser, problem+json otherwise).`,
        'Repeated checkouts by a stranger cannot spam the address: while a request is outstanding (7 days) no new one is made and no further confirmation email is sent; the opt-ins are still recorded (unconfirmed).',
      ],
    },
    { kind: 'heading', level: 2, text: 'Export and erasure' },
    {
      kind: 'list',
      items: [
        `${code('minimis export --email <address>')} prints, as JSON, every live order of that person with its personal fields decrypted per purpose, the non-personal order data, the consent ledger (unconfirmed and confirmed events included), the marketing contact, a pending confirmation request with its contact, and the suppression state. Expired data is not exported: it is gone.`,
        `${code('minimis erase --email <address> --yes')} records a suppression entry with reason ${code('erasure')} (it supersedes an earlier opt-out, complaint or bounce entry and also holds back transactional mail for earlier orders), deletes the personal record of every order and the customer record (consent ledger and marketing contact), and prints a receipt and an erasure certificate (${code('era_…')}) that hold no personal data: what was erased, when each copy becomes unrecoverable, and the redactions asked of partners. Every partner that received personal data of one of those orders, or may be receiving it while the erasure runs, per the ledger (the carrier, never the warehouse), is sent ${code('order.redacted')} — signed and retried like any webhook — and its 2xx acknowledgement is recorded in the ledger; ${code('minimis certificate <id>')} shows the certificate again with the acknowledgements so far. The non-personal order records stay (${code('GET /orders/{orderId}')} still answers) and are no longer linked to the person. Running it again finds nothing and says so.`,
        `Erasure cannot be raced: it runs inside an erasure fence (${code('FENCE#')} item: counts of erasures begun and ended per keyed hash; erasures of one address run one at a time). Intake and opt-out writes read the fence before their first write and again after their last personal write; if an erasure began meanwhile, they delete what they wrote before going on (the order is then kept as one whose personal data was erased). Intake writes its order record only after this check, and a resumed retry checks against the first attempt's reading, so neither a retry nor the outbox can resume an unchecked intake. An intake that dies before the check and is never retried leaves its claim open: every 5 minutes the purge function's intake sweep applies that check to each claim whose lease has run out, so its writes, if an erasure raced them, are gone within about 6.5 minutes of the intake.`,
        `${code('minimis purge')} deletes expired personal data now (it also runs daily).`,
      ],
    },
    { kind: 'heading', level: 2, text: 'Known limits' },
    {
      kind: 'list',
      items: [
        'Point-in-time recovery keeps copies of the order table for 35 days. Records sealed since envelope v2 open in none of them once erased or expired (their secrets are gone); records sealed by an earlier release have no record secret and stay readable in those copies until they age out.',
        `Partners keep what they received to deliver the order under their own retention until they act on ${code('order.redacted')}; minimis records their acknowledgement but cannot check that they deleted it.`,
        'An intake that died before its erasure-fence check, raced by an erasure, keeps its personal writes until the intake sweep finds it: up to about 6.5 minutes after the intake (a 30-second lease, a 60-second grace, a 5-minute schedule), though the erasure has already reported success. Erasure is safe to repeat.',
        `The key policy binds the deployment's roles, not the account's administrators: whoever may rewrite the purpose key's policy (the account root keeps ${code('kms:*')} on it, so that the key stays manageable), or create, tag, re-trust or re-code roles on the ${code('/minimis/<stage>/')} path, can get around the purpose binding. Restrict those permissions with a service control policy (see the README, "Hardening the account").`,
      ],
    },
  ];
}

export interface GeneratedReport {
  /** File name (see REPORT_FILES) → content. */
  readonly files: Readonly<Record<string, string>>;
  readonly model: PrivacyModel;
}

export function generatePrivacyReport(settings: ReportSettings): GeneratedReport {
  const model = buildPrivacyModel(settings);
  const svg = renderDataFlowSvg(model);
  const doc = blocks(model, svg, settings);
  return {
    model,
    files: {
      [REPORT_FILES.markdown]: renderMarkdown(doc),
      [REPORT_FILES.html]: renderHtml(doc, TITLE),
      [REPORT_FILES.svg]: svg,
    },
  };
}
