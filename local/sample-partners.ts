/**
 * Built-in sample partners for local mode, mounted on the local API server at `/_sample/<id>`
 * (`/_sample/warehouse`, `/_sample/carrier`). Like real partners they:
 * - verify each webhook's Standard Webhooks signature with their own secret (401 if it fails);
 * - deduplicate on `webhook-id` (a repeated message is acknowledged and ignored);
 * - print one line per message: its type, order id and the keys it carried (not the values, so
 *   the terminal shows what each party is told without echoing the customer's data).
 * The sample carrier then reports progress like a real carrier: `shipment.dispatched` (with a
 * tracking number and URL) about 3 seconds later and `shipment.delivered` about 3 seconds after
 * that, signed with its secret and POSTed to `/partners/<id>/events`. Those timers run only when
 * `timers` is on and are cancelled by `stop()`.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { PartnerConfig } from '#shared/config.js';
import { PARTNER_ID_PATTERN } from '#shared/contracts.js';
import { signedWebhookHeaders, verifyWithAny } from '#shared/domain/partner-keyring.js';
import type { SecretStore } from '#shared/ports.js';
import type { LocalRoute } from './http-server.js';

export interface SamplePartners {
  readonly route: LocalRoute;
  stop(): Promise<void>;
}

export interface SamplePartnerOptions {
  readonly apiUrl: string;
  readonly partners: readonly PartnerConfig[];
  /** The partners' secrets (the samples know every active one, as a partner mid-rotation may). */
  readonly secrets: SecretStore;
  readonly timers: boolean;
  readonly onError: (error: unknown) => void;
  /** Where the one-line summaries go. @default console.log */
  readonly print?: (line: string) => void;
  /** Delay before each progress event of the sample carrier. @default 3000 */
  readonly progressDelayMs?: number;
}

const SAMPLE_PATH = new RegExp(`^/_sample/(${PARTNER_ID_PATTERN.source.slice(1, -1)})/?$`);
const MAX_REMEMBERED_IDS = 10_000;
const TRACKING_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** `a`, `b.c`, `items[].sku`: every key path of a JSON value, in order, without values. */
export function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) {
    const paths: string[] = [];
    for (const entry of value)
      for (const p of keyPaths(entry, `${prefix}[]`)) if (!paths.includes(p)) paths.push(p);
    return paths.length > 0 ? paths : [`${prefix}[]`];
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
      const path = prefix ? `${prefix}.${k}` : k;
      return v && typeof v === 'object' ? keyPaths(v, path) : [path];
    });
  }
  return prefix ? [prefix] : [];
}

function trackingNumber(): string {
  return `1Z${[...randomBytes(16)].map((b) => TRACKING_ALPHABET[b % TRACKING_ALPHABET.length]).join('')}`;
}

export function samplePartners(options: SamplePartnerOptions): SamplePartners {
  const print = options.print ?? ((line: string) => console.log(line));
  const delayMs = options.progressDelayMs ?? 3_000;
  const seen = new Map<string, Set<string>>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  const remember = (partnerId: string, id: string): boolean => {
    const ids = seen.get(partnerId) ?? new Set<string>();
    seen.set(partnerId, ids);
    if (ids.has(id)) return false;
    ids.add(id);
    if (ids.size > MAX_REMEMBERED_IDS) ids.delete(ids.values().next().value as string);
    return true;
  };

  const later = (ms: number, run: () => Promise<void>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (stopped) return;
      const task = run()
        .catch(options.onError)
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }, ms);
    timers.add(timer);
  };

  /** A carrier event, signed with the carrier's own secret, to the API's partner-events endpoint. */
  const report = async (partner: PartnerConfig, secret: string, event: Record<string, string>) => {
    const body = JSON.stringify(event);
    const headers = signedWebhookHeaders([secret], `evt_${randomUUID()}`, new Date(), body);
    const response = await fetch(`${options.apiUrl}/partners/${partner.id}/events`, {
      method: 'POST',
      headers,
      body,
    });
    await response.arrayBuffer();
    print(`[sample ${partner.id}] reported ${event.type} for ${event.orderId} → ${response.status}`);
  };

  const progress = (partner: PartnerConfig, secret: string, orderId: string) => {
    later(delayMs, async () => {
      const tn = trackingNumber();
      await report(partner, secret, {
        type: 'shipment.dispatched',
        orderId,
        trackingNumber: tn,
        trackingUrl: `https://carrier.example/track/${tn}`,
      });
      later(delayMs, () => report(partner, secret, { type: 'shipment.delivered', orderId }));
    });
  };

  const route: LocalRoute = async (req, body, res) => {
    const match = SAMPLE_PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    const partner = match ? options.partners.find((p) => p.id === match[1]) : undefined;
    if (!partner) return false;
    const secrets = await options.secrets.partnerSecrets(partner.id);
    const secret = secrets[0] as string;
    const label = `[sample ${partner.id}]`;
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return true;
    }
    const headers = flatHeaders(req.headers);
    let payload: Record<string, unknown>;
    try {
      verifyWithAny(secrets, body, headers);
      payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    } catch {
      print(`${label} rejected a webhook: bad or missing signature`);
      res.writeHead(401, { 'content-type': 'text/plain' }).end('bad signature');
      return true;
    }
    const orderId = typeof payload?.orderId === 'string' ? payload.orderId : '?';
    if (!remember(partner.id, headers['webhook-id'] ?? '')) {
      print(`${label} ${String(payload?.type)} ${orderId}: duplicate webhook-id, ignored`);
      res.writeHead(204).end();
      return true;
    }
    print(`${label} ${String(payload?.type)} ${orderId} keys: ${keyPaths(payload).join(', ')}`);
    res.writeHead(204).end();
    // Only a shipment request starts the parcel's progress (not, e.g., an order.redacted).
    if (
      partner.kind === 'carrier' &&
      options.timers &&
      orderId !== '?' &&
      payload?.type === 'shipment.requested'
    )
      progress(partner, secret, orderId);
    return true;
  };

  return {
    route,
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...inFlight]);
    },
  };
}
