/**
 * The OpenAPI 3.1 document, generated from the same zod schemas the handlers validate with.
 *
 * Every rule a handler enforces is written so that it reaches the document: patterns rather than
 * refines, lengths counted in code points (as JSON Schema counts them), enums, ranges,
 * `additionalProperties: false`, required properties, parameter and header patterns, and every
 * response with its content. The one rule no JSON Schema keyword can say — card numbers are
 * refused anywhere, as a Luhn check over digit runs — is stated in the `description`s.
 *
 * Layout: one builder per path (`PATHS`), so a new route adds one entry; the helpers
 * (`problemResponse`, `pageOrProblem`, `pageResponse`, `tokenParameter`) are shared by the pages
 * meant for people.
 */
import * as z from 'zod';
import { PARTNER_ID_PATTERN } from '../contracts.js';
import { CONSENT_TOKEN_PATTERN } from '../domain/consent-token.js';
import { ORDER_ID_PATTERN } from '../domain/ids.js';
import { orderRequestSchema } from '../domain/intake.js';
import { DELIVERY_STATES, ORDER_STATUSES } from '../domain/order.js';
import { partnerEventSchema } from '../domain/partner-event-schema.js';
import { UNSUBSCRIBE_TOKEN_PATTERN } from '../domain/unsubscribe-token.js';
import { WEBHOOK_ID } from '../usecases/record-partner-event.js';
import { MAX_BODY_BYTES } from './request.js';

const orderId = z.string().regex(ORDER_ID_PATTERN);
const acceptedSchema = z.strictObject({ orderId, status: z.literal('accepted') });
const orderStatusSchema = z.strictObject({
  orderId,
  status: z.enum(ORDER_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  trackingNumber: z.string().nullable(),
  deliveries: z.array(z.strictObject({ partner: z.string(), state: z.enum(DELIVERY_STATES) })),
});
const eventAppliedSchema = z.strictObject({ orderId, status: z.enum(ORDER_STATUSES) });
const problemSchema = z.object({
  type: z.url(),
  title: z.string(),
  status: z.int().min(400).max(599),
  detail: z.string().optional(),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
});
const statusSchema = (status: string) => z.strictObject({ status: z.literal(status) });

const schema = (s: z.core.$ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, {
    target: 'draft-2020-12',
    unrepresentable: 'any',
    io: 'input',
  });
  return rest;
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const pattern = (re: RegExp) => ({ type: 'string', pattern: re.source });

type Response = Record<string, unknown>;

/** An RFC 9457 problem. */
export const problemResponse = (description: string, headers?: Record<string, unknown>): Response => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

/** A page for people (`Accept: text/html`). */
export const pageResponse = (description: string): Response => ({
  description,
  content: { 'text/html': { schema: { type: 'string' } } },
});

/** A response of the pages meant for people: HTML for a browser, problem+json for API clients. */
export const pageOrProblem = (description: string): Response => ({
  description: `${description}. A browser (\`Accept: text/html\` ranked at least as high as JSON) gets an HTML page; any other client an RFC 9457 problem.`,
  content: {
    'application/problem+json': { schema: ref('Problem') },
    'text/html': { schema: { type: 'string' } },
  },
});

/** A signed token in the query string of a link we mailed. */
export const tokenParameter = (re: RegExp | string, description: string) => ({
  name: 'token',
  in: 'query',
  required: true,
  description,
  schema: pattern(typeof re === 'string' ? new RegExp(re) : re),
});

const jsonResponse = (description: string, schemaRef: string, headers?: Record<string, unknown>) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ref(schemaRef) } },
});

const BODY_LIMIT = `The body is at most ${MAX_BODY_BYTES / 1024} KiB (${MAX_BODY_BYTES} bytes) of UTF-8, else 413.`;
const CARD_RULE =
  'No string may contain something that looks like a payment card number: 13–19 decimal digits (any script, after NFKC) in one run or in groups of at least 3 separated by short runs of separators, that pass the Luhn check; such a body is a 400 whose `type` ends in `/card-data`. No JSON Schema keyword can express this rule. `customer.phone` in E.164 form is exempt.';

const WEBHOOK_HEADERS = {
  'webhook-id': {
    description: 'Unique id of this event; a repeated id is acknowledged (202) without effect.',
    schema: pattern(WEBHOOK_ID),
  },
  'webhook-timestamp': {
    description: 'Unix time in seconds; more than 5 minutes away from now is a 401.',
    schema: pattern(/^[0-9]{1,12}$/),
  },
  'webhook-signature': {
    description:
      'Space-separated `v1,<base64 HMAC-SHA256>` signatures over `<webhook-id>.<webhook-timestamp>.<body>` with the partner secret (Standard Webhooks).',
    schema: pattern(/^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$/),
  },
} as const;

/** Standard Webhooks as three header credentials that must all be present (one requirement). */
const WEBHOOK_SECURITY_SCHEMES = {
  webhookId: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-id',
    description: WEBHOOK_HEADERS['webhook-id'].description,
  },
  webhookTimestamp: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-timestamp',
    description: WEBHOOK_HEADERS['webhook-timestamp'].description,
  },
  webhookSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description: WEBHOOK_HEADERS['webhook-signature'].description,
  },
} as const;

const oneClickBody = {
  type: 'object',
  description:
    'RFC 8058: the field `List-Unsubscribe` with the value `One-Click`, exactly once (whitespace around the value is ignored); other fields are ignored.',
  properties: { 'List-Unsubscribe': { type: 'string', pattern: '^\\s*One-Click\\s*$' } },
  required: ['List-Unsubscribe'],
};

/** Every operation may also fail inside the service: a 500 problem with no internals. */
interface Operation {
  readonly responses: Record<string, unknown>;
  readonly [key: string]: unknown;
}
type PathItem = Record<string, Operation>;

function withServerErrors(paths: Record<string, PathItem>): Record<string, PathItem> {
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      operation.responses['500'] = problemResponse(
        'The service failed; nothing was changed that a retry would repeat',
      );
    }
  }
  return paths;
}

const ordersPath = (): PathItem => ({
  post: {
    summary: 'Submit an order',
    operationId: 'submitOrder',
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        description: 'Retries with the same key and body return the same answer; keys last ≥ 24 h.',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
      },
    ],
    requestBody: {
      required: true,
      description: `${BODY_LIMIT} ${CARD_RULE}`,
      content: { 'application/json': { schema: ref('OrderRequest') } },
    },
    responses: {
      '202': jsonResponse('Accepted', 'Accepted', {
        Location: {
          required: true,
          schema: pattern(new RegExp(`^/orders/${ORDER_ID_PATTERN.source.slice(1)}`)),
        },
      }),
      '400': problemResponse(
        'Invalid order (`/validation`), card data (`/card-data`), malformed JSON (`/malformed-json`) or missing Idempotency-Key (`/idempotency-key`)',
      ),
      '409': problemResponse('A request with this key is still in progress (`/idempotency-in-progress`)'),
      '413': problemResponse(`Body larger than ${MAX_BODY_BYTES / 1024} KiB`),
      '415': problemResponse('Not application/json'),
      '422': problemResponse('Idempotency-Key reused with another body (`/idempotency-key-reused`)'),
    },
  },
});

const orderPath = (): PathItem => ({
  get: {
    summary: 'Order status (no personal data)',
    operationId: 'getOrder',
    parameters: [{ name: 'orderId', in: 'path', required: true, schema: pattern(ORDER_ID_PATTERN) }],
    responses: {
      '200': jsonResponse('Status', 'OrderStatus'),
      '404': problemResponse('Unknown order'),
    },
  },
});

const partnerEventsPath = (): PathItem => ({
  post: {
    summary: 'A partner reports progress (Standard Webhooks signature)',
    operationId: 'postPartnerEvent',
    security: [{ webhookId: [], webhookTimestamp: [], webhookSignature: [] }],
    parameters: [
      { name: 'partnerId', in: 'path', required: true, schema: pattern(PARTNER_ID_PATTERN) },
      ...Object.entries(WEBHOOK_HEADERS).map(([name, header]) => ({
        name,
        in: 'header',
        required: true,
        ...header,
      })),
    ],
    requestBody: {
      required: true,
      description: `${BODY_LIMIT} The signature is checked before the body is read.`,
      content: { 'application/json': { schema: ref('PartnerEvent') } },
    },
    responses: {
      '202': jsonResponse(
        'Applied (or a replayed webhook-id, acknowledged without effect)',
        'PartnerEventApplied',
      ),
      '400': problemResponse('Invalid event or malformed JSON'),
      '401': problemResponse('Missing or bad signature, or a timestamp more than 5 minutes away'),
      '404': problemResponse(
        'Unknown partner, unknown order, or an order this partner was not routed to (the same answer)',
      ),
      '409': problemResponse('Transition not allowed'),
      '413': problemResponse(`Body larger than ${MAX_BODY_BYTES / 1024} KiB`),
      '415': problemResponse('Not application/json'),
    },
  },
});

const unsubscribeToken = () =>
  tokenParameter(UNSUBSCRIBE_TOKEN_PATTERN, 'The signed, opaque token from the List-Unsubscribe link');

const unsubscribePath = (): PathItem => ({
  get: {
    summary: 'Unsubscribe page with a one-click button (changes nothing)',
    operationId: 'unsubscribePage',
    parameters: [unsubscribeToken()],
    responses: {
      '200': pageResponse('The page with the button that POSTs the one-click opt-out'),
      '400': pageOrProblem('Malformed, tampered or unknown token; nothing changes'),
    },
  },
  post: {
    summary: 'One-click unsubscribe (RFC 8058)',
    operationId: 'unsubscribe',
    parameters: [unsubscribeToken()],
    requestBody: {
      required: true,
      description: BODY_LIMIT,
      content: {
        'application/x-www-form-urlencoded': { schema: oneClickBody },
        'multipart/form-data': { schema: oneClickBody },
      },
    },
    responses: {
      '200': {
        description: 'Unsubscribed (repeating it is harmless). A browser gets a confirmation page.',
        content: {
          'application/json': { schema: ref('Unsubscribed') },
          'text/html': { schema: { type: 'string' } },
        },
      },
      '400': pageOrProblem(
        'Malformed, tampered or unknown token, or a body other than List-Unsubscribe=One-Click; nothing changes',
      ),
      '413': problemResponse(`Body larger than ${MAX_BODY_BYTES / 1024} KiB`),
      '415': problemResponse('Not a form body', {
        'Accept-Post': {
          schema: { type: 'string', const: 'application/x-www-form-urlencoded, multipart/form-data' },
        },
      }),
    },
  },
});

const consentToken = () =>
  tokenParameter(
    CONSENT_TOKEN_PATTERN,
    'The signed, single-use token of the consent-confirmation email (expires after 7 days)',
  );

const consentConfirmPath = (): PathItem => ({
  get: {
    summary: 'Page with a button to confirm a renewed opt-in to promotional email (changes nothing)',
    operationId: 'consentConfirmPage',
    parameters: [consentToken()],
    responses: {
      '200': pageResponse('The page with the button that POSTs the confirmation'),
      '400': pageOrProblem('Malformed, tampered, used or expired token; nothing changes'),
    },
  },
  post: {
    summary: 'Confirm a renewed opt-in: records a confirmed consent event and lifts the suppression',
    operationId: 'consentConfirm',
    parameters: [consentToken()],
    requestBody: {
      required: false,
      description: `The body is ignored (the page's button sends an empty form). ${BODY_LIMIT}`,
      content: { '*/*': { schema: {} } },
    },
    responses: {
      '200': {
        description: 'Confirmed (repeating it is harmless). A browser gets a confirmation page.',
        content: {
          'application/json': { schema: ref('ConsentConfirmed') },
          'text/html': { schema: { type: 'string' } },
        },
      },
      '400': pageOrProblem('Malformed, tampered, used or expired token; nothing changes'),
      '413': problemResponse(`Body larger than ${MAX_BODY_BYTES / 1024} KiB`),
    },
  },
});

const healthPath = (): PathItem => ({
  get: {
    summary: 'Ready to take orders',
    operationId: 'health',
    responses: { '200': jsonResponse('Ready', 'Health') },
  },
});

const openApiPath = (): PathItem => ({
  get: {
    summary: 'This document',
    operationId: 'openapi',
    responses: {
      '200': {
        description: 'OpenAPI 3.1',
        content: { 'application/json': { schema: { type: 'object', required: ['openapi', 'paths'] } } },
      },
    },
  },
});

/** The paths, in the order the document lists them. New routes add an entry here. */
export const PATHS: Readonly<Record<string, () => PathItem>> = {
  '/orders': ordersPath,
  '/orders/{orderId}': orderPath,
  '/partners/{partnerId}/events': partnerEventsPath,
  '/unsubscribe': unsubscribePath,
  '/consent/confirm': consentConfirmPath,
  '/health': healthPath,
  '/openapi.json': openApiPath,
};

/** What the generated document (openapi.json) has in `servers`; the function puts its base URL there. */
export const SERVER_URL_PLACEHOLDER = '{PUBLIC_BASE_URL}';

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths = Object.fromEntries(Object.entries(PATHS).map(([path, build]) => [path, build()]));
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'minimis',
      version: '1.0.0',
      description:
        'Order intake that tells every party only what it must know. Errors are RFC 9457 problems (`application/problem+json`); the pages meant for people answer a browser with HTML. A path not listed here is a 404 problem (`#/components/responses/NotFound`), and a method not listed for a path a 405 problem with an `Allow` header (`#/components/responses/MethodNotAllowed`). Lengths count Unicode code points.',
    },
    servers: [{ url: serverUrl }],
    paths: withServerErrors(paths),
    components: {
      schemas: {
        OrderRequest: { ...schema(orderRequestSchema), description: CARD_RULE },
        Accepted: schema(acceptedSchema),
        OrderStatus: schema(orderStatusSchema),
        PartnerEvent: schema(partnerEventSchema),
        PartnerEventApplied: schema(eventAppliedSchema),
        Unsubscribed: schema(statusSchema('unsubscribed')),
        ConsentConfirmed: schema(statusSchema('confirmed')),
        Health: schema(statusSchema('ok')),
        Problem: schema(problemSchema),
      },
      // Answered for what the paths do not list (no operation can name them).
      responses: {
        NotFound: problemResponse('No such path (`/not-found`)'),
        MethodNotAllowed: problemResponse('The path exists, the method does not (`/method-not-allowed`)', {
          Allow: { required: true, description: 'The methods the path has', schema: { type: 'string' } },
        }),
      },
      securitySchemes: WEBHOOK_SECURITY_SCHEMES,
    },
  };
}
