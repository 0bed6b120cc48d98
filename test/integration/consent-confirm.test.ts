/**
 * Confirmed re-opt-in over HTTP in local mode (email.md, "A person's word is final"): a stranger's
 * checkout opt-in for an unsubscribed address sends one consent confirmation through the SES
 * emulator and no promotional mail; GET /consent/confirm shows a page and changes nothing; only
 * its POST lifts the suppression; bad, used or expired links are 400 (problem+json for API
 * clients, a page for a browser) and change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerRecord, SuppressionRecord } from '../../shared/domain/consent.js';
import { CONSENT_CONFIRMATION_SUBJECT } from '../../shared/domain/email-templates.js';
import type { Canaries } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import {
  advance,
  drainNotify,
  emailCanaries,
  forbiddenInEmail,
  headerValue,
  placeOrder,
  type StoredEmail,
  sentTo,
  tokenOf,
  visibleText,
} from './email-support.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app.stop();
});

const FOLLOW_UP = 'How was your order?';

async function consentState(
  email: string,
): Promise<{ customer?: CustomerRecord; suppression?: SuppressionRecord }> {
  const emailKey = await app.wiring.lookup.emailKey(email);
  const [customer, suppression] = await Promise.all([
    app.wiring.consent.getCustomer(emailKey),
    app.wiring.consent.getSuppression(emailKey),
  ]);
  return { ...(customer ? { customer } : {}), ...(suppression ? { suppression } : {}) };
}

const subjects = async (c: Canaries) => (await sentTo(app, c.email)).map((e) => e.subject);

/** The owner opts in, then unsubscribes with the link of their confirmation email. */
async function unsubscribedOwner(): Promise<Canaries> {
  const c = emailCanaries();
  const orderId = await placeOrder(app, c, { marketingOptIn: true });
  await drainNotify(app);
  const confirmation = (await sentTo(app, c.email)).find(
    (e) => e.subject === `Your order ${orderId} is confirmed`,
  );
  if (!confirmation) throw new Error('no order confirmation');
  const response = await fetch(`${app.apiUrl}/unsubscribe?token=${tokenOf(app, confirmation)}`, {
    method: 'POST',
    body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }),
  });
  expect(response.status).toBe(200);
  return c;
}

function confirmLink(email: StoredEmail): string {
  const match = /https?:\/\/\S+\/consent\/confirm\?token=([A-Za-z0-9_-]+)/.exec(email.body.text ?? '');
  if (!match?.[1]) throw new Error('no confirmation link');
  expect(match[0].startsWith(`${app.config.publicBaseUrl}/consent/confirm?token=`)).toBe(true);
  return match[1];
}

/** A stranger's checkout with the owner's address and an opt-in; returns the confirmation token. */
async function strangersOptIn(c: Canaries): Promise<{ orderId: string; token: string }> {
  const orderId = await placeOrder(app, c, { marketingOptIn: true });
  await drainNotify(app);
  const confirmations = (await sentTo(app, c.email)).filter(
    (e) => e.subject === CONSENT_CONFIRMATION_SUBJECT,
  );
  expect(confirmations).toHaveLength(1);
  const [email] = confirmations as [StoredEmail];
  return { orderId, token: confirmLink(email) };
}

const confirmUrl = (token: string) => `${app.apiUrl}/consent/confirm?token=${encodeURIComponent(token)}`;

describe('confirmed re-opt-in over HTTP', () => {
  it("a stranger's opt-in after an unsubscribe: no promotion until the owner POSTs the link", async () => {
    // Prepare
    const c = await unsubscribedOwner();
    const { orderId, token } = await strangersOptIn(c);
    // Act: the order is delivered before anyone confirms
    await advance(app, orderId, 'delivered');
    await drainNotify(app);
    const beforeConfirm = (await subjects(c)).filter((s) => s === FOLLOW_UP);
    const page = await fetch(confirmUrl(token));
    const pageText = await page.text();
    const confirmed = await fetch(confirmUrl(token), {
      method: 'POST',
      headers: { accept: 'application/json' },
    });
    const body = await confirmed.json();
    // a later delivered order now gets its follow-up
    const next = await placeOrder(app, c, { marketingOptIn: false });
    await drainNotify(app);
    await advance(app, next, 'delivered');
    await drainNotify(app);
    // Assess
    expect(beforeConfirm).toEqual([]);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(pageText).toContain('<form method="post"');
    expect(confirmed.status).toBe(200);
    expect(body).toEqual({ status: 'confirmed' });
    expect((await subjects(c)).filter((s) => s === FOLLOW_UP)).toHaveLength(1);
  });

  it('the confirmation email has the unsubscribe headers and footer, and no personal detail beyond the address', async () => {
    // Prepare
    const c = await unsubscribedOwner();
    await strangersOptIn(c);
    // Act
    const email = (await sentTo(app, c.email)).find((e) => e.subject === CONSENT_CONFIRMATION_SUBJECT);
    // Assess
    if (!email) throw new Error('no confirmation email');
    expect(headerValue(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    tokenOf(app, email);
    expect(email.body.text).toContain('How to unsubscribe');
    for (const value of [...forbiddenInEmail(c), c.givenName])
      expect(visibleText(email)).not.toContain(value);
  });

  it('GET changes nothing; a bad or used link is 400: problem+json for API clients, a page for a browser', async () => {
    // Prepare
    const c = await unsubscribedOwner();
    const { token } = await strangersOptIn(c);
    const pending = await consentState(c.email);
    const bytes = Buffer.from(token, 'base64url');
    bytes[5] = (bytes[5] ?? 0) ^ 0x01;
    const tampered = bytes.toString('base64url');
    // Act
    const get = await fetch(confirmUrl(token));
    const afterGet = await consentState(c.email);
    const badApi = await fetch(confirmUrl(tampered), { method: 'POST' });
    const badBrowser = await fetch(confirmUrl(tampered), {
      method: 'POST',
      headers: { accept: 'text/html' },
    });
    const badGet = await fetch(confirmUrl(tampered), { headers: { accept: 'text/html' } });
    const afterBad = await consentState(c.email);
    const first = await fetch(confirmUrl(token), { method: 'POST', headers: { accept: 'text/html' } });
    const confirmed = await consentState(c.email);
    const again = await fetch(confirmUrl(token), { method: 'POST' });
    // Assess
    expect(get.status).toBe(200);
    expect(afterGet).toEqual(pending);
    expect(badApi.status).toBe(400);
    expect(badApi.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await badApi.json()).toMatchObject({
      status: 400,
      type: expect.stringContaining('consent-token'),
    });
    expect(badBrowser.status).toBe(400);
    expect(badBrowser.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await badBrowser.text()).toContain('This confirmation link does not work');
    expect(badGet.status).toBe(400);
    expect(afterBad).toEqual(pending);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('Thank you: confirmed');
    expect(again.status).toBe(400);
    expect(await consentState(c.email)).toEqual(confirmed);
    expect(confirmed.customer?.consent.map((e) => e.status ?? 'effective')).toEqual([
      'effective',
      'effective',
      'unconfirmed',
      'confirmed',
    ]);
  });
});
