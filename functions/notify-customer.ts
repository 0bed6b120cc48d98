import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { NOTIFY_TYPES } from '#shared/domain/email-policy.js';
import { ORDER_ID_PATTERN } from '#shared/domain/ids.js';
import { createLogger, errorFields } from '#shared/observability/logger.js';
import { type NotifyMessage, notifyCustomer } from '#shared/usecases/notify-customer.js';
import { sendConsentConfirmation } from '#shared/usecases/send-consent-confirmation.js';
import { wiring } from '#shared/wiring.js';

const logger = createLogger('notify-customer');
const w = wiring();

/** Queue bodies carry a type and an order id, never personal data. Extra keys are ignored. */
const bodySchema = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(z.object({ type: z.enum(NOTIFY_TYPES), orderId: z.string().regex(ORDER_ID_PATTERN) }));

/** False when the message cannot be read: it fails, and is kept (via the DLQ) for whoever adds its type. */
async function handleRecord(record: SQSRecord): Promise<boolean> {
  const parsed = bodySchema.safeParse(record.body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    logger.error('unreadable notify message', {
      messageId: record.messageId,
      path: issue?.path.join('.') ?? '',
      problem: issue?.code ?? 'invalid',
    });
    return false;
  }
  const message: NotifyMessage = parsed.data;
  const result = await notifyCustomer(
    {
      orders: w.orders,
      consent: w.consent,
      dataKeys: w.dataKeys,
      lookup: w.lookup,
      mailer: w.mailer,
      clock: w.clock,
      settings: { publicBaseUrl: w.config.publicBaseUrl },
    },
    message,
  );
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
    const confirmation = await sendConsentConfirmation(
      {
        orders: w.orders,
        consent: w.consent,
        dataKeys: w.dataKeys,
        lookup: w.lookup,
        mailer: w.mailer,
        clock: w.clock,
        settings: { publicBaseUrl: w.config.publicBaseUrl },
      },
      message.orderId,
    );
    const confirmationFields = {
      orderId: message.orderId,
      email: 'consent-confirmation',
      outcome: confirmation.outcome,
    };
    if (confirmation.recorded === false) logger.warn('email sent but not marked sent', confirmationFields);
    else if (confirmation.outcome !== 'not-requested') logger.info('notify handled', confirmationFields);
  }
  return true;
}

/** SQS consumer of the `notify` queue; failed records are reported for retry (partial batch response). */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const batchItemFailures: SQSBatchItemFailure[] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        if (!(await handleRecord(record))) batchItemFailures.push({ itemIdentifier: record.messageId });
      } catch (error) {
        logger.error('notify failed', { messageId: record.messageId, ...errorFields(error) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }),
  );
  return { batchItemFailures };
};
