import { type HttpResult, json } from '#shared/http/problem.js';
import { wiring } from '#shared/wiring.js';

// Wiring at cold start parses the configuration: a bad one fails here, before any order.
wiring();

/** GET /health — 200 once the handler is loaded with a valid configuration. */
export const handler = async (): Promise<HttpResult> => json(200, { status: 'ok' });
