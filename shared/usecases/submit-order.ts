import type { SealingKeys } from '../crypto/data-keys.js';
import { freshRandom } from '../crypto/fresh-random.js';
import type { LookupKeys } from '../crypto/lookup-keys.js';
import { newRecordSecret } from '../crypto/record-envelope.js';
import { findCardNumber, TooDeepError } from '../domain/card-data.js';
import {
  CONFIRMATION_DAYS,
  CONSENT_WRITE_ATTEMPTS,
  type ConsentEvent,
  type CustomerRecord,
  confirmationCoolingDown,
  erasedAtOf,
  nextEventAt,
  type SuppressionRecord,
  sinceErasure,
  voidUntil,
} from '../domain/consent.js';
import { latestConsentEvent, optInNeedsConfirmation } from '../domain/email-policy.js';
import {
  CardDataError,
  ConsentConflictError,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  ValidationError,
} from '../domain/errors.js';
import { newOrderId } from '../domain/ids.js';
import type { OrderRecord, PersonalRecord } from '../domain/order.js';
import { checkOrderRequest } from '../domain/order-check.js';
import type { OrderRequest } from '../domain/order-request.js';
import { type PartnerScope, partnersFor } from '../domain/partner-scope.js';
import { customerRecordId, encodeFields, personalFieldsFor } from '../domain/sealing.js';
import type { Clock, ConsentStore, ErasureFenceStore, IdempotencyStore, OrderStore } from '../ports.js';
import type { RecordSecretStore } from '../record-secrets.js';
import { erasureRaced, fenceMark } from './erasure-fence.js';

export interface SubmitOrderDeps {
  readonly orders: Pick<
    OrderStore,
    | 'getOrder'
    | 'putOrderRecord'
    | 'putPersonal'
    | 'addToEmailListing'
    | 'removeFromEmailListing'
    | 'deletePersonal'
  >;
  readonly idempotency: Pick<IdempotencyStore, 'claim' | 'takeOver' | 'setMark' | 'settle'>;
  readonly consent: Pick<
    ConsentStore,
    'getCustomer' | 'appendConsent' | 'getSuppression' | 'requestConfirmation' | 'deleteCustomer'
  >;
  readonly fence: Pick<ErasureFenceStore, 'readFence'>;
  readonly dataKeys: SealingKeys;
  /** The key table: each personal record's secret, created here (and only here). */
  readonly recordSecrets: Pick<RecordSecretStore, 'claim'>;
  readonly lookup: LookupKeys;
  readonly clock: Clock;
  readonly partners: ReadonlyArray<{ readonly id: string } & PartnerScope>;
  readonly settings: {
    readonly undeliveredDays: number;
    readonly idempotencyHours: number;
    readonly policyVersion: string;
    /** How long a first attempt holds its idempotency key before a retry may take over. */
    readonly leaseSeconds?: number;
  };
  readonly newOrderId?: () => string;
  /** Id of a consent-confirmation request (16 random bytes, base64url). */
  readonly newRequestId?: () => string;
}

export interface SubmitOrderResult {
  readonly orderId: string;
  readonly status: 'accepted';
  /** True when this was a retry of an already-accepted request. */
  readonly replayed: boolean;
}

const DAY_SECONDS = 86_400;

/**
 * Canonical JSON (sorted keys) so the same order in another key order is the same request. The
 * request MAC of every stored idempotency record is over this text: it must not change. (Written
 * as loops, not `Object.entries(…).sort(…).map(…).join(…)`: the same text with far less garbage;
 * test/unit/canonical-json.test.ts checks it against the original.)
 */
export function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // An element JSON cannot write (undefined, a function) joins as nothing, as `join` does.
      out += canonical(value[i]) ?? '';
    }
    return `${out}]`;
  }
  // The default sort orders by UTF-16 code units, as `a < b` does.
  const keys = Object.keys(value).sort();
  const object = value as Record<string, unknown>;
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (i > 0) out += ',';
    out += `${quotedKey(key)}:${canonical(object[key])}`;
  }
  return `${out}}`;
}

/**
 * JSON.stringify of a key, remembered: canonical runs on validated orders, whose keys are the
 * schema's few dozen. Bounded all the same (a caller may pass anything).
 */
const QUOTED_KEYS_MAX = 256;
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < QUOTED_KEYS_MAX) quotedKeys.set(key, quoted);
  }
  return quoted;
}

export function parseOrder(body: unknown): OrderRequest {
  let cardPath: string | undefined;
  try {
    cardPath = findCardNumber(body);
  } catch (error) {
    if (error instanceof TooDeepError) {
      throw new ValidationError([{ path: '(body)', message: 'is nested too deeply' }], { cause: error });
    }
    throw error;
  }
  if (cardPath) throw new CardDataError(cardPath);
  const checked = checkOrderRequest(body);
  if ('problems' in checked) throw new ValidationError(checked.problems);
  return checked.order;
}

/** How long an intake's idempotency claim is its own before a retry may take it over (default). */
export const INTAKE_LEASE_SECONDS = 30;

/**
 * Validates against the inventory's schema, seals each purpose and writes the order with
 * single-item conditional writes; the fan-out runs after the write (the order table's stream in
 * AWS, the local runner locally; the outbox sweeper behind both). Idempotent per key: the same key
 * and body return the same order id with no further effect; a crashed first attempt is resumed by
 * a retry after its lease.
 *
 * DynamoDB round trips at steady state (requests in one round run in parallel):
 *
 * 1. the erasure fence's mark ∥ the idempotency claim (open: in the sharded `byIntake` index, with
 *    the keyed email hash and the opt-in) ∥ the candidate order's record secret;
 * 2. the personal record ∥ its keyed email's listing (`EMAILPII#`, read consistently by erase) ∥
 *    the mark stored on the idempotency record (`setMark`) — and for an opt-in the customer secret
 *    ∥ customer record ∥ suppression, read only now, after the mark;
 * 3. (opt-in only) the consent write;
 * 4. the fence re-read (did an erasure race the writes?);
 * 5. the order record: its existence marks the intake complete (no idempotency `complete`) ∥ the
 *    claim settled (out of `byIntake`: its fence re-check has run).
 *
 * Four for an order without opt-in, five with one. An intake that dies between its first personal
 * write and its settle leaves an open claim: after its lease, the intake sweep
 * (usecases/sweep-intakes.ts) applies the fence re-check it did not get to.
 */
export async function submitOrder(
  deps: SubmitOrderDeps,
  input: { readonly idempotencyKey: string; readonly body: unknown },
): Promise<SubmitOrderResult> {
  const order = parseOrder(input.body);
  await deps.lookup.ensureKey();
  const requestMac = await deps.lookup.mac('request-mac', canonical(order));
  const now = deps.clock.now();
  const nowMs = now.getTime();
  const leaseMs = (deps.settings.leaseSeconds ?? INTAKE_LEASE_SECONDS) * 1000;
  const expiresAt = Math.floor(nowMs / 1000) + deps.settings.undeliveredDays * DAY_SECONDS;

  // The client's key is stored only as a MAC: whatever a client puts in it is never kept in clear.
  const keyMac = await deps.lookup.mac('request-mac', `idempotency-key\n${input.idempotencyKey}`);
  const candidateId = (deps.newOrderId ?? newOrderId)();
  const emailKey = await deps.lookup.emailKey(order.customer.email);
  // Round 1. The fence's mark is read before anything personal is written (erasure-fence.ts); the
  // claim and the record secret are not personal. The secret goes to the key table before anything
  // sealed with it is written.
  const [mark, claim, candidateSecret] = await Promise.all([
    fenceMark(deps.fence, emailKey),
    deps.idempotency.claim(
      {
        key: keyMac,
        requestMac,
        orderId: candidateId,
        state: 'in-progress',
        leaseUntil: nowMs + leaseMs,
        expiresAt: Math.floor(nowMs / 1000) + deps.settings.idempotencyHours * 3600,
        emailKey,
        optIn: order.marketingOptIn,
      },
      nowMs,
    ),
    deps.recordSecrets.claim(candidateId, newRecordSecret(), expiresAt, now),
  ]);
  if (claim.claimed) {
    await acceptOrder(deps, {
      orderId: candidateId,
      order,
      now,
      expiresAt,
      emailKey,
      mark,
      secret: candidateSecret,
      claimKey: keyMac,
      storeMark: true,
    });
    return { orderId: candidateId, status: 'accepted', replayed: false };
  }

  // A retry. The candidate's secret is left to expire with its TTL (the key table's `t`, and the
  // purge's sweep): it seals nothing, and deleting it would cost the intake a grant and a request.
  const existing = claim.existing;
  const replay = { orderId: existing.orderId, status: 'accepted', replayed: true } as const;
  if (existing.requestMac !== requestMac) throw new IdempotencyKeyReusedError();
  if (existing.state === 'done') return replay;
  if (existing.leaseUntil > nowMs) {
    // The order record is written last: if it exists, the first attempt is complete.
    if (await deps.orders.getOrder(existing.orderId)) return replay;
    throw new IdempotencyInProgressError();
  }
  // The first attempt died, or finished without our knowing: take over, then look.
  // Open again (the intake sweep may have settled it): this attempt, too, may die before its re-check.
  const took = await deps.idempotency.takeOver(keyMac, existing.leaseUntil, nowMs + leaseMs, {
    emailKey,
    optIn: order.marketingOptIn,
  });
  if (!took) throw new IdempotencyInProgressError();
  // A resumed attempt whose order record exists already wrote everything (the order is written
  // last, after the erasure-fence check): writing again would, e.g., re-grant a consent the
  // customer withdrew in between.
  if (await deps.orders.getOrder(existing.orderId)) return replay;
  // Resume under the same order id, with the first attempt's secret, checked against the first
  // attempt's mark: an erasure may have raced its writes. No mark stored (it died before `setMark`
  // landed, or the record predates the fence): 0, the conservative mark.
  const secret = await deps.recordSecrets.claim(
    existing.orderId,
    newRecordSecret(),
    expiresAt,
    deps.clock.now(),
  );
  await acceptOrder(deps, {
    orderId: existing.orderId,
    order,
    now,
    expiresAt,
    emailKey,
    mark: existing.fenceEnded ?? 0,
    secret,
    claimKey: keyMac,
  });
  return replay;
}

/**
 * Writes, in this order: the personal record and its keyed email's listing (with, for a first
 * attempt, its fence mark on the idempotency record), the consent (opt-in only), then — after the
 * erasure-fence check — the order record, beside the claim's settle. Each write is a single-item
 * (conditional) write; the order record last marks the intake as complete. An erasure that raced
 * the writes (the fence moved past `mark`) makes the intake delete what it wrote: the order is then
 * kept as one whose personal data was erased (still accepted; no partner or email gets personal
 * data for it).
 *
 * The personal record may go out beside `setMark`: if the process dies before the mark lands, a
 * resume uses mark 0, which counts every erasure ever begun as a race. Every later personal write
 * waits for the mark to be stored.
 */
async function acceptOrder(
  deps: SubmitOrderDeps,
  attempt: {
    readonly orderId: string;
    readonly order: OrderRequest;
    readonly now: Date;
    readonly expiresAt: number;
    readonly emailKey: string;
    readonly mark: number;
    readonly secret: Uint8Array;
    /** The idempotency record: settled at the end; and its `mark` stored, for a first attempt. */
    readonly claimKey: string;
    /** Store `mark` on it (a first attempt only; a resume keeps the stored one). */
    readonly storeMark?: boolean;
  },
): Promise<OrderRecord> {
  const { orderId, order, now, emailKey, expiresAt, secret } = attempt;
  const at = now.toISOString();
  const [shipping, contact] = await Promise.all([
    deps.dataKeys.seal('shipping', orderId, encodeFields(personalFieldsFor(order, 'shipping')), {
      secret,
      singleUse: true,
    }),
    deps.dataKeys.seal('contact', orderId, encodeFields(personalFieldsFor(order, 'contact')), {
      secret,
      singleUse: true,
    }),
  ]);
  const country = order.shippingAddress.country;
  const record: OrderRecord = {
    orderId,
    createdAt: at,
    updatedAt: at,
    status: 'accepted',
    items: order.items.map(({ sku, name, quantity, unitPrice }) => ({ sku, name, quantity, unitPrice })),
    currency: order.currency,
    country,
    paymentReference: order.paymentReference,
    trackingNumber: null,
    trackingUrl: null,
    deliveredAt: null,
    deliveries: Object.fromEntries(
      partnersFor(deps.partners, country).map((p) => [p.id, { state: 'pending', updatedAt: at }]),
    ),
    emails: {},
    processedEvents: [],
    outbox: 'pending',
  };
  const personal: PersonalRecord = {
    orderId,
    emailKey,
    sealed: { shipping, contact },
    expiresAt,
  };
  // Round 2. The opt-in's reads come after the mark, never beside it: an erasure that ended before
  // the mark wrote its suppression before it ended, so these reads see it. The customer's secret is
  // claimed here too, not in round 1: an erasure that ended between a round-1 claim and the mark
  // would have shredded the secret handed back. (It outlives orders: no expiry; erasure shreds it.)
  const [, , , optIn] = await Promise.all([
    deps.orders.putPersonal(personal),
    deps.orders.addToEmailListing(emailKey, orderId, now),
    attempt.storeMark ? deps.idempotency.setMark(attempt.claimKey, attempt.mark) : undefined,
    order.marketingOptIn
      ? Promise.all([
          deps.recordSecrets.claim(customerRecordId(emailKey), newRecordSecret(), undefined, now),
          deps.consent.getCustomer(emailKey),
          deps.consent.getSuppression(emailKey),
        ])
      : undefined,
  ]);
  // Round 3 (opt-in only).
  if (optIn) {
    const [customerSecret, customer, suppression] = optIn;
    await recordCheckoutOptIn(deps, order, emailKey, now, customerSecret, customer, suppression);
  }
  if (await erasureRaced(deps.fence, emailKey, attempt.mark)) {
    // An erasure of this address began before these writes were fenced: it may have swept
    // before them. Remove them ourselves (the erasure would have removed them too).
    // Its listing too: the erasure cleared the listings before this ADD may have landed, and
    // it said the order records are no longer linked to the person.
    await Promise.all([
      deps.orders.deletePersonal(orderId),
      deps.orders.removeFromEmailListing(emailKey, orderId, now),
    ]);
    if (order.marketingOptIn) await deps.consent.deleteCustomer(emailKey);
  }
  // The fence re-check has run: the claim leaves the intake sweep's index with the order's write.
  await Promise.all([deps.orders.putOrderRecord(record), deps.idempotency.settle(attempt.claimKey)]);
  return record;
}

/**
 * A checkout opt-in. For an address with no suppression in force (and no opt-out as the ledger's
 * latest word) it is effective at once. For a suppressed address (unsubscribe, erasure, bounce,
 * complaint) it is recorded `unconfirmed`, and a confirmation request is opened for the
 * notification function to email — unless one is still outstanding or cooling down (at most one
 * unanswered confirmation email per address per 7 days, however many checkouts a stranger makes;
 * the owner's confirmation and an erasure end the cooldown). No order id in the ledger: it would link the person to the order after the
 * order's personal data has expired.
 */
async function recordCheckoutOptIn(
  deps: SubmitOrderDeps,
  order: OrderRequest,
  emailKey: string,
  now: Date,
  secret: Uint8Array,
  customer: CustomerRecord | undefined,
  suppression: SuppressionRecord | undefined,
): Promise<void> {
  let sealed: Uint8Array | undefined;
  const marketing = async () => {
    sealed ??= await deps.dataKeys.seal(
      'marketing',
      customerRecordId(emailKey),
      encodeFields(personalFieldsFor(order, 'marketing')),
      { secret, singleUse: false },
    );
    return sealed;
  };
  for (let attempt = 1; attempt <= CONSENT_WRITE_ATTEMPTS; attempt++) {
    // The ledger changed under the grant (an opt-out or a confirmation landed): decide again.
    if (attempt > 1)
      [customer, suppression] = await Promise.all([
        deps.consent.getCustomer(emailKey),
        deps.consent.getSuppression(emailKey),
      ]);
    if (await optInOnce(deps, emailKey, now, marketing, customer, suppression)) return;
  }
  throw new ConsentConflictError(CONSENT_WRITE_ATTEMPTS);
}

/**
 * One read-decide-write of a checkout opt-in; false when the effective grant's conditional write
 * found the ledger changed since `customer` was read (nothing written). Without that condition an
 * opt-out landing in between would be followed by this grant, and the address would hold a
 * marketing contact after its owner withdrew it.
 */
async function optInOnce(
  deps: SubmitOrderDeps,
  emailKey: string,
  now: Date,
  marketing: () => Promise<Uint8Array>,
  customer: CustomerRecord | undefined,
  suppression: SuppressionRecord | undefined,
): Promise<boolean> {
  // What an order table restored from before the address's last erasure brought back (a ledger,
  // a request, a cooldown) decides nothing: "a checkout by them later starts afresh".
  const erasedAt = erasedAtOf(suppression);
  const current = sinceErasure(customer, erasedAt);
  const stored = customer?.consent ?? [];
  const ledger = current?.consent ?? [];
  const suppressed = optInNeedsConfirmation(suppression, ledger);
  // A checkout opt-in that repeats the ledger's state writes nothing: the ledger grows by one
  // entry per checkout otherwise, and a stranger's checkouts with an address would take its
  // customer record to DynamoDB's 400 KB item limit, where every opt-in intake for it dies after
  // its personal write. Repeats: an effective grant under the same policy (not suppressed), or an
  // unconfirmed checkout opt-in last in the ledger while its confirmation request is outstanding,
  // or cooling down after an opt-out withdrew it (suppressed: once the 7 days are up, the next
  // checkout asks again).
  const outstanding = confirmationCoolingDown(current, Math.floor(now.getTime() / 1000));
  if (repeatsLedger(ledger, suppressed && outstanding, suppressed, deps.settings.policyVersion)) return true;
  const event: ConsentEvent = {
    granted: true,
    at: nextEventAt(now, stored),
    source: 'checkout',
    policyVersion: deps.settings.policyVersion,
  };
  if (!suppressed) return deps.consent.appendConsent(emailKey, event, await marketing(), stored.length);
  const unconfirmed: ConsentEvent = { ...event, status: 'unconfirmed' };
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const requested = await deps.consent.requestConfirmation(
    emailKey,
    unconfirmed,
    {
      id: (deps.newRequestId ?? (() => freshRandom(16).toString('base64url')))(),
      expiresAt: nowSeconds + CONFIRMATION_DAYS * DAY_SECONDS,
      email: 'requested',
    },
    await marketing(),
    // A request or cooldown from before the erasure (restored with the table) is void: it does
    // not stand in the new request's way.
    erasedAt === undefined ? nowSeconds : Math.max(nowSeconds, voidUntil(erasedAt)),
  );
  // One request is outstanding: record the opt-in in the ledger (not effective), change nothing
  // else — only if the ledger is still as read. Where another write landed since (a concurrent
  // checkout's request or entry, an opt-out, a confirmation), the ledger already holds a newer
  // word than this ineffective entry would add, and it is dropped like a repeat: a burst of a
  // stranger's concurrent checkouts adds one entry, not one each, and never fails an intake.
  if (!requested) await deps.consent.appendConsent(emailKey, unconfirmed, undefined, stored.length);
  return true;
}

/** Whether a checkout opt-in under `policyVersion` would only repeat the ledger's state. */
function repeatsLedger(
  ledger: readonly ConsentEvent[],
  outstanding: boolean,
  suppressed: boolean,
  policyVersion: string,
): boolean {
  if (!suppressed) {
    const latest = latestConsentEvent(ledger);
    return latest?.granted === true && latest.policyVersion === policyVersion;
  }
  const last = ledger.at(-1);
  return (
    outstanding &&
    last?.status === 'unconfirmed' &&
    last.granted &&
    last.source === 'checkout' &&
    last.policyVersion === policyVersion
  );
}
