/**
 * Each function reads only the settings its contract gives it (shared/contracts.ts): its loader
 * ignores every other variable, and reading a setting it is not given throws instead of quietly
 * returning a default its deployment never set.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig, loadConfigFor, SettingNotGivenError, scopeConfig, variablesOf } from '#shared/config.js';
import { FUNCTION_NAMES, FUNCTIONS } from '#shared/contracts.js';
import { setWiring } from '#shared/wiring.js';

/** Plausible deployed values of every variable a function may be given (AWS mode). */
const DEPLOYED: Readonly<Record<string, string>> = {
  TABLE_NAME: 'minimis-test',
  KEY_TABLE_NAME: 'minimis-test-keys',
  SHRED_BACKUP_DAYS: '7',
  KMS_KEY_ID: 'arn:aws:kms:eu-west-1:000000000000:key/test',
  PUBLIC_BASE_URL: 'https://shop.example',
  SENDER_EMAIL: 'orders@shop.example',
  SES_CONFIGURATION_SET: 'minimis-test',
  ORIGIN_COUNTRY: 'DE',
  POLICY_VERSION: '2026-11-01',
  PARTNERS: JSON.stringify([{ id: 'carrier', kind: 'carrier', url: 'https://carrier.example/hooks' }]),
  PARTNER_SECRET_REFS: JSON.stringify({ carrier: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:c' }),
  QUEUE_URLS: JSON.stringify({ notify: 'https://sqs.eu-west-1.amazonaws.com/000000000000/notify' }),
  RETENTION_AFTER_DELIVERY_DAYS: '30',
  RETENTION_UNDELIVERED_DAYS: '90',
  RETENTION_ACCOUNTING_YEARS: '10',
  PARTNER_ID: 'carrier',
  IDEMPOTENCY_HOURS: '24',
  DATA_KEY_MAX_AGE_SECONDS: '600',
  DATA_KEY_MAX_USES: '100000',
  DELIVERY_MAX_ATTEMPTS: '16',
  DELIVERY_BASE_DELAY_SECONDS: '30',
  DELIVERY_TIMEOUT_MS: '15000',
  PARTNER_SECRET_CACHE_SECONDS: '60',
};

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('function configuration', () => {
  it('ignores the variables a function is not given, even invalid ones', () => {
    // Prepare: health is given nothing; get-order neither KMS nor queues.
    const env = { PARTNERS: 'not json', KMS_KEY_ID: '', QUEUE_URLS: '{', TABLE_NAME: 'orders-x' };
    // Act
    const health = loadConfigFor('health', env);
    const getOrder = loadConfigFor('get-order', { ...env, PARTNERS: DEPLOYED.PARTNERS });
    // Assess
    expect(() => health.tableName).toThrow(SettingNotGivenError);
    expect(getOrder.tableName).toBe('orders-x');
    expect(getOrder.partners.map((p) => p.id)).toEqual(['carrier']);
  });

  it('still rejects an invalid variable the function is given, naming it', () => {
    // Act / Assess
    expect(() => loadConfigFor('get-order', { PARTNERS: 'not json' })).toThrow(/PARTNERS/);
    expect(() => loadConfigFor('submit-order', {})).toThrow(/KMS_KEY_ID/);
  });

  it('throws on reading a setting the contract does not give, and names function and setting', () => {
    // Prepare
    const config = scopeConfig(loadConfig({ MINIMIS_MODE: 'local' }), 'get-order');
    // Act
    const read = () => config.kmsKeyId;
    // Assess
    expect(read).toThrow(SettingNotGivenError);
    expect(read).toThrow('Function get-order reads setting kmsKeyId');
    expect(config.tableName).toBe('minimis');
  });

  it('maps every setting of every function to the variables infra sets', () => {
    // Assess
    expect(variablesOf('health')).toEqual([]);
    expect(variablesOf('openapi')).toEqual(['PUBLIC_BASE_URL']);
    expect(variablesOf('purge').sort()).toEqual(['KEY_TABLE_NAME', 'SHRED_BACKUP_DAYS', 'TABLE_NAME']);
    for (const fn of FUNCTION_NAMES)
      for (const variable of variablesOf(fn))
        expect(Object.keys(DEPLOYED), `${fn} ${variable}`).toContain(variable);
  });

  it.each(FUNCTION_NAMES)('%s starts (composes at cold start) from only its own variables', async (fn) => {
    // Prepare: AWS mode, nothing installed, only this function's variables set.
    setWiring(undefined);
    for (const variable of Object.keys(DEPLOYED)) vi.stubEnv(variable, undefined);
    for (const variable of variablesOf(fn)) vi.stubEnv(variable, DEPLOYED[variable]);
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    // Act
    const module = (await import(`../../functions/${fn}.ts`)) as { handler?: unknown };
    // Assess
    expect(typeof module.handler, fn).toBe('function');
    expect(FUNCTIONS[fn].settings.length).toBe(new Set(FUNCTIONS[fn].settings).size);
  });
});
