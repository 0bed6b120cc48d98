/**
 * The queue messages, one schema each, shared by whoever sends (fan-out, replay, erasure, partner
 * events, enabling a partner) and whoever consumes (deliver-to-partner, notify-customer). Bodies
 * carry a type and ids, never personal data.
 */
import * as z from 'zod';
import { PARTNER_ID_PATTERN } from '../contracts.js';
import { NOTIFY_TYPES, type NotifyType } from '../domain/email-policy.js';
import { ORDER_ID_PATTERN } from '../domain/ids.js';
import { ORDER_REDACTED_TYPE } from '../domain/projections.js';

const orderId = z.string().regex(ORDER_ID_PATTERN);
const partner = z.string().regex(PARTNER_ID_PATTERN);

/** A partner queue's message (`partner-<id>`): deliver the order, or ask the partner to redact it. */
export const deliveryMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('order.accepted'),
    orderId,
    partner,
    /** Set by `minimis replay`: send again even if delivered. */
    replay: z.literal(1).optional(),
  }),
  // Erasure's request that the partner delete what it holds for the order (deliver-redaction.ts).
  z.object({ type: z.literal(ORDER_REDACTED_TYPE), orderId, partner, requestedAt: z.iso.datetime() }),
]);
export type DeliveryMessage = z.output<typeof deliveryMessageSchema>;

/** The notify queue's message: the email an order event triggers. Extra keys are ignored. */
export const notifyMessageSchema = z.object({ type: z.enum(NOTIFY_TYPES), orderId });
export type NotifyMessage = z.output<typeof notifyMessageSchema>;

/** A delivery (fan-out, replay, enable). */
export function deliveryMessage(orderId: string, partnerId: string, replay = false): DeliveryMessage {
  return { type: 'order.accepted', orderId, partner: partnerId, ...(replay ? { replay: 1 as const } : {}) };
}

/** An erasure's redaction request. */
export function redactionMessage(orderId: string, partnerId: string, requestedAt: string): DeliveryMessage {
  return { type: ORDER_REDACTED_TYPE, orderId, partner: partnerId, requestedAt };
}

export function notifyMessage(type: NotifyType, orderId: string): NotifyMessage {
  return { type, orderId };
}
