/**
 * Card numbers in random spellings, in every string field, through the local API: always 400
 * `/card-data`, and the number appears neither in the answer, nor in anything the process logged,
 * nor in the table.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaries, orderBody } from '../support/canaries.js';
import { type CardSpelling, cardSpelling, stringFieldPaths, withValueAt } from '../support/card-spellings.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { rawTableText } from '../support/raw-table.js';

const logged: string[] = [];
const originalOut = process.stdout.write.bind(process.stdout);
const originalErr = process.stderr.write.bind(process.stderr);
let app: TestApp;
const valid = orderBody(canaries('cardhttp'));
const FIELDS = stringFieldPaths();
const tried: CardSpelling[] = [];

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  // Captured, not echoed: 120 rejections would flood the output.
  const capture = (chunk: string | Uint8Array): boolean => {
    logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  app = await startTestApp({}, { samplePartners: false });
});

afterAll(async () => {
  process.stdout.write = originalOut;
  process.stderr.write = originalErr;
  await app.stop();
});

describe('POST /orders with a card number in any spelling, in any string field', () => {
  it('a valid order goes through (the scan below has something to look at)', async () => {
    // Act
    const response = await app.post('/orders', valid, { 'idempotency-key': 'card-valid' });
    // Assess
    expect(response.status).toBe(202);
  });

  it('is 400 card-data naming the field, and the answer never carries the number', async () => {
    // Act / Assess
    await fc.assert(
      fc.asyncProperty(cardSpelling, fc.constantFrom(...FIELDS), async (card, path) => {
        tried.push(card);
        const response = await app.post('/orders', withValueAt(valid, path, card.text), {
          'idempotency-key': `card-${tried.length}`,
        });
        const text = await response.text();
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
        const problem = JSON.parse(text) as { type: string; errors?: Array<{ path: string }> };
        expect(problem.type).toMatch(/\/card-data$/);
        expect(text).toContain(path);
        expect(text).not.toContain(card.digits);
        expect(text).not.toContain(card.text);
        for (const [name, value] of response.headers) expect(`${name}: ${value}`).not.toContain(card.digits);
      }),
      { numRuns: 120 },
    );
  });

  it('leaves no trace of any of those numbers in the logs or the table', async () => {
    // Act
    const logs = logged.join('');
    const table = [
      await rawTableText(app.dynamoUrl, app.config.tableName),
      await rawTableText(app.dynamoUrl, `${app.config.tableName}-local-queue`),
    ].join('\n');
    // Assess
    expect(tried.length).toBeGreaterThanOrEqual(120);
    expect(logs).toContain('CardDataError'); // the rejection is logged, by kind only
    for (const card of tried) {
      expect(logs).not.toContain(card.digits);
      expect(logs).not.toContain(card.text);
      expect(table).not.toContain(card.digits);
      expect(table).not.toContain(card.text);
    }
    expect(table).toContain('ORDER#');
    expect(table).toContain('order.accepted');
    expect(table).not.toContain(canaries('cardhttp').givenName);
    expect(app.errors).toEqual([]);
  });
});
