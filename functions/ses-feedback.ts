import { configFor } from '#shared/compose/config.js';
import { fenceReader, optOutConsent } from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { lookup } from '#shared/compose/keys.js';
import { SES_FEEDBACK, serviceName } from '#shared/contracts.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { drainFeedbackRetries, isRetryBatch, recordSesEvent } from '#shared/usecases/ses-feedback-retry.js';

const logger = createLogger(serviceName('ses-feedback'));
const config = configFor(SES_FEEDBACK);
const deps = {
  consent: optOutConsent(config),
  fence: fenceReader(config),
  clock: clock(),
  lookup: lookup(config),
  settings: { policyVersion: config.policyVersion },
};

/**
 * SES bounce/complaint feedback, delivered by EventBridge (SES event) or SNS (SES notification):
 * permanent bounces and complaints suppress the address. Logs kinds and counts, never addresses.
 *
 * A failure throws, so the asynchronous invocation is retried twice, then goes to the on-failure
 * destination, the `ses-feedback-retry` queue. This same function consumes that queue (an SQS
 * batch) and records each retried event again; one that fails stays queued for the next try.
 */
export const handler = async (
  event: unknown,
): Promise<undefined | { batchItemFailures: Array<{ itemIdentifier: string }> }> => {
  if (isRetryBatch(event)) {
    return drainFeedbackRetries(deps, event.Records, ({ error, summaries, ...about }) => {
      if (error)
        logger.error('ses feedback retry failed; it stays queued', { ...about, ...errorFields(error) });
      else logger.info('ses feedback retry recorded', { ...about, feedback: summaries });
    });
  }
  try {
    const summaries = await recordSesEvent(deps, event);
    if (summaries.length === 0) logger.info('ses feedback ignored (not a permanent bounce or complaint)');
    for (const summary of summaries) logger.info('ses feedback recorded', { ...summary });
  } catch (error) {
    logger.error('ses feedback failed', errorFields(error));
    throw error;
  }
};
