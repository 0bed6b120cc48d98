/**
 * The daily purge: removes personal data whose retention has passed (the application already treats
 * it as gone on read; this makes it physically gone without waiting for DynamoDB TTL). The same
 * function runs the intake sweep every few minutes (`{ "task": "intakes" }`): the erasure fence's
 * backstop for intakes that died before their re-check (shared/usecases/sweep-intakes.ts).
 */
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MinimisFunction } from './minimis-function.js';
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
}

/** The event of the frequent rule (functions/purge.ts reads it). */
export const INTAKES_TASK_EVENT = { task: 'intakes' } as const;

export class PurgeSchedule extends Construct {
  public readonly purge: MinimisFunction;
  public readonly rule: events.Rule;
  public readonly intakeRule: events.Rule;

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
  }
}
