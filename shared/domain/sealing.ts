/**
 * What is sealed under each purpose, derived from the inventory: for purpose P, the personal
 * fields declared with P (and, with consent, the fields whose consentedPurposes include P).
 */
import { type FieldPath, fieldsSealedUnder, type Purpose } from '../inventory.js';
import { type OrderRequest, valuesAt } from './order-request.js';

export type PersonalFields = Partial<Record<FieldPath, string>>;

type Reader = readonly [FieldPath, (order: OrderRequest) => unknown];

/** Reads the value at a path as `valuesAt(order, path)[0]` does, with the path split once. */
function reader(path: FieldPath): (order: OrderRequest) => unknown {
  if (path.includes('[]')) return (order) => valuesAt(order, path)[0];
  const parts = path.split('.');
  return (order) => {
    let value: unknown = order;
    for (const part of parts) value = (value as Record<string, unknown> | undefined)?.[part];
    return value;
  };
}

/** Each purpose's sealed paths and their readers, derived from the inventory once per process. */
const readers = new Map<Purpose, readonly Reader[]>();

function readersFor(purpose: Purpose): readonly Reader[] {
  let list = readers.get(purpose);
  if (!list) {
    list = fieldsSealedUnder(purpose).map((path): Reader => [path, reader(path)]);
    readers.set(purpose, list);
  }
  return list;
}

/** The personal values of one purpose, keyed by inventory path; optional fields left out when absent. */
export function personalFieldsFor(order: OrderRequest, purpose: Purpose): PersonalFields {
  const out: PersonalFields = {};
  for (const [path, read] of readersFor(purpose)) {
    const value = read(order);
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

/** A customer's record id in the key table (defined beside the key table's ports). */
export { customerRecordId } from '../record-secrets.js';
