/** The local email viewer keeps what it received across restarts, like a mailbox. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type StoredEmail, startSesEmulator } from '../../local/ses-emulator.js';
import { startTestApp } from '../support/local-app.js';
import { drainNotify, emailCanaries, placeOrder } from './email-support.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('local email viewer', () => {
  it('writes every sent message to the data directory (mode 0600)', async () => {
    // Prepare
    const app = await startTestApp();
    try {
      const c = emailCanaries();
      await placeOrder(app, c);
      // Act
      await drainNotify(app);
      // Assess
      const file = join(app.dataDir, 'sent-email.json');
      const saved = JSON.parse(readFileSync(file, 'utf8')) as StoredEmail[];
      expect(saved.filter((e) => e.destination.to.includes(c.email)).map((e) => e.subject)).toEqual([
        expect.stringMatching(/^Your order ord_[0-9A-Z]{26} is confirmed$/),
      ]);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      await app.stop();
    }
  });

  it('shows the messages of earlier runs after a restart', async () => {
    // Prepare: a mailbox file from an earlier run
    const dir = mkdtempSync(join(tmpdir(), 'minimis-viewer-'));
    dirs.push(dir);
    const earlier: StoredEmail = {
      messageId: 'earlier-run-1',
      from: 'orders@shop.example',
      destination: { to: ['someone@example.com'], cc: [], bcc: [] },
      subject: 'Sent before the restart',
      body: { text: 'hello', html: '<p>hello</p>' },
      headers: [],
      at: 1_764_064_800,
    };
    writeFileSync(join(dir, 'sent-email.json'), JSON.stringify([earlier]));
    // Act
    const ses = await startSesEmulator(0, { persistFile: join(dir, 'sent-email.json') });
    try {
      const store = (await (await fetch(`${ses.url}/store`)).json()) as { emails: StoredEmail[] };
      const page = await (await fetch(ses.viewerUrl)).text();
      // Assess
      expect(store.emails.map((e) => e.messageId)).toContain('earlier-run-1');
      expect(page).toContain('Sent before the restart');
    } finally {
      await ses.stop();
    }
  });
});
