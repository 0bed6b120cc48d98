/**
 * Least-privilege grants on the queues and secrets, replacing the CDK `grant*` helpers: exact
 * actions (no `kms:GenerateDataKey*` / `kms:ReEncrypt*` wildcards) and storage-key use limited to
 * calls made through the service (`kms:ViaService`), so the storage key can never be used directly
 * by a function. The order table's grants are in table-access.ts.
 *
 * (The CDK helpers would also silently drop the key grant of a secret whose key is imported from
 * the stateful stack; these do not.)
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/** The table as the grants need it. */
export interface TableRef {
  readonly tableArn: string;
  /** Global secondary index names. */
  readonly indexes: readonly string[];
  /** The key encrypting the table at rest. */
  readonly encryptionKey: kms.IKey;
}

function viaService(role: iam.IRole, service: string): Record<string, Record<string, string>> {
  return { StringEquals: { 'kms:ViaService': `${service}.${Stack.of(role).region}.amazonaws.com` } };
}

/** Send messages to queues encrypted with `key`. */
export function grantSendToQueues(role: iam.IRole, queues: readonly sqs.IQueue[], key: kms.IKey): void {
  if (queues.length === 0) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      resources: queues.map((q) => q.queueArn),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [key.keyArn],
      conditions: viaService(role, 'sqs'),
    }),
  );
}

/** Receive, delete and re-time messages of queues encrypted with `key` (consumers, redrive). */
export function grantConsumeQueues(role: iam.IRole, queues: readonly sqs.IQueue[], key: kms.IKey): void {
  if (queues.length === 0) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
      ],
      resources: queues.map((q) => q.queueArn),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: viaService(role, 'sqs'),
    }),
  );
}

/** Read secrets encrypted with `key` (partner signing secrets). */
export function grantReadSecrets(
  role: iam.IRole,
  secrets: readonly secretsmanager.ISecret[],
  key: kms.IKey,
): void {
  if (secrets.length === 0) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: secrets.map((s) => s.secretArn),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [key.keyArn],
      conditions: viaService(role, 'secretsmanager'),
    }),
  );
}

/**
 * Read and write new versions of secrets encrypted with `key`: the operator's
 * `minimis partner rotate-secret` / `retire-secret` (a new version of the same secret, no redeploy).
 */
export function grantRotateSecrets(
  role: iam.IRole,
  secrets: readonly secretsmanager.ISecret[],
  key: kms.IKey,
): void {
  if (secrets.length === 0) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:PutSecretValue',
      ],
      resources: secrets.map((s) => s.secretArn),
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: [key.keyArn],
      conditions: viaService(role, 'secretsmanager'),
    }),
  );
}
