/**
 * When each copy of erased personal data becomes unrecoverable (the erasure certificate's
 * "copies"). The one place this is computed for erasure; the crypto-shredding work (issue 10)
 * owns the backup horizon of the key table and replaces the body of this function with its own
 * `erasureHorizon` once it is merged.
 */
import type { CopyHorizon } from '../domain/certificate.js';

/** Point-in-time recovery window of the order table (DynamoDB's maximum). */
export const ORDER_TABLE_PITR_DAYS = 35;

export interface HorizonSettings {
  /** Days the order table's point-in-time backups reach back. @default 35 */
  readonly pitrDays?: number;
}

const DAY_MS = 86_400_000;

export function erasureHorizon(erasedAt: Date, settings: HorizonSettings = {}): CopyHorizon[] {
  const at = erasedAt.toISOString();
  const pitr = settings.pitrDays ?? ORDER_TABLE_PITR_DAYS;
  return [
    { copy: 'order table (live)', unrecoverableAt: at, how: 'personal records deleted' },
    { copy: 'customer record and consent ledger', unrecoverableAt: at, how: 'deleted' },
    {
      copy: 'order table point-in-time backups',
      unrecoverableAt: new Date(erasedAt.getTime() + pitr * DAY_MS).toISOString(),
      how: `backups older than ${pitr} days are gone`,
    },
    {
      copy: 'logs, queues and dead letters',
      unrecoverableAt: at,
      how: 'they never held personal data (ids only)',
    },
  ];
}
