import type { KeyContext } from '../../inventory.js';
import type { KeyService } from '../../ports.js';

/** Wraps a key service and counts calls per operation and context (KMS call accounting). */
export class CountingKeyService implements KeyService {
  readonly calls: Array<{ op: 'generate' | 'decrypt'; context: KeyContext }> = [];
  constructor(private readonly inner: KeyService) {}
  generateDataKey(context: KeyContext) {
    this.calls.push({ op: 'generate', context });
    return this.inner.generateDataKey(context);
  }
  decryptDataKey(context: KeyContext, wrapped: Uint8Array) {
    this.calls.push({ op: 'decrypt', context });
    return this.inner.decryptDataKey(context, wrapped);
  }
}
