/**
 * The key table (record secrets, crypto-shredding): its own table in the stateful stack, no PITR,
 * backups by AWS Backup kept at most `shredBackupDays` (or none), encrypted with the storage key,
 * retained and deletion-protected; and its grants: only intake creates, only the functions that
 * open records read, only erase (operator) and purge delete, and those never read a secret; erase
 * also puts the address's erasure mark (the key and the time only, never a secret).
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#shared/contracts.js';
import { ContextError, parseMinimisContext } from '../../infra/context.js';
import { keyTableDefinition } from '../../shared/adapters/aws/dynamo-record-secret-store.js';
import {
  asArray,
  cdkJsonContext,
  functionOf,
  functionsByService,
  OPERATOR_ARN,
  roleStatements,
  type Statement,
  synth,
} from './support.js';

const onKeyTable = (s: Statement) => JSON.stringify(s.Resource).includes('RecordKeysTable');

/** A role's key-table statements as `action → condition` (undefined: unconditional). */
function keyTableGrants(statements: readonly Statement[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of statements.filter(onKeyTable)) {
    expect(s.Effect).toBe('Allow');
    for (const action of asArray(s.Action)) out[action] = s.Condition;
  }
  return out;
}

function keyTableOf(template: Template) {
  const tables = Object.entries(template.findResources('AWS::DynamoDB::Table')).filter(([id]) =>
    id.startsWith('RecordKeys'),
  );
  expect(tables).toHaveLength(1);
  return tables[0] as [string, { Properties: Record<string, unknown>; DeletionPolicy?: string }];
}

describe('key table (record secrets)', () => {
  let stateful: Template;
  let stateless: Template;
  let grants: (service: string) => Record<string, unknown>;
  let operatorGrants: Record<string, unknown>;

  beforeAll(() => {
    // Prepare / Act: the deployed configuration, with an operator role
    const built = synth({ ...cdkJsonContext(), operatorPrincipals: [OPERATOR_ARN] });
    stateful = built.statefulTemplate;
    stateless = built.statelessTemplate;
    const functions = functionsByService(stateless);
    grants = (service) => {
      const fn = functions.get(service);
      if (!fn) throw new Error(`no function ${service}`);
      return keyTableGrants(roleStatements(stateless, fn.roleLogicalId));
    };
    const role = built.stateless.operatorRole;
    if (!role) throw new Error('no operator role');
    operatorGrants = keyTableGrants(
      roleStatements(stateless, built.stateless.getLogicalId(role.node.defaultChild as CfnRole)),
    );
  });

  it('is its own table: binary key, TTL, no PITR, storage key, deletion protection, retained', () => {
    // Act
    const [, table] = keyTableOf(stateful);
    // Assess
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'B' }],
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: 't', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] },
      },
    });
    stateful.hasOutput('KeyTableName', {});
    // The table local mode creates has the same key schema.
    const local = keyTableDefinition('minimis-keys');
    expect(table.Properties.KeySchema).toEqual(local.KeySchema);
    expect(table.Properties.AttributeDefinitions).toEqual(local.AttributeDefinitions);
  });

  it('is backed up by AWS Backup only, each backup deleted after shredBackupDays (default 7), in a locked vault', () => {
    // Assess
    stateful.resourceCountIs('AWS::Backup::BackupPlan', 1);
    stateful.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 7 } })],
      },
    });
    const vaults = Object.values(stateful.findResources('AWS::Backup::BackupVault'));
    expect(vaults).toHaveLength(1);
    expect(vaults[0]?.DeletionPolicy).toBe('Retain');
    expect(vaults[0]?.Properties).toMatchObject({
      EncryptionKeyArn: { 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] },
      LockConfiguration: { MinRetentionDays: 1, MaxRetentionDays: 7 },
    });
    const [keyTableId] = keyTableOf(stateful);
    stateful.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: { Resources: [{ 'Fn::GetAtt': [keyTableId, 'Arn'] }] },
    });
    // The order table is not in any AWS Backup selection (it has PITR): only the key table is.
    expect(Object.keys(stateful.findResources('AWS::Backup::BackupSelection'))).toHaveLength(1);
  });

  it('keeps backups for exactly the configured days, and none at all with 0', () => {
    // Act
    const three = synth({ ...cdkJsonContext(), shredBackupDays: 3 }).statefulTemplate;
    const none = synth({ ...cdkJsonContext(), shredBackupDays: 0 }).statefulTemplate;
    // Assess
    three.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 3 } })] },
    });
    three.hasResourceProperties('AWS::Backup::BackupVault', {
      LockConfiguration: { MinRetentionDays: 1, MaxRetentionDays: 3 },
    });
    none.resourceCountIs('AWS::Backup::BackupPlan', 0);
    none.resourceCountIs('AWS::Backup::BackupVault', 0);
    none.resourceCountIs('AWS::Backup::BackupSelection', 0);
    expect(keyTableOf(none)[1].Properties.PointInTimeRecoverySpecification).toEqual({
      PointInTimeRecoveryEnabled: false,
    });
  });

  it('rejects a shredBackupDays that is not a whole number of days from 0 to 35', () => {
    for (const bad of [-1, 1.5, 36, '7']) {
      expect(() => parseMinimisContext({ ...cdkJsonContext(), shredBackupDays: bad })).toThrow(ContextError);
    }
    expect(() => parseMinimisContext({ ...cdkJsonContext(), shredBackupDays: 36 })).toThrow(
      'minimis.shredBackupDays: must be at most 35 days',
    );
    expect(parseMinimisContext(cdkJsonContext()).shredBackupDays).toBe(7);
  });

  it('only intake creates secrets; only the functions that open records read them', () => {
    // Assess
    // Intake deletes only its own records' secrets, when its writes raced an erasure (fence).
    expect(grants('minimis-submit-order')).toEqual({
      'dynamodb:PutItem': undefined,
      'dynamodb:GetItem': undefined,
      'dynamodb:DeleteItem': { StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } },
    });
    expect(grants('minimis-notify-customer')).toEqual({
      'dynamodb:GetItem': undefined,
      'dynamodb:BatchGetItem': undefined,
    });
    expect(grants('minimis-deliver-carrier')).toEqual({
      'dynamodb:GetItem': undefined,
      'dynamodb:BatchGetItem': undefined,
    });
    // The opt-outs read the erasure mark (never a secret) and delete only a customer record they
    // wrote when they raced an erasure; before, they sent that delete with no grant (review s11).
    for (const service of ['minimis-unsubscribe', 'minimis-ses-feedback'])
      expect(grants(service), service).toEqual({
        'dynamodb:DeleteItem': { StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } },
        'dynamodb:GetItem': {
          'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['k', 'e'] },
          StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      });
    // The warehouse receives nothing personal: it opens nothing, so it reads no secret.
    for (const service of [
      'minimis-deliver-warehouse',
      'minimis-get-order',
      'minimis-unsubscribe-page',
      'minimis-sweep-outbox',
      'minimis-fan-out',
      'minimis-openapi',
      'minimis-health',
      'minimis-fallback',
    ]) {
      expect(grants(service), service).toEqual({});
    }
  });

  it('partner events may only move an expiry; purge and erase delete without ever reading a secret', () => {
    // Assess
    const keyAndExpiry = { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['k', 't'] } };
    const noReturn = { StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } };
    expect(grants('minimis-partner-events')).toEqual({
      'dynamodb:UpdateItem': { ...keyAndExpiry, ...noReturn },
    });
    const sweep = { ...keyAndExpiry, StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' } };
    // The purge reads an erasure mark's time (key and `e` only) to date a customer's erasure.
    expect(grants('minimis-purge')).toEqual({
      'dynamodb:DeleteItem': noReturn,
      'dynamodb:Scan': sweep,
      'dynamodb:GetItem': {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['k', 'e'] },
        StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      },
    });
    // A confirmation link's request is checked against the erasure mark: its time only, never a secret.
    expect(grants('minimis-consent-confirm')).toEqual({
      'dynamodb:GetItem': {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['k', 'e'] },
        StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
      },
    });
    expect(grants('minimis-consent-confirm-page')).toEqual({});
    // The erasure mark: a put of the key and the erasure time only (never a secret).
    const markOnly = { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['k', 'e'] } };
    expect(operatorGrants).toEqual({
      'dynamodb:GetItem': undefined,
      'dynamodb:BatchGetItem': undefined,
      'dynamodb:DeleteItem': noReturn,
      'dynamodb:Scan': sweep,
      'dynamodb:PutItem': { ...markOnly, ...noReturn },
    });
  });

  it('every role with key-table access may use the storage key through DynamoDB (its order-table grant)', () => {
    // Assess
    for (const [service, fn] of functionsByService(stateless)) {
      const statements = roleStatements(stateless, fn.roleLogicalId);
      if (!statements.some(onKeyTable)) continue;
      const viaDynamo = statements.filter(
        (s) =>
          asArray(s.Action).includes('kms:GenerateDataKey') &&
          JSON.stringify(s.Condition).includes('dynamodb.') &&
          JSON.stringify(s.Resource).includes('StorageKey'),
      );
      expect(viaDynamo, service).toHaveLength(1);
    }
  });

  it('every function that touches it is told its name and the backup horizon, and no other function is', () => {
    for (const [service, fn] of functionsByService(stateless)) {
      // Prepare
      const settings: readonly string[] = FUNCTIONS[functionOf(service)].settings;
      // Assess
      if (settings.includes('keyTableName')) {
        expect(JSON.stringify(fn.env.KEY_TABLE_NAME), service).toContain('RecordKeysTable');
        expect(fn.env.SHRED_BACKUP_DAYS, service).toBe('7');
      } else {
        expect(fn.env.KEY_TABLE_NAME, service).toBeUndefined();
        expect(fn.env.SHRED_BACKUP_DAYS, service).toBeUndefined();
      }
    }
    // …and the intake, the purge and the partner deliveries are among those that are.
    const told = [...functionsByService(stateless)].filter(([, fn]) => fn.env.KEY_TABLE_NAME).map(([s]) => s);
    expect(told).toEqual(
      expect.arrayContaining(['minimis-submit-order', 'minimis-purge', 'minimis-deliver-carrier']),
    );
  });
});
