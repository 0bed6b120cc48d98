import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#shared/contracts.js';
import {
  asArray,
  cdkJsonContext,
  type FunctionInfo,
  functionOf,
  functionsByService,
  parseJoinedJson,
  purposeCondition,
  refersTo,
  roleStatements,
  roleTags,
  type Statement,
  synth,
} from './support.js';

/** A second carrier for some EU destinations that does not receive the phone number. */
const CARRIER_EU = {
  id: 'carrier-eu',
  kind: 'carrier',
  url: 'https://eu.carrier.example/hooks',
  countries: ['AT', 'DE', 'FR'],
  fields: [
    'customer.givenName',
    'customer.familyName',
    'shippingAddress.line1',
    'shippingAddress.line2',
    'shippingAddress.city',
    'shippingAddress.postalCode',
    'shippingAddress.country',
    'items[].quantity',
  ],
};
/** A carrier that only gets non-personal fields (e.g. a customs broker): nothing to decrypt. */
const BROKER = {
  id: 'broker',
  kind: 'carrier',
  url: 'https://broker.example/hooks',
  fields: ['shippingAddress.country', 'items[].name', 'items[].quantity', 'items[].unitPrice', 'currency'],
};

const purposeStatements = (statements: Statement[]) =>
  statements.filter((s) => s.Effect === 'Allow' && refersTo(s.Resource, 'PurposeKey'));

describe('adding partners by configuration', () => {
  let template: Template;
  let functions: Map<string, FunctionInfo>;

  beforeAll(() => {
    // Prepare
    const context = cdkJsonContext();
    // The default carrier hands the EU carrier's destinations over to it.
    const configured = (context.partners as Array<Record<string, unknown>>).map((p) =>
      p.id === 'carrier' ? { ...p, exceptCountries: ['AT', 'DE', 'FR'] } : p,
    );
    context.partners = [...configured, CARRIER_EU, BROKER];
    // Act
    template = synth(context).statelessTemplate;
    functions = functionsByService(template);
  });

  it('creates the new partner its own queue, dead-letter queue, alarm and function', () => {
    // Assess
    const names = Object.values(template.findResources('AWS::SQS::Queue')).map((q) => q.Properties.QueueName);
    expect(names).toEqual(
      expect.arrayContaining(['minimis-prod-partner-carrier-eu', 'minimis-prod-partner-carrier-eu-dlq']),
    );
    expect(functions.get('minimis-deliver-carrier-eu')?.env.PARTNER_ID).toBe('carrier-eu');
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmDescription,
    );
    expect(alarms.some((d) => String(d).includes('minimis-prod-partner-carrier-eu-dlq'))).toBe(true);
    template.hasOutput('CarrierEuDeadLetterQueueName', {});
  });

  it('lets the new carrier decrypt shipping only (plus the ledger key every delivery appends with)', () => {
    // Prepare
    const fn = functions.get('minimis-deliver-carrier-eu');
    // Act
    const statements = purposeStatements(roleStatements(template, fn?.roleLogicalId ?? ''));
    // Assess
    const decrypt = statements.filter((s) => asArray(s.Action).includes('kms:Decrypt'));
    expect(decrypt).toHaveLength(1);
    expect([...(purposeCondition(decrypt[0] as Statement) ?? [])].sort()).toEqual(['ledger', 'shipping']);
    expect(roleTags(template, fn?.roleLogicalId ?? '')).toMatchObject({ 'minimis-decrypt-shipping': 'true' });
  });

  it('gives a carrier that receives nothing personal no purpose at all, only the ledger key', () => {
    // Prepare
    const fn = functions.get('minimis-deliver-broker');
    // Act
    const statements = purposeStatements(roleStatements(template, fn?.roleLogicalId ?? ''));
    // Assess
    expect(statements.map((s) => purposeCondition(s))).toEqual([['ledger'], ['ledger']]);
  });

  it('announces the new partners to every function that routes or reports, and each delivery only its own', () => {
    for (const [service, fn] of functions) {
      // Prepare
      const name = functionOf(service);
      const settings: readonly string[] = FUNCTIONS[name].settings;
      if (!settings.includes('partners')) {
        expect(fn.env.PARTNERS, service).toBeUndefined();
        continue;
      }
      // Act
      const partners = parseJoinedJson(fn.env.PARTNERS) as Array<{ id: string; fields: string[] }>;
      // Assess
      const expected =
        name === 'deliver-to-partner'
          ? [service.replace('minimis-deliver-', '')]
          : ['warehouse', 'carrier', 'carrier-eu', 'broker'];
      expect(
        partners.map((p) => p.id),
        service,
      ).toEqual(expected);
      if (expected.includes('carrier-eu'))
        expect(partners.find((p) => p.id === 'carrier-eu')?.fields, service).toEqual(CARRIER_EU.fields);
      // Secret ARNs travel apart, only to the functions that sign or verify.
      expect(JSON.stringify(fn.env.PARTNERS), service).not.toContain('SigningSecret');
    }
  });

  it('gives secret ARNs to partner events (all) and each delivery (its own), and queue URLs only to senders', () => {
    // Prepare
    const env = (service: string) => functions.get(service)?.env ?? {};
    const all = [
      'notify',
      'partner-warehouse',
      'partner-carrier',
      'partner-carrier-eu',
      'partner-broker',
    ].sort();
    // Act
    const refs = (service: string) =>
      Object.keys(parseJoinedJson(env(service).PARTNER_SECRET_REFS) as object);
    const queues = (service: string) =>
      Object.keys(parseJoinedJson(env(service).QUEUE_URLS) as object).sort();
    // Assess
    expect(refs('minimis-partner-events')).toEqual(['warehouse', 'carrier', 'carrier-eu', 'broker']);
    expect(refs('minimis-deliver-carrier-eu')).toEqual(['carrier-eu']);
    expect(queues('minimis-fan-out')).toEqual(all);
    expect(functions.get('minimis-submit-order')?.env.QUEUE_URLS).toBeUndefined();
    expect(queues('minimis-sweep-outbox')).toEqual(all);
    expect(queues('minimis-partner-events')).toEqual(['notify']);
    expect(queues('minimis-deliver-broker')).toEqual(['partner-broker']);
    const withRefs = [...functions].filter(([, fn]) => fn.env.PARTNER_SECRET_REFS).map(([s]) => s);
    expect(withRefs.sort()).toEqual(
      [
        'minimis-partner-events',
        'minimis-deliver-warehouse',
        'minimis-deliver-carrier',
        'minimis-deliver-carrier-eu',
        'minimis-deliver-broker',
      ].sort(),
    );
  });

  it("passes each partner's destination scope to every function that routes, and none for unscoped partners", () => {
    for (const [service, fn] of functions) {
      if (!fn.env.PARTNERS || functionOf(service) === 'deliver-to-partner') continue;
      // Act
      const partners = parseJoinedJson(fn.env.PARTNERS) as Array<Record<string, unknown>>;
      const scopes = partners.map(({ id, countries, exceptCountries }) => ({
        id,
        countries,
        exceptCountries,
      }));
      // Assess
      expect(scopes, service).toEqual([
        { id: 'warehouse', countries: undefined, exceptCountries: undefined },
        { id: 'carrier', countries: undefined, exceptCountries: ['AT', 'DE', 'FR'] },
        { id: 'carrier-eu', countries: ['AT', 'DE', 'FR'], exceptCountries: undefined },
        { id: 'broker', countries: undefined, exceptCountries: undefined },
      ]);
      expect(Object.keys(partners[0] ?? {}).sort(), service).toEqual(['fields', 'id', 'kind', 'url'].sort());
    }
  });
});
