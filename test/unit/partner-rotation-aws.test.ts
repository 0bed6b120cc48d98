/**
 * `minimis partner rotate-secret|retire-secret --aws`: a new version of the partner's Secrets
 * Manager secret (a JSON keyring), no redeploy; the running functions' PartnerSecrets reads it.
 * Secrets Manager is aws-sdk-client-mock; nothing else is called.
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.js';
import { runCli } from '../../cli/run.js';
import { PartnerSecrets } from '../../shared/adapters/aws/secrets-manager-store.js';
import { loadConfig } from '../../shared/config.js';
import { parseKeyring } from '../../shared/domain/partner-keyring.js';

const sm = mockClient(SecretsManagerClient);
const ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:minimis-prod/partners/carrier/webhook-secret';
const PARTNERS = JSON.stringify([
  {
    id: 'warehouse',
    kind: 'warehouse',
    url: 'https://wh.example/hooks',
    secret: 'whsec_d2FyZWhvdXNld2FyZWhvdXNl',
  },
  { id: 'carrier', kind: 'carrier', url: 'https://carrier.example/hooks', secretRef: ARN },
]);
const ENV = {
  MINIMIS_MODE: 'aws',
  TABLE_NAME: 'minimis-prod',
  KMS_KEY_ID: 'alias/minimis',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  PARTNERS,
};
/** What Secrets Manager holds now (AWSCURRENT). */
let stored = 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0';

beforeEach(() => {
  sm.on(GetSecretValueCommand).callsFake(async () => ({ SecretString: stored }));
  sm.on(PutSecretValueCommand).callsFake(async (input: { SecretString: string }) => {
    stored = input.SecretString;
    return {};
  });
});
afterEach(() => sm.reset());

function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    env: ENV,
    cwd: process.cwd(),
    interactive: false,
    prompt: async () => '',
    readStdin: async () => '',
  };
  return runCli(args, io).then((code) => ({ code, out: out.join(''), err: err.join('\n') }));
}

describe('secret rotation in AWS', () => {
  it('writes a new version holding both secrets; functions then sign with both; retire writes the newest alone', async () => {
    // Prepare
    const functions = new PartnerSecrets(loadConfig(ENV).partners, {
      client: new SecretsManagerClient({ region: 'eu-west-1' }),
      cacheSeconds: 0,
    });
    // Act
    const rotated = await cli(['partner', 'rotate-secret', '--partner', 'carrier', '--aws']);
    const printed = JSON.parse(rotated.out) as { secret: string };
    const afterRotation = await functions.partnerSecrets('carrier');
    const retired = await cli(['partner', 'retire-secret', '--partner', 'carrier', '--aws']);
    const afterRetire = await functions.partnerSecrets('carrier');
    // Assess
    expect(rotated.code).toBe(0);
    expect(sm.commandCalls(PutSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([ARN, ARN]);
    expect(afterRotation).toEqual([printed.secret, 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0']);
    expect(retired.code).toBe(0);
    expect(afterRetire).toEqual([printed.secret]);
    expect(parseKeyring(stored).secrets).toHaveLength(1);
  });

  it('refuses (exit 1) a partner whose secret is inline in PARTNERS, writing nothing', async () => {
    // Act
    const refused = await cli(['partner', 'rotate-secret', '--partner', 'warehouse', '--aws']);
    // Assess
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('the secret of partner warehouse is set in the environment');
    expect(refused.err).not.toContain('d2FyZWhvdXNl');
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});
