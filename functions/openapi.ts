import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { configFor } from '#shared/compose/config.js';
import { OPENAPI } from '#shared/contracts.js';
import generated from '#shared/http/openapi.json' with { type: 'json' };
import { type HttpResult, json } from '#shared/http/problem.js';

const config = configFor(OPENAPI);
let document: string | undefined;

/**
 * GET /openapi.json — the document generated from the zod schemas at build time
 * (`npm run openapi:generate`, checked for staleness by a test), with this deployment's base URL.
 */
export const handler = async (_event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  document ??= JSON.stringify({ ...generated, servers: [{ url: config.publicBaseUrl }] });
  return { ...json(200, {}), body: document };
};
