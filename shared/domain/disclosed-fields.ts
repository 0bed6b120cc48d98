/**
 * Which inventory fields a partner payload actually carried: every key path present in the
 * payload, mapped back to the inventory fields its value is derived from (projections.ts), as far
 * as the partner is allowed them. This is what the ledger records as "fields sent".
 */
import { FIELD_PATHS, type FieldPath } from '../inventory.js';

/** Payload key path → the inventory fields its value comes from. */
const SOURCES: Readonly<Record<string, readonly FieldPath[]>> = {
  'items[].sku': ['items[].sku'],
  'items[].quantity': ['items[].quantity'],
  'recipient.name': ['customer.givenName', 'customer.familyName'],
  'recipient.phone': ['customer.phone'],
  'address.line1': ['shippingAddress.line1'],
  'address.line2': ['shippingAddress.line2'],
  'address.city': ['shippingAddress.city'],
  'address.region': ['shippingAddress.region'],
  'address.postalCode': ['shippingAddress.postalCode'],
  'address.country': ['shippingAddress.country'],
  'parcel.itemCount': ['items[].quantity'],
  'customs.currency': ['currency'],
  'customs.contents[].description': ['items[].name'],
  'customs.contents[].quantity': ['items[].quantity'],
  'customs.contents[].value': ['items[].unitPrice', 'items[].quantity'],
};

/** `a`, `b.c`, `items[].sku`: the leaf key paths of a JSON value (no values). */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => leafPaths(v, `${prefix}[]`)))];
  if (value && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      leafPaths(v, prefix ? `${prefix}.${k}` : k),
    );
  return prefix ? [prefix] : [];
}

/** The inventory fields `payload` carries, in inventory order, limited to `allowed`. */
export function fieldsInPayload(payload: unknown, allowed: readonly FieldPath[]): FieldPath[] {
  const found = new Set<FieldPath>();
  for (const path of leafPaths(payload)) for (const field of SOURCES[path] ?? []) found.add(field);
  return FIELD_PATHS.filter((p) => found.has(p) && allowed.includes(p));
}
