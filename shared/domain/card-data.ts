/**
 * Card data is never accepted: any value that looks like a payment card number — 13–19 digits,
 * Luhn-valid, written in one run or in groups — rejects the request, wherever it is in the body.
 *
 * What "looks like" covers, so that a number cannot be spelled around the check:
 * - characters that render as nothing are removed first: format characters (Unicode category Cf:
 *   zero-width space/joiner/non-joiner, word joiner, soft hyphen, BOM, bidi marks, …), combining
 *   marks (Mn, Me), other default-ignorable code points (variation selectors, Hangul fillers, …),
 *   lone surrogates and control characters other than whitespace;
 * - the text is NFKC-normalised (full-width, mathematical and circled digits become ASCII), and
 *   any other Unicode decimal digits (Arabic-Indic, Devanagari, Thai, …) count by their value;
 * - groups of digits separated by a short run of separators: whitespace (any Unicode space) and
 *   up to 3 other non-alphanumeric characters (dashes of any kind, dots, slashes, underscores, …),
 *   at most 8 characters in all: "4111 - 1111 - 1111 - 1111", "4111__1111", "4111 -- 1111";
 * - groups of at least 3 digits ("4111 1111 1111 1111", "3782 822463 10005"), or groups all of the
 *   same shorter length ("4 1 1 1 …", "41 11 11 …");
 * - a card number with other digits around it ("Flat 3 4111 1111 1111 1111", "… 12/27"): every
 *   contiguous run of groups of 13–19 digits is checked, not only the whole sequence.
 *
 * What is not a card number:
 * - an E.164 phone number: "+" directly followed by at most 15 digits (in groups or not) and no
 *   more digits after them — some real phone numbers are Luhn-valid. Amex-shaped (15 digits,
 *   34/37) and Diners-shaped (14 digits, 300–305/36/38/39) numbers get no such excuse: no phone
 *   number of those lengths has those country codes;
 * - in `items[].sku` only: a bare GTIN-13/14 (EAN barcode) with a valid GS1 check digit.
 */

/** Rendered as nothing: removed before the scan (see above). */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  /[\p{Cf}\p{Mn}\p{Me}\p{Default_Ignorable_Code_Point}\p{Cs}\u0000-\u0008\u000e-\u001f\u007f-\u009f]/gu;
/** Letters, other numerals and spacing marks end a number; everything else may separate groups. */
const BREAKER = /[\p{L}\p{N}\p{Mc}]/u;
const DIGIT = /\p{Nd}/u;
const SPACE = /[\s\p{Z}]/u;
const MAX_SEPARATOR_MARKS = 3;
const MAX_SEPARATOR_LENGTH = 8;
const MIN_GROUP = 3;

/** Start of the contiguous block of decimal digits a code point belongs to, cached per block. */
const zeroCache = new Map<number, number>();

function digitValue(cp: number): number {
  if (cp >= 48 && cp <= 57) return cp - 48;
  let zero = zeroCache.get(cp);
  if (zero === undefined) {
    // Unicode decimal digits come in contiguous runs of ten, 0 to 9.
    zero = cp;
    while (DIGIT.test(String.fromCodePoint(zero - 1))) zero--;
    zeroCache.set(cp, zero);
  }
  return (cp - zero) % 10;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** A maximal run of digit groups joined by short separator runs. */
interface Sequence {
  readonly groups: string[];
  /** The first group directly follows a "+" (E.164 style). */
  plus: boolean;
}

/** Sequences of digit groups (as ASCII digit strings) in already cleaned text. */
function sequences(text: string): Sequence[] {
  const out: Sequence[] = [];
  let current: Sequence | undefined;
  let group = '';
  let separator = 0; // characters in the separator run since the last group
  let marks = 0; // non-space characters among them
  let previous = ''; // the character before the current one
  let plusBeforeGroup = false;
  const endGroup = () => {
    if (!group) return;
    if (current) current.groups.push(group);
    else {
      current = { groups: [group], plus: plusBeforeGroup };
      out.push(current);
    }
    group = '';
    separator = 0;
    marks = 0;
  };
  const endSequence = () => {
    endGroup();
    current = undefined;
  };
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if ((cp >= 48 && cp <= 57) || (cp > 127 && DIGIT.test(ch))) {
      if (!group) {
        if (current && (separator === 0 || separator > MAX_SEPARATOR_LENGTH || marks > MAX_SEPARATOR_MARKS))
          current = undefined;
        plusBeforeGroup = previous === '+';
      }
      group += String(digitValue(cp));
    } else if (cp > 127 ? BREAKER.test(ch) : (cp | 32) >= 97 && (cp | 32) <= 122) {
      endSequence();
    } else {
      endGroup();
      separator++;
      if (!(cp === 32 || (cp > 127 ? SPACE.test(ch) : cp >= 9 && cp <= 13))) marks++;
    }
    previous = ch;
  }
  endSequence();
  return out;
}

/** Every contiguous run of groups that joins into 13–19 digits (see the rules above). */
function sequenceHasCard(groups: readonly string[]): boolean {
  for (let start = 0; start < groups.length; start++) {
    const first = (groups[start] as string).length;
    let digits = '';
    for (let end = start; end < groups.length; end++) {
      const length = (groups[end] as string).length;
      // Groups of 3+ digits join each other; shorter groups join only groups of their own length.
      if (end > start && (first >= MIN_GROUP ? length < MIN_GROUP : length !== first)) break;
      digits += groups[end];
      if (digits.length > 19) break;
      if (digits.length >= 13 && luhnValid(digits)) return true;
    }
  }
  return false;
}

/** Amex (15 digits, 34/37) and Diners (14 digits, 300–305/36/38/39) shapes: never a phone number. */
const CARD_SHAPED = /^(?:3[47]\d{13}|3(?:0[0-5]|[689])\d{11})$/;

/** "+" then 1–15 digits starting with 1–9, and nothing more: an E.164 phone number. */
function isPhoneNumber(sequence: Sequence): boolean {
  if (!sequence.plus) return false;
  const digits = sequence.groups.join('');
  return digits.length <= 15 && digits[0] !== '0' && !CARD_SHAPED.test(digits);
}

/** A GTIN-13/14 (EAN barcode) with a valid GS1 check digit. */
export function isGtin(text: string): boolean {
  if (!/^\d{13,14}$/.test(text)) return false;
  let sum = 0;
  for (let i = text.length - 2, weight = 3; i >= 0; i--, weight = 4 - weight) sum += Number(text[i]) * weight;
  return (10 - (sum % 10)) % 10 === Number(text[text.length - 1]);
}

/**
 * NFKC turns one code point into at most 3 digits (U+2152 ⅒ → "1⁄10"; ⑪ → "11"), so text that is
 * not pure ASCII may hold 13 digits from 5 UTF-16 units on (checked over every code point in
 * test/unit/card-data.test.ts).
 */
export const MIN_UNITS_FOR_13_DIGITS_AFTER_NFKC = 5;

/**
 * False when the text cannot hold 13 digits: most fields, decided without normalising. Pure-ASCII
 * text needs 13 ASCII digits; any other text takes the full path once it is long enough to
 * normalise into 13 digits (other scripts' digits, circled numbers, invisibles between digits).
 */
function mayHoldCard(text: string): boolean {
  if (text.length < MIN_UNITS_FOR_13_DIGITS_AFTER_NFKC) return false;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return true;
    if (c >= 48 && c <= 57 && ++digits >= 13) return true;
  }
  return false;
}

/** True if the text holds something that looks like a payment card number. */
export function containsCardNumber(text: string, options: { sku?: boolean } = {}): boolean {
  if (!mayHoldCard(text)) return false;
  if (options.sku && isGtin(text)) return false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: only ASCII text skips normalising
  const cleaned = (/^[\u0000-\u007f]*$/.test(text) ? text : text.normalize('NFKC')).replace(INVISIBLE, '');
  return sequences(cleaned).some((s) => !isPhoneNumber(s) && sequenceHasCard(s.groups));
}

/** Paths whose whole value may be a GTIN barcode (`items[0].sku`, …). */
const SKU_PATH = /^items\[\d+\]\.sku$/;
const SAFE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** A submitted key as it may appear in a path: identifier-like keys only, never a value in disguise. */
export function pathKey(key: string): string {
  return SAFE_KEY.test(key) ? key : '(unknown key)';
}
const MAX_DEPTH = 32;

/** Body nested deeper than any order can be: rejected before anything walks it recursively. */
export class TooDeepError extends Error {
  override readonly name = 'TooDeepError';
}

/**
 * Walks any JSON value; returns the path of the first value that looks like a card number. The
 * path is only written out for a value that may hold one (13+ characters with 13+ digits, or
 * non-ASCII): the walk keeps the keys and indexes on a stack instead of a string per node.
 */
export function findCardNumber(value: unknown, path = '', depth = 0): string | undefined {
  const segments: Array<string | number> = [];
  const pathOf = (): string => {
    let out = path;
    for (const segment of segments) {
      if (typeof segment === 'number') out = `${out}[${segment}]`;
      else out = out ? `${out}.${pathKey(segment)}` : pathKey(segment);
    }
    return out;
  };
  const walk = (node: unknown, level: number): string | undefined => {
    if (level > MAX_DEPTH) throw new TooDeepError('The body is nested too deeply');
    if (typeof node === 'string' || typeof node === 'number') {
      const text = typeof node === 'string' ? node : String(node);
      if (!mayHoldCard(text)) return undefined; // before anything else: this runs for every value
      const at = pathOf();
      return containsCardNumber(text, { sku: SKU_PATH.test(at) }) ? at || '(body)' : undefined;
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        segments.push(i);
        const found = walk(node[i], level + 1);
        segments.pop();
        if (found) return found;
      }
      return undefined;
    }
    if (node && typeof node === 'object') {
      const object = node as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        if (containsCardNumber(key)) {
          const at = pathOf();
          return at ? `${at}.(key)` : '(key)';
        }
        segments.push(key);
        const found = walk(object[key], level + 1);
        segments.pop();
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(value, depth);
}
