/**
 * The operator role decrypts every purpose, so who may assume it is checked twice: by the context
 * schema (infra/context.ts) and by the construct itself, for any other caller.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { OperatorRole } from '../../infra/constructs/operator-role.js';

function build(principals: string[], rolePath = '/minimis/test/'): OperatorRole {
  const stack = new Stack(new App(), 'Ops', { env: { account: '123456789012', region: 'eu-west-1' } });
  const key = kms.Key.fromKeyArn(
    stack,
    'Key',
    'arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000',
  );
  return new OperatorRole(stack, 'Operator', {
    principals,
    rolePath,
    table: {
      tableArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
      indexes: ['byEmail', 'byOutbox'],
      encryptionKey: key,
    },
    queueKey: key,
    purposeKey: key,
    workQueues: [],
    deadLetterQueues: [],
  });
}

describe('OperatorRole construct', () => {
  it.each([
    ['an account root', 'arn:aws:iam::123456789012:root'],
    ['a wildcard role name', 'arn:aws:iam::123456789012:role/ops-*'],
    ['a bare wildcard', '*'],
  ])('refuses %s as a principal', (_name, arn) => {
    // Act / Assess
    expect(() => build(['arn:aws:iam::123456789012:role/ops', arn])).toThrow(
      `OperatorRole: "${arn}" is not an IAM role or user ARN without wildcards`,
    );
  });

  it('refuses a role path that IAM would reject', () => {
    // Act / Assess
    expect(() => build(['arn:aws:iam::123456789012:role/ops'], 'minimis/test')).toThrow(
      'OperatorRole: invalid rolePath "minimis/test"',
    );
  });

  it('accepts a role and a user, and places the role under the given path', () => {
    // Act
    const operator = build(['arn:aws:iam::123456789012:role/ops', 'arn:aws:iam::123456789012:user/ada']);
    // Assess
    expect(Stack.of(operator).resolve(operator.role.roleArn)).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^OperatorRole/), 'Arn'],
    });
    const role = Stack.of(operator).resolve((operator.role.node.defaultChild as { path?: string }).path);
    expect(role).toBe('/minimis/test/');
  });
});
