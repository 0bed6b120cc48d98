import { describe, expect, it } from 'vitest';
import { parseLocalEnv } from '../../local/local-env.js';
import { ConfigError, loadConfig } from '../../shared/config.js';
import { DEFAULT_PARTNER_FIELDS } from '../../shared/inventory.js';

describe('configuration', () => {
  it('defaults make a working local configuration', () => {
    // Act
    const config = loadConfig({ MINIMIS_MODE: 'local' });
    // Assess
    expect(config).toMatchObject({
      mode: 'local',
      tableName: 'minimis',
      publicBaseUrl: 'http://localhost:3000',
      senderEmail: 'orders@shop.example',
      originCountry: 'CN',
      retention: { afterDeliveryDays: 30, undeliveredDays: 90, accountingYears: 10 },
      delivery: { maxAttempts: 16, baseDelaySeconds: 30, timeoutMs: 15_000 },
    });
    expect(config.partners.map((p) => [p.id, p.kind])).toEqual([
      ['warehouse', 'warehouse'],
      ['carrier', 'carrier'],
    ]);
  });

  it.each([
    [{ MINIMIS_MODE: 'aws' }, 'Invalid configuration: KMS_KEY_ID is required in aws mode'],
    [{ MINIMIS_MODE: 'local', PUBLIC_BASE_URL: 'ftp://x' }, 'Invalid configuration: PUBLIC_BASE_URL'],
    [
      { MINIMIS_MODE: 'local', ORIGIN_COUNTRY: 'china' },
      'Invalid configuration: ORIGIN_COUNTRY must be an ISO 3166-1 alpha-2 country code (e.g. GB, DE, CN)',
    ],
    [
      { MINIMIS_MODE: 'local', RETENTION_AFTER_DELIVERY_DAYS: '-3' },
      'Invalid configuration: RETENTION_AFTER_DELIVERY_DAYS',
    ],
    [{ MINIMIS_MODE: 'local', PARTNERS: '{not json' }, 'Invalid configuration: PARTNERS must be valid JSON'],
    [
      { MINIMIS_MODE: 'local', PARTNERS: '[{"id":"c","kind":"carrier","url":"https://c.example","x":1}]' },
      'Invalid configuration: PARTNERS Unrecognized key: "x" (at 0)',
    ],
    [
      {
        MINIMIS_MODE: 'local',
        PARTNERS:
          '[{"id":"c","kind":"carrier","url":"https://c.example"},{"id":"c","kind":"warehouse","url":"https://w.example"}]',
      },
      'Invalid configuration: PARTNERS partner ids must be unique',
    ],
    [
      { MINIMIS_MODE: 'local', PARTNERS: '[{"id":"Carrier","kind":"carrier","url":"https://c.example"}]' },
      'Invalid configuration: PARTNERS must be a lowercase id (a-z, 0-9, -) (at 0.id)',
    ],
    [
      { MINIMIS_MODE: 'local', PARTNER_SECRET_REFS: '{"Bad Id":"arn:x"}' },
      'Invalid configuration: PARTNER_SECRET_REFS Invalid key in record (at Bad Id)',
    ],
    [
      { MINIMIS_MODE: 'local', QUEUE_URLS: '{"notify":"not a url"}' },
      'Invalid configuration: QUEUE_URLS Invalid URL (at notify)',
    ],
    [
      { MINIMIS_MODE: 'cloud' },
      'Invalid configuration: MINIMIS_MODE Invalid option: expected one of "aws"|"local"',
    ],
    [
      { MINIMIS_MODE: 'local', SHRED_BACKUP_DAYS: '36' },
      'Invalid configuration: SHRED_BACKUP_DAYS must be at most 35 days',
    ],
  ])('rejects %o naming the variable', (env, message) => {
    // Act / Assess
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('rejects a partner configured with a field its kind may not receive, without echoing secrets', () => {
    // Prepare
    const partners = JSON.stringify([
      {
        id: 'carrier',
        kind: 'carrier',
        url: 'https://c.example',
        secret: 'whsec_c2VjcmV0',
        fields: ['customer.email'],
      },
    ]);
    // Act / Assess
    expect(() => loadConfig({ MINIMIS_MODE: 'local', PARTNERS: partners })).toThrow(
      'Invalid configuration: PARTNERS field customer.email may not be sent to a carrier (at 0)',
    );
    try {
      loadConfig({ MINIMIS_MODE: 'local', PARTNERS: partners });
    } catch (error) {
      expect((error as Error).message).not.toContain('c2VjcmV0');
    }
  });

  it('partner webhooks must use https in aws mode (plain http is for local stand-ins)', () => {
    // Prepare
    const partners = JSON.stringify([{ id: 'carrier', kind: 'carrier', url: 'http://c.example/hook' }]);
    // Act / Assess
    expect(() => loadConfig({ MINIMIS_MODE: 'aws', KMS_KEY_ID: 'k', PARTNERS: partners })).toThrow(
      'Invalid configuration: PARTNERS url must be https in aws mode (at 0)',
    );
    expect(loadConfig({ MINIMIS_MODE: 'local', PARTNERS: partners }).partners[0]?.url).toBe(
      'http://c.example/hook',
    );
  });

  it('an origin country must be an assigned code: UK is not one (GB is)', () => {
    // Act / Assess
    expect(() => loadConfig({ MINIMIS_MODE: 'local', ORIGIN_COUNTRY: 'UK' })).toThrow(
      'Invalid configuration: ORIGIN_COUNTRY must be an ISO 3166-1 alpha-2 country code (e.g. GB, DE, CN)',
    );
    expect(() => parseLocalEnv({ ORIGIN_COUNTRY: 'ZZ' })).toThrow('Invalid configuration: ORIGIN_COUNTRY');
    expect(loadConfig({ MINIMIS_MODE: 'local', ORIGIN_COUNTRY: 'GB' }).originCountry).toBe('GB');
  });

  it('a variable set to the empty string counts as unset', () => {
    // Act / Assess
    expect(parseLocalEnv({ PORT: '', DYNAMODB_PORT: '' })).toMatchObject({ PORT: 3000, DYNAMODB_PORT: 8000 });
    expect(loadConfig({ MINIMIS_MODE: 'local', KMS_KEY_ID: '', ORIGIN_COUNTRY: '' })).toMatchObject({
      kmsKeyId: undefined,
      originCountry: 'CN',
    });
  });

  it('number and URL problems read as sentences', () => {
    // Act / Assess
    expect(() => loadConfig({ MINIMIS_MODE: 'local', DELIVERY_MAX_ATTEMPTS: '0' })).toThrow(
      'Invalid configuration: DELIVERY_MAX_ATTEMPTS must be a positive whole number',
    );
    expect(() => parseLocalEnv({ PARTNER_CARRIER_URL: 'carrier' })).toThrow(
      'Invalid configuration: PARTNER_CARRIER_URL must be an http(s) URL',
    );
  });

  it('counts characters as code points, names the path of an empty value, and takes no __proto__ key', () => {
    // Act / Assess
    expect(() => loadConfig({ MINIMIS_MODE: 'local', TABLE_NAME: '\u{1F44D}\u{1F44D}' })).toThrow(
      'Invalid configuration: TABLE_NAME Too small: expected string to have >=3 characters',
    );
    expect(() => loadConfig({ MINIMIS_MODE: 'local', PARTNER_SECRET_REFS: '{"warehouse":""}' })).toThrow(
      'Invalid configuration: PARTNER_SECRET_REFS Too small: expected string to have >=1 characters (at warehouse)',
    );
    expect(() =>
      loadConfig({
        MINIMIS_MODE: 'local',
        QUEUE_URLS: '{"notify":"https://q.example/n","__proto__":"https://q.example/p"}',
      }),
    ).toThrow('Invalid configuration: QUEUE_URLS Invalid key in record (at __proto__)');
    expect(() => loadConfig({ MINIMIS_MODE: 'local', PARTNER_SECRET_REFS: '{"__proto__":"arn"}' })).toThrow(
      'Invalid configuration: PARTNER_SECRET_REFS Invalid key in record (at __proto__)',
    );
  });

  it('local settings name the bad variable', () => {
    // Act / Assess
    expect(() => parseLocalEnv({ PORT: 'abc' })).toThrow('Invalid configuration: PORT');
    expect(() => parseLocalEnv({ PARTNER_CARRIER_SECRET: 'plain' })).toThrow(
      'Invalid configuration: PARTNER_CARRIER_SECRET must be whsec_ followed by a base64 secret',
    );
    expect(parseLocalEnv({}).PORT).toBe(3000);
  });
});

describe('default partner fields', () => {
  it('are exactly what the inventory lets each kind receive', () => {
    // Assess
    expect(DEFAULT_PARTNER_FIELDS).toEqual({
      warehouse: ['items[].sku', 'items[].quantity'],
      carrier: [
        'customer.givenName',
        'customer.familyName',
        'customer.phone',
        'shippingAddress.line1',
        'shippingAddress.line2',
        'shippingAddress.city',
        'shippingAddress.region',
        'shippingAddress.postalCode',
        'shippingAddress.country',
        'items[].name',
        'items[].quantity',
        'items[].unitPrice',
        'currency',
      ],
    });
  });
});
