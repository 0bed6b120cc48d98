import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ContextError, parseMinimisContext } from '../../infra/context.js';
import { cdkJsonContext, synth } from './support.js';

const withPartners = (partners: unknown[]) => ({ ...cdkJsonContext(), partners });
const carrierWith = (fields: string[]) => ({
  id: 'carrier',
  kind: 'carrier',
  url: 'https://c.example/hook',
  fields,
});

describe('CDK context validation', () => {
  it('accepts the cdk.json configuration and fills the defaults', () => {
    // Act
    const config = parseMinimisContext(cdkJsonContext());
    // Assess
    expect(config.partners.map((p) => p.id)).toEqual(['warehouse', 'carrier']);
    expect(config.partners[1]?.fields).toContain('customer.familyName');
    expect(config.operatorPrincipals).toEqual([]);
  });

  it.each([
    [
      'a field the partner kind may not receive',
      withPartners([carrierWith(['customer.email'])]),
      /minimis\.partners\.0: field customer\.email may not be sent to a carrier/,
    ],
    [
      'a field outside the inventory',
      withPartners([carrierWith(['customer.birthday'])]),
      /minimis\.partners\.0\.fields\.0/,
    ],
    [
      'an origin with a path',
      { ...cdkJsonContext(), allowedOrigins: ['https://shop.example/checkout'] },
      /minimis\.allowedOrigins\.0: must be a bare origin/,
    ],
    ['no origin at all', { ...cdkJsonContext(), allowedOrigins: [] }, /minimis\.allowedOrigins/],
    [
      'a partner secret written into cdk.json',
      withPartners([{ id: 'warehouse', kind: 'warehouse', url: 'https://w.example', secret: 'whsec_abc' }]),
      /minimis\.partners\.0\.secret: must not be set/,
    ],
    [
      'duplicate partner ids',
      withPartners([carrierWith(['customer.givenName']), carrierWith(['customer.givenName'])]),
      /minimis\.partners: partner ids must be unique/,
    ],
    [
      'a wildcard operator principal',
      { ...cdkJsonContext(), operatorPrincipals: ['arn:aws:iam::123456789012:role/*'] },
      /minimis\.operatorPrincipals\.0/,
    ],
    [
      'a plain-http public base URL',
      { ...cdkJsonContext(), publicBaseUrl: 'http://shop.example' },
      /minimis\.publicBaseUrl/,
    ],
    ['a lower-case origin country', { ...cdkJsonContext(), originCountry: 'cn' }, /minimis\.originCountry/],
    ['an unknown key', { ...cdkJsonContext(), sendrEmail: 'x@y.example' }, /sendrEmail/],
    [
      'a destination scope with a lower-case country',
      withPartners([{ ...carrierWith(['customer.givenName']), countries: ['DE', 'fr'] }]),
      /minimis\.partners\.0\.countries\.1: must be ISO 3166-1 alpha-2 country codes/,
    ],
    [
      'an empty destination exclusion',
      withPartners([{ ...carrierWith(['customer.givenName']), exceptCountries: [] }]),
      /minimis\.partners\.0\.exceptCountries/,
    ],
    [
      'a non-positive retention',
      { ...cdkJsonContext(), retention: { afterDeliveryDays: 0 } },
      /minimis\.retention\.afterDeliveryDays/,
    ],
  ])('rejects %s, naming the key', (_name, context, message) => {
    // Act / Assess
    expect(() => parseMinimisContext(context)).toThrow(ContextError);
    expect(() => parseMinimisContext(context)).toThrow(message);
  });

  it.each([
    [
      'a partner webhook over plain http',
      withPartners([
        { id: 'warehouse', kind: 'warehouse', url: 'https://w.example/hook' },
        { id: 'carrier', kind: 'carrier', url: 'http://c.example/hook' },
      ]),
      'Invalid CDK context: minimis.partners.1.url: must be an https URL (partners receive order data over it)',
    ],
    [
      'an account-root operator principal',
      { ...cdkJsonContext(), operatorPrincipals: ['arn:aws:iam::123456789012:root'] },
      "Invalid CDK context: minimis.operatorPrincipals.0: must not be an account root (it would admit every principal of the account that may assume roles): name the operators' role or user",
    ],
    [
      'a wildcard in an operator role name',
      {
        ...cdkJsonContext(),
        operatorPrincipals: ['arn:aws:iam::123456789012:role/ops', 'arn:aws:iam::123456789012:role/ops-*'],
      },
      'Invalid CDK context: minimis.operatorPrincipals.1: must not contain a wildcard',
    ],
    [
      'a bare wildcard operator principal',
      { ...cdkJsonContext(), operatorPrincipals: ['*'] },
      'Invalid CDK context: minimis.operatorPrincipals.0: must not contain a wildcard',
    ],
  ])('rejects %s with one exact message', (_name, context, message) => {
    // Act
    let thrown: unknown;
    try {
      parseMinimisContext(context);
    } catch (error) {
      thrown = error;
    }
    // Assess
    expect(thrown).toBeInstanceOf(ContextError);
    expect((thrown as Error).message).toBe(message);
  });

  it('accepts https partner webhooks and role or user operator principals', () => {
    // Prepare
    const context = {
      ...cdkJsonContext(),
      operatorPrincipals: [
        'arn:aws:iam::123456789012:role/ops/minimis-ops',
        'arn:aws:iam::123456789012:user/ada',
      ],
    };
    // Act
    const config = parseMinimisContext(context);
    // Assess
    expect(config.operatorPrincipals).toEqual([
      'arn:aws:iam::123456789012:role/ops/minimis-ops',
      'arn:aws:iam::123456789012:user/ada',
    ]);
    expect(config.partners.map((p) => p.url)).toEqual([
      'https://warehouse.example/webhooks/minimis',
      'https://carrier.example/webhooks/minimis',
    ]);
  });

  it('accepts destination scopes on partners', () => {
    // Prepare
    const context = withPartners([
      { id: 'carrier', kind: 'carrier', url: 'https://c.example/hook', exceptCountries: ['AT', 'DE'] },
      { id: 'carrier-eu', kind: 'carrier', url: 'https://eu.example/hook', countries: ['AT', 'DE'] },
    ]);
    // Act
    const config = parseMinimisContext(context);
    // Assess
    expect(config.partners.map((p) => [p.id, p.countries, p.exceptCountries])).toEqual([
      ['carrier', undefined, ['AT', 'DE']],
      ['carrier-eu', ['AT', 'DE'], undefined],
    ]);
  });

  it('names the first problem of every bad partner, not only the first partner', () => {
    // Prepare
    const context = withPartners([
      { id: 'BAD', kind: 'warehouse', url: 'https://w.example/hook' },
      { id: 'carrier', kind: 'truck', url: 'https://c.example/hook' },
    ]);
    // Act / Assess
    expect(() => parseMinimisContext(context)).toThrow(
      /minimis\.partners\.0\.id: must be a lowercase id \(a-z, 0-9, -\); minimis\.partners\.1\.kind: Invalid option/,
    );
  });

  it('rejects a missing context', () => {
    // Act / Assess
    expect(() => parseMinimisContext(undefined)).toThrow(/"minimis" is missing/);
  });

  it('fails synthesis before creating any stack', () => {
    // Prepare
    const context = withPartners([carrierWith(['paymentReference'])]);
    // Act / Assess
    expect(() => synth(context)).toThrow(
      /minimis\.partners\.0: field paymentReference may not be sent to a carrier/,
    );
  });

  it('makes `cdk synth` exit 1 with one line naming the key', () => {
    // Prepare
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const outdir = mkdtempSync(join(tmpdir(), 'minimis-cdk-'));
    const context = { minimis: { ...cdkJsonContext(), originCountry: 'China' } };
    try {
      // Act
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
        cwd: root,
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
        encoding: 'utf8',
        timeout: 60_000,
      });
      // Assess
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(
        'Invalid CDK context: minimis.originCountry: must be an ISO 3166-1 alpha-2 country code (e.g. GB, DE, CN)',
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
