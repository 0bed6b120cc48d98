/**
 * `auditOrder` (the CLI's `audit` and the local console): a delivery or an email landing between
 * its two reads never makes an intact chain `missing-entry` (review s10b: the audit read the ledger
 * before the order item, so the item could show a delivery the ledger read before it lacked).
 */
import { describe, expect, it } from 'vitest';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import type { LedgerStore } from '#shared/ledger-ports.js';
import { auditOrder } from '#shared/usecases/audit-order.js';
import { deliverToPartner } from '#shared/usecases/deliver-to-partner.js';
import { submitOrder } from '#shared/usecases/submit-order.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { portsDeliverDeps, randomLedgerMac } from './deliver-fixtures.js';

const mac = randomLedgerMac();

describe('auditOrder', () => {
  it.each(['warehouse', 'carrier'])(
    'a %s delivery landing after its first read leaves the chain verified, and is seen by the next audit',
    async (partnerId) => {
      // Prepare: an accepted order; the delivery lands right after whichever read comes first.
      const ports = fakePorts();
      const { orderId } = await submitOrder(ports, {
        idempotencyKey: 'o-1',
        body: orderBody(canaries('a0d17001')),
      });
      const deliver = () =>
        deliverToPartner(
          portsDeliverDeps(ports, { post: async () => ({ status: 204 }) }, new MemoryPartnerStateStore(), {
            mac,
          }),
          { orderId, partnerId, receiveCount: 1, maxAttempts: 16 },
        );
      let landed: Promise<unknown> | undefined;
      const afterFirstRead =
        <T>(read: () => Promise<T>) =>
        async () => {
          const value = await read();
          landed ??= deliver();
          await landed;
          return value;
        };
      const ledger = ports.orders as unknown as LedgerStore;
      const deps = {
        orders: { getOrder: afterFirstRead(() => ports.orders.getOrder(orderId)) },
        ledger: { getLedger: afterFirstRead(() => ledger.getLedger(orderId)) },
        ledgerMac: mac,
      };

      // Act
      const during = await auditOrder(deps, orderId);
      const after = await auditOrder({ orders: ports.orders, ledger, ledgerMac: mac }, orderId);

      // Assess
      expect(await landed).toMatchObject({ outcome: 'delivered' });
      expect(during?.verification).toMatchObject({ ok: true, problems: [] });
      expect(after?.order.deliveries[partnerId]?.state).toBe('delivered');
      expect(after?.verification).toMatchObject({ ok: true, problems: [] });
    },
  );

  it('is undefined for an order that does not exist', async () => {
    // Prepare
    const ports = fakePorts();

    // Act
    const audit = await auditOrder(
      { orders: ports.orders, ledger: ports.orders as unknown as LedgerStore, ledgerMac: mac },
      'ord_00000000000000000000000000',
    );

    // Assess
    expect(audit).toBeUndefined();
  });
});
