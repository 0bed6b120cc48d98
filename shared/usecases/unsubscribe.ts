/**
 * One-click opt-out (RFC 8058) and the opt-out bookkeeping shared with SES bounce/complaint
 * feedback: a consent-ledger event, removal of the sealed marketing contact, and a suppression
 * entry keyed only by the keyed email hash.
 *
 * Idempotent: an opt-out event is appended only when it changes something (the latest effective
 * event was an opt-in, a sealed marketing contact or a pending confirmation request is present, or
 * there is neither a ledger nor a suppression yet — a transactional-only customer's first opt-out
 * is recorded too); the suppression
 * is written only when none is in force or the new reason is stronger (a bounce after an
 * unsubscribe is recorded as a bounce). Repeating a request therefore changes nothing.
 *
 * The writes are fenced against a concurrent erasure of the address (erasure-fence.ts): when one
 * raced them, the ledger this wrote is deleted again and the suppression is left as an erasure.
 */
import {
  CONSENT_WRITE_ATTEMPTS,
  type ConsentSource,
  nextEventAt,
  type SuppressionRecord,
} from '../domain/consent.js';
import { latestConsentEvent, suppressionInForce } from '../domain/email-policy.js';
import { ConsentConflictError } from '../domain/errors.js';
import {
  type UnsubscribeTokenClaims,
  type UnsubscribeTokenSigner,
  verifyUnsubscribeToken,
} from '../domain/unsubscribe-token.js';
import type { Clock, ConsentStore, ErasureFenceStore } from '../ports.js';
import { erasureRaced, fenceMark } from './erasure-fence.js';

export interface OptOutDeps {
  readonly consent: Pick<
    ConsentStore,
    'getCustomer' | 'appendConsent' | 'getSuppression' | 'putSuppression' | 'deleteCustomer'
  >;
  readonly fence: Pick<ErasureFenceStore, 'readFence'>;
  readonly clock: Clock;
  readonly settings: { readonly policyVersion: string };
}

export interface UnsubscribeDeps extends OptOutDeps {
  readonly lookup: UnsubscribeTokenSigner;
}

export type OptOutReason = Exclude<SuppressionRecord['reason'], 'erasure'>;

const SOURCE: Readonly<Record<OptOutReason, ConsentSource>> = {
  unsubscribe: 'unsubscribe-link',
  bounce: 'bounce',
  complaint: 'complaint',
};

/** Stronger reasons replace weaker ones in the single suppression entry of an address. */
const STRENGTH: Readonly<Record<SuppressionRecord['reason'], number>> = {
  unsubscribe: 1,
  complaint: 2,
  bounce: 3,
  erasure: 3,
};

export type OptOutOutcome = 'recorded' | 'unchanged';

/** Records that `emailKey` opted out (or bounced / complained); see the module comment. */
export async function recordOptOut(
  deps: OptOutDeps,
  emailKey: string,
  reason: OptOutReason,
): Promise<OptOutOutcome> {
  for (let attempt = 1; attempt <= CONSENT_WRITE_ATTEMPTS; attempt++) {
    const outcome = await optOutOnce(deps, emailKey, reason);
    if (outcome !== 'ledger-changed') return outcome;
  }
  throw new ConsentConflictError(CONSENT_WRITE_ATTEMPTS);
}

/**
 * One read-decide-write of an opt-out. The ledger event is appended only if the ledger is still
 * as read (one conditional write): a confirmation or a checkout landing in between makes it
 * `ledger-changed`, nothing written, and the caller decides again on a fresh read — so the opt-out
 * is judged on, and dated after, everything the ledger holds when it lands.
 */
async function optOutOnce(
  deps: OptOutDeps,
  emailKey: string,
  reason: OptOutReason,
): Promise<OptOutOutcome | 'ledger-changed'> {
  const [customer, suppression, mark] = await Promise.all([
    deps.consent.getCustomer(emailKey),
    deps.consent.getSuppression(emailKey),
    fenceMark(deps.fence, emailKey),
  ]);
  const ledger = customer?.consent ?? [];
  const latest = latestConsentEvent(ledger);
  const at = nextEventAt(deps.clock.now(), ledger);

  const inForce = suppressionInForce(suppression, ledger);
  // No ledger but a suppression in force (e.g. the customer was erased): nothing to withdraw, and
  // no new record about the person is created.
  // A pending confirmation request is withdrawn too (the owner may unsubscribe from that very email).
  const appendEvent = customer
    ? (latest?.granted ?? true) ||
      customer.marketing !== undefined ||
      customer.pendingMarketing !== undefined ||
      customer.confirmation !== undefined
    : !inForce;
  const stronger = !inForce || STRENGTH[reason] > STRENGTH[suppression.reason];
  // A recorded opt-out always writes its suppression, keeping the stronger reason. (Since the
  // ledger append is conditional, a confirmation that lifted the suppression read above fails the
  // append and this is decided again; the write when nothing is stronger rewrites the entry.)
  const writeSuppression = appendEvent || stronger;
  // A kept reason keeps its time too: an erasure's entry (and the key table's mark) is dated by
  // the erasure, which later reads take as the time of the erasure (erasedAtOf). The entry read
  // is current: a confirmation lifting it since would have failed the ledger append below.
  const keep = !stronger && suppression !== undefined;
  const suppressionReason = keep ? suppression.reason : reason;
  const suppressionAt = keep ? suppression.at : at;

  if (appendEvent) {
    const appended = await deps.consent.appendConsent(
      emailKey,
      { granted: false, at, source: SOURCE[reason], policyVersion: deps.settings.policyVersion },
      null,
      ledger.length,
    );
    if (!appended) return 'ledger-changed';
  }
  if (writeSuppression)
    await deps.consent.putSuppression({ emailKey, reason: suppressionReason, at: suppressionAt });
  if (writeSuppression && (await erasureRaced(deps.fence, emailKey, mark))) {
    // An erasure raced these writes and may have swept before them: undo what it would have removed.
    if (appendEvent) await deps.consent.deleteCustomer(emailKey);
    await deps.consent.putSuppression({ emailKey, reason: 'erasure', at });
  }
  return writeSuppression ? 'recorded' : 'unchanged';
}

/** GET /unsubscribe: only checks the token (a GET never changes anything). */
export function checkUnsubscribeToken(
  deps: Pick<UnsubscribeDeps, 'lookup'>,
  token: unknown,
): Promise<UnsubscribeTokenClaims> {
  return verifyUnsubscribeToken(deps.lookup, token);
}

/** POST /unsubscribe: a bad token throws InvalidUnsubscribeTokenError before anything is read or written. */
export async function unsubscribe(deps: UnsubscribeDeps, token: unknown): Promise<OptOutOutcome> {
  const claims = await verifyUnsubscribeToken(deps.lookup, token);
  return recordOptOut(deps, claims.emailKey, 'unsubscribe');
}
