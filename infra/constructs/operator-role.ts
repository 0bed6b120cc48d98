/**
 * The operator role used by the ops CLI in AWS (export, erase, purge, redrive). It is the only
 * principal outside the functions that may decrypt every purpose, and only the principals listed in
 * the context may assume it.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { grantForComponent, grantPurposes } from './purpose-grants.js';
import { grantConsumeQueues, grantSendToQueues, grantTable, type TableRef } from './storage-grants.js';

export interface OperatorRoleProps {
  /** ARNs (roles, users or account roots) allowed to assume the role; at least one. */
  readonly principals: readonly string[];
  readonly table: TableRef;
  /** Key encrypting the queues at rest. */
  readonly queueKey: kms.IKey;
  readonly purposeKey: kms.IKey;
  /** Work queues the redrive command sends to. */
  readonly workQueues: readonly sqs.IQueue[];
  /** Dead-letter queues the redrive command reads and moves back. */
  readonly deadLetterQueues: readonly sqs.IQueue[];
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
      if (!/^arn:aws[a-z-]*:iam::\d{12}:(root|role\/|user\/)/.test(arn) || arn.includes('*')) {
        throw new Error(`OperatorRole: "${arn}" is not an IAM role, user or account-root ARN`);
      }
    }
    this.role = new iam.Role(this, 'Role', {
      description: 'minimis operator: export, erase, purge and redrive with the ops CLI',
      assumedBy: new iam.CompositePrincipal(...props.principals.map((arn) => new iam.ArnPrincipal(arn))),
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
    });
    grantTable(this.role, props.table, 'read-write');
    grantPurposes(this.role, props.purposeKey, grantForComponent('operator'));
    grantSendToQueues(this.role, props.workQueues, props.queueKey);
    grantConsumeQueues(this.role, props.deadLetterQueues, props.queueKey);
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
