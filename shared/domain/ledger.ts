/**
 * The disclosure ledger ("who saw what", data-inventory.md): one append-only list of entries per
 * order, recording every time personal data left its sealed form and where it went. Entries hold
 * ids, names and field paths — never a personal value, never an email address.
 *
 * Tamper evidence: each entry carries `mac` = HMAC-SHA256 under the shop's ledger key (its own
 * key-service context `ledger`) over the order id, the previous entry's mac and the entry's
 * canonical JSON (sorted keys, without `mac`). A changed, removed or reordered entry breaks the
 * chain. The order also carries a head `{ count, mac }` whose mac is a keyed MAC over the order id,
 * the count and the last entry's mac: dropping entries from the end (and rewriting the head to
 * match) needs the key, so a shortened ledger is reported as well.
 *
 * Pure: the MAC function is passed in (crypto/ledger-key.ts holds the key).
 */

import { ORDER_REDACTED_TYPE } from '../contracts/messages.js';
import type { Component, FieldPath, Purpose } from '../inventory.js';

/** Who received an email: the customer's own mailbox, through SES (never the address). */
export const CUSTOMER_MAILBOX = 'customer mailbox via SES';

export const LEDGER_ENTRY_TYPES = [
  'purpose-opened',
  'sending',
  'sent',
  'acknowledged',
  'email-sent',
  'exported',
  'erased',
  'redaction-requested',
] as const;
export type LedgerEntryType = (typeof LEDGER_ENTRY_TYPES)[number];

/** What happened, before it is numbered, dated and chained. */
export type LedgerEvent =
  /** A component unwrapped a purpose's data key and opened the order's blob sealed under it. */
  | { readonly type: 'purpose-opened'; readonly by: Component; readonly purpose: Purpose }
  /**
   * Written ahead: a webhook carrying personal fields is about to go to a partner. It is appended
   * (conditional on the ledger's tip, and refused once the ledger holds `erased`) before the POST,
   * so from this entry on the partner may hold these fields — an erasure that follows sees it and
   * asks the partner to redact. Its outcome follows as `sent` (with `failure` when the partner did
   * not acknowledge) and `acknowledged`; nothing follows when the process died before the POST or
   * before it could record the answer.
   */
  | {
      readonly type: 'sending';
      readonly by: Component;
      readonly recipient: string;
      readonly messageType: string;
      readonly fields: readonly FieldPath[];
      readonly webhookId: string;
      /** This attempt's own id (random), which its `sent` repeats: every attempt has the same webhook-id. */
      readonly attempt?: string;
    }
  /** A webhook went to a partner: its type, the inventory fields it carried, its webhook-id. */
  | {
      readonly type: 'sent';
      readonly by: Component;
      readonly recipient: string;
      readonly messageType: string;
      readonly fields: readonly FieldPath[];
      readonly webhookId: string;
      /** The attempt's id, as on its `sending` (absent where none was written ahead). */
      readonly attempt?: string;
      /** How the partner answered when it did not acknowledge (an HTTP status or an error name). */
      readonly failure?: string;
      /** A redaction's last attempt gave up (it is dead-lettered; a redrive sends it again). */
      readonly gaveUp?: true;
    }
  /** The partner answered 2xx to a webhook (for `order.redacted`: it deleted what it held). */
  | {
      readonly type: 'acknowledged';
      readonly by: Component;
      readonly recipient: string;
      readonly messageType: string;
      readonly webhookId: string;
      readonly status: number;
    }
  /** An email went to the customer's mailbox: its template and SES message id. */
  | {
      readonly type: 'email-sent';
      readonly by: Component;
      readonly recipient: typeof CUSTOMER_MAILBOX;
      readonly template: string;
      readonly fields: readonly FieldPath[];
      readonly messageId: string;
    }
  /** An operator exported the order's personal data (subject access). */
  | {
      readonly type: 'exported';
      readonly by: 'operator';
      readonly principal: string;
      readonly purposes: readonly Purpose[];
    }
  /** An operator erased the order's personal data. */
  | {
      readonly type: 'erased';
      readonly by: 'operator';
      readonly principal: string;
      readonly certificate: string;
    }
  /** Erasure asked a partner to delete what it received (`order.redacted`, sent through its queue). */
  | {
      readonly type: 'redaction-requested';
      readonly by: 'operator';
      readonly principal: string;
      readonly recipient: string;
      readonly webhookId: string;
      readonly certificate: string;
    };

export type LedgerEntry = LedgerEvent & {
  /** 1, 2, 3…: position in the order's ledger. */
  readonly seq: number;
  readonly at: string;
  readonly mac: string;
};

/** The end of the chain as stored on the order (separately keyed, so a trimmed ledger shows). */
export interface LedgerHead {
  readonly count: number;
  readonly mac: string;
}

/** What an appender needs to know of the current ledger: its length and last entry's mac. */
export interface LedgerTip {
  readonly count: number;
  readonly lastMac: string;
  /**
   * Present (true) when the ledger holds an `erased` entry: the order's personal data is gone and
   * no webhook carrying it may go out any more; a write-ahead `sending` entry refuses to chain on
   * such a tip (usecases/disclosure-ledger.ts `writeAheadOf`).
   */
  readonly erased?: true;
}

export const EMPTY_TIP: LedgerTip = { count: 0, lastMac: '' };

/** Entries chained on top of a tip, and the head that closes them: what one write appends. */
export interface SealedAppend {
  readonly entries: readonly LedgerEntry[];
  readonly head: LedgerHead;
}

export type Mac = (data: string) => Promise<string>;

/** JSON with object keys sorted at every level: the one byte form every MAC is computed over. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const entryInput = (orderId: string, prevMac: string, entry: Omit<LedgerEntry, 'mac'>) =>
  `minimis-ledger-v1\nentry\n${orderId}\n${prevMac}\n${canonicalJson(entry)}`;
const headInput = (orderId: string, count: number, lastMac: string) =>
  `minimis-ledger-v1\nhead\n${orderId}\n${count}\n${lastMac}`;

/** Numbers, dates and chains `events` after `tip`; all of them share the time `at`. */
export async function sealEntries(
  mac: Mac,
  orderId: string,
  tip: LedgerTip,
  events: readonly LedgerEvent[],
  at: string,
): Promise<SealedAppend> {
  const entries: LedgerEntry[] = [];
  let prev = tip.lastMac;
  let seq = tip.count;
  for (const event of events) {
    seq += 1;
    const unsealed = { ...event, seq, at } as Omit<LedgerEntry, 'mac'>;
    const entryMac = await mac(entryInput(orderId, prev, unsealed));
    entries.push({ ...unsealed, mac: entryMac } as LedgerEntry);
    prev = entryMac;
  }
  return { entries, head: { count: seq, mac: await mac(headInput(orderId, seq, prev)) } };
}

/** The tip of a stored ledger (what the next append chains on). */
export function tipOf(entries: readonly LedgerEntry[]): LedgerTip {
  const last = entries.at(-1);
  return last ? { count: entries.length, lastMac: last.mac, ...erasedMark(entries) } : EMPTY_TIP;
}

/** `{ erased: true }` when the entries hold an erasure, else nothing (tips stay `{ count, lastMac }`). */
export function erasedMark(entries: readonly LedgerEntry[]): { readonly erased?: true } {
  return entries.some((e) => e.type === 'erased') ? { erased: true } : {};
}

export type LedgerProblem =
  | { readonly seq: number; readonly problem: 'out-of-sequence' | 'bad-mac' }
  | { readonly seq: null; readonly problem: 'no-head' | 'bad-head' | 'count-mismatch' }
  /** The order item records a disclosure (`of`: `delivery to <partner>`, `email <template>`) the ledger lacks. */
  | { readonly seq: null; readonly problem: 'missing-entry'; readonly of: string };

/**
 * What the order item records beside its ledger that only a disclosure writes, in the same
 * UpdateItem as its entry: a partner delivery `delivered` (its `sent` entry), an email `sent` (its
 * `email-sent` entry).
 */
export interface LedgerWitness {
  readonly deliveries: Readonly<Record<string, { readonly state: string }>>;
  readonly emails: Readonly<Record<string, { readonly state: string }>>;
}

export interface LedgerVerification {
  readonly ok: boolean;
  readonly entries: number;
  readonly problems: readonly LedgerProblem[];
}

/**
 * Verifies the chain entry by entry and that it ends where the head says: a changed entry is a
 * `bad-mac` (and so is the next one, chained on it), a missing or moved one `out-of-sequence`, a
 * dropped tail `count-mismatch` / `bad-head`. An order with no disclosure has neither entries nor
 * head and verifies.
 *
 * The head cannot tell a chain cut back to an earlier state of itself (its entries and head as they
 * were, or none at all: no key needed for either) from that state. Given the order item
 * (`witness`), every disclosure the item records must have its entry too (`missing-entry`), so a
 * ledger emptied or rolled back under an order that says it was delivered does not verify (review
 * s10). A whole item put back as it was (a restore) still verifies: it is that earlier state.
 */
export async function verifyLedger(
  mac: Mac,
  orderId: string,
  entries: readonly LedgerEntry[],
  head: LedgerHead | undefined,
  witness?: LedgerWitness,
): Promise<LedgerVerification> {
  const problems: LedgerProblem[] = [];
  let prev = '';
  for (const [index, entry] of entries.entries()) {
    const { mac: given, ...unsealed } = entry;
    if (entry.seq !== index + 1) problems.push({ seq: index + 1, problem: 'out-of-sequence' });
    const expected = await mac(entryInput(orderId, prev, unsealed));
    if (expected !== given) problems.push({ seq: index + 1, problem: 'bad-mac' });
    prev = given;
  }
  if (!head) {
    if (entries.length > 0) problems.push({ seq: null, problem: 'no-head' });
  } else {
    if (head.count !== entries.length) problems.push({ seq: null, problem: 'count-mismatch' });
    if ((await mac(headInput(orderId, head.count, prev))) !== head.mac)
      problems.push({ seq: null, problem: 'bad-head' });
  }
  if (witness) problems.push(...missingEntries(entries, witness));
  return { ok: problems.length === 0, entries: entries.length, problems };
}

/** The disclosures `witness` records that `entries` lack. */
function missingEntries(entries: readonly LedgerEntry[], witness: LedgerWitness): LedgerProblem[] {
  const problems: LedgerProblem[] = [];
  for (const [partner, delivery] of Object.entries(witness.deliveries)) {
    if (delivery.state !== 'delivered') continue;
    const sent = entries.some(
      (e) =>
        e.type === 'sent' &&
        e.recipient === partner &&
        e.failure === undefined &&
        e.messageType !== ORDER_REDACTED_TYPE,
    );
    if (!sent) problems.push({ seq: null, problem: 'missing-entry', of: `delivery to ${partner}` });
  }
  for (const [template, email] of Object.entries(witness.emails)) {
    if (email.state !== 'sent') continue;
    if (!entries.some((e) => e.type === 'email-sent' && e.template === template))
      problems.push({ seq: null, problem: 'missing-entry', of: `email ${template}` });
  }
  return problems;
}

/**
 * The partners that received, or may have received, personal fields of an order, per its ledger
 * (redaction goes to them): every `sent` and every write-ahead `sending` entry with a personal
 * field — also one whose outcome is a failure or unknown (a timeout, a process that died): the
 * partner may hold the data, and a redaction to a partner that does not is harmless.
 */
export function partnersWithPersonalData(
  entries: readonly LedgerEntry[],
  isPersonal: (path: FieldPath) => boolean,
): string[] {
  const out = new Set<string>();
  for (const entry of entries)
    if (
      (entry.type === 'sent' || entry.type === 'sending') &&
      entry.messageType !== ORDER_REDACTED_TYPE &&
      entry.fields.some(isPersonal)
    )
      out.add(entry.recipient);
  return [...out].sort();
}

/**
 * Whether `recipient` is known to hold personal fields of the order (`received`: a delivery of
 * them it acknowledged with a 2xx, `sent` without `failure`) or only may hold them
 * (`may-have-received`: a write-ahead `sending` with no outcome yet, a timeout, an error answer).
 */
export function redactionBasis(
  entries: readonly LedgerEntry[],
  recipient: string,
  isPersonal: (path: FieldPath) => boolean,
): 'received' | 'may-have-received' {
  const received = entries.some(
    (entry) =>
      entry.type === 'sent' &&
      entry.failure === undefined &&
      entry.recipient === recipient &&
      entry.messageType !== ORDER_REDACTED_TYPE &&
      entry.fields.some(isPersonal),
  );
  return received ? 'received' : 'may-have-received';
}

/**
 * The write-ahead `sending` entries to `recipient` whose outcome is not in the ledger yet: webhooks
 * that may still be on their way to the partner. Every attempt of a message (retries, an SQS
 * duplicate, a replay) has the same webhook-id, so a `sent` settles only the `sending` of its own
 * attempt (`attempt`): two attempts at once and one answer, even one recorded twice, leave the
 * other on its way (review s10, s10b: any later `sent` of the id settled them all, then one `sent`
 * settled one `sending` and a doubly recorded answer settled both). A `sent` without an attempt id
 * (written before they existed) settles the earliest open `sending` of its id without one.
 */
export function unsettledSends(
  entries: readonly LedgerEntry[],
  recipient: string,
): Array<Extract<LedgerEntry, { type: 'sending' }>> {
  const open: Array<Extract<LedgerEntry, { type: 'sending' }>> = [];
  for (const entry of entries) {
    if (entry.type === 'sending' && entry.recipient === recipient) open.push(entry);
    else if (entry.type === 'sent' && entry.recipient === recipient) {
      const settled = open.findIndex((s) => s.webhookId === entry.webhookId && s.attempt === entry.attempt);
      if (settled >= 0) open.splice(settled, 1);
    }
  }
  return open;
}

/** The customer's view: who received which fields when (export), from an order's ledger. */
export interface Disclosure {
  readonly at: string;
  readonly recipient: string;
  readonly what: string;
  readonly fields: readonly FieldPath[];
  readonly messageId: string | null;
  readonly acknowledgedAt: string | null;
}

export function disclosuresOf(entries: readonly LedgerEntry[]): Disclosure[] {
  const acks = new Map<string, string>();
  for (const e of entries)
    if (e.type === 'acknowledged' && !acks.has(e.webhookId)) acks.set(e.webhookId, e.at);
  const out: Disclosure[] = [];
  for (const e of entries) {
    if (e.type === 'sent' && e.failure === undefined)
      out.push({
        at: e.at,
        recipient: e.recipient,
        what: e.messageType,
        fields: e.fields,
        messageId: e.webhookId,
        acknowledgedAt: acks.get(e.webhookId) ?? null,
      });
    if (e.type === 'email-sent')
      out.push({
        at: e.at,
        recipient: e.recipient,
        what: `email: ${e.template}`,
        fields: e.fields,
        messageId: e.messageId,
        acknowledgedAt: null,
      });
  }
  return out;
}
