/**
 * The OpenAI chat-completions codec (daemon/formats/openai-chat): caller bodies → canonical, canonical → upstream
 * bodies, upstream answers and streams → canonical, canonical → what chat callers read (checked with the official
 * `openai` SDK parsing our bytes), errors, passthrough relay, and the field table walked through every format.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { CanonicalRequest, CanonicalResponse, StreamEvent, WireFormat } from '../../shared/canonical';
import { MAX_OUTPUT_TOKENS } from '../../shared/config';
import { codec } from '../../daemon/formats/openai-chat/index';
import { MINIMAL_BODY, REQUEST_FIELDS } from '../../daemon/formats/openai-chat/fields';
import { finishFromOpenAI, finishToOpenAI, usageFromOpenAI, usageToOpenAI } from '../../daemon/formats/openai-chat/usage';
import { UnsupportedFieldError, type FormatCodec, type TargetInfo } from '../../daemon/formats/types';
import { ProviderError } from '../../daemon/providers/types';
import { expectFormatError, expectRefusal as refused } from './helpers/formats';

const OPENAI: TargetInfo = { provider: 'openai', providerType: 'openai', model: 'gpt-4o-2024-08-06' };
const LOCAL: TargetInfo = { provider: 'local', providerType: 'openai-compatible', model: 'qwen3:8b' };
const ctx = { id: 'chatcmpl-sy1', model: 'gpt-4o-2024-08-06', created: 1700000000 };

const parse = (body: Record<string, unknown>) => codec.parseRequest(body).request;
const withUser = (extra: Record<string, unknown>) => ({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra });



/** An OpenAI SDK client whose every request is answered with `body` (our encoder's bytes). */
function sdkAnswering(body: string | object, init: ResponseInit = {}): OpenAI {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const contentType = typeof body === 'string' ? 'text/event-stream' : 'application/json';
  return new OpenAI({
    apiKey: 'test',
    baseURL: 'http://switchyard.test/v1',
    maxRetries: 0,
    fetch: async () => new Response(text, { status: 200, ...init, headers: { 'content-type': contentType, ...(init.headers as object) } }),
  });
}

const expectUnsupported = (fn: () => unknown, field: string, target: RegExp = /openai/) => refused(fn, field, target);

describe('caller bodies → canonical', () => {
  test('system and developer messages form the system prompt in order, as parts; text parts stay apart', () => {
    const req = parse({
      model: 'switchyard/auto',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'No markdown.' }, { type: 'text', text: 'Metric units.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Part one.' }, { type: 'text', text: 'Part two.' }], name: 'ana' },
        { role: 'assistant', content: 'OK.' },
        { role: 'system', content: 'Late reminder.' },
        { role: 'user', content: 'Go on.' },
      ],
    });
    assert.deepEqual(req.system, [
      { type: 'text', text: 'Be brief.' }, { type: 'text', text: 'No markdown.' }, { type: 'text', text: 'Metric units.' }, { type: 'text', text: 'Late reminder.' },
    ]);
    assert.deepEqual(req.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Part one.' }, { type: 'text', text: 'Part two.' }], name: 'ana' },
      { role: 'assistant', content: [{ type: 'text', text: 'OK.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Go on.' }] },
    ]);
    assert.equal(req.untranslatable, undefined);
  });

  test('images (URL, data URL, detail), PDFs (inline, by id) and cache breakpoints', () => {
    const req = parse(withUser({
      messages: [{
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' } },
          { type: 'file', file: { file_id: 'file-abc' } },
          { type: 'text', text: 'Compare.', prompt_cache_breakpoint: { mode: 'explicit' } },
        ],
      }],
    }));
    assert.deepEqual(req.messages[0]!.content, [
      { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'low' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' }, filename: 'a.pdf' },
      { type: 'document', source: { kind: 'file', fileId: 'file-abc' } },
      { type: 'text', text: 'Compare.', cacheControl: { type: 'ephemeral' } },
    ]);
  });

  test('audio input and unknown part types have no canonical form: listed by path, the rest parsed', () => {
    const req = parse(withUser({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Listen' }, { type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }, { type: 'hologram' }] }],
    }));
    assert.deepEqual(req.messages[0]!.content, [{ type: 'text', text: 'Listen' }]);
    assert.deepEqual(req.untranslatable, ['messages[0].content[1].input_audio', 'messages[0].content[2]']);
  });

  test('an agent turn: thinking blocks, text, refusal, tool calls; consecutive tool messages are one user message', () => {
    const req = parse(withUser({
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: 'Checking.',
          reasoning_content: 'Two cities.',
          thinking_blocks: [{ type: 'thinking', thinking: 'Two cities.', signature: 'sig-1' }, { type: 'redacted_thinking', data: 'enc' }],
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
        { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'Rain' }, { type: 'text', text: '12 °C' }] },
        { role: 'user', content: 'Thanks' },
      ],
    }));
    assert.deepEqual(req.messages[1], {
      role: 'assistant',
      content: [
        { type: 'thinking', text: 'Two cities.', signature: 'sig-1', format: 'anthropic' },
        { type: 'thinking', text: '', redacted: 'enc', format: 'anthropic' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', id: 'call_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
      ],
    });
    assert.deepEqual(req.messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'Sunny' }] },
        { type: 'tool_result', toolCallId: 'call_2', content: [{ type: 'text', text: 'Rain' }, { type: 'text', text: '12 °C' }] },
      ],
    });
    assert.deepEqual(req.messages[3], { role: 'user', content: [{ type: 'text', text: 'Thanks' }] });
    assert.equal(req.messages.length, 4);
  });

  test('a compatible server\'s reasoning_content (no thinking_blocks) is thinking of format openai-chat; a refusal is text', () => {
    const req = parse(withUser({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: '', reasoning_content: 'Greeting.' },
        { role: 'user', content: 'Bad thing' },
        { role: 'assistant', content: null, refusal: 'I cannot help with that.' },
        { role: 'user', content: 'OK' },
      ],
    }));
    assert.deepEqual(req.messages[1]!.content, [{ type: 'thinking', text: 'Greeting.', format: 'openai-chat' }]);
    assert.deepEqual(req.messages[3]!.content, [{ type: 'text', text: 'I cannot help with that.' }]);
  });

  test('legacy functions: function_call gets an id from its position and the function message answers it', () => {
    const req = parse({
      model: 'm',
      functions: [{ name: 'lookup', description: 'Look it up' }],
      function_call: 'auto',
      messages: [
        { role: 'user', content: 'Find x' },
        { role: 'assistant', content: null, function_call: { name: 'lookup', arguments: '{"q":"x"}' } },
        { role: 'function', name: 'lookup', content: 'found' },
      ],
    });
    assert.deepEqual(req.tools, [{ name: 'lookup', description: 'Look it up', parameters: { type: 'object', properties: {} } }]);
    assert.deepEqual(req.toolChoice, { type: 'auto' });
    assert.deepEqual(req.messages[1]!.content, [{ type: 'tool_call', id: 'call_legacy_1', name: 'lookup', arguments: '{"q":"x"}' }]);
    assert.deepEqual(req.messages[2]!.content, [{ type: 'tool_result', toolCallId: 'call_legacy_1', content: [{ type: 'text', text: 'found' }] }]);
    expectFormatError(() => parse(withUser({ messages: [{ role: 'user', content: 'x' }, { role: 'function', name: 'lookup', content: 'r' }] })), 'messages[1].name', /no earlier assistant message called it/);
  });

  test('tool_choice in every form', () => {
    const tools = [{ type: 'function', function: { name: 'a' } }, { type: 'function', function: { name: 'b' } }];
    const choice = (tool_choice: unknown) => parse(withUser({ tools, tool_choice }));
    assert.deepEqual(choice('auto').toolChoice, { type: 'auto' });
    assert.deepEqual(choice('none').toolChoice, { type: 'none' });
    assert.deepEqual(choice('required').toolChoice, { type: 'required' });
    assert.deepEqual(choice({ type: 'function', function: { name: 'b' } }).toolChoice, { type: 'tool', name: 'b' });
    const allowed = choice({ type: 'allowed_tools', allowed_tools: { mode: 'required', tools: [{ type: 'function', function: { name: 'b' } }] } });
    assert.deepEqual(allowed.toolChoice, { type: 'required' });
    assert.deepEqual(allowed.tools!.map((t) => t.name), ['b']);
    assert.deepEqual(choice({ type: 'custom', custom: { name: 'sh' } }).untranslatable, ['tool_choice.custom']);
    expectFormatError(() => choice({ type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [{ type: 'function', function: { name: 'zzz' } }] } }), 'tool_choice.allowed_tools', /"zzz", which is not in tools/);
    expectFormatError(() => choice('sometimes'), 'tool_choice');
    expectFormatError(() => parse(withUser({ functions: [{ name: 'a' }], tool_choice: 'auto', function_call: 'auto' })), 'function_call');
    assert.deepEqual(parse(withUser({ functions: [{ name: 'a' }], function_call: { name: 'a' } })).toolChoice, { type: 'tool', name: 'a' });
  });

  test('custom tools and custom tool calls are untranslatable; function tools keep description, parameters and strict', () => {
    const req = parse(withUser({
      tools: [{ type: 'custom', custom: { name: 'sh' } }, { type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
      parallel_tool_calls: false,
    }));
    assert.deepEqual(req.tools, [{ name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }]);
    assert.equal(req.parallelToolCalls, false);
    assert.deepEqual(req.untranslatable, ['tools[0].custom']);
  });

  test('sampling, limits, reasoning, structured output, user, n and stream options', () => {
    const req = parse(withUser({
      temperature: 0.7, top_p: 0.9, top_k: 40, seed: 7, max_tokens: 100, max_completion_tokens: 90, stop: 'END',
      reasoning_effort: 'high', user: 'u-1', safety_identifier: 'u-1', n: 3, stream: true, stream_options: { include_usage: true },
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' } },
    }));
    assert.deepEqual({ ...req, messages: undefined, raw: undefined }, {
      messages: undefined, raw: undefined, stream: true, temperature: 0.7, topP: 0.9, topK: 40, seed: 7, maxTokens: 90, stop: ['END'],
      reasoning: { enabled: true, effort: 'high' }, user: 'u-1', n: 3, includeUsage: true,
      responseFormat: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'd' },
    });
    assert.deepEqual(parse(withUser({ reasoning_effort: 'none' })).reasoning, { enabled: false });
    const xhigh = parse(withUser({ reasoning_effort: 'xhigh' }));
    assert.deepEqual([xhigh.reasoning, xhigh.untranslatable], [{ enabled: true }, ['reasoning_effort']]);
    assert.deepEqual(parse(withUser({ user: 'a', safety_identifier: 'b' })).untranslatable, ['safety_identifier']);
    assert.equal(parse(withUser({ safety_identifier: 'b' })).user, 'b');
    assert.equal(parse(withUser({ top_k: -1 })).topK, undefined, 'top_k -1 is "off" on the compatible servers');
    assert.deepEqual(parse(withUser({ response_format: { type: 'json_object' } })).responseFormat, { type: 'json_object' });
  });

  test('default values ask for nothing; other values, caching hints aside, are untranslatable', () => {
    const defaults = parse(withUser({
      frequency_penalty: 0, presence_penalty: 0, logit_bias: {}, logprobs: false, top_logprobs: 0, metadata: {}, modalities: ['text'],
      service_tier: 'auto', store: false, verbosity: 'medium', n: 1, response_format: { type: 'text' }, audio: null,
      prompt_cache_key: 'k', prompt_cache_retention: '24h', prompt_cache_options: { mode: 'implicit' }, stream_options: { include_obfuscation: false },
    }));
    assert.equal(defaults.untranslatable, undefined);
    assert.equal(defaults.n, undefined);
    const asked = parse(withUser({
      frequency_penalty: 0.2, logprobs: true, metadata: { a: 'b' }, store: true, service_tier: 'flex', verbosity: 'low',
      modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' }, prediction: { type: 'content', content: 'x' },
      web_search_options: {}, moderation: { model: 'omni-moderation-latest' }, brand_new_field: 1,
    }));
    assert.deepEqual(asked.untranslatable, [
      'frequency_penalty', 'logprobs', 'metadata', 'store', 'service_tier', 'verbosity', 'modalities', 'audio', 'prediction',
      'web_search_options', 'moderation', 'brand_new_field',
    ]);
    assert.deepEqual(parse(withUser({ messages: [{ role: 'system', content: 's', name: 'ops' }, { role: 'user', content: 'x', novel: true }] })).untranslatable, ['messages[0].name', 'messages[1].novel']);
  });

  test('the caller\'s body is kept as raw, unchanged', () => {
    const body = withUser({ temperature: 1, anything: { nested: true } });
    const copy = structuredClone(body);
    const req = parse(body);
    assert.equal(req.raw?.format, 'openai-chat');
    assert.equal(req.raw?.body, body);
    assert.deepEqual(body, copy);
  });

  test('malformed bodies are refused naming the field', () => {
    expectFormatError(() => codec.parseRequest(null), 'body');
    expectFormatError(() => codec.parseRequest({ messages: [] }), 'model');
    expectFormatError(() => parse({ model: 'm', messages: [] }), 'messages');
    expectFormatError(() => parse({ model: 'm', messages: [{ role: 'system', content: 'only system' }] }), 'messages');
    expectFormatError(() => parse(withUser({ temperature: 'hot' })), 'temperature');
    expectFormatError(() => parse(withUser({ max_tokens: 0 })), 'max_tokens');
    expectFormatError(() => parse(withUser({ n: 0 })), 'n');
    expectFormatError(() => parse(withUser({ top_p: 1.5 })), 'top_p');
    expectFormatError(() => parse({ model: 'm', messages: [{ role: 'user', content: 42 }] }), 'messages[0].content');
    expectFormatError(() => parse({ model: 'm', messages: [{ role: 'robot', content: 'x' }] }), 'messages[0].role');
    expectFormatError(() => parse({ model: 'm', messages: [{ role: 'tool', content: 'x' }] }), 'messages[0].tool_call_id');
    expectFormatError(() => parse({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/svg+xml,<svg/>' } }] }] }), 'messages[0].content[0].image_url.url', /base64 data URL/);
    expectFormatError(() => parse({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x', detail: 'ultra' } }] }] }), 'messages[0].content[0].image_url.detail');
    expectFormatError(() => parse({ model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: {} }] }] }), 'messages[0].content[0].file');
    expectFormatError(() => parse({ model: 'm', messages: [{ role: 'assistant', tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }] }), 'messages[0].tool_calls[0].id');
    expectFormatError(() => parse(withUser({ tools: [{ type: 'function', function: { description: 'no name' } }] })), 'tools[0].function.name');
    expectFormatError(() => parse(withUser({ response_format: { type: { toString: {} } } })), 'response_format', /\{"type":\{"toString":\{\}\}\}/);
    expectFormatError(() => parse(withUser({ response_format: { type: 'json_schema' } })), 'response_format.json_schema');
    expectFormatError(() => parse(withUser({ stream_options: 'yes' })), 'stream_options');
  });

  test('absurd max_tokens and temperatures are refused with the limit in the message', () => {
    const limit = new RegExp(`from 1 to ${MAX_OUTPUT_TOKENS}\\b`);
    for (const v of [1e308, JSON.parse('1e400'), -1, 0, 1.5, MAX_OUTPUT_TOKENS + 1, 2 ** 53 + 1, '100']) {
      expectFormatError(() => parse(withUser({ max_tokens: v })), 'max_tokens', limit);
      expectFormatError(() => parse(withUser({ max_completion_tokens: v })), 'max_completion_tokens', limit);
    }
    for (const v of [JSON.parse('1e400'), -0.1, 2.01, '0.5']) expectFormatError(() => parse(withUser({ temperature: v })), 'temperature', /from 0 to 2, got /);
    assert.equal(parse(withUser({ max_tokens: MAX_OUTPUT_TOKENS })).maxTokens, MAX_OUTPUT_TOKENS);
  });
});

describe('canonical → upstream chat bodies', () => {
  /** What an Anthropic caller's agent loop looks like once parsed. */
  const fromAnthropic: CanonicalRequest = {
    system: [{ type: 'text', text: 'You are a coding agent.', cacheControl: { type: 'ephemeral' } }, { type: 'text', text: 'Be terse.' }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Look at this' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAA' } }, { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVB' }, title: 'Spec' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Let me read it.', signature: 'sig', format: 'anthropic' },
          { type: 'text', text: 'Reading.' },
          { type: 'tool_call', id: 'toolu_1', name: 'read', arguments: '{"path":"a.ts"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'no such file' }], isError: true },
          { type: 'text', text: 'Try b.ts' },
        ],
      },
    ],
    tools: [{ name: 'read', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } }, cacheControl: { type: 'ephemeral' } }],
    toolChoice: { type: 'tool', name: 'read' },
    parallelToolCalls: false,
    reasoning: { enabled: true, budgetTokens: 8000 },
    temperature: 0.5,
    topP: 0.9,
    maxTokens: 2000,
    stop: ['END'],
    user: 'user-42',
    stream: true,
    raw: { format: 'anthropic', body: {} },
  };

  test('an Anthropic agent loop becomes chat messages: tool results split into tool messages, the rest after them', () => {
    const body = codec.buildRequest(fromAnthropic, OPENAI);
    assert.deepEqual(body, {
      model: 'gpt-4o-2024-08-06',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'You are a coding agent.' }, { type: 'text', text: 'Be terse.' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look at this' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAA' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVB', filename: 'Spec' } },
          ],
        },
        { role: 'assistant', content: 'Reading.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'read', arguments: '{"path":"a.ts"}' } }] },
        { role: 'tool', tool_call_id: 'toolu_1', content: [{ type: 'text', text: 'Error:' }, { type: 'text', text: 'no such file' }] },
        { role: 'user', content: 'Try b.ts' },
      ],
      stream: true,
      tools: [{ type: 'function', function: { name: 'read', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } }],
      tool_choice: { type: 'function', function: { name: 'read' } },
      parallel_tool_calls: false,
      reasoning_effort: 'medium',
      temperature: 0.5,
      top_p: 0.9,
      max_completion_tokens: 2000,
      stop: ['END'],
      user: 'user-42',
      stream_options: { include_usage: true },
    });
  });

  test('OpenAI-compatible servers get max_tokens, top_k, and their own reasoning_content back', () => {
    const req: CanonicalRequest = {
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: [{ type: 'thinking', text: 'hmm', format: 'openai-chat' }, { type: 'tool_call', id: 'c1', name: 'f', arguments: '{}' }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c1', content: [] }] },
      ],
      maxTokens: 50,
      topK: 20,
      stream: false,
    };
    const body = codec.buildRequest(req, LOCAL);
    assert.equal(body.max_tokens, 50);
    assert.equal(body.max_completion_tokens, undefined);
    assert.equal(body.top_k, 20);
    assert.deepEqual((body.messages as unknown[])[1], { role: 'assistant', content: null, reasoning_content: 'hmm', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] });
    assert.deepEqual((body.messages as unknown[])[2], { role: 'tool', tool_call_id: 'c1', content: '' });
    assert.equal(body.stream_options, undefined);
    // OpenAI itself returns no reasoning text, and takes no top_k.
    expectUnsupported(() => codec.buildRequest(req, OPENAI), 'top_k', /openai model gpt-4o-2024-08-06/);
    const { topK: _k, ...noTopK } = req;
    assert.equal(((codec.buildRequest(noTopK, OPENAI).messages as Record<string, unknown>[])[1]!).reasoning_content, undefined);
  });

  test('what chat cannot carry is refused naming the field and the target', () => {
    const base: CanonicalRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], stream: false };
    const userParts = (...content: CanonicalRequest['messages'][number]['content']) => ({ ...base, messages: [{ role: 'user' as const, content }] });
    expectUnsupported(() => codec.buildRequest({ ...base, untranslatable: ['container', 'mcp_servers'] }, OPENAI), 'container');
    expectUnsupported(() => codec.buildRequest({ ...base, stop: ['a', 'b', 'c', 'd', 'e'], raw: { format: 'anthropic', body: {} } }, OPENAI), 'stop_sequences');
    assert.deepEqual(codec.buildRequest({ ...base, stop: ['a', 'b', 'c', 'd', 'e'] }, LOCAL).stop, ['a', 'b', 'c', 'd', 'e']);
    expectUnsupported(() => codec.buildRequest(userParts({ type: 'image', source: { kind: 'file', fileId: 'file_1' } }), OPENAI), 'messages[0].content[0]');
    expectUnsupported(() => codec.buildRequest(userParts({ type: 'document', source: { kind: 'url', url: 'https://x/a.pdf' } }), OPENAI), 'messages[0].content[0]');
    expectUnsupported(() => codec.buildRequest(userParts({ type: 'document', source: { kind: 'base64', mediaType: 'text/csv', data: 'YQ==' } }), OPENAI), 'messages[0].content[0]');
    expectUnsupported(() => codec.buildRequest(userParts({ type: 'document', source: { kind: 'file', fileId: 'file_1' } }), OPENAI), 'messages[0].content[0]');
    expectUnsupported(() => codec.buildRequest(userParts({ type: 'tool_result', toolCallId: 't', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/a.png' } }] }), OPENAI), 'messages[0].content[0].content[0]');
    expectUnsupported(() => codec.buildRequest({ ...base, toolChoice: { type: 'required' } }, OPENAI), 'tool_choice');
    // An OpenAI file id from an OpenAI caller goes to OpenAI (refusals name the Responses caller's `input`); a
    // plain-text document is its text.
    const fileFromResponses = { ...userParts({ type: 'document', source: { kind: 'file', fileId: 'file-1' }, filename: 'a.pdf' }), raw: { format: 'openai-responses' as const, body: {} } };
    assert.deepEqual((codec.buildRequest(fileFromResponses, OPENAI).messages as unknown[])[0], { role: 'user', content: [{ type: 'file', file: { file_id: 'file-1', filename: 'a.pdf' } }] });
    expectUnsupported(() => codec.buildRequest(fileFromResponses, LOCAL), 'input[0].content[0]', /openai-compatible model qwen3:8b/);
    assert.deepEqual((codec.buildRequest(userParts({ type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: 'notes' }, title: 'N' }), OPENAI).messages as unknown[])[0], { role: 'user', content: 'N\n\nnotes' });
  });

  test('response formats, efforts, n and tool choices without tools', () => {
    const base: CanonicalRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], stream: false };
    assert.deepEqual(codec.buildRequest({ ...base, responseFormat: { type: 'json_schema', name: 'a', schema: { type: 'object' }, strict: true } }, OPENAI).response_format,
      { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' }, strict: true } });
    assert.deepEqual(codec.buildRequest({ ...base, responseFormat: { type: 'json_object' } }, OPENAI).response_format, { type: 'json_object' });
    assert.equal(codec.buildRequest({ ...base, reasoning: { enabled: true, effort: 'minimal' } }, OPENAI).reasoning_effort, 'minimal');
    assert.equal(codec.buildRequest({ ...base, reasoning: { enabled: false } }, OPENAI).reasoning_effort, undefined);
    assert.equal(codec.buildRequest({ ...base, n: 2 }, OPENAI).n, 2);
    assert.deepEqual(Object.keys(codec.buildRequest({ ...base, toolChoice: { type: 'auto' }, parallelToolCalls: true }, OPENAI)), ['model', 'messages', 'stream']);
  });

  test('round trip: canonical → chat body → canonical keeps everything chat can say', () => {
    const req: CanonicalRequest = {
      system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image', source: { kind: 'url', url: 'https://x/a.png' }, detail: 'high' }], name: 'ana' },
        { role: 'assistant', content: [{ type: 'tool_call', id: 'c1', name: 'f', arguments: '{"a":1}' }, { type: 'tool_call', id: 'c2', name: 'f', arguments: '{"a":2}' }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'c1', content: [{ type: 'text', text: 'one' }] }, { type: 'tool_result', toolCallId: 'c2', content: [{ type: 'text', text: 'two' }] }] },
      ],
      tools: [{ name: 'f', description: 'F', parameters: { type: 'object' }, strict: false }],
      toolChoice: { type: 'required' },
      parallelToolCalls: true,
      responseFormat: { type: 'json_object' },
      reasoning: { enabled: true, effort: 'low' },
      temperature: 1.2,
      topP: 0.5,
      seed: 3,
      maxTokens: 77,
      stop: ['x', 'y'],
      user: 'u',
      n: 2,
      stream: true,
    };
    const back = parse(codec.buildRequest(req, OPENAI));
    const { raw, includeUsage, ...rest } = back;
    assert.equal(raw?.format, 'openai-chat');
    assert.equal(includeUsage, true, 'the built stream asks for usage: Switchyard\'s own');
    assert.deepEqual(rest, req);
  });

  test('passthrough: the caller\'s body with model replaced and usage switched on for streams; raw untouched', () => {
    const body = { model: 'switchyard/auto', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_obfuscation: false }, logprobs: true, x_new: 1 };
    const copy = structuredClone(body);
    const req = parse(body) as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> };
    const out = codec.passthroughBody(req, LOCAL);
    assert.deepEqual(out, { ...copy, model: 'qwen3:8b', stream_options: { include_obfuscation: false, include_usage: true } });
    assert.deepEqual(body, copy);
    const plain = parse({ model: 'a', messages: [{ role: 'user', content: 'x' }] }) as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> };
    assert.deepEqual(codec.passthroughBody(plain, OPENAI), { model: 'gpt-4o-2024-08-06', messages: [{ role: 'user', content: 'x' }] });
  });
});

describe('finish reasons and usage', () => {
  test('finish_reason ⇄ canonical; vLLM\'s stop_reason names the stop sequence', () => {
    assert.deepEqual(finishFromOpenAI('stop'), { finishReason: 'stop' });
    assert.deepEqual(finishFromOpenAI('stop', 'END'), { finishReason: 'stop_sequence', stopSequence: 'END' });
    assert.deepEqual(finishFromOpenAI('stop', 151645), { finishReason: 'stop' });
    assert.deepEqual(finishFromOpenAI('function_call'), { finishReason: 'tool_calls' });
    assert.deepEqual(finishFromOpenAI(null), { finishReason: 'other' });
    assert.equal(finishToOpenAI('stop_sequence'), 'stop');
    assert.equal(finishToOpenAI('other'), 'stop');
    assert.equal(finishToOpenAI('tool_calls', true), 'function_call');
  });

  test('usage: cached and reasoning tokens, DeepSeek\'s cache hits', () => {
    const u = usageFromOpenAI({ prompt_tokens: 1200, completion_tokens: 40, total_tokens: 1240, prompt_tokens_details: { cached_tokens: 1000 }, completion_tokens_details: { reasoning_tokens: 12 } });
    assert.deepEqual(u, { inputTokens: 1200, outputTokens: 40, cachedInputTokens: 1000, reasoningTokens: 12 });
    assert.deepEqual(usageFromOpenAI({ prompt_tokens: 300, completion_tokens: 4, prompt_cache_hit_tokens: 256, prompt_cache_miss_tokens: 44 }), { inputTokens: 300, outputTokens: 4, cachedInputTokens: 256 });
    assert.equal(usageFromOpenAI(null), undefined);
    assert.deepEqual(usageToOpenAI(u!), { prompt_tokens: 1200, completion_tokens: 40, total_tokens: 1240, prompt_tokens_details: { cached_tokens: 1000 }, completion_tokens_details: { reasoning_tokens: 12 } });
  });
});

describe('upstream answers → canonical', () => {
  const req: CanonicalRequest = { messages: [], stream: false };

  test('reasoning, text and tool calls in order, usage, id and model', () => {
    const res = codec.decodeResponse({
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'deepseek-reasoner',
      choices: [{
        index: 0, finish_reason: 'tool_calls',
        message: { role: 'assistant', content: 'Let me check.', reasoning_content: 'Need weather.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      }],
      usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30, completion_tokens_details: { reasoning_tokens: 8 } },
    }, req);
    assert.deepEqual(res, {
      id: 'chatcmpl-1', model: 'deepseek-reasoner',
      content: [
        { type: 'thinking', text: 'Need weather.', format: 'openai-chat' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 10, outputTokens: 20, reasoningTokens: 8 },
    });
  });

  test('a refusal is text ended by content_filter; a stop string is a stop sequence; thinking_blocks keep signatures', () => {
    const refusal = codec.decodeResponse({ id: 'c', model: 'm', choices: [{ message: { content: null, refusal: 'No.' }, finish_reason: 'stop' }] }, req);
    assert.deepEqual([refusal.content, refusal.finishReason], [[{ type: 'text', text: 'No.' }], 'content_filter']);
    const stop = codec.decodeResponse({ id: 'c', model: 'm', choices: [{ message: { content: 'a' }, finish_reason: 'stop', stop_reason: '###' }] }, req);
    assert.deepEqual([stop.finishReason, stop.stopSequence], ['stop_sequence', '###']);
    const blocks = codec.decodeResponse({ id: 'c', model: 'm', choices: [{ message: { content: 'a', reasoning_content: 'r', thinking_blocks: [{ type: 'thinking', thinking: 'r', signature: 's' }] }, finish_reason: 'stop' }] }, req);
    assert.deepEqual(blocks.content[0], { type: 'thinking', text: 'r', signature: 's', format: 'anthropic' });
    const legacy = codec.decodeResponse({ id: 'c', model: 'm', choices: [{ message: { content: null, function_call: { name: 'f', arguments: '{}' } }, finish_reason: 'function_call' }] }, req);
    assert.deepEqual([legacy.content, legacy.finishReason], [[{ type: 'tool_call', id: 'call_legacy_0', name: 'f', arguments: '{}' }], 'tool_calls']);
  });

  test('unusable upstream JSON is malformed', () => {
    for (const body of [null, 'text', { choices: [] }, { choices: [{ message: { content: 5 } }] }, { error: { message: 'x' } }, { choices: [{ message: { tool_calls: [{ function: { name: 'f' } }] } }] }]) {
      assert.throws(() => codec.decodeResponse(body, req), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
    }
  });
});

describe('canonical answers → chat callers', () => {
  const answer: CanonicalResponse = {
    id: 'msg_1', model: 'claude-sonnet-4-20250514',
    content: [
      { type: 'thinking', text: 'Paris first.', signature: 'sig-9', format: 'anthropic' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ],
    finishReason: 'tool_calls',
    usage: { inputTokens: 1200, outputTokens: 40, cachedInputTokens: 1000, cacheWriteInputTokens: 100 },
  };

  test('tool calls, Anthropic thinking as reasoning_content + thinking_blocks, usage; the SDK reads it', async () => {
    const body = codec.encodeResponse(answer, ctx);
    assert.deepEqual(body, {
      id: 'chatcmpl-sy1', object: 'chat.completion', created: 1700000000, model: 'gpt-4o-2024-08-06',
      choices: [{
        index: 0, logprobs: null, finish_reason: 'tool_calls',
        message: {
          role: 'assistant', content: 'Checking.', refusal: null, reasoning_content: 'Paris first.',
          thinking_blocks: [{ type: 'thinking', thinking: 'Paris first.', signature: 'sig-9' }],
          tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
      }],
      usage: { prompt_tokens: 1200, completion_tokens: 40, total_tokens: 1240, prompt_tokens_details: { cached_tokens: 1000 }, completion_tokens_details: { reasoning_tokens: 0 } },
    });
    const sdk = await sdkAnswering(body as object).chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(sdk.choices[0]!.message.tool_calls![0]!.id, 'toolu_1');
    assert.equal(sdk.usage?.prompt_tokens_details?.cached_tokens, 1000);
  });

  test('the thinking blocks an Anthropic loop gets come back as the same signed thinking', () => {
    const body = codec.encodeResponse(answer, ctx) as { choices: { message: Record<string, unknown> }[] };
    const next = parse({ model: 'm', messages: [{ role: 'user', content: 'Weather?' }, body.choices[0]!.message, { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny' }] });
    assert.deepEqual(next.messages[1]!.content, answer.content);
  });

  test('only tool calls: content null; tool calls under a plain stop still finish as tool_calls; legacy callers get function_call', () => {
    const calls: CanonicalResponse = { id: 'r', model: 'm', content: [{ type: 'tool_call', id: 'fc_1', name: 'f', arguments: '{}' }], finishReason: 'stop' };
    const body = codec.encodeResponse(calls, ctx) as { choices: { message: Record<string, unknown>; finish_reason: string }[] };
    assert.equal(body.choices[0]!.message.content, null);
    assert.equal(body.choices[0]!.finish_reason, 'tool_calls');
    const legacyRequest = parse({ model: 'm', functions: [{ name: 'f' }], messages: [{ role: 'user', content: 'x' }] });
    const legacy = codec.encodeResponse(calls, { ...ctx, request: legacyRequest }) as typeof body;
    assert.deepEqual(legacy.choices[0]!.message.function_call, { name: 'f', arguments: '{}' });
    assert.equal(legacy.choices[0]!.message.tool_calls, undefined);
    assert.equal(legacy.choices[0]!.finish_reason, 'function_call');
    const empty = codec.encodeResponse({ id: 'r', model: 'm', content: [], finishReason: 'length' }, ctx) as typeof body & { usage?: unknown };
    assert.deepEqual([empty.choices[0]!.message.content, empty.choices[0]!.finish_reason, empty.usage], ['', 'length', undefined]);
  });
});

describe('upstream streams → canonical events', () => {
  const chunk = (delta: object, finish: string | null = null, extra: object = {}) =>
    ({ data: JSON.stringify({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o', choices: [{ index: 0, delta, finish_reason: finish }], ...extra }) });

  test('text and parallel tool calls with streamed arguments, by index; usage; done only at [DONE]', () => {
    const d = codec.streamDecoder({ messages: [], stream: true });
    const events = [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Checking.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({}, 'tool_calls'),
      { data: JSON.stringify({ id: 'chatcmpl-9', choices: [], usage: { prompt_tokens: 5, completion_tokens: 9, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0 } } }) },
    ].flatMap((m) => d.decode(m));
    assert.equal(d.finished, false);
    events.push(...d.decode({ data: '[DONE]' }));
    assert.equal(d.finished, true);
    assert.deepEqual(events, [
      { type: 'delta', text: 'Checking.', index: 0 },
      { type: 'tool_call', index: 1, id: 'call_a', name: 'get_weather' },
      { type: 'tool_call_delta', index: 1, arguments: '{"city":' },
      { type: 'tool_call', index: 2, id: 'call_b', name: 'get_time' },
      { type: 'tool_call_delta', index: 2, arguments: '{}' },
      { type: 'tool_call_delta', index: 1, arguments: '"Paris"}' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 9, cachedInputTokens: 0 } },
      { type: 'done', finishReason: 'tool_calls', id: 'chatcmpl-9', model: 'gpt-4o' },
    ]);
    assert.deepEqual(d.decode(chunk({ content: 'late' })), [], 'nothing after [DONE]');
  });

  test('reasoning_content (DeepSeek, vLLM) and reasoning (OpenRouter, Ollama) are thinking; refusals end as content_filter', () => {
    const d = codec.streamDecoder({ messages: [], stream: true });
    const events = [chunk({ reasoning_content: 'Hmm' }), chunk({ reasoning: ' ok' }), chunk({ content: 'Hi' }), chunk({ refusal: 'No' }), chunk({}, 'stop'), { data: '[DONE]' }].flatMap((m) => d.decode(m));
    assert.deepEqual(events, [
      { type: 'thinking', text: 'Hmm', index: 0, format: 'openai-chat' },
      { type: 'thinking', text: ' ok', index: 0, format: 'openai-chat' },
      { type: 'delta', text: 'Hi', index: 1 },
      { type: 'delta', text: 'No', index: 1 },
      { type: 'done', finishReason: 'content_filter', id: 'chatcmpl-9', model: 'gpt-4o' },
    ]);
  });

  test('servers that send whole tool calls without an index, and a stop string, are read too', () => {
    const d = codec.streamDecoder({ messages: [], stream: true });
    const events = [
      chunk({ tool_calls: [{ id: 'x1', function: { name: 'a', arguments: '{"n":1}' } }] }),
      chunk({ tool_calls: [{ id: 'x2', function: { name: 'b', arguments: { n: 2 } } }] }),
      chunk({}, 'stop', { choices: [{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: 'END' }] }),
      { data: '[DONE]' },
    ].flatMap((m) => d.decode(m));
    assert.deepEqual(events.map((e) => e.type === 'tool_call' ? [e.index, e.id, e.name] : e.type === 'tool_call_delta' ? [e.index, e.arguments] : e.type), [
      [0, 'x1', 'a'], [0, '{"n":1}'], [1, 'x2', 'b'], [1, '{"n":2}'], 'done',
    ]);
    assert.deepEqual(events.at(-1), { type: 'done', finishReason: 'stop_sequence', stopSequence: 'END', id: 'chatcmpl-9', model: 'gpt-4o' });
  });

  test('bad JSON is malformed; an error object inside the stream is an http error with the status it stands for', () => {
    const fresh = () => codec.streamDecoder({ messages: [], stream: true });
    assert.throws(() => fresh().decode({ data: '{"choices": [' }), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
    const status = (error: unknown) => {
      try {
        fresh().decode({ data: JSON.stringify({ error }) });
      } catch (e) {
        assert.ok(e instanceof ProviderError && e.kind === 'http');
        return e.status;
      }
      assert.fail('no error thrown');
    };
    assert.equal(status({ message: 'boom', type: 'server_error' }), 500);
    assert.equal(status({ message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' }), 429);
    assert.equal(status({ message: 'bad', code: 400 }), 400);
    assert.equal(status('overloaded'), 500);
  });
});

describe('canonical events → chat caller streams', () => {
  const toolStream: StreamEvent[] = [
    { type: 'usage', usage: { inputTokens: 20, outputTokens: 1 } },
    { type: 'thinking', text: 'Two cities', index: 0, format: 'anthropic' },
    { type: 'thinking', text: '', signature: 'sig-1', index: 0, format: 'anthropic' },
    { type: 'delta', text: 'Checking both.', index: 1 },
    { type: 'tool_call', index: 2, id: 'toolu_a', name: 'get_weather' },
    { type: 'tool_call_delta', index: 2, arguments: '{"city":' },
    { type: 'tool_call_delta', index: 2, arguments: '"Paris"}' },
    { type: 'tool_call', index: 3, id: 'toolu_b', name: 'get_weather' },
    { type: 'tool_call_delta', index: 3, arguments: '{"city":"Rome"}' },
    { type: 'usage', usage: { inputTokens: 20, outputTokens: 30, cachedInputTokens: 4 } },
    { type: 'done', finishReason: 'tool_calls' },
  ];
  const tools: OpenAI.Chat.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }];

  test('chunk by chunk: role first, thinking, text, tool calls by tool index, finish, usage when asked, [DONE]', () => {
    const enc = codec.streamEncoder({ ...ctx, includeUsage: true });
    const text = toolStream.map((e) => enc.encode(e)).join('');
    const frames = text.split('\n\n').filter(Boolean).map((f) => f.replace(/^data: /, ''));
    assert.equal(frames.at(-1), '[DONE]');
    const chunks = frames.slice(0, -1).map((f) => JSON.parse(f));
    assert.ok(chunks.every((c) => c.id === 'chatcmpl-sy1' && c.object === 'chat.completion.chunk' && c.created === 1700000000));
    assert.deepEqual(chunks.map((c) => c.choices[0]?.delta ?? null), [
      { role: 'assistant', content: '' },
      { reasoning_content: 'Two cities', thinking_blocks: [{ type: 'thinking', thinking: 'Two cities' }] },
      { thinking_blocks: [{ type: 'thinking', thinking: '', signature: 'sig-1' }] },
      { content: 'Checking both.' },
      { tool_calls: [{ index: 0, id: 'toolu_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
      { tool_calls: [{ index: 1, id: 'toolu_b', type: 'function', function: { name: 'get_weather', arguments: '' } }] },
      { tool_calls: [{ index: 1, function: { arguments: '{"city":"Rome"}' } }] },
      {},
      null,
    ]);
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(chunks.at(-1), { id: 'chatcmpl-sy1', object: 'chat.completion.chunk', created: 1700000000, model: 'gpt-4o-2024-08-06', choices: [], usage: usageToOpenAI({ inputTokens: 20, outputTokens: 30, cachedInputTokens: 4 }) });
    assert.equal(enc.encode({ type: 'delta', text: 'late' }), '', 'nothing after done');
  });

  test('the official SDK\'s ChatCompletionStream accumulates our tool-call stream', async () => {
    const enc = codec.streamEncoder({ ...ctx, includeUsage: true });
    const sse = toolStream.map((e) => enc.encode(e)).join('');
    const stream = sdkAnswering(sse).chat.completions.stream({ model: 'x', messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }], tools, stream_options: { include_usage: true } });
    const argumentDeltas: string[] = [];
    stream.on('tool_calls.function.arguments.delta', (e) => {
      if (e.arguments_delta) argumentDeltas.push(e.arguments_delta);
    });
    const final = await stream.finalChatCompletion();
    const message = final.choices[0]!.message;
    assert.equal(message.content, 'Checking both.');
    assert.deepEqual(message.tool_calls?.map((c) => c.type === 'function' && [c.id, c.function.name, JSON.parse(c.function.arguments)]), [
      ['toolu_a', 'get_weather', { city: 'Paris' }],
      ['toolu_b', 'get_weather', { city: 'Rome' }],
    ]);
    assert.deepEqual(argumentDeltas, ['{"city":', '"Paris"}', '{"city":"Rome"}']);
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
    assert.equal(final.usage?.completion_tokens, 30);
    assert.equal((message as unknown as { reasoning_content?: string }).reasoning_content, 'Two cities', 'unknown delta fields are kept by the SDK');
  });

  test('the SDK\'s raw stream iterator reads every chunk and stops at [DONE]; no usage chunk unless asked', async () => {
    const enc = codec.streamEncoder(ctx);
    const sse = toolStream.map((e) => enc.encode(e)).join('');
    assert.ok(!sse.includes('"usage"'));
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    for await (const c of await sdkAnswering(sse).chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true })) chunks.push(c);
    assert.equal(chunks.length, 10);
    assert.equal(chunks.at(-1)!.choices[0]!.finish_reason, 'tool_calls');
  });

  test('an error after the start is an error event the SDK throws, never a clean end', async () => {
    const enc = codec.streamEncoder(ctx);
    const started = enc.encode({ type: 'delta', text: 'par' });
    const err = enc.error('upstream cut the stream', 'stream_cut', 'server_error');
    assert.equal(err, 'data: {"error":{"message":"upstream cut the stream","type":"server_error","param":null,"code":"stream_cut"}}\n\n');
    assert.equal(enc.encode({ type: 'done', finishReason: 'stop' }), '');
    const stream = await sdkAnswering(started + err).chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }], stream: true });
    await assert.rejects(async () => {
      for await (const _ of stream) { /* drain */ }
    }, /upstream cut the stream/);
  });

  test('legacy function callers get function_call deltas and finish_reason function_call', () => {
    const request = parse({ model: 'm', functions: [{ name: 'f' }], messages: [{ role: 'user', content: 'x' }] });
    const enc = codec.streamEncoder({ ...ctx, request });
    const text = [
      { type: 'tool_call', index: 0, id: 'c', name: 'f' },
      { type: 'tool_call_delta', index: 0, arguments: '{}' },
      { type: 'done', finishReason: 'tool_calls' },
    ].map((e) => enc.encode(e as StreamEvent)).join('');
    const chunks = text.split('\n\n').filter((f) => f && !f.includes('[DONE]')).map((f) => JSON.parse(f.slice(6)));
    assert.deepEqual(chunks.map((c) => [c.choices[0].delta, c.choices[0].finish_reason]), [
      [{ role: 'assistant', content: '' }, null],
      [{ function_call: { name: 'f', arguments: '' } }, null],
      [{ function_call: { arguments: '{}' } }, null],
      [{}, 'function_call'],
    ]);
  });

  test('an upstream chat stream decoded and re-encoded reads the same in the SDK', async () => {
    const upstream = [
      { choices: [{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_z', type: 'function', function: { name: 'get_weather', arguments: '' } }] }, finish_reason: null }] },
      { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":"Oslo"}' } }] }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ];
    const d = codec.streamDecoder({ messages: [], stream: true });
    const enc = codec.streamEncoder(ctx);
    const sse = [...upstream.map((c) => ({ data: JSON.stringify({ id: 'u', ...c }) })), { data: '[DONE]' }].flatMap((m) => d.decode(m)).map((e) => enc.encode(e)).join('');
    const final = await sdkAnswering(sse).chat.completions.stream({ model: 'x', messages: [{ role: 'user', content: 'Oslo?' }], tools }).finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]!;
    assert.deepEqual(call.type === 'function' && [call.id, call.function.arguments], ['call_z', '{"city":"Oslo"}']);
  });
});

describe('passthrough relay', () => {
  const usageChunk = JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
  const contentChunk = JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }], usage: null });

  test('data is relayed unchanged; the usage chunk Switchyard asked for is held back from a caller who did not', () => {
    const notAsked = parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    const asked = parse({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
    assert.equal(codec.relayFrame({ data: contentChunk }, notAsked), `data: ${contentChunk}\n\n`);
    assert.equal(codec.relayFrame({ data: usageChunk }, notAsked), '');
    assert.equal(codec.relayFrame({ data: usageChunk }, asked), `data: ${usageChunk}\n\n`);
    assert.equal(codec.relayFrame({ data: '[DONE]' }, notAsked), 'data: [DONE]\n\n');
    // A compatible server that puts usage on the finish chunk keeps it there: that chunk carries the finish reason.
    const finishWithUsage = JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    assert.equal(codec.relayFrame({ data: finishWithUsage }, notAsked), `data: ${finishWithUsage}\n\n`);
    assert.equal(codec.relayFrame({ event: 'error', data: 'a\nb' }, notAsked), 'event: error\ndata: a\ndata: b\n\n');
  });
});

describe('errors', () => {
  test('OpenAI error bodies and the shapes compatible servers use', () => {
    assert.deepEqual(codec.decodeError(400, { error: { message: 'too long', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' } }),
      { status: 400, message: 'too long', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' });
    assert.deepEqual(codec.decodeError(400, { object: 'error', message: 'bad temp', type: 'BadRequestError', param: null, code: 400 }),
      { status: 400, message: 'bad temp', type: 'BadRequestError', code: null, param: null });
    assert.deepEqual(codec.decodeError(404, '{"error":"model \'llama9\' not found"}'), { status: 404, message: 'model \'llama9\' not found', type: 'not_found_error', code: null, param: null });
    assert.deepEqual(codec.decodeError(502, 'Bad Gateway'), { status: 502, message: 'Bad Gateway', type: 'server_error', code: null, param: null });
    assert.equal(codec.decodeError(500, undefined).message, 'the upstream answered HTTP 500');
  });

  test('an Anthropic error type becomes OpenAI\'s for its status; code and param stay; the SDK reads it', async () => {
    assert.deepEqual(codec.encodeError({ status: 529, message: 'Overloaded', type: 'overloaded_error' }), { error: { message: 'Overloaded', type: 'server_error', param: null, code: null } });
    assert.deepEqual(codec.encodeError({ status: 400, message: 'x', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' }),
      { error: { message: 'x', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } });
    const limited = codec.encodeError({ status: 429, message: 'Slow down', type: 'rate_limit_error' });
    assert.deepEqual(limited, { error: { message: 'Slow down', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
    const client = sdkAnswering(limited, { status: 429, headers: { 'retry-after': '1' } });
    await assert.rejects(client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal(e.code, 'rate_limit_exceeded');
      assert.equal(e.type, 'rate_limit_error');
      assert.match(e.message, /Slow down/);
      return true;
    });
  });
});

/** The other formats' codecs, where they exist yet (their columns are skipped, saying so, where not). */
const TARGETS: Partial<Record<WireFormat, TargetInfo>> = {
  anthropic: { provider: 'anthropic', providerType: 'anthropic', model: 'claude-sonnet-4-20250514' },
  'openai-responses': { provider: 'openai', providerType: 'openai', model: 'gpt-4.1-2025-04-14' },
};
const codecs = new Map<WireFormat, FormatCodec>();
before(async () => {
  for (const format of Object.keys(TARGETS) as WireFormat[]) {
    const file = path.join(__dirname, '../../daemon/formats', format, 'index.ts');
    if (existsSync(file)) codecs.set(format, ((await import(file)) as { codec: FormatCodec }).codec);
  }
});

describe('across formats: an Anthropic upstream for an OpenAI chat caller', () => {
  test('a tool-use stream with signed thinking reaches the SDK as tool calls; the next turn gives Anthropic its signature back', async (t) => {
    const anthropic = codecs.get('anthropic');
    if (!anthropic) {
      t.skip('daemon/formats/anthropic/index.ts does not exist yet');
      return;
    }
    const caller = { model: 'switchyard/auto', stream: true, messages: [{ role: 'user', content: 'Weather in Paris?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }] };
    const request = parse(caller);
    const upstream: [string, object][] = [
      ['message_start', { message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-20250514', content: [], stop_reason: null, usage: { input_tokens: 30, output_tokens: 1 } } }],
      ['content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }],
      ['content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'Use the tool.' } }],
      ['content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQBsig' } }],
      ['content_block_stop', { index: 0 }],
      ['content_block_start', { index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } }],
      ['content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '{"city":' } }],
      ['content_block_delta', { index: 1, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } }],
      ['content_block_stop', { index: 1 }],
      ['message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 25 } }],
      ['message_stop', {}],
    ];
    const decoder = anthropic.streamDecoder(request);
    const encoder = codec.streamEncoder({ ...ctx, id: 'msg_1', request });
    const sse = upstream.flatMap(([event, body]) => decoder.decode({ event, data: JSON.stringify({ type: event, ...body }) })).map((e) => encoder.encode(e)).join('');
    assert.equal(decoder.finished, true);
    const final = await sdkAnswering(sse).chat.completions.stream({ ...caller, model: 'x' } as OpenAI.Chat.ChatCompletionCreateParamsStreaming).finalChatCompletion();
    const message = final.choices[0]!.message as OpenAI.Chat.ChatCompletionMessage & { reasoning_content?: string; thinking_blocks?: unknown[] };
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
    const call = message.tool_calls![0]!;
    assert.deepEqual(call.type === 'function' && [call.id, call.function.name, call.function.arguments], ['toolu_1', 'get_weather', '{"city":"Paris"}']);
    assert.equal(message.reasoning_content, 'Use the tool.');

    // The JSON answer of the same turn, sent back by the client with the tool's result.
    const answer = codec.encodeResponse({
      id: 'msg_1', model: 'claude-sonnet-4-20250514', finishReason: 'tool_calls',
      content: [{ type: 'thinking', text: 'Use the tool.', signature: 'EqQBsig', format: 'anthropic' }, { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
    }, ctx) as { choices: { message: Record<string, unknown> }[] };
    const next = parse({ ...caller, messages: [...caller.messages, answer.choices[0]!.message, { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny' }] });
    const body = anthropic.buildRequest(next, TARGETS.anthropic!) as { messages: { role: string; content: unknown }[] };
    assert.deepEqual(body.messages[1], {
      role: 'assistant',
      content: [{ type: 'thinking', thinking: 'Use the tool.', signature: 'EqQBsig' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
    });
    assert.deepEqual(body.messages[2], { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny' }] });
  });
});

describe('the field table, walked through every format', () => {

  /** `messages[].name (system)` → /^messages\[\d+\]\.name$/: the label goes, each `[]` is an index. */
  const fieldPattern = (field: string) => new RegExp(`^${field.replace(/ \(.*\)$/, '').replace(/:.*$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\[\\\]/g, '\\[\\d+\\]')}$`);
  const body = (extra: Record<string, unknown> | undefined) => ({ ...MINIMAL_BODY, ...extra });

  test('the table lists every top-level field of the SDK\'s ChatCompletionCreateParams', () => {
    const listed = new Set(REQUEST_FIELDS.map((r) => r.field.split(/[.[ :]/)[0]));
    const reference = [
      'messages', 'model', 'audio', 'frequency_penalty', 'function_call', 'functions', 'logit_bias', 'logprobs', 'max_completion_tokens',
      'max_tokens', 'metadata', 'modalities', 'moderation', 'n', 'parallel_tool_calls', 'prediction', 'presence_penalty', 'prompt_cache_key',
      'prompt_cache_options', 'prompt_cache_retention', 'reasoning_effort', 'response_format', 'safety_identifier', 'seed', 'service_tier',
      'stop', 'store', 'stream', 'stream_options', 'temperature', 'tool_choice', 'tools', 'top_logprobs', 'top_p', 'user', 'verbosity',
      'web_search_options',
    ] satisfies (keyof OpenAI.Chat.ChatCompletionCreateParams)[];
    assert.deepEqual(reference.filter((f) => !listed.has(f)), []);
  });

  for (const row of REQUEST_FIELDS) {
    describe(row.field, () => {
      test(`same format: ${row.same}`, () => {
        const req = parse(body(row.sample)) as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> };
        const out = codec.passthroughBody(req, OPENAI);
        assert.equal(out.model, OPENAI.model);
        if (row.same !== 'passed') return;
        // A plain dotted path is checked where it points (stream_options also gets Switchyard's include_usage).
        if (/^[a-z_]+(\.[a-z_]+)+$/.test(row.field)) {
          const at = (o: unknown) => row.field.split('.').reduce((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
          assert.deepEqual(at(out), at(row.sample));
          assert.notEqual(at(out), undefined);
        } else for (const [key, value] of Object.entries(row.sample)) if (key !== 'model') assert.deepEqual(out[key], value, key);
      });

      for (const [format, target] of Object.entries(TARGETS) as [WireFormat, TargetInfo][]) {
        const verdict = row.across[format];
        test(`${format}: ${verdict}`, (t) => {
          const other = codecs.get(format);
          if (!other) {
            t.skip(`daemon/formats/${format}/index.ts does not exist yet`);
            return;
          }
          assert.ok(verdict, `the row gives no verdict for ${format}`);
          const req = parse(body(row.sample));
          if (verdict === 'refused') {
            const pattern = fieldPattern(row.refusedAs ?? row.field);
            assert.throws(() => other.buildRequest(req, target), (err: unknown) => {
              assert.ok(err instanceof UnsupportedFieldError, `expected UnsupportedFieldError, got ${String(err)}`);
              assert.match(err.field, pattern);
              assert.ok(err.message.includes(target.model), err.message);
              return true;
            });
            return;
          }
          const built = other.buildRequest(req, target);
          const baseline = other.buildRequest(parse(body(row.without)), target);
          if (verdict === 'translated') assert.notDeepEqual(built, baseline, 'the field changed nothing in the body');
          if (verdict === 'removed') assert.deepEqual(built, baseline);
          if (verdict === 'owned') assert.equal(built.model, target.model);
        });
      }
    });
  }
});
