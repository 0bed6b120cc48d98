/**
 * The published intake schema (zod/mini), derived from the data inventory: every inventory field
 * has exactly one validator here (the type checker enforces it), required/optional comes from the
 * inventory, and the object shape is built from the field paths. Anything not in the inventory is
 * rejected. The OpenAPI document, the partner catalog and the projections' payload schemas are
 * built from it; submit-order runs `checkOrderRequest` (./order-check.ts), built from the same
 * inventory and rules and held to this schema's answers by test/unit/order-check.test.ts.
 */

import * as z from 'zod/mini';
import { FIELD_PATHS, FIELDS, type FieldDeclaration, type FieldPath } from '../inventory.js';
import '../schema.js';
import type { Schema } from '../schema.js';
import { COUNTRY_CODES, CURRENCY_CODES } from './countries.js';
import {
  E164_PATTERN,
  EMAIL_MAX,
  expected,
  FREE_TEXT_PATTERN,
  FREE_TEXT_PROBLEM,
  ITEMS,
  lengthWithin,
} from './order-check.js';
import type { OrderRequest } from './order-request.js';

export { toProblems } from './field-problems.js';
export { FREE_TEXT_PATTERN } from './order-check.js';
export { type OrderRequest, valuesAt } from './order-request.js';

/** Type errors as the typed check words them (`expected`): 'is required' or 'must be …'. */
const typeError = (what: string) => (issue: { input?: unknown }) => expected(what)(issue.input);

const notBlank = (min: number, max: number) =>
  z
    .string({ error: typeError('a string') })
    .check(
      z.refine((s) => lengthWithin(s, min, max), { error: `must be ${min}–${max} characters` }),
      z.regex(FREE_TEXT_PATTERN, { error: FREE_TEXT_PROBLEM }),
    )
    // The length check above counts code points; the document says so with the standard keywords.
    .register(z.globalRegistry, { minLength: min, maxLength: max });

const integer = (min: number, max: number, what: string) =>
  z
    .number({ error: typeError(what) })
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
    .email({ error: typeError('an email address') })
    .check(z.maxLength(EMAIL_MAX, { error: `must be an email address of at most ${EMAIL_MAX} characters` })),
  'customer.phone': z
    .string({ error: typeError('a string') })
    .check(z.regex(E164_PATTERN, { error: 'must be an E.164 phone number (+ and 7 to 15 digits)' })),
  'shippingAddress.line1': notBlank(1, 200),
  'shippingAddress.line2': notBlank(1, 200),
  'shippingAddress.city': notBlank(1, 200),
  'shippingAddress.region': notBlank(1, 200),
  'shippingAddress.postalCode': notBlank(1, 200),
  'shippingAddress.country': z.enum([...COUNTRY_CODES] as [string, ...string[]], {
    error: typeError('an ISO 3166-1 alpha-2 country code'),
  }),
  'items[].sku': notBlank(1, 100),
  'items[].name': notBlank(1, 200),
  'items[].quantity': integer(1, 999, 'an integer from 1 to 999'),
  'items[].unitPrice': integer(0, 10_000_000, 'an integer amount in minor units from 0 to 10000000'),
  currency: z.enum([...CURRENCY_CODES] as [string, ...string[]], {
    error: typeError('an ISO 4217 currency code'),
  }),
  marketingOptIn: z.boolean({ error: typeError('true or false') }),
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
      root[name] = z.strictObject(group.shape, { error: typeError('an object') });
    else {
      root[name] = z
        .array(z.strictObject(group.shape, { error: typeError('an object') }), {
          error: typeError('an array'),
        })
        .check(
          z.minLength(ITEMS.min, { error: `must have ${ITEMS.min}–${ITEMS.max} entries` }),
          z.maxLength(ITEMS.max, { error: `must have ${ITEMS.min}–${ITEMS.max} entries` }),
        );
    }
  }
  return z.strictObject(root, { error: typeError('a JSON object') });
}

// Built where it is read (pure): a bundle that uses only the field validators does not build it.
export const orderRequestSchema = /* @__PURE__ */ buildSchema() as unknown as z.ZodMiniType<OrderRequest>;
