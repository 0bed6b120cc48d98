/**
 * Card data is never accepted: any string (or number) that looks like a payment card number —
 * 13–19 digits, optionally separated by spaces or dashes, Luhn-valid — rejects the request.
 */
/** Maximal runs of digits, each separated from the next by at most one space or dash. */
const DIGIT_RUN = /\d(?:[ -]?\d)*/g;

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

/** True if the text contains a run of 13–19 digits (single spaces/dashes allowed between) that is Luhn-valid. */
export function containsCardNumber(text: string): boolean {
  if (text.length < 13) return false; // too short to hold 13 digits: most fields
  for (const match of text.matchAll(DIGIT_RUN)) {
    // An E.164 phone number (+ then up to 15 digits) is not written like a card number.
    if (match.index > 0 && text[match.index - 1] === '+') continue;
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return true;
  }
  return false;
}

/** Walks any JSON value; returns the path of the first value that looks like a card number. */
export function findCardNumber(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string' || typeof value === 'number') {
    return containsCardNumber(String(value)) ? path || '(body)' : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findCardNumber(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (containsCardNumber(key)) return path ? `${path}.(key)` : '(key)';
      const found = findCardNumber(child, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}
