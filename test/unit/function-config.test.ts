/**
 * Each function reads only the settings its contract gives it (shared/contracts.ts): its loader
 * ignores every other variable, and reading a setting it is not given throws instead of quietly
 * returning a default its deployment never set.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  loadConfig,
  loadConfigFor,
  PARTNER_READERS,
  ReadersNotGivenError,
  readConfigFor,
  SettingNotGivenError,
  scopeConfig,
  variablesOf,
} from '#shared/config.js';
import { DELIVER_TO_PARTNER, FUNCTION_NAMES, FUNCTIONS, GET_ORDER, PURGE } from '#shared/contracts.js';
import { setWiring } from '#shared/wiring.js';
import { PLAUSIBLE_ENV } from '../support/aws-env.js';

const DEPLOYED = PLAUSIBLE_ENV;

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
    expect(getOrder.partners.map((p) => p.id)).toEqual(['warehouse', 'carrier']);
  });

  it('still rejects an invalid variable the function is given, naming it', () => {
    // Act / Assess
    expect(() => loadConfigFor('get-order', { PARTNERS: 'not json' })).toThrow(/PARTNERS/);
    expect(() => loadConfigFor('submit-order', {})).toThrow(/KMS_KEY_ID/);
  });

  it('reads partners and the origin country only with their readers, which only the functions given them pass', () => {
    // Prepare
    const env = { TABLE_NAME: 'orders-x', PARTNERS: DEPLOYED.PARTNERS };
    // Act
    const purge = readConfigFor(PURGE, env);
    const getOrder = readConfigFor(GET_ORDER, env, PARTNER_READERS);
    // Assess
    expect(purge.tableName).toBe('orders-x');
    expect(getOrder.partners.map((p) => p.id)).toEqual(['warehouse', 'carrier']);
    expect(() => readConfigFor(GET_ORDER, env)).toThrow(ReadersNotGivenError);
    expect(() => readConfigFor(DELIVER_TO_PARTNER, env)).toThrow(
      'Function deliver-to-partner reads partners or origin: pass PARTNER_READERS to configFor',
    );
  });

  it('throws on reading a setting the contract does not give, and names function and setting', () => {
    // Prepare
    const config = scopeConfig(loadConfig({ MINIMIS_MODE: 'local' }), GET_ORDER);
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
