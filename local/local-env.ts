/**
 * Local-mode settings (PORT, DYNAMODB_PORT, PARTNER_*_URL/SECRET, …), parsed once; the first
 * problem stops start-up with one line naming the variable. Everything else is shared/config.ts.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { partnerKeyringFile, writeKeyringFile } from '#shared/adapters/aws/secrets-manager-store.js';
import { ConfigError, type PartnerConfig, withoutEmpty } from '#shared/config.js';
import { countrySetting } from '#shared/config-schemas.js';
import { newSecret } from '#shared/domain/partner-keyring.js';
import { DEFAULT_PARTNER_FIELDS } from '#shared/inventory.js';

const port = z.coerce
  .number({ error: 'must be a port number (0–65535)' })
  .int({ error: 'must be a port number (0–65535)' })
  .min(0, { error: 'must be a port number (0–65535)' })
  .max(65_535, { error: 'must be a port number (0–65535)' });
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const secret = z
  .string()
  .regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'must be whsec_ followed by a base64 secret');

export const localEnvSchema = z.object({
  PORT: port.default(3000),
  DYNAMODB_PORT: port.default(8000),
  SES_PORT: port.default(8005),
  MINIMIS_DATA_DIR: z.string().min(1).default('.minimis'),
  PUBLIC_BASE_URL: url.optional(),
  AWS_ENDPOINT_URL_DYNAMODB: url.optional(),
  AWS_ENDPOINT_URL_SESV2: url.optional(),
  KMS_KEY_ID: z.string().min(1).optional(),
  PARTNER_WAREHOUSE_URL: url.optional(),
  PARTNER_CARRIER_URL: url.optional(),
  PARTNER_WAREHOUSE_SECRET: secret.optional(),
  PARTNER_CARRIER_SECRET: secret.optional(),
  ORIGIN_COUNTRY: countrySetting.default('CN'),
  SENDER_EMAIL: z.email({ error: 'must be an email address' }).default('orders@shop.example'),
});
export type LocalEnv = z.output<typeof localEnvSchema>;

export function parseLocalEnv(env: NodeJS.ProcessEnv): LocalEnv {
  const parsed = localEnvSchema.safeParse(withoutEmpty(env));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(String(issue?.path[0] ?? 'environment'), issue?.message ?? 'is invalid');
}

/**
 * A partner's keyring file in the data directory (`partner-keys/<id>.json`, mode 0600), created
 * with a generated secret on first start; `minimis partner rotate-secret` changes it. A data
 * directory from before keyrings (`partner-secrets.json`) keeps its secrets.
 */
function ensureKeyringFile(dataDir: string, partnerId: string): void {
  const file = partnerKeyringFile(dataDir, partnerId);
  if (existsSync(file)) return;
  const legacyFile = join(dataDir, 'partner-secrets.json');
  const legacy = existsSync(legacyFile)
    ? (JSON.parse(readFileSync(legacyFile, 'utf8')) as Record<string, string | undefined>)[partnerId]
    : undefined;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeKeyringFile(file, {
    secrets: [{ secret: legacy ?? newSecret(), activatedAt: new Date().toISOString() }],
  });
}

/**
 * The two built-in partners; PARTNER_*_URL points one at a real receiver instead of the sample.
 * PARTNER_*_SECRET fixes a partner's secret (it cannot be rotated then); without it the secret
 * lives in the partner's keyring file in the data directory.
 */
export function localPartners(env: LocalEnv, apiUrl: string): PartnerConfig[] {
  const partner = (id: 'warehouse' | 'carrier', url: string | undefined, secret: string | undefined) => {
    if (!secret) ensureKeyringFile(env.MINIMIS_DATA_DIR, id);
    return {
      id,
      kind: id,
      url: url ?? `${apiUrl}/_sample/${id}`,
      ...(secret ? { secret } : {}),
      fields: [...DEFAULT_PARTNER_FIELDS[id]],
    };
  };
  return [
    partner('warehouse', env.PARTNER_WAREHOUSE_URL, env.PARTNER_WAREHOUSE_SECRET),
    partner('carrier', env.PARTNER_CARRIER_URL, env.PARTNER_CARRIER_SECRET),
  ];
}
