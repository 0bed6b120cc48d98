/**
 * What the privacy report needs beyond the inventory: the configured partners and retention
 * numbers. They come from the `minimis` context of cdk.json — the deployment's configuration —
 * parsed with the runtime partner schema, so the report describes what is actually deployed.
 */
import * as z from 'zod';
import type { PartnerConfig } from '../config.js';
import { partnersSchema, retentionSettingsSchema } from '../config-schemas.js';
import { DEFAULT_PARTNER_FIELDS, RETENTION_DEFAULTS } from '../inventory.js';

export interface ReportRetention {
  readonly afterDeliveryDays: number;
  readonly undeliveredDays: number;
  readonly accountingYears: number;
  readonly idempotencyHours: number;
}

export interface ReportSettings {
  readonly partners: readonly PartnerConfig[];
  readonly retention: ReportRetention;
  /** Days the key table's backups are kept (CDK context `shredBackupDays`). @default 7 */
  readonly shredBackupDays?: number;
}

/** The configuration is unusable; the message names the key and never echoes a value. */
export class ReportSettingsError extends Error {
  override readonly name = 'ReportSettingsError';
}

const contextSchema = z.object({
  partners: partnersSchema,
  retention: retentionSettingsSchema,
  shredBackupDays: z.number().int().min(0).max(35).default(7),
});

/** The built-in partners with the inventory's default fields and the default retention. */
export const DEFAULT_REPORT_SETTINGS: ReportSettings = {
  partners: [
    {
      id: 'warehouse',
      kind: 'warehouse',
      url: 'https://warehouse.example/',
      fields: [...DEFAULT_PARTNER_FIELDS.warehouse],
    },
    {
      id: 'carrier',
      kind: 'carrier',
      url: 'https://carrier.example/',
      fields: [...DEFAULT_PARTNER_FIELDS.carrier],
    },
  ],
  retention: {
    afterDeliveryDays: RETENTION_DEFAULTS.afterDeliveryDays,
    undeliveredDays: RETENTION_DEFAULTS.undeliveredDays,
    accountingYears: RETENTION_DEFAULTS.accountingYears,
    idempotencyHours: RETENTION_DEFAULTS.idempotencyHours,
  },
  shredBackupDays: 7,
};

/** Reads `context.minimis.partners` and `context.minimis.retention` from the text of a cdk.json. */
export function settingsFromCdkJson(text: string): ReportSettings {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ReportSettingsError('cdk.json is not valid JSON');
  }
  const context = (json as { context?: { minimis?: unknown } } | null)?.context?.minimis;
  if (context === undefined) throw new ReportSettingsError('cdk.json has no "context.minimis" configuration');
  const parsed = contextSchema.safeParse(context);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = ['minimis', ...(issue?.path ?? []).map(String)].join('.');
    throw new ReportSettingsError(`cdk.json context ${key}: ${issue?.message ?? 'is invalid'}`);
  }
  return {
    partners: parsed.data.partners,
    retention: { ...parsed.data.retention, idempotencyHours: RETENTION_DEFAULTS.idempotencyHours },
    shredBackupDays: parsed.data.shredBackupDays,
  };
}
