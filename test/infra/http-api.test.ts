import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext, synth } from './support.js';

const ORIGINS = ['https://shop.example', 'https://checkout.shop.example'];

describe('HTTP API', () => {
  let template: Template;

  beforeAll(() => {
    // Prepare: two checkout origins.
    const context = { ...cdkJsonContext(), allowedOrigins: ORIGINS };
    // Act
    template = synth(context).statelessTemplate;
  });

  it('exposes exactly the contract routes plus the $default fallback', () => {
    // Assess
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey,
    );
    expect(routes.sort()).toEqual(
      [
        'POST /orders',
        'GET /orders/{orderId}',
        'GET /openapi.json',
        'GET /health',
        'POST /partners/{partnerId}/events',
        'GET /unsubscribe',
        'POST /unsubscribe',
        'GET /consent/confirm',
        'POST /consent/confirm',
        '$default',
      ].sort(),
    );
  });

  it('limits CORS to exactly the configured origins, methods and headers', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ORIGINS,
        AllowMethods: ['GET', 'POST'],
        AllowHeaders: ['content-type', 'idempotency-key'],
        MaxAge: Match.anyValue(),
      },
    });
  });

  it('throttles the default stage', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
    });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    expect(stage?.Properties.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
    expect(stage?.Properties.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThan(0);
  });

  it('writes JSON access logs without query strings, paths, IPs or user agents', () => {
    // Prepare
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const settings = stage?.Properties.AccessLogSettings;
    // Act
    const format = JSON.parse(settings.Format) as Record<string, string>;
    // Assess
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/AccessLogs/), 'Arn'] });
    expect(format.requestId).toBe('$context.requestId');
    expect(format.routeKey).toBe('$context.routeKey');
    expect(format.status).toBe('$context.status');
    const variables = Object.values(format).join(' ');
    for (const forbidden of ['requestUri', 'context.path', 'sourceIp', 'userAgent', 'querystring', 'body']) {
      expect(variables).not.toContain(forbidden);
    }
  });

  it('integrates every route with a Lambda proxy (payload 2.0)', () => {
    // Assess
    template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });

  it('outputs the API URL', () => {
    // Assess
    template.hasOutput('ApiUrl', {});
  });
});
