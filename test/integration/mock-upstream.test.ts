// The fault-injecting mock upstream, driven with the REAL openai and @anthropic-ai/sdk clients (maxRetries: 0).
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import {
  defaultAnswer, inputTokensOf, planAnswer, splitDeltas, startMockUpstream, type MockUpstream,
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
    setTimeout(() => ac.abort(), 50);
    await rejects(an.messages.create({ model: 'c', max_tokens: 10, messages: userMsgs, stream: true }, { signal: ac.signal }), Anthropic.APIUserAbortError);
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
    const res = await fetch(`${mock.url}/v1/embeddings`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: '{}' });
    assert.equal(res.status, 404);
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
