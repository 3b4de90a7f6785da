/**
 * The hostile audit's findings against a real daemon: frames, names and rules files that used to crash it, make
 * it answer 500 or stall it — each must now get a clear error while the daemon keeps serving, and `/health` must
 * stay quick while the heavy operations run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { Ledger } from '../../daemon/ledger/ledger';
import { startMockUpstream, type MockUpstream } from '../fixtures/mock-upstream';
import { TEST_MODELS } from '../fixtures/models';
import { DIST, mockRules, startDaemon, type RunningDaemon } from './helpers/daemon';
import { p99, pinger } from './helpers/pinger';
import { TestClient } from './helpers/wsClient';

let mock: MockUpstream;
let daemon: RunningDaemon;
let client: TestClient;
const REPLAY_ROWS = 10_000;

/** Unicode tier, model and provider names, as users write them. */
const unicodeRules = (m: MockUpstream) => mockRules(m, {
  providers: { 'openai — main': { type: 'openai', apiKeyEnv: 'OPENAI_API_KEY', baseURL: m.openaiBaseURL }, anthropic: { type: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY', baseURL: m.anthropicBaseURL } },
  models: Object.fromEntries(Object.entries(TEST_MODELS).map(([k, v]) => [k === 'mini' ? '迷你' : k, { ...v, provider: v.provider === 'openai' ? 'openai — main' : v.provider }])),
  tiers: { 快速: ['迷你'], fast: ['迷你'], standard: ['gpt4o'], deep: ['sonnet'] },
  rules: [{ name: 'règle — rapide', if: { task: 'quick' }, then: '快速' }],
});

before(async () => {
  mock = await startMockUpstream({ deltas: 3 });
  // A ledger with REPLAY_ROWS requests, for the replay under load.
  const home = mkdtempSync(join(tmpdir(), 'sy-hardening-'));
  const ledger = Ledger.open(home, { storePrompts: false });
  const t0 = Date.now() - 3_600_000;
  for (let i = 0; i < REPLAY_ROWS; i++) {
    ledger.record({
      id: `row-${i}`, time: t0 + i * 100, rule: 'default', tier: 'standard', source: 'http', task: i % 2 ? 'chat' : 'refactor',
      provider: 'openai', model: 'gpt-4o-2024-08-06', status: 'ok', inputTokens: 100 + (i % 50), outputTokens: 20 + (i % 30),
      estimatedInputTokens: 100, costUsd: 0.0004, estimatedCostUsd: 0.0004, defaultCostUsd: 0.0004, ttftMs: 50, totalMs: 400,
      attempts: [], prompt: `prompt ${i}`, features: { inputTokens: 100 + (i % 50), task: i % 2 ? 'chat' : 'refactor', source: 'http' },
    });
  }
  ledger.close();
  daemon = await startDaemon({ home, rulesText: unicodeRules(mock) });
  client = await TestClient.connect(daemon.port, daemon.token);
});
after(async () => { client?.close(); await daemon?.stop(); await mock?.close(); });

const alive = () => daemon.proc.exitCode === null && daemon.proc.signalCode === null;
const post = (path: string, body: unknown) => fetch(`${daemon.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** Pings /health from another process while `work` runs; returns the latencies in ms. */
async function healthWhile(work: () => Promise<unknown>): Promise<number[]> {
  const pings = await pinger(daemon.port);
  const failed = await work().then(() => null, (e: unknown) => ({ e }));
  const latencies = await pings.stop();
  if (failed) throw failed.e;
  return latencies;
}

describe('hardening: hostile input gets a clear error and the daemon keeps serving', () => {
  it('any JSON value as a WebSocket frame gets an error reply; the daemon stays up', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${daemon.port}/ws`, { headers: { authorization: `Bearer ${daemon.token}` } });
    await new Promise((r, j) => { ws.once('open', r); ws.once('error', j); });
    const replies: { id: unknown; error?: { code: string; message: string } }[] = [];
    ws.on('message', (raw) => { const f = JSON.parse(raw.toString()); if (!('event' in f)) replies.push(f); });
    const frames = [
      'null', '1', '"x"', '[]', 'true', '{}', '[{"id":1}]', '{"id":null,"method":"hello"}', '{"id":{},"method":"hello"}',
      '{"id":1,"method":"toString"}', '{"id":2,"method":"__proto__"}', '{"id":3,"method":"constructor","params":{}}',
      '{"id":4,"method":"complete","params":null}', '{"id":5,"method":"complete","params":5}', '{"id":6,"method":"complete","params":{"request":null}}',
      '{"id":7,"method":"hello","params":{"rulesFile":5}}', '{"id":8,"method":"replay","params":{"sinceMs":"x"}}',
      '{"id":9,"method":"spend.recent","params":{"limit":-1}}', '{"id":10,"method":"keys.set","params":null}', '{"id":11,"method":"cancel","params":[]}',
      '{"id":12,"method":"route.preview","params":{"request":{"prompt":"x","maxOutputTokens":1e308}}}',
      '{"id":13,"method":"rules.dryRun","params":{"text":null}}', '{"id":14,"method":"rules.save","params":{"text":{"a":1}}}',
    ];
    for (const f of frames) ws.send(f);
    const deadline = Date.now() + 10_000;
    while (replies.length < frames.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(replies.length, frames.length, 'every frame got a reply');
    assert.ok(replies.every((r) => r.error && ['E_BAD_REQUEST', 'E_UNKNOWN_METHOD'].includes(r.error.code)), JSON.stringify(replies.filter((r) => !r.error)));
    assert.match(replies.find((r) => r.id === 12)!.error!.message, /maxOutputTokens: must be at most 1047576/);
    assert.match(replies[0].error!.message, /not null/);
    ws.close();
    assert.ok(alive());
    assert.equal((await client.request('hello', { client: 't', version: '0' })).protocol, 1);
  });
  it('model names every object has are a 404, never a 500', async () => {
    for (const model of ['toString', 'constructor', '__proto__', 'valueOf', 'hasOwnProperty', 'switchyard/__proto__', 'switchyard/constructor']) {
      for (const [path, body] of [['/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] }], ['/v1/messages', { model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }]] as const) {
        const res = await post(path, body);
        assert.equal(res.status, 404, `${path} ${model}`);
        const json = await res.json() as { error: { message: string } };
        assert.match(json.error.message, /unknown model/);
      }
    }
    assert.ok(alive());
  });
  it('tier, model and provider names outside Latin-1 reach the client percent-encoded, after a normal answer', async () => {
    const res = await fetch(`${daemon.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json', 'x-switchyard-task': 'quick' }, body: JSON.stringify({ model: 'switchyard/auto', messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(res.status, 200);
    assert.equal(decodeURIComponent(res.headers.get('x-switchyard-tier')!), '快速');
    assert.equal(decodeURIComponent(res.headers.get('x-switchyard-rule')!), 'règle — rapide');
    assert.equal(decodeURIComponent(res.headers.get('x-switchyard-provider')!), 'openai — main');
    const stream = await fetch(`${daemon.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: '快速', stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
    assert.equal(stream.status, 200);
    assert.match(await stream.text(), /\[DONE\]/);
    assert.equal(decodeURIComponent(stream.headers.get('x-switchyard-tier')!), '快速');
  });
  it('replay with a null or wrong body is a 400 naming what is expected', async () => {
    for (const body of ['null', '[]', '5', '{"text": 5}', '{"since": {}}']) {
      const res = await post('/v1/switchyard/replay', body);
      assert.equal(res.status, 400, body);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /expected \{ "text"\?/);
    }
  });
  it('a saved rules file nested 1,000 levels deep keeps the last good rules, says why and where, and the daemon serves on', async () => {
    const good = JSON.stringify(JSON.parse(unicodeRules(mock)));
    const deep = good.replace('{"task":"quick"}', '{"not":'.repeat(1000) + '{"task":"quick"}' + '}'.repeat(1000));
    assert.notEqual(deep, good);
    writeFileSync(daemon.rulesFile, deep);
    const stale = await client.next('rules.changed', (s) => s.stale);
    const e = stale.issues.find((i) => i.code === 'too-deep')!;
    assert.equal(e.rule, 'règle — rapide');
    assert.ok(e.line! >= 1 && e.file === daemon.rulesFile);
    assert.ok(alive());
    assert.equal((await client.request('route.preview', { request: { prompt: 'x', task: 'quick' } })).tier, '快速', 'still serving the last good rules');
    // The same text through the WebSocket and HTTP: issues, not crashes or 500s.
    assert.equal((await client.request('rules.validate', { text: deep })).issues[0].code, 'too-deep');
    const replay = await post('/v1/switchyard/replay', { text: deep });
    assert.equal(replay.status, 422);
    // `switchyard rules check` on it: the error with its place, exit 1, no stack trace.
    const file = join(daemon.home, 'deep.json');
    writeFileSync(file, deep);
    const check = spawnSync(process.execPath, [join(DIST, 'cli.js'), 'rules', 'check', file], { env: { ...process.env, SWITCHYARD_HOME: daemon.home }, encoding: 'utf8' });
    assert.equal(check.status, 1);
    assert.match(check.stdout + check.stderr, /deep\.json:1:\d+: error: nested more than 64 levels deep.*\(rule "règle — rapide"\)/);
    assert.doesNotMatch(check.stdout + check.stderr, /RangeError|    at /);
    writeFileSync(daemon.rulesFile, good);
    await client.next('rules.changed', (s) => !s.stale && s.text === good);
  });
  it('/health answers within 100 ms (P99) while a 10,000-rule file reloads', async (t) => {
    const base = JSON.parse(unicodeRules(mock));
    const many = JSON.stringify({ ...base, rules: [...base.rules, ...Array.from({ length: 9_999 }, (_, i) => ({ name: `r${i}`, if: { task: `t${i % 50}`, prompt: { regex: `foo${i}bar`, flags: 'i' } }, then: 'fast' }))] }, null, 2);
    const small = unicodeRules(mock);
    try {
      const latencies = await healthWhile(async () => {
        writeFileSync(daemon.rulesFile, many);
        await client.next('rules.changed', (s) => s.text === many, 60_000);
      });
      t.diagnostic(`/health during the reload: P99 ${p99(latencies).toFixed(1)} ms over ${latencies.length} pings`);
      assert.ok(latencies.length >= 10, `${latencies.length} pings`);
      assert.ok(p99(latencies) < 100, `/health P99 ${p99(latencies).toFixed(1)} ms over ${latencies.length} pings`);
      assert.equal((await client.request('route.preview', { request: { prompt: 'say FOO9998BAR', task: 't48' } })).rule, 'r9998', 'the big file serves');
    } finally {
      writeFileSync(daemon.rulesFile, small);
      await client.next('rules.changed', (s) => s.text === small, 60_000);
    }
  });
  it('/health answers within 100 ms (P99) while a replay over 10,000 rows runs; WebSocket replies keep flowing', async (t) => {
    let replayed: { considered: number } | undefined;
    const wsLatencies: number[] = [];
    const latencies = await healthWhile(async () => {
      const replay = post('/v1/switchyard/replay', { since: '2h' }).then(async (r) => { replayed = await r.json() as { considered: number }; });
      const replays = [replay, client.request('replay', { sinceMs: Date.now() - 7_200_000 })];
      let done = false;
      void Promise.all(replays).finally(() => { done = true; });
      while (!done) {
        const t = performance.now();
        await client.request('providers.health', {});
        wsLatencies.push(performance.now() - t);
      }
      await Promise.all(replays);
    });
    t.diagnostic(`during two replays of ${REPLAY_ROWS} rows: /health P99 ${p99(latencies).toFixed(1)} ms over ${latencies.length} pings, WebSocket P99 ${p99(wsLatencies).toFixed(1)} ms over ${wsLatencies.length}`);
    assert.ok(replayed && replayed.considered >= REPLAY_ROWS, `considered ${replayed?.considered}`);
    assert.ok(p99(latencies) < 100, `/health P99 ${p99(latencies).toFixed(1)} ms over ${latencies.length} pings`);
    assert.ok(p99(wsLatencies) < 100, `WebSocket reply P99 ${p99(wsLatencies).toFixed(1)} ms over ${wsLatencies.length} requests`);
  });
});
