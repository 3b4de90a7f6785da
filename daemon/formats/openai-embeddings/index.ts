/**
 * OpenAI embeddings (`POST /v1/embeddings`), to an embedding model the rules name. Only passthrough: the body goes
 * as it came with `model` replaced, the answer comes back byte for byte, and its usage is recorded.
 */
import type { CanonicalRequest, CanonicalResponse } from '../../../shared/canonical';
import { asText, invalid, isRecord } from '../common';
import { codec as chat } from '../openai-chat/index';
import { UnsupportedFieldError, type FormatCodec, type TargetInfo } from '../types';
import { ProviderError } from '../../providers/types';

function inputText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.join('\n');
  if (Array.isArray(v)) return asText(v);
  invalid('input', 'input must be a string, an array of strings, or token ids');
}

function parseRequest(body: unknown) {
  if (!isRecord(body)) invalid('body', 'the request body must be a JSON object');
  if (typeof body.model !== 'string' || !body.model) invalid('model', 'model must be a non-empty string');
  if (body.input === undefined || body.input === null) invalid('input', 'input is required');
  if (body.stream !== undefined) invalid('stream', 'embeddings are not streamed');
  const request: CanonicalRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: inputText(body.input) }] }], stream: false, untranslatable: ['input'] };
  return { model: body.model, request };
}

function decodeResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body) || !Array.isArray(body.data)) throw new ProviderError('malformed', 'upstream embeddings response has no data array');
  const u = isRecord(body.usage) ? body.usage : {};
  const inputTokens = typeof u.prompt_tokens === 'number' ? u.prompt_tokens : typeof u.total_tokens === 'number' ? u.total_tokens : 0;
  return { id: '', model: typeof body.model === 'string' ? body.model : '', content: [], finishReason: 'stop', usage: { inputTokens, outputTokens: 0 } };
}

const refuse = (target: TargetInfo): never => {
  throw new UnsupportedFieldError('input', `${target.providerType} model ${target.model}`, 'embeddings go only to an OpenAI or OpenAI-compatible embeddings endpoint');
};

export const codec: FormatCodec = {
  format: 'openai-embeddings',
  parseRequest,
  encodeResponse: (res, ctx) => ({ object: 'list', data: [], model: res.model || ctx.model, usage: { prompt_tokens: res.usage?.inputTokens ?? 0, total_tokens: res.usage?.inputTokens ?? 0 } }),
  streamEncoder: () => ({ encode: () => '', error: () => '' }),
  encodeError: chat.encodeError,
  buildRequest: (_request, target) => refuse(target),
  passthroughBody: (request, target) => ({ ...request.raw.body, model: target.model }),
  decodeResponse,
  streamDecoder: () => { throw new ProviderError('malformed', 'embeddings are not streamed'); },
  relayFrame: () => '',
  decodeError: chat.decodeError,
};
