/**
 * The sealed-blob format (v1), ~37 bytes of overhead per blob:
 *
 *   [0x01 version][8-byte data-key ref][12-byte IV][ciphertext][16-byte GCM tag]
 *
 * AES-256-GCM; the associated data is the 9-byte header plus `minimis:v1:<context>:<recordId>`,
 * so a blob copied onto another record or read under another purpose fails to open. The wrapped
 * data key lives once in the key-record store under its ref, not in every blob.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SealError } from '../domain/errors.js';
import type { KeyContext } from '../inventory.js';

export const ENVELOPE_VERSION = 1;
export const REF_BYTES = 8;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + REF_BYTES;
export const ENVELOPE_OVERHEAD = HEADER_BYTES + IV_BYTES + TAG_BYTES;

export function associatedData(header: Uint8Array, context: KeyContext, recordId: string): Buffer {
  return Buffer.concat([header, Buffer.from(`minimis:v1:${context}:${recordId}`, 'utf8')]);
}

export function refToHex(ref: Uint8Array): string {
  return Buffer.from(ref).toString('hex');
}

export function sealWithKey(
  key: Uint8Array,
  refHex: string,
  context: KeyContext,
  recordId: string,
  plaintext: Uint8Array,
): Uint8Array {
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = ENVELOPE_VERSION;
  Buffer.from(refHex, 'hex').copy(header, 1);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(header, context, recordId));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([header, iv, body, cipher.getAuthTag()]);
}

/** Reads the data-key ref from a blob without opening it. */
export function blobKeyRef(blob: Uint8Array): string {
  // v1 and v2 (record-envelope.ts) both carry the ref right after the version byte.
  const v2 = blob[0] === 0x02 || blob[0] === 0x82;
  if (
    blob.length < (v2 ? HEADER_BYTES + TAG_BYTES : ENVELOPE_OVERHEAD) ||
    !(v2 || blob[0] === ENVELOPE_VERSION)
  ) {
    throw new SealError('Unsupported or truncated sealed blob');
  }
  return refToHex(blob.subarray(1, HEADER_BYTES));
}

export function openWithKey(
  key: Uint8Array,
  context: KeyContext,
  recordId: string,
  blob: Uint8Array,
): Buffer {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const header = buf.subarray(0, HEADER_BYTES);
  const iv = buf.subarray(HEADER_BYTES, HEADER_BYTES + IV_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const body = buf.subarray(HEADER_BYTES + IV_BYTES, buf.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData(header, context, recordId));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (cause) {
    throw new SealError('Sealed blob does not open for this record and purpose', { cause });
  }
}
