/** The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with. */

import { z } from 'zod';
import { CONSENT_TOKEN_PATTERN } from '../domain/consent-token.js';
import { ORDER_ID_PATTERN } from '../domain/ids.js';
import { orderRequestSchema } from '../domain/intake.js';
import { DELIVERY_STATES, ORDER_STATUSES } from '../domain/order.js';
import { partnerEventSchema } from '../domain/partner-events.js';

const acceptedSchema = z.strictObject({
  orderId: z.string().regex(ORDER_ID_PATTERN),
  status: z.literal('accepted'),
});
const orderStatusSchema = z.strictObject({
  orderId: z.string().regex(ORDER_ID_PATTERN),
  status: z.enum(ORDER_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  trackingNumber: z.string().nullable(),
  deliveries: z.array(z.strictObject({ partner: z.string(), state: z.enum(DELIVERY_STATES) })),
});
const problemSchema = z.object({
  type: z.url(),
  title: z.string(),
  status: z.int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { target: 'draft-2020-12', unrepresentable: 'any', io: 'input' });
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const webhookHeaders = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
  name,
  in: 'header',
  required: true,
  schema: { type: 'string' },
}));
const tokenParam = { name: 'token', in: 'query', required: true, schema: { type: 'string' } };
const consentTokenParam = {
  name: 'token',
  in: 'query',
  required: true,
  description: 'The signed, single-use token of the consent-confirmation email (expires after 7 days)',
  schema: { type: 'string', pattern: CONSENT_TOKEN_PATTERN },
};
/** A bad link: problem+json for API clients, an HTML page for a person (Accept: text/html). */
const badConsentLink = {
  description: 'Malformed, tampered, used or expired token; nothing changed',
  content: {
    'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
    'text/html': { schema: { type: 'string' } },
  },
};

/** Every operation may also fail inside the service: a 500 problem with no internals. */
interface Operation {
  readonly responses: Record<string, unknown>;
  readonly [key: string]: unknown;
}

function withServerErrors(paths: Record<string, Record<string, Operation>>) {
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      operation.responses['500'] = problemResponse(
        'The service failed; nothing was changed that a retry would repeat',
      );
    }
  }
  return paths;
}

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'minimis',
      version: '1.0.0',
      description:
        'Order intake that tells every party only what it must know. Errors are RFC 9457 problems.',
    },
    servers: [{ url: serverUrl }],
    paths: withServerErrors({
      '/orders': {
        post: {
          summary: 'Submit an order',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/OrderRequest' } } },
          },
          responses: {
            '202': {
              description: 'Accepted',
              headers: { Location: { schema: { type: 'string' } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } },
            },
            '400': problemResponse('Invalid order, card data, or missing Idempotency-Key'),
            '409': problemResponse('A request with this key is still in progress'),
            '413': problemResponse('Body larger than 32 KiB'),
            '415': problemResponse('Not application/json'),
            '422': problemResponse('Idempotency-Key reused with another body'),
          },
        },
      },
      '/orders/{orderId}': {
        get: {
          summary: 'Order status (no personal data)',
          parameters: [{ name: 'orderId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'Status',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/OrderStatus' } } },
            },
            '404': problemResponse('Unknown order'),
          },
        },
      },
      '/partners/{partnerId}/events': {
        post: {
          summary: 'A partner reports progress (Standard Webhooks signature)',
          parameters: [
            { name: 'partnerId', in: 'path', required: true, schema: { type: 'string' } },
            ...webhookHeaders,
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/PartnerEvent' } } },
          },
          responses: {
            '202': { description: 'Applied (or a replayed webhook-id, acknowledged without effect)' },
            '400': problemResponse('Invalid event'),
            '401': problemResponse('Missing or bad signature, or stale timestamp'),
            '404': problemResponse(
              'Unknown partner or order, or an order this partner was not routed to (same answer)',
            ),
            '409': problemResponse('Transition not allowed'),
            '413': problemResponse('Body larger than 32 KiB'),
            '415': problemResponse('Not application/json'),
          },
        },
      },
      '/unsubscribe': {
        get: {
          summary: 'Unsubscribe page with a one-click button (changes nothing)',
          parameters: [tokenParam],
          responses: {
            '200': { description: 'HTML page', content: { 'text/html': {} } },
            '400': problemResponse('Bad token'),
          },
        },
        post: {
          summary: 'One-click unsubscribe (RFC 8058)',
          parameters: [tokenParam],
          requestBody: {
            required: true,
            content: {
              'application/x-www-form-urlencoded': {
                schema: { type: 'object', properties: { 'List-Unsubscribe': { const: 'One-Click' } } },
              },
              'multipart/form-data': {
                schema: { type: 'object', properties: { 'List-Unsubscribe': { const: 'One-Click' } } },
              },
            },
          },
          responses: {
            '200': { description: 'Unsubscribed' },
            '400': problemResponse('Bad token or body'),
            '413': problemResponse('Body too large'),
            '415': problemResponse('Not a form body'),
          },
        },
      },
      '/consent/confirm': {
        get: {
          summary: 'Page with a button to confirm a renewed opt-in to promotional email (changes nothing)',
          parameters: [consentTokenParam],
          responses: {
            '200': { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
            '400': badConsentLink,
          },
        },
        post: {
          summary: 'Confirm a renewed opt-in: records a confirmed consent event and lifts the suppression',
          parameters: [consentTokenParam],
          responses: {
            '200': {
              description: 'Confirmed (an HTML page for Accept: text/html)',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['status'],
                    properties: { status: { const: 'confirmed' } },
                  },
                },
                'text/html': { schema: { type: 'string' } },
              },
            },
            '400': badConsentLink,
            '413': problemResponse('Body too large'),
          },
        },
      },
      '/health': { get: { summary: 'Ready to take orders', responses: { '200': { description: 'OK' } } } },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
    }),
    components: {
      schemas: {
        OrderRequest: schema(orderRequestSchema),
        Accepted: schema(acceptedSchema),
        OrderStatus: schema(orderStatusSchema),
        PartnerEvent: schema(partnerEventSchema),
        Problem: schema(problemSchema),
      },
    },
  };
}
