import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import { openApiDocument } from '#shared/http/openapi.js';
import { type HttpResult, json } from '#shared/http/problem.js';

const config = configFor('openapi');
let document: string | undefined;

/** GET /openapi.json — generated from the zod schemas at first request, then cached. */
export const handler = async (_event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  document ??= JSON.stringify(openApiDocument(config.publicBaseUrl));
  return { ...json(200, {}), body: document };
};
