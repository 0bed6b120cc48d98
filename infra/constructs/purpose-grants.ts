/**
 * Purpose binding: which key contexts (purposes plus `lookup` and `token`) each component may seal or open,
 * derived from the data inventory, and the helper that turns that into IAM statements with
 * `kms:EncryptionContext:purpose` conditions plus the principal tags the purpose key's policy checks.
 *
 * Nothing here lists purposes by hand: change shared/inventory.ts and the grants follow.
 */
import { Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { PartnerConfig } from '#shared/config.js';
import {
  type Component,
  fieldsSealedUnder,
  INDEX_CONTEXTS,
  INDEX_KEY_CREATORS,
  type KeyContext,
  keyContextsFor,
  LEDGER_CONTEXT,
  LEDGER_KEY_USERS,
  PURPOSES,
  purposesDecryptedBy,
  purposesForFields,
} from '#shared/inventory.js';

/** The encryption-context key every data key request must carry. */
export const PURPOSE_CONTEXT_KEY = 'purpose';
/** The IAM/KMS condition key for it. */
export const PURPOSE_CONDITION_KEY = `kms:EncryptionContext:${PURPOSE_CONTEXT_KEY}`;

/** Every key context the purpose key serves, in inventory order. */
export const KEY_CONTEXTS: readonly KeyContext[] = [...PURPOSES, ...INDEX_CONTEXTS, LEDGER_CONTEXT];

/** KMS actions that return key material: the ones a purpose binds. */
export const DECRYPT_ACTIONS = ['kms:Decrypt'] as const;
export const SEAL_ACTIONS = ['kms:GenerateDataKey'] as const;

/**
 * IAM path of every minimis role of a deployment stage (functions and operator). The purpose key
 * admits data-key use only from roles under it (see purpose-key.ts), in addition to the role tags.
 */
export const rolePathFor = (stage: string): string => `/minimis/${stage}/`;

/** A non-root IAM path such as `/minimis/prod/` (no wildcards: it becomes an ArnLike pattern). */
export function isRolePath(path: string): boolean {
  return /^\/(?:[A-Za-z0-9+=,.@_-]+\/)+$/.test(path) && path.length <= 512;
}

/** Role tag `minimis-decrypt-<context>` = `true` lets the key policy admit the role for that context. */
export const decryptTagKey = (context: KeyContext): string => `minimis-decrypt-${context}`;
/** Role tag `minimis-seal-<context>` = `true`: the role may generate data keys under that context. */
export const sealTagKey = (context: KeyContext): string => `minimis-seal-${context}`;

/** What one principal may do with the purpose key. */
export interface PurposeGrant {
  /** Contexts under which the principal may unwrap data keys (kms:Decrypt). */
  readonly decrypt: readonly KeyContext[];
  /** Contexts under which the principal may generate (seal with) new data keys. @default none */
  readonly seal?: readonly KeyContext[];
}

/** Components that seal personal data at intake. Only intake creates new sealed records. */
const SEALING_COMPONENTS: readonly Component[] = ['submit-order'];

/**
 * The contexts a component generates data keys under: every purpose some field is sealed under
 * (intake seals the whole order), plus every index context when it creates the index keys.
 */
export function sealContextsFor(component: Component): KeyContext[] {
  const contexts: KeyContext[] = SEALING_COMPONENTS.includes(component)
    ? PURPOSES.filter((p) => fieldsSealedUnder(p).length > 0)
    : [];
  if (INDEX_KEY_CREATORS.includes(component)) contexts.push(...INDEX_CONTEXTS);
  // Ledger appenders create the ledger key on first use (whichever comes first; crypto/ledger-key.ts).
  if (LEDGER_KEY_USERS.includes(component)) contexts.push(LEDGER_CONTEXT);
  return contexts;
}

/** The full grant of a component, from the inventory. */
export function grantForComponent(component: Component): PurposeGrant {
  return { decrypt: keyContextsFor(component), seal: sealContextsFor(component) };
}

/**
 * The grant of one partner's delivery function: the purposes its configured fields need, and only
 * those the inventory lets partner delivery decrypt. A partner receiving nothing personal gets none.
 */
export function grantForPartner(partner: Pick<PartnerConfig, 'fields'>): PurposeGrant {
  const allowed = purposesDecryptedBy('partner-delivery');
  // Every delivery function appends to the disclosure ledger: it creates and unwraps the ledger key.
  const ledger: KeyContext[] = LEDGER_KEY_USERS.includes('partner-delivery') ? [LEDGER_CONTEXT] : [];
  return {
    decrypt: [...purposesForFields(partner.fields).filter((p) => allowed.includes(p)), ...ledger],
    seal: ledger,
  };
}

/**
 * Give `role` exactly `grant` on the purpose key: one IAM statement per action group, each with a
 * `StringEquals kms:EncryptionContext:purpose` condition, and the matching role tags that the key
 * policy requires. An empty grant adds nothing at all (no statement, no tag).
 */
export function grantPurposes(role: iam.IRole, key: kms.IKey, grant: PurposeGrant): void {
  const groups: Array<[readonly string[], readonly KeyContext[], (c: KeyContext) => string]> = [
    [DECRYPT_ACTIONS, grant.decrypt, decryptTagKey],
    [SEAL_ACTIONS, grant.seal ?? [], sealTagKey],
  ];
  for (const [actions, contexts, tagKey] of groups) {
    const unknown = contexts.filter((c) => !KEY_CONTEXTS.includes(c));
    if (unknown.length > 0) throw new Error(`grantPurposes: unknown key context(s) ${unknown.join(', ')}`);
    if (contexts.length === 0) continue;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [key.keyArn],
        conditions: { StringEquals: { [PURPOSE_CONDITION_KEY]: [...new Set(contexts)] } },
      }),
    );
    for (const context of contexts) Tags.of(role).add(tagKey(context), 'true');
  }
}
