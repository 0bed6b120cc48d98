/**
 * Retention against the local pipeline (dynalite): personal data 30 days after delivery, or 90 days
 * after acceptance if delivery is never reported. Expired data is gone for every reader before any
 * purge (store read, export, notification, partner delivery); the purge then removes exactly it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '#shared/contracts.js';
import type { Clock, OutboundEmail } from '../../shared/ports.js';
import { deliverToPartner } from '../../shared/usecases/deliver-to-partner.js';
import { exportCustomer } from '../../shared/usecases/export-customer.js';
import { fanOutOrder } from '../../shared/usecases/fan-out.js';
import { notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { purgeExpired } from '../../shared/usecases/purge-expired.js';
import { expiryAfterDelivery } from '../../shared/usecases/record-partner-event.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { type Wiring, wire } from '../../shared/wiring.js';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { rawTableText } from '../support/raw-table.js';

const DAY_MS = 86_400_000;

class SettableClock implements Clock {
  constructor(public current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
}

const person = canaries('retent01');
/** "Now" for every assertion: the current second, so DynamoDB sees the same instants. */
const T = new Date(Math.floor(Date.now() / 1000) * 1000);
const at = (daysAgo: number) => new Date(T.getTime() - daysAgo * DAY_MS);

let app: TestApp;
let w: Wiring;
const clock = new SettableClock(T);
const ids: Record<'delivered31' | 'delivered29' | 'undelivered91' | 'undelivered89', string> = {
  delivered31: '',
  delivered29: '',
  undelivered91: '',
  undelivered89: '',
};

async function placeOrder(acceptedDaysAgo: number, key: string): Promise<string> {
  clock.current = at(acceptedDaysAgo);
  const result = await submitOrder(
    {
      ...w,
      partners: w.config.partners,
      settings: {
        undeliveredDays: w.config.retention.undeliveredDays,
        idempotencyHours: w.config.idempotencyHours,
        policyVersion: w.config.policyVersion,
      },
    },
    { idempotencyKey: key, body: orderBody(person) },
  );
  // What the order table's stream does after the write (the local runner does it for its own wiring).
  await fanOutOrder(w, result.orderId);
  return result.orderId;
}

/** What the partner-events use case does on `shipment.delivered`: status, then the after-delivery expiry. */
async function markDelivered(orderId: string, deliveredDaysAgo: number): Promise<void> {
  const deliveredAt = at(deliveredDaysAgo).toISOString();
  await w.orders.applyStatusChange(orderId, {
    partnerId: 'carrier',
    eventId: `evt-${orderId}`,
    to: 'delivered',
    from: ['accepted', 'dispatched'],
    at: deliveredAt,
  });
  await w.orders.setPersonalExpiry(
    orderId,
    expiryAfterDelivery(deliveredAt, w.config.retention.afterDeliveryDays),
    new Date(deliveredAt),
  );
}

beforeAll(async () => {
  app = await startTestApp({}, { samplePartners: false });
  // Nothing runs behind the test's back: queued deliveries and emails stay queued.
  await Promise.all(Object.values(app.consumers).map((c) => c.stop()));
  w = wire(app.config, {
    db: app.wiring.db,
    keyService: app.wiring.keyService,
    keyRecords: app.wiring.keyRecords,
    clock,
  });
  ids.delivered31 = await placeOrder(40, 'retention-d31');
  ids.delivered29 = await placeOrder(40, 'retention-d29');
  ids.undelivered91 = await placeOrder(91, 'retention-u91');
  ids.undelivered89 = await placeOrder(89, 'retention-u89');
  await markDelivered(ids.delivered31, 31);
  await markDelivered(ids.delivered29, 29);
  clock.current = T;
});

afterAll(async () => {
  await app?.stop();
});

describe('retention', () => {
  it('expired personal data is gone for the store read before any purge', async () => {
    // Act
    const found = {
      delivered31: await w.orders.getPersonal(ids.delivered31, T),
      delivered29: await w.orders.getPersonal(ids.delivered29, T),
      undelivered91: await w.orders.getPersonal(ids.undelivered91, T),
      undelivered89: await w.orders.getPersonal(ids.undelivered89, T),
    };
    // Assess
    expect(found.delivered31).toBeUndefined();
    expect(found.undelivered91).toBeUndefined();
    expect(found.delivered29?.expiresAt).toBe(T.getTime() / 1000 + 86_400);
    expect(found.undelivered89?.expiresAt).toBe(T.getTime() / 1000 + 86_400);
  });

  it('the export leaves expired orders out before any purge', async () => {
    // Act
    const exported = await exportCustomer(w, person.email);
    // Assess
    expect(exported.orders.map((o) => o.orderId)).toEqual([ids.undelivered89, ids.delivered29]);
    expect(exported.orders.map((o) => o.personalExpiresAt)).toEqual([
      new Date(T.getTime() + DAY_MS).toISOString(),
      new Date(T.getTime() + DAY_MS).toISOString(),
    ]);
    expect(exported.orders[1]?.status).toBe('delivered');
    expect(exported.orders[1]?.deliveredAt).toBe(at(29).toISOString());
  });

  it('notification and partner delivery find nothing to send for an expired order', async () => {
    // Prepare
    const sent: OutboundEmail[] = [];
    const posted: string[] = [];
    // Act
    const notified = await notifyCustomer(
      {
        ...w,
        mailer: {
          send: async (email) => {
            sent.push(email);
            return { messageId: 'never' };
          },
        },
        settings: { publicBaseUrl: w.config.publicBaseUrl },
      },
      { type: 'order.accepted', orderId: ids.undelivered91 },
    );
    const delivered = await deliverToPartner(
      {
        ...w,
        partnerClient: {
          post: async (url) => {
            posted.push(url);
            return { status: 200 };
          },
        },
        partners: w.config.partners,
        settings: { originCountry: 'CN', timeoutMs: 1000, baseDelaySeconds: 1 },
      },
      { orderId: ids.undelivered91, partnerId: 'carrier', receiveCount: 1, maxAttempts: 8 },
    );
    // Assess
    expect(notified).toEqual({ outcome: 'personal-data-gone', email: 'order-confirmation' });
    expect(delivered).toEqual({ outcome: 'personal-data-gone' });
    expect(sent).toEqual([]);
    expect(posted).toEqual([]);
  });

  it('the purge deletes exactly the expired personal records and keeps every order record', async () => {
    // Prepare
    const progress: number[] = [];
    // Act
    const result = await purgeExpired(w, (n) => progress.push(n));
    const again = await purgeExpired(w);
    // Assess
    // The purged records' secrets went with them (none left to sweep or re-shred).
    const none = { secretsExpired: 0, secretsReshredded: 0 };
    expect(result).toEqual({ checkedAt: T.toISOString(), expired: 2, purged: 2, alreadyGone: 0, ...none });
    expect(progress).toEqual([1, 2]);
    expect(again).toEqual({ checkedAt: T.toISOString(), expired: 0, purged: 0, alreadyGone: 0, ...none });
    expect((await w.recordSecrets.getSecrets([ids.delivered31, ids.undelivered91], T)).size).toBe(0);
    const raw = await rawTableText(app.dynamoUrl, app.config.tableName);
    expect(raw).not.toContain(keys.personal(ids.delivered31));
    expect(raw).not.toContain(keys.personal(ids.undelivered91));
    expect(raw).toContain(keys.personal(ids.delivered29));
    expect(raw).toContain(keys.personal(ids.undelivered89));
    for (const orderId of Object.values(ids)) expect(raw).toContain(keys.order(orderId));
    const status = await app.get(`/orders/${ids.undelivered91}`);
    expect(status.status).toBe(200);
  });
});
