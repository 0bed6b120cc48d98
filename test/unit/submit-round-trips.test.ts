/**
 * The submit path's DynamoDB budget at steady state (warm caches): every store call counted as
 * one request, and as one round trip unless it starts together with others (RoundTrips).
 */
import { describe, expect, it } from 'vitest';
import { MemoryConsentStore, MemoryOrderStore } from '../../shared/adapters/memory/memory-stores.js';
import { RoundTrips } from '../../shared/adapters/memory/round-trips.js';
import { shreddingConsentStore, shreddingOrderStore } from '../../shared/adapters/shredding-stores.js';
import { DataKeys } from '../../shared/crypto/data-keys.js';
import { LookupKeys } from '../../shared/crypto/lookup-keys.js';
import { fanOutOrder } from '../../shared/usecases/fan-out.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';

const c = canaries('trips001');

/** Fake ports whose every store (order table, key table, data-key records) is counted. */
function countedPorts() {
  const ports = fakePorts();
  const trips = new RoundTrips();
  const secrets = trips.wrap('recordSecrets', ports.recordSecrets);
  const shredding = { secrets, erasureLog: trips.wrap('erasureLog', ports.erasureLog), clock: ports.clock };
  const keyRecords = trips.wrap('keyRecords', ports.keyRecords);
  const cache = { maxAgeSeconds: 600, maxUses: 100_000 };
  const deps = {
    ...ports,
    orders: shreddingOrderStore(trips.wrap('orders', new MemoryOrderStore()), shredding),
    consent: shreddingConsentStore(trips.wrap('consent', new MemoryConsentStore()), shredding),
    idempotency: trips.wrap('idempotency', ports.idempotency),
    fence: trips.wrap('fence', ports.fence),
    recordSecrets: secrets,
    dataKeys: new DataKeys(ports.keyService, keyRecords, ports.clock, cache),
    lookup: new LookupKeys(ports.keyService, keyRecords, () => ports.clock.now(), true),
    queue: trips.wrap('queue', ports.queue),
  };
  return { trips, deps };
}

async function warm(deps: ReturnType<typeof countedPorts>['deps']) {
  await submitOrder(deps, { idempotencyKey: 'warm-1', body: orderBody(c, { marketingOptIn: true }) });
  await submitOrder(deps, { idempotencyKey: 'warm-2', body: orderBody(c, { marketingOptIn: false }) });
}

describe('submit path round trips', () => {
  it('an order without opt-in: 9 requests in 4 sequential round trips, none to SQS', async () => {
    // Prepare
    const { trips, deps } = countedPorts();
    await warm(deps);
    trips.reset();
    // Act
    await submitOrder(deps, { idempotencyKey: 'plain', body: orderBody(c, { marketingOptIn: false }) });
    // Assess
    expect(trips.log).toEqual([
      '1 fence.readFence',
      '1 idempotency.claim',
      '1 recordSecrets.claim',
      '2 orders.putPersonal',
      '2 orders.addToEmailListing',
      '2 idempotency.setMark',
      '3 fence.readFence',
      '4 orders.putOrderRecord',
      '4 idempotency.settle',
    ]);
    expect([trips.requests, trips.rounds]).toEqual([9, 4]);
  });

  it('an opt-in order: 14 requests in 5 sequential round trips (the consent write is the fifth)', async () => {
    // Prepare
    const { trips, deps } = countedPorts();
    await warm(deps);
    trips.reset();
    // Act
    // (Another address than the warm-up's: an opt-in repeating the ledger's state writes no consent.)
    await submitOrder(deps, {
      idempotencyKey: 'opt-in',
      body: orderBody(canaries('trips002'), { marketingOptIn: true }),
    });
    // Assess
    expect(trips.log).toEqual([
      '1 fence.readFence',
      '1 idempotency.claim',
      '1 recordSecrets.claim',
      '2 orders.putPersonal',
      '2 orders.addToEmailListing',
      '2 idempotency.setMark',
      '2 recordSecrets.claim',
      '2 consent.getCustomer',
      '2 consent.getSuppression',
      // The key table's erasure mark, read beside the suppression entry (restores: record-secrets.ts).
      '2 recordSecrets.erasedAt',
      '3 consent.appendConsent',
      '4 fence.readFence',
      '5 orders.putOrderRecord',
      '5 idempotency.settle',
    ]);
    expect([trips.requests, trips.rounds]).toEqual([14, 5]);
  });

  it('an opt-in repeating the ledger (the address already opted in under this policy): no consent write, 13 requests in 4 round trips', async () => {
    // Prepare: the warm-up's address opted in at checkout
    const { trips, deps } = countedPorts();
    await warm(deps);
    trips.reset();
    // Act
    await submitOrder(deps, { idempotencyKey: 'again', body: orderBody(c, { marketingOptIn: true }) });
    // Assess: a stranger's repeated checkouts with the address no longer grow its ledger
    expect(trips.log).toEqual([
      '1 fence.readFence',
      '1 idempotency.claim',
      '1 recordSecrets.claim',
      '2 orders.putPersonal',
      '2 orders.addToEmailListing',
      '2 idempotency.setMark',
      '2 recordSecrets.claim',
      '2 consent.getCustomer',
      '2 consent.getSuppression',
      // The key table's erasure mark, read beside the suppression entry (restores: record-secrets.ts).
      '2 recordSecrets.erasedAt',
      '3 fence.readFence',
      '4 orders.putOrderRecord',
      '4 idempotency.settle',
    ]);
    expect([trips.requests, trips.rounds]).toEqual([13, 4]);
  });

  it('the fan-out after the write: read the order, three enqueues at once, clear the flag', async () => {
    // Prepare
    const { trips, deps } = countedPorts();
    await warm(deps);
    const { orderId } = await submitOrder(deps, { idempotencyKey: 'k', body: orderBody(c) });
    trips.reset();
    // Act
    const sent = await fanOutOrder(deps, orderId);
    // Assess
    expect(sent).toBe(true);
    expect(trips.log).toEqual([
      '1 orders.getOrder',
      '2 queue.send',
      '2 queue.send',
      '2 queue.send',
      '3 orders.markFanoutDone',
    ]);
  });
});
