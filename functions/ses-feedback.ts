import { createLogger, errorFields } from '#shared/observability/logger.js';
import { parseSesFeedback, recordMailFeedback } from '#shared/usecases/record-mail-feedback.js';
import { wiring } from '#shared/wiring.js';

const logger = createLogger('ses-feedback');
const w = wiring();

/**
 * SES bounce/complaint feedback, delivered by EventBridge (SES event) or SNS (SES notification):
 * permanent bounces and complaints suppress the address. Logs kinds and counts, never addresses.
 * A failure throws, so the asynchronous invocation is retried (and then sent to its on-failure
 * destination).
 */
export const handler = async (event: unknown): Promise<void> => {
  const feedback = parseSesFeedback(event);
  if (feedback.length === 0) {
    logger.info('ses feedback ignored (not a permanent bounce or complaint)');
    return;
  }
  const deps = {
    consent: w.consent,
    fence: w.fence,
    clock: w.clock,
    lookup: w.lookup,
    settings: { policyVersion: w.config.policyVersion },
  };
  try {
    for (const item of feedback) {
      const summary = await recordMailFeedback(deps, item);
      logger.info('ses feedback recorded', { ...summary });
    }
  } catch (error) {
    logger.error('ses feedback failed', errorFields(error));
    throw error;
  }
};
