/**
 * Provider adapters: one per provider + key, created once and reused so connections stay alive.
 */
import { createHash } from 'node:crypto';
import type { ResolvedProvider } from '../rules/types';
import { AnthropicAdapter } from './anthropic';
import { OpenAIAdapter, type AdapterOptions } from './openai';
import type { ProviderAdapter } from './types';

export { AnthropicAdapter } from './anthropic';
export { OpenAIAdapter, PLACEHOLDER_API_KEY, type AdapterOptions } from './openai';
export { KeyStore, redact } from './keys';
export { parseRetryAfter, toProviderError } from './errors';
export { ProviderError, type ProviderAdapter, type ProviderCallOptions, type ProviderErrorKind } from './types';

/** A new adapter for the provider's wire format. `openai-compatible` uses the OpenAI SDK (placeholder key if none). */
export function createAdapter(provider: ResolvedProvider, apiKey: string | undefined, options: AdapterOptions = {}): ProviderAdapter {
  switch (provider.type) {
    case 'openai':
    case 'openai-compatible':
      return new OpenAIAdapter(provider, apiKey, options);
    case 'anthropic':
      return new AnthropicAdapter(provider, apiKey, options);
  }
}

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
