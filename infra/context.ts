/**
 * The deploy-time configuration of minimis: the `minimis` object of the CDK context (cdk.json or
 * `--context`), validated at synth time. A bad value stops `cdk synth` with one line naming the key.
 *
 * Partners reuse the runtime check (shared/config.ts, through shared/config-schemas.ts), so a partner that would be rejected at
 * cold start (e.g. a field its kind may not receive) is already rejected here.
 */
import { z } from 'zod';
import type { PartnerConfig } from '../shared/config.js';
import { countrySetting, partnersSchema, retentionSettingsSchema } from '../shared/config-schemas.js';

/** The context key holding the configuration. */
export const CONTEXT_KEY = 'minimis';

/** An origin exactly as browsers send it: scheme, host and optional port — no path, no trailing slash. */
const origin = z.url({ protocol: /^https?$/ }).refine((value) => {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}, 'must be a bare origin such as https://shop.example (no path, no trailing slash)');

/**
 * IAM principals an operator may come from: a role or a user, named exactly. Not an account root
 * (`arn:aws:iam::<account>:root` trusts every principal of that account that may assume roles) and
 * no wildcard anywhere.
 */
const principalArn = z.string().superRefine((arn, ctx) => {
  const problem =
    arn.includes('*') || arn.includes('?')
      ? 'must not contain a wildcard'
      : /^arn:aws[a-z-]*:iam::\d{12}:root$/.test(arn)
        ? "must not be an account root (it would admit every principal of the account that may assume roles): name the operators' role or user"
        : /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(arn)
          ? undefined
          : 'must be an IAM role or user ARN';
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Partners as configured for a deployment: the secret is created by the stack, never written in cdk.json. */
const deployedPartnersSchema = partnersSchema.superRefine((partners, ctx) => {
  partners.forEach((partner, index) => {
    // Webhooks carry order data (personal data for carriers): never over plain http in a deployment.
    if (new URL(partner.url).protocol !== 'https:') {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'url'],
        message: 'must be an https URL (partners receive order data over it)',
      });
    }
    for (const key of ['secret', 'secretRef'] as const) {
      if (partner[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [index, key],
          message:
            'must not be set in the CDK context: the stack creates the partner secret in Secrets Manager',
        });
      }
    }
  });
});

export const minimisContextSchema = z.strictObject({
  /** Deployment stage; part of every resource name. */
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,15}$/, 'must be a short lowercase name (a-z, 0-9, -)'),
  /** The From address of every email; its domain becomes the SES identity unless `sesIdentityDomain` is set. */
  senderEmail: z.email(),
  /** Verify this domain in SES instead of the sender address's domain. */
  sesIdentityDomain: z
    .string()
    .regex(/^(?!-)[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63})+$/, 'must be a lowercase domain name')
    .optional(),
  /** Base of the links in emails (unsubscribe). */
  publicBaseUrl: z.url({ protocol: /^https$/ }),
  /** Checkout origins allowed by CORS. */
  allowedOrigins: z.array(origin).min(1),
  originCountry: countrySetting,
  policyVersion: z.string().min(1),
  /** Role or user ARNs allowed to assume the operator role (with MFA). Empty: no operator role. */
  operatorPrincipals: z.array(principalArn).default([]),
  retention: retentionSettingsSchema,
  /**
   * Days a backup of the key table (record secrets) is kept, 0 = no backups: after an erasure or
   * expiry, the last copy of the record's secret is gone after this many days.
   */
  shredBackupDays: z
    .number({ error: 'must be a whole number of days' })
    .int({ error: 'must be a whole number of days' })
    .min(0, { error: 'must be 0 (no backups) or more' })
    .max(35, { error: 'must be at most 35 days' })
    .default(7),
  partners: deployedPartnersSchema,
});

export type MinimisContext = z.output<typeof minimisContextSchema>;
export type DeployedPartner = PartnerConfig;

/** The CDK context is invalid; the message names the offending key and never echoes its value. */
export class ContextError extends Error {
  override readonly name = 'ContextError';
}

/**
 * Parse the raw context value. Throws a ContextError whose message names every bad key as
 * `minimis.<path>`, e.g. `minimis.partners.1.fields: field customer.email may not be sent to a carrier`.
 */
export function parseMinimisContext(raw: unknown): MinimisContext {
  if (raw === undefined) {
    throw new ContextError(`Invalid CDK context: "${CONTEXT_KEY}" is missing (set it in cdk.json)`);
  }
  const parsed = minimisContextSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = [CONTEXT_KEY, ...issue.path.map(String)].join('.');
    return `${key}: ${issue.message}`;
  });
  throw new ContextError(`Invalid CDK context: ${problems.join('; ')}`);
}
