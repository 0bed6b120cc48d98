/**
 * The queue messages' zod/mini schemas as they were at baea550, before the consumers read them
 * with typed checks (shared/contracts/message-schemas.ts): the oracle of those checks, and the
 * zod schemas the Powertools parser (which takes zod only) is compared with.
 */
import * as z from 'zod/mini';
import { PARTNER_ID_PATTERN } from '#shared/contracts.js';
import { NOTIFY_TYPES } from '#shared/domain/email-policy.js';
import { ORDER_ID_PATTERN } from '#shared/domain/ids.js';
import '#shared/schema.js';

const orderId = z.string().check(z.regex(ORDER_ID_PATTERN));
const partner = z.string().check(z.regex(PARTNER_ID_PATTERN));

export const zodDeliveryMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('order.accepted'), orderId, partner, replay: z.optional(z.literal(1)) }),
  z.object({ type: z.literal('order.redacted'), orderId, partner, requestedAt: z.iso.datetime() }),
]);

export const zodNotifyMessage = z.object({ type: z.enum(NOTIFY_TYPES), orderId });
