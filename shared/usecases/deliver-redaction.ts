/**
 * Delivers one `order.redacted` (partners.md, "Redaction") to one partner: validated against its
 * strict schema, signed like every webhook (Standard Webhooks, the same deterministic
 * `webhook-id` on every retry), POSTed, and retried through the partner's queue with the same
 * backoff as other deliveries. The partner's 2xx is its acknowledgement that it deleted what it
 * held for the order: the send and the acknowledgement are appended to the order's ledger in one
 * write (the ledger is the redaction's state: an acknowledged redaction is never sent again).
 *
 * It never overtakes the data it redacts: while a webhook with personal data to the same partner
 * may still be on its way (a write-ahead `sending` entry with no outcome yet, younger than
 * `inFlightUntil`, deliver-to-partner.ts), the redaction waits (a retry) instead of being sent
 * first. On its last attempt it is sent regardless.
 *
 * A disabled partner (it answered `410 Gone`, partner-gone.ts) gets nothing: the redaction is held
 * like any of its messages (never retried to the dead-letter queue) and sent once the partner is
 * enabled. A 410 answer to the redaction itself disables the partner and holds it the same way (in
 * the ledger as a send that was not acknowledged).
 */

import { redactionMessage } from '../contracts/messages.js';
import { type LedgerEvent, type Mac, unsettledSends } from '../domain/ledger.js';
import { signedWebhookHeaders } from '../domain/partner-keyring.js';
import { ORDER_REDACTED_TYPE, orderRedactedPayload } from '../domain/projections.js';
import type { LedgerStore } from '../ledger-ports.js';
import type { Clock, PartnerClient, PartnerStateStore, SecretStore } from '../ports.js';
import {
  type DeliverOutcome,
  type DeliveryPartner,
  type FailureReason,
  inFlightUntil,
  type RetryPolicy,
  retryDelaySeconds,
  webhookId,
} from './deliver-to-partner.js';
import { appendOf } from './disclosure-ledger.js';
import { GONE_STATUS, holdMessage } from './partner-gone.js';

export interface DeliverRedactionDeps {
  readonly ledger: LedgerStore;
  readonly ledgerMac: Mac;
  readonly secrets: SecretStore;
  readonly partnerClient: PartnerClient;
  /** Enabled/disabled partners (410 Gone) and their held messages. */
  readonly partnerState: PartnerStateStore;
  readonly clock: Clock;
  readonly partners: readonly Pick<DeliveryPartner, 'id' | 'url'>[];
  readonly settings: RetryPolicy & { readonly timeoutMs: number };
  readonly random?: () => number;
}

export interface DeliverRedactionInput {
  readonly orderId: string;
  readonly partnerId: string;
  readonly requestedAt: string;
  readonly receiveCount: number;
  readonly maxAttempts: number;
}

const errorName = (error: unknown) => (error instanceof Error ? error.name : typeof error);

export async function deliverRedaction(
  deps: DeliverRedactionDeps,
  input: DeliverRedactionInput,
): Promise<DeliverOutcome> {
  const attempt = Math.max(1, input.receiveCount);
  const id = webhookId(input.orderId, input.partnerId, ORDER_REDACTED_TYPE);
  const sent: LedgerEvent = {
    type: 'sent',
    by: 'partner-delivery',
    recipient: input.partnerId,
    messageType: ORDER_REDACTED_TYPE,
    fields: [],
    webhookId: id,
  };
  let tip: { orderId: string; ledgerTip?: { count: number; lastMac: string } } = { orderId: input.orderId };
  const record = (events: LedgerEvent[]) =>
    deps.ledger.appendLedger(
      input.orderId,
      appendOf(deps.ledgerMac, tip, events, deps.clock.now().toISOString()),
    );
  const fail = async (reason: FailureReason): Promise<DeliverOutcome> => {
    if (attempt >= input.maxAttempts) {
      // The last attempt: the certificate shows the redaction as failed (a redrive retries it).
      const failure = 'status' in reason ? String(reason.status) : reason.error;
      await record([{ ...sent, failure, gaveUp: true }]).catch(() => false);
      return { outcome: 'gave-up', attempt, reason };
    }
    return {
      outcome: 'retry',
      attempt,
      delaySeconds: retryDelaySeconds(attempt, deps.settings, deps.random),
      reason,
    };
  };

  /** Held until the partner is enabled; false when it was enabled meanwhile (then: a retry). */
  const hold = async (disabled: boolean): Promise<DeliverOutcome> => {
    const message = redactionMessage(input.orderId, input.partnerId, input.requestedAt);
    // No delivery state: the order's deliveries show the data's delivery, not the redaction's.
    const held = { webhookId: id, message };
    if (!(await holdMessage({ partnerState: deps.partnerState, clock: deps.clock }, input.partnerId, held)))
      return fail({ status: GONE_STATUS });
    return { outcome: 'held', webhookId: id, disabled };
  };

  let status: number;
  try {
    const partner = deps.partners.find((p) => p.id === input.partnerId);
    if (!partner) return await fail({ error: 'UnknownPartner' });
    const partnerState = deps.partnerState.getPartnerState(partner.id);
    partnerState.catch(() => undefined);
    const ledger = await deps.ledger.getLedger(input.orderId);
    if (!ledger) return { outcome: 'order-not-found' };
    const last = ledger.entries.at(-1);
    if (last)
      tip = {
        orderId: input.orderId,
        ledgerTip: { count: ledger.head?.count ?? ledger.entries.length, lastMac: last.mac },
      };
    if (ledger.entries.some((e) => e.type === 'acknowledged' && e.webhookId === id))
      return { outcome: 'already-delivered' };
    if ((await partnerState).state === 'disabled') return await hold(false);
    // A webhook with personal data may still be arriving at the partner: redact after it.
    const now = deps.clock.now().getTime();
    const inFlight = Math.max(
      0,
      ...unsettledSends(ledger.entries, partner.id).map((e) => inFlightUntil(e.at, deps.settings.timeoutMs)),
    );
    if (inFlight > now && attempt < input.maxAttempts)
      return {
        outcome: 'retry',
        attempt,
        delaySeconds: Math.min(
          retryDelaySeconds(attempt, deps.settings, deps.random),
          Math.max(1, Math.ceil((inFlight - now) / 1000)),
        ),
        reason: { error: 'DeliveryInFlight' },
      };
    const payload = orderRedactedPayload(partner.id, {
      type: ORDER_REDACTED_TYPE,
      orderId: input.orderId,
      requestedAt: input.requestedAt,
    });
    const body = JSON.stringify(payload);
    const secrets = await deps.secrets.partnerSecrets(partner.id);
    const headers = signedWebhookHeaders(secrets, id, deps.clock.now(), body);
    const response = await deps.partnerClient.post(partner.url, body, headers, deps.settings.timeoutMs);
    if (response.status === GONE_STATUS) {
      await record([{ ...sent, failure: String(GONE_STATUS) }]);
      const changed = await deps.partnerState.disablePartner(
        partner.id,
        deps.clock.now().toISOString(),
        GONE_STATUS,
      );
      return await hold(changed);
    }
    if (response.status < 200 || response.status > 299) return await fail({ status: response.status });
    status = response.status;
  } catch (error) {
    return fail({ error: errorName(error) });
  }
  try {
    await record([
      sent,
      {
        type: 'acknowledged',
        by: 'partner-delivery',
        recipient: input.partnerId,
        messageType: ORDER_REDACTED_TYPE,
        webhookId: id,
        status,
      },
    ]);
  } catch (error) {
    return fail({ error: errorName(error) });
  }
  return { outcome: 'delivered', webhookId: id, status };
}
