import { PARTNER_ID_PATTERN } from '#shared/contracts.js';
import { UsageError } from '../errors.js';

/** The `--partner` value: required, and a partner id (checked against the configuration later). */
export function requirePartner(value: unknown): string {
  if (value === undefined) throw new UsageError('--partner <id> is required');
  if (typeof value !== 'string' || !PARTNER_ID_PATTERN.test(value))
    throw new UsageError('--partner must be a partner id');
  return value;
}

export function knownPartners(
  partnerId: string,
  partners: ReadonlyArray<{ readonly id: string }>,
): UsageError {
  return new UsageError(`unknown partner ${partnerId} (configured: ${partners.map((p) => p.id).join(', ')})`);
}
