import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DependencyError } from '../../domain/errors.js';
import type { KeyContext } from '../../inventory.js';
import type { KeyService } from '../../ports.js';

/**
 * Local stand-in for KMS: a 256-bit master key in `<dataDir>/master.key` (mode 0600) wraps data
 * keys with AES-256-GCM whose associated data is the encryption context, so a key wrapped for one
 * purpose does not unwrap under another — the same binding KMS gives.
 */
export class LocalKeyService implements KeyService {
  private readonly master: Buffer;

  constructor(master: Buffer) {
    if (master.length !== 32) throw new Error('Local master key must be 32 bytes');
    this.master = master;
  }

  static fromDataDir(dataDir: string): LocalKeyService {
    const file = join(dataDir, 'master.key');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    return new LocalKeyService(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'));
  }

  private static aad(context: KeyContext): Buffer {
    return Buffer.from(JSON.stringify({ purpose: context }), 'utf8');
  }

  async generateDataKey(context: KeyContext) {
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.master, iv);
    cipher.setAAD(LocalKeyService.aad(context));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { plaintext, wrapped: Buffer.concat([iv, body, cipher.getAuthTag()]) };
  }

  async decryptDataKey(context: KeyContext, wrapped: Uint8Array) {
    const buf = Buffer.from(wrapped);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.master, buf.subarray(0, 12), {
        authTagLength: 16,
      });
      decipher.setAAD(LocalKeyService.aad(context));
      decipher.setAuthTag(buf.subarray(buf.length - 16));
      return Buffer.concat([decipher.update(buf.subarray(12, buf.length - 16)), decipher.final()]);
    } catch (cause) {
      throw new DependencyError('Local key service Decrypt', { cause });
    }
  }
}
