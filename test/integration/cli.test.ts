import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startMockUpstream, type MockUpstream } from '../fixtures/mock-upstream';
import { DIST, mockRules, startDaemon, TEST_KEYS } from './helpers/daemon';

const ROOT = join(import.meta.dirname, '..', '..');

const CLI = join(DIST, 'cli.js');
const home = mkdtempSync(join(tmpdir(), 'sy-cli-'));
const cli = (args: string[], env: Record<string, string> = {}) => {
  const started = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, SWITCHYARD_HOME: home, ...env }, cwd: home, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
};
/** Async variant: `ask` talks to the mock upstream in this process, so the event loop must stay free. */
const cliAsync = (args: string[], env: Record<string, string> = {}) => new Promise<{ code: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
  const started = Date.now();
  const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SWITCHYARD_HOME: home, ...env }, cwd: home });
  let stdout = ''; let stderr = '';
  p.stdout.on('data', (d) => { stdout += d; });
  p.stderr.on('data', (d) => { stderr += d; });
  p.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
});

describe('switchyard route (built-in default rules)', () => {
  it('"thanks!" routes to the fast tier, with every field the JSON promises', () => {
    const r = cli(['route', '--prompt', 'thanks!', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.tier, 'fast');
    assert.equal(d.rule, 'simple ask');
    for (const k of ['rule', 'tier', 'candidates', 'skipped', 'trace', 'estimate', 'verdict']) assert.ok(k in d, k);
    assert.equal(d.verdict.tier, 'fast');
    assert.ok(d.verdict.features.some((f: { feature: string }) => f.feature.includes('thanks')), JSON.stringify(d.verdict.features));
    for (const k of ['inputTokens', 'outputTokens', 'costUsd', 'latencyMs']) assert.equal(typeof d.estimate[k], 'number', k);
    // No keys in this environment: both targets are skipped, each with the reason.
    assert.deepEqual(d.skipped.map((s: { model: string; reason: string }) => [s.model, s.reason]), [['gpt-4o-mini-2024-07-18', 'no-key'], ['claude-3-5-haiku-20241022', 'no-key']]);
    const withKeys = JSON.parse(cli(['route', '--prompt', 'thanks!', '--json'], TEST_KEYS).stdout);
    assert.deepEqual(withKeys.candidates.map((c: { provider: string; model: string }) => [c.provider, c.model]), [['openai', 'gpt-4o-mini-2024-07-18'], ['anthropic', 'claude-3-5-haiku-20241022']]);
  });
  it('a 20,000-token prompt file is counted whole and routed by its ask, not its size', () => {
    const code = readFileSync(join(ROOT, 'node_modules/typescript/lib/typescript.js'), 'utf8').split('\n').slice(40_000, 42_500).join('\n');
    const route = (ask: string) => {
      const file = join(home, 'big.txt');
      writeFileSync(file, `${ask}\n\n${code}`);
      return JSON.parse(cli(['route', '--prompt-file', file, '--json']).stdout);
    };
    const hard = route('why does this sometimes deadlock when two transactions run at once? it only happens under load');
    assert.ok(hard.inputTokens >= 20_000, `counted ${hard.inputTokens}`);
    assert.deepEqual([hard.tier, hard.rule], ['deep', 'needs depth']);
    const easy = route('sort the imports at the top of this file alphabetically, nothing else');
    assert.deepEqual([easy.tier, easy.rule], ['fast', 'simple ask']);
  });
  it('--spent-today 9 trips the budget guard', () => {
    const d = JSON.parse(cli(['route', '--prompt', 'Design a cache for our API', '--spent-today', '9', '--json']).stdout);
    assert.equal(d.rule, 'budget guard');
    assert.equal(d.tier, 'fast');
  });
  it('prints a readable summary with the trace', () => {
    const r = cli(['route', '--prompt', 'Refactor this', '--task', 'refactor']);
    assert.match(r.stdout, /→ .* · ≈\$[\d.]+ · ≈[\d.]+ (s|ms) · rule "[^"]+"/);
    assert.match(r.stdout, /\nclassifier: (fast|standard|deep) \(fast \d+ % · standard \d+ % · deep \d+ %\)\n  weighed most: .+/);
    assert.match(r.stdout, /✗ #1 "budget guard": if\.spentTodayUsd expected \{">=":8\}, got 0/);
  });
  it('a catastrophic regex on 40 a\'s and a ! returns at once', () => {
    const file = join(home, 'evil.json');
    writeFileSync(file, JSON.stringify({ version: 1, providers: { o: { type: 'openai' } }, models: { m: { provider: 'o', id: 'gpt-4o-mini-2024-07-18' } }, rules: [{ name: 'evil', if: { prompt: { regex: '(a+)+$' } }, then: 'm' }], default: 'm' }));
    const r = cli(['route', '--rules', file, '--prompt', 'a'.repeat(40) + '!', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).rule, 'default');
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });
  it('bad flags exit 2 with a message', () => {
    const r = cli(['route', '--prompt', 'x', '--urgency', 'asap']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--urgency must be low, normal or high/);
    assert.equal(cli(['route']).code, 2);
    assert.equal(cli(['frobnicate']).code, 2);
  });
});

describe('switchyard rules', () => {
  const bad = join(home, 'bad.json');
  before(() => writeFileSync(bad, `{
  "version": 1,
  "providers": { "openai": { "type": "openai" } },
  "models": { "mini": { "provider": "openai", "id": "gpt-4o-mini-2024-07-18" } },
  "tiers": { "fast": ["mini"] },
  "rules": [
    { "name": "cheap", "if": { "task": "a" }, "then": "fsat" },
    { "name": "cheap", "if": { "task": "b" }, "then": "fast" }
  ],
  "default": "fast"
}`));
  it('check: a misspelt tier and a duplicate name, each with line, column and rule; exit 1 within a second', () => {
    const r = cli(['rules', 'check', bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:7:\\d+: error: rule "cheap": "then" names "fsat".*did you mean "fast"`));
    assert.match(r.stderr, /:8:\d+: error: duplicate rule name "cheap"/);
    assert.ok(r.ms < 1000, `took ${r.ms} ms`);
  });
  it('check: the defaults pass; warnings alone exit 0', () => {
    assert.equal(cli(['rules', 'check']).code, 0);
    const warn = join(home, 'warn.json');
    writeFileSync(warn, JSON.stringify({ version: 1, providers: { o: { type: 'openai' } }, models: { m: { provider: 'o', id: 'gpt-4o' } }, default: 'm' }));
    const r = cli(['rules', 'check', warn]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /warning: .*floating alias/);
  });
  it('test: one line per test and exit 1 on a failure', () => {
    const ok = cli(['rules', 'test']);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /10 passed, 0 failed/);
    const failing = join(home, 'failing.json');
    writeFileSync(failing, JSON.stringify({ version: 1, providers: { o: { type: 'openai' } }, models: { m: { provider: 'o', id: 'gpt-4o-mini-2024-07-18' } }, tiers: { t: ['m'] }, default: 't', tests: [{ request: { prompt: 'x' }, expect: { rule: 'nope' } }] }));
    const r = cli(['rules', 'test', failing]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL .*rule "nope" expected, got "default"/);
  });
  it('schema prints the JSON Schema', () => {
    const s = JSON.parse(cli(['rules', 'schema']).stdout);
    assert.equal(s.title, 'Switchyard rules');
    assert.ok(s.properties.rules);
  });
});

describe('switchyard ask against the mock upstream', () => {
  let mock: MockUpstream;
  let rules: string;
  before(async () => {
    mock = await startMockUpstream({ deltas: 5 });
    rules = join(home, 'mock-rules.json');
    writeFileSync(rules, mockRules(mock));
  });
  after(() => mock.close());
  beforeEach(() => mock.reset());

  it('OpenAI 429 with retry-after: 30 → answers from Anthropic at once; attempts read openai 429 → anthropic ok', async () => {
    mock.fail({ api: 'openai', times: 2, fault: { kind: 'status', status: 429, retryAfter: '30' } });
    const r = await cliAsync(['ask', '--rules', rules, '--prompt', 'thanks for everything', '--json'], TEST_KEYS);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.provider, 'anthropic');
    assert.match(out.text, /^Hello from claude-3-5-haiku-20241022/);
    assert.deepEqual(out.attempts.map((a: { provider: string; outcome: string; status?: number }) => [a.provider, a.outcome, a.status ?? null]), [['openai', 'failed', 429], ['anthropic', 'ok', null]]);
    assert.ok(r.ms < 5000, `took ${r.ms} ms: it must not wait out retry-after`);
    const text = await cliAsync(['ask', '--rules', rules, '--prompt', 'thanks again'], { ...TEST_KEYS });
    assert.match(text.stdout, /attempts: openai gpt-4o-mini-2024-07-18 429 rate-limited \(.*\) → anthropic claude-3-5-haiku-20241022 ok/);
    const healthy = await cliAsync(['ask', '--rules', rules, '--prompt', 'thanks, now healthy'], { ...TEST_KEYS });
    assert.match(healthy.stdout, /attempts: openai gpt-4o-mini-2024-07-18 ok \(/);
  });
  it('streams, and a stream cut after three deltas prints them, then an error, and exits non-zero', async () => {
    const ok = await cliAsync(['ask', '--rules', rules, '--prompt', 'thanks, stream it', '--stream'], TEST_KEYS);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^Hello from gpt-4o-mini-2024-07-18: thanks, stream it\n\n— gpt-4o-mini-2024-07-18 \(openai\)/);
    mock.fail({ api: 'openai', fault: { kind: 'cut', afterDeltas: 3 } });
    const cut = await cliAsync(['ask', '--rules', rules, '--prompt', 'thanks for all the fish', '--stream'], TEST_KEYS);
    assert.equal(cut.code, 1);
    assert.ok(cut.stdout.length > 0 && !cut.stdout.includes('— '), 'the partial answer, with no success summary');
    assert.match(cut.stderr, /cut off/);
  });
  it('fails clearly when no key is set', async () => {
    const r = await cliAsync(['ask', '--rules', rules, '--prompt', 'thanks'], { OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no API key for provider "openai" \(set OPENAI_API_KEY/);
  });
  it('without a daemon, records the request in the ledger itself (spend counts it); budget tries record nothing', async () => {
    const spent = () => JSON.parse(cli(['spend', '--json']).stdout) as { requests: number; costUsd: number };
    const before = spent();
    const r = await cliAsync(['ask', '--rules', rules, '--prompt', 'thanks, count me', '--json'], TEST_KEYS);
    assert.equal(r.code, 0, r.stderr);
    const after = spent();
    assert.equal(after.requests, before.requests + 1);
    assert.ok(Math.abs(after.costUsd - before.costUsd - JSON.parse(r.stdout).costUsd) < 1e-12);
    const trying = await cliAsync(['ask', '--rules', rules, '--prompt', 'thanks, just trying', '--spent-today', '0', '--json'], TEST_KEYS);
    assert.equal(trying.code, 0, trying.stderr);
    assert.equal(spent().requests, after.requests);
  });
  it('with a daemon running, goes through it: streamed, recorded by the daemon, routed by the rules file it names', async () => {
    const daemon = await startDaemon({ rulesText: mockRules(mock) });
    try {
      const env = { ...TEST_KEYS, SWITCHYARD_HOME: daemon.home };
      const streamed = await cliAsync(['ask', '--rules', daemon.rulesFile, '--prompt', 'thanks, via the daemon', '--stream'], env);
      assert.equal(streamed.code, 0, streamed.stderr);
      assert.match(streamed.stdout, /^Hello from gpt-4o-mini-2024-07-18: thanks, via the daemon\n\n— gpt-4o-mini-2024-07-18 \(openai\) · rule "small talk"/);
      assert.equal(mock.count({ api: 'openai' }), 1);
      const other = join(daemon.home, 'other-rules.json');
      writeFileSync(other, mockRules(mock, { rules: [{ name: 'cli rules say deep', if: { prompt: { contains: 'deep' } }, then: 'deep' }] }));
      const routed = JSON.parse((await cliAsync(['ask', '--rules', other, '--prompt', 'go deep', '--json'], env)).stdout);
      assert.equal(routed.rule, 'cli rules say deep');
      assert.equal(routed.model, 'claude-3-5-sonnet-20241022');
      const spend = await cliAsync(['spend', '--json'], env);
      assert.equal(JSON.parse(spend.stdout).requests, 2, 'both recorded by the daemon');
    } finally {
      await daemon.stop();
    }
  });
});

describe('switchyard start | status | stop', () => {
  it('one background daemon per user', async () => {
    const lifeHome = mkdtempSync(join(tmpdir(), 'sy-life-'));
    const env = { SWITCHYARD_HOME: lifeHome, SWITCHYARD_PORT: '0' };
    assert.equal((await cliAsync(['status'], env)).code, 3);
    const start = await cliAsync(['start'], env);
    assert.equal(start.code, 0, start.stderr);
    assert.match(start.stdout, /started on 127\.0\.0\.1:\d+/);
    assert.match((await cliAsync(['start'], env)).stdout, /already running/);
    const status = await cliAsync(['status', '--json'], env);
    assert.equal(JSON.parse(status.stdout).running, true);
    const stop = await cliAsync(['stop'], env);
    assert.equal(stop.code, 0);
    assert.equal((await cliAsync(['status'], env)).code, 3);
  });
});
