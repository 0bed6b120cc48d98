import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { INDEX_CONTEXTS, LEDGER_CONTEXT, PURPOSES } from '../../shared/inventory.js';
import { synth } from './support.js';

describe('stateful stack', () => {
  let template: Template;

  beforeAll(() => {
    // Prepare / Act: synthesise the cdk.json configuration.
    template = synth().statefulTemplate;
  });

  it('has exactly two customer-managed keys, both rotated and retained', () => {
    // Assess
    const keys = template.findResources('AWS::KMS::Key');
    expect(Object.keys(keys)).toHaveLength(2);
    for (const key of Object.values(keys)) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
      expect(key.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('keeps the account-root admin statement in the purpose key policy', () => {
    // Assess
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('per-purpose'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 'kms:*',
            Principal: { AWS: Match.anyValue() },
          }),
        ]),
      },
    });
  });

  it('denies data-key operations on the purpose key without a known purpose', () => {
    // Assess
    const contexts = [...PURPOSES, ...INDEX_CONTEXTS, LEDGER_CONTEXT];
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('per-purpose'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'DenyDataKeysWithoutKnownPurpose',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']),
            Condition: { StringNotEquals: { 'kms:EncryptionContext:purpose': contexts } },
          }),
          Match.objectLike({ Sid: 'DenyReEncrypt', Effect: 'Deny', Action: 'kms:ReEncrypt*' }),
        ]),
      },
    });
  });

  it('denies each purpose to principals that do not carry its tag', () => {
    // Assess
    for (const context of [...PURPOSES, ...INDEX_CONTEXTS, LEDGER_CONTEXT]) {
      template.hasResourceProperties('AWS::KMS::Key', {
        Description: Match.stringLikeRegexp('per-purpose'),
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'kms:Decrypt',
              Condition: {
                StringEquals: { 'kms:EncryptionContext:purpose': context },
                StringNotEquals: { [`aws:PrincipalTag/minimis-decrypt-${context}`]: 'true' },
              },
            }),
          ]),
        },
      });
    }
  });

  it('denies data-key use to every principal outside the stage role path, tagged or not', () => {
    // Assess
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: Match.stringLikeRegexp('per-purpose'),
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenyDataKeysOutsideMinimisRoles',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
            Resource: '*',
            Condition: {
              ArnNotLike: {
                'aws:PrincipalArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':iam::',
                      { Ref: 'AWS::AccountId' },
                      ':role/minimis/prod/*',
                    ],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
  });

  it('creates the order table with the contract schema (and the key table, key-table.test.ts)', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'byEmail',
          KeySchema: [{ AttributeName: 'emailKey', KeyType: 'HASH' }],
          // No sealed blob is copied into the index.
          Projection: { ProjectionType: 'KEYS_ONLY' },
        }),
        Match.objectLike({
          IndexName: 'byOutbox',
          KeySchema: [
            { AttributeName: 'outbox', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        }),
      ]),
    });
  });

  it('encrypts the table with the storage key, keeps PITR and retains it', () => {
    // Assess
    const [logicalId, table] =
      Object.entries(template.findResources('AWS::DynamoDB::Table')).find(([id]) =>
        id.startsWith('Orders'),
      ) ?? [];
    expect(logicalId).toBeDefined();
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table?.Properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] },
    });
  });

  it('exports the table name and the purpose key ARN', () => {
    // Assess
    template.hasOutput('TableName', {});
    template.hasOutput('PurposeKeyArn', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PurposeKey'), 'Arn'] },
    });
  });
});
