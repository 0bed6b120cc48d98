/**
 * "After the write, fan out" and no hot key: the order table's KEYS_ONLY stream drives the
 * fan-out function through a filtered event source mapping with partial batch failures, bisection,
 * bounded retries and an encrypted, alarmed on-failure queue; the fan-out role can read the order,
 * clear its outbox flag and send to the work queues, nothing else; no index partition key takes
 * every order.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_PENDING_VALUES, OUTBOX_SHARDS, outboxPending } from '#shared/contracts/outbox.js';
import { DynamoOrderStore } from '../../shared/adapters/aws/dynamo-order-store.js';
import { newOrderId } from '../../shared/domain/ids.js';
import type { OrderRecord } from '../../shared/domain/order.js';
import {
  asArray,
  type FunctionInfo,
  functionsByService,
  roleStatements,
  STREAM_ACTIONS,
  type Statement,
  sorted,
  synth,
} from './support.js';

const order = (orderId: string): OrderRecord => ({
  orderId,
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  status: 'accepted',
  items: [{ sku: 'SKU-1', name: 'Thing', quantity: 1, unitPrice: 1000 }],
  currency: 'EUR',
  country: 'GB',
  paymentReference: 'pi_1',
  trackingNumber: null,
  trackingUrl: null,
  deliveredAt: null,
  deliveries: {},
  emails: {},
  processedEvents: [],
  outbox: 'pending',
});

describe('the order table (stateful stack)', () => {
  let template: Template;
  beforeAll(() => {
    template = synth().statefulTemplate;
  });

  it('has a KEYS_ONLY stream, a KEYS_ONLY byEmail index and an outbox index keyed by the (sharded) flag', () => {
    // Assess
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      StreamSpecification: { StreamViewType: 'KEYS_ONLY' },
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({ IndexName: 'byEmail', Projection: { ProjectionType: 'KEYS_ONLY' } }),
        Match.objectLike({
          IndexName: 'byOutbox',
          KeySchema: [
            { AttributeName: 'outbox', KeyType: 'HASH' },
            { AttributeName: 'createdAt', KeyType: 'RANGE' },
          ],
        }),
      ]),
    });
  });
});

describe('the outbox has no single-valued partition key', () => {
  it('the order store writes 16 distinct outbox values over many orders, each a shard of the flag', async () => {
    // Prepare: a client that records what the adapter sends
    const items: Array<Record<string, unknown>> = [];
    const db = {
      send: async (command: { input: { Item?: Record<string, unknown> } }) => {
        if (command.input.Item) items.push(command.input.Item);
        return {};
      },
    } as unknown as DynamoDBDocumentClient;
    const store = new DynamoOrderStore(db, 'orders');
    const ids = Array.from({ length: 800 }, () => newOrderId());
    // Act
    for (const id of ids) await store.putOrderRecord(order(id));
    // Assess
    const written = items.map((item) => item.outbox as string);
    expect(written).toEqual(ids.map(outboxPending));
    expect(OUTBOX_SHARDS).toBe(16);
    expect(sorted([...new Set(written)])).toEqual(sorted(OUTBOX_PENDING_VALUES.slice(0, OUTBOX_SHARDS)));
    // No shard takes more than twice its fair share (800 / 16 = 50).
    const counts = new Map<string, number>();
    for (const value of written) counts.set(value, (counts.get(value) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThanOrEqual(100);
  });

  it('the shard is stable: the same order id always gets the same flag', () => {
    // Assess
    expect(outboxPending('ord_01JDX7Q3M5N8P2R4S6T9V0W1YZ')).toBe(
      outboxPending('ord_01JDX7Q3M5N8P2R4S6T9V0W1YZ'),
    );
    expect(OUTBOX_PENDING_VALUES).toContain('pending');
  });
});

describe('the fan-out stream (stateless stack)', () => {
  let template: Template;
  let fanOut: FunctionInfo;

  beforeAll(() => {
    // Prepare / Act
    template = synth().statelessTemplate;
    const fn = functionsByService(template).get('minimis-fan-out');
    if (!fn) throw new Error('no fan-out function');
    fanOut = fn;
  });

  const mapping = () => {
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (m) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: fanOut.logicalId }),
    );
    expect(mappings).toHaveLength(1);
    return mappings[0]?.Properties;
  };

  it('maps INSERTs of ORDER# items from the table stream, with partial batch failures, bisection and bounds', () => {
    // Act
    const p = mapping();
    // Assess
    expect(JSON.stringify(p.EventSourceArn)).toMatch(/OrdersTable.*StreamArn/);
    expect(p.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'ORDER#' }] } } } },
    ]);
    expect(p.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(p.BisectBatchOnFunctionError).toBe(true);
    expect(p.MaximumRetryAttempts).toBe(5);
    expect(p.MaximumRecordAgeInSeconds).toBe(3600);
    expect(p.ParallelizationFactor).toBe(4);
    expect(p.StartingPosition).toBe('TRIM_HORIZON');
  });

  it('sends what still fails to an on-failure queue encrypted with the storage key, with an alarm', () => {
    // Prepare
    const destination = mapping().DestinationConfig.OnFailure.Destination as {
      'Fn::GetAtt': [string, string];
    };
    const [queueId] = destination['Fn::GetAtt'];
    // Act
    const queue = template.findResources('AWS::SQS::Queue')[queueId];
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      JSON.stringify(a.Properties).includes(queueId),
    );
    // Assess
    expect(queue?.Properties.QueueName).toBe('minimis-prod-fan-out-failures');
    expect(JSON.stringify(queue?.Properties.KmsMasterKeyId)).toContain('StorageKey');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties.AlarmActions).toHaveLength(1);
  });

  it('gives the fan-out role exactly: read the order, clear its flag, read this stream, send to the work queues and the on-failure queue', () => {
    // Act
    const statements = roleStatements(template, fanOut.roleLogicalId);
    const shape = (s: Statement) => ({
      actions: sorted(asArray(s.Action)),
      resources: asArray(s.Resource).map((r) => {
        const text = JSON.stringify(r);
        if (r === '*') return '*';
        if (text.includes('StreamArn')) return 'order-table-stream';
        if (text.includes('OrdersTable')) return 'order-table';
        if (text.includes('StorageKey')) return 'storage-key';
        if (text.includes('Logs')) return 'own-log-group';
        return /"([A-Za-z]+?)(Queue|DeadLetters|Failures)/.exec(text)?.[1] ?? text;
      }),
      condition: s.Condition ?? null,
    });
    const shapes = statements.map(shape);
    // Assess
    expect(shapes.map((s) => `${s.actions.join(',')} on ${s.resources.join(',')}`).sort()).toEqual(
      [
        'dynamodb:DescribeStream,dynamodb:GetRecords,dynamodb:GetShardIterator on order-table-stream',
        'dynamodb:GetItem on order-table',
        'dynamodb:ListStreams on *',
        'dynamodb:UpdateItem on order-table',
        'kms:Decrypt,kms:DescribeKey,kms:Encrypt,kms:GenerateDataKey on storage-key',
        // SQS's use of the storage key, for the work queues and the on-failure queue (one statement).
        'kms:Decrypt,kms:GenerateDataKey on storage-key',
        'logs:CreateLogStream,logs:PutLogEvents on own-log-group',
        'sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage on FanOut',
        'sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage on Partnerwarehouse,Partnercarrier,Notification',
        'xray:PutTelemetryRecords,xray:PutTraceSegments on *',
      ].sort(),
    );
    // Item actions only on ORDER# items; the storage key only through DynamoDB or SQS.
    for (const s of statements) {
      const actions = asArray(s.Action);
      if (actions.includes('dynamodb:GetItem') || actions.includes('dynamodb:UpdateItem'))
        expect(s.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ORDER#*'] } });
      if (actions.some((a) => a.startsWith('kms:')))
        expect(Object.keys(s.Condition?.StringEquals ?? {})).toEqual(['kms:ViaService']);
    }
  });

  it('no other role reads the order table stream', () => {
    // Prepare
    const readers: string[] = [];
    for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      for (const s of policy.Properties.PolicyDocument.Statement as Statement[])
        if (asArray(s.Action).some((a) => STREAM_ACTIONS.includes(a)))
          readers.push(JSON.stringify(policy.Properties.Roles) + id);
    }
    // Assess
    expect(readers.length).toBeGreaterThan(0);
    for (const reader of readers) expect(reader).toContain(fanOut.roleLogicalId);
  });
});
