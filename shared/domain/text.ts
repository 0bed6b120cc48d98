// The rule every free-text value obeys (order fields, a partner's tracking number), in a module of
// its own: a function that checks text bundles this and not the order check around it.

/**
 * Text: not blank, no control characters, and every surrogate in a pair. Half a pair arrives in a
 * JSON escape (`"\\ud800"`); sealed or stored as UTF-8 it would silently become U+FFFD, so it is
 * refused like a control character. Written without the `u` flag, so the published JSON Schema
 * `pattern` reads the same under either regex mode (with `u`, a pair is one code point outside the
 * surrogate range and a lone half is a code point inside it).
 */
export const FREE_TEXT_PATTERN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  /^[^\S\0-\x1f\x7f]*(?:[^\s\0-\x1f\x7f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])(?:[^\0-\x1f\x7f\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;
export const FREE_TEXT_PROBLEM = 'must not be blank, contain control characters or lone surrogates';

/** Not blank and no control character: the pattern before surrogates were checked. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const NOT_BLANK_NO_CONTROL = /^[^\S\0-\x1f\x7f]*[^\s\0-\x1f\x7f][^\0-\x1f\x7f]*$/;

/**
 * What FREE_TEXT_PATTERN accepts, as the functions check it: the short pattern and
 * `String.prototype.isWellFormed` (ES2024; Node ≥ 20) in place of the long published one, which
 * then stays out of the bundles (test/unit/order-check.test.ts holds the two to the same answers).
 */
export const isFreeText = (text: string): boolean =>
  NOT_BLANK_NO_CONTROL.test(text) && (text as unknown as { isWellFormed(): boolean }).isWellFormed();
