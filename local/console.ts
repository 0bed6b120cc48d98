/**
 * The local order console (api.md, "Local mode only: the order console"), mounted by the local
 * runner at `/_local/` and never deployed:
 * - `GET /_local/`: recent orders (id, time, status, deliveries);
 * - `GET /_local/orders/{orderId}`: the order's status and its disclosure ledger as a timeline,
 *   kept live by polling `GET /_local/orders/{orderId}/ledger.json` (the page's own script,
 *   `GET /_local/console.js`).
 * It shows no personal value: the order record is non-personal and ledger entries hold ids, names
 * and field paths only. It answers only requests whose Host is a loopback name with the server's
 * port (421 otherwise), so a page on another site cannot read it through DNS rebinding.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '#shared/contracts.js';
import { escapeHtml } from '#shared/domain/email-templates.js';
import { isOrderId } from '#shared/domain/ids.js';
import type { LedgerEntry } from '#shared/domain/ledger.js';
import { auditOrder } from '#shared/usecases/audit-order.js';
import type { Wiring } from '#shared/wiring.js';
import type { LocalRoute } from './http-server.js';
import { isLoopbackHost } from './loopback-host.js';

export interface ConsoleOptions {
  readonly wiring: Wiring;
  /** The port the API server listens on (a Host header must name it). */
  readonly port: () => number;
  /** The email viewer, linked from the pages. */
  readonly emailViewerUrl?: string;
}

const RECENT = 25;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, ...SECURITY_HEADERS });
  res.end(body);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px auto;max-width:62rem;padding:0 16px;color:#1b1f24}
header{display:flex;align-items:baseline;gap:16px;border-bottom:1px solid #ddd;margin-bottom:16px}
header nav a{margin-right:12px}h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eee;font-size:.95rem}
code{font-size:.85rem}.pill{display:inline-block;padding:1px 8px;border-radius:10px;background:#eef;font-size:.85rem}
.status{font-size:1.1rem}ol.timeline{list-style:none;padding:0;border-left:3px solid #ccd;margin-left:8px}
ol.timeline li{position:relative;margin:0 0 14px 0;padding-left:18px}
ol.timeline li::before{content:"";position:absolute;left:-8px;top:5px;width:12px;height:12px;border-radius:50%;background:#88a}
ol.timeline li.warehouse::before{background:#c80}ol.timeline li.carrier::before{background:#07a}
ol.timeline li.email::before{background:#2a2}ol.timeline li.operator::before{background:#a22}
.who{font-weight:600}.when{color:#667;font-size:.85rem}.fields{color:#445;font-size:.85rem}
.ok{color:#176f2c}.bad{color:#b00020;font-weight:600}footer{margin-top:32px;color:#667;font-size:.85rem}`;

function page(title: string, body: string, options: ConsoleOptions, script = false): string {
  const viewer = options.emailViewerUrl
    ? `<a href="${escapeHtml(options.emailViewerUrl)}">Email viewer</a>`
    : '';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
    `<title>${escapeHtml(title)} · minimis local console</title><style>${STYLE}</style></head><body>` +
    `<header><h1>minimis · local console</h1><nav><a href="/_local/">Recent orders</a>${viewer}` +
    `<a href="/openapi.json">OpenAPI</a></nav></header>${body}` +
    '<footer>Local mode only; never deployed. Shows no personal value: order records are non-personal and the ledger holds ids and field paths only.</footer>' +
    `${script ? '<script src="/_local/console.js"></script>' : ''}</body></html>`
  );
}

interface OrderSummary {
  readonly orderId: string;
  readonly createdAt: string;
  readonly status: string;
  readonly deliveries: Record<string, { state: string }>;
}

async function recentOrders(w: Wiring): Promise<OrderSummary[]> {
  const out: OrderSummary[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const pageOf = await w.db.send(
      new ScanCommand({
        TableName: w.config.tableName,
        FilterExpression: 'begins_with(pk, :order)',
        ProjectionExpression: 'orderId, createdAt, #s, deliveries',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':order': keys.order('') },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of pageOf.Items ?? []) out.push(item as OrderSummary);
    start = pageOf.LastEvaluatedKey;
  } while (start);
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, RECENT);
}

function ordersPage(orders: readonly OrderSummary[], options: ConsoleOptions): string {
  const rows = orders
    .map((o) => {
      const deliveries = Object.entries(o.deliveries ?? {})
        .map(([p, d]) => `${escapeHtml(p)}: ${escapeHtml(d.state)}`)
        .join(', ');
      return `<tr><td><a href="/_local/orders/${escapeHtml(o.orderId)}"><code>${escapeHtml(o.orderId)}</code></a></td><td>${escapeHtml(o.createdAt)}</td><td><span class="pill">${escapeHtml(o.status)}</span></td><td>${deliveries}</td></tr>`;
    })
    .join('');
  return page(
    'Recent orders',
    `<h2>Recent orders</h2>${
      rows
        ? `<table><thead><tr><th>Order</th><th>Placed</th><th>Status</th><th>Deliveries</th></tr></thead><tbody>${rows}</tbody></table>`
        : '<p>No order yet. Place one with <code>curl -X POST …/orders</code> (see the startup banner).</p>'
    }`,
    options,
  );
}

function orderPage(orderId: string, options: ConsoleOptions): string {
  return page(
    orderId,
    `<h2>Order <code id="order-id">${escapeHtml(orderId)}</code></h2>` +
      '<p class="status">Status: <span id="status" class="pill">…</span> <span id="tracking"></span></p>' +
      '<p>Deliveries: <span id="deliveries">…</span></p>' +
      '<h3>Who saw what <span id="verified"></span></h3>' +
      '<ol id="timeline" class="timeline" aria-live="polite"></ol>' +
      '<p class="when">Updates live while the sample carrier works. <code>minimis audit --order ' +
      `${escapeHtml(orderId)}</code> verifies the same ledger.</p>`,
    options,
    true,
  );
}

/** A timeline line: who, what, when and which fields (paths) — never a value. */
export interface TimelineItem {
  readonly seq: number;
  readonly at: string;
  readonly lane: 'warehouse' | 'carrier' | 'email' | 'operator' | 'system';
  readonly who: string;
  readonly what: string;
  readonly fields: readonly string[];
  readonly ref: string | null;
}

function lane(recipient: string, w: Wiring): TimelineItem['lane'] {
  const kind = w.config.partners.find((p) => p.id === recipient)?.kind;
  return kind ?? 'system';
}

export function timelineItem(e: LedgerEntry, w: Wiring): TimelineItem {
  const base = { seq: e.seq, at: e.at, fields: [] as readonly string[], ref: null as string | null };
  switch (e.type) {
    case 'purpose-opened':
      return { ...base, lane: 'system', who: e.by, what: `opened purpose “${e.purpose}”` };
    case 'sending':
      return {
        ...base,
        lane: lane(e.recipient, w),
        who: e.recipient,
        what: `sending ${e.messageType} (may hold these fields from now on)`,
        fields: e.fields,
        ref: e.webhookId,
      };
    case 'sent':
      return {
        ...base,
        lane: lane(e.recipient, w),
        who: e.recipient,
        what: `received ${e.messageType}${e.failure ? ` — not acknowledged (${e.failure})` : ''}`,
        fields: e.fields,
        ref: e.webhookId,
      };
    case 'acknowledged':
      return {
        ...base,
        lane: lane(e.recipient, w),
        who: e.recipient,
        what: `acknowledged ${e.messageType} (${e.status})`,
        ref: e.webhookId,
      };
    case 'email-sent':
      return {
        ...base,
        lane: 'email',
        who: e.recipient,
        what: `email “${e.template}”`,
        fields: e.fields,
        ref: e.messageId,
      };
    case 'exported':
      return { ...base, lane: 'operator', who: e.principal, what: `exported (${e.purposes.join(', ')})` };
    case 'erased':
      return {
        ...base,
        lane: 'operator',
        who: e.principal,
        what: `erased the personal data (${e.certificate})`,
      };
    case 'redaction-requested':
      return {
        ...base,
        lane: 'operator',
        who: e.principal,
        what: `asked ${e.recipient} to delete it (order.redacted)`,
        ref: e.webhookId,
      };
  }
}

async function ledgerJson(w: Wiring, orderId: string): Promise<unknown | undefined> {
  const audit = await auditOrder({ orders: w.orders, ledger: w.ledger, ledgerMac: w.ledgerKey.mac }, orderId);
  if (!audit) return undefined;
  const { order, ledger, verification } = audit;
  return {
    orderId,
    status: order.status,
    trackingNumber: order.trackingNumber,
    deliveries: Object.entries(order.deliveries).map(([partner, d]) => ({ partner, state: d.state })),
    verified: verification.ok,
    timeline: ledger.entries.map((e) => timelineItem(e, w)),
  };
}

/** The page script: polls the JSON endpoint and renders with textContent only (no HTML from data). */
const SCRIPT = `(() => {
  const id = document.getElementById('order-id').textContent;
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  let last = '';
  async function refresh() {
    try {
      const res = await fetch('/_local/orders/' + encodeURIComponent(id) + '/ledger.json', { cache: 'no-store' });
      if (!res.ok) return;
      const text = await res.text();
      if (text === last) return;
      last = text;
      const data = JSON.parse(text);
      document.getElementById('status').textContent = data.status;
      document.getElementById('tracking').textContent = data.trackingNumber ? 'tracking ' + data.trackingNumber : '';
      document.getElementById('deliveries').textContent = data.deliveries.map((d) => d.partner + ': ' + d.state).join(', ') || 'none';
      const v = document.getElementById('verified');
      v.textContent = data.verified ? '✓ chain verified' : '✗ chain does NOT verify';
      v.className = data.verified ? 'ok' : 'bad';
      const list = document.getElementById('timeline');
      list.replaceChildren(...data.timeline.map((t) => {
        const li = el('li', t.lane);
        li.dataset.lane = t.lane;
        li.append(el('span', 'when', t.at.replace('T', ' ').replace('Z', ' UTC') + ' · #' + t.seq), el('br'));
        li.append(el('span', 'who', t.who), document.createTextNode(' ' + t.what));
        if (t.fields.length) li.append(el('br'), el('span', 'fields', 'fields: ' + t.fields.join(', ')));
        if (t.ref) li.append(el('br'), el('code', 'when', t.ref));
        return li;
      }));
      if (data.timeline.length === 0) list.append(el('li', '', 'Nothing disclosed yet.'));
    } catch {}
  }
  refresh();
  setInterval(refresh, 1000);
})();`;

const ORDER_PATH = /^\/_local\/orders\/([^/]+)(\/ledger\.json)?$/;

export function orderConsole(options: ConsoleOptions): LocalRoute {
  return async (req: IncomingMessage, _body: Buffer, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path !== '/_local' && !path.startsWith('/_local/')) return false;
    // The server refuses non-loopback Hosts under /_local/ already (loopback-host.ts); kept here
    // too, so the console stays loopback-only wherever it is mounted.
    if (!isLoopbackHost(req.headers.host, options.port())) {
      send(
        res,
        421,
        'text/plain; charset=utf-8',
        'Misdirected request: the local console answers only on localhost.\n',
      );
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', ...SECURITY_HEADERS }).end();
      return true;
    }
    const w = options.wiring;
    if (path === '/_local' || path === '/_local/') {
      send(res, 200, 'text/html; charset=utf-8', ordersPage(await recentOrders(w), options));
      return true;
    }
    if (path === '/_local/console.js') {
      send(res, 200, 'text/javascript; charset=utf-8', SCRIPT);
      return true;
    }
    const match = ORDER_PATH.exec(path);
    const orderId = match?.[1] ?? '';
    if (!match || !isOrderId(orderId)) {
      send(
        res,
        404,
        'text/html; charset=utf-8',
        page('Not found', '<h2>Not found</h2><p>No such page.</p>', options),
      );
      return true;
    }
    const data = await ledgerJson(w, orderId);
    if (!data) {
      send(
        res,
        404,
        match[2] ? 'application/json' : 'text/html; charset=utf-8',
        match[2] ? '{"error":"no such order"}' : page('Not found', '<h2>No such order</h2>', options),
      );
      return true;
    }
    if (match[2]) send(res, 200, 'application/json', JSON.stringify(data));
    else send(res, 200, 'text/html; charset=utf-8', orderPage(orderId, options));
    return true;
  };
}
