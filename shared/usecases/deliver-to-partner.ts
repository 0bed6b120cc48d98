/**
 * Delivers one accepted order to one fulfilment partner: open only the purposes the partner's
 * fields need → project (deny by default) → validate against the partner's strict schema → sign
 * (Standard Webhooks) → POST. The caller (an SQS consumer) acts on the outcome: ack, retry later
 * with the returned delay, or let the message dead-letter.
 *
 * - `webhook-id` is derived from order id, partner id and message type only, so it is the same on
 *   every retry and after a redrive: partners deduplicate on it (at-least-once delivery).
 * - Retries use exponential backoff with "equal jitter": the n-th retry waits a random time in
 *   [c/2, c] where c = min(cap, base · 2^(n−1)). Half of each step is guaranteed, so the whole
 *   schedule has a lower bound (≥ 24 h with the AWS defaults: base 30 s, cap 12 h, 16 attempts);
 *   the other half is random, so retries of many messages after an outage do not arrive in step.
 * - Personal data that is gone (expired or erased) when a partner needs it: the delivery is marked
 *   `failed` and acknowledged; retrying cannot bring the data back, and nothing partial is sent.
 * - A partner that answers `410 Gone` is disabled (partner-gone.ts): this message and every later
 *   one is held, not sent and not dead-lettered, until `minimis partner enable` sends them.
 * - A replay (`minimis replay`) is sent even when the delivery is recorded as delivered: same
 *   `webhook-id`, fresh timestamp, payload projected anew from the data held now.
 * - Write-ahead disclosure: a webhook that carries personal fields is entered in the order's
 *   ledger (`purpose-opened`, `sending`) BEFORE it is POSTed, by an append conditional on the
 *   ledger's tip that is refused once the ledger holds `erased` (disclosure-ledger.ts
 *   `writeAheadOf`). An erasure chains `erased` and picks the partners to redact from the same
 *   ledger (certify-erasure.ts), so every interleaving ends one of two ways: the entry is before
 *   `erased` and the partner is asked to redact, or the append is refused and nothing is sent (the
 *   delivery is marked failed, `personal data gone`). The POST starts within INTENT_BUDGET_MS of
 *   the entry's time or not at all (a slow write is retried instead), so a webhook still on its way
 *   is over by the entry's time + INTENT_BUDGET_MS + the timeout: the redaction waits that long for
 *   an unsettled `sending` (deliver-redaction.ts) and never overtakes the data it redacts.
 *   Each attempt writes its own entries once (a retry is a new disclosure); the outcome (`sent`,
 *   `acknowledged`) rides on the delivery-state write as before. A webhook without personal fields
 *   (the warehouse) needs no entry ahead: it is recorded after the answer, as before.
 */

import { createHash, randomUUID } from 'node:crypto';
import { deliveryMessage } from '../contracts/messages.js';
import type { DataKeys } from '../crypto/data-keys.js';
import { fieldsInPayload } from '../domain/disclosed-fields.js';
import { OrderErasedError } from '../domain/errors.js';
import { base32 } from '../domain/ids.js';
import type { LedgerEvent, Mac } from '../domain/ledger.js';
import type { OrderRecord } from '../domain/order.js';
import { signedWebhookHeaders } from '../domain/partner-keyring.js';
import { type PartnerScope, partnerServes } from '../domain/partner-scope.js';
import { PAYLOAD_TYPES, type ProjectionPartner, projectFor } from '../domain/projections.js';
import { decodeFields, type PersonalFields } from '../domain/sealing.js';
import { FIELDS, type FieldDeclaration, type Purpose, purposesForFields } from '../inventory.js';
import type { LedgerAppend, LedgerStore } from '../ledger-ports.js';
import type { Clock, OrderStore, PartnerClient, PartnerStateStore, SecretStore } from '../ports.js';
import { appendOf, writeAheadOf } from './disclosure-ledger.js';
import { GONE_STATUS, holdMessage } from './partner-gone.js';

/** SQS allows at most 12 hours of visibility per change: the cap of one backoff step. */
export const MAX_RETRY_DELAY_SECONDS = 43_200;

/**
 * The longest time from a write-ahead `sending` entry's time to the start of its POST: an attempt
 * whose ledger write took longer does not POST (it is retried, with a new entry).
 */
export const INTENT_BUDGET_MS = 5_000;

/** Allowance for the clocks of two functions (NTP-synchronised) not showing the same time. */
export const CLOCK_SKEW_MS = 2_000;

/**
 * Until when a webhook entered as `sending` at `at` may still be arriving at the partner: its POST
 * starts within INTENT_BUDGET_MS and is abandoned after the partner timeout.
 */
export function inFlightUntil(at: string, timeoutMs: number): number {
  return Date.parse(at) + INTENT_BUDGET_MS + timeoutMs + CLOCK_SKEW_MS;
}

export interface DeliveryPartner extends ProjectionPartner, PartnerScope {
  readonly url: string;
}

export interface RetryPolicy {
  readonly baseDelaySeconds: number;
  /** Cap of one step. @default MAX_RETRY_DELAY_SECONDS (12 h) */
  readonly maxDelaySeconds?: number;
}

export interface DeliverDeps {
  readonly orders: Pick<OrderStore, 'getOrder' | 'getPersonal' | 'setDeliveryState'>;
  readonly dataKeys: Pick<DataKeys, 'open'>;
  readonly secrets: SecretStore;
  readonly partnerClient: PartnerClient;
  /** Enabled/disabled partners (410 Gone) and their held messages. */
  readonly partnerState: PartnerStateStore;
  readonly clock: Clock;
  readonly partners: readonly DeliveryPartner[];
  readonly settings: RetryPolicy & {
    readonly originCountry: string;
    /** A partner must answer 2xx within this time. */
    readonly timeoutMs: number;
  };
  /** Uniform [0, 1) source for the jitter. @default Math.random */
  readonly random?: () => number;
  /**
   * The disclosure ledger (ledger key MAC and store). A webhook with personal fields costs one
   * write ahead of its POST (purposes opened, `sending`); the outcome (`sent`, `acknowledged`)
   * rides on the delivery-state write; a failed attempt that will be retried (no state update of
   * its own) costs one more write. @default no ledger (unit tests of other concerns)
   */
  readonly disclosures?: { readonly mac: Mac; readonly store: Pick<LedgerStore, 'appendLedger'> };
}

export interface DeliverInput {
  readonly orderId: string;
  readonly partnerId: string;
  /** 1 on the first attempt (SQS ApproximateReceiveCount). */
  readonly receiveCount: number;
  /** The attempt at which a failure is final (the queue's maxReceiveCount). */
  readonly maxAttempts: number;
  /** A replay: send even if the delivery is recorded as delivered. */
  readonly replay?: boolean;
}

/**
 * The log message of a delivery that cannot be made because the order's personal data is gone
 * (erased, expired, or its intake raced an erasure): an accepted order a partner never receives.
 * A metric filter on it alarms the operators (infra/constructs/partner-delivery.ts).
 */
export const PERSONAL_DATA_GONE_LOG = 'personal data gone; delivery marked failed';

/** Why an attempt failed: an HTTP status, or an error class name. Never a value from a payload. */
export type FailureReason = { readonly status: number } | { readonly error: string };

export type DeliverOutcome =
  | { readonly outcome: 'delivered'; readonly webhookId: string; readonly status: number }
  /** The partner already has it (a duplicate message or a redrive after success): not re-sent. */
  | { readonly outcome: 'already-delivered' }
  /** No such order (should not happen): nothing to send, acknowledge. */
  | { readonly outcome: 'order-not-found' }
  /** The order's destination is not served by this partner: it never gets the order. */
  | { readonly outcome: 'not-for-partner' }
  /** The partner needs personal data that has expired or was erased: marked failed, acknowledge. */
  | { readonly outcome: 'personal-data-gone' }
  /** Try again after `delaySeconds`. */
  | {
      readonly outcome: 'retry';
      readonly attempt: number;
      readonly delaySeconds: number;
      readonly reason: FailureReason;
    }
  /** The last attempt failed: marked failed; the message is left to dead-letter (redrivable). */
  | { readonly outcome: 'gave-up'; readonly attempt: number; readonly reason: FailureReason }
  /**
   * The partner is disabled (it answered 410 Gone): the message is held until it is enabled, the
   * delivery shows `pending`. `disabled` is true when this very attempt got the 410.
   */
  | { readonly outcome: 'held'; readonly webhookId: string; readonly disabled: boolean };

/**
 * The Standard Webhooks message id of a delivery: the same for every attempt of the same message
 * (order, partner, type), carrying no personal data: `msg_` + 26 base32 characters (128 bits of
 * SHA-256).
 */
export function webhookId(orderId: string, partnerId: string, type: string): string {
  const digest = createHash('sha256').update(`${orderId}\n${partnerId}\n${type}`).digest();
  return `msg_${base32(digest.subarray(0, 16))}`;
}

/** The wait before retry number `attempt` (1 = after the first failure), in whole seconds. */
export function retryDelaySeconds(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const cap = policy.maxDelaySeconds ?? MAX_RETRY_DELAY_SECONDS;
  const ceiling = Math.min(cap, policy.baseDelaySeconds * 2 ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  return Math.min(cap, Math.max(1, Math.round(jittered)));
}

/**
 * Bounds of the time from the first attempt to the last one, as the sum of the waits between
 * attempts (processing time not included): `minSeconds` with all jitter at its low end.
 */
export function retryScheduleSpan(
  policy: RetryPolicy,
  maxAttempts: number,
): { minSeconds: number; maxSeconds: number } {
  let minSeconds = 0;
  let maxSeconds = 0;
  for (let attempt = 1; attempt < maxAttempts; attempt++) {
    minSeconds += retryDelaySeconds(attempt, policy, () => 0);
    maxSeconds += retryDelaySeconds(attempt, policy, () => 1);
  }
  return { minSeconds, maxSeconds };
}

/**
 * An error's class name, with the system error code of its cause when there is one
 * (`TypeError:ECONNREFUSED`, `TimeoutError`): enough to tell an outage from a bug, nothing more.
 */
const errorName = (error: unknown): string => {
  if (!(error instanceof Error)) return typeof error;
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^[A-Z_]{2,40}$/.test(code) ? `${error.name}:${code}` : error.name;
};

export async function deliverToPartner(deps: DeliverDeps, input: DeliverInput): Promise<DeliverOutcome> {
  const attempt = Math.max(1, input.receiveCount);
  /** What this attempt disclosed that is not in the ledger yet: purposes opened, the webhook sent. */
  const disclosed: LedgerEvent[] = [];
  let tip: { orderId: string; ledgerTip?: OrderRecord['ledgerTip'] } = { orderId: input.orderId };
  const ledgerOf = (more: readonly LedgerEvent[] = []): LedgerAppend | undefined => {
    const events = [...disclosed, ...more];
    return deps.disclosures && events.length > 0
      ? appendOf(deps.disclosures.mac, tip, events, deps.clock.now().toISOString())
      : undefined;
  };
  /** What this attempt disclosed, as a ledger write of its own (no state update to ride on). */
  const recordAlone = async () => {
    const append = ledgerOf();
    if (append && deps.disclosures)
      await deps.disclosures.store.appendLedger(input.orderId, append).catch(() => false);
  };
  /** Marks the webhook just POSTed (the last entry, `sent`) as not acknowledged. */
  const notAcknowledged = (reason: FailureReason) => {
    const last = disclosed.at(-1);
    if (last?.type === 'sent')
      disclosed[disclosed.length - 1] = {
        ...last,
        failure: 'status' in reason ? String(reason.status) : reason.error,
      };
  };
  const fail = async (reason: FailureReason): Promise<DeliverOutcome> => {
    notAcknowledged(reason);
    if (attempt >= input.maxAttempts) {
      await deps.orders.setDeliveryState(
        input.orderId,
        input.partnerId,
        'failed',
        deps.clock.now().toISOString(),
        ledgerOf(),
      );
      return { outcome: 'gave-up', attempt, reason };
    }
    await recordAlone();
    const delaySeconds = retryDelaySeconds(attempt, deps.settings, deps.random);
    return { outcome: 'retry', attempt, delaySeconds, reason };
  };

  let sent: { webhookId: string; status: number };
  try {
    const partner = deps.partners.find((p) => p.id === input.partnerId);
    if (!partner) return await fail({ error: 'UnknownPartner' });
    // Both read side by side (one batched read where the store batches parallel reads); the
    // partner's state is looked at (and its failure counts) only once the order is this partner's.
    const partnerState = deps.partnerState.getPartnerState(partner.id);
    partnerState.catch(() => undefined);
    // The sealed personal record too, when this partner's fields need a purpose: reading it is
    // not opening it (a purpose is opened, and recorded, only once the order is this partner's).
    const purposes = purposesForFields(partner.fields);
    const personalRead =
      purposes.length > 0 ? deps.orders.getPersonal(input.orderId, deps.clock.now()) : undefined;
    personalRead?.catch(() => undefined);
    const order = await deps.orders.getOrder(input.orderId);
    if (!order) return { outcome: 'order-not-found' };
    tip = order;
    // Routed at intake: only partners serving the destination have a delivery on the order.
    if (!order.deliveries[partner.id] || !partnerServes(partner, order.country)) {
      return { outcome: 'not-for-partner' };
    }
    if (!input.replay && order.deliveries[partner.id]?.state === 'delivered') {
      return { outcome: 'already-delivered' };
    }
    const id = webhookId(order.orderId, partner.id, PAYLOAD_TYPES[partner.kind]);
    const hold = async (disabled: boolean): Promise<DeliverOutcome> => {
      const message = deliveryMessage(order.orderId, partner.id, input.replay);
      const kept = await holdMessage(deps, partner.id, { webhookId: id, message });
      // Enabled again between our look and our hold: send it after all (through a retry).
      if (!kept) return fail({ status: GONE_STATUS });
      // A webhook that got its 410: in the ledger as not acknowledged.
      await recordAlone();
      return { outcome: 'held', webhookId: id, disabled };
    };
    if ((await partnerState).state === 'disabled') return await hold(false);
    /** The personal data is gone (expired, erased, or erased while this attempt was under way). */
    const personalDataGone = async (): Promise<DeliverOutcome> => {
      // Purposes this attempt opened before it found the erasure stay on record (nothing was sent);
      // a replay's state stays `delivered`, so then they are a write of their own.
      const replayed = order.deliveries[partner.id]?.state === 'delivered';
      if (replayed) await recordAlone();
      await deps.orders.setDeliveryState(
        order.orderId,
        partner.id,
        'failed',
        deps.clock.now().toISOString(),
        replayed ? undefined : ledgerOf(),
      );
      return { outcome: 'personal-data-gone' };
    };

    // Open exactly the purposes this partner's fields need (none for the warehouse).
    const personal: PersonalFields = {};
    if (personalRead) {
      const record = await personalRead;
      if (!record || purposes.some((purpose) => !record.sealed[purpose])) return await personalDataGone();
      for (const purpose of purposes) {
        Object.assign(
          personal,
          decodeFields(
            await deps.dataKeys.open(
              purpose,
              order.orderId,
              record.sealed[purpose] as Uint8Array,
              record.secret,
            ),
          ),
        );
        disclosed.push(opened(purpose));
      }
    }

    const payload = projectFor(partner, { order, personal, originCountry: deps.settings.originCountry });
    const body = JSON.stringify(payload);
    const messageType = PAYLOAD_TYPES[partner.kind];
    const fields = fieldsInPayload(payload, partner.fields);
    // One signature per active secret: both during a rotation.
    const secrets = await deps.secrets.partnerSecrets(partner.id);
    const headers = signedWebhookHeaders(secrets, id, deps.clock.now(), body);
    const webhook = {
      by: 'partner-delivery',
      recipient: partner.id,
      messageType,
      fields,
      webhookId: id,
      // This attempt's id on its `sending` and `sent`: a redaction waits for each attempt's own answer.
      attempt: randomUUID(),
    } as const;

    // Personal fields in it: in the ledger before they leave, unless the order was erased meanwhile.
    if (deps.disclosures && fields.some(isPersonal)) {
      const intentAt = deps.clock.now();
      const ahead = writeAheadOf(
        deps.disclosures.mac,
        tip,
        [...disclosed, { type: 'sending', ...webhook }],
        intentAt.toISOString(),
      );
      let written: boolean;
      try {
        written = await deps.disclosures.store.appendLedger(order.orderId, ahead.append);
      } catch (error) {
        if (error instanceof OrderErasedError) return await personalDataGone();
        throw error;
      }
      if (!written) return { outcome: 'order-not-found' };
      // In the ledger now; what follows chains on the tip this write left (no stale-tip retry).
      disclosed.length = 0;
      tip = { orderId: order.orderId, ledgerTip: ahead.landed() };
      // A write that took too long: an erasure's redaction may not wait for this POST any more, so
      // it is not made. Its outcome is entered (this attempt's `sent`, failed before any POST), so
      // a redaction does not wait out this attempt's window for nothing.
      if (deps.clock.now().getTime() - intentAt.getTime() > INTENT_BUDGET_MS) {
        disclosed.push({ type: 'sent', ...webhook });
        return await fail({ error: 'LedgerWriteTooSlow' });
      }
    }

    disclosed.push({ type: 'sent', ...webhook });
    const response = await deps.partnerClient.post(partner.url, body, headers, deps.settings.timeoutMs);
    if (response.status === GONE_STATUS) {
      notAcknowledged({ status: GONE_STATUS });
      const changed = await deps.partnerState.disablePartner(
        partner.id,
        deps.clock.now().toISOString(),
        GONE_STATUS,
      );
      return await hold(changed);
    }
    if (response.status < 200 || response.status > 299) return await fail({ status: response.status });
    sent = { webhookId: id, status: response.status };
  } catch (error) {
    return fail({ error: errorName(error) });
  }
  // Recorded after the partner's 2xx, with the ledger entries on the same write; if this write
  // fails the message is retried and the partner sees the same webhook-id again (and deduplicates).
  const last = disclosed.at(-1);
  const ack: LedgerEvent[] =
    last?.type === 'sent'
      ? [
          {
            type: 'acknowledged',
            by: 'partner-delivery',
            recipient: input.partnerId,
            messageType: last.messageType,
            webhookId: sent.webhookId,
            status: sent.status,
          },
        ]
      : [];
  try {
    await deps.orders.setDeliveryState(
      input.orderId,
      input.partnerId,
      'delivered',
      deps.clock.now().toISOString(),
      ledgerOf(ack),
    );
  } catch (error) {
    return fail({ error: errorName(error) });
  }
  return { outcome: 'delivered', ...sent };
}

const isPersonal = (path: keyof typeof FIELDS) => (FIELDS[path] as FieldDeclaration).personal;

const opened = (purpose: Purpose): LedgerEvent => ({
  type: 'purpose-opened',
  by: 'partner-delivery',
  purpose,
});
