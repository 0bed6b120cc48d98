/**
 * fast-check arbitraries from a JSON Schema (2020-12) — the subset our OpenAPI document uses, and
 * nothing else: an unknown keyword throws, so the contract test fails loudly when the document
 * grows a rule this generator does not understand (instead of silently generating around it).
 *
 * Independent of the zod schemas by construction: it reads only the JSON document.
 *
 * - `validValue(schema)` generates values the schema accepts;
 * - `mutations(schema)` generates values that break exactly ONE documented constraint at one
 *   location (wrong type, too long/short, pattern break, missing required, extra property,
 *   out-of-range number, bad enum or const, too many/few items), each with the path it broke.
 */
import fc from 'fast-check';

export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly format?: string;
  readonly $ref?: string;
}

/** Keywords that only annotate. */
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'default', '$schema', 'format']);
const ASSERTIONS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'enum',
  'const',
  'minimum',
  'maximum',
  '$ref',
]);
/** `format` values we know (and generate for through their `pattern`). */
const FORMATS = new Set(['email']);

export interface GeneratorOptions {
  /** Resolves a `$ref` (e.g. to the document's components). */
  readonly resolve: (ref: string) => JsonSchema;
  /** Strings the generator may produce as valid values; others are filtered out. */
  readonly acceptString?: (value: string) => boolean;
  /** Cap on generated array lengths (bodies have a byte limit the schema cannot say). */
  readonly maxArrayItems?: number;
}

function deref(schema: JsonSchema, options: GeneratorOptions): JsonSchema {
  let current = schema;
  for (let hops = 0; current.$ref; hops++) {
    if (hops > 16) throw new Error(`$ref cycle at ${current.$ref}`);
    current = options.resolve(current.$ref);
  }
  for (const key of Object.keys(current)) {
    if (!ASSERTIONS.has(key) && !ANNOTATIONS.has(key)) throw new Error(`unsupported keyword "${key}"`);
  }
  if (current.format !== undefined && !FORMATS.has(current.format)) {
    throw new Error(`unsupported format "${current.format}"`);
  }
  if (current.format === 'email' && current.pattern === undefined) {
    throw new Error('format email without a pattern: the generator needs the pattern');
  }
  return current;
}

/** Unicode code points, as JSON Schema counts string length. */
export const codePointLength = (s: string): number => [...s].length;

const regexOf = (schema: JsonSchema): RegExp | undefined =>
  schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u');

/** Whether a string satisfies the schema's string keywords (length, pattern, enum, const). */
function stringOk(schema: JsonSchema, value: string): boolean {
  const n = codePointLength(value);
  if (schema.minLength !== undefined && n < schema.minLength) return false;
  if (schema.maxLength !== undefined && n > schema.maxLength) return false;
  const re = regexOf(schema);
  if (re && !re.test(value)) return false;
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.const !== undefined && schema.const !== value) return false;
  return true;
}

/** Characters to pad a valid string with, up to its exact maxLength: ASCII, Latin-1, BMP, astral. */
const PADDING = ['a', 'é', '漢', '😀', ' ', '0'];

/** `value` padded to `length` code points with a PADDING character (`first` tried first) that keeps it valid. */
function padTo(schema: JsonSchema, value: string, length: number, first = 'a'): string | undefined {
  const missing = length - codePointLength(value);
  if (missing < 0) return undefined;
  for (const pad of [first, ...PADDING]) {
    const candidate = value + pad.repeat(missing);
    if (codePointLength(candidate) === length && regexOf(schema)?.test(candidate) !== false) return candidate;
  }
  return undefined;
}

/** Any code points (controls, astral, combining marks…), not only what fast-check's regex generator picks. */
const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

/** Whether a pattern admits enough arbitrary text that filtering `anyText` by it terminates quickly. */
function admitsArbitraryText(re: RegExp): boolean {
  const probe = fc.sample(anyText(20), { numRuns: 60, seed: 1 });
  return probe.filter((s) => re.test(s)).length >= 20;
}

function stringArbitrary(schema: JsonSchema, options: GeneratorOptions): fc.Arbitrary<string> {
  const accept = options.acceptString ?? (() => true);
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.const !== undefined) return fc.constant(schema.const as string);
  const re = regexOf(schema);
  const limit = Math.min(schema.maxLength ?? 40, 40);
  const sources = re ? [fc.stringMatching(re)] : [];
  if (!re || admitsArbitraryText(re)) sources.push(anyText(limit));
  const base = fc.oneof(...sources);
  const max = schema.maxLength;
  // Also values at the exact maximum length, padded with multi-byte and astral characters.
  const atMax =
    max === undefined
      ? base
      : fc
          .tuple(base, fc.constantFrom(...PADDING))
          .map(([s, pad]) => padTo(schema, s, max, pad) ?? s)
          .filter((s) => codePointLength(s) === max);
  return fc
    .oneof({ arbitrary: base, weight: 4 }, { arbitrary: atMax, weight: 1 })
    .filter((s) => stringOk(schema, s) && accept(s));
}

export function validValue(schema: JsonSchema, options: GeneratorOptions): fc.Arbitrary<unknown> {
  const s = deref(schema, options);
  if (s.enum && s.type !== 'string') return fc.constantFrom(...s.enum);
  switch (s.type) {
    case 'string':
      return stringArbitrary(s, options);
    case 'integer':
      return fc.integer({ min: s.minimum ?? -(2 ** 31), max: s.maximum ?? 2 ** 31 });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (!s.items) throw new Error('array without items');
      const min = s.minItems ?? 0;
      const max = Math.max(min, Math.min(s.maxItems ?? 10, options.maxArrayItems ?? 10));
      return fc.array(validValue(s.items, options), { minLength: min, maxLength: max });
    }
    case 'object': {
      const properties = s.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, child] of Object.entries(properties)) model[key] = validValue(child, options);
      return fc.record(model, { requiredKeys: [...(s.required ?? [])] });
    }
    default:
      throw new Error(`unsupported type ${String(s.type)}`);
  }
}

export interface Mutation {
  /** What was broken, e.g. `maxLength`. */
  readonly kind: string;
  /** The path of the broken value, as the API names it (`items[0].sku`). */
  readonly path: string;
  readonly body: unknown;
}

type Path = ReadonlyArray<string | number>;

export const formatPath = (path: Path): string =>
  path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    '',
  );

function setAt(root: unknown, path: Path, value: unknown, remove = false): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Array<string | number>];
  const copy = (Array.isArray(root) ? [...root] : { ...(root as Record<string, unknown>) }) as Record<
    string | number,
    unknown
  >;
  if (rest.length === 0 && remove) delete copy[head];
  else copy[head] = setAt(copy[head], rest, value, remove);
  return copy;
}

/** A replacement value at one location, with what it breaks. */
interface Site {
  readonly kind: string;
  readonly path: Path;
  readonly value: fc.Arbitrary<unknown>;
  readonly remove?: boolean;
  /** For an extra property: the unknown keys to add under `path`. */
  readonly extraKey?: fc.Arbitrary<string>;
}

const OTHER_TYPES: Readonly<Record<string, readonly unknown[]>> = {
  string: [42, true, null, {}, []],
  integer: ['7', true, null, {}, [], 1.5],
  number: ['7', true, null, {}, []],
  boolean: ['true', 1, null, {}, []],
  object: ['{}', 1, null, []],
  array: ['[]', 1, null, {}],
};

/** Strings that break `schema`'s pattern while keeping its length bounds (never an enum value). */
function patternBreakers(schema: JsonSchema, valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const controls = fc.constantFrom('\u0000', '\u0001', '\u0009', '\u000a', '\u001f', '\u007f');
  const fromValid = fc.tuple(valid as fc.Arbitrary<string>, controls, fc.nat()).chain(([s, c, at]) => {
    const i = s.length ? at % (s.length + 1) : 0;
    return fc.constantFrom(
      s.slice(0, i) + c + s.slice(i), // a control character inside
      `${s}!`, // a character the pattern's tail may not allow
      `#${s.slice(1)}`, // a different first character
      ' '.repeat(Math.max(1, codePointLength(s))), // blank of the same length
    );
  });
  const re = regexOf(schema) as RegExp;
  const inBounds = (s: string) => {
    const n = codePointLength(s);
    return n >= (schema.minLength ?? 0) && n <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
  };
  return fc
    .oneof(fromValid, fc.string({ unit: 'binary', maxLength: 20 }))
    .filter((s) => !re.test(s) && inBounds(s));
}

function sites(schema: JsonSchema, path: Path, options: GeneratorOptions): Site[] {
  const s = deref(schema, options);
  const out: Site[] = [];
  const other = OTHER_TYPES[s.type ?? ''];
  if (other) out.push({ kind: 'type', path, value: fc.constantFrom(...other) });
  const valid = validValue(s, options);

  if (s.type === 'string' && s.enum) {
    out.push({
      kind: 'enum',
      path,
      value: fc.oneof(fc.stringMatching(/^[A-Z]{2,3}$/), fc.string()).filter((v) => !s.enum?.includes(v)),
    });
  } else if (s.type === 'string' && s.const === undefined) {
    const re = regexOf(s);
    if (s.maxLength !== undefined) {
      const max = s.maxLength;
      out.push({
        kind: 'maxLength',
        path,
        value: (valid as fc.Arbitrary<string>)
          .map((v) => padTo(s, v, max + 1))
          .filter((v): v is string => v !== undefined && (!re || re.test(v))),
      });
    }
    if (s.minLength !== undefined && s.minLength > 0) {
      const short = 'x'.repeat(s.minLength - 1);
      // Only where the short value still matches the pattern (else two rules would break).
      if (!re || re.test(short)) out.push({ kind: 'minLength', path, value: fc.constant(short) });
    }
    if (re) out.push({ kind: 'pattern', path, value: patternBreakers(s, valid) });
  }
  if ((s.type === 'integer' || s.type === 'number') && !s.enum) {
    if (s.minimum !== undefined) out.push({ kind: 'minimum', path, value: fc.constant(s.minimum - 1) });
    if (s.maximum !== undefined) out.push({ kind: 'maximum', path, value: fc.constant(s.maximum + 1) });
  }
  if (s.type === 'array' && s.items) {
    const item = validValue(s.items, options);
    if (s.maxItems !== undefined) {
      out.push({
        kind: 'maxItems',
        path,
        value: fc.array(item, { minLength: s.maxItems + 1, maxLength: s.maxItems + 1 }),
      });
    }
    if (s.minItems !== undefined && s.minItems > 0) {
      out.push({
        kind: 'minItems',
        path,
        value: fc.array(item, { minLength: s.minItems - 1, maxLength: s.minItems - 1 }),
      });
    }
    // Inside the first item (the valid generator always makes at least minItems ≥ 1 of them).
    if ((s.minItems ?? 0) >= 1) out.push(...sites(s.items, [...path, 0], options));
  }
  if (s.type === 'object') {
    const properties = s.properties ?? {};
    for (const key of s.required ?? []) {
      out.push({ kind: 'required', path: [...path, key], value: fc.constant(undefined), remove: true });
    }
    if (s.additionalProperties === false) {
      const extraKey = fc
        .stringMatching(/^[a-z][A-Za-z0-9]{0,15}$/)
        .filter((k) => !Object.hasOwn(properties, k) && k !== '__proto__');
      out.push({ kind: 'additionalProperties', path, value: fc.constant(undefined), extraKey });
    }
    for (const [key, child] of Object.entries(properties)) out.push(...sites(child, [...path, key], options));
  }
  return out;
}

/** Bodies that break exactly one documented constraint, each with the path it broke. */
export function mutations(schema: JsonSchema, options: GeneratorOptions): fc.Arbitrary<Mutation> {
  const all = sites(schema, [], options);
  const base = validValue(schema, options);
  // Kind first, then one of its sites: rare kinds (one array, two numbers) are drawn as often as
  // the many string sites.
  const kinds = [...new Set(all.map((site) => site.kind))];
  const pick = fc
    .constantFrom(...kinds)
    .chain((kind) => fc.constantFrom(...all.filter((candidate) => candidate.kind === kind)));
  return pick.chain((site) => {
    const { extraKey } = site;
    if (extraKey) {
      // A harmless value: what is wrong is only the key.
      return fc.tuple(base, extraKey, fc.constantFrom('x', 1, true, null)).map(([body, key, value]) => ({
        kind: site.kind,
        path: formatPath([...site.path, key]),
        body: setAt(body, [...site.path, key], value),
      }));
    }
    return fc.tuple(base, site.value).map(([body, value]) => ({
      kind: site.kind,
      path: formatPath(site.path),
      body: setAt(body, site.path, value, site.remove),
    }));
  });
}

/**
 * A value of the wrong kind for almost any slot (null, numbers, booleans, empty array or object),
 * for the parity tests of the typed checks; each test adds the odd values of its own rules.
 */
export const wrongKind: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
