import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FOOTER_HOW_TO, FOOTER_REASON } from '../../shared/domain/email-templates.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import {
  advance,
  allSent,
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

function expectFooter(email: StoredEmail, category: 'transactional' | 'promotional', link: string): void {
  expect(email.body.text).toContain(
    `--\n${FOOTER_REASON[category]}\n${FOOTER_HOW_TO}\nUnsubscribe: ${link}\n`,
  );
  expect(email.body.html).toContain(`<p>${FOOTER_REASON[category]}</p>`);
  expect(email.body.html).toContain(`<p>Unsubscribe: <a href="${link}">${link}</a></p>`);
}

describe('customer email through the SES emulator', () => {
  it('sends the order confirmation to the customer alone, with both parts, one-click headers and footer', async () => {
    // Prepare
    const c = emailCanaries();

    // Act
    const orderId = await placeOrder(app, c);
    await drainNotify(app);

    // Assess
    const sent = await sentTo(app, c.email);
    expect(sent).toHaveLength(1);
    const email = sent[0] as StoredEmail;
    expect(email.destination).toEqual({ to: [c.email], cc: [], bcc: [] });
    expect(email.from).toBe('orders@shop.example');
    expect(email.subject).toBe(`Your order ${orderId} is confirmed`);
    expect(email.body.text).toContain(`Hello ${c.givenName},`);
    expect(email.body.text).toContain('- 1 × Leather jacket: €129.00\nTotal: €129.00');
    expect(email.body.text).toContain('Shipping to: United Kingdom\n');
    expect(email.body.html).toContain(`<p>Hello ${c.givenName},</p>`);
    const token = tokenOf(app, email);
    const link = `${app.apiUrl}/unsubscribe?token=${token}`;
    expect(headerValue(email, 'List-Unsubscribe')).toBe(`<${link}>`);
    expect(headerValue(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expectFooter(email, 'transactional', link);
    for (const value of forbiddenInEmail(c)) expect(visibleText(email)).not.toContain(value);
  });

  it('sends the dispatch email with the carrier tracking details from the order record', async () => {
    // Prepare
    const c = emailCanaries();
    const orderId = await placeOrder(app, c);
    await drainNotify(app);

    // Act
    await advance(app, orderId, 'dispatched', {
      trackingNumber: '1Z999AA10123456784',
      trackingUrl: 'https://carrier.example/track/1Z999AA10123456784',
    });
    await drainNotify(app);

    // Assess
    const sent = await sentTo(app, c.email);
    expect(sent.map((e) => e.subject)).toEqual([
      `Your order ${orderId} is confirmed`,
      `Your order ${orderId} is on its way`,
    ]);
    const email = sent[1] as StoredEmail;
    expect(email.destination).toEqual({ to: [c.email], cc: [], bcc: [] });
    expect(email.body.text).toContain(
      'Tracking number: 1Z999AA10123456784\nTrack your parcel: https://carrier.example/track/1Z999AA10123456784\n',
    );
    expect(email.body.html).toContain(
      '<a href="https://carrier.example/track/1Z999AA10123456784">Track your parcel</a>',
    );
    expect(headerValue(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expectFooter(email, 'transactional', `${app.apiUrl}/unsubscribe?token=${tokenOf(app, email)}`);
    for (const value of forbiddenInEmail(c)) expect(visibleText(email)).not.toContain(value);
  });

  it('sends the promotional follow-up after delivery to an opted-in customer, without the given name', async () => {
    // Prepare
    const c = emailCanaries();
    const orderId = await placeOrder(app, c, { marketingOptIn: true });
    await drainNotify(app);
    await advance(app, orderId, 'dispatched', { trackingNumber: '1Z1' });
    await drainNotify(app);

    // Act
    await advance(app, orderId, 'delivered');
    await drainNotify(app);

    // Assess
    const sent = await sentTo(app, c.email);
    expect(sent.map((e) => e.subject)).toEqual([
      `Your order ${orderId} is confirmed`,
      `Your order ${orderId} is on its way`,
      'How was your order?',
    ]);
    const email = sent[2] as StoredEmail;
    expect(email.destination).toEqual({ to: [c.email], cc: [], bcc: [] });
    expect(email.body.text?.startsWith('Hello,\n')).toBe(true);
    expect(email.body.html).toContain('<p>Hello,</p>');
    expect(visibleText(email)).not.toContain(c.givenName);
    expect(headerValue(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expectFooter(email, 'promotional', `${app.apiUrl}/unsubscribe?token=${tokenOf(app, email)}`);
    for (const value of forbiddenInEmail(c)) expect(visibleText(email)).not.toContain(value);
  });

  it('never sends the promotional follow-up without an opt-in', async () => {
    // Prepare
    const c = emailCanaries();
    const orderId = await placeOrder(app, c, { marketingOptIn: false });

    // Act
    await advance(app, orderId, 'delivered');
    await drainNotify(app);

    // Assess
    const sent = await sentTo(app, c.email);
    expect(sent.map((e) => e.subject)).toEqual([`Your order ${orderId} is confirmed`]);
    const order = await app.wiring.orders.getOrder(orderId);
    expect(order?.emails).toEqual({ 'order-confirmation': { state: 'sent' } });
  });

  it('sends each email once even when its notification is delivered twice', async () => {
    // Prepare
    const c = emailCanaries();
    const orderId = await placeOrder(app, c);
    await app.wiring.queue.send('notify', { type: 'order.accepted', orderId });
    await app.wiring.queue.send('notify', { type: 'order.accepted', orderId });

    // Act
    await drainNotify(app);

    // Assess
    const sent = await sentTo(app, c.email);
    expect(sent).toHaveLength(1);
  });

  it('keeps every stored message free of phone, street, postal code and city canaries', async () => {
    // Prepare
    const c = emailCanaries();
    const orderId = await placeOrder(app, c, { marketingOptIn: true });
    await advance(app, orderId, 'dispatched', {
      trackingNumber: '1Z2',
      trackingUrl: 'https://carrier.example/t/1Z2',
    });
    await advance(app, orderId, 'delivered');

    // Act
    await drainNotify(app);
    const everything = JSON.stringify(await allSent(app));

    // Assess
    expect((await sentTo(app, c.email)).length).toBe(3);
    for (const value of forbiddenInEmail(c)) expect(everything).not.toContain(value);
  });

  it('shows sent messages with their headers on the email viewer page', async () => {
    // Prepare
    const c = emailCanaries();
    const orderId = await placeOrder(app, c);
    await drainNotify(app);

    // Act
    const response = await fetch(app.emailViewerUrl ?? '');
    const page = await response.text();

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page).toContain(`<h2>Your order ${orderId} is confirmed</h2>`);
    expect(page).toContain(
      '<tr><th scope="row">List-Unsubscribe-Post</th><td>List-Unsubscribe=One-Click</td></tr>',
    );
  });
});
