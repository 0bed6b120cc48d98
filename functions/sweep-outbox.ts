import { createLogger, errorFields } from '#shared/observability/logger.js';
import { sweepOutbox } from '#shared/usecases/fan-out.js';
import { wiring } from '#shared/wiring.js';

const logger = createLogger('sweep-outbox');
const w = wiring();

/** Orders younger than this may still be mid-intake; their own request finishes the fan-out. */
export const OUTBOX_GRACE_SECONDS = 60;

/** Scheduled (every minute): re-runs the fan-out of orders whose intake stopped before enqueueing. */
export const handler = async (): Promise<{ resent: number }> => {
  try {
    const resent = await sweepOutbox(
      { orders: w.orders, queue: w.queue, now: () => w.clock.now() },
      OUTBOX_GRACE_SECONDS,
    );
    if (resent > 0) logger.warn('outbox entries re-sent', { resent });
    else logger.info('outbox empty');
    return { resent };
  } catch (error) {
    logger.error('outbox sweep failed', errorFields(error));
    throw error;
  }
};
