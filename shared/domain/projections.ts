/**
 * Partner projections: what each fulfilment partner is sent, deny by default.
 *
 * A payload is built per partner KIND (its shape, partners.md) from the partner's configured
 * `fields` (inventory paths). Every output value declares the inventory fields it is derived from
 * and appears only when ALL of them are in the partner's list; anything not declared here is never
 * sent. The result is then checked against a strict shape derived from the same kind and fields
 * (plus whether the parcel crosses a border) before it may leave: an unexpected key, a
 * missing required value or a customs block on a domestic parcel fails closed with a
 * ProjectionError that names paths only, never values.
 *
 * Derivations (documented choices):
 * - `recipient.name` = the allowed, present parts of given name and family name joined by a space.
 * - `parcel.itemCount` = the sum of item quantities (needs `items[].quantity`).
 * - `customs` only when the destination country differs from the shop's origin country; each line
 *   is one order item: `description` = item name, `quantity`, `value` = unitPrice × quantity in
 *   minor units of `currency` (the line's customs value; needs `items[].unitPrice` and
 *   `items[].quantity`).
 * - Optional values the customer did not give are omitted, never sent as null.
 */

import { ISO_DATETIME } from '../contracts/message-schemas.js';
import { ORDER_REDACTED_TYPE } from '../contracts/messages.js';
import { FIELDS, type FieldDeclaration, type FieldPath, type PartnerKind } from '../inventory.js';
import { pathKey } from './card-data.js';
import type { FieldProblem } from './errors.js';
import { firstPerPath, formatPath } from './field-problems.js';
import { ORDER_ID_PATTERN } from './ids.js';
import type { OrderRecord } from './order.js';
import { FIELD_CHECKS, isObject, lengthWithin } from './order-check.js';
import type { PersonalFields } from './sealing.js';

/** What a projection needs to know about a partner (a subset of PartnerConfig). */
export interface ProjectionPartner {
  readonly id: string;
  readonly kind: PartnerKind;
  readonly fields: readonly FieldPath[];
}

export interface ProjectionInput {
  /** The non-personal order record (items, prices, currency, destination country…). */
  readonly order: OrderRecord;
  /** Opened personal fields, by inventory path; only those of purposes the partner needs. */
  readonly personal: PersonalFields;
  /** The shop's origin country (ORIGIN_COUNTRY), for the customs decision. */
  readonly originCountry: string;
}

export interface WarehousePayload {
  readonly type: 'pick.requested';
  readonly orderId: string;
  readonly createdAt: string;
  readonly items?: ReadonlyArray<{ readonly sku?: string; readonly quantity?: number }>;
}

export interface CarrierPayload {
  readonly type: 'shipment.requested';
  readonly orderId: string;
  readonly createdAt: string;
  readonly recipient?: { readonly name?: string; readonly phone?: string };
  readonly address?: {
    readonly line1?: string;
    readonly line2?: string;
    readonly city?: string;
    readonly region?: string;
    readonly postalCode?: string;
    readonly country?: string;
  };
  readonly parcel?: { readonly itemCount: number };
  readonly customs?: {
    readonly currency?: string;
    readonly contents?: ReadonlyArray<{
      readonly description?: string;
      readonly quantity?: number;
      readonly value?: number;
    }>;
  };
}

export type PartnerPayload = WarehousePayload | CarrierPayload;

/** The message type each kind of partner receives for an accepted order. */
export const PAYLOAD_TYPES = {
  warehouse: 'pick.requested',
  carrier: 'shipment.requested',
} as const satisfies Record<PartnerKind, string>;
export type PayloadType = (typeof PAYLOAD_TYPES)[PartnerKind];

/**
 * The inventory fields each kind's projection knows how to send. A field that becomes shareable
 * with a kind in the inventory but is missing here is simply not sent (a unit test flags it).
 */
export const PROJECTED_FIELDS = {
  warehouse: ['items[].sku', 'items[].quantity'],
  carrier: [
    'customer.givenName',
    'customer.familyName',
    'customer.phone',
    'shippingAddress.line1',
    'shippingAddress.line2',
    'shippingAddress.city',
    'shippingAddress.region',
    'shippingAddress.postalCode',
    'shippingAddress.country',
    'items[].name',
    'items[].quantity',
    'items[].unitPrice',
    'currency',
  ],
} as const satisfies Record<PartnerKind, readonly FieldPath[]>;

/** A payload failed its partner's strict schema: nothing is sent. Problems name paths only. */
export class ProjectionError extends Error {
  override readonly name = 'ProjectionError';
  constructor(
    readonly partnerId: string,
    readonly problems: readonly FieldProblem[],
  ) {
    super(
      `Payload for partner ${partnerId} failed its schema at ${problems.map((p) => p.path).join(', ') || '(root)'}`,
    );
  }
}

/** True when the parcel crosses a border, so the carrier needs customs contents. */
export function isInternational(order: Pick<OrderRecord, 'country'>, originCountry: string): boolean {
  return order.country !== originCountry;
}

/** Drops undefined values; undefined when nothing is left (so empty objects are omitted). */
function compact<T extends Record<string, unknown>>(value: T): Partial<T> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? (out as Partial<T>) : undefined;
}

function allowance(partner: ProjectionPartner) {
  const allowed = new Set<FieldPath>(partner.fields);
  return {
    /** Every one of `paths` is in the partner's list. */
    has: (...paths: FieldPath[]) => paths.every((p) => allowed.has(p)),
  };
}

function projectWarehouse(partner: ProjectionPartner, input: ProjectionInput): WarehousePayload {
  const { has } = allowance(partner);
  const { order } = input;
  const items = order.items.map((item) =>
    compact({
      sku: has('items[].sku') ? item.sku : undefined,
      quantity: has('items[].quantity') ? item.quantity : undefined,
    }),
  );
  const lines = items.every((i) => i === undefined) ? undefined : items.map((i) => i ?? {});
  return {
    type: PAYLOAD_TYPES.warehouse,
    orderId: order.orderId,
    createdAt: order.createdAt,
    ...(lines ? { items: lines } : {}),
  };
}

function projectCarrier(partner: ProjectionPartner, input: ProjectionInput): CarrierPayload {
  const { has } = allowance(partner);
  const { order, personal } = input;
  /** A personal value, only when the partner may receive it and the customer gave it. */
  const pick = (path: FieldPath): string | undefined => {
    const value = has(path) ? personal[path] : undefined;
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  };
  const nameParts = [pick('customer.givenName'), pick('customer.familyName')].filter((p) => p !== undefined);
  const recipient = compact({
    name: nameParts.length > 0 ? nameParts.join(' ') : undefined,
    phone: pick('customer.phone'),
  });
  const address = compact({
    line1: pick('shippingAddress.line1'),
    line2: pick('shippingAddress.line2'),
    city: pick('shippingAddress.city'),
    region: pick('shippingAddress.region'),
    postalCode: pick('shippingAddress.postalCode'),
    country: has('shippingAddress.country') ? order.country : undefined,
  });
  const parcel = has('items[].quantity')
    ? { itemCount: order.items.reduce((sum, item) => sum + item.quantity, 0) }
    : undefined;
  let customs: CarrierPayload['customs'];
  if (isInternational(order, input.originCountry)) {
    const contents = order.items.map((item) =>
      compact({
        description: has('items[].name') ? item.name : undefined,
        quantity: has('items[].quantity') ? item.quantity : undefined,
        value: has('items[].unitPrice', 'items[].quantity') ? item.unitPrice * item.quantity : undefined,
      }),
    );
    customs = compact({
      currency: has('currency') ? order.currency : undefined,
      contents: contents.every((c) => c === undefined) ? undefined : contents.map((c) => c ?? {}),
    });
  }
  return {
    type: PAYLOAD_TYPES.carrier,
    orderId: order.orderId,
    createdAt: order.createdAt,
    ...(recipient ? { recipient } : {}),
    ...(address ? { address } : {}),
    ...(parcel ? { parcel } : {}),
    ...(customs ? { customs } : {}),
  };
}

/** Builds (but does not validate) the payload for one partner. Prefer `projectFor`. */
export function project(partner: ProjectionPartner, input: ProjectionInput): PartnerPayload {
  switch (partner.kind) {
    case 'warehouse':
      return projectWarehouse(partner, input);
    case 'carrier':
      return projectCarrier(partner, input);
  }
}

// --- Strict shapes ------------------------------------------------------------------------------

/**
 * A payload value's shape: the one declaration both the typed check below (the delivery path, no
 * schema library in its bundle) and the partner catalog's zod schema (payload-schemas.ts, JSON
 * Schema for partners) are built from.
 */
export type Shape =
  /** A value sent as-is from one inventory field: that field's intake check. */
  | { readonly kind: 'field'; readonly path: FieldPath }
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'orderId' }
  /** zod 4's ISO datetime (seconds required, optional fraction, `Z`). */
  | { readonly kind: 'datetime' }
  /** A string of `min`–`max` code points. */
  | { readonly kind: 'text'; readonly min: number; readonly max: number }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  /** Strict: a key not declared here fails. */
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Slot>> }
  | { readonly kind: 'list'; readonly item: Shape; readonly min: number; readonly max: number };

export interface Slot {
  readonly shape: Shape;
  readonly required: boolean;
}

const isRequired = (path: FieldPath) => (FIELDS[path] as FieldDeclaration).required;

/** A leaf sent as-is from one inventory field, checked with that field's intake check. */
function leaf(has: (...p: FieldPath[]) => boolean, path: FieldPath): Slot | undefined {
  return has(path) ? { shape: { kind: 'field', path }, required: isRequired(path) } : undefined;
}

/** A strict object of the allowed slots; undefined when no slot is allowed (the key never appears). */
function object(slots: Record<string, Slot | undefined>, required?: boolean): Slot | undefined {
  const fields: Record<string, Slot> = {};
  let anyRequired = false;
  for (const [key, slot] of Object.entries(slots)) {
    if (!slot) continue;
    fields[key] = slot;
    anyRequired ||= slot.required;
  }
  if (Object.keys(fields).length === 0) return undefined;
  return { shape: { kind: 'object', fields }, required: required ?? anyRequired };
}

function listOf(item: Slot | undefined, required: boolean): Slot | undefined {
  return item ? { shape: { kind: 'list', item: item.shape, min: 1, max: 100 }, required } : undefined;
}

const int = (min: number, max: number): Shape => ({ kind: 'int', min, max });

function envelope(type: string): Record<string, Slot> {
  return {
    type: { shape: { kind: 'literal', value: type }, required: true },
    orderId: { shape: { kind: 'orderId' }, required: true },
    createdAt: { shape: { kind: 'datetime' }, required: true },
  };
}

function buildShape(partner: ProjectionPartner, international: boolean): Shape {
  const { has } = allowance(partner);
  let root: Slot | undefined;
  switch (partner.kind) {
    case 'warehouse':
      root = object({
        ...envelope(PAYLOAD_TYPES.warehouse),
        items: listOf(
          object({ sku: leaf(has, 'items[].sku'), quantity: leaf(has, 'items[].quantity') }),
          true,
        ),
      });
      break;
    case 'carrier': {
      const nameAllowed = has('customer.givenName') || has('customer.familyName');
      const nameRequired =
        (has('customer.givenName') && isRequired('customer.givenName')) ||
        (has('customer.familyName') && isRequired('customer.familyName'));
      root = object({
        ...envelope(PAYLOAD_TYPES.carrier),
        recipient: object({
          name: nameAllowed
            ? { shape: { kind: 'text', min: 1, max: 201 }, required: nameRequired }
            : undefined,
          phone: leaf(has, 'customer.phone'),
        }),
        address: object({
          line1: leaf(has, 'shippingAddress.line1'),
          line2: leaf(has, 'shippingAddress.line2'),
          city: leaf(has, 'shippingAddress.city'),
          region: leaf(has, 'shippingAddress.region'),
          postalCode: leaf(has, 'shippingAddress.postalCode'),
          country: leaf(has, 'shippingAddress.country'),
        }),
        parcel: has('items[].quantity')
          ? object({ itemCount: { shape: int(1, 99_900), required: true } })
          : undefined,
        // Domestic parcels carry no customs block at all: the key is not in their shape.
        customs: international
          ? object({
              currency: leaf(has, 'currency'),
              contents: listOf(
                object({
                  description: leaf(has, 'items[].name'),
                  quantity: has('items[].quantity')
                    ? { shape: { kind: 'field', path: 'items[].quantity' }, required: true }
                    : undefined,
                  value: has('items[].unitPrice', 'items[].quantity')
                    ? { shape: int(0, 999 * 10_000_000), required: true }
                    : undefined,
                }),
                true,
              ),
            })
          : undefined,
      });
      break;
    }
  }
  if (!root) throw new Error('unreachable: every payload has an envelope');
  return root.shape;
}

const shapeCache = new Map<string, Shape>();

/**
 * The strict shape a partner's payload must have: only the keys its kind and fields allow, and a
 * customs block only for international parcels.
 */
export function payloadShape(
  partner: ProjectionPartner,
  options: { readonly international: boolean },
): Shape {
  const key = `${partner.kind}|${[...partner.fields].sort().join(',')}|${options.international}`;
  let shape = shapeCache.get(key);
  if (!shape) {
    shape = buildShape(partner, options.international);
    shapeCache.set(key, shape);
  }
  return shape;
}

/** Where a value sits, built only as deep as the walk goes; written out only for a problem. */
type At = { readonly up: At; readonly key: string | number } | undefined;
const inside = (up: At, key: string | number): At => ({ up, key });

function report(problems: FieldProblem[], at: At, message: string): void {
  const path: (string | number)[] = [];
  for (let here = at; here; here = here.up) path.unshift(here.key);
  problems.push({ path: formatPath(path), message });
}

/**
 * Checks `value` against `shape`, appending one problem per failing path (paths and fixed
 * messages only, never a value); returns the value with only the declared keys.
 */
function checkShape(shape: Shape, value: unknown, at: At, problems: FieldProblem[]): unknown {
  let problem: string | undefined;
  switch (shape.kind) {
    case 'field':
      problem = FIELD_CHECKS[shape.path](value);
      break;
    case 'literal':
      if (value !== shape.value) problem = `must be "${shape.value}"`;
      break;
    case 'orderId':
      if (typeof value !== 'string' || !ORDER_ID_PATTERN.test(value)) problem = 'must be an order id';
      break;
    case 'datetime':
      if (typeof value !== 'string' || !ISO_DATETIME.test(value)) problem = 'must be an ISO datetime';
      break;
    case 'text':
      if (typeof value !== 'string' || !lengthWithin(value, shape.min, shape.max))
        problem = `must be a string of ${shape.min}–${shape.max} characters`;
      break;
    case 'int':
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < shape.min || value > shape.max)
        problem = `must be an integer from ${shape.min} to ${shape.max}`;
      break;
    case 'list': {
      if (!Array.isArray(value)) {
        problem = 'must be a list';
        break;
      }
      const out: unknown[] = [];
      for (let i = 0; i < value.length; i++)
        out.push(checkShape(shape.item, value[i], inside(at, i), problems));
      if (value.length < shape.min || value.length > shape.max)
        report(problems, at, `must have ${shape.min}–${shape.max} entries`);
      return out;
    }
    case 'object': {
      if (!isObject(value)) {
        problem = 'must be an object';
        break;
      }
      const out: Record<string, unknown> = {};
      for (const key in shape.fields) {
        const slot = shape.fields[key] as Slot;
        const given = value[key];
        if (given !== undefined) out[key] = checkShape(slot.shape, given, inside(at, key), problems);
        else if (slot.required) report(problems, inside(at, key), 'is required');
      }
      for (const key of Object.keys(value))
        if (!Object.hasOwn(shape.fields, key))
          report(problems, inside(at, pathKey(key)), 'is not a known field');
      return out;
    }
  }
  if (problem !== undefined) report(problems, at, problem);
  return value;
}

/** A value of `shape`, or the problems (one per path, the first found) that stop it. */
export function checkPayloadShape(
  shape: Shape,
  value: unknown,
):
  | { readonly value: unknown; readonly problems?: undefined }
  | { readonly problems: readonly FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const out = checkShape(shape, value, undefined, problems);
  return problems.length === 0 ? { value: out } : { problems: firstPerPath(problems) };
}

/** `value` if it has `shape`; otherwise a ProjectionError for `partnerId` (paths only). */
function mustHaveShape(partnerId: string, shape: Shape, value: unknown): unknown {
  const checked = checkPayloadShape(shape, value);
  if (checked.problems) throw new ProjectionError(partnerId, checked.problems);
  return checked.value;
}

/** Validates a payload against its partner's strict shape; throws ProjectionError (paths only). */
export function validatePayload(
  partner: ProjectionPartner,
  payload: unknown,
  options: { readonly international: boolean },
): PartnerPayload {
  return mustHaveShape(partner.id, payloadShape(partner, options), payload) as PartnerPayload;
}

/** Projects and validates: the only way a payload should be built for sending. */
export function projectFor(partner: ProjectionPartner, input: ProjectionInput): PartnerPayload {
  const payload = project(partner, input);
  return validatePayload(partner, payload, {
    international: isInternational(input.order, input.originCountry),
  });
}

// --- Redaction ---------------------------------------------------------------------------------

export { ORDER_REDACTED_TYPE };

/**
 * `order.redacted` (partners.md, "Redaction"): asks the partner to delete what it holds for the
 * order. Strict: the type, the order id and when the erasure was requested, nothing else.
 */
export const ORDER_REDACTED_SHAPE: Shape = {
  kind: 'object',
  fields: {
    type: { shape: { kind: 'literal', value: ORDER_REDACTED_TYPE }, required: true },
    orderId: { shape: { kind: 'orderId' }, required: true },
    requestedAt: { shape: { kind: 'datetime' }, required: true },
  },
};
export interface OrderRedactedPayload {
  readonly type: typeof ORDER_REDACTED_TYPE;
  readonly orderId: string;
  readonly requestedAt: string;
}

/** The `order.redacted` payload for an order, checked against its shape (ProjectionError: paths only). */
export function orderRedactedPayload(partnerId: string, value: OrderRedactedPayload): OrderRedactedPayload {
  return mustHaveShape(partnerId, ORDER_REDACTED_SHAPE, value) as OrderRedactedPayload;
}
