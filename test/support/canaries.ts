/**
 * Canary values: unique strings put in every personal field so tests can search storage, logs,
 * queues and payloads for them and assert they appear only where the inventory allows.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Deterministic digits from a tag, so a phone canary is still a valid E.164 number. */
function digits(tag: string, n: number): string {
  const hex = createHash('sha256').update(tag).digest('hex');
  return [...hex]
    .map((ch) => String(Number.parseInt(ch, 16) % 10))
    .join('')
    .slice(0, n);
}

export function canaries(tag = randomBytes(4).toString('hex')) {
  return {
    givenName: `Givencanary${tag}`,
    familyName: `Familycanary${tag}`,
    email: `email.canary.${tag}@example.com`,
    phone: `+4420${digits(tag, 8)}`,
    line1: `1 Linecanary${tag} Street`,
    line2: `Flat Line2canary${tag}`,
    city: `Citycanary${tag}`,
    region: `Regioncanary${tag}`,
    postalCode: `PC${tag.toUpperCase()}`,
  };
}
export type Canaries = ReturnType<typeof canaries>;

export function orderBody(c: Canaries, overrides: Record<string, unknown> = {}) {
  return {
    customer: { givenName: c.givenName, familyName: c.familyName, email: c.email, phone: c.phone },
    shippingAddress: {
      line1: c.line1,
      line2: c.line2,
      city: c.city,
      region: c.region,
      postalCode: c.postalCode,
      country: 'GB',
    },
    items: [{ sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 }],
    currency: 'EUR',
    marketingOptIn: false,
    paymentReference: 'pi_3NabcXYZ',
    ...overrides,
  };
}

/** Every personal canary value of a set. */
export function personalValues(c: Canaries): string[] {
  return Object.values(c);
}
