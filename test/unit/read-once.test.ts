/** One notify message's reads, shared within the message and never beyond it (shared/adapters/read-once.ts). */
import { describe, expect, it } from 'vitest';
import { readOnceConsent, readOnceOrders } from '#shared/adapters/read-once.js';
import type { ConsentStore, OrderStore } from '#shared/ports.js';

function countingOrders(fail = 0) {
  const calls: string[] = [];
  let failures = fail;
  const store = {
    async getOrder(orderId: string) {
      calls.push(`getOrder ${orderId}`);
      if (failures-- > 0) throw new Error('throttled');
      return { orderId } as unknown as Awaited<ReturnType<OrderStore['getOrder']>>;
    },
    async getPersonal(orderId: string, _now: Date) {
      calls.push(`getPersonal ${orderId}`);
      return undefined;
    },
    async markFanoutDone(orderId: string) {
      calls.push(`markFanoutDone ${orderId}`);
    },
  };
  return { store, calls };
}

describe('read once per message', () => {
  it('reads each order and personal record once per id within one wrapper, and every write goes through', async () => {
    // Prepare
    const { store, calls } = countingOrders();
    const reads = readOnceOrders(store);
    // Act
    await Promise.all([reads.getOrder('ord_a'), reads.getOrder('ord_a'), reads.getOrder('ord_b')]);
    await reads.getPersonal('ord_a', new Date(0));
    await reads.getPersonal('ord_a', new Date(1));
    await reads.markFanoutDone('ord_a');
    await reads.markFanoutDone('ord_a');
    // Assess
    expect(calls).toEqual([
      'getOrder ord_a',
      'getOrder ord_b',
      'getPersonal ord_a',
      'markFanoutDone ord_a',
      'markFanoutDone ord_a',
    ]);
  });

  it('does not remember a failed read, and a new wrapper (the next message) reads again', async () => {
    // Prepare
    const { store, calls } = countingOrders(1);
    const first = readOnceOrders(store);
    // Act
    await expect(first.getOrder('ord_a')).rejects.toThrow('throttled');
    await first.getOrder('ord_a');
    await first.getOrder('ord_a');
    await readOnceOrders(store).getOrder('ord_a');
    // Assess
    expect(calls).toEqual(['getOrder ord_a', 'getOrder ord_a', 'getOrder ord_a']);
  });

  it('reads a customer and a suppression once per keyed email hash', async () => {
    // Prepare
    const calls: string[] = [];
    const consent = {
      async getCustomer(emailKey: string) {
        calls.push(`customer ${emailKey}`);
        return undefined;
      },
      async getSuppression(emailKey: string) {
        calls.push(`suppression ${emailKey}`);
        return undefined;
      },
    } satisfies Pick<ConsentStore, 'getCustomer' | 'getSuppression'>;
    const reads = readOnceConsent(consent);
    // Act
    await Promise.all([reads.getCustomer('k1'), reads.getCustomer('k1'), reads.getSuppression('k1')]);
    await reads.getSuppression('k2');
    // Assess
    expect(calls).toEqual(['customer k1', 'suppression k1', 'suppression k2']);
  });
});
