import { describe, expect, it } from 'vitest';
import {
  erasureHorizon,
  unrecoverableAt,
  unrecoverableInWords,
} from '../../shared/domain/erasure-horizon.js';
import { DEFAULT_PARTNER_FIELDS } from '../../shared/inventory.js';

const partners = [
  { id: 'warehouse', kind: 'warehouse' as const, fields: [...DEFAULT_PARTNER_FIELDS.warehouse] },
  { id: 'carrier', kind: 'carrier' as const, fields: [...DEFAULT_PARTNER_FIELDS.carrier] },
];
const words = (h: ReturnType<typeof erasureHorizon>) =>
  Object.fromEntries(
    h.rows.map((r) => [r.id, [unrecoverableInWords(r.afterErasure), unrecoverableInWords(r.afterExpiry)]]),
  );

describe('erasureHorizon', () => {
  it('order table and its PITR at once (shredding), key table at once, its backups after shredBackupDays', () => {
    // Act
    const horizon = erasureHorizon({ shredBackupDays: 7, partners });
    // Assess
    expect(horizon.lastCopyGoneAfterDays).toBe(7);
    expect(words(horizon)).toEqual({
      'order-table': ['at once', 'at once'],
      'order-table-pitr': ['at once', 'at once'],
      'order-table-pitr-v1': ['after 35 days', 'after 35 days'],
      'key-table': ['at once', 'at once'],
      'key-table-backups': ['after 7 days', 'after 7 days'],
      'erasure-log': ['never holds any', 'never holds any'],
      'logs-queues': ['never holds any', 'never holds any'],
      // A bounce or complaint about the address that failed processing, while it is retried
      'feedback-retry-queue': ['after 4 days', 'after 4 days'],
      'local-mail-viewer': [
        'beyond reach here (the local operator)',
        'beyond reach here (the local operator)',
      ],
      mailboxes: ['beyond reach here (the customer)', 'beyond reach here (the customer)'],
      // Only partners that receive a personal field hold anything: not the warehouse.
      'partner:carrier': ['beyond reach here (carrier)', 'beyond reach here (carrier)'],
    });
  });

  it('without key-table backups the last copy is gone at once', () => {
    // Act
    const horizon = erasureHorizon({ shredBackupDays: 0, partners: [] });
    // Assess
    expect(horizon.lastCopyGoneAfterDays).toBe(0);
    expect(words(horizon)['key-table-backups']).toEqual(['at once', 'at once']);
    expect(horizon.rows.some((r) => r.id.startsWith('partner:'))).toBe(false);
    expect(() => erasureHorizon({ shredBackupDays: -1, partners: [] })).toThrow(RangeError);
  });

  it('dates each copy from the erasure', () => {
    // Prepare
    const at = new Date('2026-12-01T10:00:00.000Z');
    // Act / Assess
    expect(unrecoverableAt({ kind: 'after-days', days: 7 }, at)).toBe('2026-12-08T10:00:00.000Z');
    expect(unrecoverableAt({ kind: 'at-once' }, at)).toBe('2026-12-01T10:00:00.000Z');
    expect(unrecoverableAt({ kind: 'beyond-reach', whose: 'carrier' }, at)).toBeNull();
    expect(unrecoverableAt({ kind: 'never-held' }, at)).toBeNull();
  });
});
