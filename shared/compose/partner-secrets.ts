/**
 * Partner keyrings for the functions that sign or verify webhooks: Secrets Manager in AWS (one
 * module-scope client; each partner's secret ARN from `partnerSecretRefs`), or what is installed.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PartnerSecrets } from '../adapters/aws/secrets-manager-store.js';
import { type Config, partnersWithSecretRefs } from '../config.js';
import type { SecretStore } from '../ports.js';
import { clock, installed } from './installed.js';

let secrets: PartnerSecrets | undefined;

export function partnerSecrets(
  config: Pick<Config, 'partners' | 'partnerSecretRefs' | 'secretCacheSeconds'>,
): SecretStore {
  const local = installed()?.secrets;
  if (local) return local;
  secrets ??= new PartnerSecrets(partnersWithSecretRefs(config), {
    client: new SecretsManagerClient({}),
    cacheSeconds: config.secretCacheSeconds,
    clock: clock(),
  });
  return secrets;
}
