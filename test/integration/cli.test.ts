/**
 * The ops CLI, run in-process (`runCli`) against the local pipeline (dynalite) exactly as it runs
 * next to `npm start`: DynamoDB endpoint and key file from the environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.js';
import { runCli } from '../../cli/run.js';
import { LocalQueue } from '../../shared/adapters/local/local-queue.js';
import { fanOutOrder } from '../../shared/usecases/fan-out.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { localQueueTableName, wire } from '../../shared/wiring.js';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DAY_MS = 86_400_000;

let app: TestApp;

function io(env: Record<string, string> = {}, stdin = '') {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { AWS_ENDPOINT_URL_DYNAMODB: app.dynamoUrl, MINIMIS_DATA_DIR: app.dataDir, ...env },
    cwd: ROOT,
    interactive: false,
    prompt: async () => '',
    readStdin: async () => stdin,
  };
  return { io: value, out, err };
}

async function placeOrder(key: string, acceptedAt: Date): Promise<string> {
  const w = wire(app.config, {
    db: app.wiring.db,
    keyService: app.wiring.keyService,
    keyRecords: app.wiring.keyRecords,
    clock: { now: () => new Date(acceptedAt) },
  });
  const { orderId } = await submitOrder(
    {
      ...w,
      partners: w.config.partners,
      settings: { undeliveredDays: 90, idempotencyHours: 48, policyVersion: '2026-11-01' },
    },
    { idempotencyKey: key, body: orderBody(canaries('c11a0001')) },
  );
  // What the order table's stream does after the write (the local runner does it for its own wiring).
  await fanOutOrder(w, orderId);
  return orderId;
}

beforeAll(async () => {
  app = await startTestApp({}, { samplePartners: false });
  await Promise.all(Object.values(app.consumers).map((c) => c.stop()));
});

afterAll(async () => {
  await app?.stop();
});

describe('minimis CLI against local mode', () => {
  it('export of an address nobody used prints an empty export', async () => {
    // Prepare
    const run = io();
    // Act
    const code = await runCli(['export', '--email', 'nobody@example.com'], run.io);
    // Assess
    expect(code).toBe(0);
    expect(run.err).toEqual([]);
    const printed = JSON.parse(run.out.join(''));
    expect(printed).toEqual({
      email: 'nobody@example.com',
      generatedAt: printed.generatedAt,
      orders: [],
      consent: { events: [], currentlyConsented: false },
      marketingContact: null,
      pendingConfirmation: null,
      suppression: null,
    });
  });

  it('export --email - reads the address from stdin (out of shell history and ps)', async () => {
    // Prepare
    const run = io({}, 'nobody@example.com\n');
    // Act
    const code = await runCli(['export', '--email', '-'], run.io);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(run.out.join('')).email).toBe('nobody@example.com');
  });

  it('redrive moves dead-lettered deliveries back and sets them pending again', async () => {
    // Prepare
    const orderId = await placeOrder('cli-redrive', new Date());
    // Every message on the carrier queue dead-letters at its first receive.
    const deadLetters = new LocalQueue(app.wiring.db, localQueueTableName(app.config), {
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: { '*': 0 },
    });
    expect(await deadLetters.receive('partner-carrier')).toEqual([]);
    await app.wiring.orders.setDeliveryState(orderId, 'carrier', 'failed', new Date().toISOString());
    const run = io();
    // Act
    const code = await runCli(['redrive', '--partner', 'carrier'], run.io);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(run.out.join(''))).toEqual({
      partners: [{ partnerId: 'carrier', markedPending: 1, moved: 1 }],
    });
    expect(run.err).toEqual([
      'carrier: moved 1 back to the queue…',
      'carrier: 1 dead-lettered delivery redriven',
    ]);
    expect((await app.wiring.orders.getOrder(orderId))?.deliveries.carrier?.state).toBe('pending');
    expect(await deadLetters.list('partner-carrier')).toEqual([]);
  });

  it('redrive of every partner reports each, and an unknown partner is bad usage', async () => {
    // Prepare
    const all = io();
    const unknown = io();
    // Act
    const allCode = await runCli(['redrive'], all.io);
    const unknownCode = await runCli(['redrive', '--partner', 'courier'], unknown.io);
    // Assess
    expect(allCode).toBe(0);
    expect(JSON.parse(all.out.join(''))).toEqual({
      partners: [
        { partnerId: 'warehouse', markedPending: 0, moved: 0 },
        { partnerId: 'carrier', markedPending: 0, moved: 0 },
      ],
    });
    expect(unknownCode).toBe(2);
    expect(unknown.err).toEqual([
      'minimis redrive: unknown partner courier (configured: warehouse, carrier)\nRun `minimis redrive --help` for usage.',
    ]);
  });

  it('purge removes expired personal data and shows progress on stderr', async () => {
    // Prepare
    await placeOrder('cli-purge-old', new Date(Date.now() - 91 * DAY_MS));
    const run = io();
    // Act
    const code = await runCli(['purge'], run.io);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(run.out.join(''))).toMatchObject({ expired: 1, purged: 1, alreadyGone: 0 });
    expect(run.err).toEqual(['purging expired personal data…', 'purged 1 record…', 'done: purged 1 record']);
  });

  it('erase with --yes prints a receipt', async () => {
    // Prepare
    const person = canaries('c11a0002');
    await app.post('/orders', orderBody(person), { 'idempotency-key': 'cli-erase' });
    const run = io();
    // Act
    const code = await runCli(['erase', '--email', person.email, '--yes'], run.io);
    // Assess
    expect(code).toBe(0);
    expect(run.err[0]).toBe('erased: personal data of 1 order(s)');
    expect(run.err[1]).toMatch(/^certificate era_[0-9A-Z]{26}: /);
    expect(JSON.parse(run.out.join(''))).toMatchObject({
      outcome: 'erased',
      consentLedgerRemoved: false,
      marketingContactRemoved: false,
      suppressionKept: true,
    });
  });

  it('fails with one clear line when the table or the key file is missing', async () => {
    // Prepare
    const emptyDir = mkdtempSync(join(tmpdir(), 'minimis-cli-'));
    const noTable = io({ TABLE_NAME: 'no-such-table' });
    const noKey = io({ MINIMIS_DATA_DIR: emptyDir });
    try {
      // Act
      const noTableCode = await runCli(['purge'], noTable.io);
      const noKeyCode = await runCli(['export', '--email', 'nobody@example.com'], noKey.io);
      // Assess
      expect(noTableCode).toBe(1);
      expect(noTable.err).toEqual([
        'purging expired personal data…',
        `minimis purge: table no-such-table not found at ${app.dynamoUrl} — \`npm start\` creates it; or set TABLE_NAME`,
      ]);
      expect(noKeyCode).toBe(1);
      expect(noKey.err).toEqual([
        `minimis export: no local key file at ${join(emptyDir, 'master.key')} — run from the directory where \`npm start\` runs, or set MINIMIS_DATA_DIR`,
      ]);
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});
