/**
 * The queue messages' checks (shared/contracts/messages.ts has their types and builders): only the
 * consumers (deliver-to-partner, notify-customer) load them, so a sender's bundle carries none.
 *
 * Typed checks, not a schema library: these bodies are our own (written by fan-out, replay,
 * erasure, partner events and `enable`, never by a stranger), so a consumer needs a check of a few
 * fields, not zod (~23–31 KB of each consumer's bundle; `npm run bench -- bundles`). Each check is
 * a Standard Schema (what the batch processor's parser integration calls, shared/adapters/aws/
 * sqs-json-parser.ts) and answers what the zod/mini schemas it replaces answered, issue for issue
 * (path and message) and with the same output: unknown keys dropped. test/unit/message-schemas.test.ts
 * holds those schemas and compares over many generated bodies.
 */
import { PARTNER_ID_PATTERN } from '../contracts.js';
import { NOTIFY_TYPES } from '../domain/email-policy.js';
import { ORDER_ID_PATTERN } from '../domain/ids.js';
import { type DeliveryMessage, type NotifyMessage, ORDER_REDACTED_TYPE } from './messages.js';

export interface MessageIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[];
}
type Result<T> =
  | { readonly value: T; readonly issues?: undefined }
  | { readonly issues: readonly MessageIssue[] };

/**
 * A Standard Schema (v1) over a queue body: the interface the batch processor's parser calls (our
 * checks answer at once; any Standard Schema, a zod one in a test, fits).
 */
export interface MessageCheck<T> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<T> | Promise<Result<T>>;
    readonly types?: { readonly input: unknown; readonly output: T } | undefined;
  };
}

/** zod 4's ISO datetime (`z.iso.datetime()`: seconds required, optional fraction, `Z` only). */
export const ISO_DATETIME =
  /^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$/;

type Body = Record<string, unknown>;

const received = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
const isBody = (value: unknown): value is Body =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One field's check: its problem's message, or undefined when the value is fine. */
type Field = (value: unknown) => string | undefined;

const stringMatching =
  (pattern: RegExp, problem = `Invalid string: must match pattern ${pattern}`): Field =>
  (value) =>
    typeof value !== 'string'
      ? `Invalid input: expected string, received ${received(value)}`
      : pattern.test(value)
        ? undefined
        : problem;
const oneOf =
  (options: readonly string[]): Field =>
  (value) =>
    (options as readonly unknown[]).includes(value)
      ? undefined
      : `Invalid option: expected one of ${options.map((o) => `"${o}"`).join('|')}`;
const literal =
  (expected: string | number): Field =>
  (value) =>
    value === expected ? undefined : `Invalid input: expected ${JSON.stringify(expected)}`;
const optional =
  (field: Field): Field =>
  (value) =>
    value === undefined ? undefined : field(value);

/** An object of `fields` (in this order); other keys are dropped from the value. */
function objectCheck<T>(fields: Readonly<Record<string, Field>>, body: unknown): Result<T> {
  if (!isBody(body))
    return { issues: [{ message: `Invalid input: expected object, received ${received(body)}`, path: [] }] };
  const issues: MessageIssue[] = [];
  const value: Body = {};
  for (const [key, check] of Object.entries(fields)) {
    const problem = check(body[key]);
    if (problem !== undefined) issues.push({ message: problem, path: [key] });
    else if (body[key] !== undefined) value[key] = body[key];
  }
  return issues.length > 0 ? { issues } : { value: value as T };
}

const check = <T>(validate: (value: unknown) => Result<T>): MessageCheck<T> => ({
  '~standard': { version: 1, vendor: 'minimis', validate },
});

const orderId = /* @__PURE__ */ stringMatching(ORDER_ID_PATTERN);
const partner = /* @__PURE__ */ stringMatching(PARTNER_ID_PATTERN);

/** The two kinds of partner-queue message, by `type`. */
const DELIVERY_KINDS: Readonly<Record<DeliveryMessage['type'], Readonly<Record<string, Field>>>> = {
  'order.accepted': {
    type: /* @__PURE__ */ literal('order.accepted'),
    orderId,
    partner,
    /** Set by `minimis replay`: send again even if delivered. */
    replay: /* @__PURE__ */ optional(/* @__PURE__ */ literal(1)),
  },
  // Erasure's request that the partner delete what it holds for the order (deliver-redaction.ts).
  // The key is ORDER_REDACTED_TYPE (the type checker holds it to it), written out: a computed key
  // would keep this table in a bundle that reads notify messages only.
  'order.redacted': {
    type: /* @__PURE__ */ literal(ORDER_REDACTED_TYPE),
    orderId,
    partner,
    requestedAt: /* @__PURE__ */ stringMatching(ISO_DATETIME, 'Invalid ISO datetime'),
  },
};
const DELIVERY_TYPES = /* @__PURE__ */ Object.keys(DELIVERY_KINDS);

/** A partner queue's message (`partner-<id>`): deliver the order, or ask the partner to redact it. */
export const deliveryMessageSchema: MessageCheck<DeliveryMessage> = /* @__PURE__ */ check((body) => {
  if (!isBody(body))
    return { issues: [{ message: `Invalid input: expected object, received ${received(body)}`, path: [] }] };
  const kind = DELIVERY_TYPES.includes(body.type as string)
    ? DELIVERY_KINDS[body.type as DeliveryMessage['type']]
    : undefined;
  if (!kind) {
    const expected = DELIVERY_TYPES.map((t) => `'${t}'`).join(' | ');
    return { issues: [{ message: `Invalid discriminator value. Expected ${expected}`, path: ['type'] }] };
  }
  return objectCheck<DeliveryMessage>(kind, body);
});

const NOTIFY_FIELDS = { type: /* @__PURE__ */ oneOf(NOTIFY_TYPES), orderId };

/** The notify queue's message: the email an order event triggers. Extra keys are ignored. */
export const notifyMessageSchema: MessageCheck<NotifyMessage> = /* @__PURE__ */ check((body) =>
  objectCheck<NotifyMessage>(NOTIFY_FIELDS, body),
);
