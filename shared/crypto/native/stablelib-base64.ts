/**
 * What the `standardwebhooks` package takes from `@stablelib/base64`, on Node's Buffer: the Lambda
 * bundles substitute this module for that package (`NATIVE_SUBSTITUTES`, infra/bundling.ts).
 * Node's decoder is lenient (it skips what is not base64), so the strict package's refusals come
 * first: a character outside the standard alphabet, padding anywhere but at the end, more than two
 * padding characters, or fewer than four characters. Like the package, a lone character left after
 * the last whole group (it holds no whole byte) is not read, so it is not checked either.
 * test/unit/native-substitutes.test.ts holds it to the package's answers, refusals included.
 */

const ALPHABET = /^[A-Za-z0-9+/]*$/;

/** Standard base64 with padding, as `@stablelib/base64`'s `encode`. */
export function encode(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

/** The bytes of standard base64, as `@stablelib/base64`'s `decode`: throws on what it refuses. */
export function decode(text: string): Uint8Array {
  if (text.length === 0) return new Uint8Array(0);
  const unpadded = text.replace(/=+$/, '');
  if (text.length < 4 || text.length - unpadded.length > 2) throw new Error('Base64Coder: incorrect padding');
  const read = unpadded.length % 4 === 1 ? unpadded.slice(0, -1) : unpadded;
  if (!ALPHABET.test(read)) throw new Error('Base64Coder: incorrect characters for decoding');
  return new Uint8Array(Buffer.from(read, 'base64'));
}
