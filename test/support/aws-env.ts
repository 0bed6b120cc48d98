/**
 * Plausible deployed values (AWS mode) of every variable a function may be given: the bundle bench
 * starts each bundle with them, and a unit test starts each handler with only its own.
 */
export const PLAUSIBLE_ENV: Readonly<Record<string, string>> = {
  TABLE_NAME: 'minimis-prod-orders',
  KEY_TABLE_NAME: 'minimis-prod-keys',
  SHRED_BACKUP_DAYS: '7',
  KMS_KEY_ID: 'arn:aws:kms:eu-west-1:123456789012:key/0b3f1c2e-8c1d-4f55-9a53-2f6c1e0f8d11',
  PUBLIC_BASE_URL: 'https://shop.example',
  SENDER_EMAIL: 'orders@shop.example',
  SES_CONFIGURATION_SET: 'minimis-prod',
  ORIGIN_COUNTRY: 'CN',
  POLICY_VERSION: '2026-11-01',
  PARTNERS: JSON.stringify([
    { id: 'warehouse', kind: 'warehouse', url: 'https://warehouse.example/webhooks/minimis' },
    { id: 'carrier', kind: 'carrier', url: 'https://carrier.example/webhooks/minimis' },
  ]),
  PARTNER_SECRET_REFS: JSON.stringify({
    warehouse: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:minimis/warehouse-AbCdEf',
    carrier: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:minimis/carrier-AbCdEf',
  }),
  QUEUE_URLS: JSON.stringify({
    notify: 'https://sqs.eu-west-1.amazonaws.com/123456789012/minimis-notify',
    'partner-warehouse': 'https://sqs.eu-west-1.amazonaws.com/123456789012/minimis-partner-warehouse',
    'partner-carrier': 'https://sqs.eu-west-1.amazonaws.com/123456789012/minimis-partner-carrier',
  }),
  RETENTION_AFTER_DELIVERY_DAYS: '30',
  RETENTION_UNDELIVERED_DAYS: '90',
  RETENTION_ACCOUNTING_YEARS: '10',
  PARTNER_ID: 'carrier',
  IDEMPOTENCY_HOURS: '24',
  DATA_KEY_MAX_AGE_SECONDS: '600',
  DATA_KEY_MAX_USES: '100000',
  DELIVERY_MAX_ATTEMPTS: '16',
  DELIVERY_BASE_DELAY_SECONDS: '30',
  DELIVERY_TIMEOUT_MS: '15000',
  PARTNER_SECRET_CACHE_SECONDS: '60',
};
