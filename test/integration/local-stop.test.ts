/**
 * Stopping local mode while work is under way: nothing writes after the stores close. The API
 * stops taking requests, the ones being handled end, then the fan-outs they started; a request to
 * the embedded DynamoDB after it stopped fails at once instead of waiting forever.
 */
import { describe, expect, it } from 'vitest';
import { EmbeddedDynamoStoppedError, startDynalite } from '#shared/adapters/local/embedded-dynamodb.js';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp } from '../support/local-app.js';

const ticks = async (n = 20) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('local mode stop', () => {
  it('waits for an order being written and for its fan-out; nothing is sent after stop() returns', async () => {
    // Prepare: the order store holds right after the order write, before the fan-out starts
    const app = await startTestApp({}, { samplePartners: false });
    const inner = Object.getPrototypeOf(app.wiring.orders) as { putOrderRecord(o: unknown): Promise<void> };
    const write = inner.putOrderRecord.bind(inner);
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => {
      written = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    inner.putOrderRecord = async (order) => {
      await write(order);
      written();
      await released;
    };
    const queue = app.wiring.queue as { send(q: string, m: unknown): Promise<void> };
    const send = queue.send.bind(queue);
    let stopReturned = false;
    const sends: string[] = [];
    queue.send = async (q, m) => {
      sends.push(stopReturned ? `${q} after stop` : q);
      return send(q, m);
    };
    // Act
    const posting = app.post('/orders', orderBody(canaries('stop')), { 'idempotency-key': 'k-stop' }).then(
      (r) => r.status,
      (e: Error) => e.name,
    );
    await wrote;
    const stopping = app.stop().then(() => {
      stopReturned = true;
    });
    // Long enough for a stop() that does not wait to have returned (it takes ~50 ms)
    await Promise.race([stopping, new Promise((r) => setTimeout(r, 1_500))]);
    const returnedWhileHeld = stopReturned;
    release();
    await stopping;
    await posting;
    await ticks();
    // Assess
    expect(returnedWhileHeld).toBe(false);
    expect([...sends].sort()).toEqual(['notify', 'partner-carrier', 'partner-warehouse']);
    expect(app.errors).toEqual([]);
  });

  it('a request to the embedded DynamoDB after it stopped fails at once', async () => {
    // Prepare
    const dynamo = await startDynalite({ port: 0 });
    await dynamo.stop();
    // Act
    const outcome = await dynamo.request('ListTables', '{}').then(
      () => 'answered',
      (error: unknown) => error,
    );
    // Assess
    expect(outcome).toBeInstanceOf(EmbeddedDynamoStoppedError);
  });
});
