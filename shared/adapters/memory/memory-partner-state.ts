import type { OrderRecord } from '../../domain/order.js';
import type { HeldMessage, OrderScan, PartnerState, PartnerStateStore } from '../../ports.js';

/** In-memory partner state and held messages, with the DynamoDB adapter's conditional semantics. */
export class MemoryPartnerStateStore implements PartnerStateStore {
  readonly states = new Map<string, PartnerState>();
  readonly held = new Map<string, Map<string, HeldMessage>>();

  async getPartnerState(partnerId: string): Promise<PartnerState> {
    return this.states.get(partnerId) ?? { state: 'enabled' };
  }
  async disablePartner(partnerId: string, at: string, status: number) {
    if (this.states.get(partnerId)?.state === 'disabled') return false;
    this.states.set(partnerId, { state: 'disabled', changedAt: at, status });
    return true;
  }
  async enablePartner(partnerId: string, at: string) {
    if (this.states.get(partnerId)?.state !== 'disabled') return false;
    this.states.set(partnerId, { state: 'enabled', changedAt: at });
    return true;
  }
  async holdMessage(partnerId: string, held: HeldMessage & { readonly holdId: string }) {
    const messages = this.held.get(partnerId) ?? new Map<string, HeldMessage>();
    const first = messages.get(held.webhookId);
    messages.set(held.webhookId, { ...held, heldAt: first?.heldAt ?? held.heldAt });
    this.held.set(partnerId, messages);
  }
  async *listHeld(partnerId: string) {
    for (const held of [...(this.held.get(partnerId)?.values() ?? [])]) yield held;
  }
  async releaseHeld(partnerId: string, webhookId: string, holdId: string | undefined) {
    const messages = this.held.get(partnerId);
    const held = messages?.get(webhookId);
    if (!messages || !held || held.holdId !== holdId) return false;
    return messages.delete(webhookId);
  }
}

/** Scans the orders of an in-memory store (MemoryOrderStore.orders). */
export class MemoryOrderScan implements OrderScan {
  constructor(private readonly orders: ReadonlyMap<string, OrderRecord>) {}
  async *scanOrders(range: { readonly from?: string; readonly to?: string }) {
    for (const order of [...this.orders.values()]) {
      if (range.from && order.createdAt < range.from) continue;
      if (range.to && order.createdAt >= range.to) continue;
      yield order;
    }
  }
}
