/**
 * The privacy report as data, derived from the data inventory (shared/inventory.ts) and the
 * configured partners and retention. The Markdown, HTML and SVG renderings are views of this model,
 * and the infra tests compare its `components[].decrypts` with the synthesized IAM grants.
 */
import type { PartnerConfig } from '../config.js';
import {
  COMPONENTS,
  type Component,
  FIELD_NOTES,
  FIELD_PATHS,
  FIELDS,
  type FieldDeclaration,
  type FieldNotes,
  type FieldPath,
  fieldsSealedUnder,
  indexContextsFor,
  type KeyContext,
  keyContextsFor,
  LEDGER_CONTEXT,
  LEDGER_KEY_USERS,
  PURPOSE_DECLARATIONS,
  PURPOSES,
  type Purpose,
  purposesForFields,
  type RetentionRule,
  type Storage,
} from '../inventory.js';
import type { ReportRetention, ReportSettings } from './settings.js';

/** What each component does, and which handlers in functions/ run as it (the CLI runs as `operator`). */
export const COMPONENT_ROLES: Readonly<
  Record<Component, { readonly does: string; readonly handlers: readonly string[] }>
> = {
  'submit-order': {
    does: 'intake: validates against the inventory, seals each purpose, computes the keyed email hash',
    handlers: ['submit-order'],
  },
  'partner-delivery': {
    does: "sends one partner its projection of the order (one function per partner, each with that partner's grant)",
    handlers: ['deliver-to-partner'],
  },
  'partner-events': {
    does: 'records progress (dispatched, delivered) from a carrier the order was routed to, and shortens retention on delivery',
    handlers: ['partner-events'],
  },
  'notify-customer': {
    does: 'transactional email, and promotional email with consent',
    handlers: ['notify-customer'],
  },
  unsubscribe: {
    does: 'one-click opt-out, and confirming a renewed opt-in: checks the signed token, then acts on the keyed hash it carries',
    handlers: ['unsubscribe', 'unsubscribe-page', 'consent-confirm', 'consent-confirm-page'],
  },
  'ses-feedback': {
    does: 'SES bounce/complaint feedback: keyed hash of each address, then suppression (retried)',
    handlers: ['ses-feedback'],
  },
  'get-order': { does: '`GET /orders/{orderId}`: non-personal status', handlers: ['get-order'] },
  purge: {
    does: 'deletes expired personal data daily, and every 5 minutes the writes of an abandoned intake that an erasure raced',
    handlers: ['purge'],
  },
  operator: { does: 'export, erase, purge and redrive with the ops CLI (`npx minimis`)', handlers: [] },
};

/** Handlers that touch no personal data and hold no key rights at all. */
export const HANDLERS_WITHOUT_KEYS: readonly string[] = [
  'health',
  'openapi',
  'fallback',
  'sweep-outbox',
  'fan-out',
];

export interface FieldRow {
  readonly path: FieldPath;
  readonly description: string;
  readonly personal: boolean;
  readonly purposes: readonly Purpose[];
  /** Purposes the field joins only with the customer's consent. */
  readonly consentedPurposes: readonly Purpose[];
  readonly uses: readonly string[];
  readonly storage: Storage;
  readonly storedAs: string;
  /** Configured partners (by id) that receive this field. */
  readonly partners: readonly string[];
  readonly alsoSeenBy: readonly string[];
  readonly retention: string;
}

export interface PurposeRow {
  readonly purpose: Purpose;
  readonly why: string;
  readonly fields: readonly FieldPath[];
  /** Components (partner delivery per partner) whose role may decrypt this purpose. */
  readonly decryptedBy: readonly string[];
  readonly retention: string;
}

export interface PartnerRow {
  readonly id: string;
  readonly kind: string;
  readonly fields: readonly FieldPath[];
  readonly personalFields: readonly FieldPath[];
  /** Purposes its delivery function may decrypt. */
  readonly decrypts: readonly Purpose[];
  /** Destination countries it is limited to, as configured (`countries`); absent: every destination. */
  readonly countries?: readonly string[];
  /** Destination countries it never gets (`exceptCountries`). */
  readonly exceptCountries?: readonly string[];
  /** Which orders reach it, in words: `every destination`, `only DE, FR`, `every destination except DE, FR`. */
  readonly destinations: string;
  /** Whether it is limited to some destinations at all. */
  readonly scoped: boolean;
}

export interface ComponentRow {
  /** `component`, or `partner-delivery:<partnerId>` for one partner's delivery function. */
  readonly key: string;
  readonly component: Component;
  readonly partnerId?: string;
  readonly does: string;
  /** Handler files (functions/<name>.ts) running as this component. */
  readonly handlers: readonly string[];
  /** Key contexts (purposes, `lookup`, `token`) its role may decrypt data keys under. */
  readonly decrypts: readonly KeyContext[];
}

export interface PrivacyModel {
  readonly retention: ReportRetention;
  readonly fields: readonly FieldRow[];
  readonly purposes: readonly PurposeRow[];
  readonly partners: readonly PartnerRow[];
  readonly components: readonly ComponentRow[];
  readonly handlersWithoutKeys: readonly string[];
  /** Fields no partner kind may ever receive (by the inventory, whatever the configuration). */
  readonly neverSentToPartners: readonly FieldPath[];
}

export function retentionInWords(rule: RetentionRule, r: ReportRetention): string {
  switch (rule.kind) {
    case 'after-delivery':
      return `${r.afterDeliveryDays} days after delivery (${r.undeliveredDays} days after acceptance if delivery is never reported)`;
    case 'until-opt-out':
      return 'until opt-out or erasure';
    case 'until-erasure':
      return 'until erasure';
    case 'accounting':
      return `${r.accountingYears} years (accounting)`;
  }
}

const list = (items: readonly string[]) => items.join(', ');

function storedAs(field: FieldDeclaration): string {
  const purposes = [...field.purposes, ...(field.consentedPurposes ?? [])];
  switch (field.storage) {
    case 'sealed':
      return `sealed per purpose (${list(purposes)})`;
    case 'sealed+keyed-hash':
      return `sealed per purpose (${list(purposes)}), plus a keyed hash for look-ups and suppression`;
    case 'clear':
      return 'in clear, in the non-personal order record';
    case 'consent-ledger':
      return 'consent ledger';
  }
}

function fieldRetention(field: FieldDeclaration, r: ReportRetention): string {
  if (field.storage !== 'sealed' && field.storage !== 'sealed+keyed-hash')
    return retentionInWords(field.retention, r);
  const byPurpose = [...field.purposes, ...(field.consentedPurposes ?? [])].map(
    (p) => [p, retentionInWords(PURPOSE_DECLARATIONS[p].retention, r)] as const,
  );
  const distinct = new Set(byPurpose.map(([, words]) => words));
  if (distinct.size === 1) return byPurpose[0]?.[1] ?? retentionInWords(field.retention, r);
  return byPurpose.map(([p, words]) => `${p}: ${words}`).join('; ');
}

/**
 * Which orders reach a partner, in words (the fan-out's rule, domain/partner-scope.ts: in
 * `countries` when given, and not in `exceptCountries`).
 */
export function destinationsInWords(partner: Pick<PartnerConfig, 'countries' | 'exceptCountries'>): string {
  const except = new Set(partner.exceptCountries ?? []);
  if (partner.countries) {
    const served = [...new Set(partner.countries)].filter((c) => !except.has(c)).sort();
    return served.length > 0 ? `only ${served.join(', ')}` : 'no destination';
  }
  return except.size > 0 ? `every destination except ${[...except].sort().join(', ')}` : 'every destination';
}

/** Purposes a partner's delivery function may decrypt: what its fields need, as far as the inventory allows. */
export function partnerDecrypts(partner: Pick<PartnerConfig, 'fields'>): Purpose[] {
  return purposesForFields(partner.fields).filter((p) =>
    PURPOSE_DECLARATIONS[p].decryptedBy.includes('partner-delivery'),
  );
}

function partnerKeyContexts(partner: Pick<PartnerConfig, 'fields'>): KeyContext[] {
  const contexts: KeyContext[] = partnerDecrypts(partner);
  contexts.push(...indexContextsFor('partner-delivery'));
  // Every delivery function appends to the disclosure ledger (what it sent, the acknowledgement).
  if (LEDGER_KEY_USERS.includes('partner-delivery')) contexts.push(LEDGER_CONTEXT);
  return contexts;
}

export function buildPrivacyModel(settings: ReportSettings): PrivacyModel {
  const r = settings.retention;
  const fields: FieldRow[] = FIELD_PATHS.map((path) => {
    const field: FieldDeclaration = FIELDS[path];
    const notes: FieldNotes = FIELD_NOTES[path];
    return {
      path,
      description: notes.description,
      personal: field.personal,
      purposes: field.purposes,
      consentedPurposes: field.consentedPurposes ?? [],
      uses: notes.uses ?? [],
      storage: field.storage,
      storedAs: storedAs(field),
      partners: settings.partners.filter((p) => p.fields.includes(path)).map((p) => p.id),
      alsoSeenBy: notes.alsoSeenBy,
      retention: fieldRetention(field, r),
    };
  });

  const partners: PartnerRow[] = settings.partners.map((p) => ({
    id: p.id,
    kind: p.kind,
    fields: p.fields,
    personalFields: p.fields.filter((path) => (FIELDS[path] as FieldDeclaration).personal),
    decrypts: partnerDecrypts(p),
    ...(p.countries ? { countries: p.countries } : {}),
    ...(p.exceptCountries ? { exceptCountries: p.exceptCountries } : {}),
    destinations: destinationsInWords(p),
    scoped: p.countries !== undefined || p.exceptCountries !== undefined,
  }));

  const components: ComponentRow[] = [];
  for (const component of COMPONENTS) {
    const role = COMPONENT_ROLES[component];
    if (component === 'partner-delivery') {
      for (const p of settings.partners) {
        components.push({
          key: `${component}:${p.id}`,
          component,
          partnerId: p.id,
          does: `sends partner \`${p.id}\` (${p.kind}) its projection of the order`,
          handlers: role.handlers,
          decrypts: partnerKeyContexts(p),
        });
      }
    } else {
      components.push({
        key: component,
        component,
        does: role.does,
        handlers: role.handlers,
        decrypts: keyContextsFor(component),
      });
    }
  }

  const purposes: PurposeRow[] = PURPOSES.map((purpose) => ({
    purpose,
    why: PURPOSE_DECLARATIONS[purpose].why,
    fields: fieldsSealedUnder(purpose),
    decryptedBy: components
      .filter((c) => (c.decrypts as readonly string[]).includes(purpose))
      .map((c) => c.key),
    retention: retentionInWords(PURPOSE_DECLARATIONS[purpose].retention, r),
  }));

  return {
    retention: r,
    fields,
    purposes,
    partners,
    components,
    handlersWithoutKeys: HANDLERS_WITHOUT_KEYS,
    neverSentToPartners: FIELD_PATHS.filter(
      (path) => (FIELDS[path] as FieldDeclaration).shareableWith.length === 0,
    ),
  };
}
