/**
 * The SQS batch handler when one handler module takes two batches at once (local mode: the
 * warehouse and carrier consumers share the delivery handler): each batch's partial response
 * names exactly its own failed records. Powertools' processor keeps its state on the instance
 * outside Lambda, so one processor shared by overlapping calls mixed them up (a failed record
 * answered as handled is deleted, its retry lost).
 */
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { sqsBatchHandler } from '#shared/compose/sqs-batch.js';
import type { Logger } from '#shared/observability/logger.js';
import { toSqsEvent } from '../../local/queue-consumer.js';

const event = (ids: readonly string[]): SQSEvent =>
  toSqsEvent(
    'test',
    ids.map((id) => ({
      messageId: id,
      receiptHandle: `${id}|1`,
      body: JSON.stringify({ id }),
      receiveCount: 1,
      sentAt: 0,
    })),
  );

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('sqsBatchHandler', () => {
  it('answers two overlapping batches each with its own failures', async () => {
    // Prepare
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const handler = sqsBatchHandler({
      schema: z.object({ id: z.string() }),
      logger: silent,
      failureMessage: 'failed',
      handle: async (record) => {
        if (record.body.id.startsWith('bad')) throw new Error('refused');
        await gate;
      },
    });
    // Act
    const first = handler(event(['a-ok', 'bad-a']));
    await new Promise((resolve) => setImmediate(resolve));
    const second = handler(event(['b-ok', 'bad-b']));
    await new Promise((resolve) => setImmediate(resolve));
    open();
    const answers = await Promise.all([first, second]);
    // Assess
    expect(answers).toEqual([
      { batchItemFailures: [{ itemIdentifier: 'bad-a' }] },
      { batchItemFailures: [{ itemIdentifier: 'bad-b' }] },
    ]);
  });
});
