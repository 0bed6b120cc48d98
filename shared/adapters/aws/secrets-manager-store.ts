import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PartnerConfig } from '../../config.js';
import { DependencyError } from '../../domain/errors.js';
import type { SecretStore } from '../../ports.js';

/**
 * Partner signing secrets: inline (`secret`, local mode) or from Secrets Manager (`secretRef`),
 * cached for the life of the process.
 */
export class PartnerSecrets implements SecretStore {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly partners: readonly PartnerConfig[],
    private readonly client?: SecretsManagerClient,
  ) {}

  partnerSecret(partnerId: string): Promise<string> {
    let secret = this.cache.get(partnerId);
    if (!secret) {
      secret = this.load(partnerId);
      this.cache.set(partnerId, secret);
      secret.catch(() => this.cache.delete(partnerId));
    }
    return secret;
  }

  private async load(partnerId: string): Promise<string> {
    const partner = this.partners.find((p) => p.id === partnerId);
    if (!partner) throw new DependencyError(`secret of unknown partner ${partnerId}`);
    if (partner.secret) return partner.secret;
    if (!partner.secretRef || !this.client)
      throw new DependencyError(`secret of partner ${partnerId} (not configured)`);
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: partner.secretRef }));
      if (!out.SecretString) throw new Error('empty secret');
      return out.SecretString.trim();
    } catch (cause) {
      throw new DependencyError(`Secrets Manager secret of partner ${partnerId}`, { cause });
    }
  }
}
