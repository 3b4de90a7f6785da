/**
 * Pure wire-format translators, both directions, against golden files in test/fixtures/golden/
 * (UPDATE_GOLDEN=1 rewrites them; review the diff). Key properties are also asserted directly.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../shared/canonical';
import { RequestFormatError } from '../../daemon/formats/common';
import { MAX_OUTPUT_TOKENS } from '../../shared/config';
import {
  fromOpenAIRequest, fromOpenAIResponse, OpenAIStreamDecoder, OpenAIStreamEncoder, finishReasonFromOpenAI,
  finishReasonToOpenAI, toOpenAIRequest, toOpenAIResponse, usageFromOpenAI, usageToOpenAI,
} from '../../daemon/providers/translate/openai';
import {
  AnthropicStreamDecoder, AnthropicStreamEncoder, DEFAULT_ANTHROPIC_MAX_TOKENS, finishReasonFromAnthropic,
  finishReasonToAnthropic, fromAnthropicRequest, fromAnthropicResponse, toAnthropicRequest, toAnthropicResponse,
  usageFromAnthropic, usageToAnthropic,
} from '../../daemon/providers/translate/anthropic';
import { ProviderError } from '../../daemon/providers/types';
import { golden } from '../fixtures/golden';

const full: CanonicalRequest = {
  system: 'You are terse.',
  messages: [
    { role: 'user', content: 'Name a colour.' },
    { role: 'assistant', content: 'Blue.' },
    { role: 'user', content: 'Another.' },
  ],
  temperature: 0.2,
  maxTokens: 256,
  stop: ['\n\n', 'END'],
  stream: true,
};
const minimal: CanonicalRequest = { messages: [{ role: 'user', content: 'hi' }], stream: false };

const response: CanonicalResponse = {
  id: 'resp_123',
  model: 'upstream-model-1',
  text: 'Green.',
  finishReason: 'stop',
  usage: { inputTokens: 1200, outputTokens: 40, cachedInputTokens: 1000, reasoningTokens: 12 },
};

function expectFormatError(fn: () => unknown, code: 'invalid_request' | 'unsupported', param: string, message?: RegExp) {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RequestFormatError, `expected RequestFormatError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.param, param);
    assert.equal(err.status, 400);
    if (message) assert.match(err.message, message);
    return true;
  });
}

describe('canonical request → upstream bodies', () => {
  test('OpenAI: system prompt as first message, stop, temperature, stream_options', () => {
    const body = toOpenAIRequest(full, 'gpt-4o-mini-2024-07-18');
    assert.deepEqual(body.messages[0], { role: 'system', content: 'You are terse.' });
    assert.deepEqual(body.stop, ['\n\n', 'END']);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.max_completion_tokens, 256);
    assert.equal(body.max_tokens, undefined);
    assert.deepEqual(body.stream_options, { include_usage: true });
    golden('requests/openai-full', body);
  });

  test('OpenAI-compatible servers get max_tokens', () => {
    const body = toOpenAIRequest(full, 'llama3', { maxTokensField: 'max_tokens' });
    assert.equal(body.max_tokens, 256);
    assert.equal(body.max_completion_tokens, undefined);
    golden('requests/openai-compatible-full', body);
  });

  test('OpenAI: minimal request has no optional fields and no stream_options', () => {
    const body = toOpenAIRequest(minimal, 'gpt-4o-2024-08-06');
    assert.deepEqual(body, { model: 'gpt-4o-2024-08-06', messages: [{ role: 'user', content: 'hi' }], stream: false });
    golden('requests/openai-minimal', body);
  });

  test('Anthropic: top-level system, stop_sequences, max_tokens', () => {
    const body = toAnthropicRequest(full, 'claude-3-5-haiku-20241022');
    assert.equal(body.system, 'You are terse.');
    assert.ok(body.messages.every((m) => m.role === 'user' || m.role === 'assistant'));
    assert.deepEqual(body.stop_sequences, ['\n\n', 'END']);
    assert.equal(body.max_tokens, 256);
    assert.equal((body as unknown as Record<string, unknown>).stream_options, undefined);
    golden('requests/anthropic-full', body);
  });

  test('Anthropic: max_tokens defaults to 4096; no system key when absent', () => {
    const body = toAnthropicRequest(minimal, 'claude-3-5-haiku-20241022');
    assert.equal(DEFAULT_ANTHROPIC_MAX_TOKENS, 4096);
    assert.equal(body.max_tokens, 4096);
    assert.ok(!('system' in body));
    golden('requests/anthropic-minimal', body);
  });

  test('Anthropic: temperature above 1 (valid for OpenAI) is clamped', () => {
    assert.equal(toAnthropicRequest({ ...minimal, temperature: 1.6 }, 'm').temperature, 1);
  });
});

describe('client bodies → canonical (the daemon HTTP API)', () => {
  test('values whose String() throws are quoted as JSON in the refusal, not a TypeError (was a 500)', () => {
    expectFormatError(() => fromOpenAIRequest({ model: 'x', messages: [{ role: 'user', content: 'hi' }], response_format: { type: { toString: {} } } }), 'unsupported', 'response_format', /response_format \{"toString":\{\}\} is not supported/);
  });
  test('OpenAI body: string and text-part content, system + developer gathered, max_tokens, stop string', () => {
    const parsed = fromOpenAIRequest({
      model: 'switchyard/auto',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'No markdown.' }] },
        { role: 'user', content: [{ type: 'text', text: 'Part one.' }, { type: 'text', text: 'Part two.' }] },
        { role: 'assistant', content: 'OK.' },
        { role: 'user', content: 'Go on.' },
      ],
      temperature: 0.7,
      max_tokens: 100,
      stop: 'END',
      stream: true,
      stream_options: { include_usage: true },
      top_p: 0.9,
    });
    assert.equal(parsed.model, 'switchyard/auto');
    assert.equal(parsed.request.system, 'Be brief.\n\nNo markdown.');
    assert.equal(parsed.request.messages[0]!.content, 'Part one.\nPart two.');
    assert.deepEqual(parsed.request.stop, ['END']);
    assert.equal(parsed.includeUsage, true);
    golden('inbound/openai-full', parsed);
  });

  test('OpenAI body: max_completion_tokens wins over max_tokens; defaults', () => {
    const parsed = fromOpenAIRequest({ model: 'fast', messages: [{ role: 'user', content: 'x' }], max_tokens: 5, max_completion_tokens: 9 });
    assert.deepEqual(parsed, { model: 'fast', request: { messages: [{ role: 'user', content: 'x' }], stream: false, maxTokens: 9 }, includeUsage: false });
  });

  test('Anthropic body: string and block system, text blocks, stop_sequences, no max_tokens', () => {
    const parsed = fromAnthropicRequest({
      model: 'switchyard/auto',
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hello' }] },
        { role: 'assistant', content: 'Hi.' },
        { role: 'user', content: 'Bye' },
      ],
      stop_sequences: ['STOP'],
      temperature: 0.5,
      stream: false,
    });
    assert.equal(parsed.request.system, 'Be brief.');
    assert.equal(parsed.request.maxTokens, undefined);
    golden('inbound/anthropic-full', parsed);
  });

  test('round trip: canonical → wire → canonical is lossless for both formats', () => {
    const viaOpenAI = fromOpenAIRequest(toOpenAIRequest(full, 'm')).request;
    assert.deepEqual(viaOpenAI, full);
    const viaAnthropic = fromAnthropicRequest(toAnthropicRequest(full, 'm')).request;
    assert.deepEqual(viaAnthropic, full);
  });

  test('images are refused with a clear error naming the field', () => {
    expectFormatError(
      () => fromOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'data:' } }] }] }),
      'unsupported', 'messages[0].content[1].type', /image content is not supported/,
    );
    expectFormatError(
      () => fromAnthropicRequest({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'image', source: {} }] }] }),
      'unsupported', 'messages[0].content[0].type', /image content is not supported/,
    );
  });

  test('tools are refused', () => {
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function' }] }), 'unsupported', 'tools', /tool use/);
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'tool', content: 'r', tool_call_id: 'a' }] }), 'unsupported', 'messages[1].role');
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'a' }] }] }), 'unsupported', 'messages[0].tool_calls');
    expectFormatError(() => fromAnthropicRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ name: 't' }] }), 'unsupported', 'tools');
    expectFormatError(() => fromAnthropicRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a' }] }] }), 'unsupported', 'messages[0].content[0].type', /tool use/);
  });

  test('malformed bodies are refused', () => {
    expectFormatError(() => fromOpenAIRequest(null), 'invalid_request', 'body');
    expectFormatError(() => fromOpenAIRequest({ messages: [] }), 'invalid_request', 'model');
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: [] }), 'invalid_request', 'messages');
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: [{ role: 'system', content: 'only system' }] }), 'invalid_request', 'messages');
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' }), 'invalid_request', 'temperature');
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }), 'invalid_request', 'max_tokens');
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }), 'unsupported', 'n');
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: [{ role: 'user', content: 42 }] }), 'invalid_request', 'messages[0].content');
    expectFormatError(() => fromAnthropicRequest({ model: 'm', messages: [{ role: 'system', content: 'x' }] }), 'invalid_request', 'messages[0].role');
    expectFormatError(() => fromAnthropicRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], stop_sequences: 'END' }), 'invalid_request', 'stop_sequences');
  });

  test('absurd max_tokens are refused at parse time with the limit in the message (1e308 was accepted and priced at $6e+301)', () => {
    const user = [{ role: 'user', content: 'x' }];
    const limit = new RegExp(`from 1 to ${MAX_OUTPUT_TOKENS}\\b`);
    // 1e400 in JSON text parses to Infinity; 1e308 and 2**53 + 1 are "integers" to Number.isInteger.
    for (const v of [1e308, JSON.parse('1e400'), -1, 0, 1.5, MAX_OUTPUT_TOKENS + 1, 2 ** 53 + 1, '100']) {
      expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: user, max_tokens: v }), 'invalid_request', 'max_tokens', limit);
      expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: user, max_completion_tokens: v }), 'invalid_request', 'max_completion_tokens', limit);
      expectFormatError(() => fromAnthropicRequest({ model: 'm', messages: user, max_tokens: v }), 'invalid_request', 'max_tokens', limit);
    }
    expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: user, max_tokens: 1e308 }), 'invalid_request', 'max_tokens', /got 1e\+308/);
    assert.equal(fromOpenAIRequest({ model: 'm', messages: user, max_tokens: MAX_OUTPUT_TOKENS }).request.maxTokens, MAX_OUTPUT_TOKENS);
    assert.equal(fromAnthropicRequest({ model: 'm', messages: user, max_tokens: 1 }).request.maxTokens, 1);
  });

  test('temperature outside 0–2 or not finite is refused naming the range and the value', () => {
    const user = [{ role: 'user', content: 'x' }];
    for (const v of [JSON.parse('1e400'), -0.1, 2.01, 1e308, '0.5']) {
      expectFormatError(() => fromOpenAIRequest({ model: 'm', messages: user, temperature: v }), 'invalid_request', 'temperature', /from 0 to 2, got /);
      expectFormatError(() => fromAnthropicRequest({ model: 'm', messages: user, temperature: v }), 'invalid_request', 'temperature', /from 0 to 2, got /);
    }
    assert.equal(fromOpenAIRequest({ model: 'm', messages: user, temperature: 2 }).request.temperature, 2);
  });
});

describe('finish reasons and usage', () => {
  test('stop reasons ↔ finish_reason', () => {
    assert.equal(finishReasonFromAnthropic('end_turn'), 'stop');
    assert.equal(finishReasonFromAnthropic('stop_sequence'), 'stop_sequence');
    assert.equal(finishReasonFromAnthropic('max_tokens'), 'length');
    assert.equal(finishReasonFromAnthropic('tool_use'), 'tool_calls');
    assert.equal(finishReasonFromAnthropic('refusal'), 'content_filter');
    assert.equal(finishReasonFromAnthropic('pause_turn'), 'other');
    assert.equal(finishReasonFromOpenAI('stop'), 'stop');
    assert.equal(finishReasonFromOpenAI('length'), 'length');
    assert.equal(finishReasonFromOpenAI('function_call'), 'tool_calls');
    assert.equal(finishReasonFromOpenAI(null), 'other');
    // Anthropic end_turn / stop_sequence both become OpenAI "stop"; length ↔ max_tokens.
    assert.equal(finishReasonToOpenAI(finishReasonFromAnthropic('end_turn')), 'stop');
    assert.equal(finishReasonToOpenAI(finishReasonFromAnthropic('stop_sequence')), 'stop');
    assert.equal(finishReasonToOpenAI(finishReasonFromAnthropic('max_tokens')), 'length');
    assert.equal(finishReasonToAnthropic(finishReasonFromOpenAI('length')), 'max_tokens');
    assert.equal(finishReasonToAnthropic(finishReasonFromOpenAI('stop')), 'end_turn');
    assert.equal(finishReasonToAnthropic('stop_sequence'), 'stop_sequence');
    assert.equal(finishReasonToOpenAI('other'), 'stop');
  });

  test('OpenAI usage: cached and reasoning tokens', () => {
    const u = usageFromOpenAI({
      prompt_tokens: 1200, completion_tokens: 40, total_tokens: 1240,
      prompt_tokens_details: { cached_tokens: 1000 }, completion_tokens_details: { reasoning_tokens: 12 },
    });
    assert.deepEqual(u, { inputTokens: 1200, outputTokens: 40, cachedInputTokens: 1000, reasoningTokens: 12 });
    assert.deepEqual(usageFromOpenAI({ prompt_tokens: 3, completion_tokens: 4 }), { inputTokens: 3, outputTokens: 4 });
    assert.equal(usageFromOpenAI(null), undefined);
    assert.deepEqual(usageToOpenAI(u!), {
      prompt_tokens: 1200, completion_tokens: 40, total_tokens: 1240,
      prompt_tokens_details: { cached_tokens: 1000 }, completion_tokens_details: { reasoning_tokens: 12 },
    });
  });

  test('Anthropic usage: cache reads and writes are added into inputTokens', () => {
    const u = usageFromAnthropic({ input_tokens: 150, output_tokens: 40, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50, output_tokens_details: { thinking_tokens: 7 } });
    assert.deepEqual(u, { inputTokens: 1200, outputTokens: 40, cachedInputTokens: 1000, cacheWriteInputTokens: 50, reasoningTokens: 7 });
    assert.deepEqual(usageToAnthropic(u!), {
      input_tokens: 150, output_tokens: 40, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50,
    });
    assert.deepEqual(usageToAnthropic({ inputTokens: 1200, outputTokens: 40, cachedInputTokens: 1000 }), {
      input_tokens: 200, output_tokens: 40, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0,
    });
  });
});

describe('responses', () => {
  test('canonical → OpenAI JSON response', () => {
    const body = toOpenAIResponse(response, { model: 'gpt-4o-mini-2024-07-18', created: 1700000000 });
    assert.equal(body.choices[0]!.message.content, 'Green.');
    assert.equal(body.usage?.prompt_tokens_details?.cached_tokens, 1000);
    golden('responses/canonical-to-openai', body);
  });

  test('canonical → Anthropic JSON response', () => {
    const body = toAnthropicResponse({ ...response, finishReason: 'length' });
    assert.equal(body.stop_reason, 'max_tokens');
    assert.equal(body.usage.cache_read_input_tokens, 1000);
    golden('responses/canonical-to-anthropic', body);
  });

  test('response without usage: OpenAI omits it, Anthropic reports zeros', () => {
    const { usage: _u, ...noUsage } = response;
    assert.equal(toOpenAIResponse(noUsage).usage, undefined);
    assert.deepEqual(toAnthropicResponse(noUsage).usage, { input_tokens: 0, output_tokens: 0 });
  });

  test('upstream OpenAI JSON → canonical', () => {
    const res = fromOpenAIResponse({
      id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini-2024-07-18',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12, prompt_tokens_details: { cached_tokens: 0 } },
    });
    golden('responses/openai-to-canonical', res);
    assert.equal(res.finishReason, 'length');
  });

  test('upstream Anthropic JSON → canonical', () => {
    const res = fromAnthropicResponse({
      id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-3-5-haiku-20241022',
      content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }],
      stop_reason: 'stop_sequence', stop_sequence: 'END',
      usage: { input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 },
    });
    golden('responses/anthropic-to-canonical', res);
    assert.equal(res.text, 'Hello there');
    assert.equal(res.usage?.inputTokens, 15);
  });

  test('unusable upstream JSON is malformed', () => {
    for (const body of [null, 'text', { choices: [] }, { choices: [{ message: { content: 5 } }] }]) {
      assert.throws(() => fromOpenAIResponse(body), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
    }
    for (const body of [null, {}, { content: 'x' }]) {
      assert.throws(() => fromAnthropicResponse(body), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
    }
  });
});

describe('upstream stream decoding', () => {
  test('OpenAI chunks → deltas as they arrive, usage, done only at [DONE]', () => {
    const d = new OpenAIStreamDecoder();
    const out: StreamEvent[][] = [];
    const chunk = (delta: object, finish: string | null = null, usage: object | null = null) =>
      JSON.stringify({ id: 'chatcmpl-9', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini', choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }], usage });
    out.push(d.push(chunk({ role: 'assistant', content: '' })));
    out.push(d.push(chunk({ content: 'Hel' })));
    out.push(d.push(chunk({ content: 'lo' })));
    out.push(d.push(chunk({}, 'stop')));
    assert.equal(d.finished, false);
    out.push(d.push(chunk({}, null, { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } })));
    out.push(d.push('[DONE]'));
    assert.equal(d.finished, true);
    assert.deepEqual(out[1], [{ type: 'delta', text: 'Hel' }]);
    golden('streams/openai-decode', out);
  });

  test('OpenAI: bad JSON is malformed; an error object is an http error', () => {
    assert.throws(() => new OpenAIStreamDecoder().push('{"choices": ['), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
    assert.throws(() => new OpenAIStreamDecoder().push(JSON.stringify({ error: { message: 'boom', type: 'server_error' } })),
      (e: unknown) => e instanceof ProviderError && e.kind === 'http' && e.status === 500);
  });

  test('Anthropic events → deltas, usage from message_start and message_delta, done only at message_stop', () => {
    const d = new AnthropicStreamDecoder();
    const ev = (type: string, body: object) => d.push(type, JSON.stringify({ type, ...body }));
    const out: StreamEvent[][] = [
      ev('message_start', { message: { id: 'msg_9', type: 'message', role: 'assistant', model: 'claude-3-5-haiku-20241022', content: [], stop_reason: null, usage: { input_tokens: 20, output_tokens: 1, cache_read_input_tokens: 4, cache_creation_input_tokens: 0 } } }),
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      d.push('ping', '{"type":"ping"}'),
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hel' } }),
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'lo' } }),
      ev('content_block_stop', { index: 0 }),
      ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }),
    ];
    assert.equal(d.finished, false);
    out.push(ev('message_stop', {}));
    assert.equal(d.finished, true);
    golden('streams/anthropic-decode', out);
    assert.deepEqual(out.flat().at(-1), { type: 'done', finishReason: 'stop', id: 'msg_9', model: 'claude-3-5-haiku-20241022' });
  });

  test('Anthropic: error event → http error with the status its type stands for', () => {
    const d = new AnthropicStreamDecoder();
    assert.throws(() => d.push('error', JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })),
      (e: unknown) => e instanceof ProviderError && e.kind === 'http' && e.status === 529);
    assert.throws(() => new AnthropicStreamDecoder().push('message_start', 'not json'), (e: unknown) => e instanceof ProviderError && e.kind === 'malformed');
  });
});

describe('stream encoders (re-emit in the caller\'s format)', () => {
  const events: StreamEvent[] = [
    { type: 'usage', usage: { inputTokens: 20, outputTokens: 1, cachedInputTokens: 4 } },
    { type: 'delta', text: 'Hel' },
    { type: 'delta', text: 'lo' },
    { type: 'usage', usage: { inputTokens: 20, outputTokens: 2, cachedInputTokens: 4 } },
    { type: 'done', finishReason: 'stop_sequence' },
  ];

  test('OpenAI encoder: role chunk first, content chunks, finish chunk, usage chunk when asked, [DONE]', () => {
    const enc = new OpenAIStreamEncoder({ id: 'chatcmpl-sy1', model: 'gpt-4o-mini-2024-07-18', created: 1700000000, includeUsage: true });
    const chunks = events.map((e) => enc.encode(e));
    assert.deepEqual(chunks[0], []);
    assert.deepEqual(chunks[1]!.map((c) => c.choices[0]?.delta), [{ role: 'assistant', content: '' }, { content: 'Hel' }]);
    golden('streams/openai-encode', chunks);
    const sse = new OpenAIStreamEncoder({ id: 'x', model: 'm', created: 0 });
    const text = events.map((e) => sse.encodeSSE(e)).join('');
    assert.ok(text.endsWith('data: [DONE]\n\n'));
    assert.ok(!text.includes('"usage"'), 'no usage chunk unless include_usage');
    assert.deepEqual(sse.encode({ type: 'delta', text: 'late' }), [], 'nothing after done');
  });

  test('Anthropic encoder: message_start + content_block_start first, then deltas, then stop events', () => {
    const enc = new AnthropicStreamEncoder({ id: 'msg_sy1', model: 'claude-3-5-haiku-20241022' });
    const out = events.map((e) => enc.encode(e));
    assert.deepEqual(out.flat().map((e) => e.type), [
      'message_start', 'content_block_start', 'content_block_delta', 'content_block_delta',
      'content_block_stop', 'message_delta', 'message_stop',
    ]);
    golden('streams/anthropic-encode', out);
  });

  test('Anthropic encoder: a delta first still opens the message; SSE has event names', () => {
    const enc = new AnthropicStreamEncoder({ id: 'msg_2', model: 'm', inputTokens: 33 });
    const text = enc.encodeSSE({ type: 'delta', text: 'Hi' }) + enc.encodeSSE({ type: 'done', finishReason: 'length' });
    golden('streams/anthropic-encode-sse', text.split('\n'));
    assert.match(text, /^event: message_start\ndata: .*"input_tokens":33/);
    assert.match(text, /"stop_reason":"max_tokens"/);
  });

  test('errors after the start are explicit events, never a clean end', () => {
    const o = new OpenAIStreamEncoder({ id: 'x', model: 'm', created: 0 });
    o.encode({ type: 'delta', text: 'par' });
    assert.equal(o.errorSSE('upstream cut the stream'), 'data: {"error":{"message":"upstream cut the stream","type":"server_error","code":"stream_cut"}}\n\n');
    assert.deepEqual(o.encode({ type: 'done', finishReason: 'stop' }), []);
    const a = new AnthropicStreamEncoder({ id: 'x', model: 'm' });
    a.encode({ type: 'delta', text: 'par' });
    assert.equal(a.errorSSE('upstream cut the stream'), 'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"upstream cut the stream"}}\n\n');
  });

  test('a decoded stream re-encodes across formats (OpenAI upstream → Anthropic caller)', () => {
    const d = new OpenAIStreamDecoder();
    const enc = new AnthropicStreamEncoder({ id: 'msg_x', model: 'gpt-4o-mini' });
    const upstream = [
      JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content: 'A' }, finish_reason: null }] }),
      JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'length' }] }),
      JSON.stringify({ id: 'c', choices: [], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } }),
      '[DONE]',
    ];
    const out = upstream.flatMap((data) => d.push(data)).flatMap((e) => enc.encode(e));
    const delta = out.find((e) => e.type === 'message_delta');
    assert.deepEqual(delta, { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { input_tokens: 3, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } });
  });
});
