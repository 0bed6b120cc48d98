import { configFor } from '#shared/compose/config.js';
import { outboxOrders } from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { queue } from '#shared/compose/queue.js';
import { OUTBOX_GRACE_SECONDS, SWEEP_OUTBOX, serviceName } from '#shared/contracts.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { sweepOutbox } from '#shared/usecases/fan-out.js';

const logger = createLogger(serviceName('sweep-outbox'));
const config = configFor(SWEEP_OUTBOX);
const at = clock();
const deps = { orders: outboxOrders(config), queue: queue(config), now: () => at.now() };

/** Scheduled (every minute): re-runs the fan-out of orders whose intake stopped before enqueueing. */
export const handler = async (): Promise<{ resent: number }> => {
  try {
    const resent = await sweepOutbox(deps, OUTBOX_GRACE_SECONDS);
    if (resent > 0) logger.warn('outbox entries re-sent', { resent });
    else logger.info('outbox empty');
    return { resent };
  } catch (error) {
    logger.error('outbox sweep failed', errorFields(error));
    throw error;
  }
};
