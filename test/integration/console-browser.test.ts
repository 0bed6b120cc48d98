/**
 * The local order console in a real browser (Debian chromium driven by playwright-core): after an
 * order, its page shows the ledger as a timeline — warehouse, carrier and email entries — that
 * updates while the sample carrier works, and no personal value. Plus the loopback Host rule.
 * The screenshot goes to a temporary directory (MINIMIS_SCREENSHOT_DIR to keep it), never the repo.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orderBody, personalValues } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import { emailCanaries } from './email-support.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let app: TestApp;
let browser: BrowserContext;
let profile: string;
let port: number;

beforeAll(async () => {
  app = await startTestApp({ DELIVERY_BASE_DELAY_SECONDS: '1' }, { samplePartners: true, timers: true });
  port = Number(new URL(app.apiUrl).port);
  profile = mkdtempSync(join(tmpdir(), 'minimis-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** A GET with an arbitrary Host header (fetch does not let a test set one). */
function getWithHost(path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the local order console', () => {
  it('shows the order’s ledger as a live timeline with warehouse, carrier and email entries, and no personal value', async () => {
    // Prepare
    const c = emailCanaries();
    const response = await app.post('/orders', orderBody(c), { 'idempotency-key': randomUUID() });
    expect(response.status).toBe(202);
    const { orderId } = (await response.json()) as { orderId: string };
    const page = await browser.newPage();
    // Act
    await page.goto(`${app.consoleUrl}orders/${orderId}`);
    await page.locator('#timeline li[data-lane="warehouse"]').first().waitFor({ timeout: 20_000 });
    await page.locator('#timeline li[data-lane="carrier"]').first().waitFor({ timeout: 20_000 });
    await page.locator('#timeline li[data-lane="email"]').first().waitFor({ timeout: 20_000 });
    // The sample carrier reports dispatch a few seconds later: the page follows without a reload.
    await page.locator('#status', { hasText: /dispatched|delivered/ }).waitFor({ timeout: 20_000 });
    const dir = process.env.MINIMIS_SCREENSHOT_DIR ?? mkdtempSync(join(tmpdir(), 'minimis-console-'));
    mkdirSync(dir, { recursive: true });
    const shot = join(dir, 'order-console.png');
    await page.screenshot({ path: shot, fullPage: true });
    // Assess
    const timeline = await page.locator('#timeline').innerText();
    expect(timeline).toContain('warehouse');
    expect(timeline).toContain('received pick.requested');
    expect(timeline).toContain('carrier');
    expect(timeline).toContain('received shipment.requested');
    expect(timeline).toContain('order-confirmation');
    expect(timeline).toContain('customer.givenName');
    expect(await page.locator('#verified').innerText()).toContain('chain verified');
    const html = await page.content();
    for (const value of personalValues(c)) expect(html).not.toContain(value);
    expect(existsSync(shot) && statSync(shot).size > 0).toBe(true);
    // The recent-orders page lists it and links to it.
    await page.goto(app.consoleUrl);
    expect(await page.locator(`a[href="/_local/orders/${orderId}"]`).count()).toBe(1);
    const list = await page.content();
    for (const value of personalValues(c)) expect(list).not.toContain(value);
    await page.close();
  }, 90_000);

  it('answers only a loopback Host with its port (421 otherwise)', async () => {
    // Act
    const statuses = {
      localhost: await getWithHost('/_local/', `localhost:${port}`),
      ipv4: await getWithHost('/_local/', `127.0.0.1:${port}`),
      ipv6: await getWithHost('/_local/', `[::1]:${port}`),
      rebinding: await getWithHost('/_local/', `evil.example:${port}`),
      otherPort: await getWithHost('/_local/', `localhost:${port + 1}`),
      noPort: await getWithHost('/_local/', 'localhost'),
      json: await getWithHost(
        '/_local/orders/ord_0123456789ABCDEFGHJKMNPQRS/ledger.json',
        `attacker.test:${port}`,
      ),
    };
    // Assess
    expect(statuses).toEqual({
      localhost: 200,
      ipv4: 200,
      ipv6: 200,
      rebinding: 421,
      otherPort: 421,
      noPort: 421,
      json: 421,
    });
  });
});
