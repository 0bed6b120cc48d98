import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { openApiDocument } from '#shared/http/openapi.js';
import { type HttpResult, json } from '#shared/http/problem.js';
import { wiring } from '#shared/wiring.js';

const w = wiring();
let document: string | undefined;

/** GET /openapi.json — generated from the zod schemas at first request, then cached. */
export const handler = async (_event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  document ??= JSON.stringify(openApiDocument(w.config.publicBaseUrl));
  return { ...json(200, {}), body: document };
};
