/**
 * Embedded SES v2 emulator for local mode: `aws-ses-v2-local`, started in-process on 127.0.0.1.
 *
 * - `url`: the SES endpoint (`AWS_ENDPOINT_URL_SESV2`); SESv2 SendEmail with Content.Simple and
 *   Headers is stored in memory.
 * - `viewerUrl`: `/messages`, a page served next to the emulator's own live inbox (`/`) that lists
 *   every sent message with its headers (List-Unsubscribe …), text part and HTML part.
 * - `GET /store` (the emulator's own): every message as JSON — `{ emails: [{ messageId, from,
 *   destination: { to, cc, bcc }, subject, body: { text, html }, headers: [{ name, value }], at }] }`.
 *   Tests read sent mail back from here.
 *
 * Every request whose Host is not `127.0.0.1`, `localhost` or `[::1]` with this port is 421
 * (`refuseUnlessLoopback`, against DNS rebinding).
 *
 * The emulator keeps its messages in module state, shared by every instance in the process.
 */

import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import sesLocalModule from 'aws-ses-v2-local';
import { escapeHtml } from '#shared/domain/email-templates.js';
import { refuseUnlessLoopback } from './loopback-host.js';

export interface EmbeddedSes {
  readonly url: string;
  readonly viewerUrl: string;
  stop(): Promise<void>;
}

/** A message as the emulator's store holds it (the fields this module and tests read). */
export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: string[]; readonly cc: string[]; readonly bcc: string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** Epoch seconds. */
  readonly at: number;
}

type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;

// A CommonJS package: under ESM its default import is `module.exports`, whose `default` is the starter.
const sesLocal = sesLocalModule as unknown as StartServer | { default: StartServer };
const startServer: StartServer = typeof sesLocal === 'function' ? sesLocal : sesLocal.default;
const require = createRequire(import.meta.url);
const store = require('aws-ses-v2-local/dist/store.js') as { getStoreReadonly(): { emails: StoredEmail[] } };

function messagesPage(consoleUrl: string | undefined): string {
  const emails = [...store.getStoreReadonly().emails].reverse();
  const items = emails.map((e) => {
    const headerRows = [
      ['From', e.from],
      ['To', e.destination.to.join(', ')],
      ...(e.destination.cc.length ? [['Cc', e.destination.cc.join(', ')]] : []),
      ['Subject', e.subject],
      ['Date', new Date(e.at * 1000).toISOString()],
      ...(e.headers ?? []).map((h) => [h.name, h.value]),
    ]
      .map(
        ([name, value]) =>
          `<tr><th scope="row">${escapeHtml(name ?? '')}</th><td>${escapeHtml(value ?? '')}</td></tr>`,
      )
      .join('');
    const text = e.body.text ? `<h3>Text part</h3><pre>${escapeHtml(e.body.text)}</pre>` : '';
    const html = e.body.html
      ? `<h3>HTML part</h3><iframe title="HTML part of ${escapeHtml(e.messageId)}" sandbox srcdoc="${escapeHtml(e.body.html)}"></iframe>`
      : '';
    return `<article><h2>${escapeHtml(e.subject)}</h2><table>${headerRows}</table>${text}${html}</article>`;
  });
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sent email (local SES)</title>' +
    '<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:60rem}article{border:1px solid #ccc;' +
    'border-radius:6px;padding:12px 16px;margin:16px 0}th{text-align:left;padding-right:12px;vertical-align:top}' +
    'td{word-break:break-all}pre{white-space:pre-wrap;background:#f6f6f6;padding:8px}iframe{width:100%;height:420px;' +
    'border:1px solid #ddd}</style></head><body><h1>Sent email (local SES)</h1>' +
    `<p>${emails.length} message(s), newest first. Reload to refresh. ` +
    'Live inbox: <a href="/">/</a>; JSON: <a href="/store">/store</a>.' +
    (consoleUrl
      ? ` Who saw what per order: the <a href="${escapeHtml(consoleUrl)}">order console</a>.`
      : '') +
    '</p>' +
    `${items.join('') || '<p>No email sent yet.</p>'}</body></html>`
  );
}

/**
 * Keeps the sent messages across restarts in `file` (mode 0600): the emulator plays the
 * customers' mailboxes, and a mailbox does not forget what it received.
 */
function persistTo(file: string): () => void {
  if (existsSync(file))
    store.getStoreReadonly().emails.unshift(...(JSON.parse(readFileSync(file, 'utf8')) as StoredEmail[]));
  let inFile: StoredEmail[] | undefined; // the list the file holds a copy of (cleared: another list)
  let written = 0;
  let size = 0;
  return () => {
    const emails = store.getStoreReadonly().emails;
    if (inFile !== emails || emails.length < written) {
      inFile = emails;
      mkdirSync(dirname(file), { recursive: true });
      const text = JSON.stringify(emails);
      writeFileSync(file, text, { mode: 0o600 });
      chmodSync(file, 0o600);
      written = emails.length;
      size = Buffer.byteLength(text);
      return;
    }
    // Append the new messages in place of the closing bracket: the file stays one JSON array,
    // and a send costs its own bytes, not a rewrite of the whole mailbox.
    const added = emails.slice(written).map((e) => JSON.stringify(e));
    if (added.length === 0) return;
    const tail = Buffer.from(`${written === 0 ? '' : ','}${added.join(',')}]`);
    const fd = openSync(file, 'r+');
    try {
      writeSync(fd, tail, 0, tail.length, size - 1);
    } finally {
      closeSync(fd);
    }
    written = emails.length;
    size += tail.length - 1;
  };
}

/** Serves `/messages` ourselves and hands every other request to the emulator's own app. */
function withMessagesPage(server: Server, afterSend: () => void, consoleUrl: () => string | undefined): void {
  const [app] = server.listeners('request') as RequestListener[];
  if (!app) throw new Error('SES emulator has no request handler');
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Every page here shows customers' mail: only for a loopback Host (no DNS rebinding).
    if (refuseUnlessLoopback(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/messages') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(messagesPage(consoleUrl()));
      return;
    }
    if (req.method === 'POST') res.once('finish', afterSend);
    app(req, res);
  });
}

/** Starts the emulator on 127.0.0.1:`port` (0 picks a free port); the returned url has the bound port. */
export async function startSesEmulator(
  port: number,
  options: { persistFile?: string; consoleUrl?: () => string | undefined } = {},
): Promise<EmbeddedSes> {
  const server = await startServer({ host: '127.0.0.1', port });
  if (!server.listening) {
    server.close();
    throw new Error(`SES emulator could not listen on 127.0.0.1:${port} (is SES_PORT in use?)`);
  }
  withMessagesPage(
    server,
    options.persistFile ? persistTo(options.persistFile) : () => {},
    options.consoleUrl ?? (() => undefined),
  );
  const bound = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${bound}`;
  return {
    url,
    viewerUrl: `${url}/messages`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
