/** Consent is a ledger: every opt-in and opt-out is an event; the latest one decides. */
export const CONSENT_SOURCES = ['checkout', 'unsubscribe-link', 'bounce', 'complaint', 'operator'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export interface ConsentEvent {
  readonly granted: boolean;
  readonly at: string;
  readonly source: ConsentSource;
  readonly policyVersion: string;
}

export interface CustomerRecord {
  readonly emailKey: string;
  readonly consent: readonly ConsentEvent[];
  /** The email sealed under the `marketing` purpose; present only while consent stands. */
  readonly marketing?: Uint8Array;
  readonly updatedAt: string;
}

export interface SuppressionRecord {
  readonly emailKey: string;
  readonly reason: 'unsubscribe' | 'bounce' | 'complaint' | 'erasure';
  readonly at: string;
}

/** The latest event decides; no event means no consent. */
export function hasMarketingConsent(ledger: readonly ConsentEvent[]): boolean {
  let latest: ConsentEvent | undefined;
  for (const event of ledger) if (!latest || event.at >= latest.at) latest = event;
  return latest?.granted ?? false;
}
