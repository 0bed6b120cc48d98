/**
 * An order request as intake accepts it (shared/domain/intake.ts validates it) and reading its
 * values by inventory path. Imports no schema library: sealing and the stores use it in functions
 * that never validate a request.
 */
import type { FieldPath } from '../inventory.js';

export interface OrderRequest {
  readonly customer: {
    readonly givenName: string;
    readonly familyName: string;
    readonly email: string;
    readonly phone?: string;
  };
  readonly shippingAddress: {
    readonly line1: string;
    readonly line2?: string;
    readonly city: string;
    readonly region?: string;
    readonly postalCode: string;
    readonly country: string;
  };
  readonly items: ReadonlyArray<{ sku: string; name: string; quantity: number; unitPrice: number }>;
  readonly currency: string;
  readonly marketingOptIn: boolean;
  readonly paymentReference: string;
}

/** Reads a value from an order request by inventory path (`items[].sku` yields one value per item). */
export function valuesAt(order: OrderRequest, path: FieldPath): unknown[] {
  const arrayMatch = /^(\w+)\[\]\.(\w+)$/.exec(path);
  if (arrayMatch?.[1] && arrayMatch[2]) {
    const list = (order as unknown as Record<string, Array<Record<string, unknown>>>)[arrayMatch[1]] ?? [];
    return list.map((entry) => entry[arrayMatch[2] as string]);
  }
  const parts = path.split('.');
  let value: unknown = order;
  for (const part of parts) value = (value as Record<string, unknown> | undefined)?.[part];
  return [value];
}
