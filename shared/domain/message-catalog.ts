/**
 * The one registry of partner message types, outbound (minimis → partner webhooks) and inbound
 * (partner → `POST /partners/{partnerId}/events`). The event catalog under `docs/partners/` is
 * generated from it: a type added to PAYLOAD_TYPES, to partnerEventSchema or here appears there
 * (and the catalog's staleness test fails until it is regenerated).
 */
import { DEFAULT_PARTNER_FIELDS, PARTNER_KINDS, type PartnerKind } from '../inventory.js';
import type { Schema } from '../schema.js';
import type { OrderRecord } from './order.js';
import { partnerEventSchema } from './partner-event-schema.js';
import { EVENT_SENDERS, type PartnerEvent } from './partner-events.js';
import { orderRedactedSchema, payloadSchema } from './payload-schemas.js';
import { ORDER_REDACTED_TYPE, PAYLOAD_TYPES, projectFor } from './projections.js';
import type { PersonalFields } from './sealing.js';

export interface MessageType {
  readonly type: string;
  readonly direction: 'outbound' | 'inbound';
  /** Partner kinds that receive (outbound) or may send (inbound) it. */
  readonly kinds: readonly PartnerKind[];
  /** When it is sent, in one sentence. */
  readonly when: string;
  readonly schema: Schema;
  readonly example: Record<string, unknown>;
  /** Further facts a partner must know. */
  readonly notes: readonly string[];
}

/** A fixed, fictional order for the examples (no real person). */
export const EXAMPLE_ORDER: OrderRecord = {
  orderId: 'ord_01JDX7Q3M5N8P2R4S6T9V0W1YZ',
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  status: 'accepted',
  items: [{ sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 }],
  currency: 'EUR',
  country: 'GB',
  paymentReference: 'pi_example',
  trackingNumber: null,
  trackingUrl: null,
  deliveredAt: null,
  deliveries: {},
  emails: {},
  processedEvents: [],
  outbox: 'done',
};
const EXAMPLE_PERSONAL: PersonalFields = {
  'customer.givenName': 'Ada',
  'customer.familyName': 'Lovelace',
  'customer.phone': '+442071234567',
  'shippingAddress.line1': '12 St James’s Square',
  'shippingAddress.city': 'London',
  'shippingAddress.postalCode': 'SW1Y 4JH',
};
/** The examples ship from outside the destination country, so the carrier example has customs. */
const EXAMPLE_ORIGIN = 'CN';

const WHEN: Record<PartnerKind, string> = {
  warehouse: 'on every accepted order, to pick and pack it',
  carrier: 'on every accepted order routed to this carrier, to label and deliver the parcel',
};

function outboundOrderMessage(kind: PartnerKind): MessageType {
  const partner = { id: kind, kind, fields: DEFAULT_PARTNER_FIELDS[kind] };
  const international = kind === 'carrier';
  return {
    type: PAYLOAD_TYPES[kind],
    direction: 'outbound',
    kinds: [kind],
    when: WHEN[kind],
    schema: payloadSchema(partner, { international }),
    example: projectFor(partner, {
      order: EXAMPLE_ORDER,
      personal: EXAMPLE_PERSONAL,
      originCountry: EXAMPLE_ORIGIN,
    }) as unknown as Record<string, unknown>,
    notes: [
      'The keys present depend on the fields the partner is configured to receive (a subset of the inventory); the schema shown is that of the default choice.',
      'Optional values the customer did not give are omitted, never sent as null.',
      ...(kind === 'carrier'
        ? [
            '`customs` is present only when the destination country differs from the shop’s origin country; a domestic parcel has no `customs` key at all (the schema shown is the international one).',
          ]
        : []),
    ],
  };
}

const INBOUND_WHEN: Record<string, string> = {
  'shipment.dispatched': 'when the parcel has left: moves the order from accepted to dispatched',
  'shipment.delivered':
    'when the parcel was delivered: moves the order to delivered; personal data then expires after the after-delivery retention',
};

export const MESSAGE_TYPES: readonly MessageType[] = [
  ...PARTNER_KINDS.map(outboundOrderMessage),
  {
    type: ORDER_REDACTED_TYPE,
    direction: 'outbound',
    kinds: ['carrier'],
    when: 'when a customer is erased, to every partner that received personal data of one of their orders',
    schema: orderRedactedSchema,
    example: {
      type: 'order.redacted',
      orderId: EXAMPLE_ORDER.orderId,
      requestedAt: '2026-12-01T10:00:00.000Z',
    },
    notes: [
      'A 2xx is the partner’s acknowledgement that it deleted what it holds for that order; it is recorded in the disclosure ledger and shown in the erasure certificate.',
    ],
  },
  ...partnerEventSchema.def.options.map((schema): MessageType => {
    const [type] = schema.shape.type.def.values as [PartnerEvent['type']];
    return {
      type,
      direction: 'inbound',
      kinds: EVENT_SENDERS[type] as PartnerKind[],
      when: INBOUND_WHEN[type] ?? 'partner progress',
      schema,
      example:
        type === 'shipment.dispatched'
          ? {
              type,
              orderId: EXAMPLE_ORDER.orderId,
              trackingNumber: '1Z999AA10123456784',
              trackingUrl: 'https://carrier.example/track/1Z999AA10123456784',
            }
          : { type, orderId: EXAMPLE_ORDER.orderId },
      notes: [
        'Signed by the partner with its own signing secret (any active one during a rotation), exactly like our webhooks; `webhook-id` must be unique per event and is used to apply it at most once.',
        'Only for orders routed to the sending partner.',
      ],
    };
  }),
];
