/**
 * The Anthropic messages codec (daemon/formats/anthropic/): callers' bodies → canonical, canonical → upstream
 * bodies, upstream answers and streams → canonical, canonical → what Anthropic callers and their SDK read, errors,
 * and the field table walked through every other format's builder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Stream } from '@anthropic-ai/sdk/core/streaming';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import type { CanonicalRequest, CanonicalResponse, StreamEvent, WireFormat } from '../../shared/canonical';
import { budgetToEffort, effortToBudget, RequestFormatError } from '../../daemon/formats/common';
import { codec } from '../../daemon/formats/anthropic/index';
import { DEFAULT_MAX_TOKENS } from '../../daemon/formats/anthropic/build';
import { MINIMAL_BODY, REQUEST_FIELDS } from '../../daemon/formats/anthropic/fields';
import { UnsupportedFieldError, type FormatCodec, type SSEMessage, type TargetInfo } from '../../daemon/formats/types';
import { ProviderError } from '../../daemon/providers/types';
import { MAX_OUTPUT_TOKENS } from '../../shared/config';
import { expectFormatError, expectRefusal as refused } from './helpers/formats';

const claude: TargetInfo = { provider: 'anthropic', providerType: 'anthropic', model: 'claude-sonnet-4-20250514' };
const parse = (body: Record<string, unknown>) => codec.parseRequest({ ...MINIMAL_BODY, ...body }).request;
const build = (request: CanonicalRequest) => codec.buildRequest(request, claude);
const ctx = { id: 'msg_sy1', model: 'claude-sonnet-4-20250514', created: 1_700_000_000, inputTokens: 33 };



const sse = (events: Record<string, unknown>[]): SSEMessage[] => events.map((e) => ({ event: String(e.type), data: JSON.stringify(e) }));
const decodeAll = (messages: SSEMessage[], request: CanonicalRequest = parse({})) => {
  const d = codec.streamDecoder(request);
  return { events: messages.flatMap((m) => d.decode(m)), decoder: d };
};

/** What the official SDK makes of SSE text: its own stream parser and message accumulator. */
async function sdkFinalMessage(text: string) {
  const response = new Response(text, { headers: { 'content-type': 'text/event-stream' } });
  const stream = Stream.fromSSEResponse(response, new AbortController());
  return MessageStream.fromReadableStream(stream.toReadableStream()).finalMessage();
}

// ---------------------------------------------------------------------------------------------------------------

/** A refusal names the field and the Anthropic target, and says why when `why` is given. */
const expectRefusal = (fn: () => unknown, field: string, why?: RegExp) => {
  refused(fn, field, new RegExp(`anthropic model ${claude.model}`));
  if (why) refused(fn, field, why);
};

describe('caller bodies → canonical', () => {
  test('a Claude Code–shaped agent turn: system blocks with cache_control, tools, tool loop, thinking, metadata', () => {
    const body = {
      model: 'switchyard/auto',
      max_tokens: 32000,
      stream: true,
      system: [
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Work in /repo.', cache_control: { type: 'ephemeral', ttl: '1h' } },
      ],
      tools: [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } } }, cache_control: { type: 'ephemeral' } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 10000 },
      metadata: { user_id: 'user_abc_session_1' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Read a.ts', cache_control: { type: 'ephemeral' } }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'I should read it.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'tool_use', id: 'toolu_1', name: 'Read', input: { path: 'a.ts' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'export {}' }], is_error: false }] },
      ],
    };
    const snapshot = JSON.stringify(body);
    const parsed = codec.parseRequest(body);
    assert.equal(parsed.model, 'switchyard/auto');
    const { raw, ...request } = parsed.request;
    assert.deepEqual(request, {
      system: [
        { type: 'text', text: 'You are Claude Code.', cacheControl: { type: 'ephemeral' } },
        { type: 'text', text: 'Work in /repo.', cacheControl: { type: 'ephemeral', ttl: '1h' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Read a.ts', cacheControl: { type: 'ephemeral' } }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'I should read it.', signature: 'sig-1', format: 'anthropic' },
            { type: 'thinking', text: '', redacted: 'opaque', format: 'anthropic' },
            { type: 'tool_call', id: 'toolu_1', name: 'Read', arguments: '{"path":"a.ts"}' },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'export {}' }] }] },
      ],
      stream: true,
      maxTokens: 32000,
      user: 'user_abc_session_1',
      tools: [{ name: 'Read', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } } }, cacheControl: { type: 'ephemeral' } }],
      toolChoice: { type: 'auto' },
      parallelToolCalls: false,
      reasoning: { enabled: true, budgetTokens: 10000, effort: 'medium' },
    });
    assert.equal(raw?.format, 'anthropic');
    assert.equal(raw?.body, body, 'raw is the caller\'s body itself');
    assert.equal(JSON.stringify(body), snapshot, 'the body is not mutated');
  });

  test('string and block system, stop_sequences, sampling (ported)', () => {
    const r = parse({
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }, { role: 'assistant', content: 'Hi.' }, { role: 'user', content: 'Bye' }],
      stop_sequences: ['STOP'], temperature: 0.5, top_p: 0.9, top_k: 40,
    });
    assert.deepEqual(r.system, [{ type: 'text', text: 'Be brief.' }]);
    assert.deepEqual(r.messages.map((m) => m.role), ['user', 'assistant', 'user']);
    assert.deepEqual(r.messages[1].content, [{ type: 'text', text: 'Hi.' }]);
    assert.deepEqual([r.stop, r.temperature, r.topP, r.topK], [['STOP'], 0.5, 0.9, 40]);
    assert.equal(r.untranslatable, undefined);
    assert.deepEqual(parse({ system: 'Plain.' }).system, [{ type: 'text', text: 'Plain.' }]);
  });

  test('images and documents of every source kind', () => {
    const r = parse({
      messages: [{
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAA' } },
          { type: 'image', source: { type: 'url', url: 'https://x/cat.png' }, cache_control: { type: 'ephemeral' } },
          { type: 'image', source: { type: 'file', file_id: 'file_1' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' }, title: 'Report' },
          { type: 'document', source: { type: 'url', url: 'https://x/a.pdf' } },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' }, citations: { enabled: false } },
          { type: 'document', source: { type: 'file', file_id: 'file_2' } },
        ],
      }],
    });
    assert.deepEqual(r.messages[0].content, [
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAA' } },
      { type: 'image', source: { kind: 'url', url: 'https://x/cat.png' }, cacheControl: { type: 'ephemeral' } },
      { type: 'image', source: { kind: 'file', fileId: 'file_1' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBE' }, title: 'Report' },
      { type: 'document', source: { kind: 'url', url: 'https://x/a.pdf' } },
      { type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: 'notes' } },
      { type: 'document', source: { kind: 'file', fileId: 'file_2' } },
    ]);
    assert.equal(r.untranslatable, undefined, 'citations: {enabled: false} asks for nothing');
  });

  test('tool results: string, blocks with an image, errors, empty', () => {
    const r = parse({
      messages: [{
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: 'plain' },
          { type: 'tool_result', tool_use_id: 't2', content: [{ type: 'text', text: 'see' }, { type: 'image', source: { type: 'url', url: 'https://x/p.png' } }] },
          { type: 'tool_result', tool_use_id: 't3', content: 'boom', is_error: true, cache_control: { type: 'ephemeral' } },
          { type: 'tool_result', tool_use_id: 't4' },
        ],
      }],
    });
    assert.deepEqual(r.messages[0].content, [
      { type: 'tool_result', toolCallId: 't1', content: [{ type: 'text', text: 'plain' }] },
      { type: 'tool_result', toolCallId: 't2', content: [{ type: 'text', text: 'see' }, { type: 'image', source: { kind: 'url', url: 'https://x/p.png' } }] },
      { type: 'tool_result', toolCallId: 't3', content: [{ type: 'text', text: 'boom' }], isError: true, cacheControl: { type: 'ephemeral' } },
      { type: 'tool_result', toolCallId: 't4', content: [] },
    ]);
  });

  test('tool_choice any / tool / none, thinking disabled / adaptive, output_config and output_format', () => {
    assert.deepEqual(parse({ tool_choice: { type: 'any' } }).toolChoice, { type: 'required' });
    assert.deepEqual(parse({ tool_choice: { type: 'tool', name: 'f', disable_parallel_tool_use: false } }), {
      ...parse({}), toolChoice: { type: 'tool', name: 'f' }, parallelToolCalls: true,
      raw: { format: 'anthropic', body: { ...MINIMAL_BODY, tool_choice: { type: 'tool', name: 'f', disable_parallel_tool_use: false } } },
    });
    assert.deepEqual(parse({ tool_choice: { type: 'none' } }).toolChoice, { type: 'none' });
    assert.deepEqual(parse({ thinking: { type: 'disabled' } }).reasoning, { enabled: false });
    assert.deepEqual(parse({ thinking: { type: 'adaptive' } }).reasoning, { enabled: true });
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const structured = parse({ thinking: { type: 'adaptive' }, output_config: { effort: 'high', format: { type: 'json_schema', schema } } });
    assert.deepEqual(structured.reasoning, { enabled: true, effort: 'high' });
    assert.deepEqual(structured.responseFormat, { type: 'json_schema', name: 'json_output', schema });
    assert.deepEqual(parse({ output_format: { type: 'json_schema', schema } }).responseFormat, { type: 'json_schema', name: 'json_output', schema });
  });

  test('what no other format can hold is listed by path (and still passes through on Anthropic)', () => {
    const body = {
      ...MINIMAL_BODY,
      service_tier: 'auto', container: 'c_1', mcp_servers: [{ type: 'url', url: 'https://m', name: 'm' }],
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] }, brand_new_field: 1, speed: null,
      metadata: { user_id: 'u', other: 'x' },
      thinking: { type: 'enabled', budget_tokens: 2048, display: 'omitted' },
      output_config: { effort: 'max' },
      tools: [{ type: 'web_search_20250305', name: 'web_search' }, { name: 'f', input_schema: { type: 'object' }, defer_loading: false, input_examples: [{}] }],
      messages: [
        { role: 'user', content: [{ type: 'search_result', source: 's', title: 't', content: [] }, { type: 'text', text: 'q' }] },
        { role: 'assistant', content: [{ type: 'server_tool_use', id: 's1', name: 'web_search', input: {} }, { type: 'text', text: 'a', citations: [{ type: 'char_location' }] }] },
        { role: 'system', content: 'late system' },
        { role: 'user', content: [{ type: 'document', source: { type: 'content', content: 'x' }, context: 'ctx' }, { type: 'container_upload', file_id: 'f' }] },
      ],
    };
    const r = codec.parseRequest(body).request;
    assert.deepEqual(r.untranslatable, [
      'messages[0].content[0] (search_result)',
      'messages[1].content[0] (server_tool_use)',
      'messages[1].content[1].citations',
      'messages[3].content[0].context',
      'messages[3].content[0].source',
      'messages[3].content[1] (container_upload)',
      'metadata.other',
      'tools[0] (web_search_20250305)',
      'tools[1].input_examples',
      'output_config.effort',
      'context_management',
      'service_tier', 'container', 'mcp_servers', 'brand_new_field',
    ]);
    assert.deepEqual(r.tools, [{ name: 'f', parameters: { type: 'object' } }], 'the custom tool is kept, the server tool is not canonical');
    assert.deepEqual(r.system, [{ type: 'text', text: 'late system' }], 'a system message between turns joins the system prompt');
    assert.deepEqual(r.messages.map((m) => m.content.length), [1, 1, 0]);
    const passed = codec.passthroughBody(r as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, claude);
    assert.deepEqual(passed, { ...body, model: claude.model });
  });

  test('max_tokens is required; 0 (cache warming) is Anthropic-only; absurd values are refused (ported)', () => {
    expectFormatError(() => codec.parseRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }), 'max_tokens', /required/);
    const warm = parse({ max_tokens: 0 });
    assert.equal(warm.maxTokens, undefined);
    assert.deepEqual(warm.untranslatable, ['max_tokens']);
    expectFormatError(() => parse({ max_tokens: 1e308 }), 'max_tokens', new RegExp(`1 to ${MAX_OUTPUT_TOKENS}.*1e\\+308`));
    expectFormatError(() => parse({ max_tokens: '100' }), 'max_tokens', /"100"/);
  });

  test('hostile bodies: any JSON in any field is a RequestFormatError or a request, never another exception', () => {
    const keys = ['system', 'messages', 'tools', 'tool_choice', 'thinking', 'metadata', 'output_config', 'stop_sequences', 'max_tokens', 'top_k', 'cache_control'];
    const block = fc.dictionary(fc.constantFrom('type', 'text', 'source', 'content', 'input', 'id', 'name', 'tool_use_id', 'cache_control', 'citations', 'is_error', 'title', 'data', 'signature', 'thinking'), fc.jsonValue());
    const typedBlock = fc.tuple(fc.constantFrom('text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'server_tool_use'), block).map(([type, b]) => ({ ...b, type }));
    fc.assert(fc.property(fc.constantFrom(...keys), fc.jsonValue(), fc.array(typedBlock, { maxLength: 4 }), (key, value, blocks) => {
      for (const body of [{ ...MINIMAL_BODY, [key]: value }, { ...MINIMAL_BODY, messages: [{ role: 'user', content: blocks }] }]) {
        try {
          const request = codec.parseRequest(body).request;
          codec.buildRequest({ ...request, raw: undefined, untranslatable: undefined }, claude);
        } catch (err) {
          if (!(err instanceof RequestFormatError) && !(err instanceof UnsupportedFieldError)) throw err;
        }
      }
    }), { numRuns: 500 });
  });

  test('malformed bodies are refused naming the field', () => {
    expectFormatError(() => codec.parseRequest([]), 'body');
    expectFormatError(() => codec.parseRequest({ max_tokens: 1, messages: [] }), 'model');
    expectFormatError(() => parse({ messages: [] }), 'messages');
    expectFormatError(() => parse({ messages: [{ role: 'assistant', content: 'only me' }] }), 'messages', /at least one user message/);
    expectFormatError(() => parse({ messages: [{ role: 'tool', content: 'x' }] }), 'messages[0].role');
    expectFormatError(() => parse({ messages: [{ role: 'user', content: 5 }] }), 'messages[0].content');
    expectFormatError(() => parse({ messages: [{ role: 'user', content: [{ type: 'text' }] }] }), 'messages[0].content[0].text');
    expectFormatError(() => parse({ messages: [{ role: 'user', content: [{ text: 'no type' }] }] }), 'messages[0].content[0].type');
    expectFormatError(() => parse({ messages: [{ role: 'user', content: [{ type: 'image', source: 'x' }] }] }), 'messages[0].content[0].source');
    expectFormatError(() => parse({ messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }] }), 'messages[0].content[0].cache_control');
    expectFormatError(() => parse({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', is_error: 'yes' }] }] }), 'messages[0].content[0].is_error');
    expectFormatError(() => parse({ system: [{ type: 'image' }] }), 'system[0].type');
    expectFormatError(() => parse({ tools: [{ name: 'f' }] }), 'tools[0].input_schema');
    expectFormatError(() => parse({ tools: {} }), 'tools');
    expectFormatError(() => parse({ tool_choice: { type: 'required' } }), 'tool_choice.type');
    expectFormatError(() => parse({ tool_choice: { type: 'tool' } }), 'tool_choice.name');
    expectFormatError(() => parse({ thinking: { type: 'enabled' } }), 'thinking.budget_tokens');
    expectFormatError(() => parse({ output_config: { format: { type: 'json_object' } } }), 'output_config.format.type');
    expectFormatError(() => parse({ metadata: { user_id: 7 } }), 'metadata.user_id');
    expectFormatError(() => parse({ stop_sequences: ['a', 1] }), 'stop_sequences');
    expectFormatError(() => parse({ temperature: 3 }), 'temperature', /0 to 2/);
    expectFormatError(() => parse({ top_p: 1.5 }), 'top_p');
    expectFormatError(() => parse({ top_k: 2.5 }), 'top_k');
    expectFormatError(() => parse({ stream: 'yes' }), 'stream');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('canonical → Anthropic upstream bodies', () => {
  const minimal: CanonicalRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false };

  test('minimal: max_tokens defaults to 4096, string content, no optional keys (ported)', () => {
    assert.equal(DEFAULT_MAX_TOKENS, 4096);
    assert.deepEqual(build(minimal), { model: claude.model, max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }], stream: false });
  });

  test('system as a string or blocks with cache_control; stop, sampling, user (temperature clamped to 1)', () => {
    const body = build({
      ...minimal, system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cacheControl: { type: 'ephemeral', ttl: '1h' } }],
      temperature: 1.6, topP: 0.8, topK: 5, stop: ['\n\n', 'END'], user: 'u-1', maxTokens: 100, stream: true,
    });
    assert.deepEqual(body, {
      model: claude.model, max_tokens: 100, stream: true,
      messages: [{ role: 'user', content: 'hi' }],
      system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: { type: 'ephemeral', ttl: '1h' } }],
      temperature: 1, top_p: 0.8, top_k: 5, stop_sequences: ['\n\n', 'END'], metadata: { user_id: 'u-1' },
    });
    assert.equal(build({ ...minimal, system: [{ type: 'text', text: 'Terse.' }] }).system, 'Terse.');
  });

  test('an OpenAI agent loop: tool calls, tool results merged first into one user turn, images, thinking by format', () => {
    const request: CanonicalRequest = {
      raw: { format: 'openai-chat', body: {} },
      stream: false,
      tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: true }, { name: 'now', parameters: {} }],
      toolChoice: { type: 'required' },
      parallelToolCalls: false,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/' }, detail: 'high' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', text: 'Claude thought', signature: 'sig', format: 'anthropic' },
            { type: 'thinking', text: 'o-series summary', format: 'openai-responses', id: 'rs_1', encrypted: 'enc' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'tool_call', id: 'call_2', name: 'now', arguments: '' },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'Sunny' }] }] },
        { role: 'user', content: [{ type: 'text', text: 'And?' }, { type: 'tool_result', toolCallId: 'call_2', content: [{ type: 'text', text: 'noon' }, { type: 'text', text: 'UTC' }], isError: true }] },
      ],
    };
    assert.deepEqual(build(request), {
      model: claude.model,
      max_tokens: 4096,
      stream: false,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Claude thought', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'call_2', name: 'now', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny' },
            { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'noon' }, { type: 'text', text: 'UTC' }], is_error: true },
            { type: 'text', text: 'And?' },
          ],
        },
      ],
      tools: [
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, strict: true },
        { name: 'now', input_schema: { type: 'object', properties: {} } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
  });

  test('documents: PDF, URL, text; base64 plain text becomes a text source; filename as title', () => {
    const body = build({
      ...minimal,
      messages: [{
        role: 'user',
        content: [
          { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBE' }, filename: 'a.pdf' },
          { type: 'document', source: { kind: 'url', url: 'https://x/a.pdf' }, title: 'T' },
          { type: 'document', source: { kind: 'base64', mediaType: 'text/plain', data: Buffer.from('héllo').toString('base64') } },
          { type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: 'raw' }, cacheControl: { type: 'ephemeral' } },
        ],
      }],
    });
    assert.deepEqual((body.messages as { content: unknown }[])[0].content, [
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' }, title: 'a.pdf' },
      { type: 'document', source: { type: 'url', url: 'https://x/a.pdf' }, title: 'T' },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'héllo' } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'raw' }, cache_control: { type: 'ephemeral' } },
    ]);
  });

  test('tool_choice without tools: auto/none say nothing; parallel flag alone rides on auto', () => {
    assert.equal(build({ ...minimal, toolChoice: { type: 'none' } }).tool_choice, undefined);
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    assert.deepEqual(build({ ...minimal, tools, parallelToolCalls: false }).tool_choice, { type: 'auto', disable_parallel_tool_use: true });
    assert.deepEqual(build({ ...minimal, tools, toolChoice: { type: 'none' }, parallelToolCalls: false }).tool_choice, { type: 'none' });
    assert.deepEqual(build({ ...minimal, tools, toolChoice: { type: 'tool', name: 'f' } }).tool_choice, { type: 'tool', name: 'f' });
  });

  test('reasoning → thinking: effort → budget, max_tokens raised by the budget; disabled; sampling limits refused', () => {
    const high = build({ ...minimal, reasoning: { enabled: true, effort: 'high' }, maxTokens: 1000 });
    assert.deepEqual(high.thinking, { type: 'enabled', budget_tokens: 24576 });
    assert.equal(high.max_tokens, 24576 + 1000);
    const budget = build({ ...minimal, reasoning: { enabled: true, budgetTokens: 5000, effort: 'low' } });
    assert.deepEqual(budget.thinking, { type: 'enabled', budget_tokens: 5000 });
    assert.equal(budget.max_tokens, 5000 + DEFAULT_MAX_TOKENS);
    assert.deepEqual(build({ ...minimal, reasoning: { enabled: true, summary: 'auto' } }).thinking, { type: 'enabled', budget_tokens: 8192 });
    assert.deepEqual(build({ ...minimal, reasoning: { enabled: false } }).thinking, { type: 'disabled' });
    assert.equal(build({ ...minimal, reasoning: { enabled: true, effort: 'low' }, temperature: 1, topP: 0.95 }).temperature, 1);
    expectRefusal(() => build({ ...minimal, reasoning: { enabled: true, effort: 'low' }, temperature: 0.2 }), 'temperature', /while thinking/);
    expectRefusal(() => build({ ...minimal, reasoning: { enabled: true, effort: 'low' }, topK: 5 }), 'top_k');
    expectRefusal(() => build({ ...minimal, reasoning: { enabled: true, effort: 'low' }, topP: 0.5 }), 'top_p');
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    expectRefusal(() => build({ ...minimal, tools, toolChoice: { type: 'required' }, reasoning: { enabled: true, effort: 'low' } }), 'tool_choice', /use auto/);
    assert.deepEqual(build({ ...minimal, tools, toolChoice: { type: 'auto' }, reasoning: { enabled: true, effort: 'low' } }).tool_choice, { type: 'auto' });
  });

  test('structured output → one forced tool; refused beside tools or thinking, named as the caller spells it', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'] };
    const named = build({ ...minimal, responseFormat: { type: 'json_schema', name: 'Answer', schema, strict: true, description: 'The answer' } });
    assert.deepEqual(named.tools, [{ name: 'Answer', description: 'The answer', input_schema: schema, strict: true }]);
    assert.deepEqual(named.tool_choice, { type: 'tool', name: 'Answer' });
    const object = build({ ...minimal, responseFormat: { type: 'json_object' } });
    assert.deepEqual(object.tool_choice, { type: 'tool', name: 'json_output' });
    assert.deepEqual((object.tools as { input_schema: unknown }[])[0].input_schema, { type: 'object' });
    assert.equal(build({ ...minimal, responseFormat: { type: 'text' } }).tools, undefined);
    const tools = [{ name: 'f', parameters: { type: 'object' } }];
    expectRefusal(() => build({ ...minimal, responseFormat: { type: 'json_object' }, tools }), 'response_format', /own tools/);
    expectRefusal(() => build({ ...minimal, raw: { format: 'openai-responses', body: {} }, responseFormat: { type: 'json_object' }, tools }), 'text.format');
    expectRefusal(() => build({ ...minimal, responseFormat: { type: 'json_object' }, reasoning: { enabled: true, effort: 'low' } }), 'response_format', /thinking/);
    expectRefusal(() => build({ ...minimal, responseFormat: { type: 'json_schema', name: 'L', schema: { type: 'array' } } }), 'response_format', /"object"/);
  });

  test('refusals name the caller\'s field and the target', () => {
    expectRefusal(() => build({ ...minimal, seed: 7 }), 'seed');
    expectRefusal(() => build({ ...minimal, n: 2 }), 'n', /one answer/);
    assert.doesNotThrow(() => build({ ...minimal, n: 1 }));
    expectRefusal(() => build({ ...minimal, untranslatable: ['logprobs', 'audio'] }), 'logprobs');
    const call = (args: string): CanonicalRequest => ({
      ...minimal, raw: { format: 'openai-chat', body: {} },
      messages: [...minimal.messages, { role: 'assistant', content: [{ type: 'text', text: 'x' }, { type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }, { type: 'tool_call', id: 'd', name: 'f', arguments: args }] }],
    });
    expectRefusal(() => build(call('{"city":')), 'messages[1].tool_calls[1].function.arguments', /not valid JSON/);
    expectRefusal(() => build(call('[1]')), 'messages[1].tool_calls[1].function.arguments', /JSON object/);
    const part = (content: CanonicalRequest['messages'][number]['content']): CanonicalRequest => ({ ...minimal, messages: [{ role: 'user', content }] });
    expectRefusal(() => build(part([{ type: 'text', text: 'x' }, { type: 'image', source: { kind: 'file', fileId: 'file-abc' } }])), 'messages[0].content[1]', /another provider/);
    expectRefusal(() => build(part([{ type: 'document', source: { kind: 'file', fileId: 'file-abc' } }])), 'messages[0].content[0]', /another provider/);
    expectRefusal(() => build(part([{ type: 'image', source: { kind: 'base64', mediaType: 'image/tiff', data: 'x' } }])), 'messages[0].content[0]', /image\/tiff/);
    expectRefusal(() => build(part([{ type: 'document', source: { kind: 'base64', mediaType: 'application/msword', data: 'x' } }])), 'messages[0].content[0]', /msword/);
    expectRefusal(() => build({ ...minimal, tools: [{ name: 'f', parameters: { type: 'string' } }] }), 'tools[0].function.parameters');
  });

  test('round trip: what the builder writes parses back to the same request', () => {
    const request: CanonicalRequest = {
      system: [{ type: 'text', text: 'Sys', cacheControl: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Q' }, { type: 'image', source: { kind: 'url', url: 'https://x/i.png' } }] },
        { role: 'assistant', content: [{ type: 'thinking', text: 't', signature: 's', format: 'anthropic' }, { type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{"a":1}' }] },
        { role: 'user', content: [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'ok' }] }] },
      ],
      tools: [{ name: 'f', description: 'F', parameters: { type: 'object', properties: { a: { type: 'number' } } } }],
      toolChoice: { type: 'auto' }, parallelToolCalls: false,
      reasoning: { enabled: true, budgetTokens: 2048, effort: 'low' },
      temperature: 1, topP: 0.96, stop: ['END'], user: 'u', maxTokens: 500, stream: true,
    };
    const { raw, ...back } = codec.parseRequest(build(request)).request;
    assert.equal(raw?.format, 'anthropic');
    assert.deepEqual(back, { ...request, maxTokens: 500 + 2048 });
  });

  test('passthrough: only model replaced, the caller\'s body untouched', () => {
    const body = { ...MINIMAL_BODY, model: 'switchyard/auto', stream: true, speed: 'fast', thinking: { type: 'adaptive' } };
    const r = codec.parseRequest(body).request as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> };
    const out = codec.passthroughBody(r, claude);
    assert.deepEqual(out, { ...body, model: claude.model });
    assert.equal(body.model, 'switchyard/auto');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('thinking in a tool loop begun elsewhere', () => {
  const loop = (thinking?: CanonicalRequest['messages'][number]['content'][number]): CanonicalRequest => ({
    stream: false, reasoning: { enabled: true, effort: 'high' }, tools: [{ name: 'sh', parameters: { type: 'object' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'list files' }] },
      { role: 'assistant', content: [...(thinking ? [thinking] : []), { type: 'tool_call', id: 'call_1', name: 'sh', arguments: '{"cmd":"ls"}' }] },
      { role: 'user', content: [{ type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'a.txt' }] }] },
    ],
  });
  test('a loop whose last tool call came from another provider (no Claude thinking to send back) is sent without thinking', () => {
    const body = codec.buildRequest(loop({ type: 'thinking', text: 'plan', format: 'openai-responses', encrypted: 'x' }), claude);
    assert.equal(body.thinking, undefined, 'Anthropic would refuse thinking without its own block first');
    assert.equal((body.messages as any[])[1].content[0].type, 'tool_use');
  });
  test('a loop Claude itself began keeps its signed thinking first, and thinking on', () => {
    const body = codec.buildRequest(loop({ type: 'thinking', text: 'plan', signature: 'sig', format: 'anthropic' }), claude);
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: effortToBudget('high') });
    assert.deepEqual((body.messages as any[])[1].content[0], { type: 'thinking', thinking: 'plan', signature: 'sig' });
  });
});

describe('upstream answers → canonical', () => {
  test('text, thinking with signature, redacted thinking, tool_use; usage with cache reads and writes; stop sequence', () => {
    const res = codec.decodeResponse({
      id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-20250514',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'text', text: 'Calling.', citations: null },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: [1, 2] } },
        { type: 'server_tool_use', id: 'srv', name: 'web_search', input: {} },
      ],
      stop_reason: 'stop_sequence', stop_sequence: 'END',
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens_details: { thinking_tokens: 3 } },
    }, parse({}));
    assert.deepEqual(res, {
      id: 'msg_1', model: 'claude-sonnet-4-20250514',
      content: [
        { type: 'thinking', text: 'hmm', signature: 'sig', format: 'anthropic' },
        { type: 'thinking', text: '', redacted: 'opaque', format: 'anthropic' },
        { type: 'text', text: 'Calling.' },
        { type: 'tool_call', id: 'toolu_1', name: 'f', arguments: '{"a":[1,2]}' },
      ],
      finishReason: 'stop_sequence', stopSequence: 'END',
      usage: { inputTokens: 130, outputTokens: 5, cachedInputTokens: 100, cacheWriteInputTokens: 20, reasoningTokens: 3 },
    });
  });

  test('stop reasons', () => {
    const finish = (stop_reason: unknown) => codec.decodeResponse({ content: [], stop_reason }, parse({})).finishReason;
    assert.deepEqual(
      ['end_turn', 'max_tokens', 'model_context_window_exceeded', 'tool_use', 'refusal', 'pause_turn', 'stop_sequence', null].map(finish),
      ['stop', 'length', 'length', 'tool_calls', 'content_filter', 'other', 'stop_sequence', 'other'],
    );
  });

  test('structured output emulated with a forced tool comes back as JSON text', () => {
    const request: CanonicalRequest = { messages: [], stream: false, raw: { format: 'openai-chat', body: {} }, responseFormat: { type: 'json_schema', name: 'Answer', schema: { type: 'object' } } };
    const res = codec.decodeResponse({ id: 'm', model: 'c', content: [{ type: 'tool_use', id: 't', name: 'Answer', input: { answer: 'yes' } }], stop_reason: 'tool_use' }, request);
    assert.deepEqual(res.content, [{ type: 'text', text: '{"answer":"yes"}' }]);
    assert.equal(res.finishReason, 'stop');
    // An Anthropic caller's own output_config.format got no forced tool: its tool calls stay tool calls.
    const own = codec.parseRequest({ ...MINIMAL_BODY, output_format: { type: 'json_schema', schema: {} } }).request;
    const mine = codec.decodeResponse({ content: [{ type: 'tool_use', id: 't', name: 'json_output', input: {} }], stop_reason: 'tool_use' }, own);
    assert.equal(mine.content[0].type, 'tool_call');
  });

  test('unusable JSON is malformed', () => {
    for (const body of [null, 'text', { content: 'x' }]) {
      assert.throws(() => codec.decodeResponse(body, parse({})), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

const upstreamStream = [
  { type: 'message_start', message: { id: 'msg_up', type: 'message', role: 'assistant', model: 'claude-sonnet-4-20250514', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 4, cache_creation_input_tokens: 0 } } },
  { type: 'ping' },
  { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me ' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'think.' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBsig' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Checking.' } },
  { type: 'content_block_stop', index: 1 },
  { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: {} } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city":' } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
  { type: 'content_block_stop', index: 2 },
  { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 42 } },
  { type: 'message_stop' },
];

describe('upstream streams → canonical events', () => {
  test('thinking and its signature, text, tool call with argument deltas, usage at start and end, done at message_stop', () => {
    const messages = sse(upstreamStream);
    const d = codec.streamDecoder(parse({}));
    const events: StreamEvent[] = [];
    for (const m of messages.slice(0, -1)) events.push(...d.decode(m));
    assert.equal(d.finished, false, 'not finished before message_stop: a stream ending here is a cut');
    events.push(...d.decode(messages[messages.length - 1]));
    assert.equal(d.finished, true);
    const usage = { inputTokens: 24, cachedInputTokens: 4, cacheWriteInputTokens: 0 };
    assert.deepEqual(events, [
      { type: 'usage', usage: { ...usage, outputTokens: 1 } },
      { type: 'thinking', text: 'Let me ', index: 0, format: 'anthropic' },
      { type: 'thinking', text: 'think.', index: 0, format: 'anthropic' },
      { type: 'thinking', text: '', signature: 'EqQBsig', index: 0, format: 'anthropic' },
      { type: 'delta', text: 'Checking.', index: 1 },
      { type: 'tool_call', index: 2, id: 'toolu_9', name: 'get_weather' },
      { type: 'tool_call_delta', index: 2, arguments: '{"city":' },
      { type: 'tool_call_delta', index: 2, arguments: '"Paris"}' },
      { type: 'usage', usage: { ...usage, outputTokens: 42 } },
      { type: 'done', finishReason: 'tool_calls', id: 'msg_up', model: 'claude-sonnet-4-20250514' },
    ]);
    assert.deepEqual(d.decode({ event: 'ping', data: '{"type":"ping"}' }), [], 'nothing after the end');
  });

  test('redacted thinking, text in the start block, stop sequence, pause_turn and refusal', () => {
    const { events } = decodeAll(sse([
      { type: 'message_start', message: { id: 'm', model: 'c', usage: { input_tokens: 1, output_tokens: 0 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'opaque' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: 'Hi' } },
      { type: 'message_delta', delta: { stop_reason: 'stop_sequence', stop_sequence: 'END' }, usage: { output_tokens: 2 } },
      { type: 'message_stop' },
    ]));
    assert.deepEqual(events.filter((e) => e.type !== 'usage'), [
      { type: 'thinking', text: '', redacted: 'opaque', index: 0, format: 'anthropic' },
      { type: 'delta', text: 'Hi', index: 1 },
      { type: 'done', finishReason: 'stop_sequence', stopSequence: 'END', id: 'm', model: 'c' },
    ]);
    for (const [reason, finish] of [['pause_turn', 'other'], ['refusal', 'content_filter']]) {
      const { events: e } = decodeAll(sse([{ type: 'message_delta', delta: { stop_reason: reason }, usage: { output_tokens: 0 } }, { type: 'message_stop' }]));
      assert.equal((e.at(-1) as { finishReason: string }).finishReason, finish);
    }
  });

  test('the forced structured-output tool streams as text deltas', () => {
    const request: CanonicalRequest = { messages: [], stream: true, raw: { format: 'openai-chat', body: {} }, responseFormat: { type: 'json_object' } };
    const { events } = decodeAll(sse([
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'json_output', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '1}' } },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 3 } },
      { type: 'message_stop' },
    ]), request);
    assert.deepEqual(events.filter((e) => e.type !== 'usage'), [
      { type: 'delta', text: '{"a":', index: 0 },
      { type: 'delta', text: '1}', index: 0 },
      { type: 'done', finishReason: 'stop' },
    ]);
  });

  test('an error event is an http error with the status its type stands for, carrying the event', () => {
    const d = codec.streamDecoder(parse({}));
    const ev = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    assert.throws(() => d.decode({ event: 'error', data: JSON.stringify(ev) }), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.kind, 'http');
      assert.equal(e.status, 529);
      assert.match(e.message, /Overloaded/);
      assert.deepEqual(e.upstream?.body, ev);
      return true;
    });
    assert.throws(() => codec.streamDecoder(parse({})).decode({ event: 'message_start', data: 'not json' }), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('answers for Anthropic callers', () => {
  const answer: CanonicalResponse = {
    id: 'chatcmpl-up', model: 'gpt-4o-2024-08-06',
    content: [
      { type: 'thinking', text: 'signed', signature: 's', format: 'anthropic' },
      { type: 'thinking', text: 'OpenAI summary', format: 'openai-responses' },
      { type: 'text', text: 'Here.' },
      { type: 'tool_call', id: 'call_1', name: 'f', arguments: '{"x":1}' },
      { type: 'tool_call', id: 'call_2', name: 'g', arguments: '' },
    ],
    finishReason: 'tool_calls',
    usage: { inputTokens: 1200, outputTokens: 40, cachedInputTokens: 1000 },
  };

  test('JSON: blocks per part (another provider\'s reasoning left out), stop reason, usage without cache in input_tokens', () => {
    assert.deepEqual(codec.encodeResponse(answer, ctx), {
      id: 'msg_sy1', type: 'message', role: 'assistant', model: ctx.model,
      content: [
        { type: 'thinking', thinking: 'signed', signature: 's' },
        { type: 'text', text: 'Here.' },
        { type: 'tool_use', id: 'call_1', name: 'f', input: { x: 1 } },
        { type: 'tool_use', id: 'call_2', name: 'g', input: {} },
      ],
      stop_reason: 'tool_use', stop_sequence: null,
      usage: { input_tokens: 200, output_tokens: 40, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0 },
    });
    const cut = codec.encodeResponse({ id: 'x', model: 'm', content: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{"x":' }], finishReason: 'length' }, ctx) as { content: { input: unknown }[]; usage: unknown; stop_reason: string };
    assert.equal(cut.content[0].input, '{"x":', 'arguments that are not JSON are given as they are');
    assert.equal(cut.stop_reason, 'max_tokens');
    assert.deepEqual(cut.usage, { input_tokens: 33, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }, 'no usage: the estimate');
    const stopped = codec.encodeResponse({ id: 'x', model: 'm', content: [], finishReason: 'stop_sequence', stopSequence: 'END' }, ctx) as { stop_reason: string; stop_sequence: string };
    assert.deepEqual([stopped.stop_reason, stopped.stop_sequence], ['stop_sequence', 'END']);
  });

  test('SSE: nothing before the first content event; event names, block order and usage', () => {
    const enc = codec.streamEncoder(ctx);
    assert.equal(enc.encode({ type: 'usage', usage: { inputTokens: 50, outputTokens: 0, cacheWriteInputTokens: 10 } }), '');
    const text = enc.encode({ type: 'delta', text: 'Hi' }) + enc.encode({ type: 'done', finishReason: 'stop_sequence', stopSequence: 'END' });
    const frames = text.trimEnd().split('\n\n').map((f) => {
      const [event, data] = f.split('\n');
      return [event.replace('event: ', ''), JSON.parse(data.replace('data: ', ''))];
    });
    assert.deepEqual(frames.map(([e, d]) => [e, d.type]), [
      ['message_start', 'message_start'], ['content_block_start', 'content_block_start'], ['content_block_delta', 'content_block_delta'],
      ['content_block_stop', 'content_block_stop'], ['message_delta', 'message_delta'], ['message_stop', 'message_stop'],
    ]);
    assert.deepEqual(frames[0][1].message.usage, { input_tokens: 40, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 10 });
    assert.deepEqual(frames[4][1].delta, { stop_reason: 'stop_sequence', stop_sequence: 'END' });
    assert.equal(enc.encode({ type: 'delta', text: 'late' }), '', 'nothing after the end');
  });

  test('the official SDK reads an encoded tool_use + thinking stream: tool input, thinking signature, usage, stop reason', async () => {
    const enc = codec.streamEncoder(ctx);
    const events: StreamEvent[] = [
      { type: 'thinking', text: 'Let me ', index: 0, format: 'anthropic' },
      { type: 'thinking', text: 'think.', index: 0, format: 'anthropic' },
      { type: 'thinking', text: '', signature: 'EqQBsig', index: 0, format: 'anthropic' },
      { type: 'thinking', text: 'not ours', format: 'openai-chat' },
      { type: 'delta', text: 'Checking ' },
      { type: 'delta', text: 'the weather.' },
      // OpenAI numbers tool calls apart from text: index 0 here is not the thinking block.
      { type: 'tool_call', index: 0, id: 'call_1', name: 'get_weather' },
      { type: 'tool_call_delta', index: 0, arguments: '{"city":' },
      { type: 'tool_call_delta', index: 0, arguments: '"Paris"}' },
      { type: 'tool_call', index: 1, id: 'call_2', name: 'get_time' },
      { type: 'tool_call_delta', index: 1, arguments: '{}' },
      { type: 'usage', usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100 } },
      { type: 'done', finishReason: 'tool_calls' },
    ];
    const message = await sdkFinalMessage(events.map((e) => enc.encode(e)).join(''));
    assert.equal(message.id, 'msg_sy1');
    assert.equal(message.model, ctx.model);
    assert.equal(message.stop_reason, 'tool_use');
    assert.deepEqual(JSON.parse(JSON.stringify(message.content)), [
      { type: 'thinking', thinking: 'Let me think.', signature: 'EqQBsig' },
      { type: 'text', text: 'Checking the weather.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
    ]);
    assert.equal(message.usage.input_tokens, 20);
    assert.equal(message.usage.output_tokens, 30);
    assert.equal(message.usage.cache_read_input_tokens, 100);
  });

  test('an upstream Anthropic stream, decoded and re-encoded, is the same message to the SDK; redacted thinking too', async () => {
    const { events } = decodeAll(sse(upstreamStream));
    const enc = codec.streamEncoder({ ...ctx, id: 'msg_up' });
    const message = await sdkFinalMessage(events.map((e) => enc.encode(e)).join(''));
    assert.deepEqual(JSON.parse(JSON.stringify(message.content)), [
      { type: 'thinking', thinking: 'Let me think.', signature: 'EqQBsig' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    assert.deepEqual([message.usage.input_tokens, message.usage.output_tokens, message.usage.cache_read_input_tokens], [20, 42, 4]);

    const enc2 = codec.streamEncoder(ctx);
    const redacted = await sdkFinalMessage(
      enc2.encode({ type: 'thinking', text: '', redacted: 'opaque', index: 0, format: 'anthropic' })
      + enc2.encode({ type: 'delta', text: 'ok', index: 1 }) + enc2.encode({ type: 'done', finishReason: 'stop' }),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(redacted.content)), [{ type: 'redacted_thinking', data: 'opaque' }, { type: 'text', text: 'ok' }]);
  });

  test('a failure after the start is an error event the SDK raises, never a clean end', async () => {
    const enc = codec.streamEncoder(ctx);
    const text = enc.encode({ type: 'delta', text: 'partial' }) + enc.error('upstream cut the stream', 'stream_cut', 'server_error');
    assert.equal(enc.encode({ type: 'done', finishReason: 'stop' }), '');
    assert.match(text, /event: error\ndata: {"type":"error","error":{"type":"api_error","message":"upstream cut the stream","code":"stream_cut"}}\n\n$/);
    await assert.rejects(sdkFinalMessage(text), /upstream cut the stream/);
    assert.match(codec.streamEncoder(ctx).error('busy', '', 'overloaded_error'), /"type":"overloaded_error"/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('errors and passthrough frames', () => {
  test('decodeError reads Anthropic bodies, text and nothing', () => {
    assert.deepEqual(codec.decodeError(429, { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' }, request_id: 'req_1' }), { status: 429, message: 'Slow down', type: 'rate_limit_error' });
    assert.deepEqual(codec.decodeError(502, '<html>Bad gateway</html>'), { status: 502, message: '<html>Bad gateway</html>', type: 'api_error' });
    assert.deepEqual(codec.decodeError(413, undefined), { status: 413, message: 'upstream answered HTTP 413', type: 'request_too_large' });
    assert.deepEqual(codec.decodeError(400, { error: { message: 'ctx', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' } }).code, 'context_length_exceeded');
  });

  test('encodeError: Anthropic types kept, another format\'s translated by status, code and param kept', () => {
    assert.deepEqual(codec.encodeError({ status: 529, message: 'Overloaded', type: 'overloaded_error' }), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    assert.deepEqual(codec.encodeError({ status: 500, message: 'oops', type: 'server_error', code: null }), { type: 'error', error: { type: 'api_error', message: 'oops' } });
    assert.deepEqual(codec.encodeError({ status: 429, message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' }), { type: 'error', error: { type: 'rate_limit_error', message: 'quota', code: 'insufficient_quota' } });
    assert.deepEqual(codec.encodeError({ status: 400, message: 'too long', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'messages' }), {
      type: 'error', error: { type: 'invalid_request_error', message: 'too long', code: 'context_length_exceeded', param: 'messages' },
    });
    const types = [400, 401, 402, 403, 404, 413, 422, 429, 500, 503, 504, 529].map((status) => (codec.encodeError({ status, message: '', type: 'x' }) as { error: { type: string } }).error.type);
    assert.deepEqual(types, ['invalid_request_error', 'authentication_error', 'billing_error', 'permission_error', 'not_found_error', 'request_too_large', 'invalid_request_error', 'rate_limit_error', 'api_error', 'api_error', 'timeout_error', 'overloaded_error']);
  });

  test('relayFrame re-frames the upstream message with its data unchanged', () => {
    assert.equal(codec.relayFrame({ event: 'ping', data: '{"type": "ping"}' }, parse({})), 'event: ping\ndata: {"type": "ping"}\n\n');
    assert.equal(codec.relayFrame({ data: 'a\nb' }, parse({})), 'data: a\ndata: b\n\n');
  });
});

describe('reasoning effort ⇄ thinking budget (daemon/formats/common.ts)', () => {
  test('one table for every format', () => {
    assert.deepEqual((['minimal', 'low', 'medium', 'high'] as const).map(effortToBudget), [1024, 2048, 8192, 24576]);
    assert.deepEqual([1, 1024, 1025, 4096, 4097, 16384, 16385, 64000].map(budgetToEffort), ['minimal', 'minimal', 'low', 'low', 'medium', 'medium', 'high', 'high']);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const OTHER_FORMATS: { format: WireFormat; folder: string; target: TargetInfo }[] = [
  { format: 'openai-chat', folder: 'openai-chat', target: { provider: 'openai', providerType: 'openai', model: 'gpt-4o-2024-08-06' } },
  { format: 'openai-responses', folder: 'openai-responses', target: { provider: 'openai', providerType: 'openai', model: 'gpt-4o-2024-08-06' } },
];

async function otherCodec(folder: string): Promise<FormatCodec | string> {
  const file = join(__dirname, '../../daemon/formats', folder, 'index.ts');
  if (!existsSync(file)) return `daemon/formats/${folder}/index.ts does not exist yet`;
  try {
    return ((await import(file)) as { codec: FormatCodec }).codec;
  } catch (err) {
    return `daemon/formats/${folder}/index.ts does not load yet: ${(err as Error).message}`;
  }
}

/** An error's field with indices written `[]`, as the table names fields. */
const fieldPattern = (field: string) => field.replace(/\[\d+\]/g, '[]');

describe('the field table (daemon/formats/anthropic/fields.ts), walked', () => {
  test('every row parses, and passes through on Anthropic unchanged', () => {
    assert.ok(REQUEST_FIELDS.length > 60);
    assert.equal(new Set(REQUEST_FIELDS.map((r) => r.field)).size, REQUEST_FIELDS.length, 'fields are unique');
    for (const row of REQUEST_FIELDS) {
      const body = { ...MINIMAL_BODY, ...row.sample };
      const request = codec.parseRequest(body).request as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> };
      const out = codec.passthroughBody(request, claude);
      for (const key of Object.keys(row.sample)) {
        assert.deepEqual(out[key], key === 'model' ? claude.model : body[key], `${row.field}: ${key} passes through`);
      }
      const refused = Object.values(row.across).includes('refused');
      if (refused && request.untranslatable) assert.ok(request.untranslatable.length > 0);
    }
  });

  for (const { format, folder, target } of OTHER_FORMATS) {
    test(`every row's verdict holds on an ${format} target`, async (t) => {
      const other = await otherCodec(folder);
      if (typeof other === 'string') {
        t.skip(`${format} column not checked: ${other}`);
        return;
      }
      const failures: string[] = [];
      for (const row of REQUEST_FIELDS) {
        const verdict = row.across[format];
        if (!verdict) continue;
        const request = codec.parseRequest({ ...MINIMAL_BODY, ...row.sample }).request;
        const baseline = codec.parseRequest({ ...MINIMAL_BODY, ...row.without }).request;
        let built: Record<string, unknown> | undefined;
        let error: unknown;
        try {
          built = other.buildRequest(request, target);
        } catch (err) {
          error = err;
        }
        const expected = row.refusedAs ?? row.field;
        if (verdict === 'refused') {
          if (!(error instanceof UnsupportedFieldError)) failures.push(`${row.field}: expected a refusal, got ${error ? String(error) : 'a body'}`);
          else if (!fieldPattern(error.field).startsWith(expected)) failures.push(`${row.field}: the refusal names ${error.field}, not ${expected}`);
          continue;
        }
        if (error) {
          failures.push(`${row.field}: expected ${verdict}, got ${String(error)}`);
          continue;
        }
        const plain = other.buildRequest(baseline, target);
        if (verdict === 'translated' && JSON.stringify(built) === JSON.stringify(plain)) failures.push(`${row.field}: translated, yet the body is the same as without it`);
        if (verdict === 'removed' && JSON.stringify(built) !== JSON.stringify(plain)) failures.push(`${row.field}: removed, yet the body differs from the one without it`);
        if (verdict === 'owned' && row.field === 'model' && built?.model !== target.model) failures.push(`model: expected ${target.model}, got ${String(built?.model)}`);
        if (verdict === 'owned' && row.field === 'stream' && built?.stream !== true) failures.push('stream: not sent on');
      }
      assert.deepEqual(failures, []);
    });
  }
});
