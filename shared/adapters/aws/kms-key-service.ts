import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DependencyError } from '../../domain/errors.js';
import type { KeyContext } from '../../inventory.js';
import type { KeyService } from '../../ports.js';

/**
 * KMS data keys, each bound to one encryption context `{ purpose: <context> }`. IAM and the key
 * policy allow a function only the contexts its purposes name, so the binding is enforced by KMS.
 */
export class KmsKeyService implements KeyService {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async generateDataKey(context: KeyContext) {
    try {
      const out = await this.kms.send(
        new GenerateDataKeyCommand({
          KeyId: this.keyId,
          KeySpec: 'AES_256',
          EncryptionContext: { purpose: context },
        }),
      );
      if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no key material');
      return { plaintext: out.Plaintext, wrapped: out.CiphertextBlob };
    } catch (cause) {
      throw new DependencyError('KMS GenerateDataKey', { cause });
    }
  }

  async decryptDataKey(context: KeyContext, wrapped: Uint8Array) {
    try {
      const out = await this.kms.send(
        new DecryptCommand({
          KeyId: this.keyId,
          CiphertextBlob: wrapped,
          EncryptionContext: { purpose: context },
        }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no plaintext');
      return out.Plaintext;
    } catch (cause) {
      throw new DependencyError('KMS Decrypt', { cause });
    }
  }
}
