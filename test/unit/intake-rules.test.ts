/**
 * The free-text rule is a pattern the OpenAPI document publishes (not a refine), and lengths count
 * code points as JSON Schema does: what the document says and what intake enforces are the same.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/domain/errors.js';
import { FREE_TEXT_PATTERN } from '#shared/domain/intake.js';
import { FREE_TEXT_PROBLEM } from '#shared/domain/order-check.js';
import { openApiDocument } from '#shared/http/openapi.js';
import { parseOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';

const c = canaries('intake02');

function problems(body: unknown) {
  try {
    parseOrder(body);
  } catch (error) {
    if (error instanceof ValidationError) return error.problems;
    throw error;
  }
  return [];
}
const withGivenName = (givenName: string) =>
  orderBody(c, { customer: { ...orderBody(c).customer, givenName } });

describe('free text as a published pattern', () => {
  it.each([
    ['a control character', 'Ada\u0000'],
    ['a line feed', 'Ada\nLovelace'],
    ['DEL', 'Ada\u007f'],
    ['only spaces', '   '],
    ['only Unicode whitespace', '\u00a0\u2003\u3000\ufeff'],
    // A JSON escape can carry half a surrogate pair; sealed as UTF-8 it would become U+FFFD.
    ['an unpaired high surrogate', 'Ada\ud800'],
    ['an unpaired low surrogate', '\udc00Ada'],
    ['a pair in the wrong order', 'Ada \ude00\ud83d'],
    ['only an unpaired surrogate', '\ud83d'],
  ])('rejects %s with the pattern message', (_what, givenName) => {
    // Act
    const found = problems(withGivenName(givenName));
    // Assess
    expect(found).toEqual([{ path: 'customer.givenName', message: FREE_TEXT_PROBLEM }]);
    expect(new RegExp(FREE_TEXT_PATTERN.source, 'u').test(givenName)).toBe(false);
  });

  it.each([
    ['a surrogate pair (an astral character)', 'Ada 😀'],
    ['a pair after leading whitespace', ' 😀'],
    ['letters from every plane', 'Ǎda 𝒜𝓁𝒶 中文'],
  ])('accepts %s, with or without the u flag', (_what, givenName) => {
    // Act / Assess
    expect(problems(withGivenName(givenName))).toEqual([]);
    expect(new RegExp(FREE_TEXT_PATTERN.source, 'u').test(givenName)).toBe(true);
  });

  it('says what it refuses', () => {
    // Assess
    expect(FREE_TEXT_PROBLEM).toBe('must not be blank, contain control characters or lone surrogates');
  });

  it('counts length in code points: 100 astral characters fit, 101 do not', () => {
    // Prepare
    const fits = '😀'.repeat(100); // 200 UTF-16 code units
    // Act / Assess
    expect(problems(withGivenName(fits))).toEqual([]);
    expect(problems(withGivenName(`${fits}a`))).toEqual([
      { path: 'customer.givenName', message: 'must be 1–100 characters' },
    ]);
  });

  it('publishes exactly the pattern intake applies, with code-point lengths', () => {
    // Prepare
    // biome-ignore lint/suspicious/noExplicitAny: walking a JSON document
    const doc = openApiDocument('http://localhost') as any;
    const givenName = doc.components.schemas.OrderRequest.properties.customer.properties.givenName;
    // Assess
    expect(givenName).toEqual({
      type: 'string',
      pattern: FREE_TEXT_PATTERN.source,
      minLength: 1,
      maxLength: 100,
    });
  });
});
