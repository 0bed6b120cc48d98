/**
 * The public HTTP API: routes to Lambda functions, stage throttling, JSON access logs that carry
 * no personal data (no IP, no user agent, no path parameters, no query string — the unsubscribe
 * token travels in it), and CORS limited to the configured checkout origins.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** One public route. */
export interface PublicRoute {
  readonly method: 'GET' | 'POST';
  /** Path, e.g. `/orders/{orderId}`. */
  readonly path: string;
  readonly handler: lambda.IFunction;
  /** Why the route has no IAM/JWT authorizer (recorded as the cdk-nag acknowledgement). */
  readonly publicBecause: string;
}

/**
 * The access log record: request id, time, route key (the template, not the concrete path),
 * status and latencies. Deliberately absent: source IP, user agent, path and query string.
 */
export const ACCESS_LOG_FORMAT: Readonly<Record<string, string>> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  error: '$context.error.message',
  integrationError: '$context.integrationErrorMessage',
};

export interface HttpApiProps {
  /** API name. */
  readonly apiName: string;
  /** Origins allowed by CORS (exact, e.g. `https://shop.example`). */
  readonly allowedOrigins: readonly string[];
  readonly routes: readonly PublicRoute[];
  /**
   * Handler of the `$default` route (unknown path → 404, known path with another method → 405),
   * so every response of the API is the product's own problem+json.
   * @default - none: API Gateway answers unknown routes itself
   */
  readonly fallback?: Pick<PublicRoute, 'handler' | 'publicBecause'>;
  /**
   * Steady-state requests per second across the stage.
   * @default 50
   */
  readonly rateLimit?: number;
  /**
   * Burst of requests across the stage.
   * @default 100
   */
  readonly burstLimit?: number;
  /**
   * Access log retention.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly accessLogRetention?: logs.RetentionDays;
}

export class HttpApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogs: logs.LogGroup;
  /** Base URL of the API (no trailing slash). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    if (props.allowedOrigins.length === 0) throw new Error('HttpApi: allowedOrigins must not be empty');
    if (props.allowedOrigins.includes('*')) throw new Error('HttpApi: allowedOrigins must not contain "*"');
    const rateLimit = props.rateLimit ?? 50;
    const burstLimit = props.burstLimit ?? 100;
    if (rateLimit <= 0 || burstLimit <= 0)
      throw new Error('HttpApi: rateLimit and burstLimit must be positive');
    const seen = new Set<string>();
    for (const route of props.routes) {
      const key = `${route.method} ${route.path}`;
      if (!route.path.startsWith('/') || seen.has(key))
        throw new Error(`HttpApi: bad or duplicate route ${key}`);
      if (route.publicBecause.trim().length < 10)
        throw new Error(`HttpApi: route ${key} needs a reason to be public`);
      seen.add(key);
    }

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'minimis order pipeline',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...props.allowedOrigins],
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
        allowHeaders: ['content-type', 'idempotency-key'],
        maxAge: Duration.hours(1),
      },
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit, burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FORMAT)),
      },
    });
    this.url = this.api.apiEndpoint;

    for (const route of props.routes) {
      const name = `${route.method}${route.path.replace(/[^A-Za-z0-9]/g, '')}`;
      const created = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${name}Integration`, route.handler),
      });
      for (const r of created) {
        Validations.of(r).acknowledge({ id: 'AwsSolutions-APIG4', reason: route.publicBecause });
      }
    }
    if (props.fallback) {
      const fallback = new apigwv2.HttpRoute(this, 'FallbackRoute', {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.DEFAULT,
        integration: new HttpLambdaIntegration('FallbackIntegration', props.fallback.handler),
      });
      Validations.of(fallback).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: props.fallback.publicBecause,
      });
    }
  }
}
