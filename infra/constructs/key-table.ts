/**
 * The key table: one secret per personal record (crypto-shredding, data-inventory.md "Erasure and
 * expiry reach backups"). Deleting a secret makes the record's sealed blobs unreadable in every
 * copy of the order table; so this table's own copies must not outlive `backupDays`:
 *
 * - no point-in-time recovery (it would keep every deleted secret for up to 35 days);
 * - backups only by AWS Backup, daily, deleted after `backupDays`, in a vault encrypted with the
 *   storage key whose lock refuses any recovery point kept longer; none at all when 0;
 * - encrypted at rest with the storage key, deletion protection, retained on stack deletion;
 * - TTL on `t`, so DynamoDB removes expired secrets too (the purge sweep removes them sooner).
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KEY_TABLE } from '#shared/adapters/aws/dynamo-record-secret-store.js';

/** The most days AWS Backup may keep a key-table backup (the horizon's upper bound, like PITR's 35). */
export const MAX_SHRED_BACKUP_DAYS = 35;

export interface KeyTableProps {
  /** Customer-managed key for encryption at rest (table and backup vault). */
  readonly encryptionKey: kms.IKey;
  /**
   * Days a backup of the key table is kept (0: no backups). At most 35.
   * @default 7
   */
  readonly backupDays?: number;
  /**
   * Protect the table against deletion through the API and CloudFormation.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

export class KeyTable extends Construct {
  public readonly table: dynamodb.Table;
  /** Absent when `backupDays` is 0. */
  public readonly vault?: backup.BackupVault;
  public readonly plan?: backup.BackupPlan;
  public readonly backupDays: number;

  constructor(scope: Construct, id: string, props: KeyTableProps) {
    super(scope, id);
    if (!props.encryptionKey) throw new Error('KeyTable: encryptionKey is required');
    const backupDays = props.backupDays ?? 7;
    if (!Number.isInteger(backupDays) || backupDays < 0 || backupDays > MAX_SHRED_BACKUP_DAYS) {
      throw new Error(`KeyTable: backupDays must be a whole number from 0 to ${MAX_SHRED_BACKUP_DAYS}`);
    }
    this.backupDays = backupDays;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: KEY_TABLE.key, type: dynamodb.AttributeType.BINARY },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      timeToLiveAttribute: KEY_TABLE.ttl,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions-DDB3',
      reason: `Crypto-shredding: point-in-time recovery would keep every deleted record secret for up to 35 days and so bring erased and expired personal data back; this table is backed up by AWS Backup instead, each backup deleted after shredBackupDays (${backupDays}).`,
    });
    if (backupDays === 0) return;

    this.vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
      // No recovery point in this vault may outlive the horizon, whatever a plan says.
      lockConfiguration: { minRetention: Duration.days(1), maxRetention: Duration.days(backupDays) },
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupVault: this.vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'daily',
          scheduleExpression: events.Schedule.cron({ minute: '30', hour: '3' }),
          deleteAfter: Duration.days(backupDays),
        }),
      ],
    });
    const selection = this.plan.addSelection('Selection', {
      resources: [backup.BackupResource.fromDynamoDbTable(this.table)],
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'The AWS Backup service role for this one selection uses the AWS-managed backup policy AWS Backup documents for it.',
    });
  }
}
