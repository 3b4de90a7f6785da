/**
 * The provider adapters: one official SDK client per provider + key (one connection pool), used only through
 * its raw-response path (`client.post(path).asResponse()`): the SDK signs, sends and classifies errors; the body is
 * ours exactly as planned, never reshaped by a resource helper (which warn, rename or drop fields).
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { WireFormat } from '../../shared/canonical';
import type { ResolvedProvider } from '../rules/types';
import { toProviderError } from './errors';
import type { ProviderAdapter, UpstreamCall } from './types';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** Sent when an OpenAI-compatible server needs no key: the SDK insists on one. */
export const PLACEHOLDER_API_KEY = 'switchyard-no-key';
/** The SDK's own deadline; dispatch's per-attempt timer normally fires long before. */
export const SDK_TIMEOUT_MS = 10 * 60_000;

export interface AdapterOptions {
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

/** Where each format is sent, relative to the SDK's base URL (the OpenAI SDK's includes /v1, Anthropic's does not). */
const PATHS: Record<WireFormat, string> = {
  'openai-chat': '/chat/completions',
  'openai-responses': '/responses',
  anthropic: '/v1/messages',
  'openai-completions': '/completions',
  'openai-embeddings': '/embeddings',
};

/** The formats a provider type's API speaks: OpenAI-compatible servers are reliably chat-only. */
export function formatsOf(type: ResolvedProvider['type']): readonly WireFormat[] {
  return type === 'anthropic' ? ['anthropic']
    : type === 'openai' ? ['openai-chat', 'openai-responses', 'openai-completions', 'openai-embeddings']
    : ['openai-chat', 'openai-completions', 'openai-embeddings'];
}

type SDK = OpenAI | Anthropic;

class SDKAdapter implements ProviderAdapter {
  readonly formats: readonly WireFormat[];
  constructor(readonly name: string, type: ResolvedProvider['type'], private readonly client: SDK) {
    this.formats = formatsOf(type);
  }

  send(call: UpstreamCall, signal: AbortSignal): Promise<Response> {
    return this.post(PATHS[call.format], call.body, signal, { stream: call.stream, headers: call.headers, query: call.query });
  }

  async post(path: string, body: Record<string, unknown>, signal: AbortSignal, options: { stream?: boolean; headers?: Record<string, string>; query?: Record<string, string> } = {}): Promise<Response> {
    try {
      // Both SDKs share this shape of `post`; `stream` only tells them not to parse the body.
      return await (this.client as OpenAI).post(path, { body, stream: options.stream ?? false, signal, headers: options.headers, query: options.query } as never).asResponse();
    } catch (err) {
      throw toProviderError(err, signal);
    }
  }
}

/** A new adapter for the provider. `openai-compatible` uses the OpenAI SDK (placeholder key if none). */
export function createAdapter(provider: ResolvedProvider, apiKey: string | undefined, options: AdapterOptions = {}): ProviderAdapter {
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  if (provider.type === 'anthropic') {
    return new SDKAdapter(provider.name, provider.type, new Anthropic({
      // Passing a key keeps the SDK from reading ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN or profiles itself.
      apiKey: apiKey || PLACEHOLDER_API_KEY,
      // Explicit, so ANTHROPIC_BASE_URL (which may point at Switchyard itself) is never picked up.
      baseURL: provider.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL,
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
      logLevel: 'off',
      ...fetchOption,
    }));
  }
  return new SDKAdapter(provider.name, provider.type, new OpenAI({
    apiKey: apiKey || PLACEHOLDER_API_KEY,
    // Explicit, so OPENAI_BASE_URL (which may point at Switchyard itself) is never picked up.
    baseURL: provider.baseURL ?? OPENAI_DEFAULT_BASE_URL,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: SDK_TIMEOUT_MS,
    logLevel: 'off',
    ...fetchOption,
  }));
}
