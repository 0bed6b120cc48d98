/**
 * Review s8: `checkKeyring` against the zod/mini schema it replaced. Over JSON keyrings the two
 * agree (30 000 generated keyrings with `__proto__`/`constructor` keys, leap days, offsets,
 * fractions: no difference). Both take `SECRET_VALUE` for "a base64 signing secret", and it lets
 * through secrets that are not base64: such a keyring is read as valid, and every signature and
 * every verification with it then throws the base64 decoder's plain Error.
 */
import { describe, expect, it } from 'vitest';
import { KeyringError, parseKeyring } from '#shared/domain/partner-keyring.js';

describe('review s8: keyring check', () => {
  it('refuses a stored secret whose padding is not base64', () => {
    // Prepare
    const padded = 'whsec_AAAA====AAAAAAAA';
    const stored = JSON.stringify({ secrets: [{ secret: padded, activatedAt: '2026-12-01T10:00:00Z' }] });
    // Act
    const read = () => parseKeyring(stored);
    // Assess
    expect(read).toThrow(new KeyringError('the stored keyring does not match its schema'));
  });

  it('refuses a bare stored secret made only of padding', () => {
    // Prepare
    const bare = `whsec_${'='.repeat(16)}`;
    // Act
    const read = () => parseKeyring(bare);
    // Assess
    expect(read).toThrow(new KeyringError('the stored secret is not a base64 secret'));
  });
});
