/**
 * Least-privilege access to the key table (record secrets; see key-table.ts). Who may do what:
 *
 * | access     | actions                       | who                                                   |
 * | ---------- | ----------------------------- | ----------------------------------------------------- |
 * | `create`   | PutItem (+ GetItem read-back) | intake only: a new record's secret (conditional put)  |
 * | `read`     | GetItem, BatchGetItem         | the functions that open records: notification, the    |
 * |            |                               | deliveries that open a purpose, the operator          |
 * | `expiry`   | UpdateItem of `t` only        | partner events (delivery shortens the expiry)         |
 * | `shred`    | DeleteItem, returning nothing | erase (operator) and purge; intake and the opt-outs   |
 * |            |                               | only for their own writes when they raced an erasure  |
 * |            |                               | (erasure fence)                                       |
 * | `sweep`    | Scan of `k` and `t` only      | purge (operator and the daily schedule)               |
 * | `mark`     | PutItem of `k` and `e` only   | erase (operator): the address's erasure mark, which   |
 * |            |                               | order-table restores do not reach                     |
 * | `marks`    | GetItem of `k`, `e` only      | intake (beside the suppression entry; its `create`    |
 * |            |                               | covers it), purge (dates a customer's erasure), the   |
 * |            |                               | consent confirmation (a request from before the last  |
 * |            |                               | erasure, come back with a restored table, is void),   |
 * |            |                               | the opt-outs (unsubscribe, SES feedback)              |
 *
 * `shred` and `sweep` never return a secret: DeleteItem is limited to `ReturnValues` NONE and
 * Scan to the key and expiry attributes (`dynamodb:Attributes`, `dynamodb:Select`), so the purge
 * deletes secrets without ever reading one. The storage key (both tables are encrypted with it)
 * comes with the role's order-table access, granted by table-access.ts to every key-table user.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { KEY_TABLE } from '#shared/adapters/aws/dynamo-record-secret-store.js';
import type { PartnerConfig } from '#shared/config.js';
import { purposesForFields } from '#shared/inventory.js';

export interface KeyTableRef {
  readonly tableArn: string;
  readonly encryptionKey: kms.IKey;
}

export interface KeyTableAccess {
  readonly create?: boolean;
  readonly read?: boolean;
  readonly expiry?: boolean;
  readonly shred?: boolean;
  readonly sweep?: boolean;
  readonly mark?: boolean;
  readonly marks?: boolean;
}

export const KEY_TABLE_ACCESS = {
  /** Creates secrets; shreds only its own records when its intake raced an erasure (erasure fence). */
  'submit-order': { create: true, shred: true, marks: true },
  'notify-customer': { read: true },
  'partner-events': { expiry: true },
  purge: { shred: true, sweep: true, marks: true },
  /** A confirmation link's request must be newer than the address's last erasure mark. */
  'consent-confirm': { marks: true },
  /**
   * An opt-out (the one-click unsubscribe, SES bounces and complaints) reads the suppression with
   * the mark, so that an order table restored from before an erasure does not take the opt-out for
   * the first word on the address (review s11); it shreds only the customer record it wrote when
   * it raced an erasure (erasure fence).
   */
  unsubscribe: { shred: true, marks: true },
  'ses-feedback': { shred: true, marks: true },
  operator: { read: true, shred: true, sweep: true, mark: true },
} as const satisfies Record<string, KeyTableAccess>;

/** A partner's delivery reads secrets only when it opens a purpose (the carrier; not the warehouse). */
export function partnerKeyTableAccess(partner: Pick<PartnerConfig, 'fields'>): KeyTableAccess {
  return purposesForFields(partner.fields).length > 0 ? { read: true } : {};
}

const NO_RETURN = { StringEqualsIfExists: { 'dynamodb:ReturnValues': 'NONE' } };
const KEY_AND_EXPIRY = {
  'ForAllValues:StringEquals': { 'dynamodb:Attributes': [KEY_TABLE.key, KEY_TABLE.ttl] },
};

export function grantKeyTableAccess(role: iam.IRole, table: KeyTableRef, access: KeyTableAccess): void {
  const statement = (actions: string[], conditions?: Record<string, Record<string, unknown>>) =>
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: actions.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
        conditions,
      }),
    );
  if (access.create) statement(['PutItem', 'GetItem']);
  if (access.read) statement(['GetItem', 'BatchGetItem']);
  if (access.expiry) statement(['UpdateItem'], { ...KEY_AND_EXPIRY, ...NO_RETURN });
  if (access.shred) statement(['DeleteItem'], NO_RETURN);
  if (access.mark)
    statement(['PutItem'], {
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': [KEY_TABLE.key, KEY_TABLE.erasedAt] },
      ...NO_RETURN,
    });
  // GetItem of the mark: the intake's `create` already allows GetItem (its read-back).
  if (access.marks && !access.create)
    statement(['GetItem'], {
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': [KEY_TABLE.key, KEY_TABLE.erasedAt] },
      // A GetItem naming no attributes would pass ForAllValues and return the whole item (the secret).
      StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    });
  if (access.sweep)
    statement(['Scan'], { ...KEY_AND_EXPIRY, StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' } });
  // The storage key for DynamoDB's own use (kms:ViaService dynamodb) comes with the role's
  // order-table access (table-access.ts), which every key-table user has: both tables share the key.
}
