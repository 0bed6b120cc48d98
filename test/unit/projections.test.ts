import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { payloadSchema } from '../../shared/domain/payload-schemas.js';
import {
  PROJECTED_FIELDS,
  ProjectionError,
  type ProjectionPartner,
  projectFor,
  validatePayload,
} from '../../shared/domain/projections.js';
import {
  DEFAULT_PARTNER_FIELDS,
  FIELD_PATHS,
  FIELDS,
  type FieldDeclaration,
  type FieldPath,
  PARTNER_KINDS,
} from '../../shared/inventory.js';
import { canaries, personalValues } from '../support/canaries.js';
import { contactFields, ORDER_ID, orderRecord, shippingFields, T0 } from './deliver-fixtures.js';

const c = canaries('proj0001');
const warehouse: ProjectionPartner = {
  id: 'warehouse',
  kind: 'warehouse',
  fields: DEFAULT_PARTNER_FIELDS.warehouse,
};
const carrier: ProjectionPartner = { id: 'carrier', kind: 'carrier', fields: DEFAULT_PARTNER_FIELDS.carrier };
const carrierWithout = (...omit: FieldPath[]): ProjectionPartner => ({
  id: 'carrier-2',
  kind: 'carrier',
  fields: DEFAULT_PARTNER_FIELDS.carrier.filter((f) => !omit.includes(f)),
});

function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const twoItems = [
  { sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 },
  { sku: 'SCARF-WOOL', name: 'Wool scarf', quantity: 2, unitPrice: 4500 },
];

describe('warehouse projection', () => {
  it('sends the payload of partners.md: skus and quantities, nothing personal', () => {
    // Prepare
    const order = orderRecord({ items: twoItems });
    // Act
    const payload = projectFor(warehouse, { order, personal: shippingFields(c), originCountry: 'CN' });
    // Assess
    expect(payload).toEqual({
      type: 'pick.requested',
      orderId: ORDER_ID,
      createdAt: T0.toISOString(),
      items: [
        { sku: 'JKT-LEATHER-M', quantity: 1 },
        { sku: 'SCARF-WOOL', quantity: 2 },
      ],
    });
    const text = JSON.stringify(payload);
    for (const value of personalValues(c)) expect(text).not.toContain(value);
    expect(text).not.toContain('12900');
    expect(text).not.toContain('pi_3NabcXYZ');
  });
});

describe('carrier projection', () => {
  it('sends a domestic parcel without customs (destination = origin country)', () => {
    // Prepare
    const order = orderRecord({ country: 'GB', items: twoItems });
    // Act
    const payload = projectFor(carrier, { order, personal: shippingFields(c), originCountry: 'GB' });
    // Assess
    expect(payload).toEqual({
      type: 'shipment.requested',
      orderId: ORDER_ID,
      createdAt: T0.toISOString(),
      recipient: { name: `${c.givenName} ${c.familyName}`, phone: c.phone },
      address: {
        line1: c.line1,
        line2: c.line2,
        city: c.city,
        region: c.region,
        postalCode: c.postalCode,
        country: 'GB',
      },
      parcel: { itemCount: 3 },
    });
  });

  it('adds customs for an international parcel: one line per item, value = unit price × quantity', () => {
    // Prepare
    const order = orderRecord({ country: 'GB', items: twoItems });
    // Act
    const payload = projectFor(carrier, { order, personal: shippingFields(c), originCountry: 'CN' });
    // Assess
    expect(payload).toEqual({
      type: 'shipment.requested',
      orderId: ORDER_ID,
      createdAt: T0.toISOString(),
      recipient: { name: `${c.givenName} ${c.familyName}`, phone: c.phone },
      address: {
        line1: c.line1,
        line2: c.line2,
        city: c.city,
        region: c.region,
        postalCode: c.postalCode,
        country: 'GB',
      },
      parcel: { itemCount: 3 },
      customs: {
        currency: 'EUR',
        contents: [
          { description: 'Leather jacket', quantity: 1, value: 12900 },
          { description: 'Wool scarf', quantity: 2, value: 9000 },
        ],
      },
    });
  });

  it('omits optional fields the customer did not give (no null, no empty string)', () => {
    // Prepare
    const personal = shippingFields(c, ['customer.phone', 'shippingAddress.line2', 'shippingAddress.region']);
    // Act
    const payload = projectFor(carrier, { order: orderRecord(), personal, originCountry: 'GB' });
    // Assess
    expect(payload).toEqual({
      type: 'shipment.requested',
      orderId: ORDER_ID,
      createdAt: T0.toISOString(),
      recipient: { name: `${c.givenName} ${c.familyName}` },
      address: { line1: c.line1, city: c.city, postalCode: c.postalCode, country: 'GB' },
      parcel: { itemCount: 1 },
    });
    expect(JSON.stringify(payload)).not.toContain('null');
  });

  it('never sends a field outside the partner list, even when the value is at hand', () => {
    // Prepare
    const partner = carrierWithout('customer.phone', 'customer.familyName', 'items[].unitPrice');
    // Act
    const payload = projectFor(partner, {
      order: orderRecord(),
      personal: shippingFields(c),
      originCountry: 'CN',
    });
    // Assess
    expect(payload).toEqual({
      type: 'shipment.requested',
      orderId: ORDER_ID,
      createdAt: T0.toISOString(),
      recipient: { name: c.givenName },
      address: {
        line1: c.line1,
        line2: c.line2,
        city: c.city,
        region: c.region,
        postalCode: c.postalCode,
        country: 'GB',
      },
      parcel: { itemCount: 1 },
      customs: { currency: 'EUR', contents: [{ description: 'Leather jacket', quantity: 1 }] },
    });
    const text = JSON.stringify(payload);
    expect(text).not.toContain(c.phone);
    expect(text).not.toContain(c.familyName);
  });

  it('ignores personal data of other purposes handed to it by mistake (deny by default)', () => {
    // Prepare
    const personal = { ...contactFields(c), ...shippingFields(c) };
    // Act
    const payload = projectFor(carrier, { order: orderRecord(), personal, originCountry: 'CN' });
    // Assess
    const text = JSON.stringify(payload);
    expect(text).not.toContain(c.email);
    expect(text).not.toContain('pi_3NabcXYZ');
    expect(text).not.toContain('marketing');
  });
});

describe('strict payload schemas (fail closed)', () => {
  it('rejects an unexpected key, naming its path and never its value', () => {
    // Prepare
    const payload = {
      type: 'pick.requested',
      orderId: ORDER_ID,
      createdAt: T0.toISOString(),
      items: [{ sku: 'JKT-LEATHER-M', quantity: 1 }],
      email: c.email,
    };
    // Act
    const error = caught(() => validatePayload(warehouse, payload, { international: false }));
    // Assess
    expect(error).toBeInstanceOf(ProjectionError);
    expect((error as ProjectionError).problems).toEqual([{ path: 'email', message: 'is not a known field' }]);
    expect((error as Error).message).not.toContain(c.email);
  });

  it('rejects a carrier field that the partner is not configured for', () => {
    // Prepare
    const partner = carrierWithout('customer.phone');
    const payload = projectFor(carrier, {
      order: orderRecord(),
      personal: shippingFields(c),
      originCountry: 'GB',
    });
    // Act
    const act = () => validatePayload(partner, payload, { international: false });
    // Assess
    expect(act).toThrow(/recipient\.phone/);
    expect(act).not.toThrow(new RegExp(c.phone.replace('+', '\\+')));
  });

  it('rejects a customs block on a domestic parcel', () => {
    // Prepare
    const payload = projectFor(carrier, {
      order: orderRecord(),
      personal: shippingFields(c),
      originCountry: 'CN',
    });
    // Act
    const act = () => validatePayload(carrier, payload, { international: false });
    // Assess
    expect(act).toThrow(ProjectionError);
    expect(act).toThrow(/customs/);
  });

  it('fails closed when a required value is missing (no partial label is sent)', () => {
    // Prepare
    const personal = shippingFields(c, ['shippingAddress.line1']);
    // Act
    const act = () => projectFor(carrier, { order: orderRecord(), personal, originCountry: 'GB' });
    // Assess
    expect(act).toThrow(ProjectionError);
    expect(act).toThrow(/address\.line1/);
  });

  it('rejects null for an optional field', () => {
    // Prepare
    const payload = {
      ...projectFor(carrier, { order: orderRecord(), personal: shippingFields(c), originCountry: 'GB' }),
      recipient: { name: 'A B', phone: null },
    };
    // Act
    const act = () => validatePayload(carrier, payload, { international: false });
    // Assess
    expect(act).toThrow(/recipient\.phone/);
  });

  it('builds the schema from the partner fields: a warehouse schema has no personal keys', () => {
    // Prepare
    const schema = payloadSchema(warehouse, { international: true });
    // Act
    const json = JSON.stringify(z.toJSONSchema(schema));
    // Assess
    for (const key of ['recipient', 'address', 'customs', 'phone', 'email', 'unitPrice', 'name']) {
      expect(json).not.toContain(`"${key}"`);
    }
  });
});

describe('inventory coverage', () => {
  it('every field shareable with a kind is one its projection knows how to send', () => {
    // Prepare
    const shareable = (kind: (typeof PARTNER_KINDS)[number]) =>
      FIELD_PATHS.filter((p) => (FIELDS[p] as FieldDeclaration).shareableWith.includes(kind)).sort();
    // Act
    const kinds = PARTNER_KINDS.map((kind) => ({
      shareable: shareable(kind),
      projected: [...PROJECTED_FIELDS[kind]].sort(),
    }));
    // Assess
    for (const { shareable: s, projected } of kinds) expect(projected).toEqual(s);
  });
});
