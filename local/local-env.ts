/**
 * Local-mode settings (PORT, DYNAMODB_PORT, PARTNER_*_URL/SECRET, …), parsed once; the first
 * problem stops start-up with one line naming the variable. Everything else is shared/config.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, countrySetting, type PartnerConfig, withoutEmpty } from '#shared/config.js';
import { DEFAULT_PARTNER_FIELDS } from '#shared/inventory.js';

const port = z.coerce
  .number({ error: 'must be a port number (0–65535)' })
  .int({ error: 'must be a port number (0–65535)' })
  .min(0, { error: 'must be a port number (0–65535)' })
  .max(65_535, { error: 'must be a port number (0–65535)' });
const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const secret = z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/, 'must be whsec_ followed by a base64 secret');

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

/** Sample partners' secrets: generated once per data directory (mode 0600) unless given. */
function localSecrets(dataDir: string): Record<string, string> {
  const file = join(dataDir, 'partner-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  mkdirSync(dataDir, { recursive: true });
  const secrets = {
    warehouse: `whsec_${randomBytes(24).toString('base64')}`,
    carrier: `whsec_${randomBytes(24).toString('base64')}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** The two built-in partners; PARTNER_*_URL points one at a real receiver instead of the sample. */
export function localPartners(env: LocalEnv, apiUrl: string): PartnerConfig[] {
  const secrets = localSecrets(env.MINIMIS_DATA_DIR);
  return [
    {
      id: 'warehouse',
      kind: 'warehouse',
      url: env.PARTNER_WAREHOUSE_URL ?? `${apiUrl}/_sample/warehouse`,
      secret: env.PARTNER_WAREHOUSE_SECRET ?? secrets.warehouse,
      fields: [...DEFAULT_PARTNER_FIELDS.warehouse],
    },
    {
      id: 'carrier',
      kind: 'carrier',
      url: env.PARTNER_CARRIER_URL ?? `${apiUrl}/_sample/carrier`,
      secret: env.PARTNER_CARRIER_SECRET ?? secrets.carrier,
      fields: [...DEFAULT_PARTNER_FIELDS.carrier],
    },
  ];
}
