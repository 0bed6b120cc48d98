import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { type DeliverOutcome, deliverToPartner } from '#shared/usecases/deliver-to-partner.js';
import { partnerQueue } from '#shared/usecases/fan-out.js';
import { PARTNER_DISABLED_LOG } from '#shared/usecases/partner-gone.js';
import { wiring } from '#shared/wiring.js';

const logger = createLogger('deliver-to-partner');
const w = wiring();

/** In AWS each partner has its own function; it refuses messages meant for another partner. */
const ownPartner = process.env.PARTNER_ID;

const messageSchema = z.object({
  type: z.literal('order.accepted'),
  orderId: z.string().min(1).max(64),
  partner: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/),
  /** Set by `minimis replay`: send again even if delivered. */
  replay: z.literal(1).optional(),
});

function parse(record: SQSRecord): z.output<typeof messageSchema> | undefined {
  try {
    const parsed = messageSchema.safeParse(JSON.parse(record.body));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Handles one record; returns false when it must stay on the queue (retry or dead-letter). */
async function handle(record: SQSRecord): Promise<boolean> {
  const message = parse(record);
  if (!message) {
    logger.error('malformed delivery message', { messageId: record.messageId });
    return false;
  }
  if (ownPartner && message.partner !== ownPartner) {
    logger.error('delivery message for another partner', {
      messageId: record.messageId,
      partner: message.partner,
    });
    return false;
  }
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  const ids = { messageId: record.messageId, orderId: message.orderId, partner: message.partner };
  const outcome: DeliverOutcome = await deliverToPartner(
    {
      orders: w.orders,
      dataKeys: w.dataKeys,
      secrets: w.secrets,
      partnerClient: w.partnerClient,
      partnerState: w.partnerState,
      clock: w.clock,
      partners: w.config.partners,
      settings: {
        originCountry: w.config.originCountry,
        timeoutMs: w.config.delivery.timeoutMs,
        baseDelaySeconds: w.config.delivery.baseDelaySeconds,
      },
    },
    {
      orderId: message.orderId,
      partnerId: message.partner,
      receiveCount,
      maxAttempts: w.config.delivery.maxAttempts,
      ...(message.replay ? { replay: true } : {}),
    },
  );
  const queue = partnerQueue(message.partner);
  switch (outcome.outcome) {
    case 'delivered':
      logger.info('delivered', { ...ids, attempt: receiveCount, status: outcome.status });
      return true;
    case 'already-delivered':
    case 'order-not-found':
    case 'not-for-partner':
      logger.info('nothing to send', { ...ids, outcome: outcome.outcome });
      return true;
    case 'personal-data-gone':
      logger.warn('personal data gone; delivery marked failed', { ...ids, outcome: outcome.outcome });
      return true;
    case 'held':
      if (outcome.disabled) {
        // The PartnerDisabled metric filter (and its alarm) match this message.
        logger.error(PARTNER_DISABLED_LOG, { ...ids, status: 410 });
      }
      logger.warn('partner disabled; message held', { ...ids, webhookId: outcome.webhookId });
      return true;
    case 'retry':
      logger.warn('delivery failed; will retry', {
        ...ids,
        attempt: outcome.attempt,
        delaySeconds: outcome.delaySeconds,
        ...outcome.reason,
      });
      await w.queue.retryLater(queue, record.receiptHandle, outcome.delaySeconds);
      return false;
    case 'gave-up':
      logger.error('delivery failed on the last attempt; dead-lettering', {
        ...ids,
        attempt: outcome.attempt,
        ...outcome.reason,
      });
      // Visible again at once, so the queue moves it to the dead-letter queue on the next receive.
      await w.queue.retryLater(queue, record.receiptHandle, 0);
      return false;
  }
}

/** SQS handler for a partner queue (`partner-<id>`): partial batch responses, one webhook per record. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const failures: SQSBatchItemFailure[] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      const ok = await handle(record).catch((error: unknown) => {
        logger.error('delivery handler failed', { messageId: record.messageId, ...errorFields(error) });
        return false;
      });
      if (!ok) failures.push({ itemIdentifier: record.messageId });
    }),
  );
  return { batchItemFailures: failures };
};
