/** Infra of partner operations: the 410 Gone alarm, and the operator's rotation and enable grants. */
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { PERSONAL_DATA_GONE_LOG } from '#shared/usecases/deliver-to-partner.js';
import { PARTNER_DISABLED_LOG } from '#shared/usecases/partner-gone.js';
import { cdkJsonContext, OPERATOR_ARN, roleStatements, type Statement, synth } from './support.js';

describe('partner operations infra', () => {
  let template: Template;
  let operatorStatements: Statement[];

  beforeAll(() => {
    // Prepare / Act
    const built = synth({ ...cdkJsonContext(), operatorPrincipals: [OPERATOR_ARN] });
    template = built.statelessTemplate;
    const role = built.stateless.operatorRole;
    if (!role) throw new Error('no operator role');
    operatorStatements = roleStatements(
      template,
      built.stateless.getLogicalId(role.node.defaultChild as CfnRole),
    );
  }, 120_000);

  it('counts "partner disabled" log lines of each delivery function and alarms to the alarm topic on the first', () => {
    for (const partner of ['warehouse', 'carrier']) {
      // Prepare
      const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
        (f) => f.Properties.MetricTransformations[0].MetricName === `PartnerDisabled-${partner}`,
      );
      const [logGroupId] =
        Object.entries(template.findResources('AWS::Logs::LogGroup')).find(([id]) =>
          id.startsWith(`Partner${partner}DeliveryLogs`),
        ) ?? [];
      // Assess
      expect(filters).toHaveLength(1);
      expect(filters[0]?.Properties).toEqual({
        LogGroupName: { Ref: logGroupId },
        FilterPattern: `{ $.message = "${PARTNER_DISABLED_LOG}" }`,
        MetricTransformations: [
          {
            MetricNamespace: 'minimis',
            MetricName: `PartnerDisabled-${partner}`,
            MetricValue: '1',
            DefaultValue: 0,
          },
        ],
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'minimis',
        MetricName: `PartnerDisabled-${partner}`,
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
        AlarmDescription: Match.stringLikeRegexp(`minimis partner enable --partner ${partner}`),
      });
    }
  });

  it('alarms when a delivery finds the personal data of an accepted order gone (the partner gets nothing)', () => {
    for (const partner of ['warehouse', 'carrier']) {
      // Prepare
      const filters = Object.values(template.findResources('AWS::Logs::MetricFilter')).filter(
        (f) => f.Properties.MetricTransformations[0].MetricName === `PersonalDataGone-${partner}`,
      );
      // Assess
      expect(filters).toHaveLength(1);
      expect(filters[0]?.Properties.FilterPattern).toBe(`{ $.message = "${PERSONAL_DATA_GONE_LOG}" }`);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'minimis',
        MetricName: `PersonalDataGone-${partner}`,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      });
    }
  });

  it('lets the operator read and write new versions of the partner secrets only, through Secrets Manager', () => {
    // Prepare
    const secretIds = Object.keys(template.findResources('AWS::SecretsManager::Secret')).sort();
    // Act
    const rotate = operatorStatements.filter((s) =>
      [s.Action].flat().includes('secretsmanager:PutSecretValue'),
    );
    const viaSecretsManager = operatorStatements.filter((s) =>
      JSON.stringify(s.Condition ?? {}).includes('secretsmanager.'),
    );
    // Assess
    expect(secretIds).toHaveLength(2);
    expect(rotate).toHaveLength(1);
    expect(rotate[0]?.Action).toEqual([
      'secretsmanager:GetSecretValue',
      'secretsmanager:DescribeSecret',
      'secretsmanager:PutSecretValue',
    ]);
    expect(
      [rotate[0]?.Resource]
        .flat()
        .map((r) => (r as { Ref: string }).Ref)
        .sort(),
    ).toEqual(secretIds);
    expect(viaSecretsManager.map((s) => s.Action)).toEqual([['kms:Decrypt', 'kms:GenerateDataKey']]);
  });
});
