import { type HttpResult, json } from '#shared/http/problem.js';

/** GET /health — 200 once the handler is loaded (it reads no setting and holds no client). */
export const handler = async (): Promise<HttpResult> => json(200, { status: 'ok' });
