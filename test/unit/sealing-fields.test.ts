import { describe, expect, it } from 'vitest';
import { valuesAt } from '#shared/domain/order-request.js';
import { encodeFields, personalFieldsFor } from '#shared/domain/sealing.js';
import { fieldsSealedUnder, type Purpose } from '#shared/inventory.js';
import { syntheticOrder } from '../../bench/orders.js';

/** personalFieldsFor as main wrote it up to baea550 (the inventory filtered and read per call). */
function original(order: Parameters<typeof personalFieldsFor>[0], purpose: Purpose) {
  const out: Record<string, string> = {};
  for (const path of fieldsSealedUnder(purpose)) {
    const [value] = valuesAt(order, path);
    if (typeof value === 'string') out[path] = value;
  }
  return out;
}

describe('the plaintext sealed under each purpose', () => {
  it('is the same JSON, key for key and in the same order, as before', () => {
    for (let i = 0; i < 500; i++) {
      const { body } = syntheticOrder(i, 'sealing');
      for (const purpose of ['shipping', 'contact', 'marketing'] as const) {
        // Act / Assess
        expect(Buffer.from(encodeFields(personalFieldsFor(body, purpose))).toString()).toBe(
          JSON.stringify(original(body, purpose)),
        );
      }
    }
  });

  it('reads exactly the inventory paths of a purpose, optional fields left out when absent', () => {
    // Prepare: order 1 has a phone and a region but no line2 (odd index).
    const { body } = syntheticOrder(1, 'sealing');
    // Act
    const shipping = personalFieldsFor(body, 'shipping');
    const contact = personalFieldsFor(body, 'contact');
    const marketing = personalFieldsFor(body, 'marketing');
    // Assess
    expect(shipping).toEqual({
      'customer.givenName': 'Tsbxd',
      'customer.familyName': 'Ssudg',
      'customer.phone': '+44206510663',
      'shippingAddress.line1': '184 Fjsvwpmpmdbype Street',
      'shippingAddress.city': 'Myhb',
      'shippingAddress.region': 'Vfzqcwraveiyk',
      'shippingAddress.postalCode': 'VX3 4EL',
    });
    expect(contact).toEqual({ 'customer.givenName': 'Tsbxd', 'customer.email': 'tsbxd.ssudg.1@example.com' });
    expect(marketing).toEqual({ 'customer.email': 'tsbxd.ssudg.1@example.com' });
  });
});
