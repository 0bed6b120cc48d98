/** Unit-test wiring: in-memory ports, a counting local key service and a settable clock. */
import { randomBytes } from 'node:crypto';
import { LocalKeyService } from '../../shared/adapters/local/local-key-service.js';
import { CountingKeyService } from '../../shared/adapters/memory/counting-key-service.js';
import { MemoryQueue } from '../../shared/adapters/memory/memory-queue.js';
import {
  MemoryConsentStore,
  MemoryErasureFenceStore,
  MemoryIdempotencyStore,
  MemoryKeyRecordStore,
  MemoryOrderStore,
} from '../../shared/adapters/memory/memory-stores.js';
import { DataKeys } from '../../shared/crypto/data-keys.js';
import { LookupKeys } from '../../shared/crypto/lookup-keys.js';
import type { Clock } from '../../shared/ports.js';

export class FakeClock implements Clock {
  constructor(public current = new Date('2026-11-25T10:00:00.000Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export function fakePorts(options: { maxAgeSeconds?: number; maxUses?: number } = {}) {
  const clock = new FakeClock();
  const keyService = new CountingKeyService(new LocalKeyService(randomBytes(32)));
  const keyRecords = new MemoryKeyRecordStore();
  const cache = { maxAgeSeconds: options.maxAgeSeconds ?? 600, maxUses: options.maxUses ?? 100_000 };
  return {
    clock,
    keyService,
    keyRecords,
    orders: new MemoryOrderStore(),
    idempotency: new MemoryIdempotencyStore(),
    consent: new MemoryConsentStore(),
    fence: new MemoryErasureFenceStore(),
    queue: new MemoryQueue(),
    dataKeys: new DataKeys(keyService, keyRecords, clock, cache),
    lookup: new LookupKeys(keyService, keyRecords, () => clock.now(), true),
    partners: [{ id: 'warehouse' }, { id: 'carrier' }],
    settings: { undeliveredDays: 90, idempotencyHours: 48, policyVersion: '2026-11-01' },
    /** A fresh DataKeys as another process (another Lambda) would have it, sharing KMS and records. */
    otherProcess(): DataKeys {
      return new DataKeys(keyService, keyRecords, clock, cache);
    },
  };
}
export type FakePorts = ReturnType<typeof fakePorts>;
