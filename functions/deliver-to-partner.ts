import { FetchPartnerClient } from '#shared/adapters/aws/fetch-partner-client.js';
import { configFor } from '#shared/compose/config.js';
import { deliveryOrders, ledgerStore, partnerStateStore } from '#shared/compose/dynamo.js';
import { clock, installed } from '#shared/compose/installed.js';
import { dataKeys, ledgerKey } from '#shared/compose/keys.js';
import { partnerSecrets } from '#shared/compose/partner-secrets.js';
import { queue } from '#shared/compose/queue.js';
import { type QueueRecord, sqsBatchHandler } from '#shared/compose/sqs-batch.js';
import { PARTNER_READERS } from '#shared/config.js';
import { deliveryMessageSchema } from '#shared/contracts/message-schemas.js';
import type { DeliveryMessage } from '#shared/contracts/messages.js';
import { DELIVER_TO_PARTNER, partnerQueue, serviceName } from '#shared/contracts.js';
import { ORDER_REDACTED_TYPE } from '#shared/domain/projections.js';
import { createLogger } from '#shared/observability/logger.js';
import { deliverRedaction } from '#shared/usecases/deliver-redaction.js';
import {
  type DeliverOutcome,
  deliverToPartner,
  PERSONAL_DATA_GONE_LOG,
} from '#shared/usecases/deliver-to-partner.js';
import { PARTNER_DISABLED_LOG } from '#shared/usecases/partner-gone.js';

const logger = createLogger(serviceName('deliver-to-partner'));
const config = configFor(DELIVER_TO_PARTNER, PARTNER_READERS);
const ledger = ledgerStore(config);
const mac = ledgerKey(config).mac;
const deps = {
  orders: deliveryOrders(config),
  dataKeys: dataKeys(config),
  secrets: partnerSecrets(config),
  partnerClient: installed()?.partnerClient ?? new FetchPartnerClient(),
  partnerState: partnerStateStore(config),
  clock: clock(),
  partners: config.partners,
  queue: queue(config),
};

/** In AWS each partner has its own function; it refuses messages meant for another partner. */
const ownPartner = config.partnerId;

/** The record stays on its queue: retried after its visibility timeout, then dead-lettered. */
export class DeliveryNotDoneError extends Error {
  override readonly name = 'DeliveryNotDoneError';
  constructor(readonly reason: 'retry' | 'gave-up' | 'other-partner') {
    super(`delivery not done (${reason})`);
  }
}

type DeliveryRecord = QueueRecord<DeliveryMessage>;

/** Handles one parsed record; throws when it must stay on the queue (retry or dead-letter). */
async function handle(record: DeliveryRecord): Promise<void> {
  const message = record.body;
  if (ownPartner && message.partner !== ownPartner) {
    logger.error('delivery message for another partner', {
      messageId: record.messageId,
      partner: message.partner,
    });
    throw new DeliveryNotDoneError('other-partner');
  }
  const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
  const ids = {
    messageId: record.messageId,
    orderId: message.orderId,
    partner: message.partner,
    type: message.type,
  };
  const attempt = {
    orderId: message.orderId,
    partnerId: message.partner,
    receiveCount,
    maxAttempts: config.delivery.maxAttempts,
  };
  const retry = { timeoutMs: config.delivery.timeoutMs, baseDelaySeconds: config.delivery.baseDelaySeconds };
  const outcome: DeliverOutcome =
    message.type === ORDER_REDACTED_TYPE
      ? await deliverRedaction(
          {
            ledger,
            ledgerMac: mac,
            secrets: deps.secrets,
            partnerClient: deps.partnerClient,
            partnerState: deps.partnerState,
            clock: deps.clock,
            partners: deps.partners,
            settings: retry,
          },
          { ...attempt, requestedAt: message.requestedAt },
        )
      : await deliverToPartner(
          {
            ...deps,
            settings: { originCountry: config.originCountry, ...retry },
            disclosures: { mac, store: ledger },
          },
          { ...attempt, ...(message.replay ? { replay: true } : {}) },
        );
  const own = partnerQueue(message.partner);
  switch (outcome.outcome) {
    case 'delivered':
      logger.info('delivered', { ...ids, attempt: receiveCount, status: outcome.status });
      return;
    case 'already-delivered':
    case 'order-not-found':
    case 'not-for-partner':
      logger.info('nothing to send', { ...ids, outcome: outcome.outcome });
      return;
    case 'personal-data-gone':
      logger.warn(PERSONAL_DATA_GONE_LOG, { ...ids, outcome: outcome.outcome });
      return;
    case 'held':
      if (outcome.disabled) {
        // The PartnerDisabled metric filter (and its alarm) match this message.
        logger.error(PARTNER_DISABLED_LOG, { ...ids, status: 410 });
      }
      logger.warn('partner disabled; message held', { ...ids, webhookId: outcome.webhookId });
      return;
    case 'retry':
      logger.warn('delivery failed; will retry', {
        ...ids,
        attempt: outcome.attempt,
        delaySeconds: outcome.delaySeconds,
        ...outcome.reason,
      });
      await deps.queue.retryLater(own, record.receiptHandle, outcome.delaySeconds);
      throw new DeliveryNotDoneError('retry');
    case 'gave-up':
      logger.error('delivery failed on the last attempt; dead-lettering', {
        ...ids,
        attempt: outcome.attempt,
        ...outcome.reason,
      });
      // Visible again at once, so the queue moves it to the dead-letter queue on the next receive.
      await deps.queue.retryLater(own, record.receiptHandle, 0);
      throw new DeliveryNotDoneError('gave-up');
  }
}

/**
 * SQS handler for a partner queue (`partner-<id>`), one webhook per record: Powertools batch with
 * the parser's SQS envelope (a body that is not a delivery message fails alone, and is kept via the
 * dead-letter queue), partial batch responses.
 */
export const handler = sqsBatchHandler({
  schema: deliveryMessageSchema,
  logger,
  failureMessage: 'delivery handler failed',
  expected: (error) => error instanceof DeliveryNotDoneError,
  handle,
});
