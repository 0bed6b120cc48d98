import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildMinimis, type MinimisApp } from '../../infra/minimis.js';
import { cdkJsonContext, OPERATOR_ARN } from './support.js';

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  let app: App;
  let built: MinimisApp;

  beforeAll(() => {
    // Prepare: the deployed configuration plus an operator (so the operator role is checked too).
    const minimis = { ...cdkJsonContext(), operatorPrincipals: [OPERATOR_ARN] };
    app = new App({ context: { 'aws:cdk:bundling-stacks': [], minimis } });
    // Act: build with the packs registered as synth-time validations, as infra/app.ts does.
    built = buildMinimis(app);
  });

  it.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ])('reports no unacknowledged %s finding', (_name, pack) => {
    // Act
    const report = pack().validateScope(app);
    // Assess
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('synthesises with the packs registered and leaves no error or warning annotation', () => {
    // Act
    const assembly = app.synth();
    // Assess
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'Minimis-prod-Stateful',
      'Minimis-prod-Stateless',
    ]);
    for (const stack of [built.stateful, built.stateless]) {
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*|Serverless-.*'))).toEqual(
        [],
      );
    }
  });

  it('scopes every acknowledgement to one rule (one finding for IAM5) and gives a reason', () => {
    // Prepare
    const acknowledgements: Array<{ path: string; id: string; reason: string }> = [];
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, unknown>)) {
          const text = typeof reason === 'string' ? reason : JSON.stringify(reason);
          acknowledgements.push({ path: construct.node.path, id, reason: text });
        }
      }
    }
    // Assess
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const { path, id, reason } of acknowledgements) {
      expect(id, path).toMatch(/(AwsSolutions|Serverless)-[A-Za-z0-9]+(\[[^\]*]*(\*)?\])?$/);
      if (id.includes('IAM5')) expect(id, path).toMatch(/IAM5\[.+\]/);
      expect(reason.length, `${path} ${id}`).toBeGreaterThan(20);
      // Never acknowledged at app or stack level: each sits on the construct it is about.
      expect(path.split('/').length, `${path} ${id}`).toBeGreaterThan(1);
    }
  });
});
