/**
 * `GET/POST /consent/confirm?token=…`: the owner of an address confirms a renewed opt-in
 * (email.md, "A person's word is final"). GET only checks the token (shape, signature, expiry) and
 * changes nothing. POST records a `confirmed` consent event with one conditional write on the
 * customer record, which holds only while the token's request is outstanding and unexpired and
 * closes the request: a used, superseded, expired or erased request changes nothing, and of two
 * concurrent POSTs exactly one records the event.
 *
 * A request opened at or before the address's last erasure (the key table's mark) is refused as
 * used: the erasure deleted it, so finding it means the order table was restored from a backup
 * taken before the erasure, and its link must not work again. An erasure after this check deletes
 * the request, so the conditional write then fails as for any erased request.
 */

import { openedBeforeErasure } from '../domain/consent.js';
import {
  type ConsentTokenClaims,
  type ConsentTokenSigner,
  InvalidConsentTokenError,
  verifyConsentToken,
} from '../domain/consent-token.js';
import type { Clock, ConsentStore } from '../ports.js';
import type { ErasureMarks } from '../record-secrets.js';

export interface ConfirmConsentDeps {
  readonly consent: Pick<ConsentStore, 'confirmConsent'>;
  /** The key table, for its erasure marks (a request from before the address's last erasure is void). */
  readonly recordSecrets: Pick<ErasureMarks, 'erasedAt'>;
  readonly lookup: ConsentTokenSigner;
  readonly clock: Clock;
  readonly settings: { readonly policyVersion: string };
}

const nowSeconds = (clock: Clock) => Math.floor(clock.now().getTime() / 1000);

/** GET: throws InvalidConsentTokenError for a malformed, tampered or expired token. */
export function checkConsentToken(
  deps: Pick<ConfirmConsentDeps, 'lookup' | 'clock'>,
  token: unknown,
): Promise<ConsentTokenClaims> {
  return verifyConsentToken(deps.lookup, token, nowSeconds(deps.clock));
}

/** POST: records the confirmation, or throws InvalidConsentTokenError (`used` when the write's condition failed). */
export async function confirmConsent(deps: ConfirmConsentDeps, token: unknown): Promise<'confirmed'> {
  const now = nowSeconds(deps.clock);
  const claims = await verifyConsentToken(deps.lookup, token, now);
  if (openedBeforeErasure(claims.expiresAt, await deps.recordSecrets.erasedAt(claims.emailKey)))
    throw new InvalidConsentTokenError('used');
  const recorded = await deps.consent.confirmConsent(
    claims.emailKey,
    claims.requestId,
    {
      granted: true,
      at: deps.clock.now().toISOString(),
      source: 'confirmation',
      policyVersion: deps.settings.policyVersion,
      status: 'confirmed',
    },
    now,
  );
  if (!recorded) throw new InvalidConsentTokenError('used');
  return 'confirmed';
}
