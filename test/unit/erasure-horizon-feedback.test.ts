/**
 * Found by review s11b. data-inventory.md: the certificate states "for each copy, when it became or
 * becomes unrecoverable", and the privacy report states the horizon "for every store that holds
 * personal data or its keys (..., logs, queues and dead letters, ...)". The `ses-feedback-retry`
 * queue holds SES bounce/complaint events with the recipient address for up to
 * FEEDBACK_RETRY_DAYS (inventory.ts; the privacy report's retention table says so), but the
 * erasure horizon — what every erase receipt and certificate prints — says of "logs, metrics,
 * traces, queues and dead-letter queues": "never held personal data", and has no row for it.
 */
import { describe, expect, it } from 'vitest';
import { erasureHorizon } from '#shared/domain/erasure-horizon.js';
import { FEEDBACK_RETRY_DAYS } from '#shared/inventory.js';
import { certificateCopies } from '#shared/report/erasure-horizon.js';

describe('the certificate’s copies and the SES feedback retry queue', () => {
  it('names the queue that may still hold the erased address, and until when', () => {
    const at = new Date('2026-11-25T10:00:00.000Z');
    const copies = certificateCopies(erasureHorizon({ shredBackupDays: 7, partners: [] }), at);
    const queues = copies.filter((c) => /queue/i.test(c.copy));
    // Assess: the work queues never held any; the feedback retry queue is named, with its days
    expect(queues.map((c) => c.how.startsWith('never held'))).toEqual([true, false]);
    const feedback = copies.find((c) => /feedback/i.test(c.copy));
    expect(feedback?.unrecoverableAt).toBe('2026-11-29T10:00:00.000Z');
    expect(feedback?.how).toBe(
      "an event is retried for at most 4 days (the queue's retention), then deleted; one processed is deleted at once",
    );
    expect(FEEDBACK_RETRY_DAYS).toBe(4);
  });
});
