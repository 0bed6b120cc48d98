/**
 * `410 Gone`: a partner that answers 410 has gone away. It is disabled at once: nothing more is
 * sent to it; every message for it (the one that got the 410, later ones, replays) is held as a
 * `HELD#` item instead of being retried or dead-lettered, and its deliveries show `pending`.
 * `minimis partner enable` records it as enabled, then puts every held message back on its queue.
 *
 * Races (both sides re-check, so nothing is lost; at worst a message is enqueued twice, and a
 * delivered one is not sent again):
 * - a message in flight while the partner is disabled: it got its answer already (a 2xx is
 *   recorded as delivered; a 410 holds it too);
 * - enable running while a delivery holds a message: enable writes `enabled` before it lists the
 *   held messages; a delivery reads the state again after writing its hold. Either the listing
 *   sees the hold, or the delivery sees `enabled` and takes its message back to send it itself;
 * - a message enable re-sent meeting a 410 again before enable removed its hold (the partner was
 *   enabled too early): every hold has its own id and a release removes only the hold it names, so
 *   the message is held again, not lost with the earlier hold (review s10).
 */

import { randomUUID } from 'node:crypto';
import { partnerQueue } from '../contracts.js';
import type { Clock, HeldMessage, OrderStore, PartnerStateStore, Queue } from '../ports.js';
import { UnknownPartnerError } from './redrive.js';

export const GONE_STATUS = 410;
/** Logged (level ERROR) once when a partner answers 410 Gone and is disabled; infra alarms on it. */
export const PARTNER_DISABLED_LOG = 'partner disabled: it answered 410 Gone';

export interface HoldDeps {
  readonly partnerState: PartnerStateStore;
  /**
   * The order's delivery state, shown `pending` while its message is held.
   * @default none: the message is no delivery (`order.redacted`: its state is in the ledger)
   */
  readonly orders?: Pick<OrderStore, 'setDeliveryState'>;
  readonly clock: Clock;
}

/**
 * Holds a message of a disabled partner. Returns false when the partner was enabled meanwhile and
 * the message was taken back: the caller must send it (e.g. retry the delivery).
 */
export async function holdMessage(
  deps: HoldDeps,
  partnerId: string,
  held: Omit<HeldMessage, 'heldAt' | 'holdId'>,
): Promise<boolean> {
  const at = deps.clock.now().toISOString();
  const holdId = randomUUID();
  await deps.partnerState.holdMessage(partnerId, { ...held, heldAt: at, holdId });
  // `pending` never overwrites `delivered` (the store's condition): a held replay changes nothing.
  await deps.orders?.setDeliveryState(held.message.orderId, partnerId, 'pending', at);
  if ((await deps.partnerState.getPartnerState(partnerId)).state === 'disabled') return true;
  // Enabled since we looked. If enable's listing already took the message, it re-enqueued it.
  return !(await deps.partnerState.releaseHeld(partnerId, held.webhookId, holdId));
}

export interface EnableDeps {
  readonly partnerState: PartnerStateStore;
  readonly queue: Queue;
  readonly clock: Clock;
  readonly partners: ReadonlyArray<{ readonly id: string }>;
}

export interface EnableResult {
  readonly partnerId: string;
  /** False when the partner was not disabled (held messages, if any, are still released). */
  readonly wasDisabled: boolean;
  /** Held messages put back on the partner's queue. */
  readonly released: number;
}

/**
 * Enables a partner and re-sends what was held, each message once: enqueued, then removed from the
 * hold (a crash between the two re-sends it on the next enable; the partner deduplicates).
 */
export async function enablePartner(
  deps: EnableDeps,
  partnerId: string,
  onProgress?: (released: number) => void,
): Promise<EnableResult> {
  if (!deps.partners.some((p) => p.id === partnerId)) throw new UnknownPartnerError(partnerId);
  const wasDisabled = await deps.partnerState.enablePartner(partnerId, deps.clock.now().toISOString());
  let released = 0;
  for await (const held of deps.partnerState.listHeld(partnerId)) {
    await deps.queue.send(partnerQueue(partnerId), held.message);
    // This hold only: if the message met a 410 again meanwhile, its new hold stays held.
    await deps.partnerState.releaseHeld(partnerId, held.webhookId, held.holdId);
    released++;
    if (released % 100 === 0) onProgress?.(released);
  }
  onProgress?.(released);
  return { partnerId, wasDisabled, released };
}

export interface PartnerStatus {
  readonly partnerId: string;
  readonly state: 'enabled' | 'disabled';
  readonly changedAt?: string;
  readonly held: number;
}

/** A partner's state and how many messages are held for it (for `minimis partner status`). */
export async function partnerStatus(
  deps: Pick<EnableDeps, 'partnerState' | 'partners'>,
  partnerId: string,
): Promise<PartnerStatus> {
  if (!deps.partners.some((p) => p.id === partnerId)) throw new UnknownPartnerError(partnerId);
  const state = await deps.partnerState.getPartnerState(partnerId);
  let held = 0;
  for await (const _ of deps.partnerState.listHeld(partnerId)) held++;
  return {
    partnerId,
    state: state.state,
    ...(state.changedAt ? { changedAt: state.changedAt } : {}),
    held,
  };
}
