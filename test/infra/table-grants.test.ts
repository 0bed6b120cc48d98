/**
 * Least privilege on the order table: each role gets exactly the item actions its code performs,
 * each limited by `dynamodb:LeadingKeys` (ForAllValues:StringLike) to the item key prefixes it
 * touches; index queries are separate statements on the index ARN (Query only); only the purge and
 * the operator may Scan (LeadingKeys cannot constrain a Scan).
 *
 * Item layout (partition key `pk`): ORDER#<orderId>, PII#<orderId>, EMAILPII#<emailKey>#<day>, CUSTOMER#<emailKey>,
 * SUPPRESS#<emailKey>, FENCE#<emailKey> (erasure fence), IDEM#<key>, DATAKEY#<ref> (DATAKEY#lookup-v1 is the lookup key,
 * DATAKEY#token-v1 the token key).
 */
import type { Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
  cdkJsonContext,
  type FunctionInfo,
  functionsByService,
  OPERATOR_ARN,
  roleStatements,
  STREAM_ACTIONS,
  type Statement,
  sorted,
  synth,
} from './support.js';

/** A role's DynamoDB rights, normalised for exact comparison. */
interface TableGrants {
  /** Item action → the LeadingKeys patterns it is limited to. */
  readonly items: Record<string, string[]>;
  /** Index name → the LeadingKeys patterns of its Query statement (`any`: not limited). */
  readonly query: Record<string, string[] | 'any'>;
  scan: boolean;
}

const LEADING_KEYS = 'dynamodb:LeadingKeys';

/** Reads a role's DynamoDB statements; fails on any shape this design does not allow. */
function tableGrants(statements: readonly Statement[], where: string): TableGrants {
  const grants: TableGrants = { items: {}, query: {}, scan: false };
  for (const s of statements) {
    const actions = asArray(s.Action).filter((a) => a.startsWith('dynamodb:'));
    if (actions.length === 0) continue;
    // The key table's grants are checked in key-table.test.ts, the stream reads in fan-out-stream.test.ts.
    if (JSON.stringify(s.Resource).includes('RecordKeysTable')) continue;
    if (actions.every((a) => STREAM_ACTIONS.includes(a))) continue;
    expect(s.Effect, where).toBe('Allow');
    expect(actions, `${where}: one DynamoDB action per statement`).toHaveLength(1);
    const action = actions[0] as string;
    const resource = JSON.stringify(s.Resource);
    expect(asArray(s.Resource), `${where} ${action}: one resource`).toHaveLength(1);
    expect(resource, `${where} ${action}: the order table`).toContain('OrdersTable');
    const index = /\/index\/([A-Za-z]+)/.exec(resource)?.[1];
    const condition = s.Condition;
    if (action === 'dynamodb:Query') {
      expect(index, `${where}: Query only on an index`).toBeDefined();
      const keys = condition?.['ForAllValues:StringLike']?.[LEADING_KEYS];
      if (condition) expect(Object.keys(condition), where).toEqual(['ForAllValues:StringLike']);
      grants.query[index as string] = keys === undefined ? 'any' : sorted(asArray(keys));
    } else if (action === 'dynamodb:Scan') {
      expect(index, `${where}: Scan only on the table`).toBeUndefined();
      expect(condition, `${where}: Scan`).toBeUndefined();
      grants.scan = true;
    } else {
      expect(index, `${where} ${action}: items only on the table`).toBeUndefined();
      expect(condition, `${where} ${action}: LeadingKeys condition`).toEqual({
        'ForAllValues:StringLike': { [LEADING_KEYS]: expect.any(Array) },
      });
      const keys = sorted(asArray(condition?.['ForAllValues:StringLike']?.[LEADING_KEYS]));
      expect(grants.items[action], `${where}: ${action} granted twice`).toBeUndefined();
      grants.items[action] = keys;
    }
  }
  return grants;
}

const NONE: TableGrants = { items: {}, query: {}, scan: false };

describe('order-table grants (least privilege per role)', () => {
  let template: Template;
  let functions: Map<string, FunctionInfo>;
  let operatorRoleId: string;

  beforeAll(() => {
    // Prepare: the deployed configuration plus an operator principal, so the operator role exists.
    const built = synth({ ...cdkJsonContext(), operatorPrincipals: [OPERATOR_ARN] });
    // Act
    template = built.statelessTemplate;
    functions = functionsByService(template);
    const role = built.stateless.operatorRole;
    if (!role) throw new Error('no operator role');
    operatorRoleId = built.stateless.getLogicalId(role.node.defaultChild as CfnRole);
  });

  const grantsOf = (service: string): TableGrants => {
    const fn = functions.get(service);
    if (!fn) throw new Error(`no function ${service}`);
    return tableGrants(roleStatements(template, fn.roleLogicalId), service);
  };

  it('submit-order: idempotency record, order (read back on a resumed retry) and personal record, consent ledger and suppression, erasure fence, data keys', () => {
    // Act
    const grants = grantsOf('minimis-submit-order');
    // Assess
    expect(grants).toEqual({
      items: {
        'dynamodb:GetItem': [
          'CUSTOMER#*',
          'DATAKEY#lookup-v1',
          'DATAKEY#token-v1',
          'FENCE#*',
          'IDEM#*',
          'ORDER#*',
          'SUPPRESS#*',
        ],
        // SHRED#: the erasure-log entries of its own writes when an erasure raced them.
        'dynamodb:PutItem': ['DATAKEY#*', 'IDEM#*', 'ORDER#*', 'PII#*', 'SHRED#*'],
        // No order update: the fan-out (and its outbox flag) is the stream function's. EMAILPII#:
        // the keyed email's listing, added to beside the personal record.
        'dynamodb:UpdateItem': ['CUSTOMER#*', 'EMAILPII#*#*', 'IDEM#*'],
        // Only to remove its own writes when an erasure raced them (usecases/erasure-fence.ts).
        'dynamodb:DeleteItem': ['CUSTOMER#*', 'PII#*'],
      },
      query: {},
      scan: false,
    });
  });

  it('get-order: reads order records only', () => {
    // Act
    const grants = grantsOf('minimis-get-order');
    // Assess
    expect(grants).toEqual({ items: { 'dynamodb:GetItem': ['ORDER#*'] }, query: {}, scan: false });
  });

  it.each(['minimis-health', 'minimis-openapi', 'minimis-fallback'])(
    '%s: no table access at all',
    (service) => {
      // Act
      const grants = grantsOf(service);
      const statements = roleStatements(template, functions.get(service)?.roleLogicalId ?? '');
      // Assess: not even the storage key through DynamoDB.
      expect(grants).toEqual(NONE);
      expect(JSON.stringify(statements)).not.toContain('dynamodb');
    },
  );

  it('partner-events: order status and the personal record expiry, without reading personal records', () => {
    // Act
    const grants = grantsOf('minimis-partner-events');
    // Assess
    expect(grants).toEqual({
      items: {
        'dynamodb:GetItem': ['ORDER#*'],
        'dynamodb:UpdateItem': ['ORDER#*', 'PII#*'],
      },
      query: {},
      scan: false,
    });
  });

  it.each(['minimis-unsubscribe-page', 'minimis-consent-confirm-page'])(
    '%s: only the token key, to check the token',
    (service) => {
      // Act
      const grants = grantsOf(service);
      // Assess
      expect(grants).toEqual({ items: { 'dynamodb:GetItem': ['DATAKEY#token-v1'] }, query: {}, scan: false });
    },
  );

  it('consent-confirm: the token key, and one conditional update of the customer record', () => {
    // Act
    const grants = grantsOf('minimis-consent-confirm');
    // Assess
    expect(grants).toEqual({
      items: { 'dynamodb:GetItem': ['DATAKEY#token-v1'], 'dynamodb:UpdateItem': ['CUSTOMER#*'] },
      query: {},
      scan: false,
    });
  });

  it.each([
    ['minimis-unsubscribe', 'DATAKEY#token-v1'],
    ['minimis-ses-feedback', 'DATAKEY#lookup-v1'],
  ])(
    '%s: consent ledger and suppression entry by keyed hash, and the %s key record',
    (service, keyRecord) => {
      // Act
      const grants = grantsOf(service);
      // Assess
      expect(grants).toEqual({
        items: {
          'dynamodb:GetItem': sorted(['CUSTOMER#*', keyRecord, 'FENCE#*', 'SUPPRESS#*']),
          'dynamodb:PutItem': ['SUPPRESS#*'],
          'dynamodb:UpdateItem': ['CUSTOMER#*'],
          // Only to remove a ledger it wrote when an erasure raced it.
          'dynamodb:DeleteItem': ['CUSTOMER#*'],
        },
        query: {},
        scan: false,
      });
    },
  );

  it('notify-customer: reads what an email needs, writes only the email claims (order, consent confirmation)', () => {
    // Act
    const grants = grantsOf('minimis-notify-customer');
    // Assess
    expect(grants).toEqual({
      items: {
        'dynamodb:GetItem': ['CUSTOMER#*', 'DATAKEY#*', 'ORDER#*', 'PII#*', 'SUPPRESS#*'],
        'dynamodb:UpdateItem': ['CUSTOMER#*', 'ORDER#*'],
        // The disclosure ledger's key, created by whichever appender comes first.
        'dynamodb:PutItem': ['DATAKEY#ledger-v1'],
      },
      query: {},
      scan: false,
    });
  });

  it('deliver-to-carrier: order record, the personal record and data keys it opens, its own partner state and held messages', () => {
    // Act
    const grants = grantsOf('minimis-deliver-carrier');
    // Assess
    expect(grants).toEqual({
      items: {
        'dynamodb:GetItem': ['DATAKEY#*', 'ORDER#*', 'PARTNER#carrier', 'PII#*'],
        'dynamodb:UpdateItem': ['HELD#carrier#*', 'ORDER#*', 'PARTNER#carrier'],
        'dynamodb:PutItem': ['DATAKEY#ledger-v1'],
        'dynamodb:DeleteItem': ['HELD#carrier#*'],
      },
      query: {},
      scan: false,
    });
  });

  it('deliver-to-warehouse: the order record (it opens no purpose), the ledger key, its own partner state and held messages', () => {
    // Act
    const grants = grantsOf('minimis-deliver-warehouse');
    // Assess
    expect(grants).toEqual({
      items: {
        'dynamodb:GetItem': ['DATAKEY#ledger-v1', 'ORDER#*', 'PARTNER#warehouse'],
        'dynamodb:UpdateItem': ['HELD#warehouse#*', 'ORDER#*', 'PARTNER#warehouse'],
        'dynamodb:PutItem': ['DATAKEY#ledger-v1'],
        'dynamodb:DeleteItem': ['HELD#warehouse#*'],
      },
      query: {},
      scan: false,
    });
  });

  it('sweep-outbox: queries every shard of the pending outbox (and the unsharded legacy value) and updates order records', () => {
    // Act
    const grants = grantsOf('minimis-sweep-outbox');
    // Assess
    expect(grants).toEqual({
      items: { 'dynamodb:GetItem': ['ORDER#*'], 'dynamodb:UpdateItem': ['ORDER#*'] },
      query: { byOutbox: ['pending', 'pending#*'] },
      scan: false,
    });
  });

  it('fan-out: reads the order and clears its outbox flag, nothing else on the table', () => {
    // Act
    const grants = grantsOf('minimis-fan-out');
    // Assess
    expect(grants).toEqual({
      items: { 'dynamodb:GetItem': ['ORDER#*'], 'dynamodb:UpdateItem': ['ORDER#*'] },
      query: {},
      scan: false,
    });
  });

  it('purge: scans the table, deletes personal records and logs them in the erasure log; the intake sweep queries every shard of byIntake', () => {
    // Act
    const grants = grantsOf('minimis-purge');
    // Assess
    expect(grants).toEqual({
      items: {
        // The intake sweep: each open claim, its order (written after the fence re-check), its fence.
        'dynamodb:GetItem': ['FENCE#*', 'IDEM#*', 'ORDER#*'],
        // CUSTOMER#: only an abandoned opt-in intake's, when an erasure raced it.
        'dynamodb:DeleteItem': ['CUSTOMER#*', 'PII#*'],
        'dynamodb:PutItem': ['SHRED#*'],
        // The claim settled; a raced one's order removed from its address's listing (review F5).
        'dynamodb:UpdateItem': ['EMAILPII#*#*', 'IDEM#*'],
      },
      query: { byIntake: Array.from({ length: 16 }, (_, n) => `open#${n}`).sort() },
      scan: true,
    });
  });

  it('operator: export, erase, purge, redrive, replay and partner enable', () => {
    // Act
    const grants = tableGrants(roleStatements(template, operatorRoleId), 'operator');
    // Assess
    expect(grants).toEqual({
      items: {
        'dynamodb:GetItem': [
          'CERT#*',
          'CUSTOMER#*',
          'DATAKEY#*',
          'EMAILPII#*#*',
          'ERASING#*',
          'ORDER#*',
          'PARTNER#*',
          'PII#*',
          'SUPPRESS#*',
        ],
        // ERASING#: the write-ahead journal of an erasure in progress (a stopped run is resumed).
        'dynamodb:PutItem': ['CERT#*', 'DATAKEY#ledger-v1', 'ERASING#*', 'SHRED#*', 'SUPPRESS#*'],
        'dynamodb:UpdateItem': ['ERASING#*', 'FENCE#*', 'ORDER#*', 'PARTNER#*'],
        // EMAILPII#: erasure deletes the keyed email's recent listings after its sweep.
        'dynamodb:DeleteItem': ['CUSTOMER#*', 'EMAILPII#*#*', 'ERASING#*', 'HELD#*#*', 'PII#*'],
      },
      // The byEmail partition key is the keyed hash itself (no prefix): not limited by LeadingKeys.
      query: { byEmail: 'any' },
      scan: true,
    });
  });

  it('grants no batch, scan-like or table-management action on the order table to anyone', () => {
    // Prepare
    const actions = new Set<string>();
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      for (const s of policy.Properties.PolicyDocument.Statement as Statement[]) {
        if (JSON.stringify(s.Resource).includes('RecordKeysTable')) continue;
        for (const a of asArray(s.Action))
          if (a.startsWith('dynamodb:') && !STREAM_ACTIONS.includes(a)) actions.add(a);
      }
    }
    // Assess
    expect(sorted([...actions])).toEqual(
      sorted([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'dynamodb:Scan',
      ]),
    );
  });
});
