/**
 * Operating partner endpoints end to end in local mode (partners.md): secret rotation (keyring
 * files in the data directory, changed by the CLI while the pipeline runs), replay with the
 * original webhook-id, and 410 Gone (disable, hold, enable). Partners are stand-ins on loopback
 * ports; their secrets are not fixed by the environment, so they can be rotated.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookId } from '#shared/usecases/deliver-to-partner.js';
import type { CliIo } from '../../cli/io.js';
import { runCli } from '../../cli/run.js';
import { verifyMinimisWebhook } from '../../docs/partners/verify-webhook.js';
import { canaries, orderBody } from '../support/canaries.js';
import { startTestApp, type TestApp } from '../support/local-app.js';
import {
  deliveryState,
  type OrderView,
  type PartnerStandIn,
  type ReceivedWebhook,
  startPartnerStandIn,
  waitFor,
} from './partners-standin.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let app: TestApp;
let warehouse: PartnerStandIn;
let carrier: PartnerStandIn;
let n = 0;
/** Real signed messages from the rotation test, for the catalog's verification examples. */
const captured: Array<{ message: ReceivedWebhook; secrets: { old: string; new: string } }> = [];

beforeAll(async () => {
  warehouse = await startPartnerStandIn();
  carrier = await startPartnerStandIn();
  app = await startTestApp({ PARTNER_WAREHOUSE_URL: warehouse.url, PARTNER_CARRIER_URL: carrier.url });
});
afterAll(async () => {
  await app?.stop();
  await warehouse?.stop();
  await carrier?.stop();
});

function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { AWS_ENDPOINT_URL_DYNAMODB: app.dynamoUrl, MINIMIS_DATA_DIR: app.dataDir, ...env },
    cwd: ROOT,
    interactive: false,
    prompt: async () => '',
    readStdin: async () => '',
  };
  return runCli(args, io).then((code) => ({ code, out: out.join(''), err: err.join('\n') }));
}

const keyringFile = (partner: string) => join(app.dataDir, 'partner-keys', `${partner}.json`);
const activeSecretsOnDisk = (partner: string): string[] =>
  (
    JSON.parse(readFileSync(keyringFile(partner), 'utf8')) as { secrets: Array<{ secret: string }> }
  ).secrets.map((s) => s.secret);

async function submit(tag: string, country = 'GB'): Promise<string> {
  const c = canaries(tag);
  const body = orderBody(c, { shippingAddress: { ...orderBody(c).shippingAddress, country } });
  const response = await app.post('/orders', body, { 'idempotency-key': `ops-${Date.now()}-${n++}` });
  expect(response.status).toBe(202);
  return ((await response.json()) as { orderId: string }).orderId;
}

async function view(orderId: string): Promise<OrderView> {
  return (await (await app.get(`/orders/${orderId}`)).json()) as OrderView;
}

async function delivered(orderId: string, partner: string): Promise<OrderView> {
  return waitFor(`${partner} delivery of ${orderId}`, async () => {
    await app.consumers[`partner-${partner}`]?.poll();
    const v = await view(orderId);
    return deliveryState(v, partner) === 'delivered' ? v : undefined;
  });
}

/** Verifies a received webhook with one secret, as a partner holding only that secret would. */
function verifiesWith(secret: string, request: ReceivedWebhook): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers);
    return true;
  } catch {
    return false;
  }
}

function sendEvent(secret: string, event: Record<string, string>) {
  const body = JSON.stringify(event);
  const id = `evt_${randomUUID()}`;
  const at = new Date();
  return fetch(`${app.apiUrl}/partners/carrier/events`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
    body,
  });
}

describe('secret rotation', () => {
  it('while two secrets are active, a partner holding only the old one and one holding only the new one both verify every message; events signed with either are accepted; a retired one gets 401', async () => {
    // Prepare
    const [oldSecret] = activeSecretsOnDisk('carrier');
    if (!oldSecret) throw new Error('no carrier keyring');
    const before = carrier.received.length;
    // Act
    const rotated = await cli(['partner', 'rotate-secret', '--partner', 'carrier']);
    const printed = JSON.parse(rotated.out) as {
      secret: string;
      oldSecretRetiresAt: string;
      activeSecrets: number;
    };
    const onDisk = activeSecretsOnDisk('carrier');
    const mode = statSync(keyringFile('carrier')).mode & 0o777;
    const orders = [await submit('0f5a0001'), await submit('0f5a0002', 'DE')];
    for (const orderId of orders) await delivered(orderId, 'carrier');
    const duringRotation = carrier.received.slice(before);
    const withOld = await sendEvent(oldSecret, {
      type: 'shipment.dispatched',
      orderId: orders[0] as string,
      trackingNumber: '1Z999AA10123456784',
    });
    const withNew = await sendEvent(printed.secret, {
      type: 'shipment.delivered',
      orderId: orders[0] as string,
    });
    const retired = await cli(['partner', 'retire-secret', '--partner', 'carrier']);
    const afterRetire = await sendEvent(oldSecret, {
      type: 'shipment.dispatched',
      orderId: orders[1] as string,
      trackingNumber: '1Z999AA10123456785',
    });
    const later = await submit('0f5a0003');
    await delivered(later, 'carrier');
    const afterRetireMessage = carrier.forOrder(later).at(-1) as ReceivedWebhook;
    for (const message of [...duringRotation, afterRetireMessage])
      captured.push({ message, secrets: { old: oldSecret, new: printed.secret } });
    // Assess
    expect(rotated.code).toBe(0);
    expect(printed.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(printed.activeSecrets).toBe(2);
    expect(rotated.err).not.toContain(printed.secret);
    expect(onDisk).toEqual([oldSecret, printed.secret]);
    expect(mode).toBe(0o600);
    expect(duringRotation.map((r) => r.json.orderId)).toEqual(orders);
    for (const message of duringRotation) {
      expect(message.headers['webhook-signature']?.split(' ')).toHaveLength(2);
      expect(verifiesWith(oldSecret, message)).toBe(true);
      expect(verifiesWith(printed.secret, message)).toBe(true);
    }
    expect([withOld.status, withNew.status]).toEqual([202, 202]);
    expect((await view(orders[0] as string)).status).toBe('delivered');
    expect(retired.code).toBe(0);
    expect(JSON.parse(retired.out)).toEqual({ partner: 'carrier', retired: 1, activeSecrets: 1 });
    expect(afterRetire.status).toBe(401);
    expect((await view(orders[1] as string)).status).toBe('accepted');
    expect(afterRetireMessage.headers['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(verifiesWith(printed.secret, afterRetireMessage)).toBe(true);
    expect(verifiesWith(oldSecret, afterRetireMessage)).toBe(false);
  });

  it('a second rotation while two secrets are active is refused (exit 1), and the keyring is unchanged', async () => {
    // Prepare
    await cli(['partner', 'rotate-secret', '--partner', 'warehouse']);
    const keyring = readFileSync(keyringFile('warehouse'), 'utf8');
    // Act
    const again = await cli(['partner', 'rotate-secret', '--partner', 'warehouse']);
    // Assess
    expect(again.code).toBe(1);
    expect(again.err).toContain('already has two active secrets');
    expect(again.out).toBe('');
    expect(readFileSync(keyringFile('warehouse'), 'utf8')).toBe(keyring);
    await cli(['partner', 'retire-secret', '--partner', 'warehouse']);
  });

  it('refuses with exit 1 when the secret comes from the environment, and changes nothing', async () => {
    // Prepare
    const keyring = readFileSync(keyringFile('carrier'), 'utf8');
    // Act
    const refused = await cli(['partner', 'rotate-secret', '--partner', 'carrier'], {
      PARTNER_CARRIER_SECRET: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0',
    });
    // Assess
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('is set in the environment');
    expect(refused.err).not.toContain('c2VjcmV0c2VjcmV0c2VjcmV0');
    expect(readFileSync(keyringFile('carrier'), 'utf8')).toBe(keyring);
  });
});

describe('replay', () => {
  it('re-sends one order with its original webhook-id, a fresh timestamp and the payload projected anew', async () => {
    // Prepare
    const orderId = await submit('0f5a0101');
    await delivered(orderId, 'carrier');
    const first = carrier.forOrder(orderId)[0] as ReceivedWebhook;
    // Act
    const replayed = await cli(['replay', '--partner', 'carrier', '--order', orderId]);
    const second = await waitFor('the replayed message', async () => {
      await app.consumers['partner-carrier']?.poll();
      return carrier.forOrder(orderId)[1];
    });
    // Assess
    expect(replayed.code).toBe(0);
    expect(JSON.parse(replayed.out)).toEqual({
      partnerId: 'carrier',
      matched: 1,
      enqueued: 1,
      skippedPersonalDataGone: 0,
      webhookIds: [webhookId(orderId, 'carrier', 'shipment.requested')],
    });
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.headers['webhook-id']).toBe(webhookId(orderId, 'carrier', 'shipment.requested'));
    expect(Number(second.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(
      Number(first.headers['webhook-timestamp']),
    );
    expect(second.json).toEqual(first.json);
    expect(carrier.forOrder(orderId)).toHaveLength(2);
  });

  it('by --webhook-id, and by time range with a count; a type the partner never receives is bad usage (2)', async () => {
    // Prepare
    const since = new Date().toISOString();
    const ids = [await submit('0f5a0201'), await submit('0f5a0202')];
    for (const id of ids) await delivered(id, 'warehouse');
    const until = new Date(Date.now() + 1000).toISOString();
    const byId = webhookId(ids[0] as string, 'warehouse', 'pick.requested');
    // Act
    const one = await cli(['replay', '--partner', 'warehouse', '--webhook-id', byId]);
    const range = await cli(['replay', '--partner', 'warehouse', '--since', since, '--until', until]);
    const wrongType = await cli([
      'replay',
      '--partner',
      'warehouse',
      '--order',
      ids[0] as string,
      '--type',
      'shipment.requested',
    ]);
    const both = await cli([
      'replay',
      '--partner',
      'warehouse',
      '--order',
      ids[0] as string,
      '--since',
      since,
    ]);
    await waitFor('three replays', async () => {
      await app.consumers['partner-warehouse']?.poll();
      return (
        ids.every((id) => warehouse.forOrder(id).length >= 2) &&
        warehouse.forOrder(ids[0] as string).length === 3
      );
    });
    // Assess
    expect(one.code).toBe(0);
    expect(JSON.parse(one.out).webhookIds).toEqual([byId]);
    expect(range.code).toBe(0);
    expect(JSON.parse(range.out)).toMatchObject({ matched: 2, enqueued: 2, skippedPersonalDataGone: 0 });
    expect(range.err).toContain('2 of 2 messages replayed');
    expect(wrongType.code).toBe(2);
    expect(wrongType.err).toContain('only pick.requested can be replayed to partner warehouse');
    expect(both.code).toBe(2);
    for (const id of ids)
      expect(new Set(warehouse.forOrder(id).map((r) => r.headers['webhook-id']))).toEqual(
        new Set([webhookId(id, 'warehouse', 'pick.requested')]),
      );
  });

  it('after erasure sends nothing personal: the carrier message is skipped and counted, the warehouse one is sent', async () => {
    // Prepare
    const c = canaries('0f5a0301');
    const response = await app.post('/orders', orderBody(c), { 'idempotency-key': `ops-erase-${n++}` });
    const { orderId } = (await response.json()) as { orderId: string };
    await delivered(orderId, 'carrier');
    await delivered(orderId, 'warehouse');
    const erased = await cli(['erase', '--email', c.email, '--yes']);
    const carrierBefore = carrier.forOrder(orderId).length;
    // Act
    const toCarrier = await cli(['replay', '--partner', 'carrier', '--order', orderId]);
    const toWarehouse = await cli(['replay', '--partner', 'warehouse', '--order', orderId]);
    await waitFor('the warehouse replay', async () => {
      await app.consumers['partner-warehouse']?.poll();
      return warehouse.forOrder(orderId).length === 2;
    });
    await app.consumers['partner-carrier']?.poll();
    // Assess
    expect(erased.code).toBe(0);
    expect(toCarrier.code).toBe(0);
    expect(JSON.parse(toCarrier.out)).toMatchObject({ matched: 1, enqueued: 0, skippedPersonalDataGone: 1 });
    expect(toCarrier.err).toContain('1 skipped: personal data erased or expired');
    expect(JSON.parse(toWarehouse.out)).toMatchObject({ matched: 1, enqueued: 1 });
    const sentToCarrier = carrier.forOrder(orderId).slice(carrierBefore);
    expect(sentToCarrier.map((r) => r.json.type)).not.toContain('shipment.requested');
    for (const r of sentToCarrier) expect(r.body).not.toContain(c.familyName);
  });
});

describe('410 Gone', () => {
  it('disables the partner at once: nothing more reaches it, its messages are held and show pending, other partners keep receiving; enable sends every held message once', async () => {
    // Prepare
    carrier.respondWith(() => 410);
    const before = carrier.received.length;
    const first = await submit('0f5a0401');
    await waitFor('the 410', async () => {
      await app.consumers['partner-carrier']?.poll();
      return carrier.received.length > before;
    });
    // Act
    const more = [await submit('0f5a0402'), await submit('0f5a0403')];
    const all = [first, ...more];
    for (const orderId of all) await delivered(orderId, 'warehouse');
    await waitFor('held messages', async () => {
      await app.consumers['partner-carrier']?.poll();
      const status = await cli(['partner', 'status', '--partner', 'carrier']);
      return (JSON.parse(status.out) as { held: number }).held === 3;
    });
    const replayWhileGone = await cli(['replay', '--partner', 'carrier', '--order', first]);
    await app.consumers['partner-carrier']?.poll();
    const status = JSON.parse((await cli(['partner', 'status', '--partner', 'carrier'])).out);
    const reachedWhileDisabled = carrier.received.length - before;
    const views = await Promise.all(all.map(view));
    carrier.respondWith(() => 204);
    const enabled = await cli(['partner', 'enable', '--partner', 'carrier']);
    for (const orderId of all) await delivered(orderId, 'carrier');
    await app.consumers['partner-carrier']?.poll();
    const enabledAgain = await cli(['partner', 'enable', '--partner', 'carrier']);
    await app.consumers['partner-carrier']?.poll();
    // Assess
    expect(reachedWhileDisabled).toBe(1);
    expect(replayWhileGone.code).toBe(0);
    expect(status).toEqual({ partnerId: 'carrier', state: 'disabled', changedAt: status.changedAt, held: 3 });
    for (const v of views) {
      expect(deliveryState(v, 'carrier')).toBe('pending');
      expect(deliveryState(v, 'warehouse')).toBe('delivered');
    }
    expect(enabled.code).toBe(0);
    expect(JSON.parse(enabled.out)).toEqual({ partnerId: 'carrier', wasDisabled: true, released: 3 });
    expect(JSON.parse(enabledAgain.out)).toEqual({ partnerId: 'carrier', wasDisabled: false, released: 0 });
    expect(carrier.forOrder(first).map((r) => r.headers['webhook-id'])).toEqual([
      webhookId(first, 'carrier', 'shipment.requested'),
      webhookId(first, 'carrier', 'shipment.requested'),
    ]);
    for (const orderId of more) expect(carrier.forOrder(orderId)).toHaveLength(1);
    expect(app.errors).toEqual([]);
  });
});

describe('partner command usage', () => {
  it('--help for each action exits 0; bad usage exits 2; an unknown partner exits 2', async () => {
    // Act
    const helps = await Promise.all(
      ['rotate-secret', 'retire-secret', 'enable', 'status'].map((a) => cli(['partner', a, '--help'])),
    );
    const replayHelp = await cli(['replay', '--help']);
    const noAction = await cli(['partner']);
    const badAction = await cli(['partner', 'explode', '--partner', 'carrier']);
    const noPartner = await cli(['partner', 'enable']);
    const unknown = await cli(['partner', 'enable', '--partner', 'courier']);
    const badGrace = await cli(['partner', 'rotate-secret', '--partner', 'carrier', '--grace-hours', 'soon']);
    const nothing = await cli(['replay', '--partner', 'carrier', '--order', `ord_${'0'.repeat(26)}`]);
    // Assess
    for (const h of helps) {
      expect(h.code).toBe(0);
      expect(h.out).toMatch(/^Usage: minimis partner /);
    }
    expect(replayHelp.code).toBe(0);
    expect(replayHelp.out).toMatch(/^Usage: minimis replay --partner <id>/);
    expect([noAction.code, badAction.code, noPartner.code, unknown.code, badGrace.code]).toEqual([
      2, 2, 2, 2, 2,
    ]);
    expect(unknown.err).toContain('unknown partner courier (configured: warehouse, carrier)');
    expect(nothing.code).toBe(1);
    expect(nothing.err).toContain('nothing to replay');
  });
});

describe("the event catalog's verification examples, on real signed messages", () => {
  const PY_DIR = join(ROOT, 'docs/partners');
  /** docs/partners/verify_webhook.py run as a script with the machine's python3: exit code and stdout. */
  function python(secrets: string[], message: ReceivedWebhook) {
    const run = spawnSync('python3', [join(PY_DIR, 'verify_webhook.py')], {
      input: JSON.stringify({ secrets, headers: message.headers, body: message.body }),
      encoding: 'utf8',
    });
    return { code: run.status, out: run.stdout.trim() };
  }
  /** verify_minimis_webhook() on many cases in one python3 process: the type, or "rejected". */
  function pythonMany(cases: Array<{ secrets: string[]; message: ReceivedWebhook }>): string[] {
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(PY_DIR)})`,
      'from verify_webhook import verify_minimis_webhook',
      'out = []',
      'for c in json.load(sys.stdin):',
      '    try:',
      '        out.append(verify_minimis_webhook(c["secrets"], c["body"].encode(), c["headers"])["type"])',
      '    except ValueError:',
      '        out.append("rejected")',
      'print(json.dumps(out))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], {
      input: JSON.stringify(
        cases.map((c) => ({ secrets: c.secrets, headers: c.message.headers, body: c.message.body })),
      ),
      encoding: 'utf8',
    });
    return JSON.parse(run.stdout) as string[];
  }
  const typescript = (secrets: string[], message: ReceivedWebhook) => {
    try {
      return (verifyMinimisWebhook(secrets, message.body, message.headers) as { type: string }).type;
    } catch {
      return 'rejected';
    }
  };

  it('TypeScript (standardwebhooks) and Python (stdlib) accept messages with one and two signatures with the secret that signed them, and reject any other', () => {
    // Prepare
    const stranger = 'whsec_c3RyYW5nZXJzdHJhbmdlcnN0cmFuZ2Vy';
    const twoSignatures = captured.filter((c) => c.message.headers['webhook-signature']?.includes(' '));
    const oneSignature = captured.filter((c) => !c.message.headers['webhook-signature']?.includes(' '));
    const cases = captured.flatMap(({ message, secrets }) => [
      { secrets: [secrets.old], message },
      { secrets: [secrets.new], message },
      { secrets: [stranger], message },
      { secrets: [stranger, secrets.new], message },
    ]);
    // Act
    const byPython = pythonMany(cases);
    const byTypescript = cases.map((c) => typescript(c.secrets, c.message));
    const script = [
      python([twoSignatures[0]?.secrets.old ?? ''], twoSignatures[0]?.message as ReceivedWebhook),
      python([stranger], twoSignatures[0]?.message as ReceivedWebhook),
    ];
    // Assess
    expect(twoSignatures.length).toBeGreaterThanOrEqual(2);
    expect(oneSignature).toHaveLength(1);
    const expected = captured.flatMap(({ message }) => {
      const withOld = message.headers['webhook-signature']?.includes(' ') ? 'shipment.requested' : 'rejected';
      return [withOld, 'shipment.requested', 'rejected', 'shipment.requested'];
    });
    expect(byPython).toEqual(expected);
    expect(byTypescript).toEqual(expected);
    expect(script).toEqual([
      { code: 0, out: 'shipment.requested' },
      { code: 1, out: '' },
    ]);
  });

  it('both reject a message whose body was changed after signing', () => {
    // Prepare
    const { message, secrets } = captured[0] ?? { message: undefined, secrets: { old: '', new: '' } };
    if (!message) throw new Error('nothing captured');
    const tampered = { ...message, body: message.body.replace('"parcel"', '"parcel" ') };
    // Act
    const py = python([secrets.old, secrets.new], tampered);
    const ts = typescript([secrets.old, secrets.new], tampered);
    // Assess
    expect(tampered.body).not.toBe(message.body);
    expect(py).toEqual({ code: 1, out: '' });
    expect(ts).toBe('rejected');
  });
});
