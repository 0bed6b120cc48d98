/**
 * Daily scheduled purge (EventBridge rule, see infra/constructs/purge-schedule.ts): deletes every
 * personal record whose retention has passed. Logs counts only. Throws on failure so the
 * schedule's retry and dead-letter queue (and its alarm) take over; a re-run is harmless.
 */
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { type PurgeResult, purgeExpired } from '#shared/usecases/purge-expired.js';
import { wiring } from '#shared/wiring.js';

const logger = createLogger('purge');
const w = wiring();

export const handler = async (): Promise<PurgeResult> => {
  try {
    const result = await purgeExpired(w);
    logger.info('purge finished', { ...result });
    return result;
  } catch (error) {
    logger.error('purge failed', errorFields(error));
    throw error;
  }
};
