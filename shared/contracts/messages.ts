/**
 * The queue messages shared by whoever sends (fan-out, replay, erasure, partner events, enabling
 * a partner) and whoever consumes (deliver-to-partner, notify-customer): their types and builders.
 * One typed check each in shared/contracts/message-schemas.ts, loaded by the consumers only.
 * Bodies carry a type and ids, never personal data.
 */
import type { NotifyType } from '../domain/email-policy.js';

/** The message type erasure sends to every partner that received personal data of an order. */
export const ORDER_REDACTED_TYPE = 'order.redacted';

/** A partner queue's message (`partner-<id>`): deliver the order, or ask the partner to redact it. */
export type DeliveryMessage =
  | {
      readonly type: 'order.accepted';
      readonly orderId: string;
      readonly partner: string;
      /** Set by `minimis replay`: send again even if delivered. */
      readonly replay?: 1;
    }
  | {
      readonly type: typeof ORDER_REDACTED_TYPE;
      readonly orderId: string;
      readonly partner: string;
      readonly requestedAt: string;
    };
/** The notify queue's message: the email an order event triggers. */
export type NotifyMessage = {
  readonly type: NotifyType;
  readonly orderId: string;
};

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
