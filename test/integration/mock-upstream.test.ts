// The fault-injecting mock upstream, driven with the REAL openai and @anthropic-ai/sdk clients (maxRetries: 0):
// text, tool calls, structured output, reasoning, the Responses API, embeddings, count_tokens, legacy completions.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import OpenAI from 'openai';
import { zodFunction, zodResponseFormat, zodTextFormat } from 'openai/helpers/zod';
import Anthropic from '@anthropic-ai/sdk';
import { zodOutputFormat } from '@anthropic-ai/sdk/helpers/zod';
import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import { z } from 'zod';
import {
  defaultAnswer, embeddingOf, encryptReasoning, fillIn, inputTokensOf, planAnswer, schemaInstance, splitDeltas,
  startMockUpstream, thinkingSignature, type MockUpstream,
} from '../fixtures/mock-upstream';

const root = join(__dirname, '..', '..');
const userMsgs = [{ role: 'user' as const, content: 'Write a haiku about the sea please' }];
const PROMPT_TOKENS = Math.ceil('Write a haiku about the sea please'.length / 4); // 34 chars -> 9

let mock: MockUpstream;
let oa: OpenAI;
let an: Anthropic;

before(async () => {
  mock = await startMockUpstream();
  oa = new OpenAI({ apiKey: 'sk-test', baseURL: mock.openaiBaseURL, maxRetries: 0, logLevel: 'off' });
  an = new Anthropic({ apiKey: 'sk-ant-test', baseURL: mock.anthropicBaseURL, maxRetries: 0, logLevel: 'off' });
});
after(async () => { await mock.close(); });
beforeEach(() => { mock.reset(); });

async function drain<T>(stream: AsyncIterable<T>): Promise<{ items: T[]; error?: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of stream) items.push(item);
    return { items };
  } catch (error) {
    return { items, error };
  }
}

async function rejects<E>(p: Promise<unknown>, cls: new (...args: any[]) => E): Promise<E> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    return e;
  }
  assert.fail(`expected ${cls.name}, but the call succeeded`);
}

describe('deterministic answer helpers', { timeout: 20_000 }, () => {
  test('default answer, delta split and usage formula', () => {
    assert.equal(defaultAnswer('gpt-4o', 'Write a haiku about the sea please'), 'Hello from gpt-4o: Write a haiku about the sea please');
    assert.equal(defaultAnswer('m', ''), 'Hello from m. ok ok');
    assert.equal(defaultAnswer('m', 'one two three four five six seven eight nine ten'), 'Hello from m: one two three four five six seven eight');
    assert.deepEqual(splitDeltas('a b c d e f g', 3), ['a b c', ' d e', ' f g']);
    assert.deepEqual(splitDeltas('abcdefg', 3), ['abc', 'de', 'fg']);
    assert.deepEqual(splitDeltas('ab', 5), ['a', 'b']);
    const fifty = planAnswer('openai', { model: 'gpt-4o', messages: userMsgs }, { deltas: 50 });
    assert.equal(fifty.deltas.length, 50);
    assert.equal(fifty.outputTokens, 50);
    assert.ok(fifty.deltas.every((d) => d.length > 0));
    assert.equal(inputTokensOf({ system: 'abcd', messages: [{ role: 'user', content: [{ type: 'text', text: 'abcde' }] }] }), 3);
  });
});

describe('OpenAI wire format', { timeout: 20_000 }, () => {
  test('plain completion: shape, deterministic text and usage', async () => {
    const r = await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs });
    assert.equal(r.object, 'chat.completion');
    assert.match(r.id, /^chatcmpl-/);
    assert.equal(typeof r.created, 'number');
    assert.equal(r.model, 'gpt-4o');
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0].index, 0);
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].message.content, 'Hello from gpt-4o: Write a haiku about the sea please');
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.equal(r.choices[0].logprobs, null);
    assert.deepEqual(
      { p: r.usage?.prompt_tokens, c: r.usage?.completion_tokens, t: r.usage?.total_tokens, cached: r.usage?.prompt_tokens_details?.cached_tokens, reasoning: r.usage?.completion_tokens_details?.reasoning_tokens },
      { p: PROMPT_TOKENS, c: 5, t: PROMPT_TOKENS + 5, cached: 0, reasoning: 0 },
    );
  });

  test('streaming: role chunk, 5 content deltas, finish chunk, usage chunk, [DONE]', async () => {
    const stream = await oa.chat.completions.create({ model: 'gpt-4o-mini', messages: userMsgs, stream: true, stream_options: { include_usage: true } });
    const { items, error } = await drain(stream);
    assert.equal(error, undefined);
    assert.ok(items.every((c) => c.object === 'chat.completion.chunk' && c.id === items[0].id && c.model === 'gpt-4o-mini'));
    assert.equal(items[0].choices[0].delta.role, 'assistant');
    const content = items.slice(1).filter((c) => c.choices[0]?.delta?.content);
    assert.equal(content.length, 5);
    assert.equal(content.map((c) => c.choices[0].delta.content).join(''), 'Hello from gpt-4o-mini: Write a haiku about the sea please');
    const finish = items[items.length - 2];
    assert.equal(finish.choices[0].finish_reason, 'stop');
    assert.deepEqual(finish.choices[0].delta, {});
    const usage = items[items.length - 1];
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage?.prompt_tokens, PROMPT_TOKENS);
    assert.equal(usage.usage?.completion_tokens, 5);
    assert.equal(items.length, 1 + 5 + 1 + 1);
  });

  test('streaming without include_usage has no usage chunk; the SDK stream helper assembles the answer', async () => {
    const { items } = await drain(await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stream: true }));
    assert.equal(items.length, 7);
    assert.ok(items.every((c) => c.choices.length === 1 && c.usage === undefined));
    const final = await oa.chat.completions.stream({ model: 'gpt-4o', messages: userMsgs }).finalChatCompletion();
    assert.equal(final.choices[0].message.content, 'Hello from gpt-4o: Write a haiku about the sea please');
    assert.equal(final.choices[0].finish_reason, 'stop');
  });

  test('max_tokens / max_completion_tokens truncate with finish_reason length; stop cuts the answer', async () => {
    const a = await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, max_tokens: 2 });
    assert.equal(a.choices[0].finish_reason, 'length');
    assert.equal(a.choices[0].message.content, 'Hello from gpt-4o: Write');
    assert.equal(a.usage?.completion_tokens, 2);
    const b = await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, max_completion_tokens: 1, stream: true, stream_options: { include_usage: true } });
    const { items } = await drain(b);
    assert.equal(items.filter((c) => c.choices[0]?.delta?.content).length, 1);
    assert.equal(items.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason, 'length');
    assert.equal(items[items.length - 1].usage?.completion_tokens, 1);
    const c = await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stop: ['haiku'] });
    assert.equal(c.choices[0].message.content, 'Hello from gpt-4o: Write a ');
    assert.equal(c.choices[0].finish_reason, 'stop');
  });

  test('setReply: fixed text and 50 deltas with a per-delta delay', async () => {
    mock.setReply({ text: 'fixed answer', deltas: 2 });
    const r = await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs });
    assert.equal(r.choices[0].message.content, 'fixed answer');
    assert.equal(r.usage?.completion_tokens, 2);
    mock.reset();
    mock.setReply({ deltas: 50, deltaDelayMs: 2 });
    const t0 = performance.now();
    const { items } = await drain(await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stream: true }));
    const elapsed = performance.now() - t0;
    const content = items.filter((c) => c.choices[0]?.delta?.content);
    assert.equal(content.length, 50);
    assert.ok(elapsed >= 50 * 2 - 5, `50 deltas × 2 ms took only ${elapsed} ms`);
    assert.equal(content.map((c) => c.choices[0].delta.content).join(''), planAnswer('openai', { model: 'gpt-4o', messages: userMsgs }, { deltas: 50 }).text);
  });

  test('GET /v1/models lists models in the OpenAI list format', async () => {
    const page = await oa.models.list();
    const ids = page.data.map((m) => m.id);
    assert.ok(ids.includes('gpt-4o'));
    assert.ok(page.data.every((m) => m.object === 'model' && typeof m.owned_by === 'string'));
    assert.equal((await oa.models.retrieve('gpt-4o-mini')).id, 'gpt-4o-mini');
    assert.equal(mock.requests.filter((r) => r.api === 'models').length, 2);
  });

  test('missing messages is a 400 invalid_request_error', async () => {
    const e = await rejects(oa.chat.completions.create({ model: 'gpt-4o' } as any), OpenAI.BadRequestError);
    assert.equal(e.status, 400);
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.param, 'messages');
  });
});

describe('Anthropic wire format', { timeout: 20_000 }, () => {
  test('plain message: shape, deterministic text and usage', async () => {
    const r = await an.messages.create({ model: 'claude-sonnet-4-20250514', max_tokens: 100, system: 'be nice', messages: userMsgs });
    assert.equal(r.type, 'message');
    assert.match(r.id, /^msg_/);
    assert.equal(r.role, 'assistant');
    assert.equal(r.model, 'claude-sonnet-4-20250514');
    assert.deepEqual(r.content, [{ type: 'text', text: 'Hello from claude-sonnet-4-20250514: Write a haiku about the sea please' }]);
    assert.equal(r.stop_reason, 'end_turn');
    assert.equal(r.stop_sequence, null);
    assert.equal(r.usage.input_tokens, Math.ceil(('Write a haiku about the sea please'.length + 'be nice'.length) / 4));
    assert.equal(r.usage.output_tokens, 5);
    assert.equal(r.usage.cache_read_input_tokens, 0);
  });

  test('streaming: the full event sequence, in order', async () => {
    const res = await fetch(`${mock.anthropicBaseURL}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude-x', max_tokens: 100, stream: true, messages: userMsgs }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const text = await res.text();
    const events = [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    assert.deepEqual(events, ['message_start', 'content_block_start', 'ping',
      ...Array(5).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
  });

  test('streaming through the SDK: deltas, stop reason and usage', async () => {
    const { items, error } = await drain(await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: userMsgs, stream: true }));
    assert.equal(error, undefined);
    const types = items.map((e) => e.type);
    assert.deepEqual(types, ['message_start', 'content_block_start', ...Array(5).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
    const start = items[0];
    assert.ok(start.type === 'message_start');
    assert.equal(start.message.usage.input_tokens, PROMPT_TOKENS);
    const text = items.map((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : '')).join('');
    assert.equal(text, 'Hello from claude-x: Write a haiku about the sea please');
    const md = items.find((e) => e.type === 'message_delta');
    assert.ok(md?.type === 'message_delta');
    assert.equal(md.delta.stop_reason, 'end_turn');
    assert.equal(md.usage.output_tokens, 5);

    const final = await an.messages.stream({ model: 'claude-x', max_tokens: 100, messages: userMsgs }).finalMessage();
    assert.deepEqual(final.content.map((b) => (b.type === 'text' ? b.text : '')), ['Hello from claude-x: Write a haiku about the sea please']);
    assert.equal(final.usage.output_tokens, 5);
    assert.equal(final.usage.input_tokens, PROMPT_TOKENS);
  });

  test('max_tokens truncation and stop_sequences', async () => {
    const a = await an.messages.create({ model: 'claude-x', max_tokens: 3, messages: userMsgs });
    assert.equal(a.stop_reason, 'max_tokens');
    assert.equal(a.usage.output_tokens, 3);
    assert.equal((a.content[0] as Anthropic.TextBlock).text, 'Hello from claude-x: Write a haiku');
    const b = await an.messages.create({ model: 'claude-x', max_tokens: 100, stop_sequences: ['sea'], messages: userMsgs });
    assert.equal(b.stop_reason, 'stop_sequence');
    assert.equal(b.stop_sequence, 'sea');
    assert.equal((b.content[0] as Anthropic.TextBlock).text, 'Hello from claude-x: Write a haiku about the ');
  });

  test('missing max_tokens is a 400 invalid_request_error like the real API', async () => {
    const e = await rejects(an.messages.create({ model: 'claude-x', messages: userMsgs } as any), Anthropic.BadRequestError);
    assert.equal(e.status, 400);
    assert.equal(e.type, 'invalid_request_error');
    assert.match(e.message, /max_tokens/);
    assert.equal((e.error as any)?.type, 'error');
  });

  test('GET /v1/models in the Anthropic format when anthropic-version is sent', async () => {
    const page = await an.models.list();
    assert.ok(page.data.some((m) => m.id === 'claude-sonnet-4-20250514'));
    assert.ok(page.data.every((m) => m.type === 'model'));
  });
});

describe('auth', { timeout: 20_000 }, () => {
  test('rejected keys get a 401 in each provider format; other keys still work', async () => {
    mock.rejectKey('sk-bad');
    const badOa = new OpenAI({ apiKey: 'sk-bad', baseURL: mock.openaiBaseURL, maxRetries: 0 });
    const e1 = await rejects(badOa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }), OpenAI.AuthenticationError);
    assert.equal(e1.status, 401);
    assert.equal(e1.code, 'invalid_api_key');
    const badAn = new Anthropic({ apiKey: 'sk-bad', baseURL: mock.anthropicBaseURL, maxRetries: 0 });
    const e2 = await rejects(badAn.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs }), Anthropic.AuthenticationError);
    assert.equal(e2.type, 'authentication_error');
    const raw = await fetch(`${mock.anthropicBaseURL}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'sk-bad' }, body: JSON.stringify({ model: 'c', max_tokens: 1, messages: userMsgs }) });
    assert.equal(raw.status, 401);
    assert.deepEqual(await raw.json().then((b: any) => [b.type, b.error.type]), ['error', 'authentication_error']);
    assert.ok((await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs })).choices[0].message.content);
    // reset() forgets rejected keys
    mock.reset();
    assert.equal((await badOa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs })).object, 'chat.completion');
  });

  test('a missing key is a 401', async () => {
    const res = await fetch(`${mock.openaiBaseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'gpt-4o', messages: userMsgs }) });
    assert.equal(res.status, 401);
    const body = await res.json() as any;
    assert.equal(body.error.type, 'invalid_request_error');
    const res2 = await fetch(`${mock.anthropicBaseURL}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'c', max_tokens: 1, messages: userMsgs }) });
    assert.equal(res2.status, 401);
    assert.deepEqual(((await res2.json()) as any).error.type, 'authentication_error');
  });
});

describe('status faults', { timeout: 20_000 }, () => {
  test('OpenAI 429 -> RateLimitError with retry-after and retry-after-ms readable', async () => {
    mock.fail({ api: 'openai', fault: { kind: 'status', status: 429, retryAfter: '7', retryAfterMs: 1500 } });
    const e = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }), OpenAI.RateLimitError);
    assert.equal(e.status, 429);
    assert.equal(e.headers?.get('retry-after'), '7');
    assert.equal(e.headers?.get('retry-after-ms'), '1500');
    assert.equal(e.code, 'rate_limit_exceeded');
    // also for streaming requests (the error comes before any SSE)
    const e2 = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stream: true }), OpenAI.RateLimitError);
    assert.equal(e2.headers?.get('retry-after'), '7');
  });

  test('OpenAI 500 / 502 / 503 -> InternalServerError with the status and server_error type', async () => {
    for (const status of [500, 502, 503]) {
      mock.fail({ api: 'openai', times: 1, fault: { kind: 'status', status, message: `boom ${status}` } });
      const e = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }), OpenAI.InternalServerError);
      assert.equal(e.status, status);
      assert.equal(e.type, 'server_error');
      assert.match(e.message, new RegExp(`boom ${status}`));
    }
  });

  test('Anthropic 429 -> RateLimitError (rate_limit_error), 529 -> OverloadedError (overloaded_error), 500 -> api_error', async () => {
    mock.fail({ api: 'anthropic', times: 1, fault: { kind: 'status', status: 429, retryAfter: '3' } });
    const e1 = await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs }), Anthropic.RateLimitError);
    assert.equal(e1.type, 'rate_limit_error');
    assert.equal(e1.headers?.get('retry-after'), '3');
    assert.equal((e1.error as any).type, 'error');
    mock.fail({ api: 'anthropic', times: 1, fault: { kind: 'status', status: 529 } });
    const e2 = await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs, stream: true }), Anthropic.OverloadedError);
    assert.equal(e2.status, 529);
    assert.equal(e2.type, 'overloaded_error');
    mock.fail({ api: 'anthropic', times: 1, fault: { kind: 'status', status: 500 } });
    const e3 = await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs }), Anthropic.InternalServerError);
    assert.equal(e3.type, 'api_error');
  });

  test('rules match by api and model, count down `times`, and apply in order', async () => {
    mock.fail({ api: 'openai', model: 'gpt-4o', times: 1, fault: { kind: 'status', status: 503 } });
    mock.fail({ api: 'openai', times: 2, fault: { kind: 'status', status: 429 } });
    // the other API and an unmatched model are unaffected by the first rule
    assert.equal((await an.messages.create({ model: 'gpt-4o', max_tokens: 10, messages: userMsgs })).type, 'message');
    const statuses: Array<number | string> = [];
    for (const model of ['gpt-4o-mini', 'gpt-4o', 'gpt-4o', 'gpt-4o']) {
      try { await oa.chat.completions.create({ model, messages: userMsgs }); statuses.push('ok'); } catch (e) { statuses.push((e as InstanceType<typeof OpenAI.APIError>).status ?? 'conn'); }
    }
    assert.deepEqual(statuses, [429, 503, 429, 'ok']);
    assert.equal(mock.count({ api: 'openai' }), 4);
    assert.equal(mock.count({ api: 'openai', model: 'gpt-4o' }), 3);
  });

  test('per-request fault via the x-mock-fault header', async () => {
    const e = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }, { headers: { 'x-mock-fault': JSON.stringify({ kind: 'status', status: 502 }) } }), OpenAI.InternalServerError);
    assert.equal(e.status, 502);
    assert.equal((await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs })).object, 'chat.completion');
  });
});

describe('connection faults', { timeout: 20_000 }, () => {
  test('hang: no headers until the client gives up (SDK timeout)', async () => {
    mock.fail({ fault: { kind: 'hang' } });
    const t0 = performance.now();
    await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }, { timeout: 150 }), OpenAI.APIConnectionTimeoutError);
    assert.ok(performance.now() - t0 >= 140);
    const ac = new AbortController();
    // Given up once the mock holds the request (a fixed delay can fire before a loaded machine has sent it).
    const received = setInterval(() => { if (mock.count() === 2) { clearInterval(received); ac.abort(); } }, 5);
    await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs, stream: true }, { signal: ac.signal }), Anthropic.APIUserAbortError);
    clearInterval(received);
    assert.equal(mock.count(), 2);
  });

  test('reset: the socket dies before headers -> APIConnectionError', async () => {
    mock.fail({ fault: { kind: 'reset' } });
    const e1 = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stream: true }), OpenAI.APIConnectionError);
    assert.ok(!(e1 instanceof OpenAI.APIConnectionTimeoutError));
    await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs }), Anthropic.APIConnectionError);
  });

  test('cut (OpenAI stream): K deltas arrive, then the iterator throws; no finish chunk, no [DONE]', async () => {
    mock.fail({ api: 'openai', fault: { kind: 'cut', afterDeltas: 2 } });
    const { items, error } = await drain(await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stream: true, stream_options: { include_usage: true } }));
    assert.ok(error instanceof TypeError, `got ${String(error)}`);
    assert.equal((error as Error).message, 'terminated');
    assert.equal(items.length, 3); // role chunk + 2 content deltas
    const expected = splitDeltas('Hello from gpt-4o: Write a haiku about the sea please', 5); // 8 words -> 2,2,2,1,1
    assert.deepEqual(items.slice(1).map((c) => c.choices[0].delta.content), expected.slice(0, 2));
    assert.equal(expected.slice(0, 2).join(''), 'Hello from gpt-4o: Write');
    assert.ok(items.every((c) => c.choices[0].finish_reason === null));
    // cut after 0 deltas: nothing but the role chunk
    mock.reset();
    mock.fail({ api: 'openai', times: 1, fault: { kind: 'cut', afterDeltas: 0 } });
    const r0 = await drain(await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stream: true }));
    assert.ok(r0.error instanceof TypeError);
    assert.equal(r0.items.length, 1);
    assert.equal(r0.items[0].choices[0].delta.content, '');
  });

  test('cut (Anthropic stream): K deltas arrive, then the iterator throws; no message_delta / message_stop', async () => {
    mock.fail({ api: 'anthropic', fault: { kind: 'cut', afterDeltas: 3 } });
    const { items, error } = await drain(await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: userMsgs, stream: true }));
    assert.ok(error instanceof TypeError);
    assert.deepEqual(items.map((e) => e.type), ['message_start', 'content_block_start', 'content_block_delta', 'content_block_delta', 'content_block_delta']);
    // the higher-level helper reports it as an error, never as a final message
    await rejects(an.messages.stream({ model: 'claude-x', max_tokens: 100, messages: userMsgs }).finalMessage(), Anthropic.AnthropicError);
  });

  test('cut beyond the last delta still drops the final events', async () => {
    mock.fail({ api: 'openai', times: 1, fault: { kind: 'cut', afterDeltas: 99 } });
    const { items, error } = await drain(await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stream: true }));
    assert.ok(error instanceof TypeError);
    assert.equal(items.length, 6);
    assert.ok(items.every((c) => c.choices[0].finish_reason === null));
  });

  test('cut with per-delta delays: the deltas before the cut arrive, then the stream dies', async () => {
    mock.setReply({ deltaDelayMs: 5 });
    mock.fail({ api: 'anthropic', times: 1, fault: { kind: 'cut', afterDeltas: 4 } });
    const { items, error } = await drain(await an.messages.create({ model: 'c', max_tokens: 100, messages: userMsgs, stream: true }));
    assert.ok(error instanceof TypeError);
    assert.equal(items.filter((e) => e.type === 'content_block_delta').length, 4);
    assert.ok(!items.some((e) => e.type === 'message_delta' || e.type === 'message_stop'));
  });

  test('cut (plain request): a partial JSON body, then the connection dies', async () => {
    mock.fail({ api: 'openai', times: 1, fault: { kind: 'cut', afterDeltas: 2 } });
    const e = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }), TypeError);
    assert.equal(e.message, 'terminated');
    mock.fail({ api: 'anthropic', times: 1, fault: { kind: 'cut', afterDeltas: 2 } });
    await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs }), TypeError);
  });

  test('malformed-json: 200 with an invalid JSON body -> SyntaxError from the SDK', async () => {
    mock.fail({ fault: { kind: 'malformed-json' } });
    await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }), SyntaxError);
    await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs }), SyntaxError);
    const res = await fetch(`${mock.openaiBaseURL}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify({ model: 'm', messages: userMsgs }) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    await assert.rejects(res.json(), SyntaxError);
  });

  test('malformed-sse: a garbage data line mid-stream -> the iterator throws SyntaxError after the deltas before it', async () => {
    mock.fail({ api: 'openai', times: 1, fault: { kind: 'malformed-sse' } });
    const a = await drain(await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stream: true }));
    assert.ok(a.error instanceof SyntaxError);
    assert.equal(a.items.length, 1 + 2); // role chunk + floor(5/2) deltas
    mock.fail({ api: 'anthropic', times: 1, fault: { kind: 'malformed-sse', afterDeltas: 1 } });
    const b = await drain(await an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs, stream: true }));
    assert.ok(b.error instanceof SyntaxError);
    assert.equal(b.items.filter((e) => e.type === 'content_block_delta').length, 1);
  });

  test('trickle: deltas arrive delayMs apart', async () => {
    mock.fail({ api: 'anthropic', times: 1, fault: { kind: 'trickle', delayMs: 40 } });
    const stream = await an.messages.create({ model: 'c', max_tokens: 100, messages: userMsgs, stream: true });
    const times: number[] = [];
    let text = '';
    for await (const e of stream) {
      if (e.type === 'content_block_delta' && e.delta.type === 'text_delta') { times.push(performance.now()); text += e.delta.text; }
    }
    assert.equal(times.length, 5);
    assert.equal(text, 'Hello from c: Write a haiku about the sea please');
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 30, `gap ${i}: ${times[i] - times[i - 1]} ms`);
    // the next request (rule used up) is fast again
    const t0 = performance.now();
    await drain(await an.messages.create({ model: 'c', max_tokens: 100, messages: userMsgs, stream: true }));
    assert.ok(performance.now() - t0 < 150);
  });
});

describe('control endpoints and recording', { timeout: 20_000 }, () => {
  test('recording: api, path, model, stream flag, headers, parsed body, time', async () => {
    const before = Date.now();
    await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, temperature: 0.5 });
    await drain(await an.messages.create({ model: 'claude-x', max_tokens: 7, messages: userMsgs, stream: true }));
    assert.equal(mock.requests.length, 2);
    const [a, b] = mock.requests;
    assert.deepEqual({ api: a.api, path: a.path, model: a.model, stream: a.stream }, { api: 'openai', path: '/v1/chat/completions', model: 'gpt-4o', stream: false });
    assert.equal(a.headers.authorization, 'Bearer sk-test');
    assert.equal(a.body.temperature, 0.5);
    assert.ok(a.time >= before && a.time <= Date.now());
    assert.deepEqual({ api: b.api, path: b.path, model: b.model, stream: b.stream }, { api: 'anthropic', path: '/v1/messages', model: 'claude-x', stream: true });
    // this SDK version sends its apiKey as a Bearer token; the mock accepts that or x-api-key
    assert.ok(b.headers['x-api-key'] === 'sk-ant-test' || b.headers.authorization === 'Bearer sk-ant-test');
    assert.ok(b.headers['anthropic-version']);
    assert.equal(b.body.max_tokens, 7);
    assert.equal(mock.count(), 2);
    assert.equal(mock.count({ api: 'anthropic', model: 'claude-x' }), 1);
    assert.equal(mock.count({ model: 'nope' }), 0);
  });

  test('HTTP control: faults, reply, count, requests, reset', async () => {
    const post = (path: string, body: unknown) => fetch(mock.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const r1 = await post('/__mock/faults', [
      { api: 'openai', model: 'gpt-4o', times: 1, fault: { kind: 'status', status: 429, retryAfterMs: 20 } },
      { api: 'anthropic', times: 1, fault: { kind: 'status', status: 529 } },
    ]);
    assert.equal(r1.status, 200);
    assert.deepEqual(await r1.json(), { ok: true, faults: 2 });
    assert.equal((await post('/__mock/faults', { fault: { kind: 'nope' } })).status, 400);
    assert.equal((await post('/__mock/reply', { text: 'from control', deltas: 3 })).status, 200);

    const e = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }), OpenAI.RateLimitError);
    assert.equal(e.headers?.get('retry-after-ms'), '20');
    await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs }), Anthropic.OverloadedError);
    const ok = await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs });
    assert.equal(ok.choices[0].message.content, 'from control');
    assert.equal(ok.usage?.completion_tokens, 3); // 2 words < 3 deltas -> split by characters

    assert.deepEqual(await (await fetch(`${mock.url}/__mock/count?api=openai&model=gpt-4o`)).json(), { count: 2 });
    assert.deepEqual(await (await fetch(`${mock.url}/__mock/count`)).json(), { count: 3 });
    const recorded = await (await fetch(`${mock.url}/__mock/requests`)).json() as any[];
    assert.deepEqual(recorded.map((r) => [r.api, r.model, r.stream]), [['openai', 'gpt-4o', false], ['anthropic', 'c', false], ['openai', 'gpt-4o', false]]);
    assert.equal(recorded[0].body.messages[0].content, userMsgs[0].content);

    assert.equal((await post('/__mock/reset', {})).status, 200);
    assert.equal(mock.requests.length, 0);
    assert.equal((await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs })).choices[0].message.content, 'Hello from gpt-4o: Write a haiku about the sea please');
    assert.equal((await fetch(`${mock.url}/__mock/nothing`)).status, 404);
  });

  test('unknown routes answer 404 in the OpenAI error format', async () => {
    const res = await fetch(`${mock.url}/v1/audio/speech`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{}' });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('x-request-id') ?? '', /^req_/);
    assert.equal(((await res.json()) as any).error.type, 'invalid_request_error');
  });
});

describe('lifecycle', { timeout: 20_000 }, () => {
  test('close() with a hanging request pending completes promptly and the client sees a connection error', async () => {
    const m = await startMockUpstream();
    m.fail({ fault: { kind: 'hang' } });
    const client = new OpenAI({ apiKey: 'k', baseURL: m.openaiBaseURL, maxRetries: 0, timeout: 60_000 });
    const pending = client.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }).then(() => 'resolved', (e) => e);
    while (m.count() === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    await m.close();
    const closeMs = performance.now() - t0;
    assert.ok(closeMs < 500, `close took ${closeMs} ms`);
    const outcome = await pending;
    assert.ok(outcome instanceof OpenAI.APIConnectionError, `got ${String(outcome)}`);
    // the port is really closed
    await assert.rejects(fetch(`${m.url}/v1/models`));
  });

  test('close() also ends a trickling stream promptly', async () => {
    const m = await startMockUpstream({ deltas: 10, deltaDelayMs: 10_000 });
    const client = new Anthropic({ apiKey: 'k', baseURL: m.anthropicBaseURL, maxRetries: 0 });
    const stream = await client.messages.create({ model: 'c', max_tokens: 100, messages: userMsgs, stream: true });
    const draining = drain(stream);
    const t0 = performance.now();
    await m.close();
    const { items, error } = await draining;
    assert.ok(performance.now() - t0 < 500);
    assert.ok(error instanceof TypeError);
    assert.equal(items.filter((e) => e.type === 'content_block_delta').length, 0);
  });

  test('startMockUpstream({ port, deltas }) honours the options', async () => {
    const probe = await startMockUpstream();
    const port = probe.port;
    await probe.close();
    const m = await startMockUpstream({ port, deltas: 12 });
    try {
      assert.equal(m.port, port);
      assert.equal(m.url, `http://127.0.0.1:${port}`);
      assert.equal(m.openaiBaseURL, `http://127.0.0.1:${port}/v1`);
      assert.equal(m.anthropicBaseURL, `http://127.0.0.1:${port}`);
      const client = new OpenAI({ apiKey: 'k', baseURL: m.openaiBaseURL, maxRetries: 0 });
      const { items } = await drain(await client.chat.completions.create({ model: 'gpt-4o', messages: userMsgs, stream: true }));
      assert.equal(items.filter((c) => c.choices[0]?.delta?.content).length, 12);
    } finally {
      await m.close();
    }
  });

  test('CLI: prints {url,port} once listening, serves, exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/mock-upstream-cli.ts'), '--port', '0', '--deltas', '3'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [chunk] = await once(child.stdout!, 'data') as [Buffer];
      const line = chunk.toString().trim();
      const info = JSON.parse(line) as { url: string; port: number };
      assert.deepEqual(Object.keys(info), ['url', 'port']);
      assert.equal(info.url, `http://127.0.0.1:${info.port}`);
      assert.ok(info.port > 0);
      const client = new OpenAI({ apiKey: 'k', baseURL: `${info.url}/v1`, maxRetries: 0 });
      const r = await client.chat.completions.create({ model: 'gpt-4o', messages: userMsgs });
      assert.equal(r.usage?.completion_tokens, 3);
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = await exited;
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('CLI: rejects bad arguments with exit code 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fixtures/mock-upstream-cli.ts'), '--deltas', 'zero'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Agent traffic

const WEATHER_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['c', 'f'] }, days: { type: 'integer', minimum: 1 } },
  required: ['city', 'unit', 'days'],
  additionalProperties: false,
};
const TIME_SCHEMA = { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] };
const ASK = 'What is the weather in Paris today?';
const askWeather = [{ role: 'user' as const, content: ASK }];
/** What the mock generates for WEATHER_SCHEMA from ASK: strings are the prompt's words in order. */
const WEATHER_ARGS = { city: 'What', unit: 'c', days: 1 };
const oaTools = [
  { type: 'function' as const, function: { name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_SCHEMA } },
  { type: 'function' as const, function: { name: 'get_time', description: 'Time in a zone', parameters: TIME_SCHEMA } },
];
const anTools = [
  { name: 'get_weather', description: 'Weather for a city', input_schema: WEATHER_SCHEMA as Anthropic.Tool.InputSchema },
  { name: 'get_time', description: 'Time in a zone', input_schema: TIME_SCHEMA as Anthropic.Tool.InputSchema },
];
const rsTools = oaTools.map((t) => ({ type: 'function' as const, name: t.function.name, description: t.function.description, parameters: t.function.parameters, strict: false }));

/** A schema exercising what zod emits: enums, bounds, formats, nullables, unions, literals, recursion. */
const TreeNode: z.ZodType<{ name: string; children: unknown[] }> = z.object({ name: z.string(), children: z.array(z.lazy(() => TreeNode)) });
const Forecast = z.object({
  city: z.string(),
  unit: z.enum(['c', 'f']),
  temps: z.array(z.number().int().min(-50).max(60)).min(2),
  when: z.string().datetime(),
  contact: z.string().email(),
  id: z.string().uuid(),
  note: z.string().nullable(),
  step: z.number().multipleOf(5).positive(),
  label: z.string().min(12),
  kind: z.literal('forecast'),
  where: z.union([z.object({ lat: z.number(), lon: z.number() }), z.object({ name: z.string() })]),
  tree: TreeNode,
});

/** SSE text -> [event name, parsed data] pairs. */
function sse(text: string): Array<[string, any]> {
  return text.split('\n\n').filter((b) => b.includes('data: ')).map((b) => {
    const event = /^event: (.*)$/m.exec(b)?.[1] ?? '';
    return [event, JSON.parse(/^data: (.*)$/m.exec(b)![1])];
  });
}

async function postRaw(path: string, body: unknown, headers: Record<string, string> = { authorization: 'Bearer k' }): Promise<Response> {
  return fetch(mock.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('schema instances', { timeout: 20_000 }, () => {
  test('valid for the schemas zod, openai and @anthropic-ai/sdk helpers make (incl. constraints moved into descriptions)', () => {
    const words = ['Paris', 'today'];
    const schemas = {
      openai: zodResponseFormat(Forecast, 'forecast').json_schema.schema,
      anthropic: zodOutputFormat(Forecast).schema,
      zod: z.toJSONSchema(Forecast),
    };
    for (const [who, schema] of Object.entries(schemas)) {
      const instance = schemaInstance(schema, words) as z.infer<typeof Forecast>;
      const parsed = Forecast.safeParse(instance);
      assert.ok(parsed.success, `${who}: ${JSON.stringify(parsed.error?.issues)}`);
      assert.equal(instance.city, 'Paris');
      assert.equal(instance.unit, 'c');
      assert.deepEqual(instance.temps, [-50, -50]);
      assert.equal(instance.step, 5);
      assert.ok(instance.label.length >= 12);
      assert.deepEqual(schemaInstance(schema, words), instance, 'deterministic');
    }
    assert.match(JSON.stringify(schemas.anthropic), /minItems: 2/, 'the helper really moved minItems into a description');
    // draft-04 exclusive bounds, allOf, const, type lists, prefixItems
    assert.deepEqual(schemaInstance({
      type: 'object',
      allOf: [{ properties: { a: { type: 'number', minimum: 3, exclusiveMinimum: true } } }, { properties: { b: { const: 7 } }, required: ['c'] }],
      properties: { d: { type: ['null', 'boolean'] }, e: { type: 'array', prefixItems: [{ type: 'integer' }, { type: 'string' }] }, f: { type: 'array', maxItems: 0 } },
    }, []), { d: true, e: [1, 'mock'], f: [], a: 3.5, b: 7, c: 'mock' });
  });
});

describe('OpenAI chat: tools', { timeout: 20_000 }, () => {
  test('a request with tools gets one call to the first tool, arguments from its schema; tool_choice picks or forbids', async () => {
    const r = await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tools: oaTools });
    const c = r.choices[0];
    assert.equal(c.finish_reason, 'tool_calls');
    assert.equal(c.message.content, null);
    assert.equal(c.message.tool_calls?.length, 1);
    const call = c.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.match(call.id, /^call_/);
    assert.equal(call.type, 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), WEATHER_ARGS);
    assert.equal(r.usage?.completion_tokens, 5, 'the arguments in 5 deltas');
    assert.equal(r.usage?.prompt_tokens, inputTokensOf({ messages: askWeather, tools: oaTools }));

    const named = await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tools: oaTools, tool_choice: { type: 'function', function: { name: 'get_time' } } });
    const namedCall = named.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.deepEqual([namedCall.function.name, JSON.parse(namedCall.function.arguments)], ['get_time', { zone: 'What' }]);
    const none = await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tools: oaTools, tool_choice: 'none' });
    assert.equal(none.choices[0].finish_reason, 'stop');
    assert.equal(none.choices[0].message.content, `Hello from gpt-4o: ${ASK}`);

    mock.setReply({ parallelToolCalls: true });
    const both = await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tools: oaTools });
    const calls = both.choices[0].message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
    assert.deepEqual(calls.map((t) => t.function.name), ['get_weather', 'get_time']);
    assert.notEqual(calls[0].id, calls[1].id);
    const one = await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tools: oaTools, parallel_tool_calls: false });
    assert.equal(one.choices[0].message.tool_calls?.length, 1);
  });

  test('streaming: the first chunk opens the call (id, type, name, empty arguments), argument deltas follow; the stream helper assembles it', async () => {
    const stream = oa.chat.completions.stream({ model: 'gpt-4o', messages: askWeather, tools: oaTools, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const final = await stream.finalChatCompletion();
    const first = chunks[0].choices[0].delta;
    assert.equal(first.role, 'assistant');
    assert.equal(first.tool_calls?.length, 1);
    const open = first.tool_calls![0];
    assert.equal(open.index, 0);
    assert.match(open.id ?? '', /^call_/);
    assert.equal(open.type, 'function');
    assert.deepEqual(open.function, { name: 'get_weather', arguments: '' });
    const pieces = chunks.slice(1).map((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments).filter((a): a is string => !!a);
    assert.equal(pieces.length, 5);
    assert.deepEqual(JSON.parse(pieces.join('')), WEATHER_ARGS);
    assert.equal(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason, 'tool_calls');
    assert.equal(chunks[chunks.length - 1].usage?.completion_tokens, 5);
    const call = final.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    assert.equal(call.id, open.id);
    assert.deepEqual(JSON.parse(call.function.arguments), WEATHER_ARGS);
  });

  test('a tool result answers "Tool said: …"; runTools and parse() with zodFunction run the loop', async () => {
    const r1 = await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tools: oaTools });
    const call = r1.choices[0].message.tool_calls![0];
    const r2 = await oa.chat.completions.create({
      model: 'gpt-4o', tools: oaTools,
      messages: [...askWeather, r1.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'Sunny and 22 degrees in Paris with a light breeze' }],
    });
    assert.equal(r2.choices[0].finish_reason, 'stop');
    assert.equal(r2.choices[0].message.content, 'Tool said: Sunny and 22 degrees in Paris with a');

    const seen: unknown[] = [];
    const runner = oa.chat.completions.runTools({
      model: 'gpt-4o', messages: askWeather,
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_SCHEMA, parse: JSON.parse, function: (args: { city: string }) => { seen.push(args); return `Rain in ${args.city}`; } } }],
    });
    assert.equal(await runner.finalContent(), 'Tool said: Rain in What');
    assert.deepEqual(seen, [WEATHER_ARGS]);

    const parsed = await oa.chat.completions.parse({
      model: 'gpt-4o', messages: askWeather,
      tools: [zodFunction({ name: 'lookup', parameters: z.object({ city: z.string(), days: z.number().int().positive() }) })],
    });
    assert.deepEqual(parsed.choices[0].message.tool_calls?.[0].function.parsed_arguments, { city: 'What', days: 1 });
  });

  test('like the real API: a tool message must answer the tool calls right before it, and every call must be answered', async () => {
    const orphan = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: [...askWeather, { role: 'tool', tool_call_id: 'call_x', content: 'x' }] }), OpenAI.BadRequestError);
    assert.match(orphan.message, /must be a response to a preceeding message with 'tool_calls'/);
    assert.equal(orphan.param, 'messages.[1].role');
    const assistant = { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{}' } }] };
    const unanswered = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: [...askWeather, assistant, { role: 'user', content: 'well?' }] }), OpenAI.BadRequestError);
    assert.match(unanswered.message, /did not have response messages: call_1/);
    const noTools = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tool_choice: 'required' }), OpenAI.BadRequestError);
    assert.equal(noTools.param, 'tool_choice');
  });
});

describe('OpenAI chat: structured output and reasoning', { timeout: 20_000 }, () => {
  test('parse() with a zod response format gets a valid instance; json_object answers JSON (and needs the word "json")', async () => {
    const r = await oa.chat.completions.parse({ model: 'gpt-4o', messages: askWeather, response_format: zodResponseFormat(Forecast, 'forecast') });
    const parsed = r.choices[0].message.parsed!;
    assert.ok(Forecast.safeParse(parsed).success);
    assert.equal(parsed.city, 'What');
    assert.equal(JSON.parse(r.choices[0].message.content!).kind, 'forecast');
    const streamed = await oa.chat.completions.stream({ model: 'gpt-4o', messages: askWeather, response_format: zodResponseFormat(Forecast, 'forecast') }).finalChatCompletion();
    assert.deepEqual(streamed.choices[0].message.parsed, parsed);

    const j = await oa.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Reply in JSON please' }], response_format: { type: 'json_object' } });
    assert.deepEqual(JSON.parse(j.choices[0].message.content!), { answer: 'Hello from gpt-4o: Reply in JSON please' });
    const e = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, response_format: { type: 'json_object' } }), OpenAI.BadRequestError);
    assert.match(e.message, /must contain the word 'json'/);
  });

  test('reasoning_effort: reasoning tokens in the usage (5 deltas × effort), counted in completion_tokens; no reasoning text', async () => {
    const tokens = async (effort?: OpenAI.ReasoningEffort) => {
      const r = await oa.chat.completions.create({ model: 'o3-mini', messages: userMsgs, ...(effort ? { reasoning_effort: effort } : {}) });
      assert.equal(r.choices[0].message.content, 'Hello from o3-mini: Write a haiku about the sea please');
      return [r.usage?.completion_tokens_details?.reasoning_tokens, r.usage?.completion_tokens];
    };
    assert.deepEqual(await tokens(), [0, 5]);
    assert.deepEqual(await tokens('low'), [5, 10]);
    assert.deepEqual(await tokens('high'), [20, 25]);
    assert.deepEqual(await tokens('none'), [0, 5]);
    const e = await rejects(oa.chat.completions.create({ model: 'o3-mini', messages: userMsgs, reasoning_effort: 'extreme' as any }), OpenAI.BadRequestError);
    assert.equal(e.param, 'reasoning_effort');
  });
});

describe('Anthropic: tools, structured output, count_tokens', { timeout: 20_000 }, () => {
  test('tool_use blocks (toolu_ ids) with inputs from the schema; tool_choice tool / any / none; disable_parallel_tool_use', async () => {
    const r = await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: askWeather, tools: anTools });
    assert.equal(r.stop_reason, 'tool_use');
    assert.equal(r.content.length, 1);
    const use = r.content[0] as Anthropic.ToolUseBlock;
    assert.equal(use.type, 'tool_use');
    assert.match(use.id, /^toolu_/);
    assert.deepEqual([use.name, use.input], ['get_weather', WEATHER_ARGS]);
    const forced = await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: askWeather, tools: anTools, tool_choice: { type: 'tool', name: 'get_time' } });
    assert.deepEqual((forced.content[0] as Anthropic.ToolUseBlock).input, { zone: 'What' });
    const any = await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: askWeather, tools: anTools, tool_choice: { type: 'any' } });
    assert.equal((any.content[0] as Anthropic.ToolUseBlock).name, 'get_weather');
    const none = await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: askWeather, tools: anTools, tool_choice: { type: 'none' } });
    assert.deepEqual([none.stop_reason, none.content[0].type], ['end_turn', 'text']);
    mock.setReply({ parallelToolCalls: true });
    const both = await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: askWeather, tools: anTools });
    assert.deepEqual(both.content.map((b) => (b as Anthropic.ToolUseBlock).name), ['get_weather', 'get_time']);
    const one = await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: askWeather, tools: anTools, tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
    assert.equal(one.content.length, 1);
  });

  test('streaming: content_block_start {tool_use, input: {}}, then input_json_delta pieces; the stream helper assembles the input', async () => {
    const stream = an.messages.stream({ model: 'claude-x', max_tokens: 100, messages: askWeather, tools: anTools });
    const events: Anthropic.MessageStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const final = await stream.finalMessage();
    const start = events.find((e) => e.type === 'content_block_start');
    assert.ok(start?.type === 'content_block_start');
    assert.equal(start.content_block.type, 'tool_use');
    assert.deepEqual((start.content_block as Anthropic.ToolUseBlock).input, {});
    const pieces = events.flatMap((e) => (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta' ? [e.delta.partial_json] : []));
    assert.equal(pieces.length, 5);
    assert.deepEqual(JSON.parse(pieces.join('')), WEATHER_ARGS);
    assert.equal(final.stop_reason, 'tool_use');
    assert.deepEqual((final.content[0] as Anthropic.ToolUseBlock).input, WEATHER_ARGS);
    assert.equal((final.content[0] as Anthropic.ToolUseBlock).id, (start.content_block as Anthropic.ToolUseBlock).id);
  });

  test('tool_result blocks answer "Tool said: …"; the beta toolRunner runs the loop over a message thread; unpaired ids are 400s', async () => {
    const r1 = await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: askWeather, tools: anTools });
    const use = r1.content[0] as Anthropic.ToolUseBlock;
    const r2 = await an.messages.create({
      model: 'claude-x', max_tokens: 100, tools: anTools,
      messages: [...askWeather, { role: 'assistant', content: r1.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, is_error: true, content: [{ type: 'text', text: 'City not found' }] }] }],
    });
    assert.deepEqual(r2.content, [{ type: 'text', text: 'Tool said: City not found' }]);

    const seen: unknown[] = [];
    const final = await an.beta.messages.toolRunner({
      model: 'claude-x', max_tokens: 100, messages: askWeather,
      tools: [betaZodTool({ name: 'get_weather', description: 'Weather', inputSchema: z.object({ city: z.string() }), run: async (args) => { seen.push(args); return `Rain in ${args.city}`; } })],
    });
    assert.deepEqual(final.content.map((b) => (b.type === 'text' ? b.text : b.type)), ['Tool said: Rain in What']);
    assert.deepEqual(seen, [{ city: 'What' }]);
    // the runner sends only the new messages: the thread holds the rest (and the tools)
    const [create, resume] = mock.requests.slice(-2).map((r) => r.body);
    assert.deepEqual(create.thread, { type: 'create' });
    assert.equal(resume.thread.type, 'continue');
    assert.equal(resume.tools, undefined);
    assert.deepEqual(resume.messages.map((m: any) => m.content[0].type), ['tool_result']);

    const stray = await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: [...askWeather, { role: 'assistant', content: 'ok' }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'x' }] }] }), Anthropic.BadRequestError);
    assert.match(stray.message, /messages\.2\.content\.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_x/);
    const missing = await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: [...askWeather, { role: 'assistant', content: r1.content }, { role: 'user', content: 'and?' }] }), Anthropic.BadRequestError);
    assert.match(missing.message, /`tool_use` ids were found without `tool_result` blocks immediately after/);
  });

  test('message threads: a continue adds the new messages to the held conversation; unknown ids are 404 thread_not_found; a response continues once', async () => {
    const first = await an.beta.messages.create({ model: 'claude-x', max_tokens: 100, system: 'terse', tools: anTools, messages: askWeather, thread: { type: 'create' } });
    const use = first.content[0] as Anthropic.Beta.BetaToolUseBlock;
    const cont = (previous: string) => an.beta.messages.create({
      model: 'claude-x', max_tokens: 100, thread: { type: 'continue', previous_message_id: previous },
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny' }] }],
    });
    const second = await cont(first.id);
    assert.deepEqual(second.content, [{ type: 'text', text: 'Tool said: Sunny' }]);
    assert.equal(second.usage.input_tokens, inputTokensOf({ system: 'terse', tools: anTools, messages: [...askWeather, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'Sunny' }] }] }));
    const again = await rejects(cont(first.id), Anthropic.BadRequestError);
    assert.equal((again.error as any).error.details.error_code, 'thread_already_continued');
    const lost = await rejects(cont('msg_unknown'), Anthropic.NotFoundError);
    assert.equal((lost.error as any).error.details.error_code, 'thread_not_found');
  });

  test('structured output: a forced tool gets a valid instance; output_config.format (and beta output_format) answers JSON text', async () => {
    const forced = await an.messages.create({ model: 'claude-x', max_tokens: 100, messages: askWeather, tools: [{ name: 'record', input_schema: z.toJSONSchema(Forecast) as Anthropic.Tool.InputSchema }], tool_choice: { type: 'tool', name: 'record' } });
    assert.ok(Forecast.safeParse((forced.content[0] as Anthropic.ToolUseBlock).input).success);
    const parsed = await an.messages.parse({ model: 'claude-x', max_tokens: 100, messages: askWeather, output_config: { format: zodOutputFormat(Forecast) } });
    assert.ok(Forecast.safeParse(parsed.parsed_output).success, JSON.stringify(parsed.content));
    assert.equal(parsed.parsed_output?.city, 'What');
    const beta = await an.beta.messages.create({ model: 'claude-x', max_tokens: 100, messages: askWeather, output_format: { type: 'json_schema', schema: TIME_SCHEMA } });
    assert.deepEqual(JSON.parse((beta.content[0] as Anthropic.Beta.BetaTextBlock).text), { zone: 'What' });
  });

  test('count_tokens: the input tokens the same messages request reports (system + messages + tools), also on ?beta=true', async () => {
    const req = { model: 'claude-x', system: 'You are terse.', messages: askWeather, tools: anTools };
    const counted = await an.messages.countTokens(req);
    assert.deepEqual(counted, { input_tokens: inputTokensOf(req) });
    const used = await an.messages.create({ ...req, max_tokens: 100 });
    assert.equal(used.usage.input_tokens, counted.input_tokens);
    assert.ok(counted.input_tokens > inputTokensOf({ ...req, tools: undefined }), 'tools count');
    assert.equal((await an.beta.messages.countTokens(req)).input_tokens, counted.input_tokens);
    const raw = await postRaw('/v1/messages/count_tokens?beta=true', req, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    assert.deepEqual(await raw.json(), counted);
    assert.deepEqual(mock.requests.filter((r) => r.api === 'count_tokens').map((r) => r.path), ['/v1/messages/count_tokens', '/v1/messages/count_tokens', '/v1/messages/count_tokens?beta=true']);
    await rejects(an.messages.countTokens({ model: 'claude-x' } as any), Anthropic.BadRequestError);
  });
});

describe('Anthropic: thinking', { timeout: 20_000 }, () => {
  const thinking = { type: 'enabled' as const, budget_tokens: 1024 };

  test('a thinking block comes first with its signature, plain and streamed (thinking_delta, signature_delta)', async () => {
    const r = await an.messages.create({ model: 'claude-x', max_tokens: 2048, thinking, messages: userMsgs });
    const text = 'Thinking about: Write a haiku about the sea please';
    assert.deepEqual(r.content[0], { type: 'thinking', thinking: text, signature: thinkingSignature(text) });
    assert.deepEqual(r.content[1], { type: 'text', text: 'Hello from claude-x: Write a haiku about the sea please' });
    assert.equal(r.usage.output_tokens, 10);

    const stream = an.messages.stream({ model: 'claude-x', max_tokens: 2048, thinking, messages: userMsgs });
    const events: Anthropic.MessageStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const shape = events.map((e) => (e.type === 'content_block_delta' ? e.delta.type : e.type === 'content_block_start' ? `start:${e.content_block.type}` : e.type));
    assert.deepEqual(shape, ['message_start', 'start:thinking', ...Array(5).fill('thinking_delta'), 'signature_delta', 'content_block_stop',
      'start:text', ...Array(5).fill('text_delta'), 'content_block_stop', 'message_delta', 'message_stop']);
    assert.deepEqual((await stream.finalMessage()).content, r.content);
  });

  test('the conversation goes on with the block sent back unchanged; an altered signature or a dropped block is a 400', async () => {
    const req = { model: 'claude-x', max_tokens: 2048, thinking, tools: anTools };
    const r1 = await an.messages.create({ ...req, messages: askWeather });
    assert.deepEqual(r1.content.map((b) => b.type), ['thinking', 'tool_use']);
    const use = r1.content[1] as Anthropic.ToolUseBlock;
    const result = { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: use.id, content: 'Sunny, 22 C' }] };
    const r2 = await an.messages.create({ ...req, messages: [...askWeather, { role: 'assistant', content: r1.content }, result] });
    assert.deepEqual(r2.content.map((b) => (b.type === 'text' ? b.text : b.type)), ['thinking', 'Tool said: Sunny, 22 C']);

    const altered = r1.content.map((b) => (b.type === 'thinking' ? { ...b, signature: b.signature.slice(0, -4) + 'AAAA' } : b));
    const e1 = await rejects(an.messages.create({ ...req, messages: [...askWeather, { role: 'assistant', content: altered }, result] }), Anthropic.BadRequestError);
    assert.match(e1.message, /messages\.1\.content\.0: Invalid `signature` in `thinking` block/);
    const e2 = await rejects(an.messages.create({ ...req, messages: [...askWeather, { role: 'assistant', content: [use] }, result] }), Anthropic.BadRequestError);
    assert.match(e2.message, /Expected `thinking` or `redacted_thinking`, but found `tool_use`/);
    // without thinking enabled the same history is fine (an earlier turn's thinking is still checked)
    assert.equal((await an.messages.create({ ...req, thinking: undefined, messages: [...askWeather, { role: 'assistant', content: [use] }, result] })).content[0].type, 'text');
  });

  test('thinking settings the real API refuses', async () => {
    const cases: Array<[Partial<Anthropic.MessageCreateParamsNonStreaming>, RegExp]> = [
      [{ thinking: { type: 'enabled', budget_tokens: 512 } }, /budget_tokens: Input should be greater than or equal to 1024/],
      [{ thinking: { type: 'enabled', budget_tokens: 4096 } }, /`max_tokens` must be greater than `thinking.budget_tokens`/],
      [{ thinking, tools: anTools, tool_choice: { type: 'any' } }, /Thinking may not be enabled when tool_choice forces tool use/],
      [{ thinking, temperature: 0.2 } as object, /`temperature` may only be set to 1 when thinking is enabled/],
    ];
    for (const [extra, message] of cases) {
      const e = await rejects(an.messages.create({ model: 'c', max_tokens: 2048, messages: userMsgs, ...extra }), Anthropic.BadRequestError);
      assert.match(e.message, message);
      assert.equal(e.type, 'invalid_request_error');
    }
  });
});

describe('Responses API', { timeout: 20_000 }, () => {
  test('plain: resp_ id, a message item with output_text, usage with its details, the request id', async () => {
    const r = await oa.responses.create({ model: 'gpt-4.1', input: 'Write a haiku about the sea please', instructions: 'be nice' });
    assert.match(r.id, /^resp_/);
    assert.deepEqual([r.object, r.status, r.error, r.instructions, r.previous_response_id], ['response', 'completed', null, 'be nice', null]);
    assert.equal(r.output.length, 1);
    const msg = r.output[0] as OpenAI.Responses.ResponseOutputMessage;
    assert.deepEqual([msg.type, msg.role, msg.status], ['message', 'assistant', 'completed']);
    assert.match(msg.id, /^msg_/);
    assert.deepEqual(msg.content, [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hello from gpt-4.1: Write a haiku about the sea please' }]);
    assert.equal(r.output_text, 'Hello from gpt-4.1: Write a haiku about the sea please');
    assert.deepEqual(r.usage, {
      input_tokens: Math.ceil(('be nice'.length + 'Write a haiku about the sea please'.length) / 4), input_tokens_details: { cached_tokens: 0 },
      output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 11 + 5,
    });
    assert.match(r._request_id ?? '', /^req_/);
    const items = await oa.responses.create({ model: 'gpt-4.1', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Describe this' }, { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'auto' }, { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' }] }] });
    assert.equal(items.output_text, 'Hello from gpt-4.1: Describe this');
    const bad = await rejects(oa.responses.create({ model: 'gpt-4.1', input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto' } as any] }] }), OpenAI.BadRequestError);
    assert.equal(bad.param, 'input[0].content[0]');
  });

  test('streaming: the real event sequence with increasing sequence numbers; the SDK stream helper assembles it', async () => {
    const res = await postRaw('/v1/responses', { model: 'gpt-4.1', input: 'Write a haiku about the sea please', stream: true });
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const events = sse(await res.text());
    assert.deepEqual(events.map(([name]) => name), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added',
      ...Array(5).fill('response.output_text.delta'), 'response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    assert.ok(events.every(([name, data], i) => data.type === name && data.sequence_number === i));
    assert.deepEqual([events[0][1].response.status, events[0][1].response.output, events[0][1].response.usage], ['in_progress', [], null]);
    assert.equal(events.at(-1)![1].response.usage.output_tokens, 5);
    assert.equal(events.filter(([n]) => n === 'response.output_text.delta').map(([, d]) => d.delta).join(''), events.at(-1)![1].response.output[0].content[0].text);

    const stream = oa.responses.stream({ model: 'gpt-4.1', input: 'Write a haiku about the sea please' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    assert.equal(final.output_text, 'Hello from gpt-4.1: Write a haiku about the sea please');
    assert.equal(deltas.join(''), final.output_text);
  });

  test('function tools: function_call items with call ids, streamed argument deltas; function_call_output round trips (history or previous_response_id)', async () => {
    const r1 = await oa.responses.create({ model: 'gpt-4.1', input: ASK, tools: rsTools });
    const call = r1.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    assert.deepEqual([call.type, call.name, call.status], ['function_call', 'get_weather', 'completed']);
    assert.match(call.id ?? '', /^fc_/);
    assert.match(call.call_id, /^call_/);
    assert.deepEqual(JSON.parse(call.arguments), WEATHER_ARGS);

    const output = { type: 'function_call_output' as const, call_id: call.call_id, output: 'Sunny and 22 degrees' };
    const r2 = await oa.responses.create({ model: 'gpt-4.1', previous_response_id: r1.id, input: [output], tools: rsTools });
    assert.equal(r2.output_text, 'Tool said: Sunny and 22 degrees');
    assert.equal(r2.previous_response_id, r1.id);
    assert.ok(r2.usage!.input_tokens > r1.usage!.input_tokens, 'the previous conversation counts');
    const r3 = await oa.responses.create({ model: 'gpt-4.1', store: false, input: [{ role: 'user', content: ASK }, call, output], tools: rsTools });
    assert.equal(r3.output_text, 'Tool said: Sunny and 22 degrees');
    const r4 = await oa.responses.create({ model: 'gpt-4.1', input: [{ role: 'user', content: ASK }, { type: 'item_reference', id: call.id! }, output], tools: rsTools });
    assert.equal(r4.output_text, 'Tool said: Sunny and 22 degrees');

    const stream = oa.responses.stream({ model: 'gpt-4.1', input: ASK, tools: rsTools, tool_choice: { type: 'function', name: 'get_time' } });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of stream) events.push(e);
    const added = events.find((e) => e.type === 'response.output_item.added');
    assert.ok(added?.type === 'response.output_item.added' && added.item.type === 'function_call');
    assert.deepEqual([added.item.name, added.item.arguments, added.item.status], ['get_time', '', 'in_progress']);
    const pieces = events.flatMap((e) => (e.type === 'response.function_call_arguments.delta' ? [e.delta] : []));
    assert.equal(pieces.length, 5);
    const done = events.find((e) => e.type === 'response.function_call_arguments.done');
    assert.ok(done?.type === 'response.function_call_arguments.done');
    assert.deepEqual([done.name, JSON.parse(done.arguments)], ['get_time', { zone: 'What' }]);
    assert.equal(((await stream.finalResponse()).output[0] as OpenAI.Responses.ResponseFunctionToolCall).arguments, pieces.join(''));
  });

  test('stored state like the real API: unknown or unstored previous_response_id, unpaired call ids and references are 400s', async () => {
    const e1 = await rejects(oa.responses.create({ model: 'gpt-4.1', previous_response_id: 'resp_nope', input: 'hi' }), OpenAI.BadRequestError);
    assert.deepEqual([e1.code, e1.param, (e1.error as { message?: string }).message], ['previous_response_not_found', 'previous_response_id', "Previous response with id 'resp_nope' not found."]);
    const unstored = await oa.responses.create({ model: 'gpt-4.1', input: 'hi', store: false });
    assert.equal((unstored as unknown as { store: boolean }).store, false);
    await rejects(oa.responses.create({ model: 'gpt-4.1', previous_response_id: unstored.id, input: 'again' }), OpenAI.BadRequestError);
    const e2 = await rejects(oa.responses.create({ model: 'gpt-4.1', input: [{ type: 'function_call_output', call_id: 'call_x', output: 'x' }] }), OpenAI.BadRequestError);
    assert.match(e2.message, /No tool call found for function call output with call_id call_x/);
    const withCall = await oa.responses.create({ model: 'gpt-4.1', input: ASK, tools: rsTools });
    const e3 = await rejects(oa.responses.create({ model: 'gpt-4.1', previous_response_id: withCall.id, input: 'never mind' }), OpenAI.BadRequestError);
    assert.match(e3.message, /No tool output found for function call call_/);
    await rejects(oa.responses.create({ model: 'gpt-4.1', input: [{ type: 'item_reference', id: 'msg_nope' }] }), OpenAI.BadRequestError);
    mock.reset(); // forgets stored responses
    await rejects(oa.responses.create({ model: 'gpt-4.1', previous_response_id: withCall.id, input: 'hi' }), OpenAI.BadRequestError);
  });

  test('reasoning: a reasoning item first (summary when asked, encrypted_content when included) that must come back unaltered', async () => {
    const r = await oa.responses.create({ model: 'o3-mini', input: userMsgs[0].content, reasoning: { effort: 'high', summary: 'auto' }, include: ['reasoning.encrypted_content'], store: false });
    const reasoning = r.output[0] as OpenAI.Responses.ResponseReasoningItem;
    const text = 'Thinking about: Write a haiku about the sea please';
    assert.equal(reasoning.type, 'reasoning');
    assert.match(reasoning.id, /^rs_/);
    assert.deepEqual(reasoning.summary, [{ type: 'summary_text', text }]);
    assert.equal(reasoning.encrypted_content, encryptReasoning(text));
    assert.equal(r.output[1].type, 'message');
    assert.deepEqual([r.usage?.output_tokens_details.reasoning_tokens, r.usage?.output_tokens], [20, 25]);
    const quiet = await oa.responses.create({ model: 'o3-mini', input: 'hi', reasoning: { effort: 'low' } });
    assert.deepEqual(quiet.output[0], { id: quiet.output[0].id, type: 'reasoning', summary: [] });
    assert.equal(quiet.usage?.output_tokens_details.reasoning_tokens, 5); // "Thinking about: hi" in 5 deltas, × 1 for low
    const next = [...r.output, { role: 'user', content: 'Another one' }] as OpenAI.Responses.ResponseInputItem[];
    assert.equal((await oa.responses.create({ model: 'o3-mini', input: [{ role: 'user', content: userMsgs[0].content }, ...next], reasoning: { effort: 'high' }, store: false })).status, 'completed');
    const tampered = [{ ...reasoning, encrypted_content: encryptReasoning('something else').replace(/\..*$/, reasoning.encrypted_content!.slice(reasoning.encrypted_content!.indexOf('.'))) }, r.output[1]];
    const e1 = await rejects(oa.responses.create({ model: 'o3-mini', input: [{ role: 'user', content: 'x' }, ...tampered, { role: 'user', content: 'y' }], store: false }), OpenAI.BadRequestError);
    assert.equal(e1.code, 'invalid_encrypted_content');
    const e2 = await rejects(oa.responses.create({ model: 'o3-mini', input: [{ role: 'user', content: 'x' }, { ...reasoning, encrypted_content: undefined }, { role: 'user', content: 'y' }], store: false }), OpenAI.BadRequestError);
    assert.match(e2.message, /Items are not persisted when `store` is set to false/);

    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const e of oa.responses.stream({ model: 'o3-mini', input: userMsgs[0].content, reasoning: { effort: 'medium', summary: 'auto' } })) events.push(e);
    const names = events.map((e) => e.type);
    assert.deepEqual(names.slice(2, 11), ['response.output_item.added', 'response.reasoning_summary_part.added', ...Array(5).fill('response.reasoning_summary_text.delta'),
      'response.reasoning_summary_text.done', 'response.reasoning_summary_part.done']);
    assert.equal(names[11], 'response.output_item.done');
    const completed = events.at(-1);
    assert.ok(completed?.type === 'response.completed');
    assert.equal(completed.response.usage?.output_tokens_details.reasoning_tokens, 10);
  });

  test('text.format json_schema: parse() with zodTextFormat; max_output_tokens truncates to status incomplete (and must be >= 16)', async () => {
    const parsed = await oa.responses.parse({ model: 'gpt-4.1', input: ASK, text: { format: zodTextFormat(Forecast, 'forecast') } });
    assert.ok(Forecast.safeParse(parsed.output_parsed).success);
    assert.equal(parsed.output_parsed?.city, 'What');
    const e = await rejects(oa.responses.create({ model: 'gpt-4.1', input: 'hi', max_output_tokens: 8 }), OpenAI.BadRequestError);
    assert.deepEqual([e.param, e.code], ['max_output_tokens', 'integer_below_min_value']);
    mock.setReply({ deltas: 20 });
    const cut = await oa.responses.create({ model: 'gpt-4.1', input: 'hi', max_output_tokens: 16 });
    assert.deepEqual([cut.status, cut.incomplete_details, cut.usage?.output_tokens, (cut.output[0] as OpenAI.Responses.ResponseOutputMessage).status], ['incomplete', { reason: 'max_output_tokens' }, 16, 'incomplete']);
    const events = sse(await (await postRaw('/v1/responses', { model: 'gpt-4.1', input: 'hi', max_output_tokens: 16, stream: true })).text());
    assert.equal(events.at(-1)![0], 'response.incomplete');
  });
});

describe('embeddings, legacy completions', { timeout: 20_000 }, () => {
  test('embeddings: deterministic unit vectors, base64 (the SDK default, decoded) or float, dimensions honoured, usage', async () => {
    const e = await oa.embeddings.create({ model: 'text-embedding-3-small', input: ['hello world', 'goodbye'] });
    assert.equal(mock.requests[0].body.encoding_format, 'base64');
    assert.deepEqual([e.object, e.model, e.data.map((d) => [d.object, d.index, d.embedding.length])], ['list', 'text-embedding-3-small', [['embedding', 0, 1536], ['embedding', 1, 1536]]]);
    assert.deepEqual(Array.from(e.data[0].embedding), Array.from(embeddingOf('hello world', 1536)));
    const norm = Math.hypot(...e.data[0].embedding);
    assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
    assert.notDeepEqual(e.data[0].embedding, e.data[1].embedding);
    assert.deepEqual(e.usage, { prompt_tokens: Math.ceil(11 / 4) + Math.ceil(7 / 4), total_tokens: 5 });
    const small = await oa.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world', dimensions: 256, encoding_format: 'float' });
    assert.deepEqual(small.data[0].embedding, Array.from(embeddingOf('hello world', 256)));
    assert.equal((await oa.embeddings.create({ model: 'text-embedding-3-large', input: [1, 2, 3] })).data[0].embedding.length, 3072);
    const e1 = await rejects(oa.embeddings.create({ model: 'text-embedding-ada-002', input: 'x', dimensions: 8 }), OpenAI.BadRequestError);
    assert.equal(e1.param, 'dimensions');
    await rejects(oa.embeddings.create({ model: 'text-embedding-3-small', input: '' }), OpenAI.BadRequestError);
    assert.equal(mock.count({ api: 'embeddings' }), 5);
  });

  test('completions: fill in the middle (prompt + suffix), text_completion JSON and SSE, max_tokens 16 by default, stop', async () => {
    const prompt = 'function add(a, b) {\n  return';
    const c = await oa.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt, suffix: '\n}\n' });
    assert.equal(c.object, 'text_completion');
    assert.match(c.id, /^cmpl-/);
    assert.equal(c.choices[0].text, 'Hello from gpt-3.5-turbo-instruct: add(a, b) { return ... }');
    assert.equal(c.choices[0].text, fillIn('gpt-3.5-turbo-instruct', prompt, '\n}\n'));
    assert.equal(c.choices[0].finish_reason, 'stop');
    assert.deepEqual(c.usage, { prompt_tokens: Math.ceil((prompt.length + 3) / 4), completion_tokens: 5, total_tokens: Math.ceil((prompt.length + 3) / 4) + 5 });
    const { items } = await drain(await oa.completions.create({ model: 'm', prompt: 'one two three', stream: true, stream_options: { include_usage: true } }));
    assert.ok(items.every((i) => i.object === 'text_completion'));
    assert.equal(items.map((i) => i.choices[0]?.text ?? '').join(''), 'Hello from m: one two three');
    assert.equal(items.at(-2)?.choices[0].finish_reason, 'stop');
    assert.equal(items.at(-1)?.usage?.completion_tokens, 5);
    mock.setReply({ deltas: 20 });
    const long = await oa.completions.create({ model: 'm', prompt: 'x' });
    assert.deepEqual([long.choices[0].finish_reason, long.usage?.completion_tokens], ['length', 16]);
    const stopped = await oa.completions.create({ model: 'm', prompt: 'alpha beta', stop: ['beta'], max_tokens: 64 });
    assert.equal(stopped.choices[0].text, 'Hello from m: alpha ');
    const two = await oa.completions.create({ model: 'm', prompt: ['a', 'b'], max_tokens: 64 });
    assert.deepEqual(two.choices.map((ch) => [ch.index, ch.text.split(' ').slice(0, 4).join(' ')]), [[0, 'Hello from m: a'], [1, 'Hello from m: b']]);
  });
});

describe('faults and request ids on the new endpoints', { timeout: 20_000 }, () => {
  test('status faults: each family\'s error body with code / type / param overrides, retry-after, the request id in header and body', async () => {
    mock.fail({ api: 'responses', times: 1, fault: { kind: 'status', status: 429, retryAfter: '2' } });
    const e1 = await rejects(oa.responses.create({ model: 'gpt-4.1', input: 'hi' }), OpenAI.RateLimitError);
    assert.deepEqual([e1.headers?.get('retry-after'), e1.code, e1.type], ['2', 'rate_limit_exceeded', 'requests']);
    assert.match(e1.requestID ?? '', /^req_/);
    mock.fail({ api: 'openai', times: 1, fault: { kind: 'status', status: 400, code: 'context_length_exceeded', param: 'messages', message: "This model's maximum context length is 128000 tokens." } });
    const e2 = await rejects(oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs }), OpenAI.BadRequestError);
    assert.deepEqual([e2.code, e2.param, e2.type, e2.message], ['context_length_exceeded', 'messages', 'invalid_request_error', "400 This model's maximum context length is 128000 tokens."]);
    mock.fail({ api: 'count_tokens', times: 1, fault: { kind: 'status', status: 529 } });
    const e3 = await rejects(an.messages.countTokens({ model: 'c', messages: userMsgs }), Anthropic.OverloadedError);
    assert.match(e3.requestID ?? '', /^req_/);
    assert.equal((e3.error as any).request_id, e3.requestID);
    mock.fail({ api: 'embeddings', times: 1, fault: { kind: 'status', status: 500, type: 'server_overloaded' } });
    assert.equal((await rejects(oa.embeddings.create({ model: 'e', input: 'x' }), OpenAI.InternalServerError)).type, 'server_overloaded');
    mock.fail({ api: 'anthropic', times: 1, fault: { kind: 'status', status: 400, type: 'invalid_request_error', message: 'prompt is too long: 200001 tokens > 200000 maximum' } });
    assert.match((await rejects(an.messages.create({ model: 'c', max_tokens: 5, messages: userMsgs }), Anthropic.BadRequestError)).message, /prompt is too long/);
    // a rule for one endpoint leaves the others alone
    mock.fail({ api: 'completions', fault: { kind: 'status', status: 503 } });
    assert.equal((await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs })).object, 'chat.completion');
    await rejects(oa.completions.create({ model: 'm', prompt: 'x' }), OpenAI.InternalServerError);
    // every success carries an id too
    const ok = await an.messages.create({ model: 'c', max_tokens: 5, messages: userMsgs });
    assert.match(ok._request_id ?? '', /^req_/);
  });

  test('connection faults: cut streams (Responses, tool arguments, thinking), malformed bodies and SSE, reset, hang, trickle', async () => {
    mock.fail({ api: 'responses', times: 1, fault: { kind: 'cut', afterDeltas: 2 } });
    const r = await drain(await oa.responses.create({ model: 'gpt-4.1', input: 'Write a haiku about the sea please', stream: true }));
    assert.ok(r.error instanceof TypeError, String(r.error));
    assert.equal(r.items.filter((e) => e.type === 'response.output_text.delta').length, 2);
    assert.ok(!r.items.some((e) => e.type === 'response.completed' || e.type === 'response.output_text.done'));

    mock.fail({ api: 'openai', times: 1, fault: { kind: 'cut', afterDeltas: 2 } });
    const t = await drain(await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tools: oaTools, stream: true }));
    assert.ok(t.error instanceof TypeError);
    const partial = t.items.map((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '').join('');
    assert.equal(partial, JSON.stringify(WEATHER_ARGS).slice(0, partial.length));
    assert.ok(partial.length > 0 && partial.length < JSON.stringify(WEATHER_ARGS).length);

    mock.fail({ api: 'anthropic', times: 1, fault: { kind: 'cut', afterDeltas: 3 } });
    const th = await drain(await an.messages.create({ model: 'c', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: userMsgs, stream: true }));
    assert.ok(th.error instanceof TypeError);
    assert.deepEqual(th.items.flatMap((e) => (e.type === 'content_block_delta' ? [e.delta.type] : [])), ['thinking_delta', 'thinking_delta', 'thinking_delta']);

    mock.fail({ api: 'responses', times: 1, fault: { kind: 'malformed-sse', afterDeltas: 1 } });
    const m = await drain(await oa.responses.create({ model: 'gpt-4.1', input: 'hi', stream: true }));
    assert.ok(m.error instanceof SyntaxError);
    mock.fail({ api: 'embeddings', times: 1, fault: { kind: 'malformed-json' } });
    await rejects(oa.embeddings.create({ model: 'e', input: 'x' }), SyntaxError);
    mock.fail({ api: 'count_tokens', times: 1, fault: { kind: 'malformed-json' } });
    await rejects(an.messages.countTokens({ model: 'c', messages: userMsgs }), SyntaxError);
    mock.fail({ api: 'completions', times: 1, fault: { kind: 'cut', afterDeltas: 1 } });
    assert.equal((await rejects(oa.completions.create({ model: 'm', prompt: 'x' }), TypeError)).message, 'terminated');
    mock.fail({ api: 'count_tokens', times: 1, fault: { kind: 'reset' } });
    await rejects(an.messages.countTokens({ model: 'c', messages: userMsgs }), Anthropic.APIConnectionError);
    mock.fail({ api: 'embeddings', times: 1, fault: { kind: 'hang' } });
    await rejects(oa.embeddings.create({ model: 'e', input: 'x' }, { timeout: 100 }), OpenAI.APIConnectionTimeoutError);

    mock.fail({ api: 'responses', times: 1, fault: { kind: 'trickle', delayMs: 40 } });
    const times: number[] = [];
    for await (const e of await oa.responses.create({ model: 'gpt-4.1', input: 'Write a haiku about the sea please', stream: true })) {
      if (e.type === 'response.output_text.delta') times.push(performance.now());
    }
    assert.equal(times.length, 5);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 30, `gap ${i}: ${times[i] - times[i - 1]} ms`);
  });
});

describe('recording and scripted replies', { timeout: 20_000 }, () => {
  test('records the path with its query string, the headers, the parsed body and the raw text, under the endpoint\'s api name', async () => {
    // shaped like Claude Code's: ?beta=true, the beta header, system blocks with cache_control
    const claudeCode = { model: 'claude-x', max_tokens: 7, system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }], messages: userMsgs };
    assert.equal((await postRaw('/v1/messages?beta=true', claudeCode, { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14' })).status, 200);
    await oa.responses.create({ model: 'gpt-4.1', input: 'hi', metadata: { who: 'test' } });
    const [a, b] = mock.requests;
    assert.deepEqual([a.api, a.path, a.model], ['anthropic', '/v1/messages?beta=true', 'claude-x']);
    assert.equal(a.headers['anthropic-beta'], 'interleaved-thinking-2025-05-14');
    assert.deepEqual(JSON.parse(a.raw!), a.body);
    assert.deepEqual([b.api, b.path, b.body.metadata], ['responses', '/v1/responses', { who: 'test' }]);
    assert.deepEqual([mock.count({ api: 'responses' }), mock.count({ api: 'anthropic' }), mock.count({ api: 'openai' })], [1, 1, 0]);
  });

  test('a script drives an agent loop step by step, then the config applies again; persistent toolCalls stop at tool results', async () => {
    mock.setReply({ script: [{ toolCalls: [{ name: 'get_time', arguments: { zone: 'UTC' } }] }, { toolCalls: [{ name: 'get_weather' }], text: 'Checking.' }, { text: 'All done.' }] });
    const messages: OpenAI.ChatCompletionMessageParam[] = [...askWeather];
    const answers: string[] = [];
    for (let turn = 0; turn < 3; turn++) {
      const msg = (await oa.chat.completions.create({ model: 'gpt-4o', messages, tools: oaTools })).choices[0].message;
      const calls = (msg.tool_calls ?? []) as OpenAI.ChatCompletionMessageFunctionToolCall[];
      answers.push([msg.content, ...calls.map((c) => `${c.function.name}(${c.function.arguments})`)].filter(Boolean).join(' '));
      messages.push(msg, ...calls.map((c) => ({ role: 'tool' as const, tool_call_id: c.id, content: `result of ${c.function.name}` })));
    }
    assert.deepEqual(answers, [
      'get_time({"zone":"UTC"})',
      `Checking. get_weather(${JSON.stringify({ city: 'result', unit: 'c', days: 1 })})`, // scripted: called even after a tool result
      'All done.',
    ]);
    const after = (await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tools: oaTools })).choices[0].message;
    assert.equal((after.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments, JSON.stringify(WEATHER_ARGS), 'the script is used up');

    mock.reset();
    mock.setReply({ toolCalls: [{ name: 'get_time', arguments: '{"zone":' }] });
    const r = await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather, tools: oaTools });
    assert.equal((r.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall).function.arguments, '{"zone":', 'sent verbatim, even invalid');
    const a = await an.messages.create({ model: 'c', max_tokens: 10, messages: askWeather, tools: anTools });
    assert.deepEqual((a.content[0] as Anthropic.ToolUseBlock).input, {});
    assert.equal((await oa.chat.completions.create({ model: 'gpt-4o', messages: askWeather })).choices[0].finish_reason, 'stop', 'no tools, no call');

    const post = (body: unknown) => fetch(`${mock.url}/__mock/reply`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal((await post({ script: [{ text: 'over HTTP' }] })).status, 200);
    assert.equal((await oa.chat.completions.create({ model: 'gpt-4o', messages: userMsgs })).choices[0].message.content, 'over HTTP');
    assert.equal((await post({ toolCalls: [{ arguments: {} }] })).status, 400);
    assert.throws(() => mock.setReply({ script: [{ toolCalls: 'x' as any }] }), TypeError);
  });
});
