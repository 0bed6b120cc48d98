/**
 * The erasure fence's backstop for abandoned intakes (shared/usecases/sweep-intakes.ts) in the
 * template: the `byIntake` index (open claims, sharded: no single-valued partition key), the purge
 * function's frequent schedule that runs the sweep, and the adapter writing a shard per claim.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { INTAKE_OPEN_VALUES, INTAKE_SHARDS, intakeOpen } from '#shared/contracts/intake-claims.js';
import { INTAKE_SWEEP_LOG } from '#shared/usecases/sweep-intakes.js';
import { INTAKE_BACKLOG_ALARM_SECONDS } from '../../infra/constructs/purge-schedule.js';
import { DynamoIdempotencyStore } from '../../shared/adapters/aws/dynamo-idempotency-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import { functionsByService, sorted, synth } from './support.js';

describe('the byIntake index', () => {
  let template: Template;
  beforeAll(() => {
    template = synth().statefulTemplate;
  });

  it('is keyed by the sharded open flag and sorted by lease, keys only, on the order table and in the local definition', () => {
    // Prepare
    const index = {
      IndexName: 'byIntake',
      KeySchema: [
        { AttributeName: 'intake', KeyType: 'HASH' },
        { AttributeName: 'leaseUntil', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    };
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'intake', AttributeType: 'S' },
        { AttributeName: 'leaseUntil', AttributeType: 'N' },
      ]),
      GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike(index)]),
    });
    expect(tableDefinition('t').GlobalSecondaryIndexes).toContainEqual(index);
  });
});

describe('open intake claims have no single-valued partition key', () => {
  it('the idempotency store writes 16 distinct flag values over many claims, and never an emailKey attribute', async () => {
    // Prepare: a client that records what the adapter sends
    const items: Array<Record<string, unknown>> = [];
    const db = {
      send: async (command: { input: { Item?: Record<string, unknown> } }) => {
        if (command.input.Item) items.push(command.input.Item);
        return {};
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new DynamoIdempotencyStore(db, 'orders');
    const keys = Array.from({ length: 800 }, (_, n) => `mac-${n}`);
    // Act
    for (const key of keys)
      await store.claim(
        {
          key,
          requestMac: 'r',
          orderId: `ord_${key}`,
          state: 'in-progress',
          leaseUntil: 1,
          expiresAt: 2,
          emailKey: 'ek',
          optIn: false,
        },
        0,
      );
    // Assess
    const written = items.map((item) => item.intake as string);
    expect(written).toEqual(keys.map(intakeOpen));
    expect(INTAKE_SHARDS).toBe(16);
    expect(sorted([...new Set(written)])).toEqual(sorted([...INTAKE_OPEN_VALUES]));
    const counts = new Map<string, number>();
    for (const value of written) counts.set(value, (counts.get(value) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(100);
    // The keyed email hash is kept out of the byEmail index's key attribute.
    expect(items.some((item) => 'emailKey' in item)).toBe(false);
    expect(new Set(items.map((item) => item.intakeEmailKey))).toEqual(new Set(['ek']));
  });
});

describe('the intake sweep schedule', () => {
  it('runs the purge function every 5 minutes with the intakes task, beside its daily run, both with a dead-letter queue', () => {
    // Prepare
    const template = synth().statelessTemplate;
    const purge = functionsByService(template).get('minimis-purge');
    const rules = Object.values(template.findResources('AWS::Events::Rule')).filter((rule) =>
      JSON.stringify(rule.Properties.Targets).includes(`"${purge?.logicalId}"`),
    );
    // Assess
    expect(
      sorted(
        rules.map((rule) => {
          const [target] = rule.Properties.Targets as Array<{ Input?: string; DeadLetterConfig?: unknown }>;
          expect(target?.DeadLetterConfig).toBeDefined();
          return `${rule.Properties.ScheduleExpression} ${target?.Input ?? '(no input)'}`;
        }),
      ),
    ).toEqual(['cron(17 3 * * ? *) (no input)', 'rate(5 minutes) {"task":"intakes"}']);
  });
});

describe('the intake sweep backlog alarm', () => {
  it('takes the age of the oldest claim a sweep left open from its log line, and alarms above the window or when no sweep logged in 15 minutes', () => {
    // Prepare
    const template = synth().statelessTemplate;
    const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
      (filter) => filter.Properties.MetricTransformations?.[0]?.MetricName === 'IntakeSweepOldestOpenSeconds',
    );
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => alarm.Properties.MetricName === 'IntakeSweepOldestOpenSeconds',
    );
    // Assess
    expect(filters).toHaveLength(1);
    expect(filters[0]?.Properties.FilterPattern).toBe(`{ $.message = "${INTAKE_SWEEP_LOG}" }`);
    expect(filters[0]?.Properties.MetricTransformations).toEqual([
      {
        MetricName: 'IntakeSweepOldestOpenSeconds',
        MetricNamespace: 'minimis',
        MetricValue: '$.oldestOpenSeconds',
      },
    ]);
    // The purge function's own log group (MinimisFunction's `Logs`).
    expect(JSON.stringify(filters[0]?.Properties.LogGroupName)).toMatch(
      /^\{"Ref":"PurgeSchedulePurgeLogs[0-9A-F]{8}"\}$/,
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({
      Namespace: 'minimis',
      Statistic: 'Maximum',
      Period: 900,
      EvaluationPeriods: 1,
      Threshold: INTAKE_BACKLOG_ALARM_SECONDS,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(alarms[0]?.Properties.AlarmActions).toHaveLength(1);
    expect(INTAKE_BACKLOG_ALARM_SECONDS).toBe(660);
  });
});
