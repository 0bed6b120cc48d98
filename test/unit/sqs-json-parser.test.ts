import { ParsingError } from '@aws-lambda-powertools/batch';
import { parser as powertoolsParser } from '@aws-lambda-powertools/batch/parser';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { sqsJsonParser } from '#shared/adapters/aws/sqs-json-parser.js';
import {
  zodDeliveryMessage as deliveryMessageSchema,
  zodNotifyMessage as notifyMessageSchema,
} from '../support/zod-message-schemas.js';

const ORDER_ID = 'ord_01J0000000000000000000000A';

function record(body: string): SQSRecord {
  return {
    messageId: 'm1',
    receiptHandle: 'handle-m1',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1767225600000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1767225600000',
    },
    messageAttributes: {},
    md5OfBody: '0123456789abcdef0123456789abcdef',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:minimis-notify',
    awsRegion: 'eu-west-1',
  };
}

const silent = { debug: () => {}, warn: () => {}, error: () => {} };
const parse =
  (parser: typeof sqsJsonParser, schema: typeof notifyMessageSchema | typeof deliveryMessageSchema) =>
  (body: string) =>
    parser(record(body), 'SQS', silent, { parser, innerSchema: schema, transformer: 'json' });

describe('sqsJsonParser (the Powertools SQS envelope with the json transformer, without its zod copy)', () => {
  it.each([
    ['a notify message', JSON.stringify({ type: 'order.accepted', orderId: ORDER_ID })],
    ['a notify message with extra keys', JSON.stringify({ type: 'order.accepted', orderId: ORDER_ID, x: 1 })],
  ])('parses %s as the Powertools parser does', async (_name, body) => {
    // Act
    const ours = await parse(sqsJsonParser, notifyMessageSchema)(body);
    const theirs = await parse(powertoolsParser, notifyMessageSchema)(body);
    // Assess
    expect(ours).toEqual(theirs);
    expect((ours as unknown as { body: unknown }).body).toEqual({
      type: 'order.accepted',
      orderId: ORDER_ID,
    });
  });

  it('parses a delivery message (discriminated union) as the Powertools parser does', async () => {
    // Prepare
    const body = JSON.stringify({ type: 'order.accepted', orderId: ORDER_ID, partner: 'carrier', replay: 1 });
    // Act
    const ours = await parse(sqsJsonParser, deliveryMessageSchema)(body);
    const theirs = await parse(powertoolsParser, deliveryMessageSchema)(body);
    // Assess
    expect(ours).toEqual(theirs);
  });

  it.each([
    ['a body that is not JSON', '{"type":"order.accepted",', 'body: Invalid JSON'],
    [
      'an unknown type',
      JSON.stringify({ type: 'order.cancelled', orderId: ORDER_ID }),
      'body.type: Invalid option',
    ],
    ['a missing order id', JSON.stringify({ type: 'order.accepted' }), 'body.orderId: Invalid input'],
  ])('rejects %s with a ParsingError, as the Powertools parser does', async (_name, body, start) => {
    // Act
    const ours = parse(sqsJsonParser, notifyMessageSchema)(body);
    const theirs = parse(powertoolsParser, notifyMessageSchema)(body);
    // Assess
    await expect(ours).rejects.toBeInstanceOf(ParsingError);
    await expect(theirs).rejects.toBeInstanceOf(ParsingError);
    await expect(ours).rejects.toThrow(start);
  });

  it('never quotes the body in its error', async () => {
    // Act
    const error = await parse(
      sqsJsonParser,
      notifyMessageSchema,
    )('not json: jane@example.com').catch((e) => e);
    // Assess
    expect(error).toBeInstanceOf(ParsingError);
    expect((error as Error).message).toBe('body: Invalid JSON');
  });
});
