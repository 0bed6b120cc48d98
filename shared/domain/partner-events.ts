import * as z from 'zod';

/** Progress events a partner reports (only the carrier may send these two types). */
export const partnerEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('shipment.dispatched'),
    orderId: z.string().min(1).max(64),
    trackingNumber: z.string().min(1).max(64),
    trackingUrl: z
      .url({ protocol: /^https$/ })
      .max(2048)
      // What the URL parser also checks, as a pattern the published document can carry.
      .regex(/^https:\/\/[^\s/?#]+(?:[/?#]\S*)?$/, { error: 'must be an https URL' })
      .optional(),
  }),
  z.strictObject({
    type: z.literal('shipment.delivered'),
    orderId: z.string().min(1).max(64),
  }),
]);
export type PartnerEvent = z.output<typeof partnerEventSchema>;

/** Partner kinds allowed to send each event type. */
export const EVENT_SENDERS: Readonly<Record<PartnerEvent['type'], readonly string[]>> = {
  'shipment.dispatched': ['carrier'],
  'shipment.delivered': ['carrier'],
};
