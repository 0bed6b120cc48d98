import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts.js';
import type {
  ConfirmationRequest,
  ConsentEvent,
  CustomerRecord,
  SuppressionRecord,
} from '../../domain/consent.js';
import type { ConsentStore } from '../../ports.js';
import { call, conditional, type DynamoTable } from './dynamo-client.js';

/** Consent ledger (CUSTOMER#) and suppression list (SUPPRESS#), both keyed by the keyed email hash. */

export async function getCustomer(t: DynamoTable, emailKey: string): Promise<CustomerRecord | undefined> {
  const { Item } = await call('get customer', () =>
    t.db.send(
      new GetCommand({
        TableName: t.tableName,
        Key: { pk: keys.customer(emailKey) },
        ConsistentRead: true,
      }),
    ),
  );
  if (!Item) return undefined;
  return {
    emailKey,
    consent: (Item.consent as ConsentEvent[] | undefined) ?? [],
    ...(Item.marketing instanceof Uint8Array ? { marketing: Item.marketing } : {}),
    ...(Item.pendingMarketing instanceof Uint8Array ? { pendingMarketing: Item.pendingMarketing } : {}),
    ...(typeof Item.confirmId === 'string'
      ? {
          confirmation: {
            id: Item.confirmId,
            expiresAt: Item.confirmExpiresAt as number,
            email: Item.confirmEmail as ConfirmationRequest['email'],
            ...(typeof Item.confirmLease === 'number' ? { leaseUntil: Item.confirmLease } : {}),
          },
        }
      : {}),
    ...(typeof Item.confirmCooldown === 'number' ? { confirmationCooldownUntil: Item.confirmCooldown } : {}),
    updatedAt: Item.updatedAt as string,
  };
}

export function appendConsent(
  t: DynamoTable,
  emailKey: string,
  event: ConsentEvent,
  marketing?: Uint8Array | null,
  ifLedgerLength?: number,
): Promise<boolean> {
  const values: Record<string, unknown> = { ':e': [event], ':empty': [], ':at': event.at };
  let update = 'SET consent = list_append(if_not_exists(consent, :empty), :e), updatedAt = :at';
  if (marketing) {
    update += ', marketing = :m';
    values[':m'] = marketing;
  }
  // An opt-out also withdraws a pending confirmation request and its sealed contact (its cooldown,
  // `confirmCooldown`, stays: no new request before the withdrawn one would have expired).
  if (marketing === null)
    update += ' REMOVE marketing, pendingMarketing, confirmId, confirmExpiresAt, confirmEmail, confirmLease';
  let condition: string | undefined;
  if (ifLedgerLength !== undefined) {
    values[':n'] = ifLedgerLength;
    condition =
      ifLedgerLength === 0 ? 'attribute_not_exists(consent) OR size(consent) = :n' : 'size(consent) = :n';
  }
  return conditional('append consent', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.customer(emailKey) },
        UpdateExpression: update,
        ...(condition ? { ConditionExpression: condition } : {}),
        ExpressionAttributeValues: values,
      }),
    ),
  );
}

export function requestConfirmation(
  t: DynamoTable,
  emailKey: string,
  event: ConsentEvent,
  request: ConfirmationRequest,
  pendingMarketing: Uint8Array,
  nowSeconds: number,
): Promise<boolean> {
  return conditional('request consent confirmation', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.customer(emailKey) },
        UpdateExpression:
          'SET consent = list_append(if_not_exists(consent, :empty), :e), updatedAt = :at, ' +
          'pendingMarketing = :m, confirmId = :id, confirmExpiresAt = :exp, confirmEmail = :state, ' +
          'confirmCooldown = :exp REMOVE confirmLease',
        // No request outstanding, and none withdrawn by an opt-out in the last 7 days.
        ConditionExpression:
          '(attribute_not_exists(confirmId) OR confirmExpiresAt <= :now) AND ' +
          '(attribute_not_exists(confirmCooldown) OR confirmCooldown <= :now)',
        ExpressionAttributeValues: {
          ':e': [event],
          ':empty': [],
          ':at': event.at,
          ':m': pendingMarketing,
          ':id': request.id,
          ':exp': request.expiresAt,
          ':state': request.email,
          ':now': nowSeconds,
        },
      }),
    ),
  );
}

export function claimConfirmationEmail(
  t: DynamoTable,
  emailKey: string,
  requestId: string,
  leaseUntil: number,
  nowMs: number,
): Promise<boolean> {
  return conditional('claim confirmation email', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.customer(emailKey) },
        UpdateExpression: 'SET confirmEmail = :sending, confirmLease = :lease',
        ConditionExpression:
          'confirmId = :id AND (confirmEmail = :requested OR (confirmEmail = :sending AND confirmLease < :now))',
        ExpressionAttributeValues: {
          ':id': requestId,
          ':requested': 'requested',
          ':sending': 'sending',
          ':lease': leaseUntil,
          ':now': nowMs,
        },
      }),
    ),
  );
}

export async function finishConfirmationEmail(
  t: DynamoTable,
  emailKey: string,
  requestId: string,
  sent: boolean,
  leaseUntil?: number,
): Promise<void> {
  // A give-back (not sent) with its lease leaves a claim another worker took over since alone.
  const mine = !sent && leaseUntil !== undefined;
  await conditional('finish confirmation email', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.customer(emailKey) },
        UpdateExpression: 'SET confirmEmail = :state REMOVE confirmLease',
        ConditionExpression: mine ? 'confirmId = :id AND confirmLease = :mine' : 'confirmId = :id',
        ExpressionAttributeValues: {
          ':id': requestId,
          ':state': sent ? 'sent' : 'requested',
          ...(mine ? { ':mine': leaseUntil } : {}),
        },
      }),
    ),
  );
}

export function confirmConsent(
  t: DynamoTable,
  emailKey: string,
  requestId: string,
  event: ConsentEvent,
  nowSeconds: number,
): Promise<boolean> {
  return conditional('confirm consent', () =>
    t.db.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: { pk: keys.customer(emailKey) },
        UpdateExpression:
          'SET consent = list_append(consent, :e), updatedAt = :at, marketing = pendingMarketing ' +
          'REMOVE pendingMarketing, confirmId, confirmExpiresAt, confirmEmail, confirmLease, confirmCooldown',
        ConditionExpression:
          'confirmId = :id AND confirmExpiresAt > :now AND attribute_exists(pendingMarketing)',
        ExpressionAttributeValues: { ':e': [event], ':at': event.at, ':id': requestId, ':now': nowSeconds },
      }),
    ),
  );
}

export async function deleteCustomer(t: DynamoTable, emailKey: string): Promise<boolean> {
  const { Attributes } = await call('delete customer', () =>
    t.db.send(
      new DeleteCommand({
        TableName: t.tableName,
        Key: { pk: keys.customer(emailKey) },
        ReturnValues: 'ALL_OLD',
      }),
    ),
  );
  return Attributes !== undefined;
}

export async function getSuppression(
  t: DynamoTable,
  emailKey: string,
): Promise<SuppressionRecord | undefined> {
  const { Item } = await call('get suppression', () =>
    t.db.send(
      new GetCommand({
        TableName: t.tableName,
        Key: { pk: keys.suppression(emailKey) },
        ConsistentRead: true,
      }),
    ),
  );
  return Item
    ? { emailKey, reason: Item.reason as SuppressionRecord['reason'], at: Item.at as string }
    : undefined;
}

export async function putSuppression(t: DynamoTable, record: SuppressionRecord): Promise<void> {
  await call('put suppression', () =>
    t.db.send(
      new PutCommand({
        TableName: t.tableName,
        Item: { pk: keys.suppression(record.emailKey), reason: record.reason, at: record.at },
      }),
    ),
  );
}

/** Every ConsentStore function bound to one table (the all-in-one wiring, the adapter tests). */
export class DynamoConsentStore implements ConsentStore {
  private readonly t: DynamoTable;

  constructor(db: DynamoDBDocumentClient, tableName: string) {
    this.t = { db, tableName };
  }

  getCustomer(emailKey: string) {
    return getCustomer(this.t, emailKey);
  }
  appendConsent(
    emailKey: string,
    event: ConsentEvent,
    marketing?: Uint8Array | null,
    ifLedgerLength?: number,
  ) {
    return appendConsent(this.t, emailKey, event, marketing, ifLedgerLength);
  }
  requestConfirmation(
    emailKey: string,
    event: ConsentEvent,
    request: ConfirmationRequest,
    pendingMarketing: Uint8Array,
    nowSeconds: number,
  ) {
    return requestConfirmation(this.t, emailKey, event, request, pendingMarketing, nowSeconds);
  }
  claimConfirmationEmail(emailKey: string, requestId: string, leaseUntil: number, nowMs: number) {
    return claimConfirmationEmail(this.t, emailKey, requestId, leaseUntil, nowMs);
  }
  finishConfirmationEmail(emailKey: string, requestId: string, sent: boolean, leaseUntil?: number) {
    return finishConfirmationEmail(this.t, emailKey, requestId, sent, leaseUntil);
  }
  confirmConsent(emailKey: string, requestId: string, event: ConsentEvent, nowSeconds: number) {
    return confirmConsent(this.t, emailKey, requestId, event, nowSeconds);
  }
  deleteCustomer(emailKey: string) {
    return deleteCustomer(this.t, emailKey);
  }
  getSuppression(emailKey: string) {
    return getSuppression(this.t, emailKey);
  }
  putSuppression(record: SuppressionRecord) {
    return putSuppression(this.t, record);
  }
}
