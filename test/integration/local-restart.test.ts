/**
 * Nothing in flight is lost when the local server dies: `npm start` is killed (SIGKILL) while a
 * delivery waits on the carrier, and the next start on the same data directory delivers that
 * message at once (its receive was held in the dead process's memory, not in the table), with the
 * same webhook id, and then deletes it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type LocalApp, startLocal } from '../../local/app.js';
import type { LocalQueue } from '../../shared/adapters/local/local-queue.js';
import { partnerQueue } from '../../shared/contracts.js';
import { canaries, orderBody } from '../support/canaries.js';
import { type PartnerStandIn, startPartnerStandIn, waitFor, webhookSecret } from './partners-standin.js';

const secrets = { warehouse: webhookSecret(), carrier: webhookSecret() };
const dataDir = mkdtempSync(join(tmpdir(), 'minimis-restart-'));
const stops: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

function env(warehouse: PartnerStandIn, carrier: PartnerStandIn): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    DYNAMODB_PORT: '0',
    SES_PORT: '0',
    MINIMIS_DATA_DIR: dataDir,
    ORIGIN_COUNTRY: 'GB',
    PARTNER_WAREHOUSE_URL: warehouse.url,
    PARTNER_CARRIER_URL: carrier.url,
    PARTNER_WAREHOUSE_SECRET: secrets.warehouse,
    PARTNER_CARRIER_SECRET: secrets.carrier,
    // A visibility timeout of 120 s: a receive recorded in the table would hide the message that long.
    DELIVERY_TIMEOUT_MS: '60000',
  };
}

/** `npm start` in a child process; resolves with its API URL once it printed it. */
function startServer(vars: Record<string, string>): Promise<{ child: ChildProcess; apiUrl: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...vars },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (out.length > 100_000) return;
      out += chunk.toString();
      const match = /API\s+(http:\/\/localhost:\d+)/.exec(out);
      if (match?.[1]) resolve({ child, apiUrl: match[1] });
    });
    child.stderr?.resume();
    child.once('exit', (code) => reject(new Error(`npm start exited (${code})`)));
  });
}

describe('local mode across a crash', () => {
  it('delivers a message that was in flight when the server was killed, once started again', async () => {
    // Prepare: the carrier holds the first webhook open (the server dies while it waits)
    const warehouse = await startPartnerStandIn();
    let held = 0;
    const carrier = await startPartnerStandIn(() => (held++ === 0 ? new Promise<number>(() => {}) : 204));
    stops.push(warehouse.stop, carrier.stop);
    const first = await startServer(env(warehouse, carrier));
    stops.push(async () => {
      first.child.kill('SIGKILL');
    });
    const response = await fetch(`${first.apiUrl}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'restart-1' },
      body: JSON.stringify(orderBody(canaries('restart1'))),
    });
    const { orderId } = (await response.json()) as { orderId: string };
    await waitFor('the carrier webhook', async () => carrier.forOrder(orderId).length === 1);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    // Act: start again on the same data directory
    const app: LocalApp = await startLocal({
      env: env(warehouse, carrier),
      samplePartners: false,
      timers: false,
      onError: () => undefined,
    });
    stops.push(app.stop);
    const consumer = app.consumers[partnerQueue('carrier')];
    await consumer?.poll();
    await consumer?.idle();
    const left = await (app.wiring.queue as LocalQueue).receiveBatch(partnerQueue('carrier'), 10);
    // Assess
    expect(response.status).toBe(202);
    const webhooks = carrier.forOrder(orderId);
    expect(webhooks.map((w) => w.json.type)).toEqual(['shipment.requested', 'shipment.requested']);
    expect(webhooks[1]?.headers['webhook-id']).toBe(webhooks[0]?.headers['webhook-id']);
    expect(left).toEqual({ messages: [], more: false, nextVisibleAt: undefined });
  });
});
