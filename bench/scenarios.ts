/**
 * Benchmark scenarios. Each runs the real submit-order use case over synthetic orders with
 * in-memory stores, then models the two fulfilment consumers as separate processes (each with its
 * own key cache, as separate Lambda functions have): the carrier delivery opens `shipping`, the
 * notification opens `contact` (and `marketing` for opted-in customers, plus the token key for
 * the unsubscribe token).
 *
 * Time is simulated: order i is submitted at t0 + i / rate, so data-key rotation (maxAgeSeconds)
 * happens as it would in production at that order rate. CPU is process.cpuUsage() (user+system)
 * over the measured orders only; key generation of the synthetic bodies is outside the timing.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { keyTableItemBytes } from '#shared/adapters/aws/dynamo-record-secret-store.js';
import { LocalKeyService } from '#shared/adapters/local/local-key-service.js';
import { CountingKeyService } from '#shared/adapters/memory/counting-key-service.js';
import { MemoryErasureLog, MemoryRecordSecretStore } from '#shared/adapters/memory/memory-record-secrets.js';
import {
  MemoryConsentStore,
  MemoryErasureFenceStore,
  MemoryIdempotencyStore,
  MemoryKeyRecordStore,
  MemoryOrderStore,
} from '#shared/adapters/memory/memory-stores.js';
import { shreddingOrderStore } from '#shared/adapters/shredding-stores.js';
import { type DataKeyCacheOptions, DataKeys } from '#shared/crypto/data-keys.js';
import { ENVELOPE_OVERHEAD } from '#shared/crypto/envelope.js';
import { LookupKeys } from '#shared/crypto/lookup-keys.js';
import { customerRecordId, encodeFields, personalFieldsFor } from '#shared/domain/sealing.js';
import type { Purpose } from '#shared/inventory.js';
import type { KeyRecordStore } from '#shared/ports.js';
import { parseOrder, type SubmitOrderDeps, submitOrder } from '#shared/usecases/submit-order.js';
import { SimClock, withDateNowFrom } from './clock.js';
import { EXAMPLE_KEY_ARN, KmsSizedKeyService, SimulatedKmsClient } from './kms.js';
import { optedIn, type SyntheticOrder, syntheticOrder } from './orders.js';
import { EsdkDataKeys, NaiveDataKeys, PlaintextDataKeys } from './sealers.js';

export const SCENARIOS = {
  minimis: {
    label: 'minimis (lean envelope, cached data keys)',
    plaintext: 'json',
    emailKey: true,
  },
  naive: {
    label: 'naive: 1 KMS data key per field, no cache',
    plaintext: 'values',
    emailKey: true,
  },
  'esdk-signed': {
    label: 'ESDK default suite (signed), ctx {purpose,recordId}',
    plaintext: 'json',
    emailKey: true,
  },
  'esdk-unsigned': {
    label: 'ESDK COMMIT_KEY unsigned, ctx {purpose,recordId}',
    plaintext: 'json',
    emailKey: true,
  },
  'esdk-unsigned-purpose': {
    label: 'ESDK COMMIT_KEY unsigned, ctx {purpose} only',
    plaintext: 'json',
    emailKey: true,
  },
  plaintext: {
    label: 'plaintext: no crypto',
    plaintext: 'json',
    emailKey: false,
  },
} as const satisfies Record<string, { label: string; plaintext: 'json' | 'values'; emailKey: boolean }>;
export type ScenarioId = keyof typeof SCENARIOS;
export const SCENARIO_IDS = Object.keys(SCENARIOS) as ScenarioId[];

export interface ScenarioOptions {
  readonly warmup: number;
  readonly measured: number;
  /** Orders per second, for simulated time. */
  readonly rate: number;
  readonly cache: DataKeyCacheOptions;
  /** Seconds between intake and the consumers opening the order (queue latency). */
  readonly consumerDelaySeconds?: number;
  /** Run id, part of the idempotency keys. */
  readonly run?: string;
}

const ROLES = ['intake', 'carrier', 'notification'] as const;
type Role = (typeof ROLES)[number];

export interface KmsCounts {
  /** Calls during the first min(1000, total) orders, scaled to 1000 orders (cold start included). */
  readonly first1000: number;
  /** Calls per 1000 orders during the measured orders (after warm-up). */
  readonly steadyPer1000: number;
  /** Raw calls during the measured orders, by role and operation. */
  readonly steadyByRole: Readonly<Record<Role, { generate: number; decrypt: number }>>;
  readonly total: number;
}

export interface ScenarioResult {
  readonly id: ScenarioId;
  readonly label: string;
  readonly orders: { readonly warmup: number; readonly measured: number };
  /** Submit path (the whole use case), per measured order. */
  readonly submitCpuUs: number;
  readonly submitWallUs: number;
  /** Carrier + notification opening, per measured order. */
  readonly openCpuUs: number;
  readonly kms: KmsCounts;
  /** Per order, averaged over all orders (warm-up included: bytes do not depend on warmth). */
  readonly bytes: {
    readonly stored: number;
    readonly plaintext: number;
    readonly overhead: number;
    readonly sealedBlobs: number;
    /** Key-table items (record secrets) per order, at DynamoDB's item size; counted in `stored`. */
    readonly keyTable: number;
    /** Wrapped data keys (KMS-sized) + refs in the key-record store, amortised per order. */
    readonly keyRecordsAmortised: number;
  };
  /** Simulated seconds covered by the measured orders. */
  readonly measuredSimSeconds: number;
}

interface Process {
  readonly dataKeys: DataKeys;
  readonly lookup: LookupKeys;
  calls(): Array<{ op: 'generate' | 'decrypt' }>;
}

interface World {
  readonly clock: SimClock;
  readonly records: MemoryKeyRecordStore;
  readonly master: Buffer;
  readonly cache: DataKeyCacheOptions;
}

const esdkClient = buildClient({
  commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT,
  maxEncryptedDataKeys: 1,
});

function newProcess(id: ScenarioId, world: World): Process {
  const counting = new CountingKeyService(new KmsSizedKeyService(new LocalKeyService(world.master)));
  const lookup = new LookupKeys(counting, world.records, () => world.clock.now(), true);
  const args = [counting, world.records as KeyRecordStore, world.clock, world.cache] as const;
  switch (id) {
    case 'minimis':
      return { dataKeys: new DataKeys(...args), lookup, calls: () => counting.calls };
    case 'naive':
      return { dataKeys: new NaiveDataKeys(...args), lookup, calls: () => counting.calls };
    case 'plaintext':
      return { dataKeys: new PlaintextDataKeys(...args), lookup, calls: () => counting.calls };
    case 'esdk-signed':
    case 'esdk-unsigned':
    case 'esdk-unsigned-purpose': {
      const kms = new SimulatedKmsClient(world.master);
      const keyring = new KmsKeyringNode({ generatorKeyId: EXAMPLE_KEY_ARN, clientProvider: () => kms });
      const cmm = new NodeCachingMaterialsManager({
        backingMaterials: keyring,
        cache: getLocalCryptographicMaterialsCache(1000),
        maxAge: world.cache.maxAgeSeconds * 1000,
        maxMessagesEncrypted: world.cache.maxUses,
      });
      const dataKeys = new EsdkDataKeys(...args, {
        client: esdkClient,
        cmm,
        suiteId:
          id === 'esdk-signed'
            ? undefined
            : AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
        bindRecord: id !== 'esdk-unsigned-purpose',
      });
      return { dataKeys, lookup, calls: () => [...counting.calls, ...kms.calls] };
    }
  }
}

const cpuMicros = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return d.user + d.system;
};

/** What each purpose seals for an order, exactly as the use case encodes it (null: not sealed). */
function sealedPlaintexts(order: SyntheticOrder): Record<Purpose, Buffer | null> {
  const parsed = parseOrder(order.body);
  const json = (p: Purpose) => Buffer.from(encodeFields(personalFieldsFor(parsed, p)));
  return {
    shipping: json('shipping'),
    contact: json('contact'),
    marketing: parsed.marketingOptIn ? json('marketing') : null,
  };
}

function valueBytes(plaintext: Buffer | null): number {
  if (!plaintext) return 0;
  const fields = JSON.parse(plaintext.toString('utf8')) as Record<string, string>;
  return Object.values(fields).reduce((sum, v) => sum + Buffer.byteLength(v, 'utf8'), 0);
}

export async function runScenario(id: ScenarioId, options: ScenarioOptions): Promise<ScenarioResult> {
  const def = SCENARIOS[id];
  const total = options.warmup + options.measured;
  const stepMs = 1000 / options.rate;
  const t0 = Date.UTC(2026, 0, 5, 9, 0, 0);
  const delayMs = (options.consumerDelaySeconds ?? 2) * 1000;
  const clock = new SimClock(t0);
  const world: World = {
    clock,
    records: new MemoryKeyRecordStore(),
    master: randomBytes(32),
    cache: options.cache,
  };
  const run = options.run ?? randomBytes(4).toString('hex');

  const orders = Array.from({ length: total }, (_, i) => syntheticOrder(i, run));
  const expected = orders.map(sealedPlaintexts);

  // The key table and the shredding wrapper, as the wiring composes them (minimis only reads them).
  const recordSecrets = new MemoryRecordSecretStore();
  const memoryOrders = new MemoryOrderStore();
  const orderStore = shreddingOrderStore(memoryOrders, {
    secrets: recordSecrets,
    erasureLog: new MemoryErasureLog(),
    clock,
  });
  const consent = new MemoryConsentStore();
  const processes = Object.fromEntries(ROLES.map((r) => [r, newProcess(id, world)])) as Record<Role, Process>;
  const intake = processes.intake;
  const deps: SubmitOrderDeps = {
    orders: orderStore,
    idempotency: new MemoryIdempotencyStore(),
    consent,
    fence: new MemoryErasureFenceStore(),
    dataKeys: intake.dataKeys,
    recordSecrets,
    lookup: intake.lookup,
    clock,
    partners: [{ id: 'warehouse' }, { id: 'carrier' }],
    settings: { undeliveredDays: 90, idempotencyHours: 48, policyVersion: 'bench' },
  };

  const firstN = Math.min(1000, total);
  const first: Record<Role, number> = { intake: 0, carrier: 0, notification: 0 };
  const steadyFrom: Record<Role, number> = { intake: 0, carrier: 0, notification: 0 };
  const snap = (role: Role, i: number) => {
    if (i === firstN) first[role] = processes[role].calls().length;
    if (i === options.warmup) steadyFrom[role] = processes[role].calls().length;
  };

  const body = async () => {
    // Intake.
    const orderIds: string[] = [];
    let cpu = process.cpuUsage();
    let wall = performance.now();
    for (let i = 0; i < total; i++) {
      clock.set(t0 + i * stepMs);
      snap('intake', i);
      if (i === options.warmup) {
        cpu = process.cpuUsage();
        wall = performance.now();
      }
      const order = orders[i] as SyntheticOrder;
      const result = await submitOrder(deps, { idempotencyKey: order.idempotencyKey, body: order.body });
      orderIds.push(result.orderId);
    }
    const submitCpu = cpuMicros(cpu);
    const submitWall = (performance.now() - wall) * 1000;
    snap('intake', total);

    // Carrier delivery: opens shipping.
    let openCpu = 0;
    const carrier = processes.carrier;
    cpu = process.cpuUsage();
    for (let i = 0; i < total; i++) {
      clock.set(t0 + i * stepMs + delayMs);
      snap('carrier', i);
      if (i === options.warmup) cpu = process.cpuUsage();
      const orderId = orderIds[i] as string;
      const personal = await orderStore.getPersonal(orderId, clock.now());
      if (!personal?.sealed.shipping) throw new Error('personal record missing');
      const opened = await carrier.dataKeys.open(
        'shipping',
        orderId,
        personal.sealed.shipping,
        personal.secret,
      );
      if (!opened.equals(expected[i]?.shipping as Buffer)) throw new Error('shipping did not round-trip');
    }
    openCpu += cpuMicros(cpu);
    snap('carrier', total);

    // Notification: opens contact; for opted-in customers marketing and the token key (unsubscribe token).
    const notification = processes.notification;
    cpu = process.cpuUsage();
    for (let i = 0; i < total; i++) {
      clock.set(t0 + i * stepMs + delayMs);
      snap('notification', i);
      if (i === options.warmup) cpu = process.cpuUsage();
      const orderId = orderIds[i] as string;
      const personal = await orderStore.getPersonal(orderId, clock.now());
      if (!personal?.sealed.contact) throw new Error('personal record missing');
      const contact = await notification.dataKeys.open(
        'contact',
        orderId,
        personal.sealed.contact,
        personal.secret,
      );
      if (!contact.equals(expected[i]?.contact as Buffer)) throw new Error('contact did not round-trip');
      if (optedIn(i)) {
        const customerId = customerRecordId(personal.emailKey);
        const [customer, secrets] = await Promise.all([
          consent.getCustomer(personal.emailKey),
          recordSecrets.getSecrets([customerId], clock.now()),
        ]);
        if (!customer?.marketing) throw new Error('marketing record missing');
        const marketing = await notification.dataKeys.open(
          'marketing',
          customerId,
          customer.marketing,
          secrets.get(customerId),
        );
        if (!marketing.equals(expected[i]?.marketing as Buffer))
          throw new Error('marketing did not round-trip');
        await notification.lookup.mac('unsubscribe-token', personal.emailKey);
      }
    }
    openCpu += cpuMicros(cpu);
    snap('notification', total);
    return { orderIds, submitCpu, submitWall, openCpu };
  };

  const isEsdk = id.startsWith('esdk');
  const { orderIds, submitCpu, submitWall, openCpu } = isEsdk
    ? await withDateNowFrom(clock, body)
    : await body();

  // Bytes, over all orders.
  let stored = 0;
  let plaintext = 0;
  let blobs = 0;
  for (let i = 0; i < total; i++) {
    const personal = memoryOrders.personal.get(orderIds[i] as string);
    if (!personal) throw new Error('personal record missing');
    const exp = expected[i] as Record<Purpose, Buffer | null>;
    for (const purpose of ['shipping', 'contact'] as const) {
      stored += personal.sealed[purpose]?.length ?? 0;
      blobs++;
    }
    if (exp.marketing) {
      stored += consent.customers.get(personal.emailKey)?.marketing?.length ?? 0;
      blobs++;
    }
    if (def.emailKey) stored += Buffer.byteLength(personal.emailKey, 'utf8');
    for (const p of [exp.shipping, exp.contact, exp.marketing]) {
      plaintext += def.plaintext === 'json' ? (p?.length ?? 0) : valueBytes(p);
    }
  }
  // The key table (minimis only: the alternatives do not shred): one item per order, one per
  // opted-in customer, at DynamoDB's item size.
  let keyTableBytes = 0;
  if (id === 'minimis') {
    for (const item of recordSecrets.items.values()) keyTableBytes += keyTableItemBytes(item.expiresAt);
    stored += keyTableBytes;
  }
  let keyRecordBytes = 0;
  for (const record of world.records.records.values())
    keyRecordBytes += record.wrapped.length + Buffer.byteLength(record.ref);

  // KMS.
  const steadyByRole = Object.fromEntries(
    ROLES.map((role) => {
      const calls = processes[role].calls().slice(steadyFrom[role]);
      return [
        role,
        {
          generate: calls.filter((c) => c.op === 'generate').length,
          decrypt: calls.filter((c) => c.op === 'decrypt').length,
        },
      ];
    }),
  ) as Record<Role, { generate: number; decrypt: number }>;
  const sum = (o: Record<Role, number>) => ROLES.reduce((s, r) => s + o[r], 0);
  const steadyCalls = ROLES.reduce((s, r) => s + steadyByRole[r].generate + steadyByRole[r].decrypt, 0);

  return {
    id,
    label: def.label,
    orders: { warmup: options.warmup, measured: options.measured },
    submitCpuUs: submitCpu / options.measured,
    submitWallUs: submitWall / options.measured,
    openCpuUs: openCpu / options.measured,
    kms: {
      first1000: (sum(first) * 1000) / firstN,
      steadyPer1000: (steadyCalls * 1000) / options.measured,
      steadyByRole,
      total: ROLES.reduce((s, r) => s + processes[r].calls().length, 0),
    },
    bytes: {
      stored: stored / total,
      plaintext: plaintext / total,
      overhead: (stored - plaintext) / total,
      sealedBlobs: blobs / total,
      keyTable: keyTableBytes / total,
      keyRecordsAmortised: keyRecordBytes / total,
    },
    measuredSimSeconds: options.measured / options.rate,
  };
}

/** The minimis per-blob overhead, for the report and the tests. */
export { ENVELOPE_OVERHEAD };

export interface SensitivityRow {
  readonly rate: number;
  readonly containers: number;
  readonly orders: number;
  readonly steadyPer1000: number;
}

/**
 * KMS calls per 1000 orders at steady state for minimis, across order rates and container counts,
 * using DataKeys itself (seal + open, no use case around it, so it is cheap to run over long
 * simulated horizons). Orders are spread round-robin over `containers` warm instances per function
 * (the worst case for caches); calls are counted over [maxAge, 3·maxAge).
 */
export async function kmsSensitivity(
  rate: number,
  containers: number,
  cache: DataKeyCacheOptions,
): Promise<SensitivityRow> {
  const clock = new SimClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const t0 = clock.ms;
  const records = new MemoryKeyRecordStore();
  const counting = new CountingKeyService(new KmsSizedKeyService(new LocalKeyService(randomBytes(32))));
  const fleet = () => Array.from({ length: containers }, () => new DataKeys(counting, records, clock, cache));
  const intake = fleet();
  const carrier = fleet();
  const notification = fleet();
  const windowMs = cache.maxAgeSeconds * 1000;
  const total = Math.ceil((3 * windowMs * rate) / 1000);
  const data = Buffer.from('{}');
  let from = -1;
  let counted = 0;
  for (let i = 0; i < total; i++) {
    const at = t0 + (i * 1000) / rate;
    clock.set(at);
    if (at - t0 >= windowMs && from < 0) from = counting.calls.length;
    if (at - t0 >= windowMs) counted++;
    const c = i % containers;
    const recordId = `ord_${i}`;
    const shipping = await (intake[c] as DataKeys).seal('shipping', recordId, data);
    const contact = await (intake[c] as DataKeys).seal('contact', recordId, data);
    const marketing = optedIn(i)
      ? await (intake[c] as DataKeys).seal('marketing', recordId, data)
      : undefined;
    await (carrier[c] as DataKeys).open('shipping', recordId, shipping);
    await (notification[c] as DataKeys).open('contact', recordId, contact);
    if (marketing) await (notification[c] as DataKeys).open('marketing', recordId, marketing);
  }
  return {
    rate,
    containers,
    orders: counted,
    steadyPer1000: counted ? ((counting.calls.length - from) * 1000) / counted : Number.NaN,
  };
}

export interface EsdkMessageSizes {
  /** Unsigned committing suite, empty context, 0-byte plaintext, raw AES keyring with 1-char names. */
  readonly floor: number;
  /** The same with the KMS keyring (ARN provider info, 184-byte KMS blob). */
  readonly floorKms: number;
  /** Default (signed) suite, otherwise as floorKms. */
  readonly floorKmsSigned: number;
}

/**
 * The smallest ESDK messages: what every message costs before any context or plaintext. With
 * ~2.3 messages per order this floor alone decides the byte budget.
 */
export async function esdkMessageSizes(): Promise<EsdkMessageSizes> {
  const master = randomBytes(32);
  const raw = new RawAesKeyringNode({
    keyNamespace: 'n',
    keyName: 'k',
    unencryptedMasterKey: master,
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const kms = new KmsKeyringNode({
    generatorKeyId: EXAMPLE_KEY_ARN,
    clientProvider: () => new SimulatedKmsClient(master),
  });
  const unsigned = { suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY };
  const empty = Buffer.alloc(0);
  return {
    floor: (await esdkClient.encrypt(raw, empty, unsigned)).result.length,
    floorKms: (await esdkClient.encrypt(kms, empty, unsigned)).result.length,
    floorKmsSigned: (await esdkClient.encrypt(kms, empty)).result.length,
  };
}
