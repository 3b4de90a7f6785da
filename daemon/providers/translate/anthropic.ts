/**
 * Anthropic messages wire format ⇄ canonical. Pure functions (no I/O, no clock) plus two small stateful
 * stream helpers: a decoder for upstream SSE events and an encoder that re-emits canonical events as
 * Anthropic events for a caller of the daemon's `/v1/messages`.
 */
import type { CanonicalRequest, CanonicalResponse, FinishReason, StreamEvent, Usage } from '../../../shared/canonical';
import type { ChatMessage } from '../../../shared/decision';
import { ProviderError } from '../types';
import {
  asText, cleanUsage, count, invalid, isRecord, readMaxTokens, readStream, readTemperature, refusePart, sseFrame, unsupported,
} from '../../formats/common';

/** Anthropic requires `max_tokens`; this is sent when the canonical request has none. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

// ---- wire types (the subset Switchyard reads and writes) ----

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: string;
  temperature?: number;
  stop_sequences?: string[];
  stream: boolean;
}

export type AnthropicStopReason =
  | 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: { type: 'text'; text: string }[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicResponse }
  | { type: 'content_block_start'; index: number; content_block: { type: 'text'; text: string } }
  | { type: 'content_block_delta'; index: number; delta: { type: 'text_delta'; text: string } }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null }; usage: Partial<AnthropicUsage> & { output_tokens: number } }
  | { type: 'message_stop' }
  | { type: 'error'; error: { type: string; message: string } };

// ---- stop reasons and usage ----

export function finishReasonFromAnthropic(reason: unknown): FinishReason {
  switch (reason) {
    case 'end_turn': return 'stop';
    case 'stop_sequence': return 'stop_sequence';
    case 'max_tokens':
    case 'model_context_window_exceeded': return 'length';
    case 'tool_use': return 'tool_calls';
    case 'refusal': return 'content_filter';
    default: return 'other';
  }
}

export function finishReasonToAnthropic(reason: FinishReason): AnthropicStopReason {
  switch (reason) {
    case 'stop_sequence': return 'stop_sequence';
    case 'length': return 'max_tokens';
    case 'tool_calls': return 'tool_use';
    case 'content_filter': return 'refusal';
    default: return 'end_turn';
  }
}

/**
 * Anthropic `usage` → canonical. Anthropic's `input_tokens` excludes cache reads and cache writes; canonical
 * `inputTokens` counts them all, with `cachedInputTokens` = the cache reads and `cacheWriteInputTokens` = the
 * cache writes. `output_tokens_details.thinking_tokens`
 * becomes `reasoningTokens`.
 */
export function usageFromAnthropic(u: unknown): Usage | undefined {
  if (!isRecord(u) || typeof u.input_tokens !== 'number' || typeof u.output_tokens !== 'number') return undefined;
  const usage: Usage = {
    inputTokens: u.input_tokens + count(u.cache_read_input_tokens) + count(u.cache_creation_input_tokens),
    outputTokens: u.output_tokens,
  };
  if (typeof u.cache_read_input_tokens === 'number') usage.cachedInputTokens = u.cache_read_input_tokens;
  if (typeof u.cache_creation_input_tokens === 'number') usage.cacheWriteInputTokens = u.cache_creation_input_tokens;
  const thinking = isRecord(u.output_tokens_details) ? u.output_tokens_details.thinking_tokens : undefined;
  if (typeof thinking === 'number') usage.reasoningTokens = thinking;
  return usage;
}

export function usageToAnthropic(u: Usage): AnthropicUsage {
  const cached = u.cachedInputTokens ?? 0;
  const written = u.cacheWriteInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, u.inputTokens - cached - written),
    output_tokens: u.outputTokens,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: written,
  };
}

// ---- requests ----

export interface ToAnthropicOptions {
  /** Sent when the canonical request has no maxTokens. Default 4096. */
  defaultMaxTokens?: number;
}

/**
 * Canonical request → Anthropic messages body for `model`. The system prompt goes top-level; `max_tokens` is
 * always present; temperature is clamped to Anthropic's 0–1 range (an OpenAI caller may send up to 2, and a
 * request that would be refused with 400 could not fall back).
 */
export function toAnthropicRequest(req: CanonicalRequest, model: string, options: ToAnthropicOptions = {}): AnthropicRequest {
  const body: AnthropicRequest = {
    model,
    max_tokens: req.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
    messages: req.messages.map((m) => ({ role: m.role, content: m.content })),
    stream: req.stream,
  };
  if (req.system) body.system = req.system;
  if (req.temperature !== undefined) body.temperature = Math.min(1, Math.max(0, req.temperature));
  if (req.stop && req.stop.length > 0) body.stop_sequences = [...req.stop];
  return body;
}

export interface ParsedAnthropicRequest {
  /** The `model` the caller asked for (`switchyard/auto`, a tier, a model name…); routing decides. */
  model: string;
  request: CanonicalRequest;
}

function textBlocks(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) invalid(param, `${param} must be a string or an array of text blocks`);
  const texts: string[] = [];
  content.forEach((block, i) => {
    const p = `${param}[${i}]`;
    if (!isRecord(block)) invalid(p, `${p} must be an object`);
    if (block.type !== 'text') refusePart(`${p}.type`, block.type);
    if (typeof block.text !== 'string') invalid(`${p}.text`, `${p}.text must be a string`);
    texts.push(block.text);
  });
  return texts.join('\n');
}

/**
 * A body a client POSTed to the daemon's `/v1/messages` → canonical. `max_tokens` is optional here (the real
 * API requires it; we accept its absence). Images, documents and tools are refused with a RequestFormatError.
 */
export function fromAnthropicRequest(body: unknown): ParsedAnthropicRequest {
  if (!isRecord(body)) invalid('body', 'the request body must be a JSON object');
  if (typeof body.model !== 'string' || !body.model) invalid('model', 'model must be a non-empty string');
  if (Array.isArray(body.tools) && body.tools.length > 0) unsupported('tools', 'tool use is not supported by Switchyard yet (tools)');
  if (!Array.isArray(body.messages) || body.messages.length === 0) invalid('messages', 'messages must be a non-empty array');

  const messages: ChatMessage[] = body.messages.map((m, i) => {
    const p = `messages[${i}]`;
    if (!isRecord(m)) invalid(p, `${p} must be an object`);
    if (m.role !== 'user' && m.role !== 'assistant') invalid(`${p}.role`, `${p}.role must be user or assistant`);
    return { role: m.role, content: textBlocks(m.content, `${p}.content`) };
  });
  if (!messages.some((m) => m.role === 'user')) invalid('messages', 'messages must contain at least one user message');

  const request: CanonicalRequest = { messages, stream: readStream(body.stream) };
  if (body.system !== undefined && body.system !== null) {
    const system = textBlocks(body.system, 'system');
    if (system) request.system = system;
  }
  const temperature = readTemperature(body.temperature);
  if (temperature !== undefined) request.temperature = temperature;
  const maxTokens = readMaxTokens(body.max_tokens, 'max_tokens');
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  if (body.stop_sequences !== undefined && body.stop_sequences !== null) {
    if (!Array.isArray(body.stop_sequences) || !body.stop_sequences.every((s) => typeof s === 'string')) {
      invalid('stop_sequences', 'stop_sequences must be an array of strings');
    }
    if (body.stop_sequences.length) request.stop = [...body.stop_sequences];
  }
  return { model: body.model, request };
}

// ---- responses ----

export interface ToAnthropicResponseOptions {
  /** Model to report (default: the one the upstream reported). */
  model?: string;
}

export function toAnthropicResponse(res: CanonicalResponse, options: ToAnthropicResponseOptions = {}): AnthropicResponse {
  return {
    id: res.id,
    type: 'message',
    role: 'assistant',
    model: options.model ?? res.model,
    content: [{ type: 'text', text: res.text }],
    stop_reason: finishReasonToAnthropic(res.finishReason),
    stop_sequence: null,
    usage: res.usage ? usageToAnthropic(res.usage) : { input_tokens: 0, output_tokens: 0 },
  };
}

/** An upstream Anthropic JSON response → canonical. Throws ProviderError('malformed'). */
export function fromAnthropicResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) throw new ProviderError('malformed', 'upstream response is not a JSON object');
  if (!Array.isArray(body.content)) throw new ProviderError('malformed', 'upstream response has no content array');
  let text = '';
  for (const block of body.content) {
    if (isRecord(block) && block.type === 'text' && typeof block.text === 'string') text += block.text;
  }
  const res: CanonicalResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    text,
    finishReason: finishReasonFromAnthropic(body.stop_reason),
  };
  const usage = usageFromAnthropic(body.usage);
  if (usage) res.usage = usage;
  return res;
}

/** Anthropic error `type` → the HTTP status it stands for (errors sent inside a stream carry no status). */
export function statusForAnthropicErrorType(type: unknown): number {
  switch (type) {
    case 'invalid_request_error': return 400;
    case 'authentication_error': return 401;
    case 'billing_error': return 402;
    case 'permission_error': return 403;
    case 'not_found_error': return 404;
    case 'request_too_large': return 413;
    case 'rate_limit_error': return 429;
    case 'timeout_error': return 504;
    case 'overloaded_error': return 529;
    default: return 500;
  }
}

// ---- streaming: upstream SSE events → canonical events ----

/**
 * Feed it each upstream SSE event (`event:` name and `data:` payload), in order. Text deltas come out as they
 * arrive; `usage` at `message_start` (input tokens) and again at `message_delta` (final output tokens) — the
 * latest usage wins; `done` only at `message_stop`. `finished` stays false until then, so a stream that ends
 * early is recognisably cut. Throws ProviderError (`malformed`, or `http` for an `error` event).
 */
export class AnthropicStreamDecoder {
  private raw: Record<string, unknown> = {};
  private finish: FinishReason | undefined;
  private id: string | undefined;
  private model: string | undefined;
  private done = false;

  get finished(): boolean {
    return this.done;
  }

  private usageEvent(u: unknown): StreamEvent[] {
    if (!isRecord(u)) return [];
    for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) this.raw[k] = v;
    const usage = usageFromAnthropic(this.raw);
    return usage ? [{ type: 'usage', usage }] : [];
  }

  push(event: string | undefined, data: string): StreamEvent[] {
    if (this.done) return [];
    let ev: unknown;
    try {
      ev = JSON.parse(data);
    } catch {
      throw new ProviderError('malformed', `unparseable stream event${event ? ` "${event}"` : ''}: ${data.slice(0, 80)}`);
    }
    if (!isRecord(ev)) throw new ProviderError('malformed', 'stream event is not a JSON object');
    const type = typeof ev.type === 'string' ? ev.type : event;
    switch (type) {
      case 'message_start': {
        if (!isRecord(ev.message)) throw new ProviderError('malformed', 'message_start without a message');
        if (typeof ev.message.id === 'string') this.id = ev.message.id;
        if (typeof ev.message.model === 'string') this.model = ev.message.model;
        return this.usageEvent(ev.message.usage);
      }
      case 'content_block_start': {
        const b = ev.content_block;
        return isRecord(b) && b.type === 'text' && typeof b.text === 'string' && b.text ? [{ type: 'delta', text: b.text }] : [];
      }
      case 'content_block_delta': {
        const d = ev.delta;
        return isRecord(d) && d.type === 'text_delta' && typeof d.text === 'string' && d.text ? [{ type: 'delta', text: d.text }] : [];
      }
      case 'message_delta': {
        if (isRecord(ev.delta) && typeof ev.delta.stop_reason === 'string') this.finish = finishReasonFromAnthropic(ev.delta.stop_reason);
        return this.usageEvent(ev.usage);
      }
      case 'message_stop': {
        this.done = true;
        const out: StreamEvent = { type: 'done', finishReason: this.finish ?? 'other' };
        if (this.id) out.id = this.id;
        if (this.model) out.model = this.model;
        return [out];
      }
      case 'error': {
        const e = isRecord(ev.error) ? ev.error : {};
        throw new ProviderError('http', `error inside the stream: ${asText(e.message ?? e.type ?? 'unknown')}`, statusForAnthropicErrorType(e.type));
      }
      default:
        // ping, content_block_stop, and event types added later.
        return [];
    }
  }
}

// ---- streaming: canonical events → Anthropic events for the daemon's callers ----

export interface AnthropicStreamEncoderOptions {
  id: string;
  model: string;
  /** Reported in `message_start` when no usage has been seen yet (e.g. the daemon's estimate). */
  inputTokens?: number;
}

/**
 * One per response stream. The first event of any kind opens the message (`message_start`, then
 * `content_block_start` for one text block); deltas become `content_block_delta`; usage is held; `done` closes
 * with `content_block_stop`, `message_delta` (stop reason and usage) and `message_stop`. `encodeSSE` gives SSE
 * text with `event:` names. `error` builds the `error` event for a stream that fails after it started.
 */
export class AnthropicStreamEncoder {
  private started = false;
  private ended = false;
  private usage: Usage | undefined;

  constructor(private readonly options: AnthropicStreamEncoderOptions) {}

  private start(): AnthropicStreamEvent[] {
    this.started = true;
    const usage = this.usage ? usageToAnthropic(this.usage) : { input_tokens: this.options.inputTokens ?? 0, output_tokens: 0 };
    return [
      {
        type: 'message_start',
        message: {
          id: this.options.id, type: 'message', role: 'assistant', model: this.options.model, content: [],
          stop_reason: null, stop_sequence: null, usage,
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ];
  }

  encode(event: StreamEvent): AnthropicStreamEvent[] {
    if (this.ended) return [];
    if (event.type === 'usage') this.usage = cleanUsage(event.usage);
    const out = this.started ? [] : this.start();
    if (event.type === 'delta') {
      if (event.text) out.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: event.text } });
    } else if (event.type === 'done') {
      this.ended = true;
      const usage = this.usage ? usageToAnthropic(this.usage) : { input_tokens: this.options.inputTokens ?? 0, output_tokens: 0 };
      out.push(
        { type: 'content_block_stop', index: 0 },
        { type: 'message_delta', delta: { stop_reason: finishReasonToAnthropic(event.finishReason), stop_sequence: null }, usage },
        { type: 'message_stop' },
      );
    }
    return out;
  }

  encodeSSE(event: StreamEvent): string {
    return this.encode(event).map((e) => sseFrame(e, e.type)).join('');
  }

  error(message: string, type = 'api_error'): AnthropicStreamEvent {
    this.ended = true;
    return { type: 'error', error: { type, message } };
  }

  errorSSE(message: string, type = 'api_error'): string {
    return sseFrame(this.error(message, type), 'error');
  }
}
