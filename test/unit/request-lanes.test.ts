/**
 * Local mode's lanes (shared/adapters/local/request-lanes.ts) and the embedded DynamoDB's gate for
 * background requests (embedded-dynamodb.ts backgroundGate): an API request's DynamoDB requests do
 * not queue behind the consumers', and no background request is dropped, reordered or starved.
 */
import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { coalescingGets } from '#shared/adapters/local/coalescing-gets.js';
import { backgroundGate } from '#shared/adapters/local/embedded-dynamodb.js';
import { apiBusy, currentLane, inApiLane, inBackgroundLane } from '#shared/adapters/local/request-lanes.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/** A fake worker: each send waits until the test answers it; records the order of sends. */
function fakeSends() {
  const started: string[] = [];
  const answers = new Map<string, ReturnType<typeof deferred<string>>>();
  const send = (name: string) => () => {
    started.push(name);
    const d = deferred<string>();
    answers.set(name, d);
    return d.promise;
  };
  const answer = (name: string) => answers.get(name)?.resolve(`answer ${name}`);
  return { started, send, answer, answers };
}

const FIVE = ['b1', 'b2', 'b3', 'b4', 'b5'];

describe('request lanes', () => {
  it('knows the lane across awaits, and background work started by an API request is background', async () => {
    // Prepare
    const seen: string[] = [];
    // Act
    await inApiLane(async () => {
      seen.push(currentLane());
      await ticks(2);
      seen.push(currentLane());
      await inBackgroundLane(async () => {
        await ticks(1);
        seen.push(currentLane());
      });
      seen.push(currentLane());
    });
    seen.push(currentLane());
    // Assess
    expect(seen).toEqual(['api', 'api', 'background', 'api', 'background']);
    expect(apiBusy()).toBe(false);
  });

  it('lets background requests through at once while no API request is served', async () => {
    // Prepare
    const gate = backgroundGate(2);
    const fake = fakeSends();
    // Act
    const results = FIVE.map((n) => gate(fake.send(n)));
    await ticks();
    // Assess
    expect(fake.started).toEqual(FIVE);
    for (const n of fake.started) fake.answer(n);
    expect(await Promise.all(results)).toEqual(FIVE.map((n) => `answer ${n}`));
  });

  it('while an API request is served, holds background requests beyond the limit in order, then lets all through when it ends', async () => {
    // Prepare
    const gate = backgroundGate(2);
    const fake = fakeSends();
    const api = deferred();
    const serving = inApiLane(() => api.promise);
    // Act
    const results = FIVE.map((n) => gate(fake.send(n)));
    await ticks();
    const whileServing = [...fake.started];
    fake.answer('b1');
    await ticks();
    const afterOneAnswer = [...fake.started];
    api.resolve();
    await serving;
    await ticks();
    // Assess
    expect(whileServing).toEqual(['b1', 'b2']);
    expect(afterOneAnswer).toEqual(['b1', 'b2', 'b3']);
    expect(fake.started).toEqual(FIVE);
    for (const n of ['b2', 'b3', 'b4', 'b5']) fake.answer(n);
    expect(await Promise.all(results)).toEqual(FIVE.map((n) => `answer ${n}`));
  });

  it('lets one background request through per API request served, so a busy API does not starve the consumers', async () => {
    // Prepare
    const gate = backgroundGate(2);
    const fake = fakeSends();
    const api = deferred();
    const serving = [1, 2, 3, 4].map(() => inApiLane(() => api.promise));
    // Act
    const results = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((n) => gate(fake.send(n)));
    await ticks();
    const whileServing = [...fake.started];
    api.resolve();
    await Promise.all(serving);
    await ticks();
    // Assess
    expect(whileServing).toEqual(['b1', 'b2', 'b3', 'b4']);
    expect(fake.started).toEqual(['b1', 'b2', 'b3', 'b4', 'b5', 'b6']);
    for (const n of fake.started) fake.answer(n);
    expect(await Promise.all(results)).toHaveLength(6);
  });

  it('a failed background request frees its place and fails only its caller', async () => {
    // Prepare
    const gate = backgroundGate(1);
    const fake = fakeSends();
    const api = deferred();
    const serving = inApiLane(() => api.promise);
    const first = gate(fake.send('b1')).catch((error: unknown) => error);
    const second = gate(fake.send('b2'));
    await ticks();
    // Act
    fake.answers.get('b1')?.reject(new Error('refused'));
    await ticks();
    // Assess
    expect(((await first) as Error).message).toBe('refused');
    expect(fake.started).toEqual(['b1', 'b2']);
    fake.answer('b2');
    expect(await second).toBe('answer b2');
    api.resolve();
    await serving;
  });

  it('a new background request does not overtake held ones when the API goes idle', async () => {
    // Prepare
    const gate = backgroundGate(1);
    const fake = fakeSends();
    const api = deferred();
    const serving = inApiLane(() => api.promise);
    const held = ['b1', 'b2', 'b3'].map((n) => gate(fake.send(n)));
    await ticks();
    // Act
    api.resolve();
    await serving;
    const late = gate(fake.send('b4'));
    await ticks();
    // Assess
    expect(fake.started).toEqual(['b1', 'b2', 'b3', 'b4']);
    for (const n of fake.started) fake.answer(n);
    expect(await Promise.all([...held, late])).toHaveLength(4);
  });
});

describe('requests shared by callers of both lanes', () => {
  it('a read the API coalesced with a background read queued first goes out at once, not behind held background requests', async () => {
    // Prepare: a worker whose requests wait for the test; two background requests hold the gate
    const gate = backgroundGate(2);
    const fake = fakeSends();
    const request = (name: string) => (currentLane() === 'api' ? fake.send(name)() : gate(fake.send(name)));
    const db = coalescingGets({
      send: (command: unknown) => {
        if (command instanceof BatchGetCommand) {
          const keys = command.input.RequestItems?.t?.Keys ?? [];
          return request(`BatchGet(${keys.map((k) => k.pk).join(',')})`).then(() => ({
            Responses: { t: keys.map((k) => ({ ...k })) },
          }));
        }
        return request('other');
      },
    } as unknown as DynamoDBDocumentClient);
    const api = deferred();
    const serving = inApiLane(() => api.promise);
    for (const n of ['b1', 'b2', 'b3']) void inBackgroundLane(() => request(n));
    await ticks();
    // Act: in one tick, a consumer's read, then the API's
    void inBackgroundLane(() => db.send(new GetCommand({ TableName: 't', Key: { pk: 'BG' } })));
    const apiRead = inApiLane(() => db.send(new GetCommand({ TableName: 't', Key: { pk: 'API' } })));
    await ticks();
    // Assess
    expect(fake.started).toEqual(['b1', 'b2', 'BatchGet(BG,API)']);
    fake.answer('BatchGet(BG,API)');
    expect((await apiRead).Item).toEqual({ pk: 'API' });
    api.resolve();
    await serving;
    for (const n of ['b1', 'b2', 'b3']) fake.answer(n);
  });
});
