/**
 * Optional check against moto's DynamoDB (not part of `npm test`): the key-table adapter and the
 * erasure log, the erasure marks and the re-shredding behave on a real-DynamoDB emulation as on dynalite.
 *
 *   python3 -m moto.server -p 5055 &
 *   AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:5055 AWS_REGION=us-east-1 \
 *     AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x npx tsx test/moto/key-table.moto.ts
 */
import assert from 'node:assert/strict';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoErasureLog } from '../../shared/adapters/aws/dynamo-erasure-log.js';
import {
  DynamoRecordSecretStore,
  keyTableDefinition,
} from '../../shared/adapters/aws/dynamo-record-secret-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import { newRecordSecret } from '../../shared/crypto/record-envelope.js';
import { recordKey } from '../../shared/record-secrets.js';

const client = new DynamoDBClient({});
const db = documentClient(client);
const suffix = Date.now().toString(36);
const keyTable = `minimis-keys-${suffix}`;
const orderTable = `minimis-${suffix}`;
await client.send(new CreateTableCommand(keyTableDefinition(keyTable)));
await client.send(new CreateTableCommand(tableDefinition(orderTable)));
const store = new DynamoRecordSecretStore(db, keyTable);
const log = new DynamoErasureLog(db, orderTable, 8);
const now = new Date('2026-12-01T10:00:00Z');
const epoch = Math.floor(now.getTime() / 1000);

// claim: first writer wins, a second claim returns the first secret
const a = newRecordSecret();
assert.deepEqual(Buffer.from(await store.claim('ord_A', a, epoch + 100)), a);
assert.deepEqual(Buffer.from(await store.claim('ord_A', newRecordSecret(), epoch + 100)), a);
await store.claim('ord_B', newRecordSecret(), epoch - 1); // already expired
await store.claim('customer:k', newRecordSecret(), undefined);

// getSecrets: single and batched; expired is absent
assert.equal((await store.getSecrets(['ord_A'], now)).size, 1);
const many = await store.getSecrets(['ord_A', 'ord_B', 'customer:k', 'ord_none'], now);
assert.deepEqual([...many.keys()].sort(), ['customer:k', 'ord_A']);

// setExpiry moves a live expiry; an expired one stays expired
await store.setExpiry('ord_A', epoch + 5, now);
await store.setExpiry('ord_B', epoch + 500, now);
assert.equal((await store.getSecrets(['ord_B'], now)).size, 0);

// sweepExpired deletes only expired secrets (scanning key and expiry only)
assert.equal(await store.sweepExpired(now), 1);
assert.equal((await store.getSecrets(['ord_A', 'customer:k'], now)).size, 2);

// shred by record key, and the erasure log re-applies it
await log.append([recordKey('ord_A'), recordKey('customer:k')], 'erasure', now);
const entries = [];
for await (const e of log.entries()) entries.push(e);
assert.equal(entries.length, 2);
assert.equal(await store.shred(entries.map((e) => e.key)), 2);
assert.equal(await store.shred(entries.map((e) => e.key)), 0);
assert.equal((await store.getSecrets(['ord_A', 'customer:k'], now)).size, 0);

// erasure marks: written and read; reshred spares a secret created after the erasure, not one before
await store.markErased('k', now.toISOString());
assert.equal(await store.erasedAt('k'), now.toISOString());
assert.equal(await store.erasedAt('other'), undefined);
await store.markErased('k', new Date(now.getTime() - 60_000).toISOString()); // never moves back
assert.equal(await store.erasedAt('k'), now.toISOString());
const later = new Date(now.getTime() + 60_000);
const renewed = newRecordSecret();
await store.claim('customer:k', renewed, undefined, later); // opted in again a minute later
await store.claim('ord_C', newRecordSecret(), epoch + 100, new Date(now.getTime() - 60_000));
await log.append([recordKey('ord_C')], 'erasure', now);
const logged = [];
for await (const e of log.entries()) logged.push(e);
assert.equal(await store.reshred(logged), 1); // ord_C (created before); customer:k kept
assert.deepEqual(
  Buffer.from((await store.getSecrets(['customer:k'], later)).get('customer:k') ?? []),
  Buffer.from(renewed),
);
client.destroy();
console.log('moto: key table, erasure log, marks and reshred OK');
