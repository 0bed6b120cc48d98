/**
 * The queue messages' schemas (shared/contracts/messages.ts has their types and builders): only
 * the consumers (deliver-to-partner, notify-customer) load them, so a sender's bundle carries none.
 */

import * as z from 'zod/mini';
import { PARTNER_ID_PATTERN } from '../contracts.js';
import { NOTIFY_TYPES } from '../domain/email-policy.js';
import { ORDER_ID_PATTERN } from '../domain/ids.js';
import '../schema.js';
import { ORDER_REDACTED_TYPE } from './messages.js';

const orderId = z.string().check(z.regex(ORDER_ID_PATTERN));
const partner = z.string().check(z.regex(PARTNER_ID_PATTERN));

/** A partner queue's message (`partner-<id>`): deliver the order, or ask the partner to redact it. */
export const deliveryMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('order.accepted'),
    orderId,
    partner,
    /** Set by `minimis replay`: send again even if delivered. */
    replay: z.optional(z.literal(1)),
  }),
  // Erasure's request that the partner delete what it holds for the order (deliver-redaction.ts).
  z.object({ type: z.literal(ORDER_REDACTED_TYPE), orderId, partner, requestedAt: z.iso.datetime() }),
]);

/** The notify queue's message: the email an order event triggers. Extra keys are ignored. */
export const notifyMessageSchema = z.object({ type: z.enum(NOTIFY_TYPES), orderId });
