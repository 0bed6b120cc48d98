/**
 * The partner payloads as zod schemas, for what publishes them (the partner catalog's JSON Schema,
 * shared/domain/message-catalog.ts) and for tests: each derived from the same `Shape` the delivery
 * path checks with (projections.ts), so the catalog describes exactly what is sent. The delivery
 * function does not load this module (no schema library in its bundle).
 */
import * as z from 'zod/mini';
import '../schema.js';
import type { Schema } from '../schema.js';
import { ORDER_ID_PATTERN } from './ids.js';
import { FIELD_VALIDATORS } from './intake.js';
import {
  ORDER_REDACTED_SHAPE,
  type OrderRedactedPayload,
  type ProjectionPartner,
  payloadShape,
  type Shape,
} from './projections.js';

/** The zod schema of a shape: what `checkPayloadShape` accepts, and the same output. */
export function schemaOf(shape: Shape): Schema {
  switch (shape.kind) {
    case 'field':
      return FIELD_VALIDATORS[shape.path];
    case 'literal':
      return z.literal(shape.value);
    case 'orderId':
      return z.string().check(z.regex(ORDER_ID_PATTERN));
    case 'datetime':
      return z.iso.datetime();
    case 'text':
      return z.string().check(z.minLength(shape.min), z.maxLength(shape.max));
    case 'int':
      return z.number().check(z.int(), z.minimum(shape.min), z.maximum(shape.max));
    case 'list':
      return z.array(schemaOf(shape.item)).check(z.minLength(shape.min), z.maxLength(shape.max));
    case 'object': {
      const fields: Record<string, Schema> = {};
      for (const [key, slot] of Object.entries(shape.fields))
        fields[key] = slot.required ? schemaOf(slot.shape) : z.optional(schemaOf(slot.shape));
      return z.strictObject(fields);
    }
  }
}

/** The strict schema of a partner's payload (its kind, its fields, whether the parcel crosses a border). */
export const payloadSchema = (
  partner: ProjectionPartner,
  options: { readonly international: boolean },
): Schema => schemaOf(payloadShape(partner, options));

/** `order.redacted`: the type, the order id and when the erasure was requested, nothing else. */
export const orderRedactedSchema = /* @__PURE__ */ schemaOf(
  ORDER_REDACTED_SHAPE,
) as z.ZodMiniType<OrderRedactedPayload>;
