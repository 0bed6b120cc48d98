/**
 * An SQS queue consumer: Powertools batch with the parser's SQS envelope. A record whose body is
 * not the queue's message fails its check alone (kept via the dead-letter queue); a record whose
 * handler throws is reported for retry (partial batch response). A failure is logged once, by its
 * messageId and error class, never by its body.
 */
import {
  BatchProcessor,
  EventType,
  type ParsedRecord,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sqsJsonParser as parser } from '../adapters/aws/sqs-json-parser.js';
import type { MessageCheck } from '../contracts/message-schemas.js';
import { errorFields, type Logger } from '../observability/logger.js';

export type QueueRecord<T> = ParsedRecord<SQSRecord, T>;

export function sqsBatchHandler<T>(options: {
  /** The queue's message check (shared/contracts/message-schemas.ts). */
  readonly schema: MessageCheck<T>;
  readonly logger: Logger;
  /** Logged at error level when a record's handler throws (unless `expected` says it is not news). */
  readonly failureMessage: string;
  /** Failures the handler has already logged (e.g. a delivery that will be retried). */
  readonly expected?: (error: unknown) => boolean;
  readonly handle: (record: QueueRecord<T>) => Promise<void>;
}): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  // One processor per call: outside Lambda's InvokeStore a processor keeps the batch's records and
  // failures on itself, so two calls at once (local mode runs the warehouse and carrier batches
  // of one handler module side by side) would answer each other's failures.
  const processor = () =>
    new BatchProcessor(EventType.SQS, {
      parser,
      innerSchema: options.schema,
      transformer: 'json',
      logger: options.logger,
    });
  const recordHandler = async (record: QueueRecord<T>): Promise<void> => {
    try {
      await options.handle(record);
    } catch (error) {
      if (!options.expected?.(error))
        options.logger.error(options.failureMessage, { messageId: record.messageId, ...errorFields(error) });
      throw error;
    }
  };
  return (event, context) =>
    processPartialResponse(event, recordHandler, processor(), {
      ...(context ? { context } : {}),
      throwOnFullBatchFailure: false,
    });
}
