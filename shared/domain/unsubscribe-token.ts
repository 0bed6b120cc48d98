/**
 * Unsubscribe tokens for the RFC 8058 one-click links in every email: opaque, signed, and with no
 * personal data in clear.
 *
 * Layout, then base64url without padding (50 bytes → 67 characters):
 *
 *   version (1 byte, 0x01) | emailKey (32 bytes) | scope (1 byte) | tag (16 bytes)
 *
 * - `emailKey` is the keyed email hash (HMAC-SHA256 under the shop's lookup key), the same
 *   pseudonymous key the consent ledger and the suppression list use; nobody without the shop's
 *   key can tell which address it stands for.
 * - `scope` says what the link unsubscribes from; today only promotional email (0x01).
 * - `tag` is the first 128 bits of HMAC-SHA256 under the `unsubscribe-token` sub-key over the
 *   first 34 bytes, compared in constant time. That sub-key derives from the shop's separate token
 *   key, not the lookup key: signing or checking a token never needs the keyed-hash key.
 *
 * Tokens do not expire: an unsubscribe link must keep working for as long as the email exists.
 */
import { SignedTokenFormat } from './signed-token.js';

export const UNSUBSCRIBE_TOKEN_VERSION = 1;
export const UNSUBSCRIBE_SCOPES = ['marketing'] as const;
export type UnsubscribeScope = (typeof UNSUBSCRIBE_SCOPES)[number];

const SCOPE_CODES: Readonly<Record<UnsubscribeScope, number>> = { marketing: 1 };
const EMAIL_KEY_BYTES = 32;
const PAYLOAD_BYTES = 1 + EMAIL_KEY_BYTES + 1;
const FORMAT = new SignedTokenFormat(UNSUBSCRIBE_TOKEN_VERSION, PAYLOAD_BYTES);
/** The shape of every token we issue (published as the `token` parameter's pattern). */
export const UNSUBSCRIBE_TOKEN_PATTERN = FORMAT.pattern;

/** What signs tokens: the shop's token key (`LookupKeys` satisfies this, unwrapping only that key). */
export interface UnsubscribeTokenSigner {
  mac(purpose: 'unsubscribe-token', data: Uint8Array): Promise<string>;
}

export type InvalidTokenReason = 'malformed' | 'unknown-version' | 'bad-signature' | 'unknown-scope';

/** A malformed, tampered or unknown token. The message never carries the token. */
export class InvalidUnsubscribeTokenError extends Error {
  override readonly name = 'InvalidUnsubscribeTokenError';
  constructor(readonly reason: InvalidTokenReason) {
    super(`Invalid unsubscribe token (${reason})`);
  }
}

export interface UnsubscribeTokenClaims {
  readonly emailKey: string;
  readonly scope: UnsubscribeScope;
}

const macOf = (signer: UnsubscribeTokenSigner) => (payload: Uint8Array) =>
  signer.mac('unsubscribe-token', payload);

export async function createUnsubscribeToken(
  signer: UnsubscribeTokenSigner,
  emailKey: string,
  scope: UnsubscribeScope = 'marketing',
): Promise<string> {
  const key = Buffer.from(emailKey, 'base64url');
  if (key.length !== EMAIL_KEY_BYTES || key.toString('base64url') !== emailKey) {
    throw new Error('An unsubscribe token needs a 32-byte keyed email hash');
  }
  const payload = Buffer.concat([Buffer.of(UNSUBSCRIBE_TOKEN_VERSION), key, Buffer.of(SCOPE_CODES[scope])]);
  return FORMAT.seal(macOf(signer), payload);
}

/** Checks shape, version and signature (constant time); throws InvalidUnsubscribeTokenError. */
export async function verifyUnsubscribeToken(
  signer: UnsubscribeTokenSigner,
  token: unknown,
): Promise<UnsubscribeTokenClaims> {
  const payload = await FORMAT.open(
    macOf(signer),
    token,
    (reason) => new InvalidUnsubscribeTokenError(reason),
  );
  const scope = UNSUBSCRIBE_SCOPES.find((s) => SCOPE_CODES[s] === payload[PAYLOAD_BYTES - 1]);
  if (!scope) throw new InvalidUnsubscribeTokenError('unknown-scope');
  return { emailKey: Buffer.from(payload.subarray(1, 1 + EMAIL_KEY_BYTES)).toString('base64url'), scope };
}
