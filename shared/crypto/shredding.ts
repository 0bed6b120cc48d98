/** What crypto-shredding means for a reader: which records need a secret, and which are gone. */
import type { CustomerRecord } from '../domain/consent.js';
import type { PersonalRecord } from '../domain/order.js';
import { customerRecordId } from '../domain/sealing.js';
import type { RecordSecretStore } from '../record-secrets.js';
import { needsRecordSecret } from './record-envelope.js';

/** Whether any of the record's blobs is v2, i.e. opens only with the record's secret. */
export function needsSecret(record: Pick<PersonalRecord, 'sealed'>): boolean {
  return Object.values(record.sealed).some((blob) => blob !== undefined && needsRecordSecret(blob));
}

/** Whether the record is shredded: it needs a secret and has none (erased or expired). */
export function isShredded(record: PersonalRecord): boolean {
  return record.secret === undefined && needsSecret(record);
}

/** The customer's marketing contact with its secret; null when absent or shredded. */
/** A blob of the customer record (marketing contact, pending contact) with its secret; null when shredded. */
export async function sealedCustomerBlob(
  secrets: Pick<RecordSecretStore, 'getSecrets'>,
  emailKey: string,
  blob: Uint8Array,
  now: Date,
): Promise<{ readonly blob: Uint8Array; readonly secret: Uint8Array | undefined } | null> {
  if (!needsRecordSecret(blob)) return { blob, secret: undefined };
  const id = customerRecordId(emailKey);
  const secret = (await secrets.getSecrets([id], now)).get(id);
  return secret ? { blob, secret } : null;
}

export async function sealedMarketingContact(
  secrets: Pick<RecordSecretStore, 'getSecrets'>,
  customer: CustomerRecord | undefined,
  now: Date,
): Promise<{ readonly blob: Uint8Array; readonly secret: Uint8Array | undefined } | null> {
  if (!customer?.marketing) return null;
  if (!needsRecordSecret(customer.marketing)) return { blob: customer.marketing, secret: undefined };
  const id = customerRecordId(customer.emailKey);
  const secret = (await secrets.getSecrets([id], now)).get(id);
  return secret ? { blob: customer.marketing, secret } : null;
}
