/**
 * Ports: what the use cases need from the outside world. Adapters in adapters/aws and
 * adapters/local implement them; tests pass in-memory fakes. Nothing here does I/O.
 */
import type {
  ConfirmationRequest,
  ConsentEvent,
  CustomerRecord,
  SuppressionRecord,
} from './domain/consent.js';
import type { OrderRecord, OrderStatus, PersonalRecord } from './domain/order.js';
import type { Keyring } from './domain/partner-keyring.js';
import type { KeyContext, Purpose } from './inventory.js';
import type { LedgerAppend } from './ledger-ports.js';

export interface Clock {
  now(): Date;
}

/** Data keys from KMS (or the local key provider), bound to one key context. */
export interface KeyService {
  generateDataKey(context: KeyContext): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }>;
  decryptDataKey(context: KeyContext, wrapped: Uint8Array): Promise<Uint8Array>;
}

/** Wrapped data keys, stored once and referenced by a short id from every sealed blob. */
export interface DataKeyRecord {
  readonly ref: string;
  readonly context: KeyContext;
  readonly wrapped: Uint8Array;
  readonly createdAt: string;
}

export interface KeyRecordStore {
  getDataKey(ref: string): Promise<DataKeyRecord | undefined>;
  /** Conditional put; returns false when a record with this ref already exists. */
  putDataKey(record: DataKeyRecord): Promise<boolean>;
}

export interface IdempotencyRecord {
  readonly key: string;
  readonly requestMac: string;
  readonly orderId: string;
  /**
   * `done` only on records written before the order record became the completion marker (still
   * read as a replay); an intake now leaves its record `in-progress` and a retry asks whether the
   * order record exists.
   */
  readonly state: 'in-progress' | 'done';
  /** Epoch ms after which an in-progress claim may be taken over (the first attempt died). */
  readonly leaseUntil: number;
  /** Epoch seconds; TTL attribute, and treated as absent on read once passed. */
  readonly expiresAt: number;
  /**
   * The erasure fence's `ended` count for the order's address, read before the first attempt's
   * first personal write (see usecases/erasure-fence.ts) and stored by `setMark` alongside that
   * write; a resumed attempt checks against it (absent: 0, the conservative mark).
   */
  readonly fenceEnded?: number;
  /**
   * The order's keyed email hash and whether it opted in: what the intake sweep needs to apply a
   * resumed intake's fence re-check to an abandoned claim (usecases/sweep-intakes.ts). Absent on
   * records written before the sweep existed.
   */
  readonly emailKey?: string;
  readonly optIn?: boolean;
  /**
   * True while the intake has not finished (the sharded `byIntake` flag, contracts/intake-claims.ts):
   * set by `claim`, removed by `settle`. Absent: false.
   */
  readonly open?: boolean;
}

export interface IdempotencyStore {
  /** Creates the record unless a live one exists; returns the existing live record otherwise. */
  claim(
    record: IdempotencyRecord,
    nowMs: number,
  ): Promise<{ claimed: true } | { claimed: false; existing: IdempotencyRecord }>;
  /**
   * Takes over an in-progress record whose lease has expired; false if someone else did. With
   * `reopen`, the claim is open again (as `claim` leaves it) until the resumed intake settles it.
   */
  takeOver(
    key: string,
    expectedLeaseUntil: number,
    leaseUntil: number,
    reopen?: { readonly emailKey: string; readonly optIn: boolean },
  ): Promise<boolean>;
  /** Stores the first attempt's erasure-fence mark on its (existing) record; nothing if it is gone. */
  setMark(key: string, fenceEnded: number): Promise<void>;
  /**
   * Clears the open flag (and the keyed email hash and opt-in, needed only while open) once the
   * intake's fence re-check has run; nothing if the record is gone. With `expectedLeaseUntil`,
   * only while the lease is unchanged (no retry took the claim over).
   */
  settle(key: string, expectedLeaseUntil?: number): Promise<void>;
  /**
   * Open claims whose lease ended before `beforeMs` (their intake died), read consistently, at most
   * `limit`; every shard of the `byIntake` index is queried.
   */
  listAbandoned(beforeMs: number, limit: number): Promise<IdempotencyRecord[]>;
}

export type ApplyEventResult =
  | { readonly outcome: 'applied'; readonly order: OrderRecord }
  | { readonly outcome: 'replay'; readonly order: OrderRecord }
  | { readonly outcome: 'conflict'; readonly order: OrderRecord }
  | { readonly outcome: 'not-found' }
  /** The order exists but was not routed to the reporting partner; callers answer as for not-found. */
  | { readonly outcome: 'not-routed' };

export interface StatusChange {
  /**
   * The partner reporting the change. It applies only if the order was routed to this partner
   * at intake (a key of its `deliveries`), checked in the same conditional write: any other
   * partner gets `not-routed`, which callers answer exactly as an order that does not exist.
   */
  readonly partnerId: string;
  readonly eventId: string;
  readonly to: OrderStatus;
  readonly from: readonly OrderStatus[];
  readonly at: string;
  readonly trackingNumber?: string;
  readonly trackingUrl?: string;
}

export interface OrderStore {
  /** Writes the personal record then the order; both conditional on not existing (safe to repeat). */
  putOrder(order: OrderRecord, personal: PersonalRecord): Promise<void>;
  /** The first half of `putOrder`: the personal record, only if absent. */
  putPersonal(personal: PersonalRecord): Promise<void>;
  /** The second half of `putOrder`: the order record, only if absent. */
  putOrderRecord(order: OrderRecord): Promise<void>;
  getOrder(orderId: string): Promise<OrderRecord | undefined>;
  /** Undefined when absent or expired (expiry is checked here, not left to DynamoDB TTL). */
  getPersonal(orderId: string, now: Date): Promise<PersonalRecord | undefined>;
  /** Orders whose fan-out was not confirmed, created before `before` (the outbox). */
  listPendingFanout(before: Date, limit: number): Promise<string[]>;
  markFanoutDone(orderId: string): Promise<void>;
  /** Only for a partner the order was routed to at intake: never adds one (nor a `delivered` → other). */
  setDeliveryState(
    orderId: string,
    partnerId: string,
    state: 'pending' | 'delivered' | 'failed',
    at: string,
    /** Ledger entries riding on the same write (no extra request). */
    ledger?: LedgerAppend,
  ): Promise<void>;
  /**
   * Applies a partner event atomically: at most once per event id, only from allowed statuses,
   * and only when the order was routed to `change.partnerId` (else `not-routed`, also for replays).
   */
  applyStatusChange(orderId: string, change: StatusChange): Promise<ApplyEventResult>;
  /** Shortens/sets when the personal record expires (e.g. 30 days after delivery). */
  /** Only while the record is still live at `now`: an expired record is never brought back. */
  setPersonalExpiry(orderId: string, expiresAt: number, now: Date): Promise<void>;
  /** Claims the right to send one email for an order; false if it was sent or is being sent. */
  claimEmail(orderId: string, emailType: string, leaseUntil: number, nowMs: number): Promise<boolean>;
  markEmailSent(orderId: string, emailType: string, ledger?: LedgerAppend): Promise<void>;
  /**
   * Gives the claim back (the email was not sent). With `leaseUntil`, only the claim leased until
   * then (this worker's): one taken over since stays; `ledger` is appended either way.
   */
  releaseEmail(orderId: string, emailType: string, ledger?: LedgerAppend, leaseUntil?: number): Promise<void>;
  /**
   * Adds the order to its keyed email's listing of the day of `at` (`EMAILPII#`, no personal data),
   * in the same round as the personal record: erase and export read it consistently, beside the
   * eventually consistent `byEmail` index.
   */
  addToEmailListing(emailKey: string, orderId: string, at: Date): Promise<void>;
  /**
   * The keyed email's personal records: the listings around `now` (consistent reads) and the
   * `byEmail` index together.
   */
  listPersonalByEmailKey(emailKey: string, now?: Date): Promise<PersonalRecord[]>;
  /**
   * Deletes the keyed email's listings from the day before yesterday to tomorrow of `now` (erasure,
   * inside its fence, after its sweep): wider than the read window, so none outlives it for its TTL.
   */
  clearEmailListing(emailKey: string, now: Date): Promise<void>;
  /**
   * Removes one order from the keyed email's listing of the day of `at` and of an hour before it
   * (a raced intake's: its submit time, or its claim's lease end); creates no listing.
   */
  removeFromEmailListing(emailKey: string, orderId: string, at: Date): Promise<void>;
  /**
   * Deletes the personal record (and, with crypto-shredding, its secret first); returns whether
   * one existed. `reason` goes to the erasure log (default `erasure`).
   */
  deletePersonal(orderId: string, reason?: 'erasure' | 'expiry'): Promise<boolean>;
  /** Every personal record whose expiry has passed, for the purge sweep. */
  scanExpiredPersonal(now: Date): AsyncIterable<PersonalRecord>;
}

export interface ConsentStore {
  getCustomer(emailKey: string): Promise<CustomerRecord | undefined>;
  /**
   * Appends a ledger event; `marketing` replaces (or with null removes) the sealed marketing contact.
   * Null (an opt-out) also withdraws a pending confirmation request and its sealed contact.
   * With `ifLedgerLength`, only while the ledger still holds exactly that many events (0: no
   * ledger yet), in the same conditional write: false, and nothing written, when another write
   * changed it since the caller read it (the caller reads again and decides again).
   */
  appendConsent(
    emailKey: string,
    event: ConsentEvent,
    marketing?: Uint8Array | null,
    ifLedgerLength?: number,
  ): Promise<boolean>;
  deleteCustomer(emailKey: string): Promise<boolean>;
  getSuppression(emailKey: string): Promise<SuppressionRecord | undefined>;
  putSuppression(record: SuppressionRecord): Promise<void>;
  /**
   * Appends an `unconfirmed` opt-in and opens `request` with the sealed contact it would confirm —
   * only when no request is outstanding at `nowSeconds` (one write, conditional). False, and
   * nothing written, when one is.
   */
  requestConfirmation(
    emailKey: string,
    event: ConsentEvent,
    request: ConfirmationRequest,
    pendingMarketing: Uint8Array,
    nowSeconds: number,
  ): Promise<boolean>;
  /** Claims sending the email of request `requestId`; false if it is sent, being sent, or gone. */
  claimConfirmationEmail(
    emailKey: string,
    requestId: string,
    leaseUntil: number,
    nowMs: number,
  ): Promise<boolean>;
  /** After a send: marks it `sent`, or gives the claim back so a retry sends (only for that request). */
  /** Records the confirmation email sent, or gives its claim back (with `leaseUntil`: only that claim). */
  finishConfirmationEmail(
    emailKey: string,
    requestId: string,
    sent: boolean,
    leaseUntil?: number,
  ): Promise<void>;
  /**
   * The single-use confirmation, one conditional write: only while request `requestId` is
   * outstanding at `nowSeconds`, appends `event`, makes the pending contact the marketing contact
   * and closes the request. False, and nothing written, otherwise (used, superseded, expired, erased).
   */
  confirmConsent(
    emailKey: string,
    requestId: string,
    event: ConsentEvent,
    nowSeconds: number,
  ): Promise<boolean>;
}

/** Erasures begun and ended for one keyed email hash (see usecases/erasure-fence.ts). */
export interface ErasureFence {
  readonly begun: number;
  readonly ended: number;
  /**
   * When each erasure began (epoch ms), in order: entry `n - 1` for the `n`-th `beginErasure`. Only
   * when it covers every erasure begun (a fence from before it was kept has fewer entries: unknown).
   */
  readonly beganAt?: readonly number[];
}

export interface ErasureFenceStore {
  /** Consistent read; zeros when no erasure ever ran for the address. */
  readFence(emailKey: string): Promise<ErasureFence>;
  /**
   * Counts one more erasure begun and holds the fence until `leaseUntil` (epoch ms); returns the
   * new `begun` count. Undefined, and nothing written, while another erasure of the address holds
   * an unexpired lease (erasures of one address run one at a time; a crashed one is taken over).
   */
  beginErasure(emailKey: string, leaseUntil: number, nowMs: number): Promise<number | undefined>;
  /** Marks every erasure up to `begun` (as returned by beginErasure) ended; never lowers `ended`. */
  endErasure(emailKey: string, begun: number): Promise<void>;
}

export interface QueueMessage {
  readonly type: string;
  readonly orderId: string;
  readonly [key: string]: string | number | undefined;
}

export interface Queue {
  /** Sends to a named queue (`partner-<id>`, `notify`). Bodies carry ids, never personal data. */
  send(queue: string, message: QueueMessage, options?: { delaySeconds?: number }): Promise<void>;
}

/** What a queue consumer can ask of its queue for the message it is handling. */
export interface RetryScheduler {
  /** Hide the message for `delaySeconds` before it is received again (exponential backoff). */
  retryLater(queue: string, receiptHandle: string, delaySeconds: number): Promise<void>;
}

export interface DeadLetterQueue {
  /** Moves dead-lettered messages of a queue back to it; returns how many were moved. */
  redrive(queue: string, onProgress?: (moved: number) => void): Promise<number>;
  /** Order ids currently dead-lettered for a queue (for reporting). */
  list(queue: string): Promise<QueueMessage[]>;
}

export interface OutboundEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

export interface Mailer {
  send(email: OutboundEmail): Promise<{ messageId: string }>;
}

export interface PartnerResponse {
  readonly status: number;
}

export interface PartnerClient {
  post(
    url: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<PartnerResponse>;
}

export interface SecretStore {
  /**
   * The partner's active `whsec_…` signing secrets, newest first: one, or two during a rotation
   * (every outbound message is signed with each; inbound events may be signed with either).
   */
  partnerSecrets(partnerId: string): Promise<readonly string[]>;
}

/** Where a partner's keyring lives: only `environment` (an inline secret) cannot be rotated by minimis. */
export type KeyringSource = 'environment' | 'secrets-manager' | 'file';

/** The stored keyrings, for the rotation commands. */
export interface KeyringStore {
  keyringSource(partnerId: string): KeyringSource;
  readKeyring(partnerId: string): Promise<Keyring>;
  /** Replaces the stored keyring (a new Secrets Manager version; an atomic 0600 file write). */
  writeKeyring(partnerId: string, keyring: Keyring): Promise<void>;
}

/** Whether minimis may send to a partner: `disabled` after it answered 410 Gone, until enabled. */
export interface PartnerState {
  readonly state: 'enabled' | 'disabled';
  readonly changedAt?: string;
  /** The HTTP status that disabled it (410). */
  readonly status?: number;
}

/** A partner message kept while its partner is disabled: the queue message as it was. */
export interface HeldMessage {
  readonly webhookId: string;
  readonly message: QueueMessage;
  /** When the message was first held (a hold of a message already held keeps it). */
  readonly heldAt: string;
  /**
   * This hold's own id, new on every hold: a release names the hold it saw, so it never removes a
   * later hold of the same message. Absent on items held before holds had ids.
   */
  readonly holdId?: string;
}

export interface PartnerStateStore {
  /** Read consistently: `enabled` when nothing was ever recorded. */
  getPartnerState(partnerId: string): Promise<PartnerState>;
  /** Records `disabled`; returns true when this call changed it (it was enabled). */
  disablePartner(partnerId: string, at: string, status: number): Promise<boolean>;
  /** Records `enabled`; returns true when this call changed it (it was disabled). */
  enablePartner(partnerId: string, at: string): Promise<boolean>;
  /**
   * Keeps a message, one item per webhook-id: holding it again keeps its first `heldAt` and takes
   * the new `holdId`, so a release of the earlier hold leaves this one.
   */
  holdMessage(partnerId: string, held: HeldMessage & { readonly holdId: string }): Promise<void>;
  /** Every held message of the partner (consistent read). */
  listHeld(partnerId: string): AsyncIterable<HeldMessage>;
  /**
   * Removes a held message if it is still the hold `holdId` names (undefined: one held before holds
   * had ids); returns whether it removed it.
   */
  releaseHeld(partnerId: string, webhookId: string, holdId: string | undefined): Promise<boolean>;
}

/** Reads every order created in a time range (a table scan: ops commands only). */
export interface OrderScan {
  scanOrders(range: { readonly from?: string; readonly to?: string }): AsyncIterable<OrderRecord>;
}

export type { Purpose };
