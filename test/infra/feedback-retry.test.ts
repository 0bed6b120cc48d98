/**
 * SES feedback is never dropped: failed async invocations and undeliverable EventBridge events go
 * to one retry queue (storage key, TLS only, 4 days) that the feedback function drains; alarms on
 * its depth and age; and only the feedback function's role can touch it, with exactly the actions
 * it needs.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
  cdkJsonContext,
  type FunctionInfo,
  functionsByService,
  OPERATOR_ARN,
  roleStatements,
  type Statement,
  synth,
} from './support.js';

const QUEUE_NAME = 'minimis-prod-ses-feedback-retry';

describe('SES feedback retry path', () => {
  let template: Template;
  let queueId: string;
  // biome-ignore lint/suspicious/noExplicitAny: a CloudFormation resource
  let queue: Record<string, any>;
  let feedback: FunctionInfo;
  const queueArn = () => ({ 'Fn::GetAtt': [queueId, 'Arn'] });
  const onQueue = (s: Statement) => JSON.stringify(s.Resource).includes(queueId);

  beforeAll(() => {
    // Prepare / Act: with an operator, so its role is checked too
    template = synth({ ...cdkJsonContext(), operatorPrincipals: [OPERATOR_ARN] }).statelessTemplate;
    const found = Object.entries(template.findResources('AWS::SQS::Queue')).find(
      ([, q]) => q.Properties.QueueName === QUEUE_NAME,
    );
    if (!found) throw new Error('no retry queue');
    [queueId, queue] = found;
    const fn = functionsByService(template).get('minimis-ses-feedback');
    if (!fn) throw new Error('no ses-feedback function');
    feedback = fn;
  });

  it('keeps failed events encrypted with the storage key, TLS only, for 4 days, with no second copy', () => {
    // Assess
    expect(JSON.stringify(queue.Properties.KmsMasterKeyId)).toContain('StorageKey');
    expect(queue.Properties.MessageRetentionPeriod).toBe(4 * 24 * 3600);
    expect(queue.Properties.RedrivePolicy).toBeUndefined();
    expect(queue.Properties.VisibilityTimeout).toBe(6 * feedback.properties.Timeout);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          // EventBridge may put only this rule's undeliverable events there.
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: {
              ArnEquals: {
                'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('FeedbackRule'), 'Arn'] },
              },
            },
          }),
        ],
      },
    });
  });

  it('sends an event that failed the first attempt and both retries to the queue, and drains it', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: feedback.logicalId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: queueArn() } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [feedback.logicalId, 'Arn'] },
          DeadLetterConfig: { Arn: queueArn() },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: queueArn(),
      FunctionName: { Ref: feedback.logicalId },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // Only the feedback function consumes it.
    const consumers = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter((m) =>
      JSON.stringify(m.Properties.EventSourceArn).includes(queueId),
    );
    expect(consumers).toHaveLength(1);
  });

  it('alarms to the alarm topic on any waiting event and on one older than an hour', () => {
    // Assess
    for (const [metric, threshold] of [
      ['ApproximateNumberOfMessagesVisible', 0],
      ['ApproximateAgeOfOldestMessage', 3600],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: metric,
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('Alarms') }],
      });
    }
  });

  it("grants the feedback function exactly what the retry path needs, and nobody else's role anything on it", () => {
    // Prepare
    const statements = roleStatements(template, feedback.roleLogicalId);
    const queueActions = new Set(statements.filter(onQueue).flatMap((s) => asArray(s.Action)));
    const sqsStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('sqs:')));
    const storageKeyViaSqs = statements.filter(
      (s) =>
        JSON.stringify(s.Resource).includes('StorageKey') &&
        JSON.stringify(s.Condition ?? {}).includes('"sqs."'),
    );
    const others = [...functionsByService(template).values()].filter(
      (f) => f.logicalId !== feedback.logicalId,
    );
    const operatorRoles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) =>
      id.startsWith('OperatorRole'),
    );

    // Assess
    expect([...queueActions].sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    expect(sqsStatements.every(onQueue)).toBe(true); // no other queue
    expect(new Set(storageKeyViaSqs.flatMap((s) => asArray(s.Action)))).toEqual(
      new Set(['kms:GenerateDataKey', 'kms:Decrypt']),
    );
    expect(operatorRoles.length).toBeGreaterThan(0);
    for (const roleId of [...others.map((f) => f.roleLogicalId), ...operatorRoles]) {
      expect(roleStatements(template, roleId).filter(onQueue), roleId).toEqual([]);
    }
  });
});
