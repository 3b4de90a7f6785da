/**
 * The OpenAI Responses codec (daemon/formats/openai-responses): callers' bodies → canonical, canonical → upstream
 * bodies, upstream answers and streams → canonical, canonical answers and streams → what the official `openai` SDK
 * reads (driven for real against a tiny HTTP server), errors both ways, and the field table walked through every
 * other format's builder.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import type { CanonicalRequest, CanonicalResponse, StreamEvent, WireFormat } from '../../shared/canonical';
import { codec } from '../../daemon/formats/openai-responses/index';
import { MINIMAL_BODY, REQUEST_FIELDS, type ResponsesFieldRule } from '../../daemon/formats/openai-responses/fields';
import { encryptedFor } from '../../daemon/formats/openai-responses/reasoning';
import { UnsupportedFieldError, type EncodeContext, type FormatCodec, type SSEMessage, type TargetInfo } from '../../daemon/formats/types';
import { ProviderError } from '../../daemon/providers/types';
import { expectFormatError, expectRefusal } from './helpers/formats';

const OPENAI: TargetInfo = { provider: 'openai', providerType: 'openai', model: 'gpt-4.1-2025-04-14' };
const COMPATIBLE: TargetInfo = { provider: 'local', providerType: 'openai-compatible', model: 'qwen3' };
const weather = { type: 'function', name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const PDF = 'JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PD4+CmVuZG9iagp0cmFpbGVyCjw8Pj4KJSVFT0YK';

const parse = (body: Record<string, unknown>) => codec.parseRequest({ model: 'switchyard/auto', ...body }).request;



/** SSE text → messages, as readSSE gives them to decoders. */
function sseMessages(text: string): SSEMessage[] {
  return text.split('\n\n').filter((b) => b.trim()).map((block) => {
    const msg: SSEMessage = { data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) msg.event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    msg.data = data.join('\n');
    return msg;
  });
}

const frame = (data: Record<string, unknown>): SSEMessage => ({ event: String(data.type), data: JSON.stringify(data) });

function decodeAll(messages: SSEMessage[], request: CanonicalRequest = parse({ input: 'hi' })) {
  const decoder = codec.streamDecoder(request);
  const events = messages.flatMap((m) => decoder.decode(m));
  return { events, finished: decoder.finished };
}

// ---------------------------------------------------------------------------------------------------------------

describe('parseRequest: a Responses body → canonical', () => {
  test('a string input is one user message; instructions and system/developer items form the system prompt in order', () => {
    assert.deepEqual(parse({ input: 'Hi' }).messages, [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    const r = parse({
      instructions: 'Be brief.',
      input: [
        { role: 'developer', content: 'No markdown.' },
        { role: 'user', content: 'Hello' },
        { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Answer in French.' }] },
      ],
    });
    assert.deepEqual(r.system, [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'No markdown.' }, { type: 'text', text: 'Answer in French.' }]);
    assert.deepEqual(r.messages, [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }]);
    assert.deepEqual(r.raw?.format, 'openai-responses');
  });

  test('images and files: URL, data URL, file id, detail, filename, explicit cache breakpoints', () => {
    const r = parse({
      input: [{
        role: 'user',
        content: [
          { type: 'input_text', text: 'Look', prompt_cache_breakpoint: { mode: 'explicit' } },
          { type: 'input_image', image_url: 'https://example.com/cat.png', detail: 'high' },
          { type: 'input_image', image_url: `data:image/png;base64,${PNG}` },
          { type: 'input_image', file_id: 'file-img' },
          { type: 'input_file', file_data: `data:application/pdf;base64,${PDF}`, filename: 'report.pdf' },
          { type: 'input_file', file_data: PDF, filename: 'bare.pdf' },
          { type: 'input_file', file_id: 'file-pdf' },
          { type: 'input_file', file_url: 'https://example.com/r.pdf' },
        ],
      }],
    });
    assert.deepEqual(r.messages[0].content, [
      { type: 'text', text: 'Look', cacheControl: { type: 'ephemeral' } },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'high' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG } },
      { type: 'image', source: { kind: 'file', fileId: 'file-img' } },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: PDF }, filename: 'report.pdf' },
      { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: PDF }, filename: 'bare.pdf' },
      { type: 'document', source: { kind: 'file', fileId: 'file-pdf' } },
      { type: 'document', source: { kind: 'url', url: 'https://example.com/r.pdf' } },
    ]);
    assert.equal(r.untranslatable, undefined);
  });

  test('an agent loop: assistant items of one turn are one message; consecutive tool outputs are one user message', () => {
    const r = parse({
      tools: [weather],
      input: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Two cities.' }, { type: 'summary_text', text: 'Two calls.' }], encrypted_content: 'gAAA-opaque' },
        { type: 'message', role: 'assistant', id: 'msg_1', status: 'completed', content: [{ type: 'output_text', text: 'Checking.', annotations: [] }] },
        { type: 'function_call', id: 'fc_1', call_id: 'call_p', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' },
        { type: 'function_call', call_id: 'call_r', name: 'get_weather', arguments: '{"city":"Rome"}' },
        { type: 'function_call_output', call_id: 'call_p', output: 'Sunny' },
        { type: 'function_call_output', call_id: 'call_r', output: [{ type: 'input_text', text: 'Rain' }, { type: 'input_image', image_url: 'https://example.com/radar.png' }] },
        { role: 'user', content: 'Thanks' },
      ],
    });
    assert.deepEqual(r.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Two cities.\n\nTwo calls.', format: 'openai-responses', id: 'rs_1', encrypted: 'gAAA-opaque' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'call_p', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool_call', id: 'call_r', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'call_p', content: [{ type: 'text', text: 'Sunny' }] },
          { type: 'tool_result', toolCallId: 'call_r', content: [{ type: 'text', text: 'Rain' }, { type: 'image', source: { kind: 'url', url: 'https://example.com/radar.png' } }] },
        ],
      },
      { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
    ]);
    assert.deepEqual(r.tools, [{ name: 'get_weather', description: 'Weather for a city', parameters: weather.parameters }]);
  });

  test('a reasoning item carrying Anthropic thinking comes back as Anthropic thinking with its signature', () => {
    const encrypted = encryptedFor({ format: 'anthropic', text: 'Let me think.', signature: 'EqQBsig' });
    const redacted = encryptedFor({ format: 'anthropic', text: '', redacted: 'EmwKred' });
    assert.ok(encrypted && redacted);
    const r = parse({
      input: [
        { role: 'user', content: 'Hi' },
        { type: 'reasoning', id: 'rs_x', summary: [{ type: 'summary_text', text: 'Let me think.' }], encrypted_content: encrypted },
        { type: 'reasoning', id: 'rs_y', summary: [], encrypted_content: redacted },
        { role: 'assistant', content: 'Hello.' },
      ],
    });
    assert.deepEqual(r.messages[1].content, [
      { type: 'thinking', text: 'Let me think.', format: 'anthropic', signature: 'EqQBsig' },
      { type: 'thinking', text: '', format: 'anthropic', redacted: 'EmwKred' },
      { type: 'text', text: 'Hello.' },
    ]);
    expectFormatError(() => parse({ input: [{ type: 'reasoning', id: 'rs', summary: [], encrypted_content: 'switchyard.thinking.v1:!!!' }] }), 'input[0].encrypted_content', /damaged/);
  });

  test('a compatible server\'s reasoning text given to a Responses client comes back as that format\'s', () => {
    const encrypted = encryptedFor({ format: 'openai-chat', text: 'Hmm.' });
    const r = parse({ input: [{ role: 'user', content: 'Hi' }, { type: 'reasoning', id: 'rs_z', summary: [{ type: 'summary_text', text: 'Hmm.' }], encrypted_content: encrypted }] });
    assert.deepEqual(r.messages[1].content, [{ type: 'thinking', text: 'Hmm.', format: 'openai-chat' }]);
    assert.equal(encryptedFor({ format: 'anthropic', text: 'unsigned' }), undefined);
  });

  test('a Codex CLI turn reads completely: nothing in it is untranslatable', () => {
    const carried = encryptedFor({ format: 'anthropic', text: 'Plan: list files.', signature: 'sig' });
    const r = parse({
      model: 'gpt-5-codex',
      instructions: 'You are Codex, a coding agent.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: '<environment_context>cwd=/repo</environment_context>' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'List the files' }] },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Plan: list files.' }], content: null, encrypted_content: carried },
        { type: 'function_call', name: 'shell', arguments: '{"command":["ls"]}', call_id: 'call_1' },
        { type: 'function_call_output', call_id: 'call_1', output: 'README.md\nsrc' },
      ],
      tools: [{ type: 'function', name: 'shell', description: 'Runs a shell command', strict: false, parameters: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } }, required: ['command'], additionalProperties: false } }],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      reasoning: { effort: 'medium', summary: 'auto' },
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      prompt_cache_key: '0199-session',
      text: { verbosity: 'medium' },
    });
    assert.equal(r.untranslatable, undefined);
    assert.equal(r.messages.length, 4);
    assert.deepEqual(r.messages[2].content[0], { type: 'thinking', text: 'Plan: list files.', format: 'anthropic', signature: 'sig' });
    assert.deepEqual(r.reasoning, { enabled: true, effort: 'medium', summary: 'auto' });
    assert.equal(r.parallelToolCalls, false);
  });

  test('tools, tool_choice (incl. allowed_tools), text.format, reasoning, sampling and user', () => {
    const time = { ...weather, name: 'get_time', strict: true };
    const r = parse({
      input: 'x',
      tools: [weather, time],
      tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'get_time' }] },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'The answer' } },
      reasoning: { effort: 'low', summary: 'detailed' },
      temperature: 0.4,
      top_p: 0.8,
      max_output_tokens: 500,
      safety_identifier: 'u-1',
      stream: true,
    });
    assert.deepEqual(r.tools, [{ name: 'get_time', description: 'Weather for a city', parameters: weather.parameters, strict: true }]);
    assert.deepEqual(r.toolChoice, { type: 'required' });
    assert.equal(r.parallelToolCalls, false);
    assert.deepEqual(r.responseFormat, { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true, description: 'The answer' });
    assert.deepEqual(r.reasoning, { enabled: true, effort: 'low', summary: 'detailed' });
    assert.equal(r.temperature, 0.4);
    assert.equal(r.topP, 0.8);
    assert.equal(r.maxTokens, 500);
    assert.equal(r.user, 'u-1');
    assert.equal(r.stream, true);
    assert.deepEqual(parse({ input: 'x', tool_choice: { type: 'function', name: 'f' } }).toolChoice, { type: 'tool', name: 'f' });
    assert.deepEqual(parse({ input: 'x', reasoning: { effort: 'none' } }).reasoning, { enabled: false });
    assert.deepEqual(parse({ input: 'x', text: { format: { type: 'json_object' } } }).responseFormat, { type: 'json_object' });
    assert.equal(parse({ input: 'x', text: { format: { type: 'text' } } }).responseFormat, undefined);
  });

  test('what canonical cannot hold is listed by path (passed through on Responses, refused elsewhere)', () => {
    const r = parse({
      previous_response_id: 'resp_1',
      input: [
        { type: 'item_reference', id: 'msg_1' },
        { type: 'web_search_call', id: 'ws', status: 'completed' },
        { role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }, { type: 'input_image', image_url: 'https://e/x.png', detail: 'original' }] },
        { role: 'assistant', content: 'Working', phase: 'commentary' },
      ],
      tools: [{ type: 'web_search' }, { ...weather, defer_loading: true }],
      text: { verbosity: 'low' },
      reasoning: { effort: 'xhigh' },
      include: ['reasoning.encrypted_content', 'message.output_text.logprobs'],
      top_logprobs: 3,
      truncation: 'auto',
      service_tier: 'flex',
      background: true,
      user: 'a',
      safety_identifier: 'b',
      a_field_from_next_year: { x: 1 },
    });
    assert.deepEqual(r.untranslatable, [
      'input[0] (item_reference)',
      'input[1] (web_search_call)',
      'input[2].content[0] (input_audio)',
      'input[2].content[1].detail',
      'input[3].phase',
      'tools[0] (web_search)',
      'tools[1].defer_loading',
      'text.verbosity',
      'reasoning.effort',
      'safety_identifier',
      "previous_response_id (state only OpenAI's Responses API keeps: send the whole conversation in input)",
      'background',
      'truncation',
      'service_tier',
      'top_logprobs',
      'include[1] (message.output_text.logprobs)',
      'a_field_from_next_year',
    ]);
    assert.deepEqual(r.reasoning, { enabled: true, effort: 'high' });
    assert.equal(r.user, 'a');
  });

  test('fields with nothing to carry across leave no trace in canonical', () => {
    const plain = parse({ input: 'Hi' });
    const extra = parse({ input: 'Hi', store: true, metadata: { a: '1' }, prompt_cache_key: 'k', prompt_cache_retention: '24h', stream_options: { include_obfuscation: false }, max_tool_calls: 2, include: ['reasoning.encrypted_content'], truncation: 'disabled', service_tier: 'auto', background: false });
    delete (plain as Partial<CanonicalRequest>).raw;
    delete (extra as Partial<CanonicalRequest>).raw;
    assert.deepEqual(extra, plain);
  });

  test('invalid bodies are a 400 naming the field', () => {
    expectFormatError(() => codec.parseRequest([]), 'body');
    expectFormatError(() => codec.parseRequest({ input: 'hi' }), 'model');
    expectFormatError(() => parse({}), 'input', /required/);
    expectFormatError(() => parse({ input: [] }), 'input');
    expectFormatError(() => parse({ input: 42 }), 'input');
    expectFormatError(() => parse({ input: [{ role: 'robot', content: 'x' }] }), 'input[0].role');
    expectFormatError(() => parse({ input: [{ content: 'x' }] }), 'input[0].type');
    expectFormatError(() => parse({ input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }), 'input[0].call_id');
    expectFormatError(() => parse({ input: [{ type: 'function_call_output', call_id: 'c', output: 3 }] }), 'input[0].output');
    expectFormatError(() => parse({ input: [{ role: 'user', content: [{ type: 'input_image' }] }] }), 'input[0].content[0]', /image_url or file_id/);
    expectFormatError(() => parse({ input: [{ role: 'user', content: [{ type: 'input_file', filename: 'x' }] }] }), 'input[0].content[0]', /file_data/);
    expectFormatError(() => parse({ input: 'x', tools: [{ type: 'function' }] }), 'tools[0].name');
    expectFormatError(() => parse({ input: 'x', tool_choice: 'sometimes' }), 'tool_choice');
    expectFormatError(() => parse({ input: 'x', text: { format: { type: 'yaml' } } }), 'text.format.type');
    expectFormatError(() => parse({ input: 'x', text: { format: { type: 'json_schema', name: 'n' } } }), 'text.format.schema');
    expectFormatError(() => parse({ input: 'x', reasoning: { effort: 'lots' } }), 'reasoning.effort');
    expectFormatError(() => parse({ input: 'x', temperature: 3 }), 'temperature');
    expectFormatError(() => parse({ input: 'x', top_p: 1.5 }), 'top_p');
    expectFormatError(() => parse({ input: 'x', max_output_tokens: 1e308 }), 'max_output_tokens');
    expectFormatError(() => parse({ input: 'x', stream: 'yes' }), 'stream');
    expectFormatError(() => parse({ input: 'x', truncation: 'sometimes' }), 'truncation');
    // Stateful requests may carry no new input of their own.
    assert.deepEqual(parse({ previous_response_id: 'resp_1' }).messages, []);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('buildRequest: canonical (from another format) → a Responses body', () => {
  const chatRequest: CanonicalRequest = {
    system: [{ type: 'text', text: 'Be brief.' }, { type: 'text', text: 'Use metric units.', cacheControl: { type: 'ephemeral' } }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: PNG } }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', text: 'Claude thought', signature: 'sig', format: 'anthropic' },
          { type: 'thinking', text: 'OpenAI thought', id: 'rs_9', encrypted: 'gAAA', format: 'openai-responses' },
          { type: 'thinking', text: 'unstored', id: 'rs_8', format: 'openai-responses' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', toolCallId: 'call_1', content: [{ type: 'text', text: 'Sunny' }] },
          { type: 'tool_result', toolCallId: 'call_2', content: [{ type: 'text', text: 'no such city' }], isError: true },
          { type: 'text', text: 'And tomorrow?' },
          { type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: 'notes' }, title: 'Notes' },
        ],
      },
    ],
    tools: [{ name: 'get_weather', description: 'Weather', parameters: { type: 'object' } }],
    toolChoice: { type: 'tool', name: 'get_weather' },
    parallelToolCalls: true,
    responseFormat: { type: 'json_schema', name: 'w', schema: { type: 'object' } },
    reasoning: { enabled: true, budgetTokens: 10000 },
    temperature: 0.3,
    topP: 0.9,
    maxTokens: 700,
    user: 'u-1',
    stream: true,
    raw: { format: 'anthropic', body: {} },
  };

  test('system → instructions, items in order, tool results split out, only readable reasoning sent back, store: false', () => {
    const body = codec.buildRequest(chatRequest, OPENAI);
    assert.deepEqual(body, {
      model: OPENAI.model,
      instructions: 'Be brief.\n\nUse metric units.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather?' }, { type: 'input_image', image_url: `data:image/png;base64,${PNG}`, detail: 'auto' }] },
        { type: 'reasoning', id: 'rs_9', summary: [{ type: 'summary_text', text: 'OpenAI thought' }], encrypted_content: 'gAAA' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'Sunny' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'Error:' }, { type: 'input_text', text: 'no such city' }] },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'And tomorrow?' }, { type: 'input_text', text: 'Notes\n\nnotes' }] },
      ],
      tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: { type: 'object' }, strict: false }],
      tool_choice: { type: 'function', name: 'get_weather' },
      parallel_tool_calls: true,
      text: { format: { type: 'json_schema', name: 'w', schema: { type: 'object' }, strict: false } },
      reasoning: { effort: 'medium', summary: 'auto' },
      temperature: 0.3,
      top_p: 0.9,
      max_output_tokens: 700,
      user: 'u-1',
      stream: true,
      store: false,
    });
  });

  test('documents and file ids: inline PDFs with a filename, URLs; OpenAI file ids only from an OpenAI caller to OpenAI', () => {
    const docs = (from: WireFormat): CanonicalRequest => ({
      messages: [{ role: 'user', content: [
        { type: 'document', source: { kind: 'base64', mediaType: 'application/pdf', data: PDF } },
        { type: 'document', source: { kind: 'url', url: 'https://e/r.pdf' } },
        { type: 'document', source: { kind: 'file', fileId: 'file-1' }, filename: 'r.pdf' },
        { type: 'image', source: { kind: 'file', fileId: 'file-2' }, detail: 'low' },
      ] }],
      stream: false,
      raw: { format: from, body: {} },
    });
    const input = codec.buildRequest(docs('openai-chat'), OPENAI).input as Record<string, unknown>[];
    assert.deepEqual(input[0].content, [
      { type: 'input_file', file_data: `data:application/pdf;base64,${PDF}`, filename: 'document.pdf' },
      { type: 'input_file', file_url: 'https://e/r.pdf' },
      { type: 'input_file', file_id: 'file-1' },
      { type: 'input_image', file_id: 'file-2', detail: 'low' },
    ]);
    expectRefusal(() => codec.buildRequest(docs('anthropic'), OPENAI), 'messages[0].content[2]', /file id/);
    expectRefusal(() => codec.buildRequest(docs('openai-chat'), COMPATIBLE), 'messages[0].content[2]', /openai-compatible model qwen3/);
  });

  test('what the Responses API cannot express is refused, naming the caller\'s field and the target', () => {
    const base: CanonicalRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false };
    expectRefusal(() => codec.buildRequest({ ...base, stop: ['END'], raw: { format: 'anthropic', body: {} } }, OPENAI), 'stop_sequences', /openai model gpt-4\.1-2025-04-14: the Responses API has no stop sequences/);
    expectRefusal(() => codec.buildRequest({ ...base, stop: ['END'], raw: { format: 'openai-chat', body: {} } }, OPENAI), 'stop');
    expectRefusal(() => codec.buildRequest({ ...base, seed: 7 }, OPENAI), 'seed');
    expectRefusal(() => codec.buildRequest({ ...base, n: 2 }, OPENAI), 'n');
    expectRefusal(() => codec.buildRequest({ ...base, topK: 40 }, OPENAI), 'top_k');
    assert.equal(codec.buildRequest({ ...base, topK: 40 }, COMPATIBLE).top_k, 40);
    expectRefusal(() => codec.buildRequest({ ...base, maxTokens: 10, raw: { format: 'openai-chat', body: { max_tokens: 10 } } }, OPENAI), 'max_tokens', /16 or more/);
    expectRefusal(() => codec.buildRequest({ ...base, maxTokens: 10, raw: { format: 'anthropic', body: {} } }, OPENAI), 'max_tokens');
    assert.equal(codec.buildRequest({ ...base, maxTokens: 10 }, COMPATIBLE).max_output_tokens, 10);
    expectRefusal(() => codec.buildRequest({ ...base, messages: [{ role: 'user', name: 'ann', content: [{ type: 'text', text: 'hi' }] }] }, OPENAI), 'messages[0].name');
    expectRefusal(() => codec.buildRequest({ ...base, untranslatable: ['logprobs'] }, OPENAI), 'logprobs', /no equivalent/);
  });

  test('reasoning: efforts as they are, disabled thinking sends nothing, a chat effort asks for no summary', () => {
    const base: CanonicalRequest = { messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false };
    assert.deepEqual(codec.buildRequest({ ...base, reasoning: { enabled: true, effort: 'minimal' } }, OPENAI).reasoning, { effort: 'minimal' });
    assert.deepEqual(codec.buildRequest({ ...base, reasoning: { enabled: true, budgetTokens: 1024 } }, OPENAI).reasoning, { effort: 'minimal', summary: 'auto' });
    assert.deepEqual(codec.buildRequest({ ...base, reasoning: { enabled: true, budgetTokens: 30000 } }, OPENAI).reasoning, { effort: 'high', summary: 'auto' });
    assert.equal(codec.buildRequest({ ...base, reasoning: { enabled: false } }, OPENAI).reasoning, undefined);
  });

  test('passthroughBody: the caller\'s body with only model replaced, raw untouched', () => {
    const raw = { model: 'switchyard/auto', input: 'hi', previous_response_id: 'resp_1', tools: [{ type: 'web_search' }], store: true, stream: true, something_new: 1 };
    const request = parse(raw);
    const body = codec.passthroughBody(request as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, OPENAI);
    assert.deepEqual(body, { ...raw, model: OPENAI.model });
    assert.equal(raw.model, 'switchyard/auto');
  });

  test('passthroughBody leaves out only the reasoning items Switchyard wrote to carry Anthropic thinking', () => {
    const own = { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAA-openai' };
    const carried = { type: 'reasoning', id: 'rs_sy', summary: [], encrypted_content: encryptedFor({ format: 'anthropic', text: 't', signature: 's' }) };
    const input = [{ role: 'user', content: 'Hi' }, carried, own, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'More' }];
    const request = parse({ input });
    const body = codec.passthroughBody(request as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, OPENAI);
    assert.deepEqual(body.input, [input[0], own, input[3], input[4]]);
    assert.equal(input.length, 5);
  });
});

// ---------------------------------------------------------------------------------------------------------------

const upstreamAnswer = {
  id: 'resp_up1',
  object: 'response',
  created_at: 1,
  status: 'completed',
  model: 'gpt-4.1-2025-04-14',
  output: [
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Thinking.' }], encrypted_content: 'gAAA' },
    { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check.', annotations: [] }] },
    { type: 'web_search_call', id: 'ws_1', status: 'completed' },
    { type: 'function_call', id: 'fc_1', status: 'completed', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
  ],
  usage: { input_tokens: 1200, input_tokens_details: { cached_tokens: 1000 }, output_tokens: 40, output_tokens_details: { reasoning_tokens: 12 }, total_tokens: 1240 },
};

describe('decodeResponse: an upstream response object → canonical', () => {
  const req = parse({ input: 'hi' });

  test('output items in order, call_id as the tool-call id, usage with cached and reasoning tokens, tool_calls', () => {
    assert.deepEqual(codec.decodeResponse(upstreamAnswer, req), {
      id: 'resp_up1',
      model: 'gpt-4.1-2025-04-14',
      content: [
        { type: 'thinking', text: 'Thinking.', format: 'openai-responses', id: 'rs_1', encrypted: 'gAAA' },
        { type: 'text', text: 'Let me check.' },
        { type: 'tool_call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      ],
      finishReason: 'tool_calls',
      usage: { inputTokens: 1200, outputTokens: 40, cachedInputTokens: 1000, reasoningTokens: 12 },
    });
  });

  test('finish reasons: completed → stop, refusal → content_filter, incomplete → length / content_filter', () => {
    const msg = (content: unknown[]) => ({ type: 'message', id: 'm', status: 'completed', role: 'assistant', content });
    assert.equal(codec.decodeResponse({ status: 'completed', output: [msg([{ type: 'output_text', text: 'ok' }])] }, req).finishReason, 'stop');
    const refused = codec.decodeResponse({ status: 'completed', output: [msg([{ type: 'refusal', refusal: 'No.' }])] }, req);
    assert.equal(refused.finishReason, 'content_filter');
    assert.deepEqual(refused.content, [{ type: 'text', text: 'No.' }]);
    assert.equal(codec.decodeResponse({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, output: [] }, req).finishReason, 'length');
    assert.equal(codec.decodeResponse({ status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] }, req).finishReason, 'content_filter');
  });

  test('a failed response is a ProviderError with the status its code means; a malformed one says so', () => {
    assert.throws(() => codec.decodeResponse({ status: 'failed', error: { code: 'rate_limit_exceeded', message: 'slow down' }, output: [] }, req), (e: unknown) => {
      assert.ok(e instanceof ProviderError);
      assert.equal(e.kind, 'http');
      assert.equal(e.status, 429);
      assert.match(e.message, /slow down/);
      return true;
    });
    assert.throws(() => codec.decodeResponse('nope', req), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
    assert.throws(() => codec.decodeResponse({ status: 'completed' }, req), /no output array/);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('streamDecoder: upstream Responses events → canonical events', () => {
  const stream = [
    { type: 'response.created', sequence_number: 0, response: { id: 'resp_s1', model: 'gpt-4.1', status: 'in_progress', output: [] } },
    { type: 'response.in_progress', sequence_number: 1, response: { id: 'resp_s1', model: 'gpt-4.1', status: 'in_progress', output: [] } },
    { type: 'response.output_item.added', sequence_number: 2, output_index: 0, item: { type: 'reasoning', id: 'rs_1', summary: [] } },
    { type: 'response.reasoning_summary_part.added', sequence_number: 3, item_id: 'rs_1', output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } },
    { type: 'response.reasoning_summary_text.delta', sequence_number: 4, item_id: 'rs_1', output_index: 0, summary_index: 0, delta: 'One.' },
    { type: 'response.reasoning_summary_part.added', sequence_number: 5, item_id: 'rs_1', output_index: 0, summary_index: 1, part: { type: 'summary_text', text: '' } },
    { type: 'response.reasoning_summary_text.delta', sequence_number: 6, item_id: 'rs_1', output_index: 0, summary_index: 1, delta: 'Two.' },
    { type: 'response.output_item.done', sequence_number: 7, output_index: 0, item: { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'One.' }, { type: 'summary_text', text: 'Two.' }], encrypted_content: 'gAAA' } },
    { type: 'response.output_item.added', sequence_number: 8, output_index: 1, item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] } },
    { type: 'response.content_part.added', sequence_number: 9, item_id: 'msg_1', output_index: 1, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } },
    { type: 'response.output_text.delta', sequence_number: 10, item_id: 'msg_1', output_index: 1, content_index: 0, delta: 'Hel' },
    { type: 'response.output_text.delta', sequence_number: 11, item_id: 'msg_1', output_index: 1, content_index: 0, delta: 'lo' },
    { type: 'response.output_text.done', sequence_number: 12, item_id: 'msg_1', output_index: 1, content_index: 0, text: 'Hello' },
    { type: 'response.output_item.done', sequence_number: 13, output_index: 1, item: { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hello', annotations: [] }] } },
    { type: 'response.output_item.added', sequence_number: 14, output_index: 2, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '', status: 'in_progress' } },
    { type: 'response.function_call_arguments.delta', sequence_number: 15, item_id: 'fc_1', output_index: 2, delta: '{"city":' },
    { type: 'response.function_call_arguments.delta', sequence_number: 16, item_id: 'fc_1', output_index: 2, delta: '"Paris"}' },
    { type: 'response.function_call_arguments.done', sequence_number: 17, item_id: 'fc_1', output_index: 2, arguments: '{"city":"Paris"}' },
    { type: 'response.output_item.done', sequence_number: 18, output_index: 2, item: { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' } },
    { type: 'response.completed', sequence_number: 19, response: { ...upstreamAnswer, id: 'resp_s1', model: 'gpt-4.1' } },
  ];

  test('deltas as they come, tool calls started at output_item.added, usage and done at response.completed', () => {
    const decoder = codec.streamDecoder(parse({ input: 'hi' }));
    const events: StreamEvent[] = [];
    stream.forEach((ev, i) => {
      events.push(...decoder.decode(frame(ev)));
      assert.equal(decoder.finished, i === stream.length - 1, `finished only at response.completed (event ${i})`);
    });
    assert.deepEqual(events, [
      { type: 'thinking', text: 'One.', index: 0, format: 'openai-responses' },
      { type: 'thinking', text: '\n\n', index: 0, format: 'openai-responses' },
      { type: 'thinking', text: 'Two.', index: 0, format: 'openai-responses' },
      { type: 'thinking', text: '', index: 0, format: 'openai-responses', id: 'rs_1', encrypted: 'gAAA' },
      { type: 'delta', text: 'Hel', index: 1 },
      { type: 'delta', text: 'lo', index: 1 },
      { type: 'tool_call', index: 2, id: 'call_1', name: 'get_weather' },
      { type: 'tool_call_delta', index: 2, arguments: '{"city":' },
      { type: 'tool_call_delta', index: 2, arguments: '"Paris"}' },
      { type: 'usage', usage: { inputTokens: 1200, outputTokens: 40, cachedInputTokens: 1000, reasoningTokens: 12 } },
      { type: 'done', finishReason: 'tool_calls', id: 'resp_s1', model: 'gpt-4.1' },
    ]);
    assert.deepEqual(decoder.decode(frame({ type: 'response.output_text.delta', output_index: 1, delta: 'late' })), []);
  });

  test('a stream cut before its terminal event is not finished', () => {
    assert.equal(decodeAll(stream.slice(0, 12).map(frame)).finished, false);
  });

  test('items sent whole, without deltas, are caught up at output_item.done', () => {
    const { events, finished } = decodeAll([
      { type: 'response.output_item.done', output_index: 0, item: { type: 'message', id: 'm', role: 'assistant', content: [{ type: 'output_text', text: 'Whole' }] } },
      { type: 'response.output_item.done', output_index: 1, item: { type: 'function_call', id: 'f', call_id: 'c9', name: 'f', arguments: '{}' } },
      { type: 'response.incomplete', response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } } },
    ].map(frame));
    assert.deepEqual(events, [
      { type: 'delta', text: 'Whole', index: 0 },
      { type: 'tool_call', index: 1, id: 'c9', name: 'f' },
      { type: 'tool_call_delta', index: 1, arguments: '{}' },
      { type: 'done', finishReason: 'tool_calls' },
    ].map((e) => (e.type === 'done' ? { ...e, finishReason: 'length' as const } : e)));
    assert.equal(finished, true);
  });

  test('error events and failed responses are ProviderError(http) with the status their code means', () => {
    const check = (ev: Record<string, unknown>, status: number, message: RegExp) => {
      const decoder = codec.streamDecoder(parse({ input: 'hi' }));
      assert.throws(() => decoder.decode(frame(ev)), (e: unknown) => {
        assert.ok(e instanceof ProviderError);
        assert.equal(e.kind, 'http');
        assert.equal(e.status, status);
        assert.match(e.message, message);
        return true;
      });
      assert.equal(decoder.finished, true);
    };
    check({ type: 'error', code: 'rate_limit_exceeded', message: 'Too many', param: null }, 429, /Too many/);
    check({ type: 'error', error: { type: 'invalid_request_error', code: 'context_length_exceeded', message: 'Too long' } }, 400, /Too long/);
    check({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message: 'Boom' } } }, 500, /Boom/);
    assert.throws(() => codec.streamDecoder(parse({ input: 'hi' })).decode({ data: '{oops' }), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
  });

  test('relayFrame gives the upstream message back byte for byte', () => {
    const data = JSON.stringify(stream[10]);
    assert.equal(codec.relayFrame({ event: 'response.output_text.delta', data }, parse({ input: 'hi' })), `event: response.output_text.delta\ndata: ${data}\n\n`);
    assert.equal(codec.relayFrame({ data: 'a\nb' }, parse({ input: 'hi' })), 'data: a\ndata: b\n\n');
  });
});

// ---------------------------------------------------------------------------------------------------------------

const answer: CanonicalResponse = {
  id: 'msg_01Anthropic',
  model: 'claude-sonnet-4-20250514',
  content: [
    { type: 'thinking', text: 'The user wants weather.', signature: 'EqQBsig', format: 'anthropic' },
    { type: 'text', text: 'Checking ' },
    { type: 'text', text: 'now.' },
    { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
  ],
  finishReason: 'tool_calls',
  usage: { inputTokens: 300, outputTokens: 50, cachedInputTokens: 100, cacheWriteInputTokens: 20, reasoningTokens: 10 },
};

const answerEvents: StreamEvent[] = [
  { type: 'usage', usage: { inputTokens: 300, outputTokens: 1 } },
  { type: 'thinking', text: 'The user ', index: 0, format: 'anthropic' },
  { type: 'thinking', text: 'wants weather.', index: 0, format: 'anthropic' },
  { type: 'thinking', text: '', signature: 'EqQBsig', index: 0, format: 'anthropic' },
  { type: 'delta', text: 'Checking ', index: 1 },
  { type: 'delta', text: 'now.', index: 1 },
  { type: 'tool_call', index: 2, id: 'toolu_1', name: 'get_weather' },
  { type: 'tool_call_delta', index: 2, arguments: '{"city":' },
  { type: 'tool_call_delta', index: 2, arguments: '"Paris"}' },
  { type: 'usage', usage: { inputTokens: 300, outputTokens: 50, cachedInputTokens: 100, reasoningTokens: 10 } },
  { type: 'done', finishReason: 'tool_calls' },
];

const callerRequest = parse({ instructions: 'Be brief.', input: 'Weather in Paris?', tools: [weather], tool_choice: 'auto', temperature: 0.2, stream: true });
const ctx: EncodeContext = { id: 'msg_01Anthropic', model: 'claude-sonnet-4-20250514', created: 1_700_000_000, request: callerRequest };

function encodeStream(events: StreamEvent[], c: EncodeContext = ctx): string {
  const encoder = codec.streamEncoder(c);
  return events.map((e) => encoder.encode(e)).join('');
}

describe('encodeResponse and streamEncoder: canonical answers → what a Responses caller reads', () => {
  test('a full response object: resp_ id, output items, usage, store false, the request fields echoed', () => {
    const out = codec.encodeResponse(answer, ctx) as Record<string, unknown>;
    assert.equal(out.id, 'resp_msg_01Anthropic');
    assert.equal(out.object, 'response');
    assert.equal(out.created_at, 1_700_000_000);
    assert.equal(out.status, 'completed');
    assert.equal(out.store, false);
    assert.equal(out.model, 'claude-sonnet-4-20250514');
    assert.equal(out.instructions, 'Be brief.');
    assert.deepEqual(out.tools, [weather]);
    assert.equal(out.tool_choice, 'auto');
    assert.equal(out.temperature, 0.2);
    assert.deepEqual(out.text, { format: { type: 'text' }, verbosity: 'medium' });
    assert.equal(out.previous_response_id, null);
    const output = out.output as Record<string, unknown>[];
    assert.deepEqual(output.map((i) => i.type), ['reasoning', 'message', 'function_call']);
    assert.equal(output[0].encrypted_content, encryptedFor({ format: 'anthropic', text: 'The user wants weather.', signature: 'EqQBsig' }));
    assert.deepEqual(output[0].summary, [{ type: 'summary_text', text: 'The user wants weather.' }]);
    assert.deepEqual((output[1].content as { text: string }[]).map((c) => c.text), ['Checking ', 'now.']);
    assert.deepEqual({ ...output[2], id: undefined }, { type: 'function_call', id: undefined, status: 'completed', call_id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' });
    assert.deepEqual(out.usage, { input_tokens: 300, input_tokens_details: { cached_tokens: 100 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 10 }, total_tokens: 350 });
    const ids = output.map((i) => i.id as string);
    assert.equal(new Set(ids).size, 3);
    assert.deepEqual(ids.map((id) => id.split('_')[0]), ['rs', 'msg', 'fc']);
  });

  test('length is incomplete with reason max_output_tokens', () => {
    const out = codec.encodeResponse({ ...answer, content: [{ type: 'text', text: 'Cut' }], finishReason: 'length' }, ctx) as Record<string, unknown>;
    assert.equal(out.status, 'incomplete');
    assert.deepEqual(out.incomplete_details, { reason: 'max_output_tokens' });
    assert.equal((out.output as { status: string }[])[0].status, 'incomplete');
  });

  test('the event sequence: lifecycle, items opened and closed, sequence numbers from 0, completed with usage', () => {
    const messages = sseMessages(encodeStream(answerEvents));
    const data = messages.map((m) => JSON.parse(m.data) as Record<string, unknown>);
    assert.deepEqual(messages.map((m) => m.event), data.map((d) => d.type));
    assert.deepEqual(data.map((d) => d.sequence_number), data.map((_, i) => i));
    assert.deepEqual(data.map((d) => d.type), [
      'response.created', 'response.in_progress',
      'response.output_item.added', 'response.reasoning_summary_part.added', 'response.reasoning_summary_text.delta', 'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done', 'response.reasoning_summary_part.done', 'response.output_item.done',
      'response.output_item.added', 'response.content_part.added', 'response.output_text.delta', 'response.output_text.delta',
      'response.output_text.done', 'response.content_part.done', 'response.output_item.done',
      'response.output_item.added', 'response.function_call_arguments.delta', 'response.function_call_arguments.delta',
      'response.function_call_arguments.done', 'response.output_item.done',
      'response.completed',
    ]);
    const completed = data[data.length - 1].response as Record<string, unknown>;
    assert.equal(completed.status, 'completed');
    assert.equal((completed.usage as Record<string, unknown>).output_tokens, 50);
    assert.equal((data[0].response as Record<string, unknown>).status, 'in_progress');
  });

  test('what the encoder writes, the decoder reads back (Anthropic thinking keeps its signature)', () => {
    const { events, finished } = decodeAll(sseMessages(encodeStream(answerEvents)));
    assert.equal(finished, true);
    const text = events.filter((e) => e.type === 'delta').map((e) => (e as { text: string }).text).join('');
    assert.equal(text, 'Checking now.');
    assert.ok(events.some((e) => e.type === 'thinking' && e.format === 'anthropic' && e.signature === 'EqQBsig'));
    assert.deepEqual(events.filter((e) => e.type === 'tool_call'), [{ type: 'tool_call', index: 2, id: 'toolu_1', name: 'get_weather' }]);
    assert.equal(events.filter((e) => e.type === 'tool_call_delta').map((e) => (e as { arguments: string }).arguments).join(''), '{"city":"Paris"}');
    assert.deepEqual(events.at(-1), { type: 'done', finishReason: 'tool_calls', id: 'resp_msg_01Anthropic', model: 'claude-sonnet-4-20250514' });
  });

  test('a failure after the start: an error event, then response.failed; nothing after', () => {
    const encoder = codec.streamEncoder(ctx);
    const start = encoder.encode({ type: 'delta', text: 'Part' });
    const failure = sseMessages(encoder.error('upstream cut', 'stream_cut', 'server_error'));
    assert.deepEqual(failure.map((m) => m.event), ['error', 'response.failed']);
    assert.deepEqual({ ...JSON.parse(failure[0].data), sequence_number: 0 }, { type: 'error', sequence_number: 0, code: 'stream_cut', message: 'upstream cut', param: null });
    const failed = JSON.parse(failure[1].data).response;
    assert.equal(failed.status, 'failed');
    assert.deepEqual(failed.error, { code: 'stream_cut', message: 'upstream cut' });
    assert.ok(start.includes('response.created'));
    assert.equal(encoder.encode({ type: 'done', finishReason: 'stop' }), '');
    // A failure before anything was sent still opens the response first.
    assert.deepEqual(sseMessages(codec.streamEncoder(ctx).error('no upstream', 'all_failed', 'server_error')).map((m) => m.event), ['response.created', 'response.in_progress', 'error', 'response.failed']);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('the official openai SDK reads what the codec writes', () => {
  let server: Server;
  let client: OpenAI;
  let reply: (res: ServerResponse, body: Record<string, unknown>) => void = () => {};
  const received: Record<string, unknown>[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (c) => { text += c; });
      req.on('end', () => {
        const body = JSON.parse(text) as Record<string, unknown>;
        received.push(body);
        reply(res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new OpenAI({ apiKey: 'test', baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, maxRetries: 0 });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Answers each request the way the daemon would: the SDK's body parsed by the codec, the answer encoded by it. */
  const serveStream = (events: StreamEvent[]) => {
    reply = (res, body) => {
      const request = codec.parseRequest(body).request;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(encodeStream(events, { ...ctx, request }));
    };
  };

  test('responses.stream(): finalResponse() has the text, the function call and the reasoning item', async () => {
    serveStream(answerEvents);
    const deltas: string[] = [];
    const stream = client.responses.stream({ model: 'switchyard/auto', input: 'Weather in Paris?', tools: [weather as unknown as OpenAI.Responses.FunctionTool], instructions: 'Be brief.' });
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    assert.deepEqual(deltas, ['Checking ', 'now.']);
    assert.equal(final.output_text, 'Checking now.');
    assert.equal(final.status, 'completed');
    assert.equal(final.id, 'resp_msg_01Anthropic');
    const call = final.output.find((o) => o.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.equal(call.call_id, 'toolu_1');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris' });
    const reasoning = final.output.find((o) => o.type === 'reasoning');
    assert.ok(reasoning && reasoning.type === 'reasoning');
    assert.equal(reasoning.summary[0]?.text, 'The user wants weather.');
    assert.equal(final.usage?.input_tokens_details.cached_tokens, 100);
    // What the SDK sent was read as a Responses request.
    const sent = codec.parseRequest(received.at(-1)).request;
    assert.equal(sent.system?.[0].text, 'Be brief.');
    assert.equal(sent.tools?.[0].name, 'get_weather');
  });

  test('responses.create({stream: true}): typed events with increasing sequence numbers; the SDK sends the reasoning back', async () => {
    serveStream(answerEvents);
    const stream = await client.responses.create({ model: 'switchyard/auto', input: 'Weather?', stream: true });
    const seen: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const ev of stream) seen.push(ev);
    assert.deepEqual(seen.map((e) => e.sequence_number), seen.map((_, i) => i));
    const completed = seen.at(-1);
    assert.ok(completed?.type === 'response.completed');
    // The next turn, as Codex or the AI SDK send it: the output items back as input, then the tool's result.
    serveStream([{ type: 'delta', text: 'Sunny in Paris.' }, { type: 'usage', usage: { inputTokens: 400, outputTokens: 5 } }, { type: 'done', finishReason: 'stop' }]);
    const items = completed.response.output as unknown as OpenAI.Responses.ResponseInputItem[];
    const next = await client.responses.stream({
      model: 'switchyard/auto',
      input: [{ role: 'user', content: 'Weather?' }, ...items, { type: 'function_call_output', call_id: 'toolu_1', output: 'Sunny' }],
    }).finalResponse();
    assert.equal(next.output_text, 'Sunny in Paris.');
    const turn = codec.parseRequest(received.at(-1)).request;
    assert.deepEqual(turn.messages[1].content, [
      { type: 'thinking', text: 'The user wants weather.', format: 'anthropic', signature: 'EqQBsig' },
      { type: 'text', text: 'Checking now.' },
      { type: 'tool_call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ]);
    assert.deepEqual(turn.messages[2].content, [{ type: 'tool_result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'Sunny' }] }]);
  });

  test('responses.create(): the plain response object parses, with output_text', async () => {
    reply = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(codec.encodeResponse({ ...answer, content: [{ type: 'text', text: '{"city":"Paris"}' }], finishReason: 'stop' }, ctx)));
    };
    const res = await client.responses.create({ model: 'switchyard/auto', input: 'City as JSON', text: { format: { type: 'json_object' } } });
    assert.equal(res.output_text, '{"city":"Paris"}');
    assert.equal(res.status, 'completed');
    assert.equal(res.usage?.total_tokens, 350);
  });

  test('a stream that fails after its start rejects finalResponse() instead of ending cleanly', async () => {
    reply = (res) => {
      const encoder = codec.streamEncoder(ctx);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(encoder.encode({ type: 'delta', text: 'Half' }) + encoder.error('upstream went away', 'stream_cut', 'server_error'));
    };
    await assert.rejects(client.responses.stream({ model: 'switchyard/auto', input: 'hi' }).finalResponse(), (e: unknown) => {
      assert.match(JSON.stringify(e), /upstream went away/);
      return true;
    });
  });

  test('encodeError: a 429 reaches the SDK as RateLimitError with its code and param', async () => {
    reply = (res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify(codec.encodeError({ status: 429, message: 'Slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null })));
    };
    await assert.rejects(client.responses.create({ model: 'switchyard/auto', input: 'hi' }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.RateLimitError);
      assert.equal(e.code, 'rate_limit_exceeded');
      assert.equal(e.type, 'rate_limit_error');
      assert.match(e.message, /Slow down/);
      return true;
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('errors', () => {
  test('decodeError reads OpenAI\'s error body, keeping type, code and param', () => {
    assert.deepEqual(codec.decodeError(400, { error: { message: 'Too long', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'input' } }), {
      status: 400, message: 'Too long', type: 'invalid_request_error', code: 'context_length_exceeded', param: 'input',
    });
    assert.deepEqual(codec.decodeError(502, 'Bad gateway'), { status: 502, message: 'Bad gateway', type: 'server_error', code: null, param: null });
    assert.deepEqual(codec.decodeError(503, undefined), { status: 503, message: 'the upstream answered HTTP 503', type: 'server_error', code: null, param: null });
  });

  test('encodeError translates Anthropic-only types by status and keeps OpenAI\'s', () => {
    const enc = (status: number, type: string) => (codec.encodeError({ status, message: 'm', type, code: 'c', param: 'p' }) as { error: Record<string, unknown> }).error;
    assert.deepEqual(enc(529, 'overloaded_error'), { message: 'm', type: 'server_error', code: 'c', param: 'p' });
    assert.equal(enc(402, 'billing_error').type, 'insufficient_quota');
    assert.equal(enc(413, 'request_too_large').type, 'invalid_request_error');
    assert.equal(enc(500, 'api_error').type, 'server_error');
    assert.equal(enc(429, 'rate_limit_error').type, 'rate_limit_error');
    assert.equal(enc(401, 'authentication_error').type, 'authentication_error');
    assert.equal(enc(400, 'invalid_request_error').type, 'invalid_request_error');
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Every request field, walked through the same-format passthrough and every other format's builder. */
describe('REQUEST_FIELDS: every field passed, translated, refused or removed — never silently dropped', () => {
  const targets: Partial<Record<WireFormat, TargetInfo>> = {
    'openai-chat': { provider: 'openai', providerType: 'openai', model: 'gpt-4o-2024-08-06' },
    anthropic: { provider: 'anthropic', providerType: 'anthropic', model: 'claude-sonnet-4-20250514' },
  };
  const codecs = new Map<WireFormat, FormatCodec>();
  before(async () => {
    for (const format of Object.keys(targets) as WireFormat[]) {
      const path = join(__dirname, '../../daemon/formats', format, 'index.ts');
      if (existsSync(path)) codecs.set(format, ((await import(path)) as { codec: FormatCodec }).codec);
    }
  });

  const request = (body: Record<string, unknown>) => codec.parseRequest({ ...MINIMAL_BODY, ...body }).request;
  const prefix = (field: string) => field.replace(/\[\d+\]/g, '[]');

  test('the table names every top-level field of the SDK\'s ResponseCreateParams', () => {
    const roots = new Set(REQUEST_FIELDS.map((r) => r.field.split(/[.[ ]/)[0]));
    for (const field of ['background', 'context_management', 'conversation', 'include', 'input', 'instructions', 'max_output_tokens', 'max_tool_calls', 'metadata', 'model', 'moderation',
      'parallel_tool_calls', 'previous_response_id', 'prompt', 'prompt_cache_key', 'prompt_cache_options', 'prompt_cache_retention', 'reasoning', 'safety_identifier', 'service_tier',
      'store', 'stream', 'stream_options', 'temperature', 'text', 'tool_choice', 'tools', 'top_logprobs', 'top_p', 'truncation', 'user']) {
      assert.ok(roots.has(field), `${field} has a row`);
    }
  });

  for (const row of REQUEST_FIELDS as ResponsesFieldRule[]) {
    describe(row.field, () => {
      test(`same format (${row.same})`, () => {
        const body = { ...MINIMAL_BODY, ...row.sample };
        const sent = codec.passthroughBody(request(row.sample) as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, OPENAI);
        assert.equal(sent.model, OPENAI.model);
        if (row.same === 'owned') return;
        for (const key of Object.keys(row.sample)) if (key !== 'model') assert.deepEqual(sent[key], body[key], `${key} reaches the upstream unchanged`);
      });

      for (const [format, verdict] of Object.entries(row.across) as [WireFormat, string][]) {
        test(`→ ${format}: ${verdict}`, (t) => {
          const other = codecs.get(format);
          if (!other) {
            t.skip(`daemon/formats/${format}/index.ts does not exist yet`);
            return;
          }
          const target = targets[format]!;
          const build = () => other.buildRequest(request(row.sample), target);
          if (verdict === 'refused') {
            assert.throws(build, (err: unknown) => {
              assert.ok(err instanceof UnsupportedFieldError, `expected UnsupportedFieldError, got ${String(err)}`);
              const named = row.refusedAs ?? row.field.split(' ')[0];
              assert.ok(prefix(err.field).startsWith(named), `the refusal names ${named}, not ${err.field}`);
              assert.match(err.message, new RegExp(target.model));
              return true;
            });
            return;
          }
          const built = build();
          assert.equal(built.model, target.model);
          if (verdict === 'owned') return;
          const baseline = other.buildRequest(request(row.without ?? {}), target);
          if (verdict === 'translated') assert.notDeepEqual(built, baseline, 'the field changes what is sent');
          else assert.deepEqual(built, baseline, 'the field is deliberately not sent');
        });
      }
    });
  }
});
