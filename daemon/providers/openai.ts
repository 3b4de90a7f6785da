/**
 * Adapter for OpenAI and OpenAI-compatible servers (Ollama, vLLM, llama.cpp…) on the official `openai` SDK.
 * The SDK builds and sends requests and classifies HTTP errors; we read stream bodies ourselves (see sse.ts)
 * so a stream that stops before `[DONE]` is a `stream-cut`, never a clean end.
 */
import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../shared/canonical';
import type { ResolvedProvider } from '../rules/types';
import { toProviderError } from './errors';
import { streamEvents } from './sse';
import { fromOpenAIResponse, OpenAIStreamDecoder, toOpenAIRequest, type ToOpenAIOptions } from './translate/openai';
import { ProviderError, type ProviderAdapter, type ProviderCallOptions } from './types';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Sent when an OpenAI-compatible server needs no key: the SDK insists on one. */
export const PLACEHOLDER_API_KEY = 'switchyard-no-key';
/** The SDK's own deadline; dispatch's per-attempt timer normally fires long before. */
export const SDK_TIMEOUT_MS = 10 * 60_000;

export interface AdapterOptions {
  /** A fetch to use instead of the global one (tests). */
  fetch?: typeof fetch;
}

export class OpenAIAdapter implements ProviderAdapter {
  readonly name: string;
  private readonly client: OpenAI;
  private readonly wire: ToOpenAIOptions;

  constructor(provider: ResolvedProvider, apiKey: string | undefined, options: AdapterOptions = {}) {
    this.name = provider.name;
    this.wire = { maxTokensField: provider.type === 'openai' ? 'max_completion_tokens' : 'max_tokens' };
    this.client = new OpenAI({
      apiKey: apiKey || PLACEHOLDER_API_KEY,
      // Explicit, so OPENAI_BASE_URL (which may point at Switchyard itself) is never picked up.
      baseURL: provider.baseURL ?? OPENAI_DEFAULT_BASE_URL,
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: SDK_TIMEOUT_MS,
      logLevel: 'off',
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  async complete(request: CanonicalRequest, { model, signal }: ProviderCallOptions): Promise<CanonicalResponse> {
    const body: ChatCompletionCreateParamsNonStreaming = { ...toOpenAIRequest({ ...request, stream: false }, model, this.wire), stream: false };
    let raw: unknown;
    try {
      raw = await this.client.chat.completions.create(body, { signal });
    } catch (err) {
      throw toProviderError(err, signal);
    }
    if (signal.aborted) throw new ProviderError('cancelled', 'request cancelled');
    return fromOpenAIResponse(raw);
  }

  async *stream(request: CanonicalRequest, { model, signal }: ProviderCallOptions): AsyncGenerator<StreamEvent, void, undefined> {
    const body: ChatCompletionCreateParamsStreaming = { ...toOpenAIRequest({ ...request, stream: true }, model, this.wire), stream: true };
    const decoder = new OpenAIStreamDecoder();
    yield* streamEvents(() => this.client.chat.completions.create(body, { signal }).asResponse(), signal, { decode: (message) => decoder.push(message.data), get finished() { return decoder.finished; } }, '[DONE]');
  }
}
