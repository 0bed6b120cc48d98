/**
 * Optional check against moto's DynamoDB (not part of `npm test`): the consent store's conditional
 * writes — the ledger-length condition of `appendConsent`, the confirmation request's cooldown —
 * behave on a real-DynamoDB emulation as on dynalite.
 *
 *   python3 -m moto.server -p 5055 &
 *   AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:5055 AWS_REGION=us-east-1 \
 *     AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x npx tsx test/moto/consent-store.moto.ts
 */
import assert from 'node:assert/strict';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoConsentStore } from '../../shared/adapters/aws/dynamo-consent-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import type { ConsentEvent } from '../../shared/domain/consent.js';

const client = new DynamoDBClient({});
const table = `minimis-consent-${Date.now().toString(36)}`;
await client.send(new CreateTableCommand(tableDefinition(table)));
const consent = new DynamoConsentStore(documentClient(client), table);
const NOW = Date.parse('2026-12-01T10:00:00Z') / 1000;
const WEEK = 7 * 86_400;
const grant: ConsentEvent = {
  granted: true,
  at: '2026-12-01T10:00:00.000Z',
  source: 'checkout',
  policyVersion: 'v1',
};
const optOut: ConsentEvent = { ...grant, granted: false, source: 'unsubscribe-link' };
const unconfirmed: ConsentEvent = { ...grant, status: 'unconfirmed' };
const sealed = Uint8Array.of(1, 2, 3);

// The ledger-length condition.
const a = 'a'.repeat(43);
assert.deepEqual(
  [
    await consent.appendConsent(a, grant, sealed, 0),
    await consent.appendConsent(a, optOut, null, 0),
    await consent.appendConsent(a, optOut, null, 1),
  ],
  [true, false, true],
);
assert.deepEqual(
  (await consent.getCustomer(a))?.consent.map((e) => e.granted),
  [true, false],
);

// The cooldown: withdrawn by an opt-out, no new request before it would have expired.
const b = 'b'.repeat(43);
const request = (id: string, expiresAt: number) => ({ id, expiresAt, email: 'requested' as const });
assert.equal(await consent.requestConfirmation(b, unconfirmed, request('r1', NOW + WEEK), sealed, NOW), true);
await consent.appendConsent(b, optOut, null);
assert.equal(
  await consent.requestConfirmation(b, unconfirmed, request('r2', NOW + 2 * WEEK), sealed, NOW + WEEK - 1),
  false,
);
assert.equal((await consent.getCustomer(b))?.confirmationCooldownUntil, NOW + WEEK);
assert.equal(
  await consent.requestConfirmation(b, unconfirmed, request('r3', NOW + 2 * WEEK), sealed, NOW + WEEK),
  true,
);
// A confirmation ends the cooldown.
assert.equal(await consent.confirmConsent(b, 'r3', { ...grant, status: 'confirmed' }, NOW + WEEK + 1), true);
assert.equal((await consent.getCustomer(b))?.confirmationCooldownUntil, undefined);
console.log('consent store on moto: ledger-length condition and cooldown as on dynalite');
client.destroy();
