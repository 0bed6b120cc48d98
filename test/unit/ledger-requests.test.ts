/** The ledger's request budget (bench/ledger-requests.ts): counted, so deterministic. */
import { describe, expect, it } from 'vitest';
import { ledgerRequests } from '../../bench/ledger-requests.js';

describe('disclosure ledger request budget', () => {
  it('adds no request on the submit path nor where a state update already happens, at most one write per other disclosure', async () => {
    // Act
    const rows = Object.fromEntries((await ledgerRequests(20)).map((r) => [r.path, r.after - r.before]));
    // Assess: the ledger key's one read and create per process is the only cost on the warehouse's
    // path; the carrier's webhook (personal fields) is entered in the ledger ahead of its POST: one
    // write of its own, as no write precedes the POST to ride on (the outcome rides on the state write).
    expect(rows.submit).toBe(0);
    expect(rows['deliver carrier']).toBe(1);
    expect(rows['confirmation email']).toBe(0);
    expect(rows['deliver warehouse']).toBeCloseTo(2 / 20, 5);
    // Export: the ledger write, and the read that puts the ledger into the export.
    expect(rows.export).toBe(2);
    // Erase (one order, no customer record): the ledger write, the read that finds the partners,
    // the certificate (a conditional put), and the write-ahead journal that makes a crash part-way
    // resumable: its read and open, one write ahead of the order's delete, its close; and the read,
    // after the ledger write, of the order's email claims still in flight (review s11b).
    expect(rows.erase).toBe(8);
  });
});
