/**
 * Simulated KMS for the benchmark: real AES-256-GCM key wrapping (no network), call counting, and
 * wrapped keys padded to the size of a real KMS CiphertextBlob so stored-byte figures are honest.
 *
 * A real `GenerateDataKey` (AES_256, symmetric KMS key) returns a CiphertextBlob of ~184 bytes;
 * LocalKeyService's wrapped key is 60 bytes (12 IV + 32 + 16 tag). The padding is random filler
 * appended to the local wrapped key and stripped before unwrapping.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { KmsNodeClientSupplier } from '@aws-crypto/client-node';
import type { KeyContext } from '#shared/inventory.js';
import type { KeyService } from '#shared/ports.js';

/** Size of a KMS CiphertextBlob for a 32-byte data key under a symmetric KMS key. */
export const KMS_CIPHERTEXT_BLOB_BYTES = 184;
/** LocalKeyService's wrapped key: 12-byte IV + 32-byte key + 16-byte tag. */
export const LOCAL_WRAPPED_BYTES = 60;
/** A well-formed (fictitious) key ARN: the ESDK writes it into every message as provider info. */
export const EXAMPLE_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** Pads a KeyService's wrapped keys to the KMS CiphertextBlob size (and strips the filler on unwrap). */
export class KmsSizedKeyService implements KeyService {
  constructor(
    private readonly inner: KeyService,
    private readonly innerBytes = LOCAL_WRAPPED_BYTES,
    private readonly blobBytes = KMS_CIPHERTEXT_BLOB_BYTES,
  ) {}

  async generateDataKey(context: KeyContext) {
    const { plaintext, wrapped } = await this.inner.generateDataKey(context);
    if (wrapped.length !== this.innerBytes) throw new Error(`Unexpected wrapped key size ${wrapped.length}`);
    return { plaintext, wrapped: Buffer.concat([wrapped, randomBytes(this.blobBytes - this.innerBytes)]) };
  }

  decryptDataKey(context: KeyContext, wrapped: Uint8Array) {
    return this.inner.decryptDataKey(context, wrapped.subarray(0, this.innerBytes));
  }
}

type EncryptionContext = Record<string, string>;
/** The KMS client interface the ESDK's KMS keyring calls. */
export type EsdkKmsClient = Exclude<ReturnType<KmsNodeClientSupplier>, false>;

function contextAad(context: EncryptionContext | undefined): Buffer {
  const sorted = Object.entries(context ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}

/**
 * A stand-in for the AWS SDK KMS client as the ESDK's KmsKeyringNode calls it: GenerateDataKey and
 * Decrypt with the full encryption context bound as associated data (as KMS does), 184-byte blobs.
 * Counts every call, like CountingKeyService does for our KeyService.
 */
export class SimulatedKmsClient implements EsdkKmsClient {
  readonly calls: Array<{ op: 'generate' | 'decrypt'; purpose: string }> = [];

  constructor(private readonly master: Buffer) {
    if (master.length !== 32) throw new Error('master key must be 32 bytes');
  }

  async generateDataKey(args: {
    KeyId: string;
    NumberOfBytes?: number;
    EncryptionContext?: EncryptionContext;
  }) {
    this.calls.push({ op: 'generate', purpose: args.EncryptionContext?.purpose ?? '' });
    const plaintext = randomBytes(args.NumberOfBytes ?? 32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.master, iv);
    cipher.setAAD(contextAad(args.EncryptionContext));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const blob = Buffer.concat([iv, body, cipher.getAuthTag()]);
    const padded = Buffer.concat([blob, randomBytes(Math.max(0, KMS_CIPHERTEXT_BLOB_BYTES - blob.length))]);
    // The ESDK zeroes the Plaintext it receives: hand over copies it may own.
    return {
      KeyId: args.KeyId,
      Plaintext: new Uint8Array(plaintext),
      CiphertextBlob: new Uint8Array(padded),
    };
  }

  async decrypt(args: { KeyId?: string; CiphertextBlob: Uint8Array; EncryptionContext?: EncryptionContext }) {
    this.calls.push({ op: 'decrypt', purpose: args.EncryptionContext?.purpose ?? '' });
    const blob = Buffer.from(args.CiphertextBlob);
    const keyBytes = 32;
    const decipher = createDecipheriv('aes-256-gcm', this.master, blob.subarray(0, 12));
    decipher.setAAD(contextAad(args.EncryptionContext));
    decipher.setAuthTag(blob.subarray(12 + keyBytes, 12 + keyBytes + 16));
    const plaintext = Buffer.concat([decipher.update(blob.subarray(12, 12 + keyBytes)), decipher.final()]);
    return { KeyId: args.KeyId ?? EXAMPLE_KEY_ARN, Plaintext: new Uint8Array(plaintext) };
  }

  async encrypt(): Promise<never> {
    throw new Error('Encrypt is not used: the keyring has a generator key and no additional keys');
  }
}
