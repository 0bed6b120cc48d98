import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerRecord, SuppressionRecord } from '../../shared/domain/consent.js';
import { CONSENT_CONFIRMATION_SUBJECT } from '../../shared/domain/email-templates.js';
import type { Canaries } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { rawTableText } from '../support/raw-table.js';
import { advance, drainNotify, emailCanaries, placeOrder, sentTo, tokenOf } from './email-support.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app.stop();
});

/** Places an order and returns it with the unsubscribe token of its confirmation email. */
async function orderWithToken(
  c: Canaries,
  marketingOptIn: boolean,
): Promise<{ orderId: string; token: string }> {
  const orderId = await placeOrder(app, c, { marketingOptIn });
  await drainNotify(app);
  const confirmation = (await sentTo(app, c.email)).find(
    (e) => e.subject === `Your order ${orderId} is confirmed`,
  );
  if (!confirmation) throw new Error('no confirmation email');
  return { orderId, token: tokenOf(app, confirmation) };
}

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

const oneClickForm = () => new URLSearchParams({ 'List-Unsubscribe': 'One-Click' });
const oneClickMultipart = () => {
  const form = new FormData();
  form.append('List-Unsubscribe', 'One-Click');
  return form;
};

function post(
  token: string,
  body: URLSearchParams | FormData | string,
  headers: Record<string, string> = {},
) {
  return fetch(`${app.apiUrl}/unsubscribe?token=${encodeURIComponent(token)}`, {
    method: 'POST',
    body,
    headers,
  });
}

function tamper(token: string): string {
  const bytes = Buffer.from(token, 'base64url');
  bytes[10] = (bytes[10] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

describe('unsubscribe over HTTP', () => {
  it('GET shows a page whose form POSTs the one-click body, and changes nothing', async () => {
    // Prepare
    const c = emailCanaries();
    const { token } = await orderWithToken(c, true);
    const before = await consentState(c.email);

    // Act
    const response = await fetch(`${app.apiUrl}/unsubscribe?token=${token}`);
    const page = await response.text();

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page).toContain(
      `<form method="post" action="?token=${token}"><input type="hidden" name="List-Unsubscribe" value="One-Click">`,
    );
    expect(await consentState(c.email)).toEqual(before);
    expect(before.customer?.consent.map((e) => e.granted)).toEqual([true]);
    expect(before.suppression).toBeUndefined();
  });

  it('one-click POST (form-urlencoded) stops the follow-up of an earlier order while its transactional mail still goes', async () => {
    // Prepare
    const c = emailCanaries();
    const { orderId, token } = await orderWithToken(c, true);

    // Act
    const response = await post(token, oneClickForm());
    await advance(app, orderId, 'dispatched', { trackingNumber: '1Z3' });
    await drainNotify(app);
    await advance(app, orderId, 'delivered');
    await drainNotify(app);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ status: 'unsubscribed' });
    const subjects = (await sentTo(app, c.email)).map((e) => e.subject);
    expect(subjects).toEqual([`Your order ${orderId} is confirmed`, `Your order ${orderId} is on its way`]);
    const { customer, suppression } = await consentState(c.email);
    const emailKey = await app.wiring.lookup.emailKey(c.email);
    expect(customer?.marketing).toBeUndefined();
    expect(customer?.consent).toHaveLength(2);
    expect(customer?.consent[1]).toEqual({
      granted: false,
      at: suppression?.at,
      source: 'unsubscribe-link',
      policyVersion: '2026-11-01',
    });
    expect(suppression).toEqual({ emailKey, reason: 'unsubscribe', at: customer?.consent[1]?.at });
  });

  it('one-click POST as multipart/form-data works too, and a browser gets an HTML confirmation', async () => {
    // Prepare
    const c = emailCanaries();
    const { orderId, token } = await orderWithToken(c, true);

    // Act
    const response = await post(token, oneClickMultipart(), {
      accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
    });
    await advance(app, orderId, 'delivered');
    await drainNotify(app);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain('<h1>You are unsubscribed</h1>');
    expect((await sentTo(app, c.email)).map((e) => e.subject)).toEqual([
      `Your order ${orderId} is confirmed`,
    ]);
    expect((await consentState(c.email)).suppression?.reason).toBe('unsubscribe');
  });

  it('repeating the POST answers 200 and changes nothing', async () => {
    // Prepare
    const c = emailCanaries();
    const { token } = await orderWithToken(c, true);
    await post(token, oneClickForm());
    const before = await consentState(c.email);

    // Act
    const again = await post(token, oneClickMultipart());

    // Assess
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'unsubscribed' });
    expect(await consentState(c.email)).toEqual(before);
  });

  it('a tampered, malformed or missing token is a 400 problem on GET and POST, and nothing changes', async () => {
    // Prepare
    const c = emailCanaries();
    const { token } = await orderWithToken(c, true);
    const before = await consentState(c.email);
    const bad = [tamper(token), token.slice(0, 66), 'x'];

    // Act
    const responses = [
      ...(await Promise.all(bad.map((t) => fetch(`${app.apiUrl}/unsubscribe?token=${t}`)))),
      ...(await Promise.all(bad.map((t) => post(t, oneClickForm())))),
      await fetch(`${app.apiUrl}/unsubscribe`),
      await fetch(`${app.apiUrl}/unsubscribe`, { method: 'POST', body: oneClickForm() }),
    ];

    // Assess
    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(((await response.json()) as { type: string }).type).toBe(
        'https://minimis.dev/problems/unsubscribe-token',
      );
    }
    expect(await consentState(c.email)).toEqual(before);
  });

  it('a person following a broken link in a browser gets an HTML page saying what to do, not JSON', async () => {
    // Prepare
    const c = emailCanaries();
    const { token } = await orderWithToken(c, true);
    // Act
    const response = await fetch(`${app.apiUrl}/unsubscribe?token=${tamper(token)}`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    expect(page).toContain('<h1>This unsubscribe link does not work</h1>');
    expect(page).toContain('Nothing was changed.');
  });

  it('a POST without the one-click body or with another media type changes nothing', async () => {
    // Prepare
    const c = emailCanaries();
    const { token } = await orderWithToken(c, true);
    const before = await consentState(c.email);

    // Act
    const wrongBody = await post(token, new URLSearchParams({ 'List-Unsubscribe': 'Yes' }));
    const json = await post(token, '{"List-Unsubscribe":"One-Click"}', {
      'content-type': 'application/json',
    });

    // Assess
    expect(wrongBody.status).toBe(400);
    expect(((await wrongBody.json()) as { type: string }).type).toBe(
      'https://minimis.dev/problems/unsubscribe-body',
    );
    expect(json.status).toBe(415);
    expect(await consentState(c.email)).toEqual(before);
  });

  it('a later checkout opt-in does not undo the unsubscribe: no follow-up, one confirmation request', async () => {
    // Prepare
    const c = emailCanaries();
    const first = await orderWithToken(c, true);
    await post(first.token, oneClickForm());

    // Act
    const second = await orderWithToken(c, true);
    await advance(app, second.orderId, 'delivered');
    await drainNotify(app);

    // Assess
    const subjects = (await sentTo(app, c.email)).map((e) => e.subject);
    expect(subjects).toEqual([
      `Your order ${first.orderId} is confirmed`,
      `Your order ${second.orderId} is confirmed`,
      CONSENT_CONFIRMATION_SUBJECT,
    ]);
    expect(
      (await consentState(c.email)).customer?.consent.map((e) => [
        e.granted,
        e.source,
        e.status ?? 'effective',
      ]),
    ).toEqual([
      [true, 'checkout', 'effective'],
      [false, 'unsubscribe-link', 'effective'],
      [true, 'checkout', 'unconfirmed'],
    ]);
  });

  it('stores the suppression under the keyed hash only: no plain address or plain hash anywhere in the table', async () => {
    // Prepare
    const c = emailCanaries();
    const { token } = await orderWithToken(c, true);
    await post(token, oneClickForm());
    const emailKey = await app.wiring.lookup.emailKey(c.email);

    // Act
    const raw = await rawTableText(app.dynamoUrl, app.config.tableName);

    // Assess
    expect(raw).toContain(`SUPPRESS#${emailKey}`);
    expect(raw.toLowerCase()).not.toContain(c.email.toLowerCase());
    expect(raw).not.toContain(c.email.split('@')[0] ?? c.email);
    for (const algorithm of ['sha256', 'sha1', 'md5']) {
      const digest = createHash(algorithm).update(c.email).digest();
      for (const encoding of ['hex', 'base64', 'base64url'] as const) {
        expect(raw).not.toContain(digest.toString(encoding));
      }
      expect(raw).not.toContain(digest.toString('hex').toUpperCase());
    }
  });
});
