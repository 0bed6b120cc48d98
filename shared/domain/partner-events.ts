import * as z from 'zod/mini';
import '../schema.js';

/** Progress events a partner reports (only the carrier may send these two types). */
export const partnerEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('shipment.dispatched'),
    orderId: z.string().check(z.minLength(1), z.maxLength(64)),
    trackingNumber: z.string().check(z.minLength(1), z.maxLength(64)),
    trackingUrl: z.optional(
      z.url({ protocol: /^https$/ }).check(
        z.maxLength(2048),
        // What the URL parser also checks, as a pattern the published document can carry.
        z.regex(/^https:\/\/[^\s/?#]+(?:[/?#]\S*)?$/, { error: 'must be an https URL' }),
      ),
    ),
  }),
  z.strictObject({
    type: z.literal('shipment.delivered'),
    orderId: z.string().check(z.minLength(1), z.maxLength(64)),
  }),
]);
export type PartnerEvent = z.output<typeof partnerEventSchema>;

/** Partner kinds allowed to send each event type. */
export const EVENT_SENDERS: Readonly<Record<PartnerEvent['type'], readonly string[]>> = {
  'shipment.dispatched': ['carrier'],
  'shipment.delivered': ['carrier'],
};
