/**
 * Provider adapters: one per provider + key, created once and reused so connections stay alive.
 */
import { createHash } from 'node:crypto';
import type { ResolvedProvider } from '../rules/types';
import { createAdapter, type AdapterOptions } from './clients';
import type { ProviderAdapter } from './types';

export { createAdapter, formatsOf, PLACEHOLDER_API_KEY, type AdapterOptions } from './clients';
export { KeyStore, redact } from './keys';
export { parseRetryAfter, toProviderError } from './errors';
export { ProviderError, type ProviderAdapter, type ProviderErrorKind, type UpstreamCall } from './types';

/** Adapters kept at most (one per provider definition in use: windows with different rules files may differ). */
const MAX_ADAPTERS = 32;

/**
 * Caches adapters by provider definition and key, so each provider + key gets one SDK client (one connection
 * pool) for the daemon's life. A changed key replaces the adapters of the same definition (an old key is not
 * kept alive in an SDK client); another baseURL or type — another window's rules — gets its own adapter beside it.
 * Keys are kept only as hashes here.
 */
export class AdapterPool {
  private readonly adapters = new Map<string, ProviderAdapter>();

  constructor(private readonly options: AdapterOptions = {}) {}

  get(provider: ResolvedProvider, apiKey: string | undefined): ProviderAdapter {
    const keyHash = apiKey ? createHash('sha256').update(apiKey).digest('hex').slice(0, 16) : '-';
    const definition = JSON.stringify([provider.name, provider.type, provider.baseURL ?? '']);
    const id = `${definition}#${keyHash}`;
    let adapter = this.adapters.get(id);
    if (!adapter) {
      for (const k of this.adapters.keys()) if (k.startsWith(`${definition}#`)) this.adapters.delete(k);
      if (this.adapters.size >= MAX_ADAPTERS) this.adapters.delete(this.adapters.keys().next().value!);
      adapter = createAdapter(provider, apiKey, this.options);
      this.adapters.set(id, adapter);
    }
    return adapter;
  }

  clear(): void {
    this.adapters.clear();
  }
}
