/**
 * Stateful resources: the keys and the table. Retained when the stack is deleted; deployed
 * separately so the stateless stack can be replaced freely.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { KeyTable } from '../constructs/key-table.js';
import { OrderTable } from '../constructs/order-table.js';
import { rolePathFor } from '../constructs/purpose-grants.js';
import { PurposeKey } from '../constructs/purpose-key.js';
import { StorageKey } from '../constructs/storage-key.js';

export interface StatefulStackProps extends StackProps {
  /** Deployment stage; prefixes key aliases and names the role path the purpose key admits. */
  readonly stage: string;
  /**
   * Days a backup of the key table is kept (0: none).
   * @default 7
   */
  readonly shredBackupDays?: number;
}

export class StatefulStack extends Stack {
  /** Wraps the per-purpose data keys (KMS_KEY_ID). */
  public readonly purposeKey: kms.Key;
  /** Encrypts the table, queues and alarm topic at rest. */
  public readonly storageKey: kms.Key;
  public readonly table: dynamodb.Table;
  /** One secret per personal record (crypto-shredding); backups kept at most `shredBackupDays`. */
  public readonly keyTable: dynamodb.Table;
  public readonly keyTableConstruct: KeyTable;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    this.purposeKey = new PurposeKey(this, 'PurposeKey', {
      aliasName: `minimis-${props.stage}-purpose`,
      // The stateless stack puts every role it creates under this path.
      rolePath: rolePathFor(props.stage),
    }).key;
    this.storageKey = new StorageKey(this, 'StorageKey', { aliasName: `minimis-${props.stage}-storage` }).key;
    this.table = new OrderTable(this, 'Orders', { encryptionKey: this.storageKey }).table;
    this.keyTableConstruct = new KeyTable(this, 'RecordKeys', {
      encryptionKey: this.storageKey,
      backupDays: props.shredBackupDays ?? 7,
    });
    this.keyTable = this.keyTableConstruct.table;

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'The order table' });
    new CfnOutput(this, 'KeyTableName', {
      value: this.keyTable.tableName,
      description: 'The key table: record secrets (KEY_TABLE_NAME)',
    });
    new CfnOutput(this, 'PurposeKeyArn', {
      value: this.purposeKey.keyArn,
      description: 'KMS key wrapping the per-purpose data keys (KMS_KEY_ID)',
    });
  }
}
