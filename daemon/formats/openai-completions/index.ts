/**
 * Legacy OpenAI completions (`POST /v1/completions`): what editors use for fill-in-the-middle autocomplete
 * (`prompt` + `suffix`) against OpenAI-compatible servers. Only passthrough: no other format can express a raw
 * prompt with a suffix, so the whole body is untranslatable and a candidate of another format is refused.
 */
import type { CanonicalRequest, CanonicalResponse, FinishReason, StreamEvent } from '../../../shared/canonical';
import { asText, invalid, isRecord, readMaxTokens, readStream, readTemperature, sseFrame } from '../common';
import { codec as chat } from '../openai-chat/index';
import { UnsupportedFieldError, type FormatCodec, type SSEMessage, type StreamDecoder, type TargetInfo } from '../types';
import { ProviderError } from '../../providers/types';

const finishReason = (v: unknown): FinishReason => (v === 'stop' ? 'stop' : v === 'length' ? 'length' : v === 'content_filter' ? 'content_filter' : 'other');

function usageOf(u: unknown) {
  if (!isRecord(u) || typeof u.prompt_tokens !== 'number' || typeof u.completion_tokens !== 'number') return undefined;
  return { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens };
}

function promptText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.join('\n');
  // Token arrays are valid upstream; the router reads them as their numbers' text (a rough count).
  if (Array.isArray(v)) return asText(v);
  invalid('prompt', 'prompt must be a string, an array of strings, or token ids');
}

function parseRequest(body: unknown) {
  if (!isRecord(body)) invalid('body', 'the request body must be a JSON object');
  if (typeof body.model !== 'string' || !body.model) invalid('model', 'model must be a non-empty string');
  if (body.prompt === undefined || body.prompt === null) invalid('prompt', 'prompt is required');
  const text = promptText(body.prompt);
  const suffix = typeof body.suffix === 'string' ? body.suffix : '';
  const request: CanonicalRequest = {
    // The router sees the code around the cursor; the upstream gets the body as it came.
    messages: [{ role: 'user', content: [{ type: 'text', text: suffix ? `${text}\n${suffix}` : text }] }],
    stream: readStream(body.stream),
    untranslatable: ['prompt'],
  };
  const maxTokens = readMaxTokens(body.max_tokens, 'max_tokens');
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  const temperature = readTemperature(body.temperature);
  if (temperature !== undefined) request.temperature = temperature;
  if (isRecord(body.stream_options) && body.stream_options.include_usage === true) request.includeUsage = true;
  return { model: body.model, request };
}

function decodeResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) throw new ProviderError('malformed', 'upstream response is not a JSON object');
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(choice) || typeof choice.text !== 'string') throw new ProviderError('malformed', 'upstream response has no choices[0].text');
  const res: CanonicalResponse = {
    id: typeof body.id === 'string' ? body.id : '', model: typeof body.model === 'string' ? body.model : '',
    content: [{ type: 'text', text: choice.text }], finishReason: finishReason(choice.finish_reason),
  };
  const usage = usageOf(body.usage);
  if (usage) res.usage = usage;
  return res;
}

class CompletionsDecoder implements StreamDecoder {
  private done = false;
  private finish: FinishReason = 'other';
  id?: string;
  get finished() { return this.done; }
  decode(message: SSEMessage): StreamEvent[] {
    if (this.done) return [];
    if (message.data.trim() === '[DONE]') {
      this.done = true;
      return [{ type: 'done', finishReason: this.finish, ...(this.id ? { id: this.id } : {}) }];
    }
    let chunk: unknown;
    try { chunk = JSON.parse(message.data); } catch { throw new ProviderError('malformed', `unparseable stream chunk: ${message.data.slice(0, 80)}`); }
    if (!isRecord(chunk)) throw new ProviderError('malformed', 'stream chunk is not a JSON object');
    if (isRecord(chunk.error)) throw new ProviderError('http', `error inside the stream: ${asText(chunk.error.message ?? 'unknown')}`, 500);
    if (typeof chunk.id === 'string') this.id ??= chunk.id;
    const out: StreamEvent[] = [];
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (isRecord(choice)) {
      if (typeof choice.text === 'string' && choice.text) out.push({ type: 'delta', text: choice.text });
      if (typeof choice.finish_reason === 'string') this.finish = finishReason(choice.finish_reason);
    }
    const usage = usageOf(chunk.usage);
    if (usage) out.push({ type: 'usage', usage });
    return out;
  }
}

const refuse = (target: TargetInfo): never => {
  throw new UnsupportedFieldError('prompt', `${target.providerType} model ${target.model}`, 'legacy completions (prompt + suffix) go only to an OpenAI or OpenAI-compatible completions endpoint');
};

export const codec: FormatCodec = {
  format: 'openai-completions',
  parseRequest,
  encodeResponse: (res, ctx) => ({
    id: res.id || ctx.id, object: 'text_completion', created: ctx.created, model: ctx.model,
    choices: [{ index: 0, text: res.content.map((p) => (p.type === 'text' ? p.text : '')).join(''), logprobs: null, finish_reason: res.finishReason === 'length' ? 'length' : 'stop' }],
    ...(res.usage ? { usage: { prompt_tokens: res.usage.inputTokens, completion_tokens: res.usage.outputTokens, total_tokens: res.usage.inputTokens + res.usage.outputTokens } } : {}),
  }),
  streamEncoder: (ctx) => ({
    encode: (ev) => {
      const chunk = (text: string, finish: string | null) => sseFrame({ id: ctx.id, object: 'text_completion', created: ctx.created, model: ctx.model, choices: [{ index: 0, text, logprobs: null, finish_reason: finish }] });
      if (ev.type === 'delta') return chunk(ev.text, null);
      if (ev.type === 'done') return chunk('', ev.finishReason === 'length' ? 'length' : 'stop') + sseFrame('[DONE]');
      return '';
    },
    error: (message, code, type) => sseFrame({ error: { message, type, code } }),
  }),
  encodeError: chat.encodeError,
  buildRequest: (_request, target) => refuse(target),
  passthroughBody: (request, target) => {
    const body: Record<string, unknown> = { ...request.raw.body, model: target.model };
    // Switchyard owns the usage chunk of a stream: the ledger needs it (relayFrame holds it back if unasked).
    if (request.stream) body.stream_options = { ...(isRecord(request.raw.body.stream_options) ? request.raw.body.stream_options : {}), include_usage: true };
    return body;
  },
  decodeResponse,
  streamDecoder: () => new CompletionsDecoder(),
  relayFrame: (message, request) => {
    if (!request.includeUsage && message.data.includes('"usage"')) {
      try {
        const chunk = JSON.parse(message.data) as Record<string, unknown>;
        if (Array.isArray(chunk.choices) && chunk.choices.length === 0) return '';
      } catch { /* relayed as it came */ }
    }
    return sseFrame(message.data, message.event);
  },
  decodeError: chat.decodeError,
};
