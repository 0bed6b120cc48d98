/**
 * The scheduled purge (EventBridge rules, see infra/constructs/purge-schedule.ts). Every few
 * minutes (event `{ "task": "intakes" }`): the intake sweep, the erasure fence's backstop for
 * intakes that died before their re-check (usecases/sweep-intakes.ts). Daily (any other event): the
 * intake sweep and then (even if the sweep failed) every personal record whose retention has
 * passed. Logs counts only (INTAKE_SWEEP_LOG carries the backlog metric). Throws on either failure
 * so the schedule's retry and dead-letter queue (and its alarm) take over; a re-run is harmless.
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
import { PURGE, serviceName } from '#shared/contracts.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { type PurgeResult, purgeExpired } from '#shared/usecases/purge-expired.js';
import { INTAKE_SWEEP_LOG, type SweepIntakesResult, sweepIntakes } from '#shared/usecases/sweep-intakes.js';

const logger = createLogger(serviceName('purge'));
const config = configFor(PURGE);
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

/** Time kept back from the function's timeout: no sweep page starts with less left. */
const SWEEP_MARGIN_MS = 60_000;

export const handler = async (
  event?: { readonly task?: string },
  context?: { getRemainingTimeInMillis(): number },
): Promise<{ intakes?: SweepIntakesResult; purge?: PurgeResult }> => {
  // The two tasks are isolated: a failing intake sweep does not skip the daily purge; either
  // failure still fails the run (the schedule's retry, dead-letter queue and alarm; a re-run is
  // harmless).
  let intakes: SweepIntakesResult | undefined;
  let failure: unknown;
  try {
    intakes = await sweepIntakes(deps, {
      ...(context ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
      marginMs: SWEEP_MARGIN_MS,
    });
    if (intakes.erased > 0) logger.warn('abandoned intakes raced by an erasure: erased', { ...intakes });
    logger.info(INTAKE_SWEEP_LOG, { ...intakes });
  } catch (error) {
    logger.error('intake sweep failed', errorFields(error));
    failure = error;
  }
  if (event?.task === INTAKES_TASK) {
    if (failure !== undefined) throw failure;
    return intakes ? { intakes } : {};
  }
  try {
    const purge = await purgeExpired(deps);
    logger.info('purge finished', { ...purge });
    if (failure !== undefined) throw failure;
    return { ...(intakes ? { intakes } : {}), purge };
  } catch (error) {
    if (error !== failure) logger.error('purge failed', errorFields(error));
    throw error;
  }
};
