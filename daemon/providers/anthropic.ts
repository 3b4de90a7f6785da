/**
 * Adapter for Anthropic on the official `@anthropic-ai/sdk`. The SDK builds and sends requests and classifies
 * HTTP errors; we read stream bodies ourselves (see sse.ts) so a stream that stops before `message_stop` is a
 * `stream-cut`, never a clean end.
 */
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsNonStreaming, MessageCreateParamsStreaming } from '@anthropic-ai/sdk/resources/messages';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../shared/canonical';
import type { ResolvedProvider } from '../rules/types';
import { toProviderError } from './errors';
import { PLACEHOLDER_API_KEY, SDK_TIMEOUT_MS, type AdapterOptions } from './openai';
import { streamEvents } from './sse';
import { AnthropicStreamDecoder, fromAnthropicResponse, toAnthropicRequest } from './translate/anthropic';
import { ProviderError, type ProviderAdapter, type ProviderCallOptions } from './types';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

export class AnthropicAdapter implements ProviderAdapter {
  readonly name: string;
  private readonly client: Anthropic;

  constructor(provider: ResolvedProvider, apiKey: string | undefined, options: AdapterOptions = {}) {
    this.name = provider.name;
    this.client = new Anthropic({
      // Passing a key keeps the SDK from reading ANTHROPIC_API_KEY / ANTHROPIC_AUTH_TOKEN or profiles itself.
      apiKey: apiKey || PLACEHOLDER_API_KEY,
      // Explicit, so ANTHROPIC_BASE_URL is never picked up. No /v1 here: the SDK adds it.
      baseURL: provider.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL,
      maxRetries: 0,
      // An explicit timeout also keeps the SDK from refusing large non-streaming max_tokens.
      timeout: SDK_TIMEOUT_MS,
      logLevel: 'off',
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async complete(request: CanonicalRequest, { model, signal }: ProviderCallOptions): Promise<CanonicalResponse> {
    const body: MessageCreateParamsNonStreaming = { ...toAnthropicRequest({ ...request, stream: false }, model), stream: false };
    let raw: unknown;
    try {
      raw = await this.client.messages.create(body, { signal });
    } catch (err) {
      throw toProviderError(err, signal);
    }
    if (signal.aborted) throw new ProviderError('cancelled', 'request cancelled');
    return fromAnthropicResponse(raw);
  }

  async *stream(request: CanonicalRequest, { model, signal }: ProviderCallOptions): AsyncGenerator<StreamEvent, void, undefined> {
    const body: MessageCreateParamsStreaming = { ...toAnthropicRequest({ ...request, stream: true }, model), stream: true };
    const decoder = new AnthropicStreamDecoder();
    yield* streamEvents(() => this.client.messages.create(body, { signal }).asResponse(), signal, { decode: (message) => decoder.push(message.event, message.data), get finished() { return decoder.finished; } }, 'message_stop');
  }
}
