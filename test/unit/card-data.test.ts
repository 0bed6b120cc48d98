import { describe, expect, it } from 'vitest';
import { containsCardNumber, findCardNumber, TooDeepError } from '../../shared/domain/card-data.js';

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
    ['4111 - - 1111 1111 1111', false], // three separators break the sequence
    ['SW1Y 4JH', false],
    ['12 St James\u2019s Square, Flat 3', false],
  ])('%s → %s', (text, expected) => {
    // Act / Assess
    expect(containsCardNumber(text)).toBe(expected);
  });

  it('a Luhn-valid E.164 number is accepted in the phone field only', () => {
    // Prepare: 13 digits that happen to pass Luhn, as German mobile numbers can
    const phone = '+4915123456787';
    // Act / Assess
    expect(containsCardNumber(phone, { phone: true })).toBe(false);
    expect(findCardNumber({ customer: { phone } })).toBeUndefined();
    expect(findCardNumber({ customer: { givenName: phone } })).toBe('customer.givenName');
    expect(findCardNumber({ customer: { phone: '4915123456787' } })).toBe('customer.phone');
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

  it('refuses to walk bodies nested deeper than any order', () => {
    // Prepare
    let deep: unknown = 'x';
    for (let i = 0; i < 5000; i++) deep = [deep];
    // Act / Assess
    expect(() => findCardNumber(deep)).toThrow(TooDeepError);
  });
});
