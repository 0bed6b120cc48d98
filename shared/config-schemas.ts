/**
 * zod schemas for configuration read outside the Lambdas: the CDK context at synth time
 * (infra/context.ts), cdk.json for the reports and local-mode settings. Partners go through the
 * same check as PARTNERS at cold start (`checkPartners` in shared/config.ts), so a partner that
 * would be rejected there is already rejected at synth. No function bundle imports this module.
 */
import * as z from 'zod';
import {
  COUNTRY_PROBLEM,
  checkPartners,
  isCountryCode,
  type PartnerConfig,
  SettingValueError,
} from './config.js';
import { RETENTION_DEFAULTS } from './inventory.js';

/** The partner list; an issue carries the path of the problem inside it (e.g. `1.fields`). */
export const partnersSchema = z.unknown().transform((value, ctx): PartnerConfig[] => {
  try {
    return checkPartners(value);
  } catch (error) {
    if (!(error instanceof SettingValueError)) throw error;
    for (const problem of error.problems)
      ctx.addIssue({ code: 'custom', message: problem.message, path: [...problem.path] });
    return z.NEVER;
  }
});

/** Deploy-time retention (CDK context `minimis.retention`), defaults from the inventory. */
export const retentionSettingsSchema = z
  .strictObject({
    afterDeliveryDays: z.number().int().positive().default(RETENTION_DEFAULTS.afterDeliveryDays),
    undeliveredDays: z.number().int().positive().default(RETENTION_DEFAULTS.undeliveredDays),
    accountingYears: z.number().int().positive().default(RETENTION_DEFAULTS.accountingYears),
  })
  .default({
    afterDeliveryDays: RETENTION_DEFAULTS.afterDeliveryDays,
    undeliveredDays: RETENTION_DEFAULTS.undeliveredDays,
    accountingYears: RETENTION_DEFAULTS.accountingYears,
  });

/** An assigned ISO 3166-1 alpha-2 code (`UK` is not one: the United Kingdom is `GB`). */
export const countrySetting = z.string().refine(isCountryCode, COUNTRY_PROBLEM);
