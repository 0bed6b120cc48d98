import { describe, expect, it } from 'vitest';
import {
  countryName,
  deliveredFollowUpEmail,
  escapeHtml,
  FOOTER_HOW_TO,
  FOOTER_REASON,
  formatMoney,
  orderConfirmationEmail,
  type RenderedEmail,
  shipmentDispatchedEmail,
  unsubscribedPage,
  unsubscribeHeaders,
  unsubscribePage,
  unsubscribeUrl,
} from '../../shared/domain/email-templates.js';
import type { OrderItem } from '../../shared/domain/order.js';

const URL_ = 'https://shop.example/unsubscribe?token=AbC_-123';
const ITEMS: OrderItem[] = [
  { sku: 'JKT-LEATHER-M', name: 'Leather jacket', quantity: 1, unitPrice: 12900 },
  { sku: 'SCK-WOOL', name: 'Wool socks', quantity: 2, unitPrice: 850 },
];

/** Personal values that no email may carry, and that templates must ignore even if handed to them. */
const FORBIDDEN = {
  phone: '+442071234567',
  line1: '12 Linecanary Street',
  line2: 'Flat Line2canary',
  city: 'Citycanary',
  region: 'Regioncanary',
  postalCode: 'PCCANARY1',
  familyName: 'Familycanary',
};

function allText(email: RenderedEmail): string {
  return `${email.subject}\n${email.text}\n${email.html}`;
}

describe('email templates', () => {
  it('renders the order confirmation text part word for word', () => {
    // Prepare
    const input = {
      givenName: 'Ada',
      orderId: 'ord_01JDX0000000000000000000AB',
      items: ITEMS,
      currency: 'EUR',
      country: 'GB',
      unsubscribeUrl: URL_,
    };

    // Act
    const email = orderConfirmationEmail(input);

    // Assess
    expect(email.subject).toBe('Your order ord_01JDX0000000000000000000AB is confirmed');
    expect(email.text).toBe(
      [
        'Hello Ada,',
        '',
        'thank you for your order ord_01JDX0000000000000000000AB. We have received it and are getting it ready.',
        '',
        'Items:',
        '- 1 × Leather jacket: €129.00',
        '- 2 × Wool socks (€8.50 each): €17.00',
        'Total: €146.00',
        '',
        'Shipping to: United Kingdom',
        'For your privacy this email shows only the destination country: your full address is stored encrypted and shared only with the carrier.',
        '',
        'We will email you again when your parcel is on its way.',
        '',
        '--',
        'You are receiving this email because you placed an order with us.',
        FOOTER_HOW_TO,
        `Unsubscribe: ${URL_}`,
        '',
      ].join('\n'),
    );
  });

  it('puts the items, total, country and footer link in the HTML part', () => {
    // Prepare
    const input = {
      givenName: 'Ada',
      orderId: 'ord_X',
      items: ITEMS,
      currency: 'EUR',
      country: 'FR',
      unsubscribeUrl: URL_,
    };

    // Act
    const { html } = orderConfirmationEmail(input);

    // Assess
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<p>Hello Ada,</p>');
    expect(html).toContain(
      '<tr><td>Wool socks</td><td style="text-align:right">2</td><td style="text-align:right">€8.50</td>' +
        '<td style="text-align:right">€17.00</td></tr>',
    );
    expect(html).toContain('<strong>€146.00</strong>');
    expect(html).toContain('Shipping to: <strong>France</strong>');
    expect(html).toContain(`<p>${FOOTER_REASON.transactional}</p>`);
    expect(html).toContain(`<p>${escapeHtml(FOOTER_HOW_TO)}</p>`);
    expect(html).toContain(`<p>Unsubscribe: <a href="${URL_}">${URL_}</a></p>`);
  });

  it('escapes a hostile given name and item name in HTML and keeps them verbatim in text', () => {
    // Prepare
    const hostile = '<script>alert("x")</script>Givencanary&';
    const input = {
      givenName: hostile,
      orderId: 'ord_X',
      items: [{ sku: 'S', name: `<img src=x onerror='y'>`, quantity: 1, unitPrice: 100 }],
      currency: 'EUR',
      country: 'GB',
      unsubscribeUrl: URL_,
    };

    // Act
    const email = orderConfirmationEmail(input);
    const dispatched = shipmentDispatchedEmail({
      givenName: hostile,
      orderId: 'ord_X',
      trackingNumber: '<b>1Z</b>',
      trackingUrl: 'https://carrier.example/track?a=1&b="2"',
      unsubscribeUrl: URL_,
    });

    // Assess
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain(
      '<p>Hello &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;Givencanary&amp;,</p>',
    );
    expect(email.html).toContain('<td>&lt;img src=x onerror=&#39;y&#39;&gt;</td>');
    expect(email.text).toContain(`Hello ${hostile},`);
    expect(dispatched.html).not.toContain('<script>');
    expect(dispatched.html).toContain('Tracking number: <strong>&lt;b&gt;1Z&lt;/b&gt;</strong>');
    expect(dispatched.html).toContain(
      '<a href="https://carrier.example/track?a=1&amp;b=%222%22">Track your parcel</a>',
    );
  });

  it('never shows phone, street lines, postal code, city, region or family name, even when handed them', () => {
    // Prepare: objects with extra personal properties, as a careless caller might pass.
    const confirmation = {
      givenName: 'Ada',
      orderId: 'ord_X',
      items: ITEMS,
      currency: 'EUR',
      country: 'GB',
      unsubscribeUrl: URL_,
      ...FORBIDDEN,
    };
    const dispatched = {
      givenName: 'Ada',
      orderId: 'ord_X',
      trackingNumber: '1Z999',
      trackingUrl: 'https://carrier.example/t/1Z999',
      unsubscribeUrl: URL_,
      ...FORBIDDEN,
    };
    const followUp = { items: ITEMS, unsubscribeUrl: URL_, givenName: 'Givencanary', ...FORBIDDEN };

    // Act
    const rendered = [
      orderConfirmationEmail(confirmation),
      shipmentDispatchedEmail(dispatched),
      deliveredFollowUpEmail(followUp),
    ];

    // Assess
    for (const email of rendered) {
      const text = allText(email);
      for (const value of Object.values(FORBIDDEN)) expect(text).not.toContain(value);
    }
    expect(allText(rendered[2] as RenderedEmail)).not.toContain('Givencanary');
  });

  it('renders the dispatch email with tracking number and link', () => {
    // Prepare
    const input = {
      givenName: 'Ada',
      orderId: 'ord_X',
      trackingNumber: '1Z999AA10123456784',
      trackingUrl: 'https://carrier.example/track/1Z999AA10123456784',
      unsubscribeUrl: URL_,
    };

    // Act
    const email = shipmentDispatchedEmail(input);

    // Assess
    expect(email.subject).toBe('Your order ord_X is on its way');
    expect(email.text).toBe(
      [
        'Hello Ada,',
        '',
        'good news: your order ord_X has been handed to the carrier.',
        '',
        'Tracking number: 1Z999AA10123456784',
        'Track your parcel: https://carrier.example/track/1Z999AA10123456784',
        '',
        '--',
        FOOTER_REASON.transactional,
        FOOTER_HOW_TO,
        `Unsubscribe: ${URL_}`,
        '',
      ].join('\n'),
    );
    expect(email.html).toContain(
      '<a href="https://carrier.example/track/1Z999AA10123456784">Track your parcel</a>',
    );
  });

  it('shows no link for a non-http tracking URL and says when there is no tracking number', () => {
    // Prepare
    const base = { givenName: 'Ada', orderId: 'ord_X', unsubscribeUrl: URL_ };

    // Act
    const scripted = shipmentDispatchedEmail({
      ...base,
      trackingNumber: '1Z',
      trackingUrl: 'javascript:alert(1)',
    });
    const untracked = shipmentDispatchedEmail({ ...base, trackingNumber: null, trackingUrl: null });

    // Assess
    expect(allText(scripted)).not.toContain('javascript:');
    expect(scripted.text).toContain('Tracking number: 1Z\n\n--');
    expect(untracked.text).toContain('The carrier has not given us a tracking number yet.');
    expect(untracked.html).toContain('<p>The carrier has not given us a tracking number yet.</p>');
  });

  it('greets the promotional follow-up without a name and marks it promotional in the footer', () => {
    // Prepare
    const input = { items: ITEMS, unsubscribeUrl: URL_ };

    // Act
    const email = deliveredFollowUpEmail(input);

    // Assess
    expect(email.subject).toBe('How was your order?');
    expect(email.text).toBe(
      [
        'Hello,',
        '',
        'your parcel has been delivered. How was it?',
        '',
        'We hope you enjoy: Leather jacket, Wool socks.',
        '',
        'You may also like what is new in our shop: we add new pieces every week.',
        '',
        '--',
        'You are receiving this email because you agreed at checkout to hear from us.',
        FOOTER_HOW_TO,
        `Unsubscribe: ${URL_}`,
        '',
      ].join('\n'),
    );
    expect(email.html).toContain('<p>Hello,</p>');
    expect(email.html).toContain(`<p>${FOOTER_REASON.promotional}</p>`);
    expect(email.html).toContain(`<a href="${URL_}">`);
  });

  it('formats prices from minor units in the currency', () => {
    // Prepare
    const cases: Array<[number, string]> = [
      [12900, 'EUR'],
      [1500, 'JPY'],
      [1234, 'BHD'],
      [5, 'USD'],
      [123456789, 'GBP'],
    ];

    // Act: twice, so the second round uses the formatters the first one kept, interleaved
    const formatted = [...cases, ...cases].map(([minor, currency]) => formatMoney(minor, currency));

    // Assess
    const once = ['€129.00', '¥1,500', 'BHD\u00a01.234', '$0.05', '£1,234,567.89'];
    expect(formatted).toEqual([...once, ...once]);
  });

  it('names destination countries in English', () => {
    // Prepare
    const codes = ['GB', 'DE', 'US'];

    // Act
    const names = codes.map(countryName);

    // Assess
    expect(names).toEqual(['United Kingdom', 'Germany', 'United States']);
  });

  it('builds the unsubscribe link and the RFC 2369/8058 headers', () => {
    // Prepare
    const base = 'https://shop.example/';

    // Act
    const url = unsubscribeUrl(base, 'AbC_-123');
    const headers = unsubscribeHeaders(url);

    // Assess
    expect(url).toBe('https://shop.example/unsubscribe?token=AbC_-123');
    expect(headers).toEqual([
      { name: 'List-Unsubscribe', value: '<https://shop.example/unsubscribe?token=AbC_-123>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('renders the unsubscribe page as a form that POSTs the one-click body to the same URL', () => {
    // Prepare
    const token = 'AbC_-123';

    // Act
    const page = unsubscribePage(token);
    const done = unsubscribedPage();

    // Assess
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('<title>Unsubscribe from promotional email</title>');
    expect(page).toContain(
      '<form method="post" action="?token=AbC_-123"><input type="hidden" name="List-Unsubscribe" value="One-Click">' +
        '<button type="submit">Unsubscribe</button></form>',
    );
    expect(done).toContain('<h1>You are unsubscribed</h1>');
    expect(done).toContain('<p role="status">We will not send you promotional email any more.</p>');
  });

  it('escapes a hostile token in the page form action', () => {
    // Prepare
    const token = '"><script>x</script>';

    // Act
    const page = unsubscribePage(token);

    // Assess
    expect(page).not.toContain('<script>');
    expect(page).toContain('action="?token=%22%3E%3Cscript%3Ex%3C%2Fscript%3E"');
  });
});
