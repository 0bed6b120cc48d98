import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { INTAKE_FLAG_ATTRIBUTE } from '../../contracts/intake-claims.js';
import { INDEX } from '../../contracts.js';

/**
 * The table's shape, used to create it locally (dynalite, or any endpoint without the table).
 * infra/ declares the same table in CDK; a test keeps the two in step. Without the stream the AWS
 * table has (dynalite has none): local mode fans out when an order is written (local/app.ts).
 */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'emailKey', AttributeType: 'S' },
      { AttributeName: 'outbox', AttributeType: 'S' },
      { AttributeName: 'createdAt', AttributeType: 'S' },
      { AttributeName: INTAKE_FLAG_ATTRIBUTE, AttributeType: 'S' },
      { AttributeName: 'leaseUntil', AttributeType: 'N' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: INDEX.byEmail,
        KeySchema: [{ AttributeName: 'emailKey', KeyType: 'HASH' }],
        // Keys only: no sealed blob is copied into the index (readers fetch the items by key).
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: INDEX.byOutbox,
        KeySchema: [
          { AttributeName: 'outbox', KeyType: 'HASH' },
          { AttributeName: 'createdAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        // Open intake claims, sharded `open#<n>` (contracts/intake-claims.ts): the intake sweep.
        IndexName: INDEX.byIntake,
        KeySchema: [
          { AttributeName: INTAKE_FLAG_ATTRIBUTE, KeyType: 'HASH' },
          { AttributeName: 'leaseUntil', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  };
}
