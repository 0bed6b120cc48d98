import { describe, expect, it } from 'vitest';
import {
  containsCardNumber,
  findCardNumber,
  MIN_UNITS_FOR_13_DIGITS_AFTER_NFKC,
  TooDeepError,
} from '../../shared/domain/card-data.js';

describe('card data detection', () => {
  it.each([
    ['4111111111111111', true],
    ['4111 1111 1111 1111', true],
    ['4111-1111-1111-1111', true],
    ['card 5500005555555559 here', true],
    ['378282246310005', true], // 15-digit Amex test number
    ['3782 822463 10005', true], // Amex grouping 4-6-5
    ['6011111111111117', true],
    ['4111 1111 1111 1111 12/27', true], // with the expiry date after it
    ['Flat 3 4111 1111 1111 1111', true], // other digits before it
    ['1 4111-1111-1111-1111', true],
    ['4111  1111  1111  1111', true], // double spaces
    ['4111.1111.1111.1111', true],
    ['4111/1111/1111/1111', true],
    ['4111\u00a01111\u00a01111\u00a01111', true], // no-break spaces
    ['４１１１１１１１１１１１１１１１', true], // full-width digits
    ['٤١١١١١١١١١١١١١١١', true], // Arabic-Indic digits
    ['+4111111111111111', true], // a leading + excuses only the phone field
    ['4111111111111112', false], // Luhn-invalid
    ['+442071234567', false], // phone: 12 digits
    ['1Z999AA10123456784', false], // letters break the run
    ['12345678901234567890123', false], // 23 digits in one run: too long to be a card
    ['4111 - 1111 - 1111 - 1111', true], // runs of separators
    ['4111 - - 1111 1111 1111', true],
    ['4111 -- 1111 -- 1111 -- 1111', true],
    ['4111___1111___1111___1111', true],
    ['4111\u2013\u20131111\u20141111\u22121111', true], // en/em dashes, minus sign
    ['4111\u30001111\u30001111\u30001111', true], // ideographic spaces
    ['4111\u200b1111\u200b1111\u200b1111', true], // zero-width spaces
    ['4\u200b\u200b1\u20601\u00ad1\ufeff1111\u200c1111\u200d\u200e1111', true], // several invisibles in a row
    ['4111\u202e1111\u202c1111\u20661111\u2069', true], // bidi controls
    ['4\u03011\u20dd11111111111111', true], // combining marks (Mn, Me)
    ['4\ufe0f111111111111111', true], // variation selector
    ['4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1', true], // digit by digit
    ['41 11 11 11 11 11 11 11', true], // in pairs
    ['𝟒𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏𝟏', true], // mathematical bold digits
    ['४१११ ११११ ११११ ११११', true], // Devanagari
    ['+378282246310005', true], // Amex-shaped: never a phone number
    ['+30569309025904', true], // Diners-shaped
    ['+4111111111111 111', true], // a "+" excuses only a number that ends within 15 digits
    ['4111 ---- 1111 1111 1111', false], // four marks break the sequence
    ['4111 - 1111 - 1111 - 1112', false], // Luhn-invalid
    ['+4915123456787', false], // E.164, Luhn-valid: a phone, not a card
    ['Call +4915123456787 at the door', false],
    ['+86 138 0013 8000', false],
    ['SW1Y 4JH', false],
    ['12 St James\u2019s Square, Flat 3', false],
  ])('%s → %s', (text, expected) => {
    // Act / Assess
    expect(containsCardNumber(text)).toBe(expected);
  });

  it('a Luhn-valid E.164 number is not a card, in any field; without its "+" it is', () => {
    // Prepare: 13 digits that happen to pass Luhn, as German mobile numbers can
    const phone = '+4915123456787';
    // Act / Assess
    expect(findCardNumber({ customer: { phone } })).toBeUndefined();
    expect(findCardNumber({ customer: { givenName: phone } })).toBeUndefined();
    expect(findCardNumber({ customer: { phone: '4915123456787' } })).toBe('customer.phone');
  });

  it('a bare EAN/GTIN-13 with a valid check digit is a SKU, in the sku field only', () => {
    // Prepare: a Luhn-valid 13-digit EAN (its GS1 check digit 4 is right too)
    const ean = '4006381333924';
    // Act / Assess
    expect(containsCardNumber(ean)).toBe(true);
    expect(findCardNumber({ items: [{ sku: ean }] })).toBeUndefined();
    expect(findCardNumber({ items: [{ name: ean }] })).toBe('items[0].name');
    expect(findCardNumber({ items: [{ sku: '4111111111111111' }] })).toBe('items[0].sku');
  });

  it('finds a card number nested anywhere and names only its path', () => {
    // Prepare
    const body = {
      customer: { givenName: 'Ada' },
      items: [{ sku: 'A' }, { name: 'gift for 4111 1111 1111 1111' }],
    };
    // Act
    const path = findCardNumber(body);
    // Assess
    expect(path).toBe('items[1].name');
  });

  it('checks numbers and object keys too, and never puts a non-identifier key in a path', () => {
    // Act / Assess
    expect(findCardNumber({ paymentReference: 4111111111111111 })).toBe('paymentReference');
    expect(findCardNumber({ customer: { '4111111111111111': 'x' } })).toBe('customer.(key)');
    expect(findCardNumber({ 'ada@example.com': { note: '4111 1111 1111 1111' } })).toBe('(unknown key).note');
    expect(findCardNumber({ customer: { givenName: 'Ada' } })).toBeUndefined();
  });

  it.each([
    ['4⑪⑪⑪⑪⑪⑪⑪1', '4111111111111111'],
    ['㉑㉑㉑㉑㉑㉑㉑㉑', '2121212121212121'],
  ])(
    'a card number in fewer than 13 characters that normalise to it (%s) is refused',
    (spelled, normalised) => {
      // Act
      const found = findCardNumber({ customer: { givenName: spelled } });
      // Assess
      expect(spelled.normalize('NFKC')).toBe(normalised);
      expect(spelled.length).toBeLessThan(13);
      expect(found).toBe('customer.givenName');
    },
  );

  it('no code point normalises to more than 3 digits (of any script), so 5 UTF-16 units are the shortest text to scan', () => {
    // Prepare
    let most = 0;
    // Act
    for (let cp = 0x80; cp < 0x110000; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const digits = String.fromCodePoint(cp)
        .normalize('NFKC')
        .replace(/\P{Nd}/gu, '').length;
      if (digits > most) most = digits;
    }
    // Assess
    expect(most).toBe(3);
    expect(MIN_UNITS_FOR_13_DIGITS_AFTER_NFKC).toBe(Math.ceil(13 / most));
  });

  it('refuses to walk bodies nested deeper than any order', () => {
    // Prepare
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = [deep];
    // Act / Assess
    expect(() => findCardNumber(deep)).toThrow(TooDeepError);
  });
});
