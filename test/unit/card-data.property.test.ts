/**
 * Properties of the card-data check, through intake's own parser: a Luhn-valid number in any
 * spelling, in any string field of a valid order, is card data; realistic values that are not card
 * numbers (phones, postal codes, SKUs, tracking numbers, dates, references) never are.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsCardNumber, isGtin } from '../../shared/domain/card-data.js';
import { CardDataError } from '../../shared/domain/errors.js';
import { parseOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { cardSpelling, nonCardValue, stringFieldPaths, withValueAt } from '../support/card-spellings.js';

const valid = orderBody(canaries('cardprop'), {
  customer: { ...orderBody(canaries('cardprop')).customer, phone: '+442071234567' },
});
const FIELDS = stringFieldPaths();
const SKU = 'items[0].sku';
/** The one documented exemption: a bare GS1-valid GTIN-13/14 is a barcode where a SKU goes. */
const barcodeSku = (path: string, text: string) => path === SKU && isGtin(text);

/** What parsing the body rejects it for: the card-data path, or 'valid' / 'invalid'. */
function verdict(body: unknown): string {
  try {
    parseOrder(body);
    return 'valid';
  } catch (error) {
    if (error instanceof CardDataError) return `card-data at ${error.path}`;
    return 'invalid';
  }
}

describe('card data in every spelling, in every string field', () => {
  it('the string fields come from the schema and include every one a person types', () => {
    // Assess
    expect(FIELDS).toEqual([
      'customer.givenName',
      'customer.familyName',
      'customer.email',
      'customer.phone',
      'shippingAddress.line1',
      'shippingAddress.line2',
      'shippingAddress.city',
      'shippingAddress.region',
      'shippingAddress.postalCode',
      'shippingAddress.country',
      'items[0].sku',
      'items[0].name',
      'currency',
      'paymentReference',
    ]);
    expect(verdict(valid)).toBe('valid');
  });

  it('a Luhn-valid 13–19 digit number in any spelling is card data wherever it is', () => {
    // Act / Assess
    fc.assert(
      fc.property(cardSpelling, ({ text }) => {
        expect(containsCardNumber(text)).toBe(true);
        for (const path of FIELDS)
          expect(verdict(withValueAt(valid, path, text))).toBe(
            barcodeSku(path, text) ? 'valid' : `card-data at ${path}`,
          );
      }),
      { numRuns: 600 },
    );
    // The detector alone, on many more spellings.
    fc.assert(
      fc.property(cardSpelling, ({ text }) => containsCardNumber(text)),
      { numRuns: 5000 },
    );
  }, 60_000);

  it('the error names the path and never carries the value or its digits', () => {
    // Act / Assess
    fc.assert(
      fc.property(cardSpelling, fc.constantFrom(...FIELDS), ({ text, digits }, path) => {
        fc.pre(!barcodeSku(path, text));
        let caught: unknown;
        try {
          parseOrder(withValueAt(valid, path, text));
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(CardDataError);
        const shown = JSON.stringify({ ...(caught as CardDataError), message: (caught as Error).message });
        expect(shown).not.toContain(digits.slice(0, 6));
        expect(shown).not.toContain(text);
      }),
      { numRuns: 300 },
    );
  }, 60_000);

  it('realistic values that are not card numbers are never card data, in any field', () => {
    // Act / Assess
    fc.assert(
      fc.property(nonCardValue, (value) => {
        expect(containsCardNumber(value)).toBe(false);
        for (const path of FIELDS) expect(verdict(withValueAt(valid, path, value))).not.toMatch(/^card-data/);
      }),
      { numRuns: 600 },
    );
    // The detector alone, on many more values.
    fc.assert(
      fc.property(nonCardValue, (value) => !containsCardNumber(value)),
      { numRuns: 10_000 },
    );
  }, 60_000);
});
