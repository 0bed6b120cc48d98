import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PartnerConfig } from '../../shared/config.js';
import { partnersSchema } from '../../shared/config-schemas.js';
import {
  type Component,
  fieldsSealedUnder,
  INDEX_CONTEXTS,
  INDEX_KEY_CREATORS,
  type KeyContext,
  keyContextsFor,
  LEDGER_CONTEXT,
  LEDGER_KEY_USERS,
  PURPOSES,
  purposesDecryptedBy,
  purposesForFields,
} from '../../shared/inventory.js';
import {
  asArray,
  cdkJsonContext,
  type FunctionInfo,
  functionsByService,
  OPERATOR_ARN,
  purposeCondition,
  refersTo,
  releasesKeyMaterial,
  roleStatements,
  roleTags,
  type Statement,
  sorted,
  synth,
} from './support.js';

/** Which inventory component each function (by service name) acts as; null: touches no personal data. */
const COMPONENT_OF: Record<string, Component | null> = {
  'minimis-submit-order': 'submit-order',
  'minimis-get-order': 'get-order',
  'minimis-openapi': null,
  'minimis-fallback': null,
  'minimis-health': null,
  'minimis-partner-events': 'partner-events',
  'minimis-unsubscribe-page': 'unsubscribe',
  'minimis-unsubscribe': 'unsubscribe',
  'minimis-consent-confirm-page': 'unsubscribe',
  'minimis-consent-confirm': 'unsubscribe',
  'minimis-notify-customer': 'notify-customer',
  'minimis-ses-feedback': 'ses-feedback',
  'minimis-sweep-outbox': null,
  'minimis-fan-out': null,
  'minimis-purge': 'purge',
};

interface Expected {
  readonly decrypt: KeyContext[];
  readonly seal: KeyContext[];
}

/** What the inventory says a function may do with the purpose key. */
function expectedFor(service: string, partners: readonly PartnerConfig[]): Expected {
  const partner = partners.find((p) => service === `minimis-deliver-${p.id}`);
  if (partner) {
    const allowed = purposesDecryptedBy('partner-delivery');
    // Every delivery function appends to the disclosure ledger: it creates and unwraps its key.
    return {
      decrypt: [...purposesForFields(partner.fields).filter((p) => allowed.includes(p)), LEDGER_CONTEXT],
      seal: [LEDGER_CONTEXT],
    };
  }
  if (!(service in COMPONENT_OF)) throw new Error(`test does not know function ${service}`);
  const component = COMPONENT_OF[service];
  if (!component) return { decrypt: [], seal: [] };
  const seal: KeyContext[] =
    component === 'submit-order' ? PURPOSES.filter((p) => fieldsSealedUnder(p).length > 0) : [];
  if (INDEX_KEY_CREATORS.includes(component)) seal.push(...INDEX_CONTEXTS);
  if (LEDGER_KEY_USERS.includes(component)) seal.push(LEDGER_CONTEXT);
  return { decrypt: keyContextsFor(component), seal };
}

/** The purpose-key statements of a role, split by action. */
function purposeKeyGrants(statements: Statement[]): { decrypt: Statement[]; seal: Statement[] } {
  const onPurposeKey = statements.filter((s) => s.Effect === 'Allow' && refersTo(s.Resource, 'PurposeKey'));
  return {
    decrypt: onPurposeKey.filter((s) => asArray(s.Action).includes('kms:Decrypt')),
    seal: onPurposeKey.filter((s) => asArray(s.Action).some((a) => a.startsWith('kms:GenerateDataKey'))),
  };
}

describe('purpose binding (KMS encryption-context conditions)', () => {
  let template: Template;
  let functions: Map<string, FunctionInfo>;
  let partners: PartnerConfig[];

  beforeAll(() => {
    // Prepare: the cdk.json configuration plus an operator principal (so the operator role exists).
    const context: Record<string, unknown> = { ...cdkJsonContext(), operatorPrincipals: [OPERATOR_ARN] };
    partners = partnersSchema.parse(context.partners);
    // Act
    template = synth(context).statelessTemplate;
    functions = functionsByService(template);
  });

  const statementsOf = (service: string): Statement[] => {
    const fn = functions.get(service);
    if (!fn) throw new Error(`no function ${service}`);
    return roleStatements(template, fn.roleLogicalId);
  };

  it('lets the carrier delivery function decrypt shipping and the ledger key only', () => {
    // Act
    const { decrypt, seal } = purposeKeyGrants(statementsOf('minimis-deliver-carrier'));
    // Assess
    expect(decrypt).toHaveLength(1);
    expect(asArray(decrypt[0]?.Action)).toEqual(['kms:Decrypt']);
    expect(purposeCondition(decrypt[0] as Statement)).toEqual(sorted(['shipping', 'ledger']));
    expect(seal.map(purposeCondition)).toEqual([['ledger']]);
  });

  it('gives the warehouse delivery function no purpose at all: only the ledger key (what it was sent)', () => {
    // Act
    const statements = statementsOf('minimis-deliver-warehouse');
    // Assess: besides the storage key through DynamoDB/SQS/Secrets Manager, only the ledger context.
    const grants = purposeKeyGrants(statements);
    expect(grants.decrypt.map(purposeCondition)).toEqual([['ledger']]);
    expect(grants.seal.map(purposeCondition)).toEqual([['ledger']]);
    const tags = roleTags(template, functions.get('minimis-deliver-warehouse')?.roleLogicalId ?? '');
    expect(sorted(Object.keys(tags).filter((k) => k.startsWith('minimis-')))).toEqual([
      'minimis-decrypt-ledger',
      'minimis-seal-ledger',
    ]);
  });

  it('lets the notification function decrypt exactly contact, marketing, token and the ledger key (no lookup)', () => {
    // Act
    const { decrypt, seal } = purposeKeyGrants(statementsOf('minimis-notify-customer'));
    // Assess
    expect(decrypt).toHaveLength(1);
    expect(purposeCondition(decrypt[0] as Statement)).toEqual(
      sorted(['contact', 'marketing', 'token', 'ledger']),
    );
    expect(seal.map(purposeCondition)).toEqual([['ledger']]);
  });

  it('lets submit-order seal every purpose plus lookup and token, and decrypt lookup only', () => {
    // Act
    const { decrypt, seal } = purposeKeyGrants(statementsOf('minimis-submit-order'));
    // Assess
    expect(seal).toHaveLength(1);
    expect(asArray(seal[0]?.Action)).toEqual(['kms:GenerateDataKey']);
    expect(purposeCondition(seal[0] as Statement)).toEqual(
      sorted(['shipping', 'contact', 'marketing', 'lookup', 'token']),
    );
    expect(decrypt).toHaveLength(1);
    expect(purposeCondition(decrypt[0] as Statement)).toEqual(['lookup']);
  });

  it('lets the unsubscribe and consent-confirmation functions decrypt exactly token: they cannot compute keyed email hashes', () => {
    for (const service of [
      'minimis-unsubscribe',
      'minimis-unsubscribe-page',
      'minimis-consent-confirm',
      'minimis-consent-confirm-page',
    ]) {
      // Act
      const { decrypt, seal } = purposeKeyGrants(statementsOf(service));
      // Assess
      expect(decrypt.map(purposeCondition), service).toEqual([['token']]);
      expect(seal, service).toEqual([]);
      const tags = roleTags(template, functions.get(service)?.roleLogicalId ?? '');
      expect(
        Object.keys(tags).filter((k) => k.startsWith('minimis-')),
        service,
      ).toEqual(['minimis-decrypt-token']);
    }
  });

  it('lets ses-feedback decrypt exactly lookup (it hashes the bounced addresses)', () => {
    // Act
    const { decrypt, seal } = purposeKeyGrants(statementsOf('minimis-ses-feedback'));
    // Assess
    expect(decrypt.map(purposeCondition)).toEqual([['lookup']]);
    expect(seal).toEqual([]);
  });

  it('gives the functions without a purpose no purpose-key statement', () => {
    for (const service of [
      'minimis-get-order',
      'minimis-health',
      'minimis-openapi',
      'minimis-fallback',
      'minimis-sweep-outbox',
      'minimis-fan-out',
      'minimis-purge',
      'minimis-partner-events',
    ]) {
      // Act
      const grants = purposeKeyGrants(statementsOf(service));
      // Assess
      expect(grants, service).toEqual({ decrypt: [], seal: [] });
    }
  });

  it('lets the operator role decrypt every purpose and lookup (not token), assumable only by the listed principal with MFA', () => {
    // Prepare
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { Description: 'minimis operator: export, erase, purge and redrive with the ops CLI' },
    });
    const [roleId, role] = Object.entries(roles)[0] ?? [];
    // Act
    const { decrypt, seal } = purposeKeyGrants(roleStatements(template, roleId ?? ''));
    // Assess
    expect(Object.keys(roles)).toHaveLength(1);
    expect(role?.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
        Effect: 'Allow',
        Principal: { AWS: OPERATOR_ARN },
      },
    ]);
    expect(decrypt.map(purposeCondition)).toEqual([sorted([...PURPOSES, 'lookup', 'ledger'])]);
    expect(seal.map(purposeCondition)).toEqual([['ledger']]);
  });

  it('puts every role of the stack under /minimis/prod/, the only path the purpose key admits', () => {
    // Prepare
    const roles = template.findResources('AWS::IAM::Role');
    // Act
    const paths = Object.values(roles).map((role) => role.Properties.Path);
    // Assess: the functions' roles and the operator role.
    expect(paths).toHaveLength(functions.size + 1);
    expect(new Set(paths)).toEqual(new Set(['/minimis/prod/']));
  });

  it('binds every statement releasing key material to exactly the purposes the inventory derives', () => {
    // Prepare: every role of the stack, function roles by service name.
    const roleToService = new Map([...functions].map(([service, fn]) => [fn.roleLogicalId, service]));
    const roles = Object.keys(template.findResources('AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThanOrEqual(functions.size);
    let checked = 0;
    for (const roleId of roles) {
      const service = roleToService.get(roleId);
      const expected: Expected = service
        ? expectedFor(service, partners)
        : { decrypt: keyContextsFor('operator'), seal: [LEDGER_CONTEXT] }; // the only non-function role
      const statements = roleStatements(template, roleId).filter(
        (s) => s.Effect === 'Allow' && releasesKeyMaterial(s),
      );
      const actual = { decrypt: new Set<string>(), seal: new Set<string>() };
      for (const statement of statements) {
        // Act: classify the statement.
        const resources = asArray(statement.Resource);
        expect(resources, `${service ?? roleId}: KMS on *`).not.toContain('*');
        expect(asArray(statement.Action), `${service ?? roleId}: KMS wildcard`).not.toContain('kms:*');
        if (refersTo(resources, 'StorageKey')) {
          // Storage key: only through a service, never on its own.
          expect(statement.Condition?.StringEquals?.['kms:ViaService'], `${service ?? roleId}`).toBeDefined();
          continue;
        }
        expect(refersTo(resources, 'PurposeKey'), `${service ?? roleId}: unknown key`).toBe(true);
        const purposes = purposeCondition(statement);
        // Assess: every purpose-key statement carries the condition.
        expect(
          purposes,
          `${service ?? roleId}: purpose-key statement without purpose condition`,
        ).toBeDefined();
        for (const action of asArray(statement.Action)) {
          const bucket = action === 'kms:Decrypt' ? actual.decrypt : actual.seal;
          for (const p of purposes ?? []) bucket.add(p);
        }
        checked++;
      }
      // Assess: the union per action equals the inventory's derivation.
      expect(sorted([...actual.decrypt]), `${service ?? roleId} decrypt`).toEqual(sorted(expected.decrypt));
      expect(sorted([...actual.seal]), `${service ?? roleId} seal`).toEqual(sorted(expected.seal));
      // …and the role tags the key policy checks match the IAM grants exactly.
      const tags = Object.keys(roleTags(template, roleId)).filter((k) => k.startsWith('minimis-'));
      expect(sorted(tags), `${service ?? roleId} tags`).toEqual(
        sorted([
          ...expected.decrypt.map((c) => `minimis-decrypt-${c}`),
          ...expected.seal.map((c) => `minimis-seal-${c}`),
        ]),
      );
    }
    expect(checked).toBeGreaterThan(0);
  });
});
