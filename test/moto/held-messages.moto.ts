/**
 * Optional check against moto's DynamoDB (not part of `npm test`): held messages (410 Gone) keep
 * their first time on a second hold and take its id, and a release removes only the hold it names,
 * as on dynalite (test/integration/held-messages.test.ts).
 *
 *   python3 -m moto.server -p 5055 &
 *   AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:5055 AWS_REGION=us-east-1 \
 *     AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x npx tsx test/moto/held-messages.moto.ts
 */
import assert from 'node:assert/strict';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoPartnerStateStore } from '../../shared/adapters/aws/dynamo-partner-state-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import type { HeldMessage } from '../../shared/ports.js';

const client = new DynamoDBClient({});
const table = `minimis-held-${Date.now().toString(36)}`;
await client.send(new CreateTableCommand(tableDefinition(table)));
const store = new DynamoPartnerStateStore(documentClient(client), table);
const message = { type: 'order.accepted', orderId: 'ord_1', partner: 'carrier' } as never;
const list = async () => {
  const all: HeldMessage[] = [];
  for await (const held of store.listHeld('carrier')) all.push(held);
  return all;
};

await store.holdMessage('carrier', {
  webhookId: 'msg_1',
  message,
  heldAt: '2026-12-01T10:00:00.000Z',
  holdId: 'h1',
});
await store.holdMessage('carrier', {
  webhookId: 'msg_1',
  message,
  heldAt: '2026-12-01T10:05:00.000Z',
  holdId: 'h2',
});
assert.deepEqual(await list(), [
  { webhookId: 'msg_1', message, heldAt: '2026-12-01T10:00:00.000Z', holdId: 'h2' },
]);
assert.equal(await store.releaseHeld('carrier', 'msg_1', 'h1'), false);
assert.equal(await store.releaseHeld('carrier', 'msg_1', undefined), false);
assert.equal((await list()).length, 1);
assert.equal(await store.releaseHeld('carrier', 'msg_1', 'h2'), true);
assert.equal(await store.releaseHeld('carrier', 'msg_1', 'h2'), false);
assert.deepEqual(await list(), []);
console.log('held messages on moto: as on dynalite');
client.destroy();
