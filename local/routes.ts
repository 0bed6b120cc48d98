/** Loads the handler of each route lazily, after the local runner has installed the wiring. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResult } from '#shared/http/problem.js';

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;
type Module = Promise<{ handler: HttpHandler }>;

export const HANDLERS: Readonly<Record<string, () => Module>> = {
  'submit-order': () => import('#functions/submit-order.js'),
  'get-order': () => import('#functions/get-order.js'),
  openapi: () => import('#functions/openapi.js'),
  health: () => import('#functions/health.js'),
  'partner-events': () => import('#functions/partner-events.js') as unknown as Module,
  'unsubscribe-page': () => import('#functions/unsubscribe-page.js') as unknown as Module,
  unsubscribe: () => import('#functions/unsubscribe.js') as unknown as Module,
  'consent-confirm-page': () => import('#functions/consent-confirm-page.js') as unknown as Module,
  'consent-confirm': () => import('#functions/consent-confirm.js') as unknown as Module,
};
