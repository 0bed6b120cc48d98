import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFor, variablesOf } from '#shared/config.js';
import { partnersSchema } from '#shared/config-schemas.js';
import {
  asArray,
  type FunctionInfo,
  functionOf,
  functionsByService,
  parseJoinedJson,
  RUNTIME_VARIABLES,
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

/** Variables the stack sets for some function (the rest of envSchema keeps its defaults in AWS). */
const DEPLOYED = [
  'TABLE_NAME',
  'KEY_TABLE_NAME',
  'SHRED_BACKUP_DAYS',
  'KMS_KEY_ID',
  'PUBLIC_BASE_URL',
  'SENDER_EMAIL',
  'ORIGIN_COUNTRY',
  'POLICY_VERSION',
  'RETENTION_AFTER_DELIVERY_DAYS',
  'RETENTION_UNDELIVERED_DAYS',
  'RETENTION_ACCOUNTING_YEARS',
  'DELIVERY_MAX_ATTEMPTS',
  'PARTNERS',
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

  it('gives every function exactly the variables of its contract, which its own config parse accepts', () => {
    for (const [service, fn] of functions) {
      // Prepare
      const name = functionOf(service);
      const own = Object.keys(fn.env).filter((key) => !RUNTIME_VARIABLES.includes(key));
      // Assess: nothing beyond its settings' variables…
      expect(
        own.filter((key) => !variablesOf(name).includes(key)),
        service,
      ).toEqual([]);
      expect(fn.env.MINIMIS_MODE, service).toBeUndefined(); // aws is the default
      // …and every variable of its settings that the deployment sets is there.
      const expected = variablesOf(name).filter((v) => DEPLOYED.includes(v));
      expect(own.filter((key) => DEPLOYED.includes(key)).sort(), service).toEqual(expected.sort());
      // Act: the literal parts parse with the function's own loader (token parts replaced).
      const literal = Object.fromEntries(
        Object.entries(fn.env)
          .filter(([key]) => !['PARTNERS', 'QUEUE_URLS', 'PARTNER_SECRET_REFS'].includes(key))
          .map(([key, value]) => [key, placeholder(value)]),
      );
      expect(() => loadConfigFor(name, literal), service).not.toThrow();
    }
  });

  it('gives the client-less functions no setting but the base URL, and keeps secrets to those that sign', () => {
    // Assess
    const own = (service: string) =>
      Object.keys(functions.get(service)?.env ?? {})
        .filter((key) => !RUNTIME_VARIABLES.includes(key))
        .sort();
    expect(own('minimis-health')).toEqual([]);
    expect(own('minimis-fallback')).toEqual([]);
    expect(own('minimis-openapi')).toEqual(['PUBLIC_BASE_URL']);
    expect(own('minimis-get-order')).toEqual(['PARTNERS', 'TABLE_NAME']);
    expect(own('minimis-purge')).toEqual(['KEY_TABLE_NAME', 'SHRED_BACKUP_DAYS', 'TABLE_NAME']);
    const partners = parseJoinedJson(functions.get('minimis-deliver-carrier')?.env.PARTNERS);
    expect(partnersSchema.parse(partners).map((p) => [p.id, p.kind])).toEqual([['carrier', 'carrier']]);
    expect(parseJoinedJson(functions.get('minimis-deliver-carrier')?.env.PARTNER_SECRET_REFS)).toEqual({
      carrier: 'TOKEN',
    });
    expect(JSON.stringify(functions.get('minimis-deliver-carrier')?.env.PARTNER_SECRET_REFS)).toMatch(
      /PartnercarrierSigningSecret/,
    );
    expect(functions.get('minimis-deliver-carrier')?.env.DELIVERY_MAX_ATTEMPTS).toBe('16');
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
