import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type HttpResult, methodNotAllowed, notFound } from '#shared/http/problem.js';
import { matchRoute } from '#shared/http/routes.js';

/** API Gateway `$default` route: unknown paths are 404, known paths with another method 405. */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const match = matchRoute(event.requestContext.http.method, event.rawPath);
  return match.kind === 'method-not-allowed' ? methodNotAllowed(match.allow) : notFound();
};
