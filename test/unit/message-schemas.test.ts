/**
 * The queue messages' typed checks (shared/contracts/message-schemas.ts) against the zod/mini
 * schemas they replaced (test/support/zod-message-schemas.ts, as they were at baea550): over many generated
 * bodies, the same bodies accepted with the same value (unknown keys dropped), and the same bodies
 * rejected with the same issues (path and message), so a record fails, and its ParsingError reads,
 * as before.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { sqsJsonParser } from '#shared/adapters/aws/sqs-json-parser.js';
import {
  deliveryMessageSchema,
  type MessageCheck,
  notifyMessageSchema,
} from '#shared/contracts/message-schemas.js';
import { NOTIFY_TYPES } from '#shared/domain/email-policy.js';
import { zodDeliveryMessage, zodNotifyMessage } from '../support/zod-message-schemas.js';

const SEED = 20261202;

type Answer = { value: unknown } | { issues: { path: unknown[]; message: string }[] };

async function answer(schema: MessageCheck<unknown> | z.ZodMiniType, body: unknown): Promise<Answer> {
  const result = await schema['~standard'].validate(body);
  if (!result.issues) return { value: result.value };
  return {
    issues: result.issues.map((issue) => ({
      path: [...(issue.path ?? [])].map((p) => (typeof p === 'object' ? p.key : p)),
      message: issue.message,
    })),
  };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const validOrderId = fc
  .string({ unit: fc.constantFrom(...CROCKFORD.split('')), minLength: 26, maxLength: 26 })
  .map((s) => `ord_${s}`);
const absent = fc.constant(undefined);
const field = <T>(...arbs: fc.Arbitrary<T>[]) => fc.oneof(absent, ...arbs);
const odd = fc.oneof(fc.constant(null), fc.integer(), fc.boolean(), fc.constant([]), fc.constant({}));
const datetimes = fc.oneof(
  fc
    .date({ min: new Date(0), max: new Date(4_102_444_800_000), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-12-01T10:00:00Z',
    '2026-12-01T10:00:00.5Z',
    '2024-02-29T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2000-02-29T23:59:59Z',
    '1900-02-29T00:00:00Z',
    '2026-12-01',
    '2026-12-01T10:00Z',
    '2026-12-01T10:00:00+01:00',
    '2026-12-01T24:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-12-01t10:00:00z',
    '',
  ),
  fc.string({ maxLength: 30 }),
);

const bodies = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .record(
        {
          type: field(
            fc.constantFrom(...NOTIFY_TYPES, 'order.redacted', 'order.cancelled', 'Order.accepted', ''),
            odd,
          ),
          orderId: field(
            validOrderId,
            fc.constantFrom('ord_bad', 'ORD_01J0000000000000000000000A', ''),
            odd,
            fc.string(),
          ),
          partner: field(
            fc.constantFrom(
              'carrier',
              'warehouse',
              'Carrier',
              'a'.repeat(31),
              'a'.repeat(32),
              '1abc',
              'a-b',
              '',
            ),
            odd,
            fc.string({ maxLength: 8 }),
          ),
          replay: field(fc.constantFrom(1, 2, 0, '1', true, 1.5), odd),
          requestedAt: field(datetimes, odd),
          extra: field(fc.jsonValue()),
          __proto__: field(fc.constant({ type: 'order.accepted' })),
        },
        { requiredKeys: [] },
      )
      .map((record) =>
        // Through JSON, as a queue body reaches the check: absent keys gone, `__proto__` an own key.
        JSON.parse(JSON.stringify(record, (_k, v) => v)),
      ),
  },
  { weight: 1, arbitrary: fc.jsonValue() },
);

describe('queue message checks against the zod/mini schemas they replaced', () => {
  it('answer every generated delivery body as the zod schema did (value, or issues in order)', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        // Act / Assess
        expect(await answer(deliveryMessageSchema, body)).toEqual(await answer(zodDeliveryMessage, body));
      }),
      { numRuns: 20_000, seed: SEED },
    );
  });

  it('answer every generated notify body as the zod schema did', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        // Act / Assess
        expect(await answer(notifyMessageSchema, body)).toEqual(await answer(zodNotifyMessage, body));
      }),
      { numRuns: 20_000, seed: SEED },
    );
  });

  it('accept the messages our senders build, dropping unknown keys', async () => {
    // Prepare
    const orderId = 'ord_01J0000000000000000000000A';
    // Act / Assess
    expect(
      await answer(deliveryMessageSchema, {
        type: 'order.accepted',
        orderId,
        partner: 'carrier',
        replay: 1,
        x: 2,
      }),
    ).toEqual({ value: { type: 'order.accepted', orderId, partner: 'carrier', replay: 1 } });
    expect(
      await answer(deliveryMessageSchema, {
        type: 'order.redacted',
        orderId,
        partner: 'carrier',
        requestedAt: '2026-12-01T10:00:00.000Z',
        replay: 1,
      }),
    ).toEqual({
      value: { type: 'order.redacted', orderId, partner: 'carrier', requestedAt: '2026-12-01T10:00:00.000Z' },
    });
    expect(await answer(notifyMessageSchema, { type: 'shipment.delivered', orderId })).toEqual({
      value: { type: 'shipment.delivered', orderId },
    });
    expect(await answer(deliveryMessageSchema, { type: 'order.cancelled', orderId })).toEqual({
      issues: [
        {
          path: ['type'],
          message: "Invalid discriminator value. Expected 'order.accepted' | 'order.redacted'",
        },
      ],
    });
  });

  it('fail a record with the ParsingError message the zod schema gave', async () => {
    // Prepare
    const body = JSON.stringify({ type: 'order.accepted', orderId: 'ord_x', partner: 'Carrier', replay: 2 });
    const record = { body } as unknown as Parameters<typeof sqsJsonParser>[0];
    const silent = { debug: () => {}, warn: () => {}, error: () => {} };
    const parse = (innerSchema: MessageCheck<unknown>) =>
      sqsJsonParser(record, 'SQS', silent, { parser: sqsJsonParser, innerSchema, transformer: 'json' }).catch(
        (error: Error) => error.message,
      );
    // Act
    const ours = await parse(deliveryMessageSchema);
    const theirs = await parse(zodDeliveryMessage);
    // Assess
    expect(ours).toBe(theirs);
    expect(ours).toBe(
      'body.orderId: Invalid string: must match pattern /^ord_[0-9A-HJKMNP-TV-Z]{26}$/; ' +
        'body.partner: Invalid string: must match pattern /^[a-z][a-z0-9-]{0,30}$/; body.replay: Invalid input: expected 1',
    );
  });
});
