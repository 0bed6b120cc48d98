/**
 * Review 2 of s5, fixed since (the test passes now; it failed when written).
 * Review s5 (4): the purge's new `marks` grant is GetItem under `ForAllValues:StringEquals`
 * `dynamodb:Attributes` [k, e] only. ForAllValues holds vacuously for a request that names no
 * attributes, so a GetItem without ProjectionExpression (the whole item, the secret `s` with it)
 * passes the condition: the purge role can read any record secret, against "the purge may read a
 * mark's key and time only" and "purge and erase delete without ever reading a secret". AWS's own
 * attribute-limiting policy pairs the condition with `dynamodb:Select` SPECIFIC_ATTRIBUTES (as
 * this project's `sweep` grant does for Scan).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  asArray,
  cdkJsonContext,
  functionsByService,
  OPERATOR_ARN,
  roleStatements,
  type Statement,
  synth,
} from './support.js';

const onKeyTable = (s: Statement) => JSON.stringify(s.Resource).includes('RecordKeysTable');

describe('the purge reads an erasure mark, never a secret', () => {
  let purgeGetItem: Statement[];

  beforeAll(() => {
    // Prepare / Act: the deployed configuration
    const built = synth({ ...cdkJsonContext(), operatorPrincipals: [OPERATOR_ARN] });
    const purge = functionsByService(built.statelessTemplate).get('minimis-purge');
    if (!purge) throw new Error('no purge function');
    purgeGetItem = roleStatements(built.statelessTemplate, purge.roleLogicalId)
      .filter(onKeyTable)
      .filter((s) => asArray(s.Action).includes('dynamodb:GetItem'));
  });

  it('allows GetItem only with a projection (dynamodb:Select SPECIFIC_ATTRIBUTES), not the whole item', () => {
    // Assess: one GetItem statement, limited to k and e AND to requests that project attributes.
    expect(purgeGetItem).toHaveLength(1);
    const condition = JSON.stringify(purgeGetItem[0]?.Condition);
    expect(condition).toContain('"dynamodb:Attributes":["k","e"]');
    expect(condition).toContain('"dynamodb:Select":"SPECIFIC_ATTRIBUTES"');
  });
});
