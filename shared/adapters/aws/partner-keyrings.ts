import { PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DependencyError } from '../../domain/errors.js';
import { type Keyring, serializeKeyring } from '../../domain/partner-keyring.js';
import type { KeyringStore } from '../../ports.js';
import { PartnerSecrets, partnerKeyringFile, writeKeyringFile } from './secrets-manager-store.js';

/** Partner keyrings read and written: the ops CLI's rotation (`partner rotate-secret`, `retire-secret`). */
export class PartnerKeyrings extends PartnerSecrets implements KeyringStore {
  async writeKeyring(partnerId: string, keyring: Keyring): Promise<void> {
    const partner = this.partner(partnerId);
    const source = this.keyringSource(partnerId);
    if (source === 'environment')
      throw new DependencyError(`secret of partner ${partnerId} (set in the environment)`);
    this.cache.delete(partnerId);
    if (source === 'file') {
      writeKeyringFile(partnerKeyringFile(this.options.dataDir as string, partnerId), keyring);
      return;
    }
    try {
      // A new version of the same secret (AWSCURRENT moves to it): functions pick it up within cacheSeconds.
      await this.client().send(
        new PutSecretValueCommand({ SecretId: partner.secretRef, SecretString: serializeKeyring(keyring) }),
      );
    } catch (cause) {
      throw new DependencyError(`Secrets Manager secret of partner ${partnerId}`, { cause });
    }
  }
}
