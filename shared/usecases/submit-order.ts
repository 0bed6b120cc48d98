import { randomBytes } from 'node:crypto';
import type { DataKeys } from '../crypto/data-keys.js';
import type { LookupKeys } from '../crypto/lookup-keys.js';
import { findCardNumber, TooDeepError } from '../domain/card-data.js';
import { CONFIRMATION_DAYS, type ConsentEvent } from '../domain/consent.js';
import { suppressionInForce } from '../domain/email-policy.js';
import {
  CardDataError,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  ValidationError,
} from '../domain/errors.js';
import { newOrderId } from '../domain/ids.js';
import { type OrderRequest, orderRequestSchema, toProblems } from '../domain/intake.js';
import type { OrderRecord, PersonalRecord } from '../domain/order.js';
import { type PartnerScope, partnersFor } from '../domain/partner-scope.js';
import { customerRecordId, encodeFields, personalFieldsFor } from '../domain/sealing.js';
import type {
  Clock,
  ConsentStore,
  ErasureFenceStore,
  IdempotencyStore,
  OrderStore,
  Queue,
} from '../ports.js';
import { erasureRaced, fenceMark } from './erasure-fence.js';
import { fanOut } from './fan-out.js';

export interface SubmitOrderDeps {
  readonly orders: OrderStore;
  readonly idempotency: IdempotencyStore;
  readonly consent: ConsentStore;
  readonly fence: Pick<ErasureFenceStore, 'readFence'>;
  readonly queue: Queue;
  readonly dataKeys: DataKeys;
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

/** Canonical JSON (sorted keys) so the same order in another key order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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
  const parsed = orderRequestSchema.safeParse(body);
  if (!parsed.success) throw new ValidationError(toProblems(parsed.error));
  return parsed.data;
}

/**
 * Validates against the inventory's schema, seals each purpose, writes the order with single-item
 * conditional writes, and fans out. Idempotent per key: the same key and body return the same
 * order id with no further effect; a crashed first attempt is resumed by a retry after its lease.
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
  const leaseMs = (deps.settings.leaseSeconds ?? 30) * 1000;

  // The client's key is stored only as a MAC: whatever a client puts in it is never kept in clear.
  const keyMac = await deps.lookup.mac('request-mac', `idempotency-key\n${input.idempotencyKey}`);
  const candidateId = (deps.newOrderId ?? newOrderId)();
  // The erasure fence's mark, before anything personal is written (usecases/erasure-fence.ts).
  const emailKey = await deps.lookup.emailKey(order.customer.email);
  const mark = await fenceMark(deps.fence, emailKey);
  const claim = await deps.idempotency.claim(
    {
      fenceEnded: mark,
      key: keyMac,
      requestMac,
      orderId: candidateId,
      state: 'in-progress',
      leaseUntil: nowMs + leaseMs,
      expiresAt: Math.floor(nowMs / 1000) + deps.settings.idempotencyHours * 3600,
    },
    nowMs,
  );
  let orderId = candidateId;
  let attemptMark = mark;
  if (!claim.claimed) {
    const existing = claim.existing;
    if (existing.requestMac !== requestMac) throw new IdempotencyKeyReusedError();
    if (existing.state === 'done') return { orderId: existing.orderId, status: 'accepted', replayed: true };
    if (existing.leaseUntil > nowMs) throw new IdempotencyInProgressError();
    // The first attempt died mid-way: resume it under the same order id.
    const took = await deps.idempotency.takeOver(keyMac, existing.leaseUntil, nowMs + leaseMs);
    if (!took) throw new IdempotencyInProgressError();
    orderId = existing.orderId;
    // Check against the first attempt's mark: an erasure may have raced its writes. (A record from
    // before the fence existed has none: 0 is the conservative mark.)
    attemptMark = existing.fenceEnded ?? 0;
  }

  // A resumed attempt whose order record exists already wrote everything (the order is written
  // last, after the erasure-fence check): writing again would, e.g., re-grant a consent the
  // customer withdrew in between.
  const written = claim.claimed ? undefined : await deps.orders.getOrder(orderId);
  await fanOut(
    deps,
    written ?? (await acceptOrder(deps, { orderId, order, now, emailKey, mark: attemptMark })),
  );
  await deps.idempotency.complete(keyMac);
  return { orderId, status: 'accepted', replayed: !claim.claimed };
}

/**
 * Writes, in this order: the consent (opt-in only), the personal record, then — after the
 * erasure-fence check — the order record. Each write is a single-item conditional put; the order
 * record last marks the intake as complete. An erasure that raced the writes (the fence moved
 * past `mark`) makes the intake delete what it wrote: the order is then kept as one whose personal
 * data was erased (still accepted; no partner or email gets personal data for it).
 */
async function acceptOrder(
  deps: SubmitOrderDeps,
  attempt: {
    readonly orderId: string;
    readonly order: OrderRequest;
    readonly now: Date;
    readonly emailKey: string;
    readonly mark: number;
  },
): Promise<OrderRecord> {
  const { orderId, order, now, emailKey } = attempt;
  const at = now.toISOString();
  if (order.marketingOptIn) await recordCheckoutOptIn(deps, order, emailKey, now);
  const [shipping, contact] = await Promise.all([
    deps.dataKeys.seal('shipping', orderId, encodeFields(personalFieldsFor(order, 'shipping'))),
    deps.dataKeys.seal('contact', orderId, encodeFields(personalFieldsFor(order, 'contact'))),
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
    fanout: 'pending',
  };
  const personal: PersonalRecord = {
    orderId,
    emailKey,
    sealed: { shipping, contact },
    expiresAt: Math.floor(now.getTime() / 1000) + deps.settings.undeliveredDays * DAY_SECONDS,
  };
  await deps.orders.putPersonal(personal);
  if (await erasureRaced(deps.fence, emailKey, attempt.mark)) {
    // An erasure of this address began before these writes were fenced: it may have swept
    // before them. Remove them ourselves (the erasure would have removed them too).
    await deps.orders.deletePersonal(orderId);
    if (order.marketingOptIn) await deps.consent.deleteCustomer(emailKey);
  }
  await deps.orders.putOrderRecord(record);
  return record;
}

/**
 * A checkout opt-in. For an address with no suppression in force it is effective at once. For a
 * suppressed address (unsubscribe, erasure, bounce, complaint) it is recorded `unconfirmed`, and a
 * confirmation request is opened for the notification function to email — unless one is still
 * outstanding (at most one confirmation email per address per 7 days, however many checkouts a
 * stranger makes). No order id in the ledger: it would link the person to the order after the
 * order's personal data has expired.
 */
async function recordCheckoutOptIn(
  deps: SubmitOrderDeps,
  order: OrderRequest,
  emailKey: string,
  now: Date,
): Promise<void> {
  const [marketing, customer, suppression] = await Promise.all([
    deps.dataKeys.seal(
      'marketing',
      customerRecordId(emailKey),
      encodeFields(personalFieldsFor(order, 'marketing')),
    ),
    deps.consent.getCustomer(emailKey),
    deps.consent.getSuppression(emailKey),
  ]);
  const event: ConsentEvent = {
    granted: true,
    at: now.toISOString(),
    source: 'checkout',
    policyVersion: deps.settings.policyVersion,
  };
  if (!suppressionInForce(suppression, customer?.consent ?? [])) {
    await deps.consent.appendConsent(emailKey, event, marketing);
    return;
  }
  const unconfirmed: ConsentEvent = { ...event, status: 'unconfirmed' };
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const requested = await deps.consent.requestConfirmation(
    emailKey,
    unconfirmed,
    {
      id: (deps.newRequestId ?? (() => randomBytes(16).toString('base64url')))(),
      expiresAt: nowSeconds + CONFIRMATION_DAYS * DAY_SECONDS,
      email: 'requested',
    },
    marketing,
    nowSeconds,
  );
  // One request is outstanding: record the opt-in in the ledger, change nothing else.
  if (!requested) await deps.consent.appendConsent(emailKey, unconfirmed);
}
