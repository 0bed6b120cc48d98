import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { KmsKeyService } from '../../shared/adapters/aws/kms-key-service.js';
import { DependencyError } from '../../shared/domain/errors.js';

const kms = mockClient(KMSClient);
afterEach(() => kms.reset());

describe('KMS key service', () => {
  it('generates AES-256 data keys bound to the purpose encryption context', async () => {
    // Prepare
    kms
      .on(GenerateDataKeyCommand)
      .resolves({ Plaintext: new Uint8Array(32).fill(1), CiphertextBlob: new Uint8Array([9, 9]) });
    const service = new KmsKeyService(
      new KMSClient({ region: 'eu-west-1' }),
      'arn:aws:kms:eu-west-1:1:key/k',
    );
    // Act
    const key = await service.generateDataKey('shipping');
    // Assess
    expect(key.wrapped).toEqual(new Uint8Array([9, 9]));
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]?.args[0].input).toEqual({
      KeyId: 'arn:aws:kms:eu-west-1:1:key/k',
      KeySpec: 'AES_256',
      EncryptionContext: { purpose: 'shipping' },
    });
  });

  it('decrypts with the same context and pins the key id', async () => {
    // Prepare
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32).fill(2) });
    const service = new KmsKeyService(new KMSClient({ region: 'eu-west-1' }), 'key-1');
    // Act
    const plaintext = await service.decryptDataKey('contact', new Uint8Array([7]));
    // Assess
    expect(plaintext).toEqual(new Uint8Array(32).fill(2));
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input).toEqual({
      KeyId: 'key-1',
      CiphertextBlob: new Uint8Array([7]),
      EncryptionContext: { purpose: 'contact' },
    });
  });

  it('wraps KMS failures (e.g. AccessDenied for another purpose) in a typed error with the cause', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    kms.on(DecryptCommand).rejects(denied);
    const service = new KmsKeyService(new KMSClient({ region: 'eu-west-1' }), 'key-1');
    // Act
    const error = await service.decryptDataKey('marketing', new Uint8Array([7])).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).message).toBe('KMS Decrypt failed');
    expect(((error as Error).cause as Error).name).toBe('AccessDeniedException');
  });
});
