import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { PartnerConfig } from '../../config.js';
import { DependencyError } from '../../domain/errors.js';
import { activeSecrets, type Keyring, parseKeyring, serializeKeyring } from '../../domain/partner-keyring.js';
import type { Clock, KeyringSource, SecretStore } from '../../ports.js';

/** The local keyring file of a partner: `<dataDir>/partner-keys/<id>.json` (mode 0600). */
export function partnerKeyringFile(dataDir: string, partnerId: string): string {
  return join(dataDir, 'partner-keys', `${partnerId}.json`);
}

/** Writes a keyring file atomically (temporary file + rename), readable by its owner only. */
export function writeKeyringFile(file: string, keyring: Keyring): void {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, serializeKeyring(keyring), { mode: 0o600 });
  renameSync(temporary, file);
}

export interface PartnerSecretsOptions {
  /** Secrets Manager, for partners configured with a `secretRef` (AWS). */
  readonly client?: SecretsManagerClient;
  /** Local mode: partners without an inline secret keep their keyring in a file here. */
  readonly dataDir?: string;
  /**
   * How long a loaded keyring is used before it is read again: a rotation takes effect within this
   * time without a redeploy. 0 reads it on every use. @default 60
   */
  readonly cacheSeconds?: number;
  /** @default the system clock */
  readonly clock?: Clock;
}

/**
 * Partner signing keyrings from where each partner's configuration says: an inline `secret`
 * (environment; a keyring of one that minimis cannot rotate), Secrets Manager (`secretRef`: a JSON
 * keyring, or the bare secret before the first rotation) or a local file in the data directory.
 * Loaded keyrings are cached for `cacheSeconds`, never for the life of the process. Reads only: the
 * ops CLI's rotation writes through `PartnerKeyrings` (./partner-keyrings.ts), so that the functions
 * that sign or verify bundle no Secrets Manager write.
 */
export class PartnerSecrets implements SecretStore {
  protected readonly cache = new Map<string, { keyring: Promise<Keyring>; loadedAt: number }>();
  /** Keyring files as last parsed, by the file's identity (a rotation renames a new file in). */
  private readonly files = new Map<string, { version: string; keyring: Keyring }>();
  private readonly cacheMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly partners: readonly PartnerConfig[],
    protected readonly options: PartnerSecretsOptions = {},
  ) {
    this.cacheMs = (options.cacheSeconds ?? 60) * 1000;
    this.clock = options.clock ?? { now: () => new Date() };
  }

  async partnerSecrets(partnerId: string): Promise<readonly string[]> {
    const now = this.clock.now();
    const cached = this.cache.get(partnerId);
    let keyring: Promise<Keyring>;
    if (cached && now.getTime() - cached.loadedAt < this.cacheMs) keyring = cached.keyring;
    else {
      keyring = this.readKeyring(partnerId);
      if (this.cacheMs > 0) {
        this.cache.set(partnerId, { keyring, loadedAt: now.getTime() });
        keyring.catch(() => this.cache.delete(partnerId));
      }
    }
    const secrets = activeSecrets(await keyring, now);
    if (secrets.length === 0) throw new DependencyError(`secret of partner ${partnerId} (none active)`);
    return secrets;
  }

  protected partner(partnerId: string): PartnerConfig {
    const partner = this.partners.find((p) => p.id === partnerId);
    if (!partner) throw new DependencyError(`secret of unknown partner ${partnerId}`);
    return partner;
  }

  keyringSource(partnerId: string): KeyringSource {
    const partner = this.partner(partnerId);
    if (partner.secret) return 'environment';
    if (partner.secretRef && this.options.client) return 'secrets-manager';
    if (this.options.dataDir) return 'file';
    throw new DependencyError(`secret of partner ${partnerId} (not configured)`);
  }

  async readKeyring(partnerId: string): Promise<Keyring> {
    const partner = this.partner(partnerId);
    switch (this.keyringSource(partnerId)) {
      case 'environment':
        return parseKeyring(partner.secret as string);
      case 'secrets-manager':
        try {
          const out = await this.client().send(new GetSecretValueCommand({ SecretId: partner.secretRef }));
          if (!out.SecretString) throw new Error('empty secret');
          return parseKeyring(out.SecretString);
        } catch (cause) {
          throw new DependencyError(`Secrets Manager secret of partner ${partnerId}`, { cause });
        }
      case 'file': {
        const file = partnerKeyringFile(this.options.dataDir as string, partnerId);
        try {
          // Read on every use, as before, but parsed again only when the file changed: a write
          // (writeKeyringFile, the CLI's rotation) renames a new file in, so its inode changes.
          const { ino, mtimeMs, size } = statSync(file);
          const version = `${ino}:${mtimeMs}:${size}`;
          const known = this.files.get(file);
          if (known?.version === version) return known.keyring;
          const keyring = parseKeyring(readFileSync(file, 'utf8'));
          this.files.set(file, { version, keyring });
          return keyring;
        } catch (cause) {
          throw new DependencyError(`keyring file of partner ${partnerId}`, { cause });
        }
      }
    }
  }

  protected client(): SecretsManagerClient {
    if (!this.options.client) throw new DependencyError('Secrets Manager (no client)');
    return this.options.client;
  }
}
