/**
 * An abstract conversation (helpers/conversation.ts) written out as a body of each wire format a caller speaks —
 * OpenAI chat completions, Anthropic messages, the OpenAI Responses API — with each format's own spelling of tools,
 * tool choice, tool calls and results, images, documents, thinking, structured output, reasoning, sampling and ids;
 * Responses bodies also get what Codex and the SDKs add (built-in and namespace tools, state, storage, includes).
 * Beside them, bodies that combine the formats' documented fields (the field tables in daemon/formats/<format>/
 * fields.ts), and count_tokens cases (a messages body without max_tokens).
 */
import fc from 'fast-check';
import { encryptedFor } from '../../../daemon/formats/openai-responses/reasoning';
import { MINIMAL_BODY as ANTHROPIC_MINIMAL, REQUEST_FIELDS as ANTHROPIC_FIELDS } from '../../../daemon/formats/anthropic/fields';
import { MINIMAL_BODY as CHAT_MINIMAL, REQUEST_FIELDS as CHAT_FIELDS } from '../../../daemon/formats/openai-chat/fields';
import { MINIMAL_BODY as RESPONSES_MINIMAL, REQUEST_FIELDS as RESPONSES_FIELDS } from '../../../daemon/formats/openai-responses/fields';
import type { FieldRule } from '../../../daemon/formats/types';
import { encryptReasoning, thinkingSignature } from '../../fixtures/mock-upstream';
import { anyJson, deepValue, hostileName, mutated, toJsonText } from './arbitraries';
import { conversation, dropUndefined, resultsOf, sometimes, type Cache, type Choice, type Conversation, type Media, type Reasoning, type Structured, type Thinking, type UserItem } from './conversation';
import { agentHeaders, agentModel, ANTHROPIC_MODELS, OPENAI_MODELS } from './surface';

const parsedArgs = (s: string): unknown => { try { return JSON.parse(s); } catch { return s; } };
const dataUrl = (m: { mediaType: string; data: string }) => `data:${m.mediaType};base64,${m.data}`;

// ---- written out as OpenAI chat completions ----

function chatCache(c: Cache): Record<string, unknown> {
  return c === undefined ? {} : { prompt_cache_breakpoint: c === 'bogus' ? { mode: 'implicit' } : { mode: 'explicit' } };
}

function chatPart(item: UserItem): Record<string, unknown> {
  if (item.t === 'text') return { type: 'text', text: item.text, ...chatCache(item.cache) };
  const m = item.media;
  if (item.t === 'image') {
    const detail = item.detail ? { detail: item.detail } : {};
    switch (m.kind) {
      case 'url': return { type: 'image_url', image_url: { url: m.url, ...detail } };
      case 'data': return { type: 'image_url', image_url: { url: dataUrl(m), ...detail } };
      case 'file': return { type: 'file', file: { file_id: m.id } };
      case 'text': return { type: 'text', text: m.data };
      case 'garbage': return { type: 'image_url', image_url: typeof m.value === 'string' ? { url: m.value } : m.value };
    }
  }
  switch (m.kind) {
    case 'data': return { type: 'file', file: { file_data: dataUrl(m), ...(item.title ? { filename: item.title } : {}) }, ...chatCache(item.cache) };
    case 'file': return { type: 'file', file: { file_id: m.id } };
    case 'url': return { type: 'file', file: { file_url: m.url } };
    case 'text': return { type: 'text', text: m.data };
    case 'garbage': return { type: 'file', file: m.value };
  }
}

const chatContent = (items: UserItem[]) => (items.length === 1 && items[0].t === 'text' && !items[0].cache ? items[0].text : items.map(chatPart));

function chatThinking(t: Thinking): Record<string, unknown> {
  if (t.signature === 'redacted') return { reasoning_content: t.text, thinking_blocks: [{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }] };
  if (t.signature === 'none' || t.signature.startsWith('carried')) return { reasoning_content: t.text };
  return { reasoning_content: t.text, thinking_blocks: [{ type: 'thinking', thinking: t.text, signature: t.signature === 'valid' ? thinkingSignature(t.text) : 'EqQBbogus' }] };
}

function chatToolChoice(c: Choice): unknown {
  if (typeof c === 'string') return c;
  if ('name' in c) return { type: 'function', function: { name: c.name } };
  if ('allowed' in c) return { type: 'allowed_tools', allowed_tools: { mode: c.mode, tools: c.allowed.map((name) => ({ type: 'function', function: { name } })) } };
  return c.garbage;
}

function chatFormat(s: Structured): unknown {
  if (s === 'text' || s === 'json_object') return { type: s };
  if ('garbage' in s) return s.garbage;
  return { type: 'json_schema', json_schema: dropUndefined({ name: s.name, schema: s.schema, strict: s.strict }) };
}

function toChat(c: Conversation, model: unknown): Record<string, unknown> {
  const messages: Record<string, unknown>[] = c.system.map((s, i) => ({ role: i % 2 ? 'developer' : 'system', content: s.cache ? [{ type: 'text', text: s.text, ...chatCache(s.cache) }] : s.text }));
  for (const r of c.rounds) {
    if (r.ask.length) messages.push({ role: 'user', content: chatContent(r.ask) });
    const assistant: Record<string, unknown> = { role: 'assistant', content: r.said ?? (r.calls.length ? null : '') };
    if (r.thinking) Object.assign(assistant, chatThinking(r.thinking));
    if (r.calls.length) assistant.tool_calls = r.calls.map((k) => ({ id: k.id, type: 'function', function: { name: k.name, arguments: k.args } }));
    messages.push(assistant);
    for (const res of resultsOf(r)) messages.push({ role: 'tool', tool_call_id: res.callId, content: typeof res.content === 'string' ? res.content : res.content.map(chatPart) });
  }
  if (c.final.length || messages.at(-1)?.role === 'assistant') messages.push({ role: 'user', content: c.final.length ? chatContent(c.final) : 'And now?' });
  const r = c.reasoning;
  return dropUndefined({
    model, messages, stream: c.stream,
    tools: c.tools.length ? c.tools.map((t) => ({ type: 'function', function: dropUndefined({ name: t.name, description: t.description, parameters: t.schema, strict: t.strict }) })) : undefined,
    tool_choice: c.choice === undefined ? undefined : chatToolChoice(c.choice),
    parallel_tool_calls: c.parallel,
    response_format: c.structured === undefined ? undefined : chatFormat(c.structured),
    reasoning_effort: r && typeof r === 'object' && 'effort' in r ? r.effort : r && typeof r === 'object' && 'garbage' in r ? r.garbage : undefined,
    max_completion_tokens: c.maxTokens,
    temperature: c.temperature, top_p: c.topP, top_k: c.topK, seed: c.seed, stop: c.stop, n: c.n,
    logprobs: c.logprobs, top_logprobs: c.topLogprobs, user: c.user,
    stream_options: c.stream && c.includeUsage !== undefined ? { include_usage: c.includeUsage } : undefined,
  });
}

// ---- written out as Anthropic messages ----

function anthropicCache(c: Cache): Record<string, unknown> {
  return c === undefined ? {} : { cache_control: c === '1h' ? { type: 'ephemeral', ttl: '1h' } : { type: c === 'bogus' ? 'persistent' : 'ephemeral' } };
}

function anthropicSource(m: Media): unknown {
  switch (m.kind) {
    case 'url': return { type: 'url', url: m.url };
    case 'data': return { type: 'base64', media_type: m.mediaType, data: m.data };
    case 'file': return { type: 'file', file_id: m.id };
    case 'text': return { type: 'text', media_type: 'text/plain', data: m.data };
    case 'garbage': return m.value;
  }
}

function anthropicBlock(item: UserItem): Record<string, unknown> {
  if (item.t === 'text') return { type: 'text', text: item.text, ...anthropicCache(item.cache) };
  if (item.t === 'image') return { type: 'image', source: anthropicSource(item.media) };
  return { type: 'document', source: anthropicSource(item.media), ...(item.title ? { title: item.title } : {}), ...anthropicCache(item.cache) };
}

function anthropicThinking(t: Thinking): Record<string, unknown> {
  if (t.signature === 'redacted') return { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' };
  if (t.signature === 'none') return { type: 'thinking', thinking: t.text };
  return { type: 'thinking', thinking: t.text, signature: t.signature === 'valid' ? thinkingSignature(t.text) : 'EqQBbogus' };
}

function anthropicToolChoice(c: Choice | undefined, parallel: boolean | undefined): unknown {
  const disable = parallel === undefined ? {} : { disable_parallel_tool_use: !parallel };
  if (c === undefined) return parallel === undefined ? undefined : { type: 'auto', ...disable };
  if (typeof c === 'string') return { type: c === 'required' ? 'any' : c, ...disable };
  if ('name' in c) return { type: 'tool', name: c.name, ...disable };
  if ('allowed' in c) return { type: c.mode === 'required' ? 'any' : c.mode, ...disable };
  return c.garbage;
}

function anthropicThinkingParam(r: Reasoning | undefined): Record<string, unknown> {
  if (r === undefined) return {};
  if (r === 'disabled' || r === 'adaptive') return { thinking: { type: r } };
  if ('budget' in r) return { thinking: { type: 'enabled', budget_tokens: r.budget } };
  if ('effort' in r) return { output_config: { effort: r.effort } };
  return { thinking: r.garbage };
}

function anthropicFormat(s: Structured | undefined): Record<string, unknown> {
  if (s === undefined || s === 'text') return {};
  if (s === 'json_object') return { output_format: { type: 'json_schema', schema: { type: 'object' } } };
  if ('garbage' in s) return { output_config: { format: s.garbage } };
  return { output_config: { format: { type: 'json_schema', schema: s.schema } } };
}

/** Messages of a role in a row merge into one (the format alternates), tool results first in a user turn. */
function pushTurn(messages: { role: string; content: Record<string, unknown>[] }[], role: 'user' | 'assistant', blocks: Record<string, unknown>[]): void {
  if (!blocks.length) return;
  const last = messages.at(-1);
  if (last?.role === role) last.content.push(...blocks);
  else messages.push({ role, content: blocks });
}

function toMessages(c: Conversation, model: unknown, opts: { maxTokens?: boolean } = {}): Record<string, unknown> {
  const messages: { role: string; content: Record<string, unknown>[] }[] = [];
  for (const r of c.rounds) {
    pushTurn(messages, 'user', r.ask.map(anthropicBlock));
    const said: Record<string, unknown>[] = [];
    if (r.thinking) said.push(anthropicThinking(r.thinking));
    if (r.said !== undefined) said.push({ type: 'text', text: r.said });
    for (const k of r.calls) said.push({ type: 'tool_use', id: k.id, name: k.name, input: parsedArgs(k.args) });
    pushTurn(messages, 'assistant', said.length ? said : [{ type: 'text', text: 'OK.' }]);
    pushTurn(messages, 'user', resultsOf(r).map((res) => ({
      type: 'tool_result', tool_use_id: res.callId, content: typeof res.content === 'string' ? res.content : res.content.map(anthropicBlock), ...(res.isError ? { is_error: true } : {}),
    })));
  }
  pushTurn(messages, 'user', c.final.map(anthropicBlock));
  if (messages.at(-1)?.role === 'assistant') messages.push({ role: 'user', content: [{ type: 'text', text: 'And now?' }] });
  const system = c.system.length === 1 && !c.system[0].cache ? c.system[0].text : c.system.length ? c.system.map((s) => ({ type: 'text', text: s.text, ...anthropicCache(s.cache) })) : undefined;
  return dropUndefined({
    model, messages, system, stream: c.stream,
    max_tokens: opts.maxTokens === false ? undefined : c.maxTokens ?? 1024,
    tools: c.tools.length ? c.tools.map((t) => dropUndefined({ name: t.name, description: t.description, input_schema: t.schema, strict: t.strict, ...anthropicCache(t.cache) })) : undefined,
    tool_choice: anthropicToolChoice(c.choice, c.parallel),
    ...anthropicThinkingParam(c.reasoning),
    ...anthropicFormat(c.structured),
    temperature: c.temperature, top_p: c.topP, top_k: c.topK,
    stop_sequences: c.stop,
    metadata: c.user === undefined ? undefined : { user_id: c.user },
  });
}

// ---- written out as an OpenAI Responses body ----

function responsesCache(c: Cache): Record<string, unknown> {
  return c === undefined ? {} : { prompt_cache_breakpoint: c === 'bogus' ? 'yes' : { mode: 'explicit' } };
}

function responsesPart(item: UserItem): Record<string, unknown> {
  if (item.t === 'text') return { type: 'input_text', text: item.text, ...responsesCache(item.cache) };
  const m = item.media;
  if (item.t === 'image') {
    const detail = item.detail ? { detail: item.detail } : {};
    switch (m.kind) {
      case 'url': return { type: 'input_image', image_url: m.url, ...detail };
      case 'data': return { type: 'input_image', image_url: dataUrl(m), ...detail };
      case 'file': return { type: 'input_image', file_id: m.id, ...detail };
      case 'text': return { type: 'input_text', text: m.data };
      case 'garbage': return { type: 'input_image', image_url: m.value };
    }
  }
  switch (m.kind) {
    case 'data': return { type: 'input_file', file_data: dataUrl(m), ...(item.title ? { filename: item.title } : {}) };
    case 'file': return { type: 'input_file', file_id: m.id };
    case 'url': return { type: 'input_file', file_url: m.url };
    case 'text': return { type: 'input_text', text: m.data };
    case 'garbage': return { type: 'input_file', file_data: m.value };
  }
}

function reasoningItem(t: Thinking, i: number): Record<string, unknown> {
  const summary = t.text ? [{ type: 'summary_text', text: t.text }] : [];
  switch (t.signature) {
    case 'valid': return { type: 'reasoning', id: `rs_${i}`, summary, encrypted_content: encryptReasoning(t.text) };
    case 'carried': return { type: 'reasoning', id: `rs_${i}`, summary, encrypted_content: encryptedFor({ format: 'anthropic', text: t.text, signature: thinkingSignature(t.text) }) };
    // Switchyard's mark on a payload that is not its own (a client that edited it).
    case 'carried-damaged': return { type: 'reasoning', id: `rs_${i}`, summary, encrypted_content: `switchyard.thinking.v1:${Buffer.from('{"format":"anthropic","text":5}').toString('base64')}` };
    case 'none': return { type: 'reasoning', id: `rs_${i}`, summary };
    default: return { type: 'reasoning', id: `rs_${i}`, summary, encrypted_content: 'gAAAAABo-opaque' };
  }
}

function responsesToolChoice(c: Choice): unknown {
  if (typeof c === 'string') return c;
  if ('name' in c) return { type: 'function', name: c.name };
  if ('allowed' in c) return { type: 'allowed_tools', mode: c.mode, tools: c.allowed.map((name) => ({ type: 'function', name })) };
  return c.garbage;
}

function responsesText(s: Structured): unknown {
  if (s === 'text' || s === 'json_object') return { format: { type: s } };
  if ('garbage' in s) return { format: s.garbage };
  return { format: dropUndefined({ type: 'json_schema', name: s.name, schema: s.schema, strict: s.strict }) };
}

function responsesReasoning(r: Reasoning): unknown {
  if (r === 'disabled') return { effort: 'none' };
  if (r === 'adaptive') return { summary: 'auto' };
  if ('effort' in r) return { effort: r.effort };
  // The Responses API has no budget: a sound one asks for a detailed summary, a garbage one is sent as the summary.
  if ('budget' in r) return typeof r.budget === 'number' && r.budget >= 1024 ? { effort: 'medium', summary: 'detailed' } : { effort: 'medium', summary: r.budget };
  return r.garbage;
}

/** Tools of the Responses API itself: OpenAI runs them, no other provider has them. */
const BUILT_IN_TOOLS: Record<string, unknown>[] = [
  { type: 'web_search' }, { type: 'web_search', external_web_access: false }, { type: 'file_search', vector_store_ids: ['vs_1'] },
  { type: 'code_interpreter', container: { type: 'auto' } }, { type: 'local_shell' }, { type: 'custom', name: 'apply_patch' },
  { type: 'mcp', server_label: 'deepwiki', server_url: 'https://mcp.deepwiki.com/mcp' }, { type: 'image_generation' },
];

/** What Codex and the SDKs add to a Responses body: built-in and namespace tools, state, storage, includes. */
interface ResponsesExtras {
  builtIn: number[];
  namespace: boolean;
  instructions: boolean;
  stringInput: boolean;
  previousResponseId?: unknown;
  store?: unknown;
  include?: unknown;
  truncation?: unknown;
  itemReference: boolean;
  promptCacheKey?: unknown;
  safetyIdentifier?: unknown;
}

const responsesExtras: fc.Arbitrary<ResponsesExtras> = fc.record({
  builtIn: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: fc.uniqueArray(fc.nat({ max: BUILT_IN_TOOLS.length - 1 }), { minLength: 1, maxLength: 2 }) }),
  namespace: fc.boolean(),
  instructions: fc.boolean(),
  stringInput: fc.boolean(),
  previousResponseId: sometimes(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('resp_abc', 'resp_unknown_1') }, { weight: 1, arbitrary: fc.oneof(hostileName, anyJson) }), 8),
  store: sometimes(fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: anyJson }), 3),
  include: sometimes(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(['reasoning.encrypted_content'], ['message.output_text.logprobs'], []) }, { weight: 1, arbitrary: anyJson }), 4),
  truncation: sometimes(fc.oneof({ weight: 6, arbitrary: fc.constantFrom('auto', 'disabled') }, { weight: 1, arbitrary: fc.constantFrom('middle', 5) }), 6),
  itemReference: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  promptCacheKey: sometimes(fc.oneof(fc.constant('session-1'), hostileName), 4),
  safetyIdentifier: sometimes(fc.oneof(fc.constant('user-42'), hostileName), 5),
}).map(dropUndefined) as fc.Arbitrary<ResponsesExtras>;

function toResponses(c: Conversation, x: ResponsesExtras, model: unknown): Record<string, unknown> {
  const input: Record<string, unknown>[] = [];
  const [instructions, ...systemRest] = x.instructions ? c.system : [undefined, ...c.system];
  for (const s of systemRest) if (s) input.push({ role: input.length % 2 ? 'developer' : 'system', content: s.cache ? [{ type: 'input_text', text: s.text, ...responsesCache(s.cache) }] : s.text });
  c.rounds.forEach((r, i) => {
    if (r.ask.length) input.push({ role: 'user', content: r.ask.length === 1 && r.ask[0].t === 'text' && !r.ask[0].cache ? r.ask[0].text : r.ask.map(responsesPart) });
    if (r.thinking) input.push(reasoningItem(r.thinking, i));
    if (r.said !== undefined) input.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: r.said }] });
    for (const k of r.calls) input.push({ type: 'function_call', call_id: k.id, name: k.name, arguments: k.args });
    for (const res of resultsOf(r)) input.push({ type: 'function_call_output', call_id: res.callId, output: typeof res.content === 'string' ? res.content : res.content.map(responsesPart) });
  });
  if (x.itemReference) input.push({ type: 'item_reference', id: 'msg_abc' });
  if (c.final.length) input.push({ role: 'user', content: c.final.map(responsesPart) });
  const onlyAsk = c.rounds.length === 1 && !c.rounds[0].calls.length && c.rounds[0].ask.every((a) => a.t === 'text');
  const functions = c.tools.map((t) => dropUndefined({ type: 'function', name: t.name, description: t.description, parameters: t.schema, strict: t.strict }));
  const tools = [...(x.namespace && functions.length ? [{ type: 'namespace', name: 'agents', description: 'Sub-agents', tools: functions }] : functions), ...x.builtIn.map((i) => BUILT_IN_TOOLS[i])];
  const r = c.reasoning;
  return dropUndefined({
    model,
    input: x.stringInput && onlyAsk ? c.rounds[0].ask.map((a) => (a.t === 'text' ? a.text : '')).join('\n') : input,
    instructions: instructions?.text,
    stream: c.stream,
    tools: tools.length ? tools : undefined,
    tool_choice: c.choice === undefined ? undefined : responsesToolChoice(c.choice),
    parallel_tool_calls: c.parallel,
    text: c.structured === undefined ? undefined : responsesText(c.structured),
    reasoning: r === undefined ? undefined : responsesReasoning(r),
    max_output_tokens: c.maxTokens,
    temperature: c.temperature, top_p: c.topP,
    top_logprobs: c.topLogprobs,
    user: c.user,
    previous_response_id: x.previousResponseId, store: x.store, include: x.include, truncation: x.truncation,
    prompt_cache_key: x.promptCacheKey, safety_identifier: x.safetyIdentifier,
  });
}

// ---- bodies that combine the formats' documented fields ----

/** The field tables' samples, several merged over the format's minimal body (a later sample wins a shared key). */
function tableBody(minimal: Record<string, unknown>, fields: readonly FieldRule[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(fc.uniqueArray(fc.nat({ max: fields.length - 1 }), { minLength: 1, maxLength: 4 }), agentModel, fc.boolean()).map(([picked, model, stream]) => {
    const body: Record<string, unknown> = { ...minimal };
    for (const i of picked) Object.assign(body, structuredClone(fields[i]!.sample));
    return { ...body, model, ...(body.stream === undefined && stream ? { stream } : {}) };
  });
}

const TABLE_BODIES = {
  'openai-chat': tableBody(CHAT_MINIMAL, CHAT_FIELDS),
  anthropic: tableBody(ANTHROPIC_MINIMAL, ANTHROPIC_FIELDS),
  'openai-responses': tableBody(RESPONSES_MINIMAL, RESPONSES_FIELDS),
};

/** The top-level field names of each format's reference (a refusal may name one the caller left out). */
export const FIELD_ROOTS: Record<'openai-chat' | 'anthropic' | 'openai-responses', readonly string[]> = {
  'openai-chat': [...new Set(CHAT_FIELDS.map((f) => f.field.split(/[.[ (]/)[0]!))],
  anthropic: [...new Set(ANTHROPIC_FIELDS.map((f) => f.field.split(/[.[ (]/)[0]!))],
  'openai-responses': [...new Set(RESPONSES_FIELDS.map((f) => f.field.split(/[.[ (]/)[0]!))],
};

/** Agent-shaped bodies of a format: a generated conversation written out in it. */
const AGENT_BODIES = {
  'openai-chat': fc.tuple(conversation, agentModel).map(([c, m]) => toChat(c, m)),
  anthropic: fc.tuple(conversation, agentModel).map(([c, m]) => toMessages(c, m)),
  'openai-responses': fc.tuple(conversation, responsesExtras, agentModel).map(([c, x, m]) => toResponses(c, x, m)),
};

/**
 * Bodies with one value nested up to 20,000 levels (40 KB of brackets, far below the body limit, far beyond the
 * call stack of anything that walks it recursively), where each format reads a value as JSON — tool arguments and
 * inputs, schemas, defaults it compares, metadata — or in a field it has never heard of (passed through as it came).
 */
const deep = deepValue(20_000, ['array', 'object']);
const ask = { role: 'user', content: 'Weather in Paris?' };
const weather = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const DEEP_BODIES = {
  'openai-chat': (d: string) => [
    { messages: [ask, { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: d } } }] }, { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' }], tools: [{ type: 'function', function: weather }] },
    { messages: [ask], logit_bias: { 42: d } },
    { messages: [ask], tools: [{ type: 'function', function: { ...weather, parameters: { type: 'object', properties: { city: d } } } }] },
    { messages: [ask], a_field_added_later: d },
  ],
  anthropic: (d: string) => [
    { max_tokens: 64, messages: [ask, { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: d } }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' }] }] },
    { max_tokens: 64, messages: [ask], tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: d } } }] },
    { max_tokens: 64, messages: [ask], metadata: { user_id: 'u', session: d } },
    { max_tokens: 64, messages: [ask], a_field_added_later: d },
  ],
  'openai-responses': (d: string) => [
    { input: [ask, { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' }, { type: 'function_call_output', call_id: 'call_1', output: [{ type: 'input_text', text: 'Sunny', extra: d }] }], tools: [{ type: 'function', ...weather }] },
    { input: [ask], tools: [{ type: 'function', ...weather, parameters: { type: 'object', properties: { city: d } } }] },
    { input: [ask], metadata: { ticket: d } },
    { input: [ask], a_field_added_later: d },
  ],
};
const deepBody = (format: keyof typeof DEEP_BODIES) => fc.tuple(deep, fc.nat({ max: 3 }), agentModel, fc.boolean())
  .map(([d, i, model, stream]) => toJsonText({ model, stream, ...DEEP_BODIES[format](d)[i] }));

/** A body of `format` as JSON text: agent-shaped, table-combined, either mutated, nested very deep, any JSON, or not JSON at all. */
export function agentBodyText(format: 'openai-chat' | 'anthropic' | 'openai-responses'): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 7, arbitrary: AGENT_BODIES[format].map((b) => toJsonText(b)) },
    { weight: 3, arbitrary: TABLE_BODIES[format].map((b) => toJsonText(b)) },
    { weight: 2, arbitrary: mutated(fc.oneof(AGENT_BODIES[format], TABLE_BODIES[format])).map((b) => toJsonText(b)) },
    { weight: 1, arbitrary: deepBody(format) },
    { weight: 1, arbitrary: anyJson.map((v) => toJsonText(v) ?? 'null') },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '{"model":"mini","input":', '[]', 'null', '{"model":"mini","messages":[{"role":"user","content":"\ud800"}]}') },
  );
}

// ---- count_tokens ----

/** count_tokens: a messages body without `max_tokens` (sometimes with), from agents mostly, Claude Code's ?beta=true half the time. */
export const countTokensCase = fc.record({
  body: fc.oneof(
    { weight: 5, arbitrary: fc.tuple(conversation, fc.oneof(fc.constantFrom(...ANTHROPIC_MODELS, ...OPENAI_MODELS, 'switchyard/auto'), hostileName), fc.boolean()).map(([c, m, max]) => toJsonText(toMessages({ ...c, stream: false }, m, { maxTokens: max }))) },
    { weight: 2, arbitrary: mutated(fc.tuple(conversation, fc.constantFrom(...ANTHROPIC_MODELS)).map(([c, m]) => toMessages(c, m, { maxTokens: false }))).map((b) => toJsonText(b)) },
    { weight: 1, arbitrary: anyJson.map((v) => toJsonText(v) ?? 'null') },
    { weight: 1, arbitrary: fc.constantFrom('', '{', '[]', '{"model":"haiku"}', '{"model":"haiku","messages":[]}') },
  ),
  beta: fc.boolean(),
  headers: agentHeaders,
});

