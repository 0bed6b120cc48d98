/**
 * The intake's check of an order body, derived from the data inventory as the published schema is
 * (`orderRequestSchema`, shared/domain/intake.ts: the OpenAPI document, the partner catalog and
 * the projections' payload schemas are built from it): one check per inventory field (the type
 * checker insists), required/optional from the inventory, nested strict objects from the paths,
 * anything not in the inventory rejected.
 *
 * Typed code, not a schema library: submit-order bundles no zod (~25 KB; `npm run bench --
 * bundles`). It answers what the schema answers through `toProblems`, problem for problem and in
 * the same order, and returns the same order (same keys, same order of keys):
 * test/unit/order-check.test.ts compares the two over many generated bodies, and the integration
 * suites post the same bodies as before.
 */
import { FIELD_PATHS, FIELDS, type FieldDeclaration, type FieldPath } from '../inventory.js';
import { pathKey } from './card-data.js';
import { COUNTRY_CODES, CURRENCY_CODES } from './countries.js';
import { EMAIL_PATTERN } from './email-address.js';
import type { FieldProblem } from './errors.js';
import type { OrderRequest } from './order-request.js';

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
import { FREE_TEXT_PATTERN, FREE_TEXT_PROBLEM, isFreeText } from './text.js';

export { FREE_TEXT_PATTERN, FREE_TEXT_PROBLEM };

export const EMAIL_MAX = 254;
export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;
export const ITEMS = { min: 1, max: 100 } as const;

/** Type errors: a missing required field says so; a wrong type names the expected type. */
export const expected = (what: string) => (input: unknown) =>
  input === undefined ? 'is required' : `must be ${what}`;

/** Length in Unicode code points, as JSON Schema's minLength/maxLength count it (not UTF-16 units). */
const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Fast path: code points ≤ UTF-16 units, and a non-empty string has at least one code point. */
export const lengthWithin = (s: string, min: number, max: number): boolean => {
  if (min <= 1 && s.length >= min && s.length <= max) return true;
  const n = codePoints(s);
  return n >= min && n <= max;
};

/** One field's check: the first problem of the value (what to fix), or undefined. */
export type FieldCheck = (value: unknown) => string | undefined;

const aString = expected('a string');

const notBlank =
  (min: number, max: number): FieldCheck =>
  (value) =>
    typeof value !== 'string'
      ? aString(value)
      : !lengthWithin(value, min, max)
        ? `must be ${min}–${max} characters`
        : isFreeText(value)
          ? undefined
          : FREE_TEXT_PROBLEM;

const integer =
  (min: number, max: number, what: string): FieldCheck =>
  (value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
      ? undefined
      : expected(what)(value);

const oneOf =
  (options: ReadonlySet<string>, what: string): FieldCheck =>
  (value) =>
    typeof value === 'string' && options.has(value) ? undefined : expected(what)(value);

/** One check per inventory field. Adding a field to the inventory without one is a type error. */
export const FIELD_CHECKS = {
  'customer.givenName': notBlank(1, 100),
  'customer.familyName': notBlank(1, 100),
  'customer.email': (value) =>
    typeof value !== 'string' || !EMAIL_PATTERN.test(value)
      ? expected('an email address')(value)
      : value.length > EMAIL_MAX && codePoints(value) > EMAIL_MAX
        ? `must be an email address of at most ${EMAIL_MAX} characters`
        : undefined,
  'customer.phone': (value) =>
    typeof value !== 'string'
      ? aString(value)
      : E164_PATTERN.test(value)
        ? undefined
        : 'must be an E.164 phone number (+ and 7 to 15 digits)',
  'shippingAddress.line1': notBlank(1, 200),
  'shippingAddress.line2': notBlank(1, 200),
  'shippingAddress.city': notBlank(1, 200),
  'shippingAddress.region': notBlank(1, 200),
  'shippingAddress.postalCode': notBlank(1, 200),
  'shippingAddress.country': oneOf(COUNTRY_CODES, 'an ISO 3166-1 alpha-2 country code'),
  'items[].sku': notBlank(1, 100),
  'items[].name': notBlank(1, 200),
  'items[].quantity': integer(1, 999, 'an integer from 1 to 999'),
  'items[].unitPrice': integer(0, 10_000_000, 'an integer amount in minor units from 0 to 10000000'),
  currency: oneOf(CURRENCY_CODES, 'an ISO 4217 currency code'),
  marketingOptIn: (value) => (typeof value === 'boolean' ? undefined : expected('true or false')(value)),
  paymentReference: notBlank(1, 255),
} as const satisfies Record<FieldPath, FieldCheck>;

// --- The body ------------------------------------------------------------------------------------

/** Checks `value` at `at`, appending its problems; returns what the schema would output. */
type Check = (value: unknown, at: string, problems: FieldProblem[]) => unknown;
interface Slot {
  readonly key: string;
  readonly check: Check;
  readonly required: boolean;
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const join = (at: string, key: string) => (at === '' ? key : `${at}.${key}`);

const leaf =
  (check: FieldCheck): Check =>
  (value, at, problems) => {
    const problem = check(value);
    if (problem !== undefined) problems.push({ path: at, message: problem });
    return value;
  };

/** A strict object: its slots in order (absent optional ones left out), then its unknown keys. */
function strictObject(slots: readonly Slot[], what: string): Check {
  const known = new Set(slots.map((slot) => slot.key));
  return (value, at, problems) => {
    if (!isObject(value)) {
      problems.push({ path: at, message: expected(what)(value) });
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const { key, check, required } of slots) {
      const item = Object.hasOwn(value, key) ? value[key] : undefined;
      if (item === undefined && !required) continue;
      out[key] = check(item, join(at, key), problems);
    }
    for (const key of Object.keys(value))
      if (!known.has(key)) problems.push({ path: join(at, pathKey(key)), message: 'is not a known field' });
    return out;
  };
}

/** An array of 1–100 entries: a longer one is answered by its length alone, as zod caps sizes. */
function list(element: Check): Check {
  const size = `must have ${ITEMS.min}–${ITEMS.max} entries`;
  return (value, at, problems) => {
    if (!Array.isArray(value)) {
      problems.push({ path: at, message: expected('an array')(value) });
      return undefined;
    }
    if (value.length > ITEMS.max) {
      problems.push({ path: at, message: size });
      return undefined;
    }
    // Every index, holes too (`map` skips them): a hole is a missing item.
    const out = Array.from(value, (item, i) => element(item, `${at}[${i}]`, problems));
    if (value.length < ITEMS.min) problems.push({ path: at, message: size });
    return out;
  };
}

/** Builds the nested checks from the inventory paths (`a.b`, `items[].x`), in inventory order. */
function buildCheck(): Check {
  const groups = new Map<string, { kind: 'field' | 'object' | 'array'; slots: Slot[]; check?: Check }>();
  for (const path of FIELD_PATHS) {
    const field: FieldDeclaration = FIELDS[path];
    const check = leaf(FIELD_CHECKS[path]);
    const nested = /^(\w+)(\[\])?\.(\w+)$/.exec(path);
    if (nested?.[1] && nested[3]) {
      const group = groups.get(nested[1]) ?? { kind: nested[2] ? 'array' : 'object', slots: [] };
      group.slots.push({ key: nested[3], check, required: field.required });
      groups.set(nested[1], group);
    } else {
      groups.set(path, { kind: 'field', slots: [], check });
    }
  }
  const root: Slot[] = [];
  for (const [key, group] of groups) {
    const required = group.kind !== 'field' || FIELDS[key as FieldPath].required;
    const check =
      group.kind === 'field' && group.check
        ? group.check
        : group.kind === 'object'
          ? strictObject(group.slots, 'an object')
          : list(strictObject(group.slots, 'an object'));
    root.push({ key, check, required });
  }
  return strictObject(root, 'a JSON object');
}

// Built where it is read (pure): a bundle that uses only the field checks does not build it.
const checkBody = /* @__PURE__ */ buildCheck();

/** An order body (parsed JSON) as intake accepts it, or its problems: one per path, never a value. */
export function checkOrderRequest(
  body: unknown,
): { readonly order: OrderRequest } | { readonly problems: readonly FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const order = checkBody(body, '', problems);
  if (problems.length === 0) return { order: order as OrderRequest };
  // One problem per path: the first check that failed says what to fix.
  const seen = new Set<string>();
  return { problems: problems.filter((p) => !seen.has(p.path) && seen.add(p.path)) };
}
