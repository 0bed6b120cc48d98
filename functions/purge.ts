/**
 * Daily scheduled purge (EventBridge rule, see infra/constructs/purge-schedule.ts): deletes every
 * personal record whose retention has passed. Logs counts only. Throws on failure so the
 * schedule's retry and dead-letter queue (and its alarm) take over; a re-run is harmless.
 */

import { configFor } from '#shared/compose/config.js';
import { erasureLog, orderStore, recordSecretStore } from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { type PurgeResult, purgeExpired } from '#shared/usecases/purge-expired.js';

const logger = createLogger('purge');
const config = configFor('purge');
const deps = {
  orders: orderStore(config),
  recordSecrets: recordSecretStore(config),
  erasureLog: erasureLog(config),
  clock: clock(),
};

export const handler = async (): Promise<PurgeResult> => {
  try {
    const result = await purgeExpired(deps);
    logger.info('purge finished', { ...result });
    return result;
  } catch (error) {
    logger.error('purge failed', errorFields(error));
    throw error;
  }
};
