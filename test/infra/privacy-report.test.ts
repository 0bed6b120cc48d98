/**
 * The privacy report says who may decrypt what. This cross-checks it against the synthesized IAM:
 * for every Lambda role and the operator role, the `kms:EncryptionContext:purpose` values on its
 * kms:Decrypt statements must be exactly what the report (shared/report) says for its component —
 * for the deployed configuration and for one with an extra partner.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { partnersSchema } from '../../shared/config-schemas.js';
import { buildPrivacyModel, type ComponentRow, type PrivacyModel } from '../../shared/report/model.js';
import { generatePrivacyReport, REPORT_FILES } from '../../shared/report/privacy-report.js';
import { DEFAULT_REPORT_SETTINGS } from '../../shared/report/settings.js';
import {
  asArray,
  cdkJsonContext,
  functionsByService,
  OPERATOR_ARN,
  purposeCondition,
  refersTo,
  roleStatements,
  type Statement,
  sorted,
  synth,
} from './support.js';

/** Key contexts a role may decrypt under, read from its kms:Decrypt statements on the purpose key. */
function decryptContexts(statements: readonly Statement[]): string[] {
  const contexts = new Set<string>();
  for (const s of statements) {
    if (
      s.Effect !== 'Allow' ||
      !asArray(s.Action).some((a) => a === 'kms:Decrypt' || a === 'kms:*' || a === '*')
    )
      continue;
    const purposes = purposeCondition(s);
    if (purposes) for (const p of purposes) contexts.add(p);
    else if (refersTo(s.Resource, 'PurposeKey')) contexts.add('<unconditioned>');
  }
  return sorted([...contexts]);
}

/** The report's row for a function, by its service name (`minimis-<handler>`, `minimis-deliver-<partner>`). */
function rowFor(model: PrivacyModel, service: string): ComponentRow | 'no-keys' | undefined {
  const partner = model.partners.find((p) => service === `minimis-deliver-${p.id}`);
  if (partner) return model.components.find((c) => c.key === `partner-delivery:${partner.id}`);
  const handler = service.replace(/^minimis-/, '');
  if (model.handlersWithoutKeys.includes(handler)) return 'no-keys';
  return model.components.find((c) => c.component !== 'partner-delivery' && c.handlers.includes(handler));
}

interface Comparison {
  readonly granted: Record<string, string[]>;
  readonly reported: Record<string, string[]>;
}

function compare(context: Record<string, unknown>): Comparison {
  const built = synth({ ...context, operatorPrincipals: [OPERATOR_ARN] });
  const template: Template = built.statelessTemplate;
  const model = buildPrivacyModel({
    ...DEFAULT_REPORT_SETTINGS,
    partners: partnersSchema.parse(context.partners),
  });
  const granted: Record<string, string[]> = {};
  const reported: Record<string, string[]> = {};
  for (const [service, fn] of functionsByService(template)) {
    const row = rowFor(model, service);
    if (row === undefined) {
      throw new Error(
        `function ${service} is not in the privacy report: add its handler to shared/report/model.ts`,
      );
    }
    granted[service] = decryptContexts(roleStatements(template, fn.roleLogicalId));
    reported[service] = row === 'no-keys' ? [] : sorted(row.decrypts);
  }
  const operatorRole = built.stateless.operatorRole;
  if (!operatorRole) throw new Error('the operator role was not synthesized');
  const operatorId = built.stateless.getLogicalId(operatorRole.node.defaultChild as CfnRole);
  granted.operator = decryptContexts(roleStatements(template, operatorId));
  reported.operator = sorted(model.components.find((c) => c.key === 'operator')?.decrypts ?? []);
  return { granted, reported };
}

describe('privacy report vs synthesized IAM grants', () => {
  it('every role decrypts exactly what the report says, for the deployed configuration', () => {
    // Act
    const { granted, reported } = compare(cdkJsonContext());
    // Assess
    expect(granted).toEqual(reported);
    expect(granted).toMatchObject({
      // Every delivery function and notification append to the disclosure ledger (its own key).
      'minimis-deliver-carrier': ['ledger', 'shipping'],
      'minimis-deliver-warehouse': ['ledger'],
      'minimis-notify-customer': ['contact', 'ledger', 'marketing', 'token'],
      'minimis-unsubscribe': ['token'],
      'minimis-unsubscribe-page': ['token'],
      'minimis-consent-confirm': ['token'],
      'minimis-consent-confirm-page': ['token'],
      'minimis-ses-feedback': ['lookup'],
      'minimis-submit-order': ['lookup'],
      'minimis-purge': [],
      operator: ['contact', 'ledger', 'lookup', 'marketing', 'shipping'],
    });
  });

  it('a partner added by configuration gets the grant the report gives it', () => {
    // Prepare
    const context = cdkJsonContext();
    const partners = [
      ...(context.partners as unknown[]),
      {
        id: 'carrier-eu',
        kind: 'carrier',
        url: 'https://eu.carrier.example/webhooks/minimis',
        fields: ['customer.familyName', 'shippingAddress.line1', 'shippingAddress.postalCode'],
      },
      { id: 'returns', kind: 'warehouse', url: 'https://returns.example/webhooks/minimis' },
    ];
    // Act
    const { granted, reported } = compare({ ...context, partners });
    // Assess
    expect(granted).toEqual(reported);
    expect(granted['minimis-deliver-carrier-eu']).toEqual(['ledger', 'shipping']);
    expect(granted['minimis-deliver-returns']).toEqual(['ledger']);
  });
});

describe('privacy report: partner destination scope', () => {
  it('says which destinations each partner serves, as the stack configures it', () => {
    // Prepare: a carrier handing some destinations to a second one; a third scoped both ways.
    const partners = partnersSchema.parse([
      { id: 'warehouse', kind: 'warehouse', url: 'https://w.example/hook' },
      { id: 'carrier', kind: 'carrier', url: 'https://c.example/hook', exceptCountries: ['DE', 'FR'] },
      { id: 'carrier-eu', kind: 'carrier', url: 'https://eu.example/hook', countries: ['FR', 'DE'] },
      {
        id: 'carrier-at',
        kind: 'carrier',
        url: 'https://at.example/hook',
        countries: ['AT', 'CH', 'DE'],
        exceptCountries: ['DE'],
      },
    ]);
    // Act
    const report = generatePrivacyReport({ ...DEFAULT_REPORT_SETTINGS, partners });
    const markdown = report.files[REPORT_FILES.markdown] ?? '';
    const svg = report.files[REPORT_FILES.svg] ?? '';
    // Assess: the model…
    expect(report.model.partners.map((p) => [p.id, p.destinations])).toEqual([
      ['warehouse', 'every destination'],
      ['carrier', 'every destination except DE, FR'],
      ['carrier-eu', 'only DE, FR'],
      ['carrier-at', 'only AT, CH'],
    ]);
    // …the partners table and the summary…
    expect(markdown).toMatch(/^\| partner +\| kind +\| destinations +\| receives +\|/m);
    expect(markdown).toMatch(/^\| `warehouse` +\| warehouse \| every destination +\| /m);
    expect(markdown).toMatch(/^\| `carrier` +\| carrier +\| every destination except DE, FR \| /m);
    expect(markdown).toMatch(/^\| `carrier-eu` +\| carrier +\| only DE, FR +\| /m);
    expect(markdown).toContain(
      'Partners: `warehouse` (no personal data), `carrier` (opens shipping; every destination except DE, FR), `carrier-eu` (opens shipping; only DE, FR), `carrier-at` (opens shipping; only AT, CH).',
    );
    // …and the picture's description.
    expect(svg).toContain('The delivery function for carrier-eu opens shipping and serves only DE, FR.');
  });
});
