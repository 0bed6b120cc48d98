/**
 * The operator role used by the ops CLI in AWS (export, erase, purge, redrive, replay, partner
 * secret rotation and enable). It is the only
 * principal outside the functions that may decrypt every purpose, so only the roles and users listed
 * in the context may assume it — never an account root, never a wildcard — and only with MFA
 * (`aws:MultiFactorAuthPresent`). It sits under the deployment's role path, which the purpose key
 * requires.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { grantForComponent, grantPurposes, isRolePath } from './purpose-grants.js';
import {
  grantConsumeQueues,
  grantRotateSecrets,
  grantSendToQueues,
  type TableRef,
} from './storage-grants.js';
import { grantTableAccess, TABLE_ACCESS } from './table-access.js';

export interface OperatorRoleProps {
  /** Role or user ARNs allowed to assume the role (with MFA); at least one. No account root, no wildcard. */
  readonly principals: readonly string[];
  /** IAM path of the role, e.g. `/minimis/prod/`. */
  readonly rolePath: string;
  readonly table: TableRef;
  /** Key encrypting the queues at rest. */
  readonly queueKey: kms.IKey;
  readonly purposeKey: kms.IKey;
  /** Work queues the redrive command sends to. */
  readonly workQueues: readonly sqs.IQueue[];
  /** Dead-letter queues the redrive command reads and moves back. */
  readonly deadLetterQueues: readonly sqs.IQueue[];
  /**
   * Partner signing secrets `minimis partner rotate-secret|retire-secret` reads and writes.
   * @default none
   */
  readonly partnerSecrets?: readonly secretsmanager.ISecret[];
  /**
   * Key encrypting the partner secrets at rest.
   * @default queueKey
   */
  readonly secretKey?: kms.IKey;
  /**
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

export class OperatorRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: OperatorRoleProps) {
    super(scope, id);
    if (props.principals.length === 0) throw new Error('OperatorRole: at least one principal is required');
    for (const arn of props.principals) {
      if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(arn)) {
        throw new Error(`OperatorRole: "${arn}" is not an IAM role or user ARN without wildcards`);
      }
    }
    if (!isRolePath(props.rolePath)) throw new Error(`OperatorRole: invalid rolePath "${props.rolePath}"`);
    this.role = new iam.Role(this, 'Role', {
      description: 'minimis operator: export, erase, purge and redrive with the ops CLI',
      path: props.rolePath,
      assumedBy: new iam.PrincipalWithConditions(
        new iam.CompositePrincipal(...props.principals.map((arn) => new iam.ArnPrincipal(arn))),
        { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
      ),
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
    });
    grantTableAccess(this.role, props.table, TABLE_ACCESS.operator);
    grantPurposes(this.role, props.purposeKey, grantForComponent('operator'));
    grantSendToQueues(this.role, props.workQueues, props.queueKey);
    grantConsumeQueues(this.role, props.deadLetterQueues, props.queueKey);
    grantRotateSecrets(this.role, props.partnerSecrets ?? [], props.secretKey ?? props.queueKey);
    if (props.deadLetterQueues.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['sqs:StartMessageMoveTask', 'sqs:ListMessageMoveTasks', 'sqs:CancelMessageMoveTask'],
          resources: props.deadLetterQueues.map((q) => q.queueArn),
        }),
      );
    }
  }
}
