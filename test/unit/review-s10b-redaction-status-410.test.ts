/**
 * Review s10b (fc5686a): a redaction `sent` with failure '410' is read as "held, pending". But
 * deliver-redaction.ts also recorded failure '410' when its LAST attempt gave up (now marked
 * `gaveUp`): the partner was
 * disabled, the hold was taken back because enable ran meanwhile (holdMessage → false →
 * fail({ status: 410 })), and the message is dead-lettered. The certificate then shows `pending`
 * for a redaction sitting in the dead-letter queue (only a redrive sends it).
 * And a redaction that gave up once (failed), was redriven and then met 410 (held) shows `failed`.
 */
import { describe, expect, it } from 'vitest';
import { MemoryPartnerStateStore } from '#shared/adapters/memory/memory-partner-state.js';
import { MemoryOrderStore } from '#shared/adapters/memory/memory-stores.js';
import { redactionStatus } from '#shared/domain/certificate.js';
import type { LedgerEntry } from '#shared/domain/ledger.js';
import { ORDER_REDACTED_TYPE } from '#shared/domain/projections.js';
import type { LedgerStore } from '#shared/ledger-ports.js';
import type { HeldMessage, PartnerClient } from '#shared/ports.js';
import { deliverRedaction } from '#shared/usecases/deliver-redaction.js';
import { webhookId } from '#shared/usecases/deliver-to-partner.js';
import {
  FakeClock,
  ORDER_ID,
  orderRecord,
  personalRecord,
  randomLedgerMac,
  SAMPLE_PARTNERS,
  sampleSecrets,
  T0,
} from './deliver-fixtures.js';

/** enable's `enabled` write lands right after a delivery's hold write (before its re-check). */
class EnabledDuringHold extends MemoryPartnerStateStore {
  override async holdMessage(partnerId: string, held: HeldMessage & { readonly holdId: string }) {
    await super.holdMessage(partnerId, held);
    await this.enablePartner(partnerId, T0.toISOString());
  }
}

const request = {
  orderId: ORDER_ID,
  partner: 'carrier',
  webhookId: webhookId(ORDER_ID, 'carrier', ORDER_REDACTED_TYPE),
  requestedAt: T0.toISOString(),
  basis: 'received' as const,
};

describe('review s10b: redaction state after 410', () => {
  it('a last attempt that gave up (dead-lettered) after its hold was taken back shows failed, not pending', async () => {
    // Prepare: an order with a ledger, the carrier disabled.
    const orders = new MemoryOrderStore();
    await orders.putOrder(orderRecord(), personalRecord({}));
    const partnerState = new EnabledDuringHold();
    await partnerState.disablePartner('carrier', T0.toISOString(), 410);
    const never: PartnerClient = {
      post: async () => {
        throw new Error('must not POST');
      },
    };

    // Act: the redaction's last attempt.
    const outcome = await deliverRedaction(
      {
        ledger: orders as unknown as LedgerStore,
        ledgerMac: randomLedgerMac(),
        secrets: sampleSecrets(),
        partnerClient: never,
        partnerState,
        clock: new FakeClock(),
        partners: SAMPLE_PARTNERS,
        settings: { timeoutMs: 15_000, baseDelaySeconds: 1 },
      },
      {
        orderId: ORDER_ID,
        partnerId: 'carrier',
        requestedAt: T0.toISOString(),
        receiveCount: 16,
        maxAttempts: 16,
      },
    );
    const ledger = await (orders as unknown as LedgerStore).getLedger(ORDER_ID);

    // Assess: dead-lettered (gave-up), nothing held any more; the certificate must not say pending.
    expect(outcome.outcome).toBe('gave-up');
    expect(partnerState.held.get('carrier')?.size ?? 0).toBe(0);
    expect(redactionStatus(request, ledger?.entries ?? []).state).toBe('failed');
  });

  it('gave up once, redriven, now held after 410: pending, not failed', () => {
    // Prepare
    const sent = (seq: number, failure: string): LedgerEntry =>
      ({
        type: 'sent',
        by: 'partner-delivery',
        recipient: 'carrier',
        messageType: ORDER_REDACTED_TYPE,
        fields: [],
        webhookId: request.webhookId,
        failure,
        seq,
        at: T0.toISOString(),
        mac: `m${seq}`,
      }) as LedgerEntry;

    // Act / Assess: the last attempt is the 410 (held; enable sends it).
    expect(redactionStatus(request, [sent(1, '500'), sent(2, '410')]).state).toBe('pending');
  });
});
