import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synth } from './support.js';

describe('queues, alarms and partner secrets', () => {
  let template: Template;

  beforeAll(() => {
    // Prepare / Act
    template = synth().statelessTemplate;
  });

  it('encrypts every queue with the storage key and keeps messages 14 days (SES feedback retries 4)', () => {
    // Assess
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(9); // 2 partners × 2, notify × 2, schedule DLQ, feedback retry, fan-out failures
    for (const queue of Object.values(queues)) {
      expect(JSON.stringify(queue.Properties.KmsMasterKeyId)).toContain('StorageKey');
      const days = queue.Properties.QueueName === 'minimis-prod-ses-feedback-retry' ? 4 : 14;
      expect(queue.Properties.MessageRetentionPeriod, queue.Properties.QueueName).toBe(days * 24 * 3600);
    }
  });

  it('denies non-TLS access on every queue', () => {
    // Assess
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    for (const queue of queues) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queue }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
  });

  it('dead-letters partner messages after 16 receives with a visibility of 6× the function timeout', () => {
    for (const partner of ['warehouse', 'carrier']) {
      // Prepare
      const [, queue] =
        Object.entries(template.findResources('AWS::SQS::Queue')).find(
          ([, q]) => q.Properties.QueueName === `minimis-prod-partner-${partner}`,
        ) ?? [];
      const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
        (f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === `minimis-deliver-${partner}`,
      );
      // Assess
      expect(queue?.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetters/), 'Arn'] },
        maxReceiveCount: 16,
      });
      expect(queue?.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn?.Properties.Timeout);
    }
  });

  it('gives the notify queue a dead-letter queue too', () => {
    // Assess
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'minimis-prod-notify',
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: Match.anyValue() },
    });
  });

  it('alarms on the first dead-lettered message of every dead-letter queue', () => {
    for (const name of ['partner-warehouse-dlq', 'partner-carrier-dlq', 'notify-dlq', 'schedule-dlq']) {
      // Prepare
      const [dlqId] =
        Object.entries(template.findResources('AWS::SQS::Queue')).find(
          ([, q]) => q.Properties.QueueName === `minimis-prod-${name}`,
        ) ?? [];
      // Assess
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      });
    }
  });

  it('encrypts the alarm topic and requires TLS to publish', () => {
    // Assess
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('StorageKey') },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('keeps one signing secret per partner, readable by its delivery function and partner-events only', () => {
    for (const partner of ['warehouse', 'carrier']) {
      // Prepare
      const [secretId] =
        Object.entries(template.findResources('AWS::SecretsManager::Secret')).find(([, s]) =>
          String(s.Properties.Name).endsWith(`/partners/${partner}/webhook-secret`),
        ) ?? [];
      expect(secretId).toBeDefined();
      // Act
      const readers = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) =>
          (p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>).some(
            (s) =>
              JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue') &&
              JSON.stringify(s.Resource).includes(secretId ?? '?'),
          ),
        )
        .map((p) => JSON.stringify(p.Properties.Roles));
      // Assess
      expect(readers).toHaveLength(2);
      expect(readers.some((r) => r.includes(`Partner${partner}DeliveryRole`))).toBe(true);
      expect(readers.some((r) => r.includes('PartnerEventsRole'))).toBe(true);
    }
  });

  it('lets every reader of a secret, the table or a queue use the storage key through that service', () => {
    // Prepare
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const services: Array<[RegExp, string]> = [
      [/^secretsmanager:GetSecretValue$/, 'secretsmanager.'],
      [/^dynamodb:/, 'dynamodb.'],
      [/^sqs:(SendMessage|ReceiveMessage)$/, 'sqs.'],
    ];
    for (const policy of policies) {
      const statements = policy.Properties.PolicyDocument.Statement as Array<{
        Action: string | string[];
        Condition?: unknown;
      }>;
      const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
      for (const [pattern, service] of services) {
        if (!actions.some((a) => pattern.test(a))) continue;
        // Act
        const viaService = statements.filter(
          (s) =>
            JSON.stringify(s.Action).includes('kms:Decrypt') &&
            JSON.stringify(s.Condition).includes(`"${service}"`),
        );
        // Assess
        expect(viaService, `${JSON.stringify(policy.Properties.Roles)} ${service}`).toHaveLength(1);
      }
    }
  });

  it('outputs the dead-letter queue name of every partner', () => {
    // Assess
    template.hasOutput('WarehouseDeadLetterQueueName', {});
    template.hasOutput('CarrierDeadLetterQueueName', {});
  });
});

describe('ops outputs', () => {
  it('OpsQueueUrls names every partner queue and its dead-letter queue for redrive', () => {
    // Prepare
    const { statelessTemplate } = synth();
    // Act
    const output = statelessTemplate.findOutputs('OpsQueueUrls');
    // Assess
    const text = JSON.stringify(output);
    for (const key of [
      'partner-warehouse',
      'partner-warehouse-dlq',
      'partner-carrier',
      'partner-carrier-dlq',
    ]) {
      expect(text).toContain(`\\"${key}\\"`);
    }
  });
});
