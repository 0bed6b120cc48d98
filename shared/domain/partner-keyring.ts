/**
 * A partner's signing keyring: the `whsec_…` secrets it shares with us, each with when it became
 * active and (once a newer one was added) when it retires. While more than one is active, every
 * outbound message carries one signature per active secret (space-separated in `webhook-signature`,
 * as Standard Webhooks allows) and inbound events verify against any active secret, so the partner
 * can switch to the new secret whenever it likes within the grace period.
 *
 * Stored as JSON (Secrets Manager secret string in AWS, a 0600 file in local mode). A plain
 * secret string (what a deployment holds before its first rotation) reads as a keyring of one.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { ISO_DATETIME } from '../contracts/message-schemas.js';

/** How long the old secret keeps working after a rotation unless retired earlier (partners.md). */
export const DEFAULT_GRACE_HOURS = 24;

export interface KeyringEntry {
  readonly secret: string;
  /** ISO 8601 UTC (`Z`), seconds required. */
  readonly activatedAt: string;
  /** After this instant the secret is ignored (signing and verifying). */
  readonly retireAt?: string;
}
export interface Keyring {
  readonly secrets: readonly KeyringEntry[];
}

/** A base64 signing secret, with or without `whsec_`: padding only at the end, as a decoder reads it. */
export const SECRET_VALUE = /^(whsec_)?[A-Za-z0-9+/]{16,}={0,2}$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const only = (value: Record<string, unknown>, keys: readonly string[]) =>
  Object.keys(value).every((key) => keys.includes(key));
const isDatetime = (value: unknown): value is string => typeof value === 'string' && ISO_DATETIME.test(value);

function entryOf(value: unknown): KeyringEntry | undefined {
  if (!isObject(value) || !only(value, ['secret', 'activatedAt', 'retireAt'])) return undefined;
  const { secret, activatedAt, retireAt } = value;
  if (typeof secret !== 'string' || !SECRET_VALUE.test(secret) || !isDatetime(activatedAt)) return undefined;
  if (retireAt !== undefined && !isDatetime(retireAt)) return undefined;
  return { secret, activatedAt, ...(retireAt !== undefined ? { retireAt } : {}) };
}

/**
 * A keyring as stored, or undefined: `{ "secrets": [ … ] }`, at least one entry, no other keys
 * (the check a zod/mini strict schema made before; test/unit/partner-keyring.test.ts holds them to
 * the same answers). Typed code: the two functions that sign or verify bundle no schema for it.
 */
export function checkKeyring(value: unknown): Keyring | undefined {
  if (!isObject(value) || !only(value, ['secrets']) || !Array.isArray(value.secrets)) return undefined;
  if (value.secrets.length < 1) return undefined;
  const secrets: KeyringEntry[] = [];
  for (const item of value.secrets) {
    const entry = entryOf(item);
    if (entry === undefined) return undefined;
    secrets.push(entry);
  }
  return { secrets };
}

/** The stored keyring cannot be read: the message names the problem, never the value. */
export class KeyringError extends Error {
  override readonly name = 'KeyringError';
}

/** Reads a stored keyring: JSON, or a bare secret (a keyring of one, active since the epoch). */
export function parseKeyring(text: string): Keyring {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) {
    if (!SECRET_VALUE.test(trimmed)) throw new KeyringError('the stored secret is not a base64 secret');
    return { secrets: [{ secret: trimmed, activatedAt: new Date(0).toISOString() }] };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new KeyringError('the stored keyring is not valid JSON');
  }
  const keyring = checkKeyring(json);
  if (keyring === undefined) throw new KeyringError('the stored keyring does not match its schema');
  return keyring;
}

export function serializeKeyring(keyring: Keyring): string {
  const checked = checkKeyring(keyring);
  if (checked === undefined) throw new KeyringError('the keyring does not match its schema');
  return `${JSON.stringify(checked, null, 2)}\n`;
}

const isActive = (entry: KeyringEntry, now: Date) =>
  entry.retireAt === undefined || Date.parse(entry.retireAt) > now.getTime();

/** Newest activation first; of two activated at the same instant, the one added later. */
function newestFirst(entries: readonly KeyringEntry[]): KeyringEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => Date.parse(b.entry.activatedAt) - Date.parse(a.entry.activatedAt) || b.index - a.index)
    .map(({ entry }) => entry);
}

/** The secrets in force at `now`, newest first. */
export function activeSecrets(keyring: Keyring, now: Date): string[] {
  return newestFirst(keyring.secrets.filter((entry) => isActive(entry, now))).map((entry) => entry.secret);
}

/** A fresh Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export type RotateResult =
  | {
      readonly outcome: 'rotated';
      readonly keyring: Keyring;
      readonly secret: string;
      readonly retireAt: string;
    }
  /** Two secrets are already active: retire the old one (or wait for its grace to end) first. */
  | { readonly outcome: 'already-rotating'; readonly retireAt: string | undefined };

/**
 * Adds a new active secret; the ones active now retire `graceHours` later. Entries already retired
 * are dropped. At most two are ever active.
 */
export function rotateKeyring(
  keyring: Keyring,
  now: Date,
  graceHours = DEFAULT_GRACE_HOURS,
  secret = newSecret(),
): RotateResult {
  const live = keyring.secrets.filter((entry) => isActive(entry, now));
  if (live.length > 1) {
    const pending = live
      .map((e) => e.retireAt)
      .filter((t): t is string => t !== undefined)
      .sort()[0];
    return { outcome: 'already-rotating', retireAt: pending };
  }
  const retireAt = new Date(now.getTime() + graceHours * 3_600_000).toISOString();
  return {
    outcome: 'rotated',
    secret,
    retireAt,
    keyring: {
      secrets: [...live.map((entry) => ({ ...entry, retireAt })), { secret, activatedAt: now.toISOString() }],
    },
  };
}

/** Keeps only the newest active secret; `retired` counts the secrets removed from service. */
export function retireKeyring(keyring: Keyring, now: Date): { keyring: Keyring; retired: number } {
  const live = newestFirst(keyring.secrets.filter((entry) => isActive(entry, now)));
  const newest = live[0];
  if (!newest) throw new KeyringError('the keyring has no active secret');
  const { retireAt: _none, ...kept } = newest;
  return { keyring: { secrets: [kept] }, retired: live.length - 1 };
}

/** `webhook-signature`: one `v1,<sig>` per secret, space-separated (Standard Webhooks). */
export function signWithAll(secrets: readonly string[], id: string, timestamp: Date, body: string): string {
  if (secrets.length === 0) throw new KeyringError('no active signing secret');
  return secrets.map((secret) => new Webhook(secret).sign(id, timestamp, body)).join(' ');
}

/** The request headers of a Standard Webhooks message signed with every one of `secrets`. */
export function signedWebhookHeaders(
  secrets: readonly string[],
  id: string,
  timestamp: Date,
  body: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signWithAll(secrets, id, timestamp, body),
  };
}

/**
 * Verifies a signed message against any of `secrets` (the `standardwebhooks` checks: signature,
 * 5-minute timestamp tolerance). Throws the package's WebhookVerificationError when none matches.
 */
export function verifyWithAny(
  secrets: readonly string[],
  body: Buffer | string,
  headers: Record<string, string>,
): void {
  let last: unknown = new KeyringError('no active signing secret');
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, headers, { jsonParse: false });
      return;
    } catch (error) {
      last = error;
    }
  }
  throw last;
}
