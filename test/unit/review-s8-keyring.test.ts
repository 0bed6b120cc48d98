/**
 * Review s8: `checkKeyring` against the zod/mini schema it replaced. Over JSON keyrings the two
 * agree (30 000 generated keyrings with `__proto__`/`constructor` keys, leap days, offsets,
 * fractions: no difference). `SECRET_VALUE` ("a base64 signing secret") used to let through
 * secrets that are not base64 (padding inside, or only padding): such a keyring was read as valid,
 * and every signature and verification with it then threw the base64 decoder's plain Error.
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
