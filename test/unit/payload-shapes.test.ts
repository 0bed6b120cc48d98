/**
 * The partner payloads' typed check (`checkPayloadShape`, what the delivery path runs) against the
 * zod schema derived from the same shape (`schemaOf`, what the partner catalog publishes): over
 * many generated payloads, valid ones and ones broken at one or more places, both accept the same
 * payloads with the same value and reject the same ones at the same paths (the catalog describes
 * exactly what is sent). Messages are not compared: a ProjectionError only names its paths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { toProblems } from '#shared/domain/field-problems.js';
import { orderRedactedSchema, schemaOf } from '#shared/domain/payload-schemas.js';
import {
  checkPayloadShape,
  ORDER_REDACTED_SHAPE,
  orderRedactedPayload,
  PROJECTED_FIELDS,
  ProjectionError,
  type ProjectionPartner,
  payloadShape,
  project,
  type Shape,
} from '#shared/domain/projections.js';
import { PARTNER_KINDS } from '#shared/inventory.js';
import { canaries } from '../support/canaries.js';
import { ORDER_ID, orderRecord, shippingFields } from './deliver-fixtures.js';

const SEED = 20261203;
const c = canaries('shape001');

type Answer = { value: string } | { paths: string[] };

function byCheck(partner: ProjectionPartner, international: boolean, payload: unknown): Answer {
  const checked = checkPayloadShape(payloadShape(partner, { international }), payload);
  return checked.problems
    ? { paths: checked.problems.map((p) => p.path) }
    : { value: JSON.stringify(checked.value) };
}
function byZod(partner: ProjectionPartner, international: boolean, payload: unknown): Answer {
  const parsed = z.safeParse(schemaOf(payloadShape(partner, { international })), payload);
  return parsed.success
    ? { value: JSON.stringify(parsed.data) }
    : { paths: toProblems(parsed.error).map((p) => p.path) };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path in a JSON value (the root too). */
function pathsOf(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) out.push(...pathsOf(value[i], [...at, i]));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}

/** `root` with the value at `path` replaced (undefined: the key removed). */
function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string | number, ...Path];
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<
    string | number,
    unknown
  >;
  const next = setAt(copy[head], rest, value);
  if (next === undefined && !Array.isArray(copy)) delete copy[head];
  // An own property even for `__proto__`, as JSON.parse makes it.
  else
    Object.defineProperty(copy, head, { value: next, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** Values that break (or at an edge, keep) a leaf, a list or an object. */
const replacements = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    true,
    0,
    -0,
    1,
    -1,
    1.5,
    999,
    1000,
    99_900,
    99_901,
    9_990_000_000,
    9_990_000_001,
    1e21,
    '',
    ' ',
    'a',
    'GB',
    'gb',
    'EUR',
    '+442071234567',
    '2026-11-25T10:00:00Z',
    '2026-11-25T10:00:00.000+01:00',
    'pick.requested',
    'shipment.requested',
    ORDER_ID,
    'ord_bad',
    '𠀀'.repeat(201),
    '𠀀'.repeat(202),
    'a'.repeat(200),
    'a'.repeat(201),
    'x\u0000y',
    [],
    [{}],
    {},
    { extra: 1 },
    Array.from({ length: 100 }, () => ({ sku: 'A', quantity: 1 })),
    Array.from({ length: 101 }, () => ({ sku: 'A', quantity: 1 })),
  ),
  fc.string({ maxLength: 6 }),
  fc.integer(),
);

/** Keys a payload never has, some of them names every object inherits. */
const newKeys = fc.constantFrom('extra', 'toString', 'constructor', '__proto__', 'hasOwnProperty', 'a-b');

const partners = fc
  .tuple(
    fc.constantFrom(...PARTNER_KINDS),
    fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }),
    fc.boolean(),
  )
  .map(([kind, keep, international]) => {
    const fields = PROJECTED_FIELDS[kind].filter((_, i) => keep[i] ?? true);
    return { partner: { id: kind, kind, fields } as ProjectionPartner, international };
  });

const orders = fc
  .array(
    fc.record({
      sku: fc.constantFrom('JKT-LEATHER-M', 'A'),
      name: fc.constantFrom('Leather jacket', 'Mug'),
      quantity: fc.integer({ min: 1, max: 999 }),
      unitPrice: fc.integer({ min: 0, max: 10_000_000 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((items) => orderRecord({ items }));

const cases = fc
  .tuple(
    partners,
    orders,
    fc.array(fc.tuple(fc.nat(), replacements, fc.option(newKeys, { freq: 3 })), { maxLength: 3 }),
  )
  .map(([{ partner, international }, order, edits]) => {
    let payload: unknown = JSON.parse(
      JSON.stringify(
        project(partner, { order, personal: shippingFields(c), originCountry: international ? 'CN' : 'GB' }),
      ),
    );
    for (const [pick, value, newKey] of edits) {
      const all = pathsOf(payload);
      const path = all[pick % all.length] ?? [];
      const parent = path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], payload);
      // A new key only on an object: a list's keys are its indices.
      const target = newKey === null || Array.isArray(parent) ? path : [...path, newKey];
      payload = setAt(payload, target, value);
    }
    // As a payload reaches a check: JSON values only, `__proto__` an own key.
    return { partner, international, payload: JSON.parse(JSON.stringify(payload) ?? 'null') as Json };
  });

describe('payload shapes: the typed check and the catalog schema agree', () => {
  it('accept the same payloads with the same value and reject the same ones at the same paths', () => {
    // Prepare
    const property = fc.property(cases, ({ partner, international, payload }) => {
      // Act
      const check = byCheck(partner, international, payload);
      const zod = byZod(partner, international, payload);
      // Assess
      expect(check).toEqual(zod);
    });
    // Act + Assess
    fc.assert(property, { seed: SEED, numRuns: 3000 });
  });

  it('accept every payload a projection builds, unchanged', () => {
    // Prepare
    const property = fc.property(partners, orders, ({ partner, international }, order) => {
      const payload = project(partner, {
        order,
        personal: shippingFields(c),
        originCountry: international ? 'CN' : 'GB',
      });
      // Act
      const check = byCheck(partner, international, payload);
      // Assess
      expect(check).toEqual({ value: JSON.stringify(payload) });
    });
    // Act + Assess
    fc.assert(property, { seed: SEED, numRuns: 300 });
  });

  it('agree at every bound of every slot: min − 1, min, max, max + 1', () => {
    // Prepare: the fullest payloads (every field, international), and each bound at each slot
    const full = PARTNER_KINDS.map((kind) => {
      const partner: ProjectionPartner = { id: kind, kind, fields: PROJECTED_FIELDS[kind] };
      const order = orderRecord({ items: [{ sku: 'A', name: 'Mug', quantity: 1, unitPrice: 100 }] });
      const payload = project(partner, { order, personal: shippingFields(c), originCountry: 'CN' });
      return { partner, payload: JSON.parse(JSON.stringify(payload)) as unknown };
    });
    const edits: { partner: ProjectionPartner; payload: unknown }[] = [];
    const walk = (partner: ProjectionPartner, shape: Shape, value: unknown, at: Path, root: unknown) => {
      const put = (v: unknown) => edits.push({ partner, payload: setAt(root, at, v) });
      if (shape.kind === 'int') for (const n of [shape.min - 1, shape.min, shape.max, shape.max + 1]) put(n);
      if (shape.kind === 'text')
        for (const n of [shape.min - 1, shape.min, shape.max, shape.max + 1])
          put('𠀀'.repeat(Math.max(0, n)));
      if (shape.kind === 'list') {
        for (const n of [shape.min - 1, shape.min, shape.max, shape.max + 1])
          put(Array.from({ length: Math.max(0, n) }, () => (value as unknown[])[0]));
        walk(partner, shape.item, (value as unknown[])[0], [...at, 0], root);
      }
      if (shape.kind === 'object')
        for (const [key, slot] of Object.entries(shape.fields))
          walk(partner, slot.shape, (value as Record<string, unknown>)[key], [...at, key], root);
    };
    for (const { partner, payload } of full)
      walk(partner, payloadShape(partner, { international: true }), payload, [], payload);
    // Act
    const answers = edits.map(({ partner, payload }) => ({
      check: byCheck(partner, true, payload),
      zod: byZod(partner, true, payload),
    }));
    // Assess
    expect(edits.length).toBe(20);
    for (const { check, zod } of answers) expect(check).toEqual(zod);
    expect(answers.filter((a) => 'paths' in a.check).length).toBe(10);
  });

  it('count a name in code points: 201 astral characters pass, 202 fail', () => {
    // Prepare
    const carrier: ProjectionPartner = { id: 'carrier', kind: 'carrier', fields: ['customer.givenName'] };
    const payload = (name: string) => ({
      type: 'shipment.requested',
      orderId: ORDER_ID,
      createdAt: '2026-11-25T10:00:00.000Z',
      recipient: { name },
    });
    // Act
    const fits = byCheck(carrier, false, payload('𠀀'.repeat(201)));
    const over = byCheck(carrier, false, payload('𠀀'.repeat(202)));
    // Assess
    expect(fits).toEqual({ value: JSON.stringify(payload('𠀀'.repeat(201))) });
    expect(over).toEqual({ paths: ['recipient.name'] });
  });

  it('name an unknown key only by a safe rendering of it, never its value', () => {
    // Prepare
    const warehouse: ProjectionPartner = { id: 'warehouse', kind: 'warehouse', fields: ['items[].sku'] };
    const payload = {
      type: 'pick.requested',
      orderId: ORDER_ID,
      createdAt: '2026-11-25T10:00:00.000Z',
      items: [{ sku: 'A' }],
      [c.email]: c.phone,
    };
    // Act
    const answer = checkPayloadShape(payloadShape(warehouse, { international: false }), payload);
    // Assess
    expect(answer).toEqual({ problems: [{ path: '(unknown key)', message: 'is not a known field' }] });
  });
});

describe('order.redacted', () => {
  it('is built only as its shape allows, and the catalog schema says the same', () => {
    // Prepare
    const good = {
      type: 'order.redacted' as const,
      orderId: ORDER_ID,
      requestedAt: '2026-12-01T10:00:00.000Z',
    };
    const bad = { ...good, requestedAt: '2026-12-01' };
    // Act
    const built = orderRedactedPayload('carrier', good);
    const refused = (() => {
      try {
        return orderRedactedPayload('carrier', bad);
      } catch (error) {
        return error;
      }
    })();
    // Assess
    expect(built).toEqual(good);
    expect(refused).toBeInstanceOf(ProjectionError);
    expect((refused as ProjectionError).problems).toEqual([
      { path: 'requestedAt', message: 'must be an ISO datetime' },
    ]);
    expect(z.safeParse(orderRedactedSchema, good).success).toBe(true);
    expect(z.safeParse(orderRedactedSchema, bad).success).toBe(false);
    expect(z.safeParse(schemaOf(ORDER_REDACTED_SHAPE), { ...good, extra: 1 }).success).toBe(false);
    expect(checkPayloadShape(ORDER_REDACTED_SHAPE, { ...good, extra: 1 })).toEqual({
      problems: [{ path: 'extra', message: 'is not a known field' }],
    });
  });
});
