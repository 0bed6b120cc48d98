/**
 * The DynamoDB consent store's confirmation writes and the erasure fence, against dynalite:
 * single-item conditional writes (no transactions) are what makes a confirmation single-use, a
 * stranger's repeated checkouts send one request, and erasures of one address run one at a time.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/aws/dynamo-client.js';
import { DynamoConsentStore } from '../../shared/adapters/aws/dynamo-consent-store.js';
import { DynamoErasureFenceStore } from '../../shared/adapters/aws/dynamo-erasure-fence.js';
import { tableDefinition } from '../../shared/adapters/aws/table-schema.js';
import { type EmbeddedDynamo, ensureTables } from '../../shared/adapters/local/embedded-dynamodb.js';
import type { ConsentEvent } from '../../shared/domain/consent.js';
import { startTestDynamo } from '../support/embedded-dynamo.js';

let dynamo: EmbeddedDynamo;
let client: DynamoDBClient;
let consent: DynamoConsentStore;
let fence: DynamoErasureFenceStore;
const NOW = Date.parse('2026-11-25T10:00:00Z') / 1000;
const WEEK = 7 * 86_400;
let n = 0;
const key = () => `${String(++n).padStart(3, '0')}${'k'.repeat(40)}`;
const event = (status?: ConsentEvent['status']): ConsentEvent => ({
  granted: true,
  at: '2026-11-25T10:00:00.000Z',
  source: status === 'confirmed' ? 'confirmation' : 'checkout',
  policyVersion: '2026-11-01',
  ...(status ? { status } : {}),
});
const SEALED = Uint8Array.of(9, 9, 9);

beforeAll(async () => {
  ({ dynamo, client } = await startTestDynamo());
  await ensureTables(client, [tableDefinition('orders')]);
  consent = new DynamoConsentStore(documentClient(client), 'orders');
  fence = new DynamoErasureFenceStore(documentClient(client), 'orders');
});
afterAll(async () => {
  client.destroy();
  await dynamo.stop();
});

/** Opens request `id` at `now` (epoch seconds), expiring a week later unless told. */
async function requested(emailKey: string, id = 'req-1', now = NOW, expiresAt = now + WEEK) {
  return consent.requestConfirmation(
    emailKey,
    event('unconfirmed'),
    { id, expiresAt, email: 'requested' },
    SEALED,
    now,
  );
}

describe('DynamoDB consent confirmation', () => {
  it('opens one request at a time: a second one while it is outstanding writes nothing', async () => {
    // Prepare
    const emailKey = key();
    // Act
    const first = await requested(emailKey, 'req-1');
    const second = await requested(emailKey, 'req-2');
    const afterExpiry = await requested(emailKey, 'req-3', NOW + WEEK);
    // Assess
    expect([first, second, afterExpiry]).toEqual([true, false, true]);
    const customer = await consent.getCustomer(emailKey);
    expect(customer?.confirmation).toEqual({ id: 'req-3', expiresAt: NOW + 2 * WEEK, email: 'requested' });
    expect(customer?.consent).toHaveLength(2);
    expect(customer?.marketing).toBeUndefined();
    expect(customer?.pendingMarketing).toEqual(SEALED);
  });

  it('two concurrent confirmations with one token: exactly one writes the confirmed event', async () => {
    // Prepare
    const emailKey = key();
    await requested(emailKey);
    // Act
    const results = await Promise.all([
      consent.confirmConsent(emailKey, 'req-1', event('confirmed'), NOW),
      consent.confirmConsent(emailKey, 'req-1', event('confirmed'), NOW),
      consent.confirmConsent(emailKey, 'req-1', event('confirmed'), NOW),
    ]);
    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    const customer = await consent.getCustomer(emailKey);
    expect(customer?.consent.map((e) => e.status)).toEqual(['unconfirmed', 'confirmed']);
    expect(customer?.marketing).toEqual(SEALED);
    expect(customer?.pendingMarketing).toBeUndefined();
    expect(customer?.confirmation).toBeUndefined();
  });

  it('refuses an expired, unknown or erased request and writes nothing', async () => {
    // Prepare
    const emailKey = key();
    const erased = key();
    await requested(emailKey);
    await requested(erased);
    await consent.deleteCustomer(erased);
    const before = await consent.getCustomer(emailKey);
    // Act
    const results = [
      await consent.confirmConsent(emailKey, 'req-1', event('confirmed'), NOW + WEEK),
      await consent.confirmConsent(emailKey, 'req-other', event('confirmed'), NOW),
      await consent.confirmConsent(erased, 'req-1', event('confirmed'), NOW),
    ];
    // Assess
    expect(results).toEqual([false, false, false]);
    expect(await consent.getCustomer(emailKey)).toEqual(before);
    expect(await consent.getCustomer(erased)).toBeUndefined();
  });

  it('an opt-out withdraws the pending request; the email claim then fails', async () => {
    // Prepare
    const emailKey = key();
    await requested(emailKey);
    // Act
    await consent.appendConsent(emailKey, { ...event(), granted: false, source: 'unsubscribe-link' }, null);
    const claimed = await consent.claimConfirmationEmail(emailKey, 'req-1', Date.now() + 1000, Date.now());
    const confirmed = await consent.confirmConsent(emailKey, 'req-1', event('confirmed'), NOW);
    // Assess
    expect([claimed, confirmed]).toEqual([false, false]);
    const customer = await consent.getCustomer(emailKey);
    expect(customer?.pendingMarketing).toBeUndefined();
    expect(customer?.confirmation).toBeUndefined();
  });

  it('an opt-out withdraws the request but not its cooldown: no new request until it would have expired; a confirmation ends it', async () => {
    // Prepare
    const withdrawn = key();
    const confirmed = key();
    await requested(withdrawn);
    await consent.appendConsent(withdrawn, { ...event(), granted: false, source: 'unsubscribe-link' }, null);
    await requested(confirmed);
    await consent.confirmConsent(confirmed, 'req-1', event('confirmed'), NOW + 60);
    // Act
    const before = await requested(withdrawn, 'req-2', NOW + WEEK - 1, NOW + 2 * WEEK);
    const stored = await consent.getCustomer(withdrawn);
    const after = await requested(withdrawn, 'req-3', NOW + WEEK);
    const afterConfirmation = await requested(confirmed, 'req-4');
    // Assess
    expect(before).toBe(false);
    expect(stored?.confirmation).toBeUndefined();
    expect(stored?.confirmationCooldownUntil).toBe(NOW + WEEK);
    expect(stored?.consent.map((e) => e.source)).toEqual(['checkout', 'unsubscribe-link']);
    expect(after).toBe(true);
    expect((await consent.getCustomer(withdrawn))?.confirmationCooldownUntil).toBe(NOW + 2 * WEEK);
    expect(afterConfirmation).toBe(true);
  });

  it('appends only while the ledger holds the length the caller read (no ledger: 0)', async () => {
    // Prepare
    const emailKey = key();
    const optOut: ConsentEvent = { ...event(), granted: false, source: 'unsubscribe-link' };
    // Act
    const first = await consent.appendConsent(emailKey, event(), SEALED, 0);
    const stale = await consent.appendConsent(emailKey, optOut, null, 0);
    const current = await consent.appendConsent(emailKey, optOut, null, 1);
    const unconditional = await consent.appendConsent(emailKey, event('unconfirmed'));
    // Assess
    expect([first, stale, current, unconditional]).toEqual([true, false, true, true]);
    const stored = await consent.getCustomer(emailKey);
    expect(stored?.consent.map((e) => e.source)).toEqual(['checkout', 'unsubscribe-link', 'checkout']);
    expect(stored?.marketing).toBeUndefined();
  });

  it('claims the confirmation email once; a failed send gives the claim back', async () => {
    // Prepare
    const emailKey = key();
    await requested(emailKey);
    const t = 1_000_000;
    // Act
    const first = await consent.claimConfirmationEmail(emailKey, 'req-1', t + 20_000, t);
    const second = await consent.claimConfirmationEmail(emailKey, 'req-1', t + 20_000, t);
    await consent.finishConfirmationEmail(emailKey, 'req-1', false);
    const retry = await consent.claimConfirmationEmail(emailKey, 'req-1', t + 20_000, t);
    await consent.finishConfirmationEmail(emailKey, 'req-1', true);
    const afterSent = await consent.claimConfirmationEmail(emailKey, 'req-1', t + 99_000, t + 50_000);
    // Assess
    expect([first, second, retry, afterSent]).toEqual([true, false, true, false]);
    expect((await consent.getCustomer(emailKey))?.confirmation?.email).toBe('sent');
  });

  it('a stale worker gives back only its own confirmation claim (review s11c)', async () => {
    // Prepare: A's claim ran out, B took it over
    const emailKey = key();
    await requested(emailKey);
    const t = 1_000_000;
    await consent.claimConfirmationEmail(emailKey, 'req-1', t + 20_000, t);
    await consent.claimConfirmationEmail(emailKey, 'req-1', t + 60_000, t + 30_000);
    // Act
    await consent.finishConfirmationEmail(emailKey, 'req-1', false, t + 20_000);
    const afterStale = (await consent.getCustomer(emailKey))?.confirmation;
    await consent.finishConfirmationEmail(emailKey, 'req-1', false, t + 60_000);
    // Assess
    expect(afterStale).toMatchObject({ email: 'sending', leaseUntil: t + 60_000 });
    expect((await consent.getCustomer(emailKey))?.confirmation?.email).toBe('requested');
  });
});

describe('DynamoDB erasure fence', () => {
  it('counts erasures begun and ended; one at a time per address; a crashed one is taken over after its lease', async () => {
    // Prepare
    const emailKey = key();
    const t = 1_000_000;
    // Act
    const empty = await fence.readFence(emailKey);
    const first = await fence.beginErasure(emailKey, t + 900_000, t);
    const concurrent = await fence.beginErasure(emailKey, t + 900_000, t + 1);
    const during = await fence.readFence(emailKey);
    // the first one crashes; after its lease another takes over and ends both
    const takeover = await fence.beginErasure(emailKey, t + 2_000_000, t + 900_001);
    await fence.endErasure(emailKey, takeover ?? 0);
    await fence.endErasure(emailKey, first ?? 0);
    const after = await fence.readFence(emailKey);
    const next = await fence.beginErasure(emailKey, t + 3_000_000, t + 900_002);
    // Assess
    expect(empty).toEqual({ begun: 0, ended: 0 });
    expect([first, concurrent, takeover, next]).toEqual([1, undefined, 2, 3]);
    // beganAt: each erasure's begin time, a refused one not counted (the intake sweep's F1 check).
    expect(during).toEqual({ begun: 1, ended: 0, beganAt: [t] });
    expect(after).toEqual({ begun: 2, ended: 2, beganAt: [t, t + 900_001] });
  });
});
