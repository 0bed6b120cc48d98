/**
 * The data inventory: the single source of truth for every field minimis accepts.
 *
 * The intake schema (domain/intake.ts), the per-purpose sealing (domain/sealing.ts), the partner
 * projections (domain/projections.ts), the IAM/KMS grants (infra/) and the privacy report all
 * read this module. Adding a field or a recipient is a change here, and the type checker then
 * points at every place that must follow (validators, projections).
 *
 * This module imports nothing of ours.
 */

/** Why personal data is processed. Each purpose has its own KMS encryption context. */
export const PURPOSES = ['shipping', 'contact', 'marketing'] as const;
export type Purpose = (typeof PURPOSES)[number];

/**
 * Key-service contexts that are not data purposes; nothing personal is sealed under them.
 * - `lookup` wraps the root key of the keyed email hash and the request MACs (idempotency);
 * - `token` wraps the root key of the unsubscribe-token signatures, kept apart so that what only
 *   checks or issues tokens cannot compute the keyed hash of a guessed address.
 */
export const INDEX_CONTEXTS = ['lookup', 'token'] as const;
export type IndexContext = (typeof INDEX_CONTEXTS)[number];

/**
 * The key-service context of the disclosure ledger's chaining key (a shop-held HMAC key that makes
 * every order's ledger tamper-evident, see domain/ledger.ts). Kept apart from `lookup` and `token`:
 * what appends to a ledger can neither compute a keyed email hash nor sign an unsubscribe token.
 */
export const LEDGER_CONTEXT = 'ledger' as const;
export type LedgerContext = typeof LEDGER_CONTEXT;
export type KeyContext = Purpose | IndexContext | LedgerContext;

/** The components (functions and people) that touch order data. */
export const COMPONENTS = [
  'submit-order',
  'partner-delivery',
  'partner-events',
  'notify-customer',
  'unsubscribe',
  'ses-feedback',
  'get-order',
  'purge',
  'operator',
] as const;
export type Component = (typeof COMPONENTS)[number];

export interface PurposeDeclaration {
  readonly why: string;
  /** Components whose role may decrypt data sealed under this purpose (enforced by KMS conditions). */
  readonly decryptedBy: readonly Component[];
  /** How long data sealed under this purpose is kept. */
  readonly retention: RetentionRule;
}

export type RetentionRule =
  | { readonly kind: 'after-delivery' }
  | { readonly kind: 'until-opt-out' }
  | { readonly kind: 'until-erasure' }
  | { readonly kind: 'accounting' };

export const PURPOSE_DECLARATIONS: Readonly<Record<Purpose, PurposeDeclaration>> = {
  shipping: {
    why: 'hand the parcel to the carrier and get it to the door',
    decryptedBy: ['partner-delivery', 'operator'],
    retention: { kind: 'after-delivery' },
  },
  contact: {
    why: 'transactional email about this order',
    decryptedBy: ['notify-customer', 'operator'],
    retention: { kind: 'after-delivery' },
  },
  marketing: {
    why: 'promotional email, only with consent',
    decryptedBy: ['notify-customer', 'operator'],
    retention: { kind: 'until-opt-out' },
  },
};

/**
 * Components that may unwrap the lookup key: they compute keyed email hashes (intake, SES
 * feedback, export/erase) or request MACs (intake).
 */
export const LOOKUP_KEY_USERS: readonly Component[] = ['submit-order', 'ses-feedback', 'operator'];

/**
 * Components that may unwrap the token key: they sign unsubscribe tokens (notification) or verify
 * them (unsubscribe). Neither can compute a keyed email hash.
 */
export const TOKEN_KEY_USERS: readonly Component[] = ['notify-customer', 'unsubscribe'];

/** Who may unwrap each index key. */
export const INDEX_KEY_USERS: Readonly<Record<IndexContext, readonly Component[]>> = {
  lookup: LOOKUP_KEY_USERS,
  token: TOKEN_KEY_USERS,
};

/**
 * Components that create the index keys (GenerateDataKey under every index context): intake alone,
 * on the first order. Creating the token key does not need unwrapping it later.
 */
export const INDEX_KEY_CREATORS: readonly Component[] = ['submit-order'];

/**
 * Components that append to the disclosure ledger, and so create (on first use) and unwrap the
 * ledger key: partner delivery (webhooks and their acknowledgements, redactions), notification
 * (emails) and the operator (exports, erasures; `minimis audit` verifies with the same key).
 */
export const LEDGER_KEY_USERS: readonly Component[] = ['partner-delivery', 'notify-customer', 'operator'];

/** Kinds of fulfilment partner. A configured partner has a kind, which fixes its payload shape. */
export const PARTNER_KINDS = ['warehouse', 'carrier'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** Where a field lives at rest. */
export type Storage =
  | 'sealed' // encrypted per purpose (AES-256-GCM, data key from KMS under the purpose's context)
  | 'sealed+keyed-hash' // as sealed, plus an HMAC under a shop-controlled key for look-ups
  | 'clear' // non-personal, stored in clear
  | 'consent-ledger'; // consent events (granted/withdrawn, timestamp, source, policy version)

export interface FieldDeclaration {
  readonly personal: boolean;
  readonly required: boolean;
  /** Personal fields: the purposes it is sealed under. Non-personal: what it is used for. */
  readonly purposes: readonly Purpose[];
  /** Purposes this field joins only when the customer consented to marketing. */
  readonly consentedPurposes?: readonly Purpose[];
  readonly storage: Storage;
  /** Partner kinds that may receive this field; a partner configured with any other field is rejected. */
  readonly shareableWith: readonly PartnerKind[];
  readonly retention: RetentionRule;
}

/**
 * What the privacy report says about a field in words, beside its declaration in `FIELDS`: kept in
 * a table of its own so that the Lambdas, which read `FIELDS` for sealing, projections and
 * partner checks, do not ship the report's prose (about 1.6 KB of each bundle).
 */
export interface FieldNotes {
  readonly description: string;
  /** Non-personal uses (clear fields). */
  readonly uses?: readonly string[];
  /** Who else sees it, in words (email recipients, SES). */
  readonly alsoSeenBy: readonly string[];
}

const afterDelivery = { kind: 'after-delivery' } as const;
const accounting = { kind: 'accounting' } as const;

/**
 * Every field of an order request, by its request path (`items[].x` fields apply to each item);
 * what the report says of each in words is in `FIELD_NOTES`.
 */
export const FIELDS = {
  'customer.givenName': {
    personal: true,
    required: true,
    purposes: ['shipping', 'contact'],
    storage: 'sealed',
    shareableWith: ['carrier'],
    retention: afterDelivery,
  },
  'customer.familyName': {
    personal: true,
    required: true,
    purposes: ['shipping'],
    storage: 'sealed',
    shareableWith: ['carrier'],
    retention: afterDelivery,
  },
  'customer.email': {
    personal: true,
    required: true,
    purposes: ['contact'],
    consentedPurposes: ['marketing'],
    storage: 'sealed+keyed-hash',
    shareableWith: [],
    retention: afterDelivery,
  },
  'customer.phone': {
    personal: true,
    required: false,
    purposes: ['shipping'],
    storage: 'sealed',
    shareableWith: ['carrier'],
    retention: afterDelivery,
  },
  'shippingAddress.line1': {
    personal: true,
    required: true,
    purposes: ['shipping'],
    storage: 'sealed',
    shareableWith: ['carrier'],
    retention: afterDelivery,
  },
  'shippingAddress.line2': {
    personal: true,
    required: false,
    purposes: ['shipping'],
    storage: 'sealed',
    shareableWith: ['carrier'],
    retention: afterDelivery,
  },
  'shippingAddress.city': {
    personal: true,
    required: true,
    purposes: ['shipping'],
    storage: 'sealed',
    shareableWith: ['carrier'],
    retention: afterDelivery,
  },
  'shippingAddress.region': {
    personal: true,
    required: false,
    purposes: ['shipping'],
    storage: 'sealed',
    shareableWith: ['carrier'],
    retention: afterDelivery,
  },
  'shippingAddress.postalCode': {
    personal: true,
    required: true,
    purposes: ['shipping'],
    storage: 'sealed',
    shareableWith: ['carrier'],
    retention: afterDelivery,
  },
  'shippingAddress.country': {
    personal: false,
    required: true,
    purposes: [],
    storage: 'clear',
    shareableWith: ['carrier'],
    retention: accounting,
  },
  'items[].sku': {
    personal: false,
    required: true,
    purposes: [],
    storage: 'clear',
    shareableWith: ['warehouse'],
    retention: accounting,
  },
  'items[].name': {
    personal: false,
    required: true,
    purposes: [],
    storage: 'clear',
    shareableWith: ['carrier'],
    retention: accounting,
  },
  'items[].quantity': {
    personal: false,
    required: true,
    purposes: [],
    storage: 'clear',
    shareableWith: ['warehouse', 'carrier'],
    retention: accounting,
  },
  'items[].unitPrice': {
    personal: false,
    required: true,
    purposes: [],
    storage: 'clear',
    shareableWith: ['carrier'],
    retention: accounting,
  },
  currency: {
    personal: false,
    required: true,
    purposes: [],
    storage: 'clear',
    shareableWith: ['carrier'],
    retention: accounting,
  },
  marketingOptIn: {
    personal: true,
    required: true,
    purposes: ['marketing'],
    storage: 'consent-ledger',
    shareableWith: [],
    retention: { kind: 'until-erasure' },
  },
  paymentReference: {
    personal: false,
    required: true,
    purposes: [],
    storage: 'clear',
    shareableWith: [],
    retention: accounting,
  },
} as const satisfies Record<string, FieldDeclaration>;

export type FieldPath = keyof typeof FIELDS;
export const FIELD_PATHS = /* @__PURE__ */ Object.keys(FIELDS) as FieldPath[];

/** Every field's notes for the privacy report (`FieldNotes`); the type checker wants one per field. */
export const FIELD_NOTES = {
  'customer.givenName': {
    description: "Customer's given name",
    alsoSeenBy: ["the customer's own email (greeting)"],
  },
  'customer.familyName': {
    description: "Customer's family name",
    alsoSeenBy: [],
  },
  'customer.email': {
    description: "Customer's email address",
    alsoSeenBy: ['Amazon SES, as the recipient address'],
  },
  'customer.phone': {
    description: "Customer's phone number (E.164), optional",
    alsoSeenBy: [],
  },
  'shippingAddress.line1': {
    description: 'Street address, first line',
    alsoSeenBy: [],
  },
  'shippingAddress.line2': {
    description: 'Street address, second line, optional',
    alsoSeenBy: [],
  },
  'shippingAddress.city': {
    description: 'City',
    alsoSeenBy: [],
  },
  'shippingAddress.region': {
    description: 'Region or state, optional',
    alsoSeenBy: [],
  },
  'shippingAddress.postalCode': {
    description: 'Postal code',
    alsoSeenBy: [],
  },
  'shippingAddress.country': {
    description: 'Destination country (ISO 3166-1 alpha-2); coarse, not personal',
    uses: ['accounting', 'customs'],
    alsoSeenBy: ["the customer's own email (destination)"],
  },
  'items[].sku': {
    description: 'Stock-keeping unit of an item',
    uses: ['fulfilment', 'accounting'],
    alsoSeenBy: [],
  },
  'items[].name': {
    description: 'Item name (sent to the carrier only as customs contents of international parcels)',
    uses: ['fulfilment', 'accounting', 'customs'],
    alsoSeenBy: ["the customer's own email (order confirmation)"],
  },
  'items[].quantity': {
    description: 'Quantity of an item',
    uses: ['fulfilment', 'accounting', 'customs'],
    alsoSeenBy: ["the customer's own email (order confirmation)"],
  },
  'items[].unitPrice': {
    description: 'Unit price in minor units (sent to the carrier only as customs value)',
    uses: ['accounting', 'customs'],
    alsoSeenBy: ["the customer's own email (order confirmation)"],
  },
  currency: {
    description: 'ISO 4217 currency of the prices',
    uses: ['accounting', 'customs'],
    alsoSeenBy: ["the customer's own email (order confirmation)"],
  },
  marketingOptIn: {
    description: 'Consent to promotional email, given at checkout',
    alsoSeenBy: [],
  },
  paymentReference: {
    description: 'Opaque token from the payment provider; never sent to partners',
    uses: ['accounting'],
    alsoSeenBy: [],
  },
} as const satisfies Record<FieldPath, FieldNotes>;

/** Personal fields sealed under a purpose (consent-dependent purposes included). */
export function fieldsSealedUnder(purpose: Purpose): FieldPath[] {
  return FIELD_PATHS.filter((path) => {
    const field: FieldDeclaration = FIELDS[path];
    if (field.storage !== 'sealed' && field.storage !== 'sealed+keyed-hash') return false;
    return field.purposes.includes(purpose) || (field.consentedPurposes ?? []).includes(purpose);
  });
}

/** The purposes a partner's fields need decrypted: none if it receives nothing personal. */
export function purposesForFields(paths: readonly FieldPath[]): Purpose[] {
  const needed = new Set<Purpose>();
  for (const path of paths) {
    const field: FieldDeclaration = FIELDS[path];
    if (!field.personal) continue;
    // Partners receive personal data only to deliver the product: the shipping purpose.
    if (field.purposes.includes('shipping')) needed.add('shipping');
  }
  return PURPOSES.filter((p) => needed.has(p));
}

/** Purposes each component may decrypt, derived from the purpose declarations. */
export function purposesDecryptedBy(component: Component): Purpose[] {
  return PURPOSES.filter((p) => PURPOSE_DECLARATIONS[p].decryptedBy.includes(component));
}

/** Index contexts (`lookup`, `token`) whose key a component may unwrap. */
export function indexContextsFor(component: Component): IndexContext[] {
  return INDEX_CONTEXTS.filter((c) => INDEX_KEY_USERS[c].includes(component));
}

/** Key contexts (purposes plus index contexts) each component may use to unwrap data keys. */
export function keyContextsFor(component: Component): KeyContext[] {
  return [
    ...purposesDecryptedBy(component),
    ...indexContextsFor(component),
    ...(LEDGER_KEY_USERS.includes(component) ? [LEDGER_CONTEXT] : []),
  ];
}

/** Every field the inventory allows a kind of partner to receive. */
export function fieldsShareableWith(kind: PartnerKind): FieldPath[] {
  return FIELD_PATHS.filter((path) => (FIELDS[path] as FieldDeclaration).shareableWith.includes(kind));
}

/**
 * Default field choices for the built-in partners: everything the inventory allows their kind
 * (deny by default: nothing else is ever sent). Configuration may choose fewer.
 */
export const DEFAULT_PARTNER_FIELDS: Readonly<Record<PartnerKind, readonly FieldPath[]>> = {
  warehouse: /* @__PURE__ */ fieldsShareableWith('warehouse'),
  carrier: /* @__PURE__ */ fieldsShareableWith('carrier'),
};

/** Retention defaults; deploy/runtime configuration may override the numbers. */
export const RETENTION_DEFAULTS = {
  afterDeliveryDays: 30,
  undeliveredDays: 90,
  accountingYears: 10,
  idempotencyHours: 48,
} as const;

/**
 * Days an SES bounce/complaint event that failed processing may wait in the `ses-feedback-retry`
 * queue (it holds the recipient address, encrypted with the storage key) while it is retried.
 */
export const FEEDBACK_RETRY_DAYS = 4;
