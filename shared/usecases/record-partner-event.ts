/**
 * A partner reports progress (`POST /partners/{partnerId}/events`): verify its Standard Webhooks
 * signature over the raw body with that partner's own secret (5-minute timestamp tolerance, as the
 * `standardwebhooks` package enforces), and apply the status change at most once per `webhook-id`,
 * only if the partner is a carrier the order was routed to at intake. That routing check is part of
 * the store's conditional write; a partner that fails it (another carrier, or a partner of a kind
 * that never sends these events) gets `not-routed`, which is answered exactly as an unknown order.
 *
 * On `shipment.delivered` the personal record's expiry becomes deliveredAt + the after-delivery
 * retention. A notification (`shipment.dispatched` / `shipment.delivered`) is enqueued after an
 * applied change and again on a replay: the notifier deduplicates emails per order and type, so a
 * crash between the status write and the enqueue heals when the partner retries.
 */

import { notifyMessage } from '../contracts/messages.js';
import { NOTIFY_QUEUE } from '../contracts.js';
import type { FieldProblem } from '../domain/errors.js';
import { isOrderId } from '../domain/ids.js';
import { type OrderRecord, type OrderStatus, TRANSITIONS } from '../domain/order.js';
import { checkPartnerEvent, EVENT_SENDERS, type PartnerEvent } from '../domain/partner-events.js';
import { verifyWithAny } from '../domain/partner-keyring.js';
import type { PartnerKind } from '../inventory.js';
import type { Clock, OrderStore, Queue, SecretStore } from '../ports.js';

export const MAX_EVENT_BYTES = 32 * 1024;
const DAY_SECONDS = 86_400;
/** Visible ASCII, as Standard Webhooks message ids are; bounded so the processed-event list stays small. */
export const WEBHOOK_ID = /^[\x21-\x7e]{1,128}$/;

export interface RecordPartnerEventDeps {
  readonly orders: Pick<OrderStore, 'applyStatusChange' | 'setPersonalExpiry'>;
  readonly queue: Queue;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  readonly partners: ReadonlyArray<{ readonly id: string; readonly kind: PartnerKind }>;
  readonly settings: { readonly afterDeliveryDays: number };
}

export interface PartnerEventRequest {
  readonly partnerId: string;
  /** Request headers; names are matched case-insensitively. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received: the signature covers these bytes. */
  readonly body: Buffer;
}

export type RecordPartnerEventResult =
  | {
      readonly outcome: 'applied' | 'replay';
      readonly orderId: string;
      readonly status: OrderStatus;
      readonly notification: PartnerEvent['type'];
    }
  | { readonly outcome: 'unknown-partner' }
  | { readonly outcome: 'unsupported-media-type' }
  | { readonly outcome: 'too-large' }
  /** Missing, malformed, wrong or stale signature. */
  | { readonly outcome: 'unauthorized' }
  | { readonly outcome: 'malformed-json' }
  | { readonly outcome: 'invalid'; readonly problems: readonly FieldProblem[] }
  | { readonly outcome: 'order-not-found' }
  /** The order was not routed to this partner, or its kind never sends this type: answer as not-found. */
  | { readonly outcome: 'not-routed' }
  | { readonly outcome: 'conflict'; readonly from: OrderStatus; readonly to: OrderStatus };

function lowerCased(headers: PartnerEventRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** Epoch seconds at which the personal record expires after a delivery at `deliveredAt`. */
export function expiryAfterDelivery(deliveredAt: string, afterDeliveryDays: number): number {
  return Math.floor(Date.parse(deliveredAt) / 1000) + afterDeliveryDays * DAY_SECONDS;
}

export async function recordPartnerEvent(
  deps: RecordPartnerEventDeps,
  request: PartnerEventRequest,
): Promise<RecordPartnerEventResult> {
  const partner = deps.partners.find((p) => p.id === request.partnerId);
  if (!partner) return { outcome: 'unknown-partner' };
  const headers = lowerCased(request.headers);
  if (request.body.length > MAX_EVENT_BYTES) return { outcome: 'too-large' };
  if (!/^application\/json\s*(;|$)/i.test((headers['content-type'] ?? '').trim())) {
    return { outcome: 'unsupported-media-type' };
  }

  // Authenticate before looking at the body.
  const eventId = headers['webhook-id'] ?? '';
  if (!WEBHOOK_ID.test(eventId)) return { outcome: 'unauthorized' };
  try {
    // Any active secret: during a rotation the partner may sign with the old one or the new one.
    verifyWithAny(await deps.secrets.partnerSecrets(partner.id), request.body, {
      'webhook-id': eventId,
      'webhook-timestamp': headers['webhook-timestamp'] ?? '',
      'webhook-signature': headers['webhook-signature'] ?? '',
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'WebhookVerificationError')
      return { outcome: 'unauthorized' };
    throw error;
  }

  let json: unknown;
  try {
    json = JSON.parse(request.body.toString('utf8'));
  } catch {
    return { outcome: 'malformed-json' };
  }
  const checked = checkPartnerEvent(json);
  if ('problems' in checked) return { outcome: 'invalid', problems: checked.problems };
  const event = checked.event;
  if (!isOrderId(event.orderId)) return { outcome: 'order-not-found' };
  if (!EVENT_SENDERS[event.type].includes(partner.kind)) return { outcome: 'not-routed' };

  const to = event.type === 'shipment.dispatched' ? 'dispatched' : 'delivered';
  const result = await deps.orders.applyStatusChange(event.orderId, {
    partnerId: partner.id,
    eventId,
    to,
    from: TRANSITIONS[to],
    at: deps.clock.now().toISOString(),
    ...(event.type === 'shipment.dispatched'
      ? {
          trackingNumber: event.trackingNumber,
          ...(event.trackingUrl ? { trackingUrl: event.trackingUrl } : {}),
        }
      : {}),
  });
  switch (result.outcome) {
    case 'not-found':
      return { outcome: 'order-not-found' };
    case 'not-routed':
      return { outcome: 'not-routed' };
    case 'conflict':
      return { outcome: 'conflict', from: result.order.status, to };
    case 'applied':
    case 'replay':
      // A replay repeats the change's effects (a crash between the change and its notification)
      // only while the order is still where such an event puts it: the same webhook-id with another
      // event's body, or one whose order has moved on, is acknowledged with no further effect
      // (review s10c: a delivered order's id replayed as `shipment.dispatched` mailed "on its way").
      if (result.outcome === 'applied' || result.order.status === to)
        await afterChange(deps, result.order, event);
      return {
        outcome: result.outcome,
        orderId: result.order.orderId,
        status: result.order.status,
        notification: event.type,
      };
  }
}

/** Effects of an applied change, safe to repeat on a replay (same values, deduplicated email). */
async function afterChange(
  deps: RecordPartnerEventDeps,
  order: OrderRecord,
  event: PartnerEvent,
): Promise<void> {
  if (event.type === 'shipment.delivered' && order.deliveredAt) {
    // Only a live record gets the after-delivery expiry (checked in the same conditional write):
    // one that already expired, but is not yet physically removed, must stay gone.
    await deps.orders.setPersonalExpiry(
      order.orderId,
      expiryAfterDelivery(order.deliveredAt, deps.settings.afterDeliveryDays),
      deps.clock.now(),
    );
  }
  await deps.queue.send(NOTIFY_QUEUE, notifyMessage(event.type, order.orderId));
}
