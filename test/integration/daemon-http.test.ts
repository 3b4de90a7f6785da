import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { startMockUpstream, type MockUpstream } from '../fixtures/mock-upstream';
import { DIST, mockRules, startDaemon, type RunningDaemon } from './helpers/daemon';

let mock: MockUpstream;
let daemon: RunningDaemon;
let openai: OpenAI;
let anthropic: Anthropic;

before(async () => {
  mock = await startMockUpstream({ deltas: 5 });
  // Circuits would open across these fault tests; they have their own tests in dispatch.test.ts.
  daemon = await startDaemon({ rulesText: mockRules(mock, { fallback: { timeoutMs: 3000, maxRetryAfterMs: 500, circuit: { failures: 1000, coolDownMs: 1000 } } }), env: { SWITCHYARD_MAX_BODY_BYTES: '200000' } });
  openai = new OpenAI({ baseURL: `${daemon.url}/v1`, apiKey: daemon.token, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: daemon.url, apiKey: daemon.token, maxRetries: 0 });
});
after(async () => { await daemon?.stop(); await mock?.close(); });
beforeEach(() => mock.reset());

/** A raw request, for what the SDKs will not send (bad Host, Origin, broken JSON). */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: daemon.port, path, method: opts.method ?? 'POST', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('OpenAI-compatible API with the official openai client', () => {
  it('routes a plain request by the rules and says so in the headers', async () => {
    const { data, response } = await openai.chat.completions.create({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'thanks for the help' }] }).withResponse();
    assert.match(data.choices[0].message.content!, /^Hello from gpt-4o-mini-2024-07-18: thanks for the help/);
    assert.equal(response.headers.get('x-switchyard-model'), 'gpt-4o-mini-2024-07-18');
    assert.equal(response.headers.get('x-switchyard-provider'), 'openai');
    assert.equal(response.headers.get('x-switchyard-rule'), 'small talk');
    assert.equal(response.headers.get('x-switchyard-tier'), 'fast');
    assert.equal(response.headers.get('x-switchyard-fallbacks'), '0');
    assert.ok(Number(response.headers.get('x-switchyard-cost-usd')) > 0);
    assert.match(response.headers.get('x-switchyard-request-id')!, /^sy-/);
    assert.ok(data.usage!.prompt_tokens > 0);
    assert.equal(mock.count({ api: 'openai', model: 'gpt-4o-mini-2024-07-18' }), 1);
  });
  it('streams, and the usage chunk arrives when asked for', async () => {
    const stream = await openai.chat.completions.create({ model: 'switchyard/auto', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'ok stream please' }] });
    let text = '';
    let usage;
    let chunks = 0;
    for await (const c of stream) { chunks++; text += c.choices[0]?.delta?.content ?? ''; if (c.usage) usage = c.usage; }
    assert.match(text, /^Hello from gpt-4o-mini-2024-07-18: ok stream please/);
    assert.ok(chunks >= 6);
    assert.ok(usage && usage.completion_tokens > 0);
  });
  it('a tier or a model named in `model` bypasses the rules', async () => {
    const { response } = await openai.chat.completions.create({ model: 'deep', messages: [{ role: 'user', content: 'thanks' }] }).withResponse();
    assert.equal(response.headers.get('x-switchyard-model'), 'claude-3-5-sonnet-20241022');
    const byId = await openai.chat.completions.create({ model: 'gpt-4o-2024-08-06', messages: [{ role: 'user', content: 'thanks' }] }).withResponse();
    assert.equal(byId.response.headers.get('x-switchyard-model'), 'gpt-4o-2024-08-06');
  });
  it('an unknown model is a 404 naming the choices', async () => {
    await assert.rejects(openai.chat.completions.create({ model: 'gpt-99', messages: [{ role: 'user', content: 'x' }] }), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 404 && /unknown model "gpt-99".*switchyard\/auto/.test(e.message));
  });
  it('a 429 upstream falls back to the next candidate: x-switchyard-fallbacks: 1', async () => {
    mock.fail({ api: 'openai', fault: { kind: 'status', status: 429, retryAfter: '30' } });
    const started = Date.now();
    const { data, response } = await openai.chat.completions.create({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'thanks again' }] }).withResponse();
    assert.ok(Date.now() - started < 2000, 'did not wait out retry-after: 30');
    assert.match(data.choices[0].message.content!, /Hello from claude-3-5-haiku-20241022/);
    assert.equal(response.headers.get('x-switchyard-fallbacks'), '1');
    assert.equal(response.headers.get('x-switchyard-provider'), 'anthropic');
  });
  it('a stream whose primary fails before the first delta is one clean stream from the secondary', async () => {
    mock.fail({ api: 'openai', fault: { kind: 'status', status: 503 } });
    const stream = await openai.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'thanks' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    assert.match(text, /^Hello from claude-3-5-haiku-20241022: thanks/);
    assert.ok(!text.includes("gpt-4o"), "nothing from the failed primary");
  });
  it('a stream cut after the first delta ends in an explicit error, not a clean end', async () => {
    mock.fail({ api: 'openai', fault: { kind: 'cut', afterDeltas: 2 } });
    const stream = await openai.chat.completions.create({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'thanks for all the fish today' }] });
    let text = '';
    await assert.rejects((async () => { for await (const c of stream) text += c.choices[0]?.delta?.content ?? ''; })(), /cut|stream/i);
    assert.ok(text.length > 0, 'the deltas before the cut arrived');
  });
  it('all candidates failing: the last upstream\'s status and error, with every attempt', async () => {
    mock.fail({ fault: { kind: 'status', status: 500 } });
    await assert.rejects(openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] }), (e: InstanceType<typeof OpenAI.APIError>) => {
      const sy = (e.error as { switchyard?: { attempts: { model: string }[]; message: string } }).switchyard;
      return e.status === 500 && sy?.attempts.map((a) => a.model).join() === 'gpt-4o-mini-2024-07-18,claude-3-5-haiku-20241022' && /every candidate failed/.test(sy.message);
    });
  });
  it('all candidates failing without an upstream status (connection reset) is a 502 listing every attempt', async () => {
    mock.fail({ fault: { kind: 'reset' } });
    await assert.rejects(openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] }), (e: InstanceType<typeof OpenAI.APIError>) => {
      const attempts = (e.error as { attempts?: unknown[] }).attempts;
      return e.status === 502 && Array.isArray(attempts) && attempts.length === 2 && /gpt-4o-mini.*claude-3-5-haiku/s.test(e.message);
    });
  });
  it('a permanent 400 from upstream does not fall back', async () => {
    mock.fail({ api: 'openai', fault: { kind: 'status', status: 400, message: 'bad param' } });
    await assert.rejects(openai.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'x' }] }), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 400);
    assert.equal(mock.count({ api: 'anthropic' }), 0);
  });
});

describe('Anthropic-compatible API with the official @anthropic-ai/sdk client', () => {
  it('answers /v1/messages plainly, from either provider', async () => {
    const msg = await anthropic.messages.create({ model: 'switchyard/auto', max_tokens: 200, messages: [{ role: 'user', content: 'thanks, claude' }] });
    assert.equal(msg.type, 'message');
    assert.match((msg.content[0] as { text: string }).text, /^Hello from gpt-4o-mini-2024-07-18/);
    const viaClaude = await anthropic.messages.create({ model: 'switchyard/auto', max_tokens: 200, system: 'be brief', messages: [{ role: 'user', content: 'hello there' }] });
    assert.match((viaClaude.content[0] as { text: string }).text, /^Hello from gpt-4o-2024-08-06/);
    assert.ok(viaClaude.usage.input_tokens > 0);
  });
  it('streams /v1/messages with the task hint header routing to Anthropic first', async () => {
    const stream = anthropic.messages.stream({ model: 'switchyard/auto', max_tokens: 100, messages: [{ role: 'user', content: 'stream me' }] }, { headers: { 'x-switchyard-task': 'claude' } });
    let text = '';
    stream.on('text', (t) => { text += t; });
    const final = await stream.finalMessage();
    assert.match(text, /^Hello from claude-3-5-haiku-20241022: stream me/);
    assert.equal(final.stop_reason, 'end_turn');
  });
  it('errors come back in Anthropic format', async () => {
    await assert.rejects(anthropic.messages.create({ model: 'nope', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), (e: InstanceType<typeof Anthropic.APIError>) => e.status === 404 && (e.error as { type: string }).type === 'error');
  });
});

describe('what a request cost, with the provider\'s prompt cache', () => {
  it('OpenAI: cached input tokens are billed at the cache price (gpt-4o: $1.25 / 1M instead of $2.50)', async () => {
    mock.setReply({ cacheReadTokens: 1_000_000 }); // capped at the input: every input token came from the cache
    const { data, response } = await openai.chat.completions.create({ model: 'gpt-4o-2024-08-06', messages: [{ role: 'user', content: 'x'.repeat(400) }] }).withResponse();
    const u = data.usage!;
    assert.equal(u.prompt_tokens_details?.cached_tokens, u.prompt_tokens);
    const expected = (u.prompt_tokens * 1.25 + u.completion_tokens * 10) / 1e6;
    assert.equal(response.headers.get('x-switchyard-cost-usd'), expected.toFixed(8));
  });
  it('Anthropic: cache reads at 0.1 × input and writes at 1.25 ×, and the caller sees the same split', async () => {
    mock.setReply({ cacheReadTokens: 60, cacheWriteTokens: 30 });
    const { data, response } = await anthropic.messages.create({ model: 'claude-3-5-sonnet-20241022', max_tokens: 100, messages: [{ role: 'user', content: 'y'.repeat(400) }] }).withResponse();
    // 400 characters → 100 input tokens at the mock: 10 plain, 60 read, 30 written.
    assert.deepEqual([data.usage.input_tokens, data.usage.cache_read_input_tokens, data.usage.cache_creation_input_tokens], [10, 60, 30]);
    const expected = (10 * 3 + 60 * 0.3 + 30 * 3.75 + data.usage.output_tokens * 15) / 1e6;
    assert.equal(response.headers.get('x-switchyard-cost-usd'), expected.toFixed(8));
  });
});

describe('explain, models, health', () => {
  it('/v1/route/explain returns the Decision and calls no upstream', async () => {
    const r = await fetch(`${daemon.url}/v1/route/explain`, { method: 'POST', headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'thanks' }] }) });
    const d = await r.json() as { rule: string; tier: string; trace: unknown[]; candidates: { model: string }[] };
    assert.equal(d.rule, 'small talk');
    assert.equal(d.tier, 'fast');
    assert.equal(d.candidates[0].model, 'gpt-4o-mini-2024-07-18');
    assert.equal(mock.requests.length, 0);
  });
  it('/v1/models lists auto, tiers and models; /health needs no token', async () => {
    const list = await openai.models.list();
    const ids = list.data.map((m) => m.id);
    assert.deepEqual(ids.slice(0, 4), ['switchyard/auto', 'fast', 'standard', 'deep']);
    const h = await fetch(`${daemon.url}/health`);
    assert.equal(h.status, 200);
  });
});

describe('auth and safety', () => {
  const body = JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'x' }] });
  it('no token → 401, wrong token → 401, x-api-key works', async () => {
    assert.equal((await raw('/v1/chat/completions', { headers: { 'content-type': 'application/json' }, body })).status, 401);
    assert.equal((await raw('/v1/chat/completions', { headers: { authorization: 'Bearer nope' }, body })).status, 401);
    assert.equal((await raw('/v1/models', { method: 'GET', headers: { 'x-api-key': daemon.token } })).status, 200);
  });
  it('a foreign Origin → 403; a non-loopback Host → refused', async () => {
    const origin = await raw('/v1/chat/completions', { headers: { authorization: `Bearer ${daemon.token}`, origin: 'https://evil.example' }, body });
    assert.equal(origin.status, 403);
    const host = await raw('/v1/models', { method: 'GET', headers: { authorization: `Bearer ${daemon.token}`, host: `rebind.example:${daemon.port}` } });
    assert.equal(host.status, 403);
    assert.match(host.body, /loopback/);
  });
  it('malformed JSON → 400 naming the problem; oversized → 413', async () => {
    const bad = await raw('/v1/chat/completions', { headers: { authorization: `Bearer ${daemon.token}` }, body: '{"model": "x", ' });
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).error.message, /malformed JSON/);
    const badShape = await raw('/v1/chat/completions', { headers: { authorization: `Bearer ${daemon.token}` }, body: JSON.stringify({ model: 'x', messages: 'hi' }) });
    assert.equal(badShape.status, 400);
    const big = await raw('/v1/chat/completions', { headers: { authorization: `Bearer ${daemon.token}` }, body: JSON.stringify({ model: 'x', messages: [{ role: 'user', content: 'y'.repeat(300_000) }] }) });
    assert.equal(big.status, 413);
  });
  it('listens on loopback only; daemon.json and the ledger are private', () => {
    const hexPort = daemon.port.toString(16).toUpperCase().padStart(4, '0');
    const listeners = readFileSync('/proc/net/tcp', 'utf8').split('\n').filter((l) => l.includes(`:${hexPort} `) && / 0A /.test(l));
    assert.ok(listeners.length >= 1);
    for (const l of listeners) assert.equal(l.trim().split(/\s+/)[1], `0100007F:${hexPort}`);
    assert.equal(statSync(join(daemon.home, 'daemon.json')).mode & 0o777, 0o600);
    assert.equal(statSync(join(daemon.home, 'ledger.db')).mode & 0o077, 0);
    assert.equal(statSync(daemon.home).mode & 0o077, 0);
    const info = JSON.parse(readFileSync(join(daemon.home, 'daemon.json'), 'utf8'));
    assert.deepEqual(Object.keys(info).sort(), ['pid', 'port', 'token', 'version']);
  });
  it('never logs keys', () => {
    const log = readFileSync(join(daemon.home, 'daemon.log'), 'utf8');
    assert.ok(log.length > 0);
    assert.ok(!log.includes('sk-test-openai-0123456789abcdef') && !log.includes(daemon.token));
  });
});

describe('ledger and spend', () => {
  it('`switchyard spend --json` shows what the tests sent, through the running daemon', async () => {
    const before = JSON.parse(execFileSync(process.execPath, [join(DIST, 'cli.js'), 'spend', '--json', '--since', '1h'], { env: { ...process.env, SWITCHYARD_HOME: daemon.home } }).toString());
    await openai.chat.completions.create({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'thanks once more' }] });
    const after = JSON.parse(execFileSync(process.execPath, [join(DIST, 'cli.js'), 'spend', '--json', '--since', '1h', '--by', 'rule'], { env: { ...process.env, SWITCHYARD_HOME: daemon.home } }).toString());
    assert.equal(after.requests, before.requests + 1);
    assert.ok(after.costUsd > before.costUsd);
    assert.ok(after.buckets.some((b: { key: string }) => b.key === 'small talk'));
  });
});
