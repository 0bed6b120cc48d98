import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../shared/domain/order.js';
import { type ProjectionPartner, projectFor } from '../../shared/domain/projections.js';
import type { PersonalFields } from '../../shared/domain/sealing.js';
import {
  FIELD_PATHS,
  FIELDS,
  type FieldDeclaration,
  type FieldPath,
  PARTNER_KINDS,
  type PartnerKind,
} from '../../shared/inventory.js';
import { orderRecord } from './deliver-fixtures.js';

/** Fields each kind may be configured with (the config schema enforces the same rule). */
const shareable = (kind: PartnerKind) =>
  FIELD_PATHS.filter((p) => (FIELDS[p] as FieldDeclaration).shareableWith.includes(kind));

/** Every key path a payload may carry, with the inventory fields it is derived from. */
const DERIVED_FROM: Record<string, { all?: FieldPath[]; any?: FieldPath[] }> = {
  type: {},
  orderId: {},
  createdAt: {},
  'items[].sku': { all: ['items[].sku'] },
  'items[].quantity': { all: ['items[].quantity'] },
  'recipient.name': { any: ['customer.givenName', 'customer.familyName'] },
  'recipient.phone': { all: ['customer.phone'] },
  'address.line1': { all: ['shippingAddress.line1'] },
  'address.line2': { all: ['shippingAddress.line2'] },
  'address.city': { all: ['shippingAddress.city'] },
  'address.region': { all: ['shippingAddress.region'] },
  'address.postalCode': { all: ['shippingAddress.postalCode'] },
  'address.country': { all: ['shippingAddress.country'] },
  'parcel.itemCount': { all: ['items[].quantity'] },
  'customs.currency': { all: ['currency'] },
  'customs.contents[].description': { all: ['items[].name'] },
  'customs.contents[].quantity': { all: ['items[].quantity'] },
  'customs.contents[].value': { all: ['items[].unitPrice', 'items[].quantity'] },
};

function leafPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => leafPaths(v, `${prefix}[]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

const tag = fc.stringMatching(/^[a-z0-9]{6,12}$/);
const marker = (label: string) => tag.map((t) => `${label}Zq${t}`);
const country = fc.constantFrom('GB', 'FR', 'DE', 'CN', 'US');

const orderArb = fc.record({
  items: fc.array(
    fc.record({
      sku: marker('Sku'),
      name: marker('Itemname'),
      quantity: fc.integer({ min: 1, max: 999 }),
      unitPrice: fc.integer({ min: 0, max: 10_000_000 }),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  currency: fc.constantFrom('EUR', 'GBP', 'USD', 'CNY'),
  country,
  paymentReference: marker('Payref'),
});

const personalArb = fc.record(
  {
    'customer.givenName': marker('Given'),
    'customer.familyName': marker('Family'),
    'customer.email': tag.map((t) => `emailzq${t}@example.com`),
    'customer.phone': fc.stringMatching(/^\+[1-9][0-9]{6,14}$/),
    'shippingAddress.line1': marker('Lineone'),
    'shippingAddress.line2': marker('Linetwo'),
    'shippingAddress.city': marker('City'),
    'shippingAddress.region': marker('Region'),
    'shippingAddress.postalCode': marker('Postcode'),
  },
  {
    requiredKeys: [
      'customer.givenName',
      'customer.familyName',
      'customer.email',
      'shippingAddress.line1',
      'shippingAddress.city',
      'shippingAddress.postalCode',
    ],
  },
);

const partnerArb = fc
  .constantFrom(...PARTNER_KINDS)
  .chain((kind) =>
    fc.subarray(shareable(kind)).map((fields): ProjectionPartner => ({ id: `p-${kind}`, kind, fields })),
  );

describe('projection properties (random orders, random partner field lists)', () => {
  it('never sends email, payment reference, prices outside customs, or a field outside the partner list', () => {
    fc.assert(
      fc.property(orderArb, personalArb, partnerArb, country, (o, personal, partner, originCountry) => {
        // Prepare
        const order: OrderRecord = orderRecord(o);
        const allowed = new Set<FieldPath>(partner.fields);
        // Act
        const payload = projectFor(partner, { order, personal: personal as PersonalFields, originCountry });
        // Assess
        const text = JSON.stringify(payload);
        expect(text).not.toContain(personal['customer.email']);
        expect(text).not.toContain(o.paymentReference);
        for (const [path, value] of Object.entries(personal)) {
          if (!allowed.has(path as FieldPath)) expect(text).not.toContain(value);
        }
        for (const item of o.items) {
          if (!allowed.has('items[].sku')) expect(text).not.toContain(item.sku);
          if (!allowed.has('items[].name')) expect(text).not.toContain(item.name);
        }
        for (const path of leafPaths(payload)) {
          const rule = DERIVED_FROM[path];
          expect(rule, `unexpected key ${path}`).toBeDefined();
          for (const field of rule?.all ?? [])
            expect(allowed.has(field), `${path} needs ${field}`).toBe(true);
          if (rule?.any)
            expect(
              rule.any.some((f) => allowed.has(f)),
              `${path} needs one of ${rule.any}`,
            ).toBe(true);
        }
        // Prices appear only as customs values, only for international parcels.
        const hasValue = leafPaths(payload).includes('customs.contents[].value');
        if (hasValue) expect(o.country).not.toBe(originCountry);
        if (o.country === originCountry) expect(text).not.toContain('"customs"');
      }),
      { numRuns: 400 },
    );
  });

  it('is a function of its input: the same order always gives the same payload (stable across retries)', () => {
    fc.assert(
      fc.property(orderArb, personalArb, partnerArb, country, (o, personal, partner, originCountry) => {
        // Prepare
        const input = { order: orderRecord(o), personal: personal as PersonalFields, originCountry };
        // Act
        const first = JSON.stringify(projectFor(partner, input));
        const second = JSON.stringify(projectFor(partner, input));
        // Assess
        expect(second).toBe(first);
      }),
      { numRuns: 100 },
    );
  });
});
