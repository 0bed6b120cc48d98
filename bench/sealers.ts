/**
 * The alternatives the benchmark compares, each plugged into the unchanged submit-order use case as
 * a DataKeys subclass (the use case seals through `dataKeys.seal`, the consumers open through
 * `dataKeys.open`). minimis itself uses DataKeys as it is.
 *
 * - PlaintextDataKeys: no crypto at all (the lower bound for CPU and bytes).
 * - NaiveDataKeys: one GenerateDataKey per personal field, the wrapped key stored next to each
 *   field's ciphertext, no cache.
 * - EsdkDataKeys: the AWS Encryption SDK (KMS keyring behind a caching CMM), one ESDK message per
 *   purpose, with the record id in the encryption context or not.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type {
  AlgorithmSuiteIdentifier,
  buildClient,
  NodeCachingMaterialsManager,
} from '@aws-crypto/client-node';
import { type DataKeyCacheOptions, DataKeys } from '#shared/crypto/data-keys.js';
import { SealError } from '#shared/domain/errors.js';
import { decodeFields, encodeFields, type PersonalFields } from '#shared/domain/sealing.js';
import { FIELD_PATHS, type FieldPath, type KeyContext } from '#shared/inventory.js';
import type { Clock, KeyRecordStore, KeyService } from '#shared/ports.js';

export class PlaintextDataKeys extends DataKeys {
  override async seal(_context: KeyContext, _recordId: string, plaintext: Uint8Array): Promise<Uint8Array> {
    return Buffer.from(plaintext);
  }
  override async open(_context: KeyContext, _recordId: string, blob: Uint8Array): Promise<Buffer> {
    return Buffer.from(blob);
  }
}

/**
 * Naive per-field envelope: for every personal field of a purpose, a fresh data key from KMS. Each
 * field is stored as [1 field index][1 wrapped-key length][2 ciphertext length][wrapped key]
 * [12 IV][ciphertext][16 tag]: with a 184-byte KMS blob that is 216 bytes of overhead per field.
 */
export const NAIVE_FIELD_FRAMING = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class NaiveDataKeys extends DataKeys {
  constructor(
    private readonly kms: KeyService,
    records: KeyRecordStore,
    clock: Clock,
    options: DataKeyCacheOptions,
  ) {
    super(kms, records, clock, options);
  }

  private static aad(context: KeyContext, recordId: string, path: string): Buffer {
    return Buffer.from(`naive:v1:${context}:${recordId}:${path}`, 'utf8');
  }

  override async seal(context: KeyContext, recordId: string, plaintext: Uint8Array): Promise<Uint8Array> {
    const parts: Buffer[] = [];
    for (const [path, value] of Object.entries(decodeFields(plaintext))) {
      if (value === undefined) continue;
      const { plaintext: key, wrapped } = await this.kms.generateDataKey(context);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(NaiveDataKeys.aad(context, recordId, path));
      const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      const head = Buffer.alloc(NAIVE_FIELD_FRAMING);
      head[0] = FIELD_PATHS.indexOf(path as FieldPath);
      head[1] = wrapped.length;
      head.writeUInt16BE(body.length, 2);
      parts.push(head, Buffer.from(wrapped), iv, body, cipher.getAuthTag());
    }
    return Buffer.concat(parts);
  }

  override async open(context: KeyContext, recordId: string, blob: Uint8Array): Promise<Buffer> {
    const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
    const fields: PersonalFields = {};
    let at = 0;
    while (at < buf.length) {
      const path = FIELD_PATHS[buf[at] ?? -1];
      const wrappedLength = buf[at + 1] ?? 0;
      const bodyLength = buf.readUInt16BE(at + 2);
      at += NAIVE_FIELD_FRAMING;
      if (!path) throw new SealError('Unknown field in naive blob');
      const key = await this.kms.decryptDataKey(context, buf.subarray(at, at + wrappedLength));
      at += wrappedLength;
      const iv = buf.subarray(at, at + IV_BYTES);
      const body = buf.subarray(at + IV_BYTES, at + IV_BYTES + bodyLength);
      const tag = buf.subarray(at + IV_BYTES + bodyLength, at + IV_BYTES + bodyLength + TAG_BYTES);
      at += IV_BYTES + bodyLength + TAG_BYTES;
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(NaiveDataKeys.aad(context, recordId, path));
      decipher.setAuthTag(tag);
      fields[path] = Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    }
    return Buffer.from(encodeFields(fields));
  }
}

export type EsdkClient = ReturnType<typeof buildClient>;

export interface EsdkOptions {
  readonly client: EsdkClient;
  readonly cmm: NodeCachingMaterialsManager;
  /** Undefined: the SDK's default suite (committing, ECDSA P-384 signed). */
  readonly suiteId: AlgorithmSuiteIdentifier | undefined;
  /** Put the record id in the encryption context (binds the message to its record, defeats the cache). */
  readonly bindRecord: boolean;
}

export class EsdkDataKeys extends DataKeys {
  constructor(
    keys: KeyService,
    records: KeyRecordStore,
    clock: Clock,
    options: DataKeyCacheOptions,
    private readonly esdk: EsdkOptions,
  ) {
    super(keys, records, clock, options);
  }

  private context(purpose: KeyContext, recordId: string): Record<string, string> {
    return this.esdk.bindRecord ? { purpose, recordId } : { purpose };
  }

  override async seal(context: KeyContext, recordId: string, plaintext: Uint8Array): Promise<Uint8Array> {
    const { result } = await this.esdk.client.encrypt(this.esdk.cmm, plaintext, {
      encryptionContext: this.context(context, recordId),
      ...(this.esdk.suiteId === undefined ? {} : { suiteId: this.esdk.suiteId }),
    });
    return result;
  }

  override async open(context: KeyContext, recordId: string, blob: Uint8Array): Promise<Buffer> {
    const { plaintext, messageHeader } = await this.esdk.client.decrypt(this.esdk.cmm, blob);
    // The ESDK returns the stored context; checking it is the caller's job.
    for (const [k, v] of Object.entries(this.context(context, recordId))) {
      if (messageHeader.encryptionContext[k] !== v)
        throw new SealError('ESDK message has another encryption context');
    }
    return plaintext;
  }
}
