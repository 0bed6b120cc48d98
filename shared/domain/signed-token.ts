/**
 * The framing every signed link token shares (unsubscribe-token.ts, consent-token.ts):
 *
 *   payload (starts with a 1-byte version) | tag (first 128 bits of HMAC-SHA256 over the payload)
 *
 * then base64url without padding, one canonical spelling per token. Opening checks the shape,
 * the version and the tag (constant time); what the payload means is the caller's.
 */
import { timingSafeEqual } from 'node:crypto';
import { NoLookupKeyError } from './errors.js';

const TAG_BYTES = 16;

/** Signs a token's payload under one sub-key of the shop's token key (`LookupKeys.mac`). */
export type TokenMac = (payload: Uint8Array) => Promise<string>;

export type TokenFault = 'malformed' | 'unknown-version' | 'bad-signature';

export class SignedTokenFormat {
  readonly tokenBytes: number;
  /** base64url without padding of `tokenBytes` bytes (also published in the OpenAPI document). */
  readonly pattern: RegExp;

  constructor(
    readonly version: number,
    readonly payloadBytes: number,
  ) {
    this.tokenBytes = payloadBytes + TAG_BYTES;
    this.pattern = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((this.tokenBytes * 8) / 6)}}$`);
  }

  async seal(mac: TokenMac, payload: Buffer): Promise<string> {
    if (payload.length !== this.payloadBytes || payload[0] !== this.version) {
      throw new Error('A token payload must have its format’s length and version');
    }
    return Buffer.concat([payload, await tag(mac, payload)]).toString('base64url');
  }

  /** The payload of a genuine token; otherwise throws what `fault` makes of the reason. */
  async open(mac: TokenMac, token: unknown, fault: (reason: TokenFault) => Error): Promise<Buffer> {
    if (typeof token !== 'string' || !this.pattern.test(token)) throw fault('malformed');
    const bytes = Buffer.from(token, 'base64url');
    // Reject non-canonical encodings (stray low bits in the last character): one spelling per token.
    if (bytes.length !== this.tokenBytes || bytes.toString('base64url') !== token) throw fault('malformed');
    if (bytes[0] !== this.version) throw fault('unknown-version');
    const payload = bytes.subarray(0, this.payloadBytes);
    const expected = await tag(mac, payload).catch((error: unknown) => {
      // No token key yet: no token was ever issued, so this one cannot be genuine.
      if (error instanceof NoLookupKeyError) throw fault('bad-signature');
      throw error;
    });
    if (!timingSafeEqual(expected, bytes.subarray(this.payloadBytes))) throw fault('bad-signature');
    return payload;
  }
}

async function tag(mac: TokenMac, payload: Uint8Array): Promise<Buffer> {
  return Buffer.from(await mac(payload), 'base64url').subarray(0, TAG_BYTES);
}
