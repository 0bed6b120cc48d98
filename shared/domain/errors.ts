/**
 * Typed errors. Messages never carry a submitted value; at most a field path.
 * HTTP handlers map each class to a problem+json response.
 */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly problems: readonly FieldProblem[],
    options?: ErrorOptions,
  ) {
    super(`${problems.length} field${problems.length === 1 ? ' is' : 's are'} invalid`, options);
  }
}

/** Something that looks like a payment card number was submitted. */
export class CardDataError extends Error {
  override readonly name = 'CardDataError';
  constructor(readonly path: string) {
    super('Payment card numbers are not accepted');
  }
}

export class IdempotencyInProgressError extends Error {
  override readonly name = 'IdempotencyInProgressError';
  constructor() {
    super('A request with this Idempotency-Key is still being processed; retry shortly');
  }
}

export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';
  constructor() {
    super('This Idempotency-Key was already used with a different request body');
  }
}

export class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
  constructor() {
    super('No order with this id');
  }
}

export class TransitionError extends Error {
  override readonly name = 'TransitionError';
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`An order that is ${from} cannot become ${to}`);
  }
}

/** A sealed blob failed to open: wrong order, wrong purpose, tampered, or unknown key. */
export class SealError extends Error {
  override readonly name: string = 'SealError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * The record's secret is gone (erased, expired or never written): its v2 blobs open for nobody.
 * Read paths treat it as erased/expired personal data, never as a failure.
 */
export class RecordShreddedError extends SealError {
  override readonly name = 'RecordShreddedError';
  constructor() {
    super('The record secret is gone: this record was erased or has expired');
  }
}

/** A dependency (store, key service, queue) failed; the cause is kept, never shown to clients. */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
  constructor(
    readonly dependency: string,
    options?: ErrorOptions,
  ) {
    super(`${dependency} failed`, options);
  }
}

/**
 * The order's disclosure ledger holds `erased`: its personal data is gone, and a write-ahead entry
 * for a webhook carrying it refuses to chain after the erasure (the webhook is not sent).
 */
export class OrderErasedError extends Error {
  override readonly name = 'OrderErasedError';
  constructor() {
    super('The order was erased: its personal data may not be sent');
  }
}

/**
 * The shop's lookup key has not been created yet: no order was ever taken, so no keyed hash
 * exists and nothing can be held about anyone. Only intake creates the key.
 */
export class NoLookupKeyError extends Error {
  override readonly name = 'NoLookupKeyError';
  constructor() {
    super('No lookup key yet: no order has been taken');
  }
}

/** Another erasure of the same address is running (erasures of one address run one at a time). */
export class ErasureInProgressError extends Error {
  override readonly name = 'ErasureInProgressError';
  constructor(options?: ErrorOptions) {
    super(
      'Another erasure of this address is in progress; try again in a few minutes (a run that stopped part-way is resumed once its 15-minute lease has passed)',
      options,
    );
  }
}

/**
 * The consent ledger of an address kept changing between this write's read and its conditional
 * write (`appendConsent` with `ifLedgerLength`), on every attempt. Nothing was written; retry.
 */
export class ConsentConflictError extends Error {
  override readonly name = 'ConsentConflictError';
  constructor(readonly attempts: number) {
    super(`The consent ledger changed under ${attempts} attempts in a row; nothing was written`);
  }
}
