/**
 * What the `standardwebhooks` package takes from `fast-sha256` (a pure-JavaScript SHA-256 written
 * for browsers), on Node's own OpenSSL: the Lambda bundles substitute this module for that package
 * (`NATIVE_SUBSTITUTES`, infra/bundling.ts), so the package's signing scheme is untouched and a
 * delivery signs with native HMAC in ~0.1 KB instead of ~6 KB of bundled code.
 * test/unit/native-substitutes.test.ts holds it to the package's answers.
 */
import { createHmac } from 'node:crypto';

/** HMAC-SHA256 of `data` under `key` (RFC 2104), as `fast-sha256`'s `hmac`. */
export function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}
