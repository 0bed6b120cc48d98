/**
 * What is sealed under each purpose, derived from the inventory: for purpose P, the personal
 * fields declared with P (and, with consent, the fields whose consentedPurposes include P).
 */
import { type FieldPath, fieldsSealedUnder, type Purpose } from '../inventory.js';
import { type OrderRequest, valuesAt } from './order-request.js';

export type PersonalFields = Partial<Record<FieldPath, string>>;

/** The personal values of one purpose, keyed by inventory path; optional fields left out when absent. */
export function personalFieldsFor(order: OrderRequest, purpose: Purpose): PersonalFields {
  const out: PersonalFields = {};
  for (const path of fieldsSealedUnder(purpose)) {
    const [value] = valuesAt(order, path);
    if (typeof value === 'string') out[path] = value;
  }
  return out;
}

export function encodeFields(fields: PersonalFields): Uint8Array {
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

export function decodeFields(bytes: Uint8Array): PersonalFields {
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as PersonalFields;
}

/** Record ids bind a blob to its record in the associated data. */
export const customerRecordId = (emailKey: string) => `customer:${emailKey}`;
