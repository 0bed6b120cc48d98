import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { envSchema, partnersSchema } from '../../shared/config.js';
import {
  asArray,
  type FunctionInfo,
  functionsByService,
  parseJoinedJson,
  roleStatements,
  synth,
} from './support.js';

const HANDLERS = [
  'minimis-submit-order',
  'minimis-get-order',
  'minimis-openapi',
  'minimis-fallback',
  'minimis-health',
  'minimis-partner-events',
  'minimis-unsubscribe-page',
  'minimis-unsubscribe',
  'minimis-consent-confirm-page',
  'minimis-consent-confirm',
  'minimis-notify-customer',
  'minimis-ses-feedback',
  'minimis-sweep-outbox',
  'minimis-fan-out',
  'minimis-purge',
  'minimis-deliver-warehouse',
  'minimis-deliver-carrier',
];

/** Resolve the few intrinsic shapes the environment uses into a placeholder string. */
const placeholder = (value: unknown): string => (typeof value === 'string' ? value : 'arn:aws:placeholder');

describe('Lambda functions', () => {
  let template: Template;
  let functions: Map<string, FunctionInfo>;

  beforeAll(() => {
    // Prepare / Act
    template = synth().statelessTemplate;
    functions = functionsByService(template);
  });

  it('creates one function per handler and one delivery function per partner', () => {
    // Assess
    expect([...functions.keys()].sort()).toEqual([...HANDLERS].sort());
    template.resourceCountIs('AWS::Lambda::Function', HANDLERS.length);
  });

  it('runs every function on Node.js 22+ arm64 with active tracing and JSON logs in its own group', () => {
    for (const [service, fn] of functions) {
      // Assess
      const p = fn.properties;
      expect(p.Runtime, service).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(p.Architectures, service).toEqual(['arm64']);
      expect(p.TracingConfig, service).toEqual({ Mode: 'Active' });
      expect(p.LoggingConfig.LogFormat, service).toBe('JSON');
      expect(p.LoggingConfig.LogGroup, service).toEqual({ Ref: expect.any(String) });
      expect(p.MemorySize, service).toBeGreaterThanOrEqual(128);
      expect(p.Timeout, service).toBeGreaterThan(3);
      expect(p.Handler, service).toBe('index.handler');
    }
  });

  it('gives every log group a retention period', () => {
    // Assess
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(groups).length).toBe(HANDLERS.length + 1); // + API access logs
    for (const group of Object.values(groups)) expect(group.Properties.RetentionInDays).toBeGreaterThan(0);
  });

  it('does not attach the AWS managed basic-execution policy', () => {
    // Assess
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('gives every function the shared environment, which the runtime schema accepts', () => {
    for (const [service, fn] of functions) {
      // Prepare
      const env = fn.env;
      // Assess
      for (const key of [
        'MINIMIS_MODE',
        'TABLE_NAME',
        'KMS_KEY_ID',
        'PUBLIC_BASE_URL',
        'SENDER_EMAIL',
        'ORIGIN_COUNTRY',
        'POLICY_VERSION',
        'RETENTION_AFTER_DELIVERY_DAYS',
        'RETENTION_UNDELIVERED_DAYS',
        'PARTNERS',
        'QUEUE_URLS',
        'DELIVERY_MAX_ATTEMPTS',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_LOG_LEVEL',
      ]) {
        expect(env[key], `${service} ${key}`).toBeDefined();
      }
      expect(env.MINIMIS_MODE).toBe('aws');
      expect(env.DELIVERY_MAX_ATTEMPTS).toBe('16');
      // Act: the literal parts must parse with the Lambdas' own schema (token parts replaced).
      const literal = Object.fromEntries(
        Object.entries(env)
          .filter(([key]) => !['PARTNERS', 'QUEUE_URLS'].includes(key))
          .map(([key, value]) => [key, placeholder(value)]),
      );
      const parsed = envSchema.safeParse(literal);
      expect(parsed.success, `${service}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it('lists each partner with its secret ARN and each queue URL under its key', () => {
    // Prepare
    const env = functions.get('minimis-submit-order')?.env ?? {};
    // Act
    const partners = parseJoinedJson(env.PARTNERS);
    const queues = parseJoinedJson(env.QUEUE_URLS);
    // Assess: the value parses with the runtime's own partner schema.
    expect(partnersSchema.parse(partners).map((p) => [p.id, p.kind, p.secretRef])).toEqual([
      ['warehouse', 'warehouse', 'TOKEN'],
      ['carrier', 'carrier', 'TOKEN'],
    ]);
    expect(queues).toEqual({ notify: 'TOKEN', 'partner-warehouse': 'TOKEN', 'partner-carrier': 'TOKEN' });
    // …and the tokens are the secrets and queues of this stack.
    expect(JSON.stringify(env.PARTNERS)).toMatch(
      /PartnerwarehouseSigningSecret.*PartnercarrierSigningSecret/,
    );
    expect(JSON.stringify(env.QUEUE_URLS)).toMatch(
      /NotificationQueue.*PartnerwarehouseQueue.*PartnercarrierQueue/,
    );
  });

  it('gives the notify function the SES configuration set and each delivery function its partner id', () => {
    // Assess
    expect(functions.get('minimis-notify-customer')?.env.SES_CONFIGURATION_SET).toEqual({
      Ref: expect.stringMatching(/^NotificationConfigurationSet/),
    });
    expect(functions.get('minimis-deliver-carrier')?.env.PARTNER_ID).toBe('carrier');
    expect(functions.get('minimis-deliver-warehouse')?.env.PARTNER_ID).toBe('warehouse');
  });

  it('drives delivery, notify and feedback-retry functions from their queues, and the fan-out from the table stream, with partial batch responses', () => {
    // Assess
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(5); // 2 partners, notify, ses-feedback-retry; the fan-out stream
    for (const mapping of mappings) {
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      // Stream batches are larger (fan-out-stream.test.ts).
      const stream = JSON.stringify(mapping.Properties.EventSourceArn).includes('StreamArn');
      expect(mapping.Properties.BatchSize).toBe(stream ? 100 : 10);
    }
  });

  it('schedules the outbox sweeper every minute and the purge daily, both with a dead-letter queue', () => {
    // Assess
    for (const [service, expression] of [
      ['minimis-sweep-outbox', 'rate(1 minute)'],
      ['minimis-purge', Match.stringLikeRegexp('^cron\\(\\d+ \\d+ \\* \\* \\? \\*\\)$')],
    ] as const) {
      const fn = functions.get(service);
      template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: expression,
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [fn?.logicalId, 'Arn'] },
            DeadLetterConfig: { Arn: Match.anyValue() },
          }),
        ],
      });
      expect(fn?.properties.DeadLetterConfig?.TargetArn, service).toBeDefined();
    }
  });

  it('routes SES bounces and complaints of the configuration set to ses-feedback', () => {
    // Assess
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: ['bounce', 'complaint'],
        EventBridgeDestination: Match.anyValue(),
      }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.ses'],
        'detail-type': ['Email Bounced', 'Email Complaint Received'],
      }),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functions.get('minimis-ses-feedback')?.logicalId, 'Arn'] },
        }),
      ],
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'shop.example' });
  });

  it('keeps bounced and complaining addresses out of the SES suppression list (ours is keyed)', () => {
    // Prepare
    const sets = Object.values(template.findResources('AWS::SES::ConfigurationSet'));
    // Assess: an empty reason list overrides the account-level list for this configuration set.
    expect(sets).toHaveLength(1);
    expect(sets[0]?.Properties.SuppressionOptions).toEqual({ SuppressedReasons: [] });
  });

  it('lets the notify function send only from the sender address through the identity and set', () => {
    // Prepare
    const fn = functions.get('minimis-notify-customer');
    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: fn?.roleLogicalId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Condition: { StringEquals: { 'ses:FromAddress': 'orders@shop.example' } },
            Resource: Match.arrayWith([Match.objectLike({ 'Fn::Join': Match.anyValue() })]),
          }),
        ]),
      },
    });
  });

  it('gives get-order read-only table access and no queue or secret access', () => {
    // Prepare
    const fn = functions.get('minimis-get-order');
    const statements = roleStatements(template, fn?.roleLogicalId ?? '');
    // Act
    const actions = statements.flatMap((s) => asArray(s.Action));
    // Assess
    expect(actions.filter((a) => a.startsWith('dynamodb:'))).not.toContain('dynamodb:PutItem');
    expect(actions.filter((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a))).toEqual([]);
    expect(actions.filter((a) => a.startsWith('sqs:') || a.startsWith('secretsmanager:'))).toEqual([]);
  });
});
