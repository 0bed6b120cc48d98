/**
 * Synthetic order bodies: made-up names and addresses from a seeded generator (never real data),
 * deterministic for a given index, with realistic lengths and the optional fields present at fixed
 * rates so byte and KMS-call counts are exactly reproducible.
 */
/** mulberry32: a tiny deterministic PRNG (not for crypto; only to vary synthetic lengths). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

function word(next: () => number, min: number, max: number): string {
  const length = min + Math.floor(next() * (max - min + 1));
  let out = LETTERS[Math.floor(next() * 26)]?.toUpperCase() ?? 'X';
  for (let i = 1; i < length; i++) out += LETTERS[Math.floor(next() * 26)];
  return out;
}

function digits(next: () => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String(Math.floor(next() * 10));
  return out;
}

/** Share of orders whose customer opts in to marketing (every index with i % 10 < 3). */
export const OPT_IN_SHARE = 0.3;

export const optedIn = (i: number) => i % 10 < 3;
const hasPhone = (i: number) => i % 5 !== 0; // 80 %
const hasLine2 = (i: number) => i % 2 === 0; // 50 %
const hasRegion = (i: number) => i % 5 < 3; // 60 %

export interface SyntheticOrder {
  readonly idempotencyKey: string;
  readonly body: {
    customer: { givenName: string; familyName: string; email: string; phone?: string };
    shippingAddress: {
      line1: string;
      line2?: string;
      city: string;
      region?: string;
      postalCode: string;
      country: string;
    };
    items: Array<{ sku: string; name: string; quantity: number; unitPrice: number }>;
    currency: string;
    marketingOptIn: boolean;
    paymentReference: string;
  };
}

export function syntheticOrder(i: number, run = 'bench'): SyntheticOrder {
  const next = prng(0x5eed0000 + i);
  const givenName = word(next, 3, 10);
  const familyName = word(next, 4, 12);
  const customer = {
    givenName,
    familyName,
    // Unique per order so each opted-in order writes its own customer record.
    email: `${givenName.toLowerCase()}.${familyName.toLowerCase()}.${i}@example.com`,
    // 11 digits: a valid E.164 number, too short to look like a card number.
    ...(hasPhone(i) ? { phone: `+4420${digits(next, 7)}` } : {}),
  };
  const shippingAddress = {
    line1: `${1 + Math.floor(next() * 200)} ${word(next, 4, 14)} Street`,
    ...(hasLine2(i) ? { line2: `Flat ${1 + Math.floor(next() * 40)}` } : {}),
    city: word(next, 4, 12),
    ...(hasRegion(i) ? { region: word(next, 5, 14) } : {}),
    postalCode: `${word(next, 2, 2).toUpperCase()}${1 + Math.floor(next() * 20)} ${digits(next, 1)}${word(next, 2, 2).toUpperCase()}`,
    country: 'GB',
  };
  return {
    idempotencyKey: `${run}-${i}`,
    body: {
      customer,
      shippingAddress,
      items: [{ sku: `SKU-${i % 50}`, name: 'Synthetic item', quantity: 1 + (i % 3), unitPrice: 1999 }],
      currency: 'EUR',
      marketingOptIn: optedIn(i),
      paymentReference: `pi_bench${i}`,
    },
  };
}
