import { describe, expect, it } from 'vitest';
import { containsCardNumber, findCardNumber } from '../../shared/domain/card-data.js';

describe('card data detection', () => {
  it.each([
    ['4111111111111111', true],
    ['4111 1111 1111 1111', true],
    ['4111-1111-1111-1111', true],
    ['card 5500005555555559 here', true],
    ['378282246310005', true], // 15-digit Amex test number
    ['6011111111111117', true],
    ['4111111111111112', false], // Luhn-invalid
    ['+442071234567', false], // phone: 12 digits
    ['+4915123456787', false], // 13-digit E.164 phone that happens to be Luhn-valid
    ['4915123456787', true], // the same digits without + look like a card
    ['1Z999AA10123456784', false],
    ['12345678901234567890123', false], // 23 digits: too long to be a card
    ['SW1Y 4JH', false],
  ])('%s → %s', (text, expected) => {
    // Act / Assess
    expect(containsCardNumber(text)).toBe(expected);
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

  it('checks numbers and object keys too', () => {
    // Act / Assess
    expect(findCardNumber({ paymentReference: 4111111111111111 })).toBe('paymentReference');
    expect(findCardNumber({ customer: { '4111111111111111': 'x' } })).toBe('customer.(key)');
    expect(findCardNumber({ customer: { givenName: 'Ada' } })).toBeUndefined();
  });
});
