/**
 * The scheduled purge (EventBridge rules, see infra/constructs/purge-schedule.ts). Every few
 * minutes (event `{ "task": "intakes" }`): the intake sweep, the erasure fence's backstop for
 * intakes that died before their re-check (usecases/sweep-intakes.ts). Daily (any other event): the
 * intake sweep and then every personal record whose retention has passed. Logs counts only. Throws
 * on failure so the schedule's retry and dead-letter queue (and its alarm) take over; a re-run is
 * harmless.
 */

import { configFor } from '#shared/compose/config.js';
import {
  abandonedIntakes,
  fenceReader,
  purgingConsent,
  purgingErasureLog,
  purgingOrders,
  purgingSecrets,
} from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { type PurgeResult, purgeExpired } from '#shared/usecases/purge-expired.js';
import { type SweepIntakesResult, sweepIntakes } from '#shared/usecases/sweep-intakes.js';

const logger = createLogger('purge');
const config = configFor('purge');
const deps = {
  orders: purgingOrders(config),
  consent: purgingConsent(config),
  idempotency: abandonedIntakes(config),
  fence: fenceReader(config),
  recordSecrets: purgingSecrets(config),
  erasureLog: purgingErasureLog(config),
  clock: clock(),
};

/** The frequent schedule's event: only the intake sweep. */
export const INTAKES_TASK = 'intakes';

export const handler = async (event?: {
  readonly task?: string;
}): Promise<{ intakes: SweepIntakesResult; purge?: PurgeResult }> => {
  try {
    const intakes = await sweepIntakes(deps);
    if (intakes.erased > 0) logger.warn('abandoned intakes raced by an erasure: erased', { ...intakes });
    if (event?.task === INTAKES_TASK) {
      logger.info('intake sweep finished', { ...intakes });
      return { intakes };
    }
    const purge = await purgeExpired(deps);
    logger.info('purge finished', { ...purge, intakesSwept: intakes.swept, intakesErased: intakes.erased });
    return { intakes, purge };
  } catch (error) {
    logger.error('purge failed', errorFields(error));
    throw error;
  }
};
