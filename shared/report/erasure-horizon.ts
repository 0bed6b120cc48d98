/**
 * The erasure certificate's "copies": every row of the crypto-shredding horizon
 * (`erasureHorizon(settings)`, shared/domain/erasure-horizon.ts), dated from the erasure.
 */
import type { CopyHorizon } from '../domain/certificate.js';
import { type ErasureHorizon, unrecoverableAt } from '../domain/erasure-horizon.js';

export { erasureHorizon } from '../domain/erasure-horizon.js';

/** The certificate's copies: every row of the horizon, dated from the erasure. */
export function certificateCopies(horizon: ErasureHorizon, erasedAt: Date): CopyHorizon[] {
  return horizon.rows.map((row) => ({
    copy: row.store,
    unrecoverableAt: unrecoverableAt(row.afterErasure, erasedAt),
    how:
      row.afterErasure.kind === 'never-held'
        ? `never held personal data: ${row.how}`
        : row.afterErasure.kind === 'beyond-reach'
          ? `beyond minimis (${row.afterErasure.whose}): ${row.how}`
          : row.how,
  }));
}
