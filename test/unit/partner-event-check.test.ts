/**
 * The partner events' typed check (`checkPartnerEvent`, what the partner-events function runs)
 * against the published zod/mini schema (`partnerEventSchema`, what the OpenAPI document and the
 * partner catalog show) read through `toProblems`, as the function answered before: over many
 * generated bodies, the same bodies accepted with the same event, and the same bodies rejected with
 * the same problems (path and message, in order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toProblems } from '#shared/domain/field-problems.js';
import { FREE_TEXT_PROBLEM } from '#shared/domain/order-check.js';
import { partnerEventSchema } from '#shared/domain/partner-event-schema.js';
import { checkPartnerEvent } from '#shared/domain/partner-events.js';
import { wrongKind } from '../support/json-schema-arbitrary.js';

const SEED = 20261203;

function published(body: unknown) {
  const parsed = partnerEventSchema.safeParse(body);
  return parsed.success ? { event: parsed.data } : { problems: toProblems(parsed.error) };
}

const absent = fc.constant(undefined);
const odd = wrongKind;
const ids = fc.oneof(
  fc.string({ maxLength: 70 }),
  fc.string({ unit: 'grapheme', minLength: 30, maxLength: 70 }),
  fc.constantFrom('', 'a', 'x'.repeat(64), 'x'.repeat(65), '😀'.repeat(33), '😀'.repeat(64), '😀'.repeat(65)),
  fc.constantFrom('1Z\ud800', '\udc00', ' \u0001', 'a\nb', '\ud83d\ude00 '),
);
const urls = fc.oneof(
  fc.webUrl({ validSchemes: ['https', 'http'], withQueryParameters: true, withFragments: true }),
  fc.constantFrom(
    'https://carrier.example/track/1Z999',
    'http://carrier.example/track',
    ' https://carrier.example/t ',
    '\thttps://carrier.example/t\n',
    'https://carrier.example/t\tx',
    'https://carr\nier.example/t',
    'HTTPS://carrier.example/t',
    'https:carrier.example',
    'https:/carrier.example',
    'https://',
    'https://a b.example',
    'https://carrier.example/a b',
    'https://carrier.example/\ud800',
    'https://carrier.example/\u0001',
    'https://carrier.example/\ud83d\ude00',
    'ftp://carrier.example',
    'not a url',
    '',
    `https://carrier.example/${'x'.repeat(2030)}`,
    `https://carrier.example/${'x'.repeat(2025)}`,
    `https://carrier.example/${'😀'.repeat(1020)}`,
    `https://carrier.example/${'😀'.repeat(1013)}`,
    `  https://carrier.example/${'x'.repeat(2024)}  `,
  ),
  fc.string({ maxLength: 40 }).map((s) => `https://${s}`),
);
const types = fc.oneof(
  fc.constantFrom('shipment.dispatched', 'shipment.delivered'),
  fc.constantFrom('shipment.dispatched', 'shipment.delivered'),
  fc.constantFrom('shipment.shipped', 'Shipment.delivered', '', 'order.redacted'),
  odd,
);
const extraKeys = fc.dictionary(
  fc.oneof(
    fc.constantFrom('x', 'status', '__proto__', 'constructor', 'trackingNumber', 'trackingUrl', 'orderid'),
    fc.constantFrom('4111 1111 1111 1111', 'ada@example.com', 'a-b', ''),
    fc.string({ maxLength: 6 }),
  ),
  fc.oneof(fc.string(), odd),
  { maxKeys: 3 },
);
const goodId = fc.string({ minLength: 1, maxLength: 64 });
/** Mostly valid: a known type, good ids, a URL or none, now and then one wrong or extra field. */
const nearlyValid = fc
  .record({
    type: fc.constantFrom('shipment.dispatched', 'shipment.delivered'),
    orderId: fc.oneof({ weight: 9, arbitrary: goodId }, { weight: 1, arbitrary: ids }),
    trackingNumber: fc.oneof(
      { weight: 9, arbitrary: goodId },
      { weight: 1, arbitrary: fc.oneof(absent, odd) },
    ),
    trackingUrl: fc.oneof(absent, urls),
    extra: fc.oneof({ weight: 9, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extraKeys }),
  })
  .map(({ extra, type, trackingNumber, trackingUrl, ...fields }) =>
    JSON.parse(
      JSON.stringify({
        ...extra,
        type,
        ...fields,
        ...(type === 'shipment.dispatched' ? { trackingNumber, trackingUrl } : {}),
      }),
    ),
  );
const bodies = fc.oneof(
  { weight: 10, arbitrary: nearlyValid },
  { weight: 1, arbitrary: odd },
  { weight: 1, arbitrary: fc.string() },
  {
    weight: 12,
    arbitrary: fc
      .record(
        {
          type: fc.oneof(absent, types),
          orderId: fc.oneof(absent, ids, odd),
          trackingNumber: fc.oneof(absent, ids, odd),
          trackingUrl: fc.oneof(absent, urls, odd),
          extra: extraKeys,
        },
        { requiredKeys: ['extra'] },
      )
      // Through JSON, as a body arrives (`__proto__` an own key, undefined keys gone).
      .map(({ extra, ...fields }) => JSON.parse(JSON.stringify({ ...extra, ...fields }))),
  },
);

describe('partner event check', () => {
  it('answers what the published schema answers, over 30 000 generated bodies', () => {
    // Prepare / Act / Assess
    let accepted = 0;
    fc.assert(
      fc.property(bodies, (body) => {
        const ours = checkPartnerEvent(body);
        expect(ours).toEqual(published(body));
        if ('event' in ours) accepted++;
      }),
      { numRuns: 30_000, seed: SEED },
    );
    expect(accepted).toBeGreaterThan(5_000);
  });

  it.each([
    ['a dispatched event', { type: 'shipment.dispatched', orderId: 'o', trackingNumber: 't' }],
    [
      'its URL trimmed',
      {
        type: 'shipment.dispatched',
        orderId: 'o',
        trackingNumber: 't',
        trackingUrl: ' https://c.example/x\t',
      },
    ],
    ['a delivered event', { type: 'shipment.delivered', orderId: 'o' }],
    ['no type', { orderId: 'o' }],
    ['a delivered event with tracking', { type: 'shipment.delivered', orderId: 'o', trackingNumber: 't' }],
    [
      'an http URL',
      { type: 'shipment.dispatched', orderId: '', trackingNumber: 5, trackingUrl: 'http://c.example' },
    ],
    [
      'an upper-case scheme',
      { type: 'shipment.dispatched', orderId: 'o', trackingNumber: 't', trackingUrl: 'HTTPS://c.example' },
    ],
    ['a JSON __proto__ key', JSON.parse('{"type":"shipment.delivered","orderId":"o","__proto__":{"x":1}}')],
    ['an array', []],
  ])('%s', (_name, body) => {
    // Act / Assess
    expect(checkPartnerEvent(body)).toEqual(published(body));
  });

  it.each([
    ['a line feed', 'trackingNumber', '1Z999\nTrack at https://elsewhere.example'],
    ['a control character', 'trackingNumber', '1Z\u0001999'],
    ['only spaces', 'trackingNumber', '   '],
    ['an unpaired high surrogate', 'trackingNumber', '1Z999\ud800'],
    ['an unpaired low surrogate', 'trackingUrl', 'https://c.example/t/\udc00'],
    ['a control character', 'trackingUrl', 'https://c.example/t\u0001x'],
    ['an unpaired surrogate in its query', 'trackingUrl', 'https://c.example/t?q=\ud83d'],
  ])('refuses a tracking value with %s (%s), as the published schema does', (_what, field, value) => {
    // Prepare
    const body = { type: 'shipment.dispatched', orderId: 'o', trackingNumber: '1Z999', [field]: value };
    // Act
    const answer = checkPartnerEvent(body);
    // Assess
    expect(answer).toEqual({
      problems: [
        {
          path: field,
          message: field === 'trackingUrl' ? 'must be an https URL' : FREE_TEXT_PROBLEM,
        },
      ],
    });
    expect(published(body)).toEqual(answer);
  });

  it('refuses a host the URL parser cannot read (half a pair in it) as an invalid URL', () => {
    // Prepare
    const body = {
      type: 'shipment.dispatched',
      orderId: 'o',
      trackingNumber: '1Z999',
      trackingUrl: 'https://c\ud83d.example/t',
    };
    // Act / Assess
    expect(checkPartnerEvent(body)).toEqual({ problems: [{ path: 'trackingUrl', message: 'Invalid URL' }] });
    expect(published(body)).toEqual(checkPartnerEvent(body));
  });

  it('keeps tracking values with spaces and astral characters', () => {
    // Prepare
    const body = {
      type: 'shipment.dispatched',
      orderId: 'o',
      trackingNumber: '1Z 999 😀',
      trackingUrl: 'https://c.example/t/😀?q=中',
    };
    // Act / Assess
    expect(checkPartnerEvent(body)).toEqual({ event: body });
    expect(published(body)).toEqual({ event: body });
  });

  it('names the problems without the values', () => {
    // Prepare
    const canary = 'canary-track-4711';
    // Act
    const answer = checkPartnerEvent({
      type: 'shipment.dispatched',
      orderId: canary.repeat(10),
      trackingNumber: canary,
      trackingUrl: `http://${canary}.example`,
      extra: canary,
    });
    // Assess
    expect(JSON.stringify(answer)).not.toContain(canary);
    expect(answer).toEqual({
      problems: [
        { path: 'orderId', message: 'Too big: expected string to have <=64 characters' },
        { path: 'trackingUrl', message: 'Invalid URL' },
        { path: 'extra', message: 'is not a known field' },
      ],
    });
  });
});
