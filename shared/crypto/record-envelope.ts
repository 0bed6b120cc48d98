/**
 * The sealed-blob format v2: a blob opens only with the purpose data key AND the record's own
 * secret (kept in the key table, never in the order table). Deleting the secret shreds the
 * record in every copy of the order table, backups included.
 *
 *   single-use key:  [0x82][8-byte data-key ref][ciphertext][16-byte GCM tag]            25 B
 *   reusable secret: [0x02][8-byte data-key ref][12-byte IV][ciphertext][16-byte GCM tag] 37 B
 *
 * The blob key is HKDF-Expand-SHA256 (RFC 5869 §2.3, one block) with the purpose data key as the
 * pseudorandom key and `minimis:v2:<context>:<recordId>` ‖ 0x00 ‖ record secret as info, i.e.
 * HMAC-SHA256(dataKey, info ‖ 0x01). Neither input alone yields the key; another purpose or
 * another record yields another key. The associated data binds header, purpose and record as v1
 * does (`minimis:v2:<context>:<recordId>` after the header).
 *
 * Order records use the single-use form: every (data key, secret, purpose, record) seals exactly
 * one plaintext (the secret is random per order, the personal item is written once, and a
 * resumed intake re-seals the same request), so the derived key is never used twice with
 * different plaintexts and the 96-bit nonce is the constant zero. The customer's marketing
 * contact keeps one secret across opt-ins whose plaintexts may differ, so it carries a random IV.
 */
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { SealError } from '../domain/errors.js';
import type { KeyContext } from '../inventory.js';
import { REF_BYTES } from './envelope.js';
import { freshRandom } from './fresh-random.js';

export const ENVELOPE_V2 = 2;
const SINGLE_USE_FLAG = 0x80;
/** Bytes of a record secret: 128 bits from the CSPRNG. */
export const RECORD_SECRET_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + REF_BYTES;
const ZERO_IV = Buffer.alloc(IV_BYTES);
/** Overhead of a v2 blob sealed under a single-use key (order records). */
export const ENVELOPE_V2_SINGLE_USE_OVERHEAD = HEADER_BYTES + TAG_BYTES;
/** Overhead of a v2 blob sealed under a reusable record secret (the marketing contact). */
export const ENVELOPE_V2_OVERHEAD = HEADER_BYTES + IV_BYTES + TAG_BYTES;

/** The blob format's version: 1 (purpose key only) or 2 (purpose key and record secret). */
export function blobVersion(blob: Uint8Array): 1 | 2 {
  const first = blob[0];
  if (first === 1) return 1;
  if (first === ENVELOPE_V2 || first === (ENVELOPE_V2 | SINGLE_USE_FLAG)) return 2;
  throw new SealError('Unsupported sealed blob');
}

/** Whether the blob needs a record secret to open (v2); v1 blobs predate record secrets. */
export function needsRecordSecret(blob: Uint8Array): boolean {
  return blob[0] === ENVELOPE_V2 || blob[0] === (ENVELOPE_V2 | SINGLE_USE_FLAG);
}

/** A new record secret (from the pooled CSPRNG, shared/crypto/fresh-random.ts). */
export function newRecordSecret(): Buffer {
  return freshRandom(RECORD_SECRET_BYTES);
}

const label = (context: KeyContext, recordId: string) => `minimis:v2:${context}:${recordId}`;

/**
 * The bytes both the blob key and the AAD are read from, in one buffer (one allocation, one HMAC
 * update): header ‖ label ‖ 0x00 ‖ secret ‖ 0x01. The AAD is `[0, aadEnd)` (header ‖ label), the
 * HKDF info ‖ 0x01 is `[HEADER_BYTES, end)`. The header bytes are left for the caller to write.
 */
function keyMaterial(
  secret: Uint8Array,
  context: KeyContext,
  recordId: string,
): { m: Buffer; aadEnd: number } {
  if (secret.length !== RECORD_SECRET_BYTES) throw new SealError('Record secret has the wrong length');
  const text = label(context, recordId);
  const aadEnd = HEADER_BYTES + Buffer.byteLength(text, 'utf8');
  const m = Buffer.allocUnsafe(aadEnd + 1 + RECORD_SECRET_BYTES + 1);
  m.write(text, HEADER_BYTES, 'utf8');
  m[aadEnd] = 0;
  m.set(secret, aadEnd + 1);
  m[aadEnd + 1 + RECORD_SECRET_BYTES] = 1;
  return { m, aadEnd };
}

/** HMAC-SHA256(dataKey, info ‖ 0x01) over the material's tail; the secret's copy is zeroed after. */
function blobKey(dataKey: Uint8Array, m: Buffer, aadEnd: number): Buffer {
  const key = createHmac('sha256', dataKey).update(m.subarray(HEADER_BYTES)).digest();
  m.fill(0, aadEnd + 1, aadEnd + 1 + RECORD_SECRET_BYTES);
  return key;
}

/** HKDF-Expand-SHA256(PRK = data key, info = label ‖ 0x00 ‖ secret, L = 32). */
export function deriveBlobKey(
  dataKey: Uint8Array,
  secret: Uint8Array,
  context: KeyContext,
  recordId: string,
): Buffer {
  const { m, aadEnd } = keyMaterial(secret, context, recordId);
  return blobKey(dataKey, m, aadEnd);
}

export function sealV2(
  dataKey: Uint8Array,
  refHex: string,
  secret: Uint8Array,
  context: KeyContext,
  recordId: string,
  plaintext: Uint8Array,
  singleUse: boolean,
): Buffer {
  const { m, aadEnd } = keyMaterial(secret, context, recordId);
  const header = m.subarray(0, HEADER_BYTES);
  header[0] = singleUse ? ENVELOPE_V2 | SINGLE_USE_FLAG : ENVELOPE_V2;
  header.write(refHex, 1, 'hex');
  const iv = singleUse ? ZERO_IV : freshRandom(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', blobKey(dataKey, m, aadEnd), iv);
  cipher.setAAD(m.subarray(0, aadEnd));
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return singleUse
    ? Buffer.concat([header, body, final, cipher.getAuthTag()])
    : Buffer.concat([header, iv, body, final, cipher.getAuthTag()]);
}

export function openV2(
  dataKey: Uint8Array,
  secret: Uint8Array,
  context: KeyContext,
  recordId: string,
  blob: Uint8Array,
): Buffer {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const singleUse = buf[0] === (ENVELOPE_V2 | SINGLE_USE_FLAG);
  const start = HEADER_BYTES + (singleUse ? 0 : IV_BYTES);
  if (buf.length < start + TAG_BYTES) throw new SealError('Truncated sealed blob');
  const iv = singleUse ? ZERO_IV : buf.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  try {
    const { m, aadEnd } = keyMaterial(secret, context, recordId);
    buf.copy(m, 0, 0, HEADER_BYTES);
    const key = blobKey(dataKey, m, aadEnd);
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(m.subarray(0, aadEnd));
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    return Buffer.concat([decipher.update(buf.subarray(start, buf.length - TAG_BYTES)), decipher.final()]);
  } catch (cause) {
    throw new SealError('Sealed blob does not open for this record, purpose and record secret', { cause });
  }
}
