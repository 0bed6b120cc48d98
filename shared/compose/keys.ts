/**
 * The key service side of a function: KMS in AWS (one module-scope client), whatever is installed
 * locally, and the caches over it (data keys, index keys, the ledger key), each built once.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { KmsKeyService } from '../adapters/aws/kms-key-service.js';
import { type Config, ConfigError } from '../config.js';
import { DataKeys, SealingKeys } from '../crypto/data-keys.js';
import { LedgerKey } from '../crypto/ledger-key.js';
import { LookupKeys } from '../crypto/lookup-keys.js';
import type { KeyService } from '../ports.js';
import { keyRecordStore } from './dynamo.js';
import { clock, installed } from './installed.js';

let service: KeyService | undefined;
let dataKeyCache: DataKeys | undefined;
let sealing: SealingKeys | undefined;
let lookupKeys: LookupKeys | undefined;
let ledger: LedgerKey | undefined;

export function keyService(config: Pick<Config, 'kmsKeyId'>): KeyService {
  const local = installed()?.keyService;
  if (local) return local;
  const keyId = config.kmsKeyId;
  if (!keyId) throw new ConfigError('KMS_KEY_ID', 'is required in aws mode');
  service ??= new KmsKeyService(new KMSClient({}), keyId);
  return service;
}

/** Per-purpose data keys, cached with a maximum age and use count. */
export function dataKeys(config: Pick<Config, 'kmsKeyId' | 'tableName' | 'dataKeyCache'>): DataKeys {
  const local = installed()?.dataKeys;
  if (local) return local;
  dataKeyCache ??= new DataKeys(keyService(config), keyRecordStore(config), clock(), config.dataKeyCache);
  return dataKeyCache;
}

/** Per-purpose data keys for a function that only seals (intake): no opening code, no opened keys. */
export function sealingKeys(config: Pick<Config, 'kmsKeyId' | 'tableName' | 'dataKeyCache'>): SealingKeys {
  const local = installed()?.dataKeys;
  if (local) return local;
  sealing ??= new SealingKeys(keyService(config), keyRecordStore(config), clock(), config.dataKeyCache);
  return sealing;
}

/** The index keys: keyed email hashes, request MACs, signed tokens. */
export function lookup(config: Pick<Config, 'kmsKeyId' | 'tableName'>): LookupKeys {
  const local = installed()?.lookup;
  if (local) return local;
  const at = clock();
  lookupKeys ??= new LookupKeys(keyService(config), keyRecordStore(config), () => at.now());
  return lookupKeys;
}

/** The disclosure ledger's chaining key. */
export function ledgerKey(config: Pick<Config, 'kmsKeyId' | 'tableName'>): LedgerKey {
  const local = installed()?.ledgerKey;
  if (local) return local;
  const at = clock();
  ledger ??= new LedgerKey(keyService(config), keyRecordStore(config), () => at.now());
  return ledger;
}
