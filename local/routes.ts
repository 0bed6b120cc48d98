/**
 * Loads the handler of each route lazily, after the local runner has installed the wiring, once:
 * each `import()` goes through the module loader's resolve hooks (tsx's run on a thread of their
 * own, a message round trip per call), ~2 ms of main-thread CPU per request under load.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpResult } from '#shared/http/problem.js';

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<HttpResult>;
type Module = Promise<{ handler: HttpHandler }>;

/** `load` run on first use and its module kept (a failed import is tried again next time). */
export function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

export const HANDLERS: Readonly<Record<string, () => Module>> = {
  'submit-order': once(() => import('#functions/submit-order.js')),
  'get-order': once(() => import('#functions/get-order.js')),
  openapi: once(() => import('#functions/openapi.js')),
  health: once(() => import('#functions/health.js')),
  'partner-events': once(() => import('#functions/partner-events.js') as unknown as Module),
  'unsubscribe-page': once(() => import('#functions/unsubscribe-page.js') as unknown as Module),
  unsubscribe: once(() => import('#functions/unsubscribe.js') as unknown as Module),
  'consent-confirm-page': once(() => import('#functions/consent-confirm-page.js') as unknown as Module),
  'consent-confirm': once(() => import('#functions/consent-confirm.js') as unknown as Module),
};
