/**
 * Helpers for the email integration tests: place orders, drive the notify consumer, move an order
 * along as the carrier would, and read sent mail back from the SES emulator's `GET /store`.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { StoredEmail } from '../../local/ses-emulator.js';
import { TRANSITIONS } from '../../shared/domain/order.js';
import { type Canaries, canaries, orderBody } from '../support/canaries.js';
import type { TestApp } from '../support/local-app.js';

export type { StoredEmail };

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Canaries whose phone number does not look like a card number: the shared generator's 13-digit
 * phones are Luhn-valid one time in ten, and the API then (rightly) rejects the order as card data.
 */
export function emailCanaries(): Canaries {
  for (;;) {
    const c = canaries();
    if (!luhnValid(c.phone.replace(/\D/g, ''))) return c;
  }
}

export async function placeOrder(
  app: TestApp,
  c: Canaries,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const response = await app.post('/orders', orderBody(c, overrides), { 'idempotency-key': randomUUID() });
  expect(response.status).toBe(202);
  const { orderId } = (await response.json()) as { orderId: string };
  return orderId;
}

/**
 * Runs the notify consumer until a poll that started after everything queued so far finds nothing.
 * (The first poll may join one the consumer's own timer started earlier.)
 */
export async function drainNotify(app: TestApp): Promise<void> {
  const consumer = app.consumers.notify;
  if (!consumer) throw new Error('no notify consumer');
  await consumer.poll();
  for (let round = 0; round < 20; round++) if ((await consumer.poll()) === 0) return;
  throw new Error('notify queue did not drain');
}

/** Applies a carrier status change to the order and enqueues its notification, as partner events do. */
export async function advance(
  app: TestApp,
  orderId: string,
  to: 'dispatched' | 'delivered',
  tracking: { trackingNumber?: string; trackingUrl?: string } = {},
): Promise<void> {
  const result = await app.wiring.orders.applyStatusChange(orderId, {
    partnerId: 'carrier',
    eventId: `evt_${randomUUID()}`,
    to,
    from: TRANSITIONS[to],
    at: new Date().toISOString(),
    ...tracking,
  });
  expect(result.outcome).toBe('applied');
  await app.wiring.queue.send('notify', { type: `shipment.${to}`, orderId });
}

/** Every message the emulator holds (all apps of this process share its store). */
export async function allSent(app: TestApp): Promise<StoredEmail[]> {
  const response = await fetch(`${app.sesUrl}/store`);
  expect(response.status).toBe(200);
  const store = (await response.json()) as { emails: StoredEmail[] };
  return store.emails;
}

/** Messages with `address` among any of their recipients. */
export async function sentTo(app: TestApp, address: string): Promise<StoredEmail[]> {
  const emails = await allSent(app);
  return emails.filter((e) =>
    [...e.destination.to, ...e.destination.cc, ...e.destination.bcc].includes(address),
  );
}

export function headerValue(email: StoredEmail, name: string): string | undefined {
  return email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

/** The token of a message's List-Unsubscribe header (checking the header's exact shape). */
export function tokenOf(app: TestApp, email: StoredEmail): string {
  const value = headerValue(email, 'List-Unsubscribe') ?? '';
  const prefix = `<${app.config.publicBaseUrl}/unsubscribe?token=`;
  expect(value.startsWith(prefix) && value.endsWith('>')).toBe(true);
  const token = value.slice(prefix.length, -1);
  expect(token).toMatch(/^[A-Za-z0-9_-]{67}$/);
  return token;
}

/** Everything a recipient could see of a message: subject, both parts and every header. */
export function visibleText(email: StoredEmail): string {
  return JSON.stringify([email.subject, email.body.text, email.body.html, email.headers, email.from]);
}

/** The canaries no email may ever carry: phone, street lines, postal code, city, region, family name. */
export function forbiddenInEmail(c: Canaries): string[] {
  return [c.phone, c.line1, c.line2, c.postalCode, c.city, c.region, c.familyName];
}
