/**
 * An opt-out after an order-table restore keeps the erasure (found by review s11). In AWS the
 * unsubscribe and ses-feedback functions compose their consent store with `optOutConsent(config)`
 * (shared/compose/dynamo.ts), whose `getSuppression` read the raw order-table item: unlike every other reader (intake, notify, export, erase: all through
 * `markedGetSuppression`) they do not see the key table's erasure mark. The unit tests never see
 * this: `fakePorts()` wraps one consent store with the marks for every use case.
 *
 * After an order-table restore from before an erasure (data-inventory.md: "An erased customer stays
 * erased: restoring the order table from a backup never makes their data readable again"), the first
 * opt-out (a bounce, a complaint, an old email's unsubscribe link) judges the address unsuppressed,
 * appends to the restored (erased) customer record and writes a newer non-erasure suppression
 * entry. From then on the mark "loses" (withErasureMark: an entry as new or newer stands), so
 * `erasedAtOf(suppression)` is undefined and `sinceErasure` no longer hides the restored,
 * pre-erasure consent ledger: the export showed the erased history again, the entry no longer said
 * erasure. It now reads the suppression with the mark, as the others do.
 */

import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoConsentStore } from '../../shared/adapters/aws/dynamo-consent-store.js';
import { DynamoErasureFenceStore } from '../../shared/adapters/aws/dynamo-erasure-fence.js';
import { DynamoErasureLog } from '../../shared/adapters/aws/dynamo-erasure-log.js';
import { DynamoIdempotencyStore } from '../../shared/adapters/aws/dynamo-idempotency-store.js';
import { DynamoKeyRecordStore } from '../../shared/adapters/aws/dynamo-key-record-store.js';
import { DynamoOrderStore } from '../../shared/adapters/aws/dynamo-order-store.js';
import {
  DynamoRecordSecretStore,
  keyTableDefinition,
} from '../../shared/adapters/aws/dynamo-record-secret-store.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import { type EmbeddedDynamo, ensureTables } from '../../shared/adapters/local/embedded-dynamodb.js';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { shreddingConsentStore, shreddingOrderStore } from '../../shared/adapters/shredding-stores.js';
import { DataKeys } from '../../shared/crypto/data-keys.js';
import { LookupKeys } from '../../shared/crypto/lookup-keys.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { exportCustomer } from '../../shared/usecases/export-customer.js';
import { recordMailFeedback } from '../../shared/usecases/record-ses-feedback.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';
import { FakeClock } from '../support/fakes.js';

type Compose = typeof import('../../shared/compose/dynamo.js');

const config = { tableName: 'orders', keyTableName: 'keys', shredBackupDays: 7 };
let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let compose: Compose;
/** One KMS stand-in for the suite: the shop's wrapped keys live in the (shared) table. */
const keyService = new LocalKeyService(randomBytes(32));

beforeAll(async () => {
  ({ dynamo, client } = await startTestDynamo());
  await ensureTables(client, [tableDefinition(config.tableName), keyTableDefinition(config.keyTableName)]);
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', dynamo.url);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'x');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'x');
  compose = await import('../../shared/compose/dynamo.js');
});
afterAll(async () => {
  compose.dynamo().destroy();
  vi.unstubAllEnvs();
  client.destroy();
  await dynamo.stop();
});

/** The stores as the CLI / intake / export see them (wiring.ts: marked, shredding). */
function world() {
  const db = documentClient(client);
  const clock = new FakeClock(new Date('2026-11-25T10:00:00.000Z'));
  const keyRecords = new DynamoKeyRecordStore(db, config.tableName);
  const recordSecrets = new DynamoRecordSecretStore(db, config.keyTableName);
  const erasureLog = new DynamoErasureLog(db, config.tableName, config.shredBackupDays + 1);
  const shredding = { secrets: recordSecrets, erasureLog, clock };
  return {
    db,
    clock,
    orders: shreddingOrderStore(new DynamoOrderStore(db, config.tableName), shredding),
    consent: shreddingConsentStore(new DynamoConsentStore(db, config.tableName), shredding),
    idempotency: new DynamoIdempotencyStore(db, config.tableName),
    fence: new DynamoErasureFenceStore(db, config.tableName),
    recordSecrets,
    dataKeys: new DataKeys(keyService, keyRecords, clock, { maxAgeSeconds: 600, maxUses: 100_000 }),
    lookup: new LookupKeys(keyService, keyRecords, () => clock.now(), true),
    partners: [{ id: 'warehouse' }, { id: 'carrier' }],
    settings: { undeliveredDays: 90, idempotencyHours: 48, policyVersion: '2026-11-01' },
  };
}

async function scanAll(db: ReturnType<typeof documentClient>) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: config.tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    start = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return items;
}

/** Point-in-time restore of the order table (only): every item back as it was at the backup. */
async function restoreOrderTable(db: ReturnType<typeof documentClient>, backup: Record<string, unknown>[]) {
  for (const item of await scanAll(db)) {
    const key: Record<string, unknown> = { pk: item.pk };
    if ('sk' in item) key.sk = item.sk;
    await db.send(new DeleteCommand({ TableName: config.tableName, Key: key }));
  }
  for (const item of backup) await db.send(new PutCommand({ TableName: config.tableName, Item: item }));
}

describe('review s11: an opt-out after an order-table restore, as the AWS functions compose it', () => {
  it("a bounce after the restore does not undo the erasure's hold on the restored customer record", async () => {
    const w = world();
    const person = canaries('5110a001');
    // The customer opts in at checkout; a backup of the order table is taken.
    await submitOrder(w, { idempotencyKey: 'k-1', body: orderBody(person, { marketingOptIn: true }) });
    const backup = await scanAll(w.db);
    // The customer is erased.
    w.clock.advance(3_600_000);
    await eraseCustomer({ ...w, settings: {} }, person.email);
    // The order table is restored from the backup (the key table is not: it keeps the mark).
    await restoreOrderTable(w.db, backup);
    w.clock.advance(3_600_000);
    const exportDeps = { ...w };
    const before = await exportCustomer(exportDeps, person.email);
    // Precondition: the mark holds the erasure over the restored record.
    expect(before.consent.events).toEqual([]);
    expect(before.suppression?.reason).toBe('erasure');

    // SES reports a hard bounce of an old email; functions/ses-feedback.ts composes exactly this.
    const sesFeedbackDeps = {
      consent: compose.optOutConsent(config),
      fence: compose.fenceReader(config),
      clock: w.clock,
      settings: { policyVersion: '2026-11-01' },
      lookup: w.lookup,
    };
    await recordMailFeedback(sesFeedbackDeps, { kind: 'bounce', addresses: [person.email] });

    const after = await exportCustomer(exportDeps, person.email);
    // The erased (pre-erasure) checkout opt-in must stay erased, and the entry must still say erasure.
    expect(after.consent.events.filter((e) => e.source === 'checkout')).toEqual([]);
    expect(after.suppression?.reason).toBe('erasure');
  });

  it('control: the same bounce through the marked store (as the unit tests wire it) keeps the erasure', async () => {
    const w = world();
    const person = canaries('5110a002');
    await submitOrder(w, { idempotencyKey: 'k-2', body: orderBody(person, { marketingOptIn: true }) });
    const backup = await scanAll(w.db);
    w.clock.advance(3_600_000);
    await eraseCustomer({ ...w, settings: {} }, person.email);
    await restoreOrderTable(w.db, backup);
    w.clock.advance(3_600_000);
    await recordMailFeedback(
      { consent: w.consent, fence: w.fence, clock: w.clock, settings: w.settings, lookup: w.lookup },
      { kind: 'bounce', addresses: [person.email] },
    );
    const after = await exportCustomer({ ...w }, person.email);
    expect(after.consent.events.filter((e) => e.source === 'checkout')).toEqual([]);
    expect(after.suppression?.reason).toBe('erasure');
  });
});
