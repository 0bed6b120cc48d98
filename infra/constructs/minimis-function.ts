/**
 * One minimis Lambda function with the settings every function shares: current Node.js LTS on
 * arm64, esbuild bundling without Docker (ESM, minified, source maps), active tracing, JSON logs
 * into an explicit log group with retention, and its own role that can write only to that group.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLING } from '../bundling.js';
import { isRolePath } from './purpose-grants.js';

/** Repository root (holds package-lock.json, tsconfig.json and functions/). */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The current Node.js LTS runtime offered by the installed aws-cdk-lib. */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

export interface MinimisFunctionProps {
  /** Handler file name in functions/, without extension, e.g. `submit-order`. */
  readonly handler: string;
  /** Service name in logs and traces (POWERTOOLS_SERVICE_NAME), e.g. `minimis-submit-order`. */
  readonly serviceName: string;
  /** Human description shown in the console. */
  readonly description: string;
  /**
   * IAM path of the function's role, e.g. `/minimis/prod/`: the purpose key admits data-key use
   * only from roles under the deployment's path (purpose-grants.ts `rolePathFor`).
   */
  readonly rolePath: string;
  /**
   * Environment variables (more can be added with `addEnvironment`).
   * @default {}
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * Reserved concurrency.
   * @default - unreserved (account pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Dead-letter queue for failed asynchronous invocations. Exactly one of `deadLetterQueue` and
   * `noDeadLetterQueueReason` must be given.
   * @default - none; then `noDeadLetterQueueReason` is required
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Why this function needs no dead-letter queue (e.g. invoked synchronously by the HTTP API, or
   * from an SQS queue that has its own). Recorded as the cdk-nag acknowledgement.
   * @default - none; then `deadLetterQueue` is required
   */
  readonly noDeadLetterQueueReason?: string;
  /**
   * Log retention.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Application log level (POWERTOOLS_LOG_LEVEL and the Lambda JSON log filter).
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

export class MinimisFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: MinimisFunctionProps) {
    super(scope, id);
    const entry = join(PROJECT_ROOT, 'functions', `${props.handler}.ts`);
    if (!/^[a-z][a-z0-9-]*$/.test(props.handler) || !existsSync(entry)) {
      throw new Error(`MinimisFunction: no handler file functions/${props.handler}.ts`);
    }
    if (!/^[a-zA-Z0-9-]{1,64}$/.test(props.serviceName)) {
      throw new Error(`MinimisFunction: invalid serviceName "${props.serviceName}"`);
    }
    const timeout = props.timeout ?? Duration.seconds(10);
    if (timeout.toSeconds() < 1 || timeout.toSeconds() > 900) {
      throw new Error('MinimisFunction: timeout must be between 1 and 900 seconds');
    }
    const memorySize = props.memorySize ?? 512;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10_240) {
      throw new Error('MinimisFunction: memorySize must be an integer between 128 and 10240 MB');
    }
    if (!isRolePath(props.rolePath)) {
      throw new Error(`MinimisFunction: invalid rolePath "${props.rolePath}"`);
    }
    if ((props.deadLetterQueue === undefined) === (props.noDeadLetterQueueReason === undefined)) {
      throw new Error('MinimisFunction: give exactly one of deadLetterQueue and noDeadLetterQueueReason');
    }
    const logLevel = props.logLevel ?? 'INFO';

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Own role instead of the AWSLambdaBasicExecutionRole managed policy: logs only to its own group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `minimis ${props.serviceName}`,
      path: props.rolePath,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout,
      role: this.role,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      deadLetterQueueEnabled: props.deadLetterQueue !== undefined ? true : undefined,
      deadLetterQueue: props.deadLetterQueue,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: logLevel,
        ...props.environment,
      },
      // One source for the bundling options: the bundle bench and test run esbuild with the same.
      bundling: {
        ...LAMBDA_BUNDLING,
        format: LAMBDA_BUNDLING.format as nodejs.OutputFormat,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        externalModules: [...LAMBDA_BUNDLING.externalModules],
      },
    });

    // X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level permissions.
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords only support Resource "*".',
    });
    if (props.noDeadLetterQueueReason !== undefined) {
      Validations.of(this).acknowledge({ id: 'Serverless-LambdaDLQ', reason: props.noDeadLetterQueueReason });
    }
  }

  /** Add (or overwrite) an environment variable. */
  public addEnvironment(key: string, value: string): void {
    this.function.addEnvironment(key, value);
  }
}
