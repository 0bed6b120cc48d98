/**
 * Consent-confirmation tokens: the signed, single-use, expiring link of the consent-confirmation
 * email (email.md, "A person's word is final"). Opaque, with no personal data in clear.
 *
 * Layout, then base64url without padding (69 bytes → 92 characters):
 *
 *   version (1 byte, 0x01) | emailKey (32 bytes) | request id (16 bytes) | expiresAt (4 bytes,
 *   big-endian epoch seconds) | tag (16 bytes)
 *
 * - `emailKey` is the keyed email hash the ledger and the suppression list use.
 * - `request id` names the one outstanding confirmation request on the customer record; the
 *   confirming write is conditional on it (single use: the write removes the request).
 * - `tag` is the first 128 bits of HMAC-SHA256 under the `consent-token` sub-key (derived from the
 *   shop's token key, like the unsubscribe tokens: checking a token never needs the lookup key)
 *   over the first 53 bytes, compared in constant time.
 */
import { SignedTokenFormat } from './signed-token.js';

export const CONSENT_TOKEN_VERSION = 1;
const EMAIL_KEY_BYTES = 32;
const ID_BYTES = 16;
const PAYLOAD_BYTES = 1 + EMAIL_KEY_BYTES + ID_BYTES + 4;
const FORMAT = new SignedTokenFormat(CONSENT_TOKEN_VERSION, PAYLOAD_BYTES);
export const CONSENT_TOKEN_LENGTH = Math.ceil((FORMAT.tokenBytes * 8) / 6);
/** base64url without padding of the token's bytes (also in the OpenAPI document). */
export const CONSENT_TOKEN_PATTERN = FORMAT.pattern.source;

/** What signs consent tokens: the shop's token key (`LookupKeys` satisfies this). */
export interface ConsentTokenSigner {
  mac(purpose: 'consent-token', data: Uint8Array): Promise<string>;
}

export type InvalidConsentTokenReason =
  | 'malformed'
  | 'unknown-version'
  | 'bad-signature'
  | 'expired'
  /** Signed by us, but already used, superseded, or its customer record was erased. */
  | 'used';

/** A malformed, tampered, expired or used token. The message never carries the token. */
export class InvalidConsentTokenError extends Error {
  override readonly name = 'InvalidConsentTokenError';
  constructor(
    readonly reason: InvalidConsentTokenReason,
    options?: ErrorOptions,
  ) {
    super(`Invalid consent-confirmation token (${reason})`, options);
  }
}

export interface ConsentTokenClaims {
  readonly emailKey: string;
  readonly requestId: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
}

function decodeFixed(value: string, bytes: number, what: string): Buffer {
  const buffer = Buffer.from(value, 'base64url');
  if (buffer.length !== bytes || buffer.toString('base64url') !== value) {
    throw new Error(`A consent token needs a ${bytes}-byte ${what}`);
  }
  return buffer;
}

const macOf = (signer: ConsentTokenSigner) => (payload: Uint8Array) => signer.mac('consent-token', payload);

export async function createConsentToken(
  signer: ConsentTokenSigner,
  claims: ConsentTokenClaims,
): Promise<string> {
  const expires = Buffer.alloc(4);
  expires.writeUInt32BE(claims.expiresAt);
  const payload = Buffer.concat([
    Buffer.of(CONSENT_TOKEN_VERSION),
    decodeFixed(claims.emailKey, EMAIL_KEY_BYTES, 'keyed email hash'),
    decodeFixed(claims.requestId, ID_BYTES, 'request id'),
    expires,
  ]);
  return FORMAT.seal(macOf(signer), payload);
}

/**
 * Checks shape, version, signature (constant time) and expiry against `nowSeconds`; throws
 * InvalidConsentTokenError. Whether it was used is decided by the conditional write.
 */
export async function verifyConsentToken(
  signer: ConsentTokenSigner,
  token: unknown,
  nowSeconds: number,
): Promise<ConsentTokenClaims> {
  const payload = await FORMAT.open(macOf(signer), token, (reason) => new InvalidConsentTokenError(reason));
  const expiresAt = payload.readUInt32BE(PAYLOAD_BYTES - 4);
  if (expiresAt <= nowSeconds) throw new InvalidConsentTokenError('expired');
  return {
    emailKey: Buffer.from(payload.subarray(1, 1 + EMAIL_KEY_BYTES)).toString('base64url'),
    requestId: Buffer.from(payload.subarray(1 + EMAIL_KEY_BYTES, 1 + EMAIL_KEY_BYTES + ID_BYTES)).toString(
      'base64url',
    ),
    expiresAt,
  };
}
