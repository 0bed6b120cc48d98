/**
 * The disclosure ledger's chain (domain/ledger.ts) and its append semantics in the in-memory store
 * (the same as DynamoDB's conditional UpdateItem): verification catches every kind of tampering,
 * and concurrent appenders — run against each other at every `await` — never fork the chain or
 * lose an entry.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { MemoryKeyRecordStore, MemoryOrderStore } from '../../shared/adapters/memory/memory-stores.js';
import { LedgerKey } from '../../shared/crypto/ledger-key.js';
import {
  canonicalJson,
  EMPTY_TIP,
  type LedgerEvent,
  type Mac,
  partnersWithPersonalData,
  sealEntries,
  verifyLedger,
} from '../../shared/domain/ledger.js';
import type { OrderRecord } from '../../shared/domain/order.js';
import { FIELDS, type FieldDeclaration } from '../../shared/inventory.js';
import type { LedgerAppend } from '../../shared/ledger-ports.js';
import { appendOf } from '../../shared/usecases/disclosure-ledger.js';

const ORDER_ID = 'ord_0123456789ABCDEFGHJKMNPQRS';
const AT = '2026-12-01T10:00:00.000Z';
const key = randomBytes(32);
const mac: Mac = async (data) => createHmac('sha256', key).update(data).digest('base64url');

const sent = (recipient: string, fields: string[]): LedgerEvent => ({
  type: 'sent',
  by: 'partner-delivery',
  recipient,
  messageType: recipient === 'carrier' ? 'shipment.requested' : 'pick.requested',
  fields: fields as never,
  webhookId: `msg_${recipient}`,
});
const opened: LedgerEvent = { type: 'purpose-opened', by: 'partner-delivery', purpose: 'shipping' };

function order(): OrderRecord {
  return {
    orderId: ORDER_ID,
    createdAt: AT,
    updatedAt: AT,
    status: 'accepted',
    items: [{ sku: 'A', name: 'A', quantity: 1, unitPrice: 100 }],
    currency: 'EUR',
    country: 'GB',
    paymentReference: 'pi_1',
    trackingNumber: null,
    trackingUrl: null,
    deliveredAt: null,
    deliveries: {
      warehouse: { state: 'pending', updatedAt: AT },
      carrier: { state: 'pending', updatedAt: AT },
    },
    emails: {},
    processedEvents: [],
    outbox: 'done',
  };
}

describe('ledger chain', () => {
  it('verifies what it sealed, and the canonical form ignores key order', async () => {
    // Prepare
    const { entries, head } = await sealEntries(
      mac,
      ORDER_ID,
      EMPTY_TIP,
      [opened, sent('carrier', ['customer.givenName'])],
      AT,
    );
    // Act
    const verification = await verifyLedger(mac, ORDER_ID, entries, head);
    // Assess
    expect(verification).toEqual({ ok: true, entries: 2, problems: [] });
    expect(entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('reports a changed, removed, reordered or dropped entry, a moved ledger and a missing head', async () => {
    // Prepare
    const { entries, head } = await sealEntries(
      mac,
      ORDER_ID,
      EMPTY_TIP,
      [opened, sent('carrier', ['customer.givenName']), sent('warehouse', ['items[].sku'])],
      AT,
    );
    const [a, b, c] = entries as [(typeof entries)[0], (typeof entries)[0], (typeof entries)[0]];
    const cases = {
      changed: [[a, { ...b, at: '2026-12-02T00:00:00.000Z' }, c], head],
      removed: [[a, c], head],
      reordered: [[b, a, c], head],
      dropped: [[a, b], head],
      droppedWithHead: [[a, b], { count: 2, mac: b.mac }],
      noHead: [entries, undefined],
    } as const;
    // Act
    const results: Record<string, boolean> = {};
    for (const [what, [list, h]] of Object.entries(cases))
      results[what] = (await verifyLedger(mac, ORDER_ID, list, h)).ok;
    const otherOrder = await verifyLedger(mac, 'ord_ZZZZZZZZZZZZZZZZZZZZZZZZZZ', entries, head);
    // Assess
    expect(results).toEqual({
      changed: false,
      removed: false,
      reordered: false,
      dropped: false,
      droppedWithHead: false,
      noHead: false,
    });
    expect(otherOrder.ok).toBe(false);
  });

  it('names only partners that received a personal field (the carrier, not the warehouse)', async () => {
    // Prepare
    const { entries } = await sealEntries(
      mac,
      ORDER_ID,
      EMPTY_TIP,
      [sent('warehouse', ['items[].sku', 'items[].quantity']), sent('carrier', ['shippingAddress.city'])],
      AT,
    );
    // Act
    const partners = partnersWithPersonalData(entries, (p) => (FIELDS[p] as FieldDeclaration).personal);
    // Assess
    expect(partners).toEqual(['carrier']);
  });
});

/**
 * Wraps an append so that a competing operation runs at its k-th await (inside `build`, i.e.
 * between the caller's read of the tip and its conditional write).
 */
function interleaved(append: LedgerAppend, k: number, competitor: () => Promise<unknown>): LedgerAppend {
  let step = 0;
  return {
    tip: append.tip,
    build: async (tip) => {
      const yieldPoint = async () => {
        if (step++ === k) await competitor();
      };
      await yieldPoint();
      const sealed = await append.build(tip);
      await yieldPoint();
      return sealed;
    },
  };
}

describe('concurrent appends (in-memory store, forced interleavings)', () => {
  // Await #0: before the entries are chained; #1: after chaining, before the conditional write.
  for (const k of [0, 1]) {
    it(`a delivery write and an email write racing at await #${k} keep both entries in one chain`, async () => {
      // Prepare: both read the order (same tip) before either writes.
      const store = new MemoryOrderStore();
      store.orders.set(ORDER_ID, order());
      const seen = (await store.getOrder(ORDER_ID)) as OrderRecord;
      const emailEntry: LedgerEvent = {
        type: 'email-sent',
        by: 'notify-customer',
        recipient: 'customer mailbox via SES',
        template: 'order-confirmation',
        fields: ['customer.email'],
        messageId: 'ses-1',
      };
      const competitor = () =>
        store.markEmailSent(ORDER_ID, 'order-confirmation', appendOf(mac, seen, [emailEntry], AT));
      // Act
      await store.setDeliveryState(
        ORDER_ID,
        'carrier',
        'delivered',
        AT,
        interleaved(
          appendOf(mac, seen, [opened, sent('carrier', ['customer.givenName'])], AT),
          k,
          competitor,
        ),
      );
      // Assess
      const { entries, head } = store.ledgers.get(ORDER_ID);
      expect(entries.map((e) => e.type).sort()).toEqual(['email-sent', 'purpose-opened', 'sent']);
      expect(entries.map((e) => e.seq)).toEqual([1, 2, 3]);
      expect(await verifyLedger(mac, ORDER_ID, entries, head)).toEqual({
        ok: true,
        entries: 3,
        problems: [],
      });
      expect(store.orders.get(ORDER_ID)?.deliveries.carrier?.state).toBe('delivered');
      expect(store.orders.get(ORDER_ID)?.emails['order-confirmation']?.state).toBe('sent');
    });
  }

  it('many appenders from the same stale tip all land, in one verifiable chain', async () => {
    // Prepare
    const store = new MemoryOrderStore();
    store.orders.set(ORDER_ID, order());
    const seen = (await store.getOrder(ORDER_ID)) as OrderRecord;
    // Act
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((p) =>
        store.appendLedger(ORDER_ID, appendOf(mac, seen, [sent(p, [])], AT)),
      ),
    );
    // Assess
    const { entries, head } = store.ledgers.get(ORDER_ID);
    expect(entries.map((e) => (e.type === 'sent' ? e.recipient : '')).sort()).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
    expect((await verifyLedger(mac, ORDER_ID, entries, head)).ok).toBe(true);
  });

  it('a state write whose own condition fails appends nothing', async () => {
    // Prepare: the carrier delivery is already recorded; a late failure report must not overwrite it.
    const store = new MemoryOrderStore();
    store.orders.set(ORDER_ID, order());
    await store.setDeliveryState(
      ORDER_ID,
      'carrier',
      'delivered',
      AT,
      appendOf(mac, { orderId: ORDER_ID }, [opened], AT),
    );
    const seen = (await store.getOrder(ORDER_ID)) as OrderRecord;
    // Act
    await store.setDeliveryState(
      ORDER_ID,
      'carrier',
      'failed',
      AT,
      appendOf(mac, seen, [sent('carrier', [])], AT),
    );
    // Assess
    expect(store.ledgers.get(ORDER_ID).entries.map((e) => e.type)).toEqual(['purpose-opened']);
    expect(store.orders.get(ORDER_ID)?.deliveries.carrier?.state).toBe('delivered');
  });
});

describe('ledger key', () => {
  it('is created once under its own context and shared by every process', async () => {
    // Prepare
    const records = new MemoryKeyRecordStore();
    const keys = new LocalKeyService(randomBytes(32));
    const calls: string[] = [];
    const counting = {
      generateDataKey: (c: Parameters<typeof keys.generateDataKey>[0]) => {
        calls.push(`generate:${c}`);
        return keys.generateDataKey(c);
      },
      decryptDataKey: (c: Parameters<typeof keys.decryptDataKey>[0], w: Uint8Array) => {
        calls.push(`decrypt:${c}`);
        return keys.decryptDataKey(c, w);
      },
    };
    const one = new LedgerKey(counting, records);
    const two = new LedgerKey(counting, records);
    // Act: both race to create it.
    const [a, b] = await Promise.all([one.mac('x'), two.mac('x')]);
    // Assess
    expect(a).toBe(b);
    expect(records.records.get('ledger-v1')?.context).toBe('ledger');
    expect(calls.every((c) => c.endsWith(':ledger'))).toBe(true);
    expect(await one.mac('x')).toBe(a);
  });
});
