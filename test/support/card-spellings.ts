/**
 * fast-check generators for the card-data property tests: Luhn-valid 13–19 digit numbers in the
 * spellings people (or evaders) use, realistic values that are not card numbers, and the string
 * fields of an order — derived from the intake schema, not listed by hand.
 */
import fc from 'fast-check';
import { z } from 'zod';
import { orderRequestSchema } from '../../shared/domain/intake.js';

/** Check digit that makes `payload` + digit Luhn-valid. */
function luhnCheckDigit(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function luhnValid(digits: string): boolean {
  return luhnCheckDigit(digits.slice(0, -1)) === digits.slice(-1);
}

/** A Luhn-valid number of 13–19 ASCII digits (no leading zero, as issuer numbers have none). */
export const cardDigits: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 13, max: 19 }))
  .chain(([first, length]) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length - 2, maxLength: length - 2 }).map((rest) => {
      const payload = `${first}${rest.join('')}`;
      return payload + luhnCheckDigit(payload);
    }),
  );

/** Zero digits of decimal-digit blocks: ASCII, full-width, Arabic-Indic, Devanagari, Thai, maths… */
const DIGIT_ZEROS = [0x30, 0xff10, 0x660, 0x6f0, 0x966, 0x9e6, 0xe50, 0x1040, 0x1d7ce, 0x1d7f6];

/** Characters that render as nothing (Cf, Mn, Me, default-ignorables). */
export const INVISIBLES = [
  '\u200b', // zero-width space
  '\u200c', // zero-width non-joiner
  '\u200d', // zero-width joiner
  '\u2060', // word joiner
  '\u00ad', // soft hyphen
  '\ufeff', // byte-order mark
  '\u200e', // left-to-right mark
  '\u200f', // right-to-left mark
  '\u202a', // left-to-right embedding
  '\u202e', // right-to-left override
  '\u2066', // left-to-right isolate
  '\u2069', // pop directional isolate
  '\u2061', // function application
  '\u180e', // Mongolian vowel separator
  '\u034f', // combining grapheme joiner
  '\u0301', // combining acute accent (Mn)
  '\u20dd', // combining enclosing circle (Me)
  '\ufe0f', // variation selector 16
  '\u{e0020}', // tag space
  '\u3164', // Hangul filler
];

/** Separator characters: spaces (Unicode too), dashes, dots, slashes, underscores. */
const SPACES = [' ', '\u00a0', '\u2002', '\u2003', '\u2009', '\u202f', '\u3000', '\t'];
const MARKS = [
  '-',
  '\u2010',
  '\u2011',
  '\u2013',
  '\u2014',
  '\u2212',
  '\ufe63',
  '.',
  '\u00b7',
  '\u2024',
  '/',
  '\\',
  '\u2044',
  '_',
  '\uff3f',
];

/** 1–3 separator marks, or only spaces, optionally with spaces around: at most 8 characters. */
const separatorRun: fc.Arbitrary<string> = fc.oneof(
  fc.array(fc.constantFrom(...SPACES), { minLength: 1, maxLength: 3 }).map((s) => s.join('')),
  fc
    .tuple(
      fc.constantFrom('', ' ', '\u00a0'),
      fc.array(fc.constantFrom(...MARKS), { minLength: 1, maxLength: 3 }),
      fc.constantFrom('', ' ', '\u3000'),
    )
    .map(([before, marks, after]) => `${before}${marks.join('')}${after}`),
);

/** How the digits are grouped: groups of 3+ digits, or all groups of one shorter length. */
function groupings(length: number): fc.Arbitrary<number[]> {
  const fours = Array.from({ length: Math.floor(length / 4) }, () => 4);
  const rest = length % 4;
  if (rest >= 3) fours.push(rest);
  else if (rest > 0) fours[fours.length - 1] = 4 + rest;
  const options: fc.Arbitrary<number[]>[] = [
    fc.constant([length]),
    fc.constant(fours),
    fc.constant(Array.from({ length }, () => 1)),
    // Random groups of 3–7 digits, the last one taking what is left (at least 3).
    fc.array(fc.integer({ min: 3, max: 7 }), { minLength: 1, maxLength: 6 }).map((sizes) => {
      const out: number[] = [];
      let left = length;
      for (const size of sizes) {
        if (left - size < 3) break;
        out.push(size);
        left -= size;
      }
      out.push(left);
      return out;
    }),
  ];
  if (length === 15) options.push(fc.constant([4, 6, 5]));
  if (length === 14) options.push(fc.constant([4, 6, 4]));
  if (length % 2 === 0) options.push(fc.constant(Array.from({ length: length / 2 }, () => 2)));
  return fc.oneof(...options);
}

/** Text around the number that does not itself touch it with a digit or a "+". */
const surrounding: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.constantFrom('card ', 'Gift for ', 'Flat 3 ', 'ref: ', 'Номер ', '番号', 'n° ', 'Straße 12, '),
  fc.string({ unit: fc.constantFrom(...'abcXYZé ñ,;:()'.split('')), maxLength: 12 }).map((s) => `${s} `),
);
const trailing: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.constantFrom(' exp 12/27', ' thanks', ', CVV please', '!', ' 番号'),
);

export interface CardSpelling {
  /** The number, ASCII digits. */
  readonly digits: string;
  /** How it is written in the field. */
  readonly text: string;
}

/** A Luhn-valid number in a random spelling: separator runs, invisibles, other scripts' digits, text around. */
export const cardSpelling: fc.Arbitrary<CardSpelling> = cardDigits.chain((digits) =>
  fc
    .record({
      grouping: groupings(digits.length),
      separators: fc.array(separatorRun, { minLength: 19, maxLength: 19 }),
      scripts: fc.oneof(
        fc.constant(null),
        fc.array(fc.constantFrom(...DIGIT_ZEROS), { minLength: digits.length, maxLength: digits.length }),
        fc.constantFrom(...DIGIT_ZEROS).map((zero) => Array.from({ length: digits.length }, () => zero)),
      ),
      invisibles: fc.array(
        fc.tuple(
          fc.nat({ max: 40 }),
          fc.array(fc.constantFrom(...INVISIBLES), { minLength: 1, maxLength: 3 }),
        ),
        { maxLength: 6 },
      ),
      before: surrounding,
      after: trailing,
    })
    .map(({ grouping, separators, scripts, invisibles, before, after }) => {
      const chars = [...digits].map((d, i) =>
        scripts ? String.fromCodePoint((scripts[i] as number) + Number(d)) : d,
      );
      let pieces: string[] = [];
      let at = 0;
      grouping.forEach((size, g) => {
        if (g > 0) pieces.push(separators[g - 1] as string);
        pieces.push(...chars.slice(at, at + size));
        at += size;
      });
      // Invisibles go between any two characters of the number (or before or after it).
      for (const [position, inserted] of invisibles) {
        const p = position % (pieces.length + 1);
        pieces = [...pieces.slice(0, p), inserted.join(''), ...pieces.slice(p)];
      }
      return { digits, text: `${before}${pieces.join('')}${after}` };
    }),
);

// ---------------------------------------------------------------------------------------------
// Realistic values that are not card numbers.

const digitString = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
const alnum = (n: number) =>
  fc.string({
    unit: fc.constantFrom(...'0123456789ABCDEFGHJKLMNPRSTUVWXYZ'.split('')),
    minLength: n,
    maxLength: n,
  });
const upper = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'ABCDEFGHJKLMNPRSTUVWXYZ'.split('')), minLength: n, maxLength: n });

/** Country calling codes with their national number lengths (E.164: at most 15 digits in all). */
const CALLING_CODES: ReadonlyArray<readonly [string, number, number]> = [
  ['1', 10, 10],
  ['7', 10, 10],
  ['20', 10, 10],
  ['27', 9, 9],
  ['31', 9, 9],
  ['33', 9, 9],
  ['34', 9, 9],
  ['39', 9, 10],
  ['44', 10, 10],
  ['46', 7, 9],
  ['48', 9, 9],
  ['49', 10, 11],
  ['52', 10, 10],
  ['55', 10, 11],
  ['61', 9, 9],
  ['62', 9, 12],
  ['81', 10, 10],
  ['86', 11, 11],
  ['90', 10, 10],
  ['91', 10, 10],
  ['234', 10, 10],
  ['353', 9, 9],
  ['358', 6, 12],
  ['380', 9, 9],
  ['972', 9, 9],
];

/** E.164 numbers, compact ("+4915123456787") or with the calling code set apart ("+49 1512 3456787"). */
export const e164Phone: fc.Arbitrary<string> = fc.constantFrom(...CALLING_CODES).chain(([code, min, max]) =>
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), digitString(min - 1, max - 1), fc.boolean())
    .map(([first, rest, spaced]) => {
      const national = `${first}${rest}`;
      return spaced ? `+${code} ${national.slice(0, 2)} ${national.slice(2)}` : `+${code}${national}`;
    }),
);

export const postalCode: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(upper(2), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 0, max: 9 }), upper(2)).map(
    ([a, n, d, b]) => `${a}${n} ${d}${b}`, // GB
  ),
  digitString(5, 5), // US, DE, FR
  fc.tuple(digitString(5, 5), digitString(4, 4)).map(([a, b]) => `${a}-${b}`), // US ZIP+4
  fc.tuple(digitString(4, 4), upper(2)).map(([a, b]) => `${a} ${b}`), // NL
  fc.tuple(digitString(3, 3), digitString(4, 4)).map(([a, b]) => `${a}-${b}`), // JP
  fc.tuple(digitString(5, 5), digitString(3, 3)).map(([a, b]) => `${a}-${b}`), // BR
  digitString(6, 6), // IN, CN
  fc.constantFrom('K1A 0B1', 'D02 X285', '114 55', '00-950', '1000-001', 'SW1Y 4JH', 'EC1A 1BB'),
);

export const sku: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(upper(3), upper(4), fc.constantFrom('S', 'M', 'L', 'XL')).map(([a, b, s]) => `${a}-${b}-${s}`),
  fc.tuple(upper(3), digitString(3, 6), upper(2)).map(([a, n, b]) => `${a}-${n}-${b}`),
  fc
    .tuple(upper(2), digitString(4, 4), upper(1), digitString(4, 4))
    .map(([a, n, b, m]) => `${a}${n}${b}${m}`),
  digitString(8, 8), // EAN-8
  digitString(12, 12), // UPC-A
);

/** Tracking numbers of common carriers (UPS, USPS, Royal Mail, DHL, FedEx). */
export const trackingNumber: fc.Arbitrary<string> = fc.oneof(
  fc.constant('1Z999AA10123456784'),
  // 1Z, a 6-character shipper number ("999AA1"), a 2-digit service code, an 8-digit package number.
  fc.tuple(alnum(3), upper(2), alnum(1), digitString(10, 10)).map(([a, b, c, n]) => `1Z${a}${b}${c}${n}`),
  digitString(20, 22).map((n) => `94${n.slice(2)}`), // USPS
  fc.tuple(upper(2), digitString(9, 9)).map(([a, n]) => `${a}${n}GB`), // Royal Mail
  digitString(10, 10), // DHL Express
  digitString(12, 12), // FedEx Express
);

export const dateLike: fc.Arbitrary<string> = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .chain((d) => {
    const iso = d.toISOString();
    const [y, m, day] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
    return fc.constantFrom(
      iso,
      iso.slice(0, 10),
      `${day}/${m}/${y}`,
      `${m}/${day}/${y} ${iso.slice(11, 16)}`,
      `${day}.${m}.${y}`,
      `${y}${m}${day}`,
    );
  });

/** Order-ish references: our order ids, payment tokens, invoice and purchase-order numbers. */
export const reference: fc.Arbitrary<string> = fc.oneof(
  fc
    .string({
      unit: fc.constantFrom(...'0123456789ABCDEFGHJKMNPQRSTVWXYZ'.split('')),
      minLength: 26,
      maxLength: 26,
    })
    .map((s) => `ord_${s}`),
  fc
    .string({
      unit: fc.constantFrom(...'0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')),
      minLength: 14,
      maxLength: 24,
    })
    .map((s) => `pi_${s}`),
  fc.tuple(fc.integer({ min: 2000, max: 2099 }), digitString(6, 6)).map(([y, n]) => `INV-${y}-${n}`),
  digitString(10, 10).map((n) => `PO ${n}`),
  digitString(6, 9).map((n) => `#${n}`),
);

/** A realistic value that is not a card number, alone or inside a few words. */
export const nonCardValue: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(e164Phone, postalCode, sku, trackingNumber, dateLike, reference),
    fc.constantFrom('{}', 'Ref {} please', 'Call {} at the door', 'Tracking: {}', 'Leave with neighbour, {}'),
  )
  .map(([value, template]) => template.replace('{}', value));

// ---------------------------------------------------------------------------------------------
// The string fields of an order, from the intake schema.

interface JsonSchemaNode {
  readonly type?: string;
  readonly properties?: Record<string, JsonSchemaNode>;
  readonly items?: JsonSchemaNode;
}

/** Paths (`customer.email`, `items[0].name`, …) of every string-typed field of the intake schema. */
export function stringFieldPaths(): string[] {
  const out: string[] = [];
  const walk = (node: JsonSchemaNode, path: string) => {
    if (node.type === 'string') out.push(path);
    for (const [key, child] of Object.entries(node.properties ?? {}))
      walk(child, path ? `${path}.${key}` : key);
    if (node.items) walk(node.items, `${path}[0]`);
  };
  walk(z.toJSONSchema(orderRequestSchema) as JsonSchemaNode, '');
  return out;
}

/** A deep copy of `body` with the value at `path` (as produced by stringFieldPaths) replaced. */
export function withValueAt<T>(body: T, path: string, value: unknown): T {
  const copy = structuredClone(body) as Record<string, unknown>;
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node: Record<string, unknown> = copy;
  for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
  node[parts[parts.length - 1] as string] = value;
  return copy as T;
}
