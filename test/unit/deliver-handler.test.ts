/**
 * The SQS handler of a partner's delivery function (as deployed: PARTNER_ID set), on in-memory ports
 * installed through the wiring (no module mocking): partial batch responses and backoff requests.
 */

import { randomBytes } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { MemoryPartnerStateStore } from '../../shared/adapters/memory/memory-partner-state.js';
import { MemoryQueue } from '../../shared/adapters/memory/memory-queue.js';
import { MemoryKeyRecordStore, MemoryOrderStore } from '../../shared/adapters/memory/memory-stores.js';
import { loadConfig } from '../../shared/config.js';
import type { DataKeys } from '../../shared/crypto/data-keys.js';
import { DEFAULT_PARTNER_FIELDS } from '../../shared/inventory.js';
import { setWiring, wire } from '../../shared/wiring.js';
import {
  FakeClock,
  FakeDataKeys,
  FakeSecrets,
  newSecret,
  ORDER_ID,
  orderRecord,
  ScriptedPartnerClient,
} from './deliver-fixtures.js';

const orders = new MemoryOrderStore();
const queue = new MemoryQueue();
let client = new ScriptedPartnerClient();
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;

function record(messageId: string, body: string, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:000000000000:minimis-test-partner-warehouse',
    awsRegion: 'eu-west-1',
  };
}

const message = (partner: string) => JSON.stringify({ type: 'order.accepted', orderId: ORDER_ID, partner });

beforeAll(async () => {
  const partners = [
    {
      id: 'warehouse',
      kind: 'warehouse',
      url: 'https://wh.example/hooks',
      fields: DEFAULT_PARTNER_FIELDS.warehouse,
    },
    {
      id: 'carrier',
      kind: 'carrier',
      url: 'https://carrier.example/hooks',
      fields: DEFAULT_PARTNER_FIELDS.carrier,
    },
  ];
  const config = loadConfig({
    MINIMIS_MODE: 'aws',
    KMS_KEY_ID: 'alias/test',
    PARTNERS: JSON.stringify(partners),
    DELIVERY_MAX_ATTEMPTS: '3',
    PARTNER_ID: 'warehouse',
  });
  setWiring(
    wire(config, {
      orders,
      queue,
      keyRecords: new MemoryKeyRecordStore(),
      clock: new FakeClock(),
      keyService: new LocalKeyService(randomBytes(32)),
      dataKeys: new FakeDataKeys() as unknown as DataKeys,
      secrets: new FakeSecrets({ warehouse: newSecret(), carrier: newSecret() }),
      partnerState: new MemoryPartnerStateStore(),
      partnerClient: {
        post: (...args) => client.post(...args),
      },
    }),
  );
  ({ handler } = await import('../../functions/deliver-to-partner.js'));
});
afterAll(() => {
  setWiring(undefined);
});
beforeEach(() => {
  orders.orders.clear();
  orders.orders.set(ORDER_ID, orderRecord());
  queue.retries.length = 0;
});

describe('deliver-to-partner handler', () => {
  it('reports only the records that must stay on the queue (partial batch response)', async () => {
    // Prepare
    client = new ScriptedPartnerClient([204]);
    const event = {
      Records: [
        record('ok', message('warehouse')),
        record('malformed', '{"type":"order.accepted",'),
        record('other-partner', message('carrier')),
        record(
          'unknown-type',
          JSON.stringify({ type: 'order.cancelled', orderId: ORDER_ID, partner: 'warehouse' }),
        ),
      ],
    };
    // Act
    const response = await handler(event);
    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual([
      'malformed',
      'other-partner',
      'unknown-type',
    ]);
    expect(client.posted.map((r) => r.url)).toEqual(['https://wh.example/hooks']);
    expect(orders.orders.get(ORDER_ID)?.deliveries.warehouse?.state).toBe('delivered');
    expect(queue.retries).toEqual([]);
  });

  it('asks the queue to hide a failed delivery for the backoff delay', async () => {
    // Prepare
    client = new ScriptedPartnerClient([503]);
    // Act
    const response = await handler({ Records: [record('m1', message('warehouse'), 2)] });
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(queue.retries).toHaveLength(1);
    expect(queue.retries[0]?.queue).toBe('partner-warehouse');
    expect(queue.retries[0]?.receiptHandle).toBe('handle-m1');
    expect(queue.retries[0]?.delaySeconds).toBeGreaterThanOrEqual(30);
    expect(queue.retries[0]?.delaySeconds).toBeLessThanOrEqual(60);
  });

  it('on the last attempt marks the delivery failed and makes the message visible at once to dead-letter it', async () => {
    // Prepare
    client = new ScriptedPartnerClient([500]);
    // Act
    const response = await handler({ Records: [record('m2', message('warehouse'), 3)] });
    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(queue.retries).toEqual([
      { queue: 'partner-warehouse', receiptHandle: 'handle-m2', delaySeconds: 0 },
    ]);
    expect(orders.orders.get(ORDER_ID)?.deliveries.warehouse?.state).toBe('failed');
  });
});
