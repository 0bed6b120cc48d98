import {
  BatchProcessor,
  EventType,
  type ParsedRecord,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sqsJsonParser as parser } from '#shared/adapters/aws/sqs-json-parser.js';
import { configFor } from '#shared/compose/config.js';
import { consentStore, orderStore, recordSecretStore } from '#shared/compose/dynamo.js';
import { clock } from '#shared/compose/installed.js';
import { dataKeys, ledgerKey, lookup } from '#shared/compose/keys.js';
import { mailer } from '#shared/compose/mail.js';
import { type NotifyMessage, notifyMessageSchema } from '#shared/contracts/messages.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { notifyCustomer } from '#shared/usecases/notify-customer.js';
import { sendConsentConfirmation } from '#shared/usecases/send-consent-confirmation.js';

const logger = createLogger('notify-customer');
const config = configFor('notify-customer');
const deps = {
  orders: orderStore(config),
  consent: consentStore(config),
  dataKeys: dataKeys(config),
  lookup: lookup(config),
  mailer: mailer(config),
  clock: clock(),
  settings: { publicBaseUrl: config.publicBaseUrl },
};
const recordSecrets = recordSecretStore(config);
const ledgerMac = ledgerKey(config).mac;

/** Queue bodies carry a type and an order id, never personal data. Extra keys are ignored. */
const processor = new BatchProcessor(EventType.SQS, {
  parser,
  innerSchema: notifyMessageSchema,
  transformer: 'json',
  logger,
});

type NotifyRecord = ParsedRecord<SQSRecord, NotifyMessage>;

async function handleRecord(record: NotifyRecord): Promise<void> {
  const message = record.body;
  const result = await notifyCustomer({ ...deps, recordSecrets, ledgerMac }, message);

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
    const confirmation = await sendConsentConfirmation(deps, message.orderId);
    const confirmationFields = {
      orderId: message.orderId,
      email: 'consent-confirmation',
      outcome: confirmation.outcome,
    };
    if (confirmation.recorded === false) logger.warn('email sent but not marked sent', confirmationFields);
    else if (confirmation.outcome !== 'not-requested') logger.info('notify handled', confirmationFields);
  }
}

async function recordHandler(record: NotifyRecord): Promise<void> {
  try {
    await handleRecord(record);
  } catch (error) {
    logger.error('notify failed', { messageId: record.messageId, ...errorFields(error) });
    throw error;
  }
}

/**
 * SQS consumer of the `notify` queue: Powertools batch with the parser's SQS envelope. A body that
 * is not a notify message fails alone and is kept (via the DLQ) for whoever adds its type; failed
 * records are reported for retry (partial batch response).
 */
export const handler = async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> =>
  processPartialResponse(event, recordHandler, processor, {
    ...(context ? { context } : {}),
    throwOnFullBatchFailure: false,
  });
