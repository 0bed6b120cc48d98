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
      'a non-positive retention',
      { ...cdkJsonContext(), retention: { afterDeliveryDays: 0 } },
      /minimis\.retention\.afterDeliveryDays/,
    ],
  ])('rejects %s, naming the key', (_name, context, message) => {
    // Act / Assess
    expect(() => parseMinimisContext(context)).toThrow(ContextError);
    expect(() => parseMinimisContext(context)).toThrow(message);
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
        'Invalid CDK context: minimis.originCountry: must be an ISO 3166-1 alpha-2 code',
      );
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
