/**
 * The privacy report is derived from the inventory and the configured partners: grants, recipients
 * and retention numbers follow the configuration; output is escaped, self-contained and deterministic.
 */
import { describe, expect, it } from 'vitest';
import type { PartnerConfig } from '../../shared/config.js';
import { partnersSchema } from '../../shared/config-schemas.js';
import { DEFAULT_PARTNER_FIELDS } from '../../shared/inventory.js';
import { renderHtml, renderMarkdown } from '../../shared/report/document.js';
import { buildPrivacyModel } from '../../shared/report/model.js';
import { generatePrivacyReport, REPORT_FILES } from '../../shared/report/privacy-report.js';
import {
  DEFAULT_REPORT_SETTINGS,
  type ReportSettings,
  ReportSettingsError,
  settingsFromCdkJson,
} from '../../shared/report/settings.js';

const cdkJson = (minimis: unknown) => JSON.stringify({ app: 'npx tsx infra/app.ts', context: { minimis } });

const threePartners: PartnerConfig[] = partnersSchema.parse([
  { id: 'warehouse', kind: 'warehouse', url: 'https://warehouse.example/hook' },
  { id: 'carrier', kind: 'carrier', url: 'https://carrier.example/hook' },
  {
    id: 'carrier-eu',
    kind: 'carrier',
    url: 'https://eu.carrier.example/hook',
    fields: [
      'customer.familyName',
      'shippingAddress.line1',
      'shippingAddress.city',
      'shippingAddress.postalCode',
      'shippingAddress.country',
    ],
  },
]);

describe('privacy report model', () => {
  it('says what each component may decrypt, one partner-delivery row per configured partner', () => {
    // Act
    const model = buildPrivacyModel(DEFAULT_REPORT_SETTINGS);
    // Assess
    expect(Object.fromEntries(model.components.map((c) => [c.key, c.decrypts]))).toEqual({
      'submit-order': ['lookup'],
      'partner-delivery:warehouse': ['ledger'],
      'partner-delivery:carrier': ['shipping', 'ledger'],
      'partner-events': [],
      'notify-customer': ['contact', 'marketing', 'token', 'ledger'],
      unsubscribe: ['token'],
      'ses-feedback': ['lookup'],
      'get-order': [],
      purge: [],
      operator: ['shipping', 'contact', 'marketing', 'lookup', 'ledger'],
    });
    expect(model.purposes.map((p) => [p.purpose, p.decryptedBy])).toEqual([
      ['shipping', ['partner-delivery:carrier', 'operator']],
      ['contact', ['notify-customer', 'operator']],
      ['marketing', ['notify-customer', 'operator']],
    ]);
    expect(model.neverSentToPartners).toEqual(['customer.email', 'marketingOptIn', 'paymentReference']);
  });

  it('follows the configured partners: recipients, personal fields and grants', () => {
    // Act
    const model = buildPrivacyModel({ ...DEFAULT_REPORT_SETTINGS, partners: threePartners });
    // Assess
    expect(model.partners.map((p) => [p.id, p.personalFields, p.decrypts])).toEqual([
      ['warehouse', [], []],
      [
        'carrier',
        [
          'customer.givenName',
          'customer.familyName',
          'customer.phone',
          'shippingAddress.line1',
          'shippingAddress.line2',
          'shippingAddress.city',
          'shippingAddress.region',
          'shippingAddress.postalCode',
        ],
        ['shipping'],
      ],
      [
        'carrier-eu',
        [
          'customer.familyName',
          'shippingAddress.line1',
          'shippingAddress.city',
          'shippingAddress.postalCode',
        ],
        ['shipping'],
      ],
    ]);
    const field = (path: string) => model.fields.find((f) => f.path === path);
    expect(field('customer.phone')?.partners).toEqual(['carrier']);
    expect(field('shippingAddress.city')?.partners).toEqual(['carrier', 'carrier-eu']);
    expect(field('customer.email')?.partners).toEqual([]);
    expect(model.purposes[0]?.decryptedBy).toEqual([
      'partner-delivery:carrier',
      'partner-delivery:carrier-eu',
      'operator',
    ]);
  });

  it('states retention in words with the configured numbers', () => {
    // Prepare
    const settings: ReportSettings = {
      ...DEFAULT_REPORT_SETTINGS,
      retention: { afterDeliveryDays: 14, undeliveredDays: 60, accountingYears: 7, idempotencyHours: 48 },
    };
    // Act
    const model = buildPrivacyModel(settings);
    // Assess
    const retention = (path: string) => model.fields.find((f) => f.path === path)?.retention;
    expect(retention('customer.phone')).toBe(
      '14 days after delivery (60 days after acceptance if delivery is never reported)',
    );
    expect(retention('customer.email')).toBe(
      'contact: 14 days after delivery (60 days after acceptance if delivery is never reported); marketing: until opt-out or erasure',
    );
    expect(retention('marketingOptIn')).toBe('until erasure');
    expect(retention('paymentReference')).toBe('7 years (accounting)');
  });
});

describe('privacy report settings from cdk.json', () => {
  it('reads partners and retention from the minimis context, defaulting what is absent', () => {
    // Act
    const settings = settingsFromCdkJson(
      cdkJson({
        partners: [{ id: 'carrier', kind: 'carrier', url: 'https://carrier.example/hook' }],
        retention: { afterDeliveryDays: 21 },
      }),
    );
    // Assess
    expect(settings).toEqual({
      partners: [
        {
          id: 'carrier',
          kind: 'carrier',
          url: 'https://carrier.example/hook',
          fields: [...DEFAULT_PARTNER_FIELDS.carrier],
        },
      ],
      retention: { afterDeliveryDays: 21, undeliveredDays: 90, accountingYears: 10, idempotencyHours: 48 },
      shredBackupDays: 7,
    });
  });

  it('rejects a partner field its kind may not receive, naming the key', () => {
    // Act
    const attempt = () =>
      settingsFromCdkJson(
        cdkJson({
          partners: [
            { id: 'warehouse', kind: 'warehouse', url: 'https://w.example/', fields: ['customer.email'] },
          ],
        }),
      );
    // Assess
    expect(attempt).toThrow(ReportSettingsError);
    expect(attempt).toThrow(
      'cdk.json context minimis.partners.0: field customer.email may not be sent to a warehouse',
    );
  });

  it('rejects a cdk.json without the minimis context or that is not JSON', () => {
    // Assess
    expect(() => settingsFromCdkJson('{"context":{}}')).toThrow(
      'cdk.json has no "context.minimis" configuration',
    );
    expect(() => settingsFromCdkJson('{')).toThrow('cdk.json is not valid JSON');
  });
});

describe('privacy report rendering', () => {
  it('escapes text in HTML and keeps code spans', () => {
    // Act
    const html = renderHtml([{ kind: 'paragraph', text: '<b>bold</b> & "q" `a<b`' }], 'T <x>');
    // Assess
    expect(html).toContain('<title>T &lt;x&gt;</title>');
    expect(html).toContain('<p>&lt;b&gt;bold&lt;/b&gt; &amp; &quot;q&quot; <code>a&lt;b</code></p>');
  });

  it('escapes Markdown specials and pipes in tables, and pads columns', () => {
    // Act
    const md = renderMarkdown([{ kind: 'table', head: ['a', 'b'], rows: [['x|y', '`p|q` *z*']] }]);
    // Assess
    expect(md).toBe('| a    | b            |\n| ---- | ------------ |\n| x\\|y | `p\\|q` \\*z\\* |\n');
  });

  it('draws one delivery row per partner in the data-flow picture', () => {
    // Act
    const report = generatePrivacyReport({ ...DEFAULT_REPORT_SETTINGS, partners: threePartners });
    // Assess
    const svg = report.files[REPORT_FILES.svg] ?? '';
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>\n')).toBe(true);
    expect(svg.match(/>deliver-to-partner</g)?.length).toBe(3);
    expect(svg).toContain('>for carrier-eu: opens shipping</text>');
    expect(svg).toContain('>for warehouse: opens nothing</text>');
  });

  it('is self-contained and deterministic', () => {
    // Act
    const first = generatePrivacyReport(DEFAULT_REPORT_SETTINGS);
    const second = generatePrivacyReport(DEFAULT_REPORT_SETTINGS);
    // Assess
    expect(second.files).toEqual(first.files);
    const html = first.files[REPORT_FILES.html] ?? '';
    expect(html).not.toMatch(/<script|<link|\ssrc=|\shref=/);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(first.files[REPORT_FILES.markdown]).toContain(
      '![Where personal data goes in minimis](data-flow.svg)',
    );
  });
});
