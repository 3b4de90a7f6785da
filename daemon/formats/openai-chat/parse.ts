/**
 * A body POSTed to `/v1/chat/completions` → canonical. Malformed fields are a RequestFormatError (400) naming
 * them. Fields canonical cannot hold (audio, logprobs, penalties, custom tools, a field Switchyard has never heard
 * of…) are listed in `untranslatable` by path: a same-format upstream gets the caller's body as it came, any other
 * refuses them by name. A field at its default value (`frequency_penalty: 0`, `n: 1`…) asks for nothing and is not
 * listed.
 */
import type { CanonicalRequest, Reasoning, ResponseFormat } from '../../../shared/canonical';
import { asText, invalid, isRecord, readMaxTokens, readStream, readTemperature } from '../common';
import type { ParsedRequest } from '../types';
import type { Untranslatable } from './parseContent';
import { parseMessages } from './parseMessages';
import { parseTools } from './parseTools';

/** Fields whose default value asks for nothing; any other value has no canonical form. */
const NEUTRAL: Record<string, string> = Object.fromEntries(Object.entries({
  frequency_penalty: 0, presence_penalty: 0, logit_bias: {}, logprobs: false, top_logprobs: 0, metadata: {},
  modalities: ['text'], service_tier: 'auto', store: false, verbosity: 'medium',
}).map(([k, v]) => [k, JSON.stringify(v)]));
/** Fields canonical cannot hold in any value. */
const UNTRANSLATABLE = ['audio', 'moderation', 'prediction', 'web_search_options'];
/**
 * Prompt-cache hints: they say where OpenAI looks for a cached prefix, never change the answer, and no other format
 * has them; they reach a same-format upstream and are removed elsewhere.
 */
const CACHE_HINTS = ['prompt_cache_key', 'prompt_cache_options', 'prompt_cache_retention'];
const PARSED = [
  'model', 'messages', 'tools', 'functions', 'tool_choice', 'function_call', 'parallel_tool_calls', 'response_format',
  'reasoning_effort', 'temperature', 'top_p', 'top_k', 'seed', 'max_completion_tokens', 'max_tokens', 'stop', 'user',
  'safety_identifier', 'n', 'stream', 'stream_options',
];
const KNOWN = new Set([...PARSED, ...Object.keys(NEUTRAL), ...UNTRANSLATABLE, ...CACHE_HINTS]);
const STREAM_OPTION_KEYS = new Set(['include_usage', 'include_obfuscation']);

const present = (v: unknown): boolean => v !== undefined && v !== null;

function topLevelUntranslatable(body: Record<string, unknown>, note: Untranslatable): void {
  for (const [key, v] of Object.entries(body)) {
    if (!present(v)) continue;
    if (Object.hasOwn(NEUTRAL, key)) {
      if (JSON.stringify(v) !== NEUTRAL[key]) note(key);
    } else if (!KNOWN.has(key) || UNTRANSLATABLE.includes(key)) note(key);
  }
}

function number(v: unknown, param: string, min: number, max: number): number | undefined {
  if (!present(v)) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) invalid(param, `${param} must be a number from ${min} to ${max}, got ${asText(v)}`);
  return v;
}

function integer(v: unknown, param: string, min: number, max: number): number | undefined {
  if (!present(v)) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) invalid(param, `${param} must be a whole number from ${min} to ${max}, got ${asText(v)}`);
  return v;
}

function optionalString(v: unknown, param: string): string | undefined {
  if (!present(v)) return undefined;
  if (typeof v !== 'string') invalid(param, `${param} must be a string`);
  return v;
}

function stopList(v: unknown): string[] | undefined {
  if (!present(v)) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.length ? [...v] : undefined;
  invalid('stop', 'stop must be a string or an array of strings');
}

/** `reasoning_effort`: `none` turns reasoning off; efforts beyond `high` (`xhigh`, `max`) have no canonical value. */
function reasoning(v: unknown, note: Untranslatable): Reasoning | undefined {
  if (!present(v)) return undefined;
  if (typeof v !== 'string') invalid('reasoning_effort', `reasoning_effort must be a string, got ${asText(v)}`);
  if (v === 'none') return { enabled: false };
  if (v === 'minimal' || v === 'low' || v === 'medium' || v === 'high') return { enabled: true, effort: v };
  note('reasoning_effort');
  return { enabled: true };
}

function responseFormat(v: unknown, note: Untranslatable): ResponseFormat | undefined {
  if (!present(v)) return undefined;
  if (!isRecord(v) || typeof v.type !== 'string') invalid('response_format', `response_format must be an object with a type, got ${asText(v)}`);
  switch (v.type) {
    case 'text': return undefined; // the default
    case 'json_object': return { type: 'json_object' };
    case 'json_schema': {
      const js = v.json_schema;
      if (!isRecord(js) || typeof js.name !== 'string' || !js.name) invalid('response_format.json_schema', 'response_format.json_schema must be an object with a name');
      if (present(js.schema) && !isRecord(js.schema)) invalid('response_format.json_schema.schema', 'response_format.json_schema.schema must be a JSON Schema object');
      const out: ResponseFormat = { type: 'json_schema', name: js.name, schema: isRecord(js.schema) ? js.schema : {} };
      if (typeof js.strict === 'boolean') out.strict = js.strict;
      const description = optionalString(js.description, 'response_format.json_schema.description');
      if (description !== undefined) out.description = description;
      return out;
    }
    default:
      note('response_format');
      return undefined;
  }
}

/**
 * `user` and `safety_identifier` both identify the end user; canonical has one `user`. Two different values
 * cannot both be kept, so the second is untranslatable.
 */
function user(body: Record<string, unknown>, note: Untranslatable): string | undefined {
  const u = optionalString(body.user, 'user');
  const safety = optionalString(body.safety_identifier, 'safety_identifier');
  if (u !== undefined && safety !== undefined && u !== safety) note('safety_identifier');
  return u ?? safety;
}

function includeUsage(v: unknown, note: Untranslatable): boolean {
  if (!present(v)) return false;
  if (!isRecord(v)) invalid('stream_options', 'stream_options must be an object');
  for (const k of Object.keys(v)) if (!STREAM_OPTION_KEYS.has(k) && present(v[k])) note(`stream_options.${k}`);
  if (present(v.include_usage) && typeof v.include_usage !== 'boolean') invalid('stream_options.include_usage', 'stream_options.include_usage must be a boolean');
  return v.include_usage === true;
}

export function parseRequest(body: unknown): ParsedRequest {
  if (!isRecord(body)) invalid('body', 'the request body must be a JSON object');
  if (typeof body.model !== 'string' || !body.model) invalid('model', 'model must be a non-empty string');
  const untranslatable: string[] = [];
  const note: Untranslatable = (path) => {
    if (!untranslatable.includes(path)) untranslatable.push(path);
  };
  topLevelUntranslatable(body, note);
  const { system, messages } = parseMessages(body.messages, note);
  const request: CanonicalRequest = { messages, stream: readStream(body.stream) };
  if (system.length) request.system = system;
  Object.assign(request, parseTools(body, note));
  const set = <K extends keyof CanonicalRequest>(key: K, v: CanonicalRequest[K] | undefined) => {
    if (v !== undefined) request[key] = v;
  };
  set('responseFormat', responseFormat(body.response_format, note));
  set('reasoning', reasoning(body.reasoning_effort, note));
  set('temperature', readTemperature(body.temperature));
  set('topP', number(body.top_p, 'top_p', 0, 1));
  // top_k is not OpenAI's, but the compatible servers (vLLM, Ollama, llama.cpp) take it; -1 and 0 mean "off" there.
  const topK = integer(body.top_k, 'top_k', -1, 1_000_000);
  if (topK !== undefined && topK > 0) request.topK = topK;
  set('seed', integer(body.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
  set('maxTokens', present(body.max_completion_tokens)
    ? readMaxTokens(body.max_completion_tokens, 'max_completion_tokens')
    : readMaxTokens(body.max_tokens, 'max_tokens'));
  set('stop', stopList(body.stop));
  set('user', user(body, note));
  const n = integer(body.n, 'n', 1, 128);
  if (n !== undefined && n > 1) request.n = n;
  if (includeUsage(body.stream_options, note)) request.includeUsage = true;
  if (untranslatable.length) request.untranslatable = untranslatable;
  request.raw = { format: 'openai-chat', body };
  return { model: body.model, request };
}
