/**
 * The single order table: orders (non-personal fields in clear, personal fields sealed per
 * purpose), consent ledger, suppressions, idempotency records and the outbox. Its stream (keys
 * only) drives the fan-out after an order is written.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { INTAKE_FLAG_ATTRIBUTE } from '#shared/contracts/intake-claims.js';
import { INDEX, ORDER_TTL_ATTRIBUTE } from '#shared/contracts.js';

export const EMAIL_INDEX = INDEX.byEmail;
export const OUTBOX_INDEX = INDEX.byOutbox;
export const INTAKE_INDEX = INDEX.byIntake;

export interface OrderTableProps {
  /** Customer-managed key for encryption at rest. */
  readonly encryptionKey: kms.IKey;
  /**
   * Protect the table against deletion through the API and CloudFormation.
   * @default true
   */
  readonly deletionProtection?: boolean;
}

export class OrderTable extends Construct {
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: OrderTableProps) {
    super(scope, id);
    if (!props.encryptionKey) throw new Error('OrderTable: encryptionKey is required');
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ORDER_TTL_ATTRIBUTE,
      deletionProtection: props.deletionProtection ?? true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Keys only: the fan-out function reads the order itself (fan-out-stream.ts), and nothing
      // personal (no sealed blob, no keyed email hash) ever enters the stream.
      stream: dynamodb.StreamViewType.KEYS_ONLY,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: EMAIL_INDEX,
      partitionKey: { name: 'emailKey', type: dynamodb.AttributeType.STRING },
      // Keys only: no sealed blob is copied into the index; erase and export read the items by key.
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    // Partition key `pending#<n>` (16 shards, shared/contracts/outbox.ts): no single
    // value takes every order's write.
    this.table.addGlobalSecondaryIndex({
      indexName: OUTBOX_INDEX,
      partitionKey: { name: 'outbox', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'createdAt', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    // Open intake claims (IDEM# items until their intake settles), partition key `open#<n>` (16
    // shards, shared/contracts/intake-claims.ts), sorted by lease: the intake sweep's backstop.
    this.table.addGlobalSecondaryIndex({
      indexName: INTAKE_INDEX,
      partitionKey: { name: INTAKE_FLAG_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'leaseUntil', type: dynamodb.AttributeType.NUMBER },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
  }
}
