/**
 * The daily purge: removes personal data whose retention has passed (the application already treats
 * it as gone on read; this makes it physically gone without waiting for DynamoDB TTL). The same
 * function runs the intake sweep every few minutes (`{ "task": "intakes" }`): the erasure fence's
 * backstop for intakes that died before their re-check (shared/usecases/sweep-intakes.ts).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { INTAKE_SWEEP_LOG } from '#shared/usecases/sweep-intakes.js';
import { MinimisFunction } from './minimis-function.js';
import { METRIC_NAMESPACE } from './partner-delivery.js';
import { grantSendToQueues, type TableRef } from './storage-grants.js';
import { grantTableAccess, TABLE_ACCESS } from './table-access.js';

export interface PurgeScheduleProps {
  readonly table: TableRef;
  /** IAM path of the purge function's role, e.g. `/minimis/prod/`. */
  readonly rolePath: string;
  /** Key encrypting the dead-letter queue at rest. */
  readonly queueKey: kms.IKey;
  /** Receives schedule events that could not be delivered or processed. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * When to purge (UTC).
   * @default events.Schedule.cron({ minute: '17', hour: '3' })
   */
  readonly schedule?: events.Schedule;
  /**
   * How often the intake sweep runs: with the intake's 30 s lease and the sweep's 60 s grace, this
   * bounds how long an abandoned intake's raced writes outlive the erasure.
   * @default Duration.minutes(5)
   */
  readonly intakeSweepInterval?: Duration;
  /** Receives the intake-sweep backlog alarm. */
  readonly alarmTopic: sns.ITopic;
}

/**
 * The backlog alarm's threshold (seconds since the oldest still-open abandoned claim's lease ran
 * out): the sweep's grace (60 s) plus two 5-minute intervals. Above it the documented window after
 * an erasure (about 6.5 minutes) is not held.
 */
export const INTAKE_BACKLOG_ALARM_SECONDS = 660;

/** The event of the frequent rule (functions/purge.ts reads it). */
export const INTAKES_TASK_EVENT = { task: 'intakes' } as const;

export class PurgeSchedule extends Construct {
  public readonly purge: MinimisFunction;
  public readonly rule: events.Rule;
  public readonly intakeRule: events.Rule;
  public readonly backlogAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: PurgeScheduleProps) {
    super(scope, id);
    if (!props.table) throw new Error('PurgeSchedule: table is required');
    this.purge = new MinimisFunction(this, 'Purge', {
      handler: 'purge',
      serviceName: 'minimis-purge',
      description: 'minimis: removes expired personal data',
      rolePath: props.rolePath,
      timeout: Duration.minutes(15),
      memorySize: 1024,
      deadLetterQueue: props.deadLetterQueue,
    });
    grantTableAccess(this.purge.role, props.table, TABLE_ACCESS.purge);
    grantSendToQueues(this.purge.role, [props.deadLetterQueue], props.queueKey);
    this.rule = new events.Rule(this, 'Schedule', {
      description: 'minimis: daily purge of expired personal data',
      schedule: props.schedule ?? events.Schedule.cron({ minute: '17', hour: '3' }),
      targets: [
        new targets.LambdaFunction(this.purge.function, {
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    const interval = props.intakeSweepInterval ?? Duration.minutes(5);
    if (interval.toSeconds() < 60)
      throw new Error('PurgeSchedule: intakeSweepInterval must be at least one minute');
    this.intakeRule = new events.Rule(this, 'IntakeSweep', {
      description: 'minimis: sweep abandoned intakes (erasure-fence backstop)',
      schedule: events.Schedule.rate(interval),
      targets: [
        new targets.LambdaFunction(this.purge.function, {
          event: events.RuleTargetInput.fromObject(INTAKES_TASK_EVENT),
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });

    // The sweep's backlog: each run logs INTAKE_SWEEP_LOG with `oldestOpenSeconds` (0: none left).
    // No run logged in 15 minutes (the sweep failing or not running) alarms too.
    const backlog = new logs.MetricFilter(this, 'IntakeSweepBacklog', {
      logGroup: this.purge.logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', INTAKE_SWEEP_LOG),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'IntakeSweepOldestOpenSeconds',
      metricValue: '$.oldestOpenSeconds',
    });
    this.backlogAlarm = new cloudwatch.Alarm(this, 'IntakeSweepBacklogAlarm', {
      alarmDescription:
        "minimis: the intake sweep left an abandoned intake claim open past its window (or did not run): an erasure may not reach an abandoned intake's writes within the documented ~6.5 minutes; see the purge function's logs",
      metric: backlog.metric({ statistic: 'Maximum', period: Duration.minutes(15) }),
      threshold: INTAKE_BACKLOG_ALARM_SECONDS,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.backlogAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
  }
}
