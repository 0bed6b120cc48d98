/**
 * The published schema of partner events (zod/mini): the OpenAPI document and the partner catalog
 * are generated from it. The partner-events function checks bodies with `checkPartnerEvent`
 * (./partner-events.ts), built from the same limits; a test holds the two to the same answers.
 */
import * as z from 'zod/mini';
import '../schema.js';
import {
  EVENT_LIMITS,
  type PartnerEvent,
  TRACKING_URL_PATTERN,
  TRACKING_URL_PROBLEM,
} from './partner-events.js';
import { FREE_TEXT_PATTERN, FREE_TEXT_PROBLEM } from './text.js';

const id = () => z.string().check(z.minLength(EVENT_LIMITS.id.min), z.maxLength(EVENT_LIMITS.id.max));

export const partnerEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('shipment.dispatched'),
    orderId: id(),
    trackingNumber: id().check(z.regex(FREE_TEXT_PATTERN, { error: FREE_TEXT_PROBLEM })),
    trackingUrl: z.optional(
      z
        .url({ protocol: /^https$/ })
        .check(
          z.maxLength(EVENT_LIMITS.trackingUrl.max),
          z.regex(TRACKING_URL_PATTERN, { error: TRACKING_URL_PROBLEM }),
        ),
    ),
  }),
  z.strictObject({
    type: z.literal('shipment.delivered'),
    orderId: id(),
  }),
]);

/** The schema's output is the checked event, both ways (a compile error otherwise). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _same: Same<z.output<typeof partnerEventSchema>, PartnerEvent> = true;
void _same;
