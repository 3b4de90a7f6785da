/**
 * OpenAI chat-completions wire format ⇄ canonical. Pure functions (no I/O, no clock) plus two small stateful
 * stream helpers: a decoder for upstream SSE payloads and an encoder that re-emits canonical events as
 * OpenAI chunks for a caller of the daemon's `/v1/chat/completions`.
 */
import type { CanonicalRequest, CanonicalResponse, FinishReason, StreamEvent, Usage } from '../../../shared/canonical';
import type { ChatMessage } from '../../../shared/decision';
import { ProviderError } from '../types';
import {
  asText, cleanUsage, invalid, isRecord, readMaxTokens, readStream, readTemperature, refusePart, sseFrame, unsupported,
} from '../../formats/common';

// ---- wire types (the subset Switchyard reads and writes) ----

export interface OpenAIMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIMessage[];
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string[];
  stream: boolean;
  stream_options?: { include_usage: boolean };
}

export type OpenAIFinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'function_call';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string; refusal: null };
    logprobs: null;
    finish_reason: OpenAIFinishReason;
  }[];
  usage?: OpenAIUsage;
}

export interface OpenAIChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: 'assistant'; content?: string };
    logprobs: null;
    finish_reason: OpenAIFinishReason | null;
  }[];
  usage?: OpenAIUsage;
}

/** What OpenAI clients receive in a stream when it fails after it started. */
export interface OpenAIStreamError {
  error: { message: string; type: string; code: string | null };
}

// ---- finish reasons and usage ----

export function finishReasonFromOpenAI(reason: unknown): FinishReason {
  switch (reason) {
    case 'stop': return 'stop';
    case 'length': return 'length';
    case 'content_filter': return 'content_filter';
    case 'tool_calls':
    case 'function_call': return 'tool_calls';
    default: return 'other';
  }
}

export function finishReasonToOpenAI(reason: FinishReason): OpenAIFinishReason {
  switch (reason) {
    case 'length': return 'length';
    case 'content_filter': return 'content_filter';
    case 'tool_calls': return 'tool_calls';
    // OpenAI does not tell a stop sequence from a natural end; `other` has no closer match.
    default: return 'stop';
  }
}

/** OpenAI `usage` → canonical; undefined when the object is absent or has no token counts. */
export function usageFromOpenAI(u: unknown): Usage | undefined {
  if (!isRecord(u) || typeof u.prompt_tokens !== 'number' || typeof u.completion_tokens !== 'number') return undefined;
  const usage: Usage = { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens };
  const cached = isRecord(u.prompt_tokens_details) ? u.prompt_tokens_details.cached_tokens : undefined;
  const reasoning = isRecord(u.completion_tokens_details) ? u.completion_tokens_details.reasoning_tokens : undefined;
  if (typeof cached === 'number') usage.cachedInputTokens = cached;
  if (typeof reasoning === 'number') usage.reasoningTokens = reasoning;
  return usage;
}

export function usageToOpenAI(u: Usage): OpenAIUsage {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  };
}

// ---- requests ----

export interface ToOpenAIOptions {
  /**
   * OpenAI itself wants `max_completion_tokens` (o-series models refuse `max_tokens`); OpenAI-compatible
   * servers (Ollama, vLLM, llama.cpp) reliably understand only `max_tokens`.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

/** Canonical request → OpenAI chat-completions body for `model`. The system prompt becomes the first message. */
export function toOpenAIRequest(req: CanonicalRequest, model: string, options: ToOpenAIOptions = {}): OpenAIChatRequest {
  const messages: OpenAIMessage[] = [];
  if (req.system) messages.push({ role: 'system', content: req.system });
  for (const m of req.messages) messages.push({ role: m.role, content: m.content });
  const body: OpenAIChatRequest = { model, messages, stream: req.stream };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.maxTokens !== undefined) body[options.maxTokensField ?? 'max_completion_tokens'] = req.maxTokens;
  if (req.stop && req.stop.length > 0) body.stop = [...req.stop];
  if (req.stream) body.stream_options = { include_usage: true };
  return body;
}

export interface ParsedOpenAIRequest {
  /** The `model` the caller asked for (`switchyard/auto`, a tier, a model name…); routing decides. */
  model: string;
  request: CanonicalRequest;
  /** `stream_options.include_usage`: whether the caller wants the final usage chunk. */
  includeUsage: boolean;
}

function openAIContent(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) invalid(param, `${param} must be a string or an array of text parts`);
  const texts: string[] = [];
  content.forEach((part, i) => {
    const p = `${param}[${i}]`;
    if (!isRecord(part)) invalid(p, `${p} must be an object`);
    if (part.type !== 'text') refusePart(`${p}.type`, part.type);
    if (typeof part.text !== 'string') invalid(`${p}.text`, `${p}.text must be a string`);
    texts.push(part.text);
  });
  return texts.join('\n');
}

function stopList(v: unknown, param: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.length ? [...v] : undefined;
  invalid(param, `${param} must be a string or an array of strings`);
}

/**
 * A body a client POSTed to the daemon's `/v1/chat/completions` → canonical. System and developer messages
 * are gathered into the system prompt; text parts are joined. Images, audio, files and tools are refused
 * with a RequestFormatError (400) that names the offending field.
 */
export function fromOpenAIRequest(body: unknown): ParsedOpenAIRequest {
  if (!isRecord(body)) invalid('body', 'the request body must be a JSON object');
  if (typeof body.model !== 'string' || !body.model) invalid('model', 'model must be a non-empty string');
  if (Array.isArray(body.tools) && body.tools.length > 0) unsupported('tools', 'tool use is not supported by Switchyard yet (tools)');
  if (Array.isArray(body.functions) && body.functions.length > 0) unsupported('functions', 'function calling is not supported by Switchyard yet (functions)');
  if (body.n !== undefined && body.n !== null && body.n !== 1) unsupported('n', 'only n = 1 is supported');
  if (isRecord(body.response_format) && body.response_format.type !== 'text') {
    unsupported('response_format', `response_format ${JSON.stringify(body.response_format.type) ?? "(none)"} is not supported; only text`);
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) invalid('messages', 'messages must be a non-empty array');

  const system: string[] = [];
  const messages: ChatMessage[] = [];
  body.messages.forEach((m, i) => {
    const p = `messages[${i}]`;
    if (!isRecord(m)) invalid(p, `${p} must be an object`);
    const role = m.role;
    if (role === 'tool' || role === 'function') unsupported(`${p}.role`, `tool use is not supported by Switchyard yet (${p}.role: "${role}")`);
    if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) unsupported(`${p}.tool_calls`, `tool use is not supported by Switchyard yet (${p}.tool_calls)`);
    if (m.function_call) unsupported(`${p}.function_call`, `function calling is not supported by Switchyard yet (${p}.function_call)`);
    if (role !== 'system' && role !== 'developer' && role !== 'user' && role !== 'assistant') {
      invalid(`${p}.role`, `${p}.role must be one of system, developer, user, assistant`);
    }
    const content = openAIContent(m.content, `${p}.content`);
    if (role === 'system' || role === 'developer') system.push(content);
    else messages.push({ role, content });
  });
  if (!messages.some((m) => m.role === 'user')) invalid('messages', 'messages must contain at least one user message');

  const request: CanonicalRequest = { messages, stream: readStream(body.stream) };
  if (system.length) request.system = system.join('\n\n');
  const temperature = readTemperature(body.temperature);
  if (temperature !== undefined) request.temperature = temperature;
  const maxTokens = body.max_completion_tokens !== undefined && body.max_completion_tokens !== null
    ? readMaxTokens(body.max_completion_tokens, 'max_completion_tokens')
    : readMaxTokens(body.max_tokens, 'max_tokens');
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const stop = stopList(body.stop, 'stop');
  if (stop) request.stop = stop;

  let includeUsage = false;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!isRecord(body.stream_options)) invalid('stream_options', 'stream_options must be an object');
    includeUsage = body.stream_options.include_usage === true;
  }
  return { model: body.model, request, includeUsage };
}

// ---- responses ----

export interface ToOpenAIResponseOptions {
  /** Model to report (default: the one the upstream reported). */
  model?: string;
  /** Unix seconds; pass the clock in (translators never read it). Default 0. */
  created?: number;
}

export function toOpenAIResponse(res: CanonicalResponse, options: ToOpenAIResponseOptions = {}): OpenAIChatCompletion {
  const out: OpenAIChatCompletion = {
    id: res.id,
    object: 'chat.completion',
    created: options.created ?? 0,
    model: options.model ?? res.model,
    choices: [{
      index: 0,
      message: { role: 'assistant', content: res.text, refusal: null },
      logprobs: null,
      finish_reason: finishReasonToOpenAI(res.finishReason),
    }],
  };
  if (res.usage) out.usage = usageToOpenAI(res.usage);
  return out;
}

/** An upstream OpenAI (or compatible) JSON response → canonical. Throws ProviderError('malformed'). */
export function fromOpenAIResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) throw new ProviderError('malformed', 'upstream response is not a JSON object');
  if (isRecord(body.error)) throw new ProviderError('malformed', `upstream response carries an error: ${asText(body.error.message ?? 'unknown')}`);
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(choice) || !isRecord(choice.message)) throw new ProviderError('malformed', 'upstream response has no choices[0].message');
  const msg = choice.message;
  let text: string;
  let finishReason = finishReasonFromOpenAI(choice.finish_reason);
  if (typeof msg.content === 'string') text = msg.content;
  else if (msg.content === null || msg.content === undefined) {
    text = typeof msg.refusal === 'string' ? msg.refusal : '';
    if (typeof msg.refusal === 'string') finishReason = 'content_filter';
  } else throw new ProviderError('malformed', 'upstream choices[0].message.content is neither a string nor null');
  const res: CanonicalResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    text,
    finishReason,
  };
  const usage = usageFromOpenAI(body.usage);
  if (usage) res.usage = usage;
  return res;
}

// ---- streaming: upstream SSE payloads → canonical events ----

/**
 * Feed it each SSE `data:` payload of an upstream chat-completions stream, in order. Deltas come out as they
 * arrive; `usage` when the usage chunk arrives; `done` only at `[DONE]`. `finished` stays false until then, so
 * a stream that ends without `[DONE]` is recognisably cut. Throws ProviderError (`malformed`, or `http` for an
 * error object sent inside the stream).
 */
export class OpenAIStreamDecoder {
  private finish: FinishReason | undefined;
  private id: string | undefined;
  private model: string | undefined;
  private done = false;

  get finished(): boolean {
    return this.done;
  }

  push(data: string): StreamEvent[] {
    if (this.done) return [];
    if (data.trim() === '[DONE]') {
      this.done = true;
      const ev: StreamEvent = { type: 'done', finishReason: this.finish ?? 'other' };
      if (this.id) ev.id = this.id;
      if (this.model) ev.model = this.model;
      return [ev];
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new ProviderError('malformed', `unparseable stream chunk: ${data.slice(0, 80)}`);
    }
    if (!isRecord(chunk)) throw new ProviderError('malformed', 'stream chunk is not a JSON object');
    if (isRecord(chunk.error)) {
      const e = chunk.error;
      const status = typeof e.status === 'number' ? e.status : typeof e.code === 'number' ? e.code : 500;
      throw new ProviderError('http', `error inside the stream: ${asText(e.message ?? 'unknown')}`, status);
    }
    if (typeof chunk.id === 'string' && !this.id) this.id = chunk.id;
    if (typeof chunk.model === 'string' && !this.model) this.model = chunk.model;
    const out: StreamEvent[] = [];
    if (chunk.choices !== undefined && !Array.isArray(chunk.choices)) throw new ProviderError('malformed', 'stream chunk choices is not an array');
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (isRecord(choice)) {
      const delta = choice.delta;
      if (isRecord(delta) && typeof delta.content === 'string' && delta.content.length > 0) out.push({ type: 'delta', text: delta.content });
      if (typeof choice.finish_reason === 'string') this.finish = finishReasonFromOpenAI(choice.finish_reason);
    }
    const usage = usageFromOpenAI(chunk.usage);
    if (usage) out.push({ type: 'usage', usage });
    return out;
  }
}

// ---- streaming: canonical events → OpenAI chunks for the daemon's callers ----

export interface OpenAIStreamEncoderOptions {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  /** The caller's `stream_options.include_usage`. */
  includeUsage?: boolean;
}

/**
 * One per response stream. `encode` turns each canonical event into the chunk objects to send (first a role
 * chunk, then content chunks; at `done` the finish chunk and, when asked for, the usage chunk). `encodeSSE`
 * gives the same as SSE text and appends `data: [DONE]` after `done`. `error` builds the error payload for a
 * stream that fails after it started (never followed by [DONE]).
 */
export class OpenAIStreamEncoder {
  private started = false;
  private ended = false;
  private usage: Usage | undefined;

  constructor(private readonly options: OpenAIStreamEncoderOptions) {}

  private chunk(delta: OpenAIChunk['choices'][number]['delta'], finish: OpenAIFinishReason | null): OpenAIChunk {
    const { id, model, created } = this.options;
    return { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
  }

  encode(event: StreamEvent): OpenAIChunk[] {
    if (this.ended) return [];
    const out: OpenAIChunk[] = [];
    if (event.type === 'usage') {
      this.usage = cleanUsage(event.usage);
      return out;
    }
    if (!this.started) {
      this.started = true;
      out.push(this.chunk({ role: 'assistant', content: '' }, null));
    }
    if (event.type === 'delta') {
      if (event.text) out.push(this.chunk({ content: event.text }, null));
      return out;
    }
    this.ended = true;
    out.push(this.chunk({}, finishReasonToOpenAI(event.finishReason)));
    if (this.options.includeUsage && this.usage) {
      const { id, model, created } = this.options;
      out.push({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageToOpenAI(this.usage) });
    }
    return out;
  }

  encodeSSE(event: StreamEvent): string {
    const text = this.encode(event).map((c) => sseFrame(c)).join('');
    return event.type === 'done' && text ? text + sseFrame('[DONE]') : text;
  }

  error(message: string, code: string | null = 'stream_cut', type = 'server_error'): OpenAIStreamError {
    this.ended = true;
    return { error: { message, type, code } };
  }

  errorSSE(message: string, code: string | null = 'stream_cut', type = 'server_error'): string {
    return sseFrame(this.error(message, code, type));
  }
}
