/**
 * Card data is never accepted: any value that looks like a payment card number — 13–19 digits,
 * Luhn-valid, written in one run or in groups separated by spaces, dashes, dots or slashes —
 * rejects the request, wherever it is in the body.
 *
 * What "looks like" covers:
 * - any Unicode decimal digits (full-width, Arabic-Indic, …), read by their digit value;
 * - groups of at least 3 digits separated by one or two non-alphanumeric characters
 *   ("4111 1111 1111 1111", "4111-1111-1111-1111", "4111.1111.1111.1111", double spaces, NBSP);
 * - a card number with other digits around it ("Flat 3 4111 1111 1111 1111", "… 12/27"): every
 *   contiguous run of groups of 13–19 digits is checked, not only the whole sequence.
 * The one exception is the customer's phone: an E.164 number ("+" then up to 15 digits) is not
 * written like a card number, and some real ones are Luhn-valid.
 */

/** A digit group, or a separator of 1–2 characters that are neither letters nor digits. */
const TOKEN = /(\p{Nd}+)|([^\p{L}\p{N}]{1,2})|([\p{L}\p{N}]|[^\p{L}\p{N}]{3,})/gu;
const MIN_GROUP = 3;

/** Start of the contiguous block of decimal digits a code point belongs to, cached per block. */
const zeroCache = new Map<number, number>();
const ND = /\p{Nd}/u;

function digitValue(ch: string): number {
  const cp = ch.codePointAt(0) ?? 48;
  if (cp >= 48 && cp <= 57) return cp - 48;
  let zero = zeroCache.get(cp);
  if (zero === undefined) {
    // Unicode decimal digits come in contiguous runs of ten, 0 to 9.
    zero = cp;
    while (ND.test(String.fromCodePoint(zero - 1))) zero--;
    zeroCache.set(cp, zero);
  }
  return (cp - zero) % 10;
}

function toAsciiDigits(group: string): string {
  let out = '';
  for (const ch of group) out += String(digitValue(ch));
  return out;
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

/** Maximal sequences of digit groups joined by short separators, as ASCII digit strings. */
function groupSequences(text: string): string[][] {
  const sequences: string[][] = [];
  let current: string[] = [];
  let pendingSeparator = false;
  const close = () => {
    if (current.length) sequences.push(current);
    current = [];
    pendingSeparator = false;
  };
  for (const match of text.matchAll(TOKEN)) {
    if (match[1] !== undefined) {
      if (current.length && !pendingSeparator) close();
      current.push(toAsciiDigits(match[1]));
      pendingSeparator = false;
    } else if (match[2] !== undefined) {
      if (pendingSeparator) close();
      else pendingSeparator = current.length > 0;
    } else {
      close();
    }
  }
  close();
  return sequences;
}

function sequenceHasCard(groups: readonly string[]): boolean {
  for (let start = 0; start < groups.length; start++) {
    let digits = '';
    for (let end = start; end < groups.length; end++) {
      const group = groups[end] as string;
      // Within a grouped number every group has at least 3 digits; a lone run may be any length.
      if (end > start && (group.length < MIN_GROUP || (groups[start] as string).length < MIN_GROUP)) break;
      digits += group;
      if (digits.length > 19) break;
      if (digits.length >= 13 && luhnValid(digits)) return true;
    }
  }
  return false;
}

/** Pure-ASCII text with fewer than 13 digits cannot hold a card number: skip the full scan. */
function fewerThan13AsciiDigits(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return false; // other scripts' digits: take the full path
    if (c >= 48 && c <= 57 && ++digits >= 13) return false;
  }
  return true;
}

/** True if the text holds something that looks like a payment card number. */
export function containsCardNumber(text: string, options: { phone?: boolean } = {}): boolean {
  if (text.length < 13) return false; // too short to hold 13 digits: most fields
  if (fewerThan13AsciiDigits(text)) return false; // the common case, without normalising
  const normalised = text.normalize('NFKC');
  if (options.phone && /^\+\p{Nd}{1,15}$/u.test(normalised)) return false;
  return groupSequences(normalised).some(sequenceHasCard);
}

const PHONE_PATH = 'customer.phone';
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

/** Walks any JSON value; returns the path of the first value that looks like a card number. */
export function findCardNumber(value: unknown, path = '', depth = 0): string | undefined {
  if (depth > MAX_DEPTH) throw new TooDeepError('The body is nested too deeply');
  if (typeof value === 'string' || typeof value === 'number') {
    return containsCardNumber(String(value), { phone: path === PHONE_PATH }) ? path || '(body)' : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findCardNumber(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (containsCardNumber(key)) return path ? `${path}.(key)` : '(key)';
      const found = findCardNumber(child, path ? `${path}.${pathKey(key)}` : pathKey(key), depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}
