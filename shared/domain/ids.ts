import { freshRandom } from '../crypto/fresh-random.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Crockford base32 of `bytes`, most significant bits first, no padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD[(buffer << (5 - bits)) & 31];
  return out;
}

/** `ord_` + 26 Crockford base32 characters: 128 bits from the CSPRNG (pooled; ≥ 96 bits required). */
export function newOrderId(random: (n: number) => Uint8Array = freshRandom): string {
  return `ord_${base32(random(16))}`;
}

export const ORDER_ID_PATTERN = /^ord_[0-9A-HJKMNP-TV-Z]{26}$/;

export function isOrderId(value: string): boolean {
  return ORDER_ID_PATTERN.test(value);
}
