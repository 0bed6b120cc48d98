/**
 * No function holds a grant for a service its contract (shared/contracts.ts) gives it no client
 * for: the grants follow the same table as the bundles and the environment.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AwsClient, FUNCTIONS } from '#shared/contracts.js';
import {
  asArray,
  type FunctionInfo,
  functionOf,
  functionsByService,
  refersTo,
  roleStatements,
  synth,
} from './support.js';

/** Actions only a function that constructs the client may hold (SQS: see the test of its own). */
const NEEDS: ReadonlyArray<readonly [AwsClient, RegExp]> = [
  ['dynamodb', /^dynamodb:/],
  ['secrets-manager', /^secretsmanager:/],
  ['sesv2', /^ses:/],
];

describe('grants follow the function contracts', () => {
  let template: Template;
  let functions: Map<string, FunctionInfo>;

  beforeAll(() => {
    // Prepare / Act
    template = synth().statelessTemplate;
    functions = functionsByService(template);
  });

  it('grants no function an action of a service it has no client for', () => {
    for (const [service, fn] of functions) {
      // Prepare
      const clients: readonly AwsClient[] = FUNCTIONS[functionOf(service)].clients;
      const actions = roleStatements(template, fn.roleLogicalId).flatMap((s) => asArray(s.Action));
      // Assess
      for (const [client, pattern] of NEEDS) {
        if (clients.includes(client)) continue;
        expect(
          actions.filter((a) => pattern.test(a)),
          `${service} has no ${client} client`,
        ).toEqual([]);
      }
    }
  });

  it('lets a function without an SQS client send only to where Lambda puts its failed invocations', () => {
    for (const [service, fn] of functions) {
      // Prepare
      const clients: readonly AwsClient[] = FUNCTIONS[functionOf(service)].clients;
      if (clients.includes('sqs')) continue;
      const failureTargets = [
        fn.properties.DeadLetterConfig?.TargetArn,
        ...Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'))
          .filter((c) => JSON.stringify(c.Properties.FunctionName).includes(fn.logicalId))
          .map((c) => c.Properties.DestinationConfig?.OnFailure?.Destination),
      ]
        .filter((t) => t !== undefined)
        .map((t) => JSON.stringify(t));
      // Act
      const sends = roleStatements(template, fn.roleLogicalId).filter((st) =>
        asArray(st.Action).includes('sqs:SendMessage'),
      );
      // Assess
      for (const send of sends)
        for (const resource of asArray(send.Resource as unknown))
          expect(failureTargets, service).toContain(JSON.stringify(resource));
    }
  });

  it('grants the purpose key only to functions with a KMS client', () => {
    for (const [service, fn] of functions) {
      // Prepare
      const clients: readonly AwsClient[] = FUNCTIONS[functionOf(service)].clients;
      const onPurposeKey = roleStatements(template, fn.roleLogicalId).filter((s) =>
        refersTo(s.Resource, 'PurposeKey'),
      );
      // Assess
      if (!clients.includes('kms')) expect(onPurposeKey, service).toEqual([]);
    }
  });

  it('leaves the client-less functions with nothing but their own logs and traces', () => {
    for (const service of ['minimis-health', 'minimis-openapi', 'minimis-fallback']) {
      // Prepare
      const fn = functions.get(service);
      const actions = roleStatements(template, fn?.roleLogicalId ?? '').flatMap((s) => asArray(s.Action));
      // Assess
      expect([...new Set(actions)].sort(), service).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });
});
