/**
 * Shared helpers for the infra tests: synthesise the app from a context (bundling skipped) and
 * read roles, statements and functions out of the templates.
 */

import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, type FunctionName } from '#shared/contracts.js';
import { buildMinimis, type MinimisApp } from '../../infra/minimis.js';

/** The `minimis` context of cdk.json, as deployed. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: { minimis: Record<string, unknown> };
  };
  return structuredClone(cdkJson.context.minimis);
}

export const OPERATOR_ARN = 'arn:aws:iam::123456789012:role/minimis-ops';

export interface Synthesized extends MinimisApp {
  readonly app: App;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

/** Build the app from `minimis` context (no bundling, no nag plugins) and synthesise both stacks. */
export function synth(minimis: unknown = cdkJsonContext(), options: { nag?: boolean } = {}): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], minimis } });
  const built = buildMinimis(app, { nag: options.nag ?? false });
  return {
    ...built,
    app,
    statefulTemplate: Template.fromStack(built.stateful),
    statelessTemplate: Template.fromStack(built.stateless),
  };
}

// --- Reading IAM out of a template ------------------------------------------------------------

export interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Sorted copy, for order-insensitive comparison of condition values. */
/** Reading the order table's stream: the fan-out function only (fan-out-stream.test.ts). */
export const STREAM_ACTIONS: readonly string[] = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];

export const sorted = (values: readonly string[]): string[] => [...values].sort();

/** All statements of all AWS::IAM::Policy resources attached to the role (by logical id). */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) =>
      asArray(policy.Properties.Roles as unknown[]).some(
        (role) => (role as { Ref?: string }).Ref === roleLogicalId,
      ),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** Tags of a role, as a record. */
export function roleTags(template: Template, roleLogicalId: string): Record<string, string> {
  const role = template.findResources('AWS::IAM::Role')[roleLogicalId];
  const tags = (role?.Properties?.Tags ?? []) as Array<{ Key: string; Value: string }>;
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

/** The AWS::Lambda::Function properties the tests read. */
export interface LambdaProperties {
  readonly Runtime: string;
  readonly Architectures: string[];
  readonly Handler: string;
  readonly MemorySize: number;
  readonly Timeout: number;
  readonly TracingConfig: { Mode: string };
  readonly LoggingConfig: { LogFormat: string; LogGroup: unknown; ApplicationLogLevel?: string };
  readonly DeadLetterConfig?: { TargetArn: unknown };
}

export interface FunctionInfo {
  readonly logicalId: string;
  readonly roleLogicalId: string;
  readonly env: Record<string, unknown>;
  readonly properties: LambdaProperties;
}

/** Every Lambda function of the template keyed by its POWERTOOLS_SERVICE_NAME. */
/** The function (shared/contracts.ts) a log service belongs to: `minimis-deliver-<partner>` is deliver-to-partner. */
export function functionOf(service: string): FunctionName {
  const name = service.startsWith('minimis-deliver-')
    ? 'deliver-to-partner'
    : service.replace(/^minimis-/, '');
  if (!(name in FUNCTIONS)) throw new Error(`no function contract for service ${service}`);
  return name as FunctionName;
}

/** Variables every function gets from MinimisFunction itself (runtime and logging), not from its contract. */
export const RUNTIME_VARIABLES = ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_LOG_LEVEL'];

export function functionsByService(template: Template): Map<string, FunctionInfo> {
  const result = new Map<string, FunctionInfo>();
  for (const [logicalId, fn] of Object.entries(template.findResources('AWS::Lambda::Function'))) {
    const env = (fn.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
    const service = env.POWERTOOLS_SERVICE_NAME;
    if (typeof service !== 'string') continue; // CDK-internal singleton functions, if any
    const roleLogicalId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    result.set(service, { logicalId, roleLogicalId, env, properties: fn.Properties as LambdaProperties });
  }
  return result;
}

/** Does a statement's resource reference the given stateful key (by construct id in the export name)? */
export function refersTo(resource: unknown, keyConstructId: 'PurposeKey' | 'StorageKey'): boolean {
  return JSON.stringify(resource).includes(keyConstructId);
}

/** The `kms:EncryptionContext:purpose` values of a statement's StringEquals condition, normalised. */
export function purposeCondition(statement: Statement): string[] | undefined {
  const value = statement.Condition?.StringEquals?.['kms:EncryptionContext:purpose'];
  return value === undefined ? undefined : sorted(asArray(value));
}

/** KMS actions that release key material. */
export function releasesKeyMaterial(statement: Statement): boolean {
  return asArray(statement.Action).some(
    (action) =>
      action === '*' ||
      action === 'kms:*' ||
      action === 'kms:Decrypt' ||
      action.startsWith('kms:GenerateDataKey'),
  );
}

/** Parse a JSON environment value that CDK rendered as a string or `Fn::Join` (tokens become "TOKEN"). */
export function parseJoinedJson(value: unknown): unknown {
  if (typeof value === 'string') return JSON.parse(value);
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`not a JSON value: ${JSON.stringify(value)}`);
  return JSON.parse(join[1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(join[0]));
}
