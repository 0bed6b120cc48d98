/**
 * Orders with canary values in every personal field, then a scan of the raw table and of
 * everything the process logged: no canary in clear anywhere, and no unkeyed hash of the email.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaries, orderBody, personalValues } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { rawTableText } from '../support/raw-table.js';

const logged: string[] = [];
const originalOut = process.stdout.write.bind(process.stdout);
const originalErr = process.stderr.write.bind(process.stderr);
let app: TestApp;
const people = [canaries('rest0001'), canaries('rest0002'), canaries('rest0003')];

function unkeyedHashes(email: string): string[] {
  const out: string[] = [];
  for (const value of [email, email.toLowerCase(), email.trim().toLowerCase()]) {
    for (const algo of ['md5', 'sha1', 'sha256', 'sha512']) {
      const digest = createHash(algo).update(value).digest();
      out.push(digest.toString('hex'), digest.toString('base64'), digest.toString('base64url'));
    }
  }
  return out;
}

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  const capture =
    (original: typeof process.stdout.write) =>
    (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    };
  process.stdout.write = capture(originalOut) as typeof process.stdout.write;
  process.stderr.write = capture(originalErr) as typeof process.stderr.write;
  app = await startTestApp({}, { samplePartners: false });
  for (const [i, person] of people.entries()) {
    const response = await app.post('/orders', orderBody(person, { marketingOptIn: i !== 1 }), {
      'idempotency-key': `restkey-canary-${i}`,
    });
    expect(response.status).toBe(202);
    // Rejected requests are logged too: they must not leak either.
    await app.post('/orders', orderBody(person, { currency: 'nope' }), {
      'idempotency-key': `rest-bad-${i}`,
    });
  }
});

afterAll(async () => {
  process.stdout.write = originalOut;
  process.stderr.write = originalErr;
  await app.stop();
});

describe('personal data at rest and in logs', () => {
  it('no canary appears in the raw table (main table and queue table)', async () => {
    // Act
    const table = await rawTableText(app.dynamoUrl, app.config.tableName);
    const queue = await rawTableText(app.dynamoUrl, `${app.config.tableName}-local-queue`);
    // Assess
    expect(table).toContain('ORDER#');
    expect(table).toContain('PII#');
    expect(queue).toContain('order.accepted');
    // Idempotency keys are stored as MACs: whatever a client puts in one is not kept.
    expect(table).not.toContain('restkey-canary');
    for (const person of people) {
      for (const value of personalValues(person)) {
        expect(table).not.toContain(value);
        expect(queue).not.toContain(value);
      }
    }
  });

  it('no unkeyed hash of any email appears in the table', async () => {
    // Act
    const table = await rawTableText(app.dynamoUrl, app.config.tableName);
    // Assess
    for (const person of people)
      for (const hash of unkeyedHashes(person.email)) expect(table).not.toContain(hash);
  });

  it('the keyed hash of the email is what the table holds for look-ups', async () => {
    // Prepare
    const table = await rawTableText(app.dynamoUrl, app.config.tableName);
    // Act
    const emailKey = await app.wiring.lookup.emailKey(people[0]?.email ?? '');
    // Assess
    expect(table).toContain(emailKey);
  });

  it('the logs carry order ids but no canary', () => {
    // Prepare
    const text = logged.join('');
    // Assess
    expect(text).toContain('"message":"order accepted"');
    expect(text).toContain('"message":"order rejected"');
    for (const person of people) {
      for (const value of personalValues(person)) expect(text).not.toContain(value);
      for (const hash of unkeyedHashes(person.email)) expect(text).not.toContain(hash);
    }
  });
});
