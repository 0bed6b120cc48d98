import { readOnceConsent, readOnceOrders } from '#shared/adapters/read-once.js';
import { configFor } from '#shared/compose/config.js';
import { notifyConsent, notifyOrders, secretReader } from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { dataKeys, ledgerKey, lookup } from '#shared/compose/keys.js';
import { mailer } from '#shared/compose/mail.js';
import { type QueueRecord, sqsBatchHandler } from '#shared/compose/sqs-batch.js';
import { notifyMessageSchema } from '#shared/contracts/message-schemas.js';
import type { NotifyMessage } from '#shared/contracts/messages.js';
import { NOTIFY_CUSTOMER, serviceName } from '#shared/contracts.js';
import { createLogger } from '#shared/observability/logger.js';
import { notifyCustomer } from '#shared/usecases/notify-customer.js';
import { sendConsentConfirmation } from '#shared/usecases/send-consent-confirmation.js';

const logger = createLogger(serviceName('notify-customer'));
const config = configFor(NOTIFY_CUSTOMER);
const deps = {
  orders: notifyOrders(config),
  consent: notifyConsent(config),
  dataKeys: dataKeys(config),
  lookup: lookup(config),
  mailer: mailer(config),
  clock: clock(),
  settings: { publicBaseUrl: config.publicBaseUrl },
};
const recordSecrets = secretReader(config);
const ledgerMac = ledgerKey(config).mac;

type NotifyRecord = QueueRecord<NotifyMessage>;

async function handleRecord(record: NotifyRecord): Promise<void> {
  const message = record.body;
  // The two use cases below read the same order, personal record and suppression: once each.
  const reads = { ...deps, orders: readOnceOrders(deps.orders), consent: readOnceConsent(deps.consent) };
  const result = await notifyCustomer({ ...reads, recordSecrets, ledgerMac }, message);

  const fields = {
    orderId: message.orderId,
    type: message.type,
    email: result.email,
    outcome: result.outcome,
  };
  if (result.recorded === false) logger.warn('email sent but not marked sent', fields);
  else logger.info('notify handled', fields);
  if (message.type === 'order.accepted') {
    // A checkout opt-in for a suppressed address asks its owner to confirm (its own claim).
    const confirmation = await sendConsentConfirmation(reads, message.orderId);
    const confirmationFields = {
      orderId: message.orderId,
      email: 'consent-confirmation',
      outcome: confirmation.outcome,
    };
    if (confirmation.recorded === false) logger.warn('email sent but not marked sent', confirmationFields);
    else if (confirmation.outcome !== 'not-requested') logger.info('notify handled', confirmationFields);
  }
}

/**
 * SQS consumer of the `notify` queue: Powertools batch with the parser's SQS envelope. A body that
 * is not a notify message fails alone and is kept (via the DLQ) for whoever adds its type; failed
 * records are reported for retry (partial batch response).
 */
export const handler = sqsBatchHandler({
  schema: notifyMessageSchema,
  logger,
  failureMessage: 'notify failed',
  handle: handleRecord,
});
