/**
 * Requests and sequential round trips per submit at steady state (warm caches), counted through
 * the in-memory ports (shared/adapters/memory/round-trips.ts): the submit path itself, and the
 * fan-out that now runs after the write (the order table's stream). One store call = one request;
 * calls started together share a round trip. The figures before this change were measured the same
 * way on main at 2117f20 (the submit path then included the fan-out and the idempotency `complete`).
 */

import { randomBytes } from 'node:crypto';
import { LocalKeyService } from '#shared/adapters/local/local-key-service.js';
import { MemoryQueue } from '#shared/adapters/memory/memory-queue.js';
import { MemoryErasureLog, MemoryRecordSecretStore } from '#shared/adapters/memory/memory-record-secrets.js';
import {
  MemoryConsentStore,
  MemoryErasureFenceStore,
  MemoryIdempotencyStore,
  MemoryKeyRecordStore,
  MemoryOrderStore,
} from '#shared/adapters/memory/memory-stores.js';
import { RoundTrips } from '#shared/adapters/memory/round-trips.js';
import { shreddingConsentStore, shreddingOrderStore } from '#shared/adapters/shredding-stores.js';
import { DataKeys } from '#shared/crypto/data-keys.js';
import { LookupKeys } from '#shared/crypto/lookup-keys.js';
import { fanOutOrder } from '#shared/usecases/fan-out.js';
import { submitOrder } from '#shared/usecases/submit-order.js';

export interface SubmitRequestRow {
  readonly order: 'plain' | 'opt-in';
  /** DynamoDB requests / sequential DynamoDB+SQS round trips of the submit path (before the 202). */
  readonly submit: { readonly dynamo: number; readonly sqs: number; readonly rounds: number };
  /** The fan-out after the write (stream function, or the sweeper). */
  readonly fanOut: { readonly dynamo: number; readonly sqs: number; readonly rounds: number };
}

/** Measured with this module's method on main (2117f20), where the fan-out was part of the submit. */
export const BEFORE: Readonly<Record<'plain' | 'opt-in', SubmitRequestRow['submit']>> = {
  plain: { dynamo: 8, sqs: 3, rounds: 9 },
  'opt-in': { dynamo: 12, sqs: 3, rounds: 11 },
};

function body(i: number, optIn: boolean, email = `bench${i % 7}@example.com`) {
  return {
    customer: { givenName: `G${i}`, familyName: `F${i}`, email },
    shippingAddress: { line1: `${i} Road`, city: 'Leeds', postalCode: 'LS1 1AA', country: 'GB' },
    items: [{ sku: 'SKU-1', name: 'Thing', quantity: 1, unitPrice: 1000 }],
    currency: 'GBP',
    marketingOptIn: optIn,
    paymentReference: `pi_${i}`,
  };
}

function onPort(name: string) {
  return (entry: string) => entry.split(' ')[1]?.startsWith(`${name}.`) ?? false;
}

export async function submitRequests(orders = 50): Promise<SubmitRequestRow[]> {
  const clock = { now: () => new Date('2026-12-01T10:00:00Z') };
  const trips = new RoundTrips();
  const service = new LocalKeyService(randomBytes(32));
  const keyRecords = trips.wrap('keyRecords', new MemoryKeyRecordStore());
  const secrets = trips.wrap('recordSecrets', new MemoryRecordSecretStore());
  const shredding = { secrets, erasureLog: trips.wrap('erasureLog', new MemoryErasureLog()), clock };
  const deps = {
    orders: shreddingOrderStore(trips.wrap('orders', new MemoryOrderStore()), shredding),
    consent: shreddingConsentStore(trips.wrap('consent', new MemoryConsentStore()), shredding),
    idempotency: trips.wrap('idempotency', new MemoryIdempotencyStore()),
    fence: trips.wrap('fence', new MemoryErasureFenceStore()),
    recordSecrets: secrets,
    queue: trips.wrap('queue', new MemoryQueue()),
    dataKeys: new DataKeys(service, keyRecords, clock, { maxAgeSeconds: 600, maxUses: 100_000 }),
    lookup: new LookupKeys(service, keyRecords, () => clock.now(), true),
    clock,
    partners: [{ id: 'warehouse' }, { id: 'carrier' }],
    settings: { undeliveredDays: 90, idempotencyHours: 48, policyVersion: 'bench' },
  };
  const measure = async (work: () => Promise<unknown>) => {
    trips.reset();
    await work();
    const sqs = trips.log.filter(onPort('queue')).length;
    return { dynamo: trips.requests - sqs, sqs, rounds: trips.rounds };
  };
  // Warm-up: data keys, index keys and the customers' secrets exist (steady state).
  for (let i = 0; i < 14; i++)
    await submitOrder(deps, { idempotencyKey: `warm${i}`, body: body(i, i % 2 === 0) });
  const rows: SubmitRequestRow[] = [];
  for (const kind of ['plain', 'opt-in'] as const) {
    const sum = { submit: { dynamo: 0, sqs: 0, rounds: 0 }, fanOut: { dynamo: 0, sqs: 0, rounds: 0 } };
    for (let i = 0; i < orders; i++) {
      let orderId = '';
      const s = await measure(async () => {
        ({ orderId } = await submitOrder(deps, {
          idempotencyKey: `${kind}${i}`,
          // An opt-in for an address not yet opted in: one that repeats the ledger's state makes no
          // consent write (4 rounds), so this row is the opt-in's worst case.
          body: kind === 'opt-in' ? body(i, true, `bench-opt-in${i}@example.com`) : body(i, false),
        }));
      });
      const f = await measure(() => fanOutOrder(deps, orderId));
      for (const k of ['dynamo', 'sqs', 'rounds'] as const) {
        sum.submit[k] += s[k];
        sum.fanOut[k] += f[k];
      }
    }
    const per = (x: typeof sum.submit) => ({
      dynamo: x.dynamo / orders,
      sqs: x.sqs / orders,
      rounds: x.rounds / orders,
    });
    rows.push({ order: kind, submit: per(sum.submit), fanOut: per(sum.fanOut) });
  }
  return rows;
}

export function submitRequestsTable(rows: readonly SubmitRequestRow[]): string {
  const lines = [
    '| order | before: DynamoDB + SQS requests, round trips | submit now: DynamoDB + SQS, round trips | fan-out after the write: DynamoDB + SQS, round trips |',
    '|---|---:|---:|---:|',
  ];
  const cell = (x: SubmitRequestRow['submit']) => `${x.dynamo} + ${x.sqs}, ${x.rounds}`;
  for (const r of rows)
    lines.push(`| ${r.order} | ${cell(BEFORE[r.order])} | ${cell(r.submit)} | ${cell(r.fanOut)} |`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('submit-requests.ts')) {
  console.log(submitRequestsTable(await submitRequests()));
}
