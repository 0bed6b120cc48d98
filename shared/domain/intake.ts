/**
 * The intake schema, derived from the data inventory: every inventory field has exactly one
 * validator here (the type checker enforces it), required/optional comes from the inventory, and
 * the object shape is built from the field paths. Anything not in the inventory is rejected.
 */

import * as z from 'zod/mini';
import { FIELD_PATHS, FIELDS, type FieldDeclaration, type FieldPath } from '../inventory.js';
import '../schema.js';
import type { Schema } from '../schema.js';
import { COUNTRY_CODES, CURRENCY_CODES } from './countries.js';
import type { OrderRequest } from './order-request.js';

export { toProblems } from './field-problems.js';
export { type OrderRequest, valuesAt } from './order-request.js';

/** Type errors: a missing required field says so; a wrong type names the expected type. */
const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

/**
 * Free text: at least one character that is not whitespace, and no control characters (C0 or
 * DEL). Written as a pattern, not a refine, so the published OpenAPI document says exactly what is
 * enforced; `\s` is the same whitespace set `String.prototype.trim` uses, so "not blank" keeps its
 * meaning. ECMA-262 syntax without lookarounds, so any JSON Schema validator (and fast-check's
 * `stringMatching`) reads it the same way.
 *
 * Linear time: the leading run (whitespace) and the first required character (not whitespace) are
 * disjoint, so no input can make a backtracking engine try every split. (The obvious
 * `^[^ctl]*[^\s ctl][^ctl]*$` is quadratic: 1.2 s for 20 000 characters ending in a control.)
 */
export const FREE_TEXT_PATTERN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  /^[^\S\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$/;

/** Length in Unicode code points, as JSON Schema's minLength/maxLength count it (not UTF-16 units). */
const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Fast path: code points ≤ UTF-16 units, and a non-empty string has at least one code point. */
const lengthWithin = (s: string, min: number, max: number): boolean => {
  if (min <= 1 && s.length >= min && s.length <= max) return true;
  const n = codePoints(s);
  return n >= min && n <= max;
};

const notBlank = (min: number, max: number) =>
  z
    .string({ error: expected('a string') })
    .check(
      z.refine((s) => lengthWithin(s, min, max), { error: `must be ${min}–${max} characters` }),
      z.regex(FREE_TEXT_PATTERN, { error: 'must not be blank or contain control characters' }),
    )
    // The length check above counts code points; the document says so with the standard keywords.
    .register(z.globalRegistry, { minLength: min, maxLength: max });

const integer = (min: number, max: number, what: string) =>
  z
    .number({ error: expected(what) })
    .check(
      z.int({ error: `must be ${what}` }),
      z.minimum(min, { error: `must be ${what}` }),
      z.maximum(max, { error: `must be ${what}` }),
    );

/** One validator per inventory field. Adding a field to the inventory without one is a type error. */
export const FIELD_VALIDATORS = {
  'customer.givenName': notBlank(1, 100),
  'customer.familyName': notBlank(1, 100),
  'customer.email': z
    .email({ error: expected('an email address') })
    .check(z.maxLength(254, { error: 'must be an email address of at most 254 characters' })),
  'customer.phone': z
    .string({ error: expected('a string') })
    .check(z.regex(/^\+[1-9]\d{6,14}$/, { error: 'must be an E.164 phone number (+ and 7 to 15 digits)' })),
  'shippingAddress.line1': notBlank(1, 200),
  'shippingAddress.line2': notBlank(1, 200),
  'shippingAddress.city': notBlank(1, 200),
  'shippingAddress.region': notBlank(1, 200),
  'shippingAddress.postalCode': notBlank(1, 200),
  'shippingAddress.country': z.enum([...COUNTRY_CODES] as [string, ...string[]], {
    error: expected('an ISO 3166-1 alpha-2 country code'),
  }),
  'items[].sku': notBlank(1, 100),
  'items[].name': notBlank(1, 200),
  'items[].quantity': integer(1, 999, 'an integer from 1 to 999'),
  'items[].unitPrice': integer(0, 10_000_000, 'an integer amount in minor units from 0 to 10000000'),
  currency: z.enum([...CURRENCY_CODES] as [string, ...string[]], {
    error: expected('an ISO 4217 currency code'),
  }),
  marketingOptIn: z.boolean({ error: expected('true or false') }),
  paymentReference: notBlank(1, 255),
} as const satisfies Record<FieldPath, Schema>;

type Shape = Record<string, Schema>;

/** Builds nested strict objects from the inventory paths (`a.b`, `items[].x`), in inventory order. */
function buildSchema() {
  const groups = new Map<string, { kind: 'field' | 'object' | 'array'; shape: Shape; validator?: Schema }>();
  for (const path of FIELD_PATHS) {
    const field: FieldDeclaration = FIELDS[path];
    const validator: Schema = field.required ? FIELD_VALIDATORS[path] : z.optional(FIELD_VALIDATORS[path]);
    const nested = /^(\w+)(\[\])?\.(\w+)$/.exec(path);
    if (nested?.[1] && nested[3]) {
      const group = groups.get(nested[1]) ?? { kind: nested[2] ? 'array' : 'object', shape: {} };
      group.shape[nested[3]] = validator;
      groups.set(nested[1], group);
    } else {
      groups.set(path, { kind: 'field', shape: {}, validator });
    }
  }
  const root: Shape = {};
  for (const [name, group] of groups) {
    if (group.kind === 'field' && group.validator) root[name] = group.validator;
    else if (group.kind === 'object')
      root[name] = z.strictObject(group.shape, { error: expected('an object') });
    else {
      root[name] = z
        .array(z.strictObject(group.shape, { error: expected('an object') }), { error: expected('an array') })
        .check(
          z.minLength(1, { error: 'must have 1–100 entries' }),
          z.maxLength(100, { error: 'must have 1–100 entries' }),
        );
    }
  }
  return z.strictObject(root, { error: expected('a JSON object') });
}

// Built where it is read (pure): a bundle that uses only the field validators does not build it.
export const orderRequestSchema = /* @__PURE__ */ buildSchema() as unknown as z.ZodMiniType<OrderRequest>;
