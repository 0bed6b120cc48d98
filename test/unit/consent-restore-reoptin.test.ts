/**
 * Found by review s11 (fixed: a newer entry carries the mark it stands over). An order table restored from before an erasure brings back the erased customer record
 * (consent ledger in clear). The code hides it on read with `sinceErasure(record, erasedAtOf(suppression))`
 * (intake, export): the erasure's date is taken from the suppression entry *only while its reason is
 * `erasure`*. But a checkout after the restore appends to the restored record (requestConfirmation /
 * appendConsent use list_append on whatever is there), so the pre-erasure events become part of the
 * live record; once the owner confirms a re-opt-in and later unsubscribes (a legitimate, newer
 * `unsubscribe` entry that the mark rightly does not override), `erasedAtOf` was undefined and the
 * export showed the erased, pre-erasure consent history again — although the key table's mark (which
 * the restore did not reach) still says when the erasure was.
 *
 * data-inventory.md: "An erased customer stays erased: restoring the order table from a backup never
 * makes their data readable again, and a checkout by 'them' later starts afresh".
 * README (consent under restores): "The export drops ledger events ... from before the mark (sinceErasure)."
 */
import { describe, expect, it } from 'vitest';
import type { CustomerRecord, SuppressionRecord } from '../../shared/domain/consent.js';
import { confirmConsent } from '../../shared/usecases/confirm-consent.js';
import { eraseCustomer } from '../../shared/usecases/erase-customer.js';
import { exportCustomer } from '../../shared/usecases/export-customer.js';
import { notifyCustomer } from '../../shared/usecases/notify-customer.js';
import { sendConsentConfirmation } from '../../shared/usecases/send-consent-confirmation.js';
import { submitOrder } from '../../shared/usecases/submit-order.js';
import { recordOptOut } from '../../shared/usecases/unsubscribe.js';
import { canaries, orderBody } from '../support/canaries.js';
import { fakePorts } from '../support/fakes.js';
import { RecordingMailer } from './email-fakes.js';

const DAY_MS = 86_400_000;
const owner = canaries('5110b001');

describe('a restored, erased consent ledger after a re-opt-in and an opt-out', () => {
  it('the export never shows the consent events from before the erasure', async () => {
    const ports = fakePorts();
    const mailer = new RecordingMailer();
    const notifyDeps = { ...ports, mailer, settings: { publicBaseUrl: 'https://shop.example' } };
    const emailKey = await ports.lookup.emailKey(owner.email);
    // The owner opts in at checkout (T0).
    await submitOrder(ports, { idempotencyKey: 'k-0', body: orderBody(owner, { marketingOptIn: true }) });
    const erasedEvent = ports.consent.customers.get(emailKey)?.consent[0];
    expect(erasedEvent?.source).toBe('checkout');
    // Backup of the order table's consent items.
    const backup = {
      customers: new Map<string, CustomerRecord>(ports.consent.customers),
      suppressions: new Map<string, SuppressionRecord>(ports.consent.suppressions),
    };
    // Erasure (T1): customer record deleted, erasure entry + key-table mark.
    ports.clock.advance(DAY_MS);
    await eraseCustomer({ ...ports, settings: {} }, owner.email);
    // The order table is restored from the backup (the key table keeps the mark).
    ports.consent.customers.clear();
    ports.consent.suppressions.clear();
    for (const [k, v] of backup.customers) ports.consent.customers.set(k, v);
    for (const [k, v] of backup.suppressions) ports.consent.suppressions.set(k, v);
    expect((await exportCustomer(ports, owner.email)).consent.events).toEqual([]); // held by the mark

    // The owner checks out again with the opt-in: a confirmation request (the mark says erased).
    ports.clock.advance(DAY_MS);
    const orderId = (
      await submitOrder(ports, { idempotencyKey: 'k-1', body: orderBody(owner, { marketingOptIn: true }) })
    ).orderId;
    await notifyCustomer(notifyDeps, { type: 'order.accepted', orderId });
    await sendConsentConfirmation(notifyDeps, orderId);
    const link = mailer.sent
      .map((m) => /consent\/confirm\?token=([A-Za-z0-9_-]+)/.exec(m.text)?.[1])
      .find(Boolean);
    expect(link).toBeDefined();
    // The owner confirms, and later unsubscribes.
    ports.clock.advance(60_000);
    await confirmConsent(ports, link);
    ports.clock.advance(DAY_MS);
    await recordOptOut(ports, emailKey, 'unsubscribe');

    // Assess: what the restore brought back from before the erasure is still not exported (the
    // opt-out's newer entry carries the mark it stands over). The live record keeps it, merged by
    // the checkout's append; every reader drops it by the mark (README, restore runbook).
    const exported = await exportCustomer(ports, owner.email);
    expect(exported.consent.events).not.toContainEqual(erasedEvent);
    expect(exported.consent.events.map((e) => e.source)).toEqual([
      'checkout',
      'confirmation',
      'unsubscribe-link',
    ]);
    expect(exported.suppression).toMatchObject({ reason: 'unsubscribe' });
  });
});
