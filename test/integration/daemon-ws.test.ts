import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startMockUpstream, type MockUpstream } from '../fixtures/mock-upstream';
import { mockRules, startDaemon, type RunningDaemon } from './helpers/daemon';
import { TestClient } from './helpers/wsClient';

let mock: MockUpstream;
let daemon: RunningDaemon;
let client: TestClient;

before(async () => {
  mock = await startMockUpstream({ deltas: 5 });
  daemon = await startDaemon({ rulesText: mockRules(mock, { rules: [
    { name: 'budget guard', if: { spentTodayUsd: { '>=': 0.000001 } }, then: 'fast' },
    { name: 'small talk', if: { prompt: { regex: '^(thanks|ok)\\b', flags: 'i' } }, then: 'fast' },
  ] }) });
  client = await TestClient.connect(daemon.port, daemon.token);
});
after(async () => { client?.close(); await daemon?.stop(); await mock?.close(); });
beforeEach(() => mock.reset());

describe('WebSocket protocol', () => {
  it('refuses a missing token and a browser Origin', async () => {
    await assert.rejects(TestClient.connect(daemon.port, 'wrong'), (e: { status?: number }) => e.status === 401);
    await assert.rejects(TestClient.connect(daemon.port, daemon.token, { origin: 'https://evil.example' }), (e: { status?: number }) => e.status === 403);
  });
  it('hello returns protocol and daemon versions', async () => {
    const h = await client.request('hello', { client: 'test', version: '0' });
    assert.equal(h.protocol, 1);
    assert.ok(h.daemonVersion.length > 0);
    assert.equal(h.rulesFile, daemon.rulesFile);
  });
  it('route.preview gives the Decision with its trace', async () => {
    const d = await client.request('route.preview', { request: { prompt: 'design a cache' } });
    assert.equal(d.rule, 'default');
    assert.equal(d.trace.length, 2);
    assert.equal(d.candidates[0].model, 'gpt-4o-2024-08-06');
    assert.ok(d.estimate.costUsd > 0);
  });
  it('complete streams deltas, then done with usage, cost and attempts; the ledger event follows', async () => {
    const { requestId } = await client.request('complete', { request: { prompt: 'thanks a lot', source: 'palette', task: 'chat' } });
    const done = await client.next('complete.done', (d) => d.requestId === requestId);
    const deltas = client.events.filter((e) => e.event === 'complete.delta' && (e.data as { requestId: string }).requestId === requestId);
    assert.equal(deltas.length, 5);
    assert.equal(deltas.map((e) => (e.data as { text: string }).text).join(''), done.text);
    assert.equal(done.model, 'gpt-4o-mini-2024-07-18');
    assert.ok(done.costUsd! > 0 && done.usage!.outputTokens === 5);
    assert.equal(done.attempts.length, 1);
    const spend = await client.next('spend.updated', (d) => d.entry.id === requestId);
    assert.equal(spend.entry.source, 'palette');
    assert.equal(spend.entry.costUsd, done.costUsd);
  });
  it('complete reports a fallback as it happens', async () => {
    mock.fail({ api: 'openai', fault: { kind: 'status', status: 429, retryAfter: '30' } });
    const { requestId } = await client.request('complete', { request: { prompt: 'thanks' } });
    const fb = await client.next('complete.fallback', (d) => d.requestId === requestId);
    assert.equal(fb.from.provider, 'openai');
    assert.equal(fb.from.status, 429);
    assert.equal(fb.to.model, 'claude-3-5-haiku-20241022');
    const done = await client.next('complete.done', (d) => d.requestId === requestId);
    assert.equal(done.fallbacks, 1);
  });
  it('cancel stops a slow answer and propagates upstream', async () => {
    mock.setReply({ deltas: 50, deltaDelayMs: 100 });
    const { requestId } = await client.request('complete', { request: { prompt: 'thanks slowly' } });
    await client.next('complete.delta', (d) => d.requestId === requestId);
    assert.deepEqual(await client.request('cancel', { requestId }), { cancelled: true });
    const err = await client.next('complete.error', (d) => d.requestId === requestId);
    assert.equal(err.code, 'E_CANCELLED');
    assert.ok(err.partialText.length > 0);
  });
  it('unknown methods and bad params get error replies, and the connection survives', async () => {
    await assert.rejects(client.request('nope' as 'hello', { client: '', version: '' }), (e: { code?: string }) => e.code === 'E_UNKNOWN_METHOD');
    await assert.rejects(client.request('route.preview', { request: { prompt: 5 } as never }), (e: { code?: string }) => e.code === 'E_BAD_REQUEST');
    client.sendRaw('not json');
    assert.equal((await client.request('hello', { client: 't', version: '0' })).protocol, 1);
  });
  it('spend feeds the next decision: the budget guard flips the tier', async () => {
    const d = await client.request('route.preview', { request: { prompt: 'design a cache' } });
    assert.equal(d.rule, 'budget guard', 'spend from earlier requests trips the guard');
    const summary = await client.request('spend.summary', {});
    assert.ok(summary.todayUsd > 0 && summary.requestsToday >= 2);
    const recent = await client.request('spend.recent', { limit: 2 });
    assert.equal(recent.length, 2);
  });
  it('rules.validate / dryRun work on a draft without touching the file', async () => {
    const snap = await client.request('rules.get', {});
    const draft = snap.text.replace('"small talk"', '"chit chat"');
    assert.deepEqual((await client.request('rules.validate', { text: draft })).issues, []);
    const bad = await client.request('rules.validate', { text: draft.replace('"then": "fast"', '"then": "fsat"') });
    assert.equal(bad.issues[0].code, 'unknown-tier');
    const dry = await client.request('rules.dryRun', { text: draft, request: { prompt: 'ok then' } });
    assert.ok(dry.decision);
    assert.equal(readFileSync(daemon.rulesFile, 'utf8'), snap.text);
  });
  it('replay re-decides logged requests under a draft and prices them', async () => {
    const base = JSON.parse((await client.request('rules.get', {})).text);
    const everythingDeep = JSON.stringify({ ...base, rules: [], default: 'deep' });
    const r = await client.request('replay', { text: everythingDeep, sinceMs: Date.now() - 3_600_000 });
    assert.ok(r.considered >= 2, `considered ${r.considered}`);
    assert.equal(r.changedTier, r.considered, 'every logged request used fast or standard, none deep');
    assert.ok(r.replayCostUsd > r.actualCostUsd, 'sonnet costs more than mini');
    // Rules that read the prompt cannot be replayed without stored prompts: skipped, with the reason.
    const withRegex = JSON.stringify({ ...base, rules: [{ name: 'r', if: { prompt: { contains: 'x' } }, then: 'deep' }] });
    const skipped = await client.request('replay', { text: withRegex, sinceMs: Date.now() - 3_600_000 });
    assert.equal(skipped.considered, 0);
    assert.match(skipped.skippedReason!, /storePrompts/);
  });
  it('hot reload: an edit pushes rules.changed; a broken edit keeps the last good rules and reports the errors', async () => {
    const good = readFileSync(daemon.rulesFile, 'utf8');
    const renamed = good.replace('"budget guard"', '"spend guard"');
    writeFileSync(daemon.rulesFile, renamed);
    const changed = await client.next('rules.changed', (s) => s.text === renamed);
    assert.equal(changed.stale, false);
    assert.equal((await client.request('route.preview', { request: { prompt: 'x' } })).rule, 'spend guard');
    writeFileSync(daemon.rulesFile, renamed.replace('"default": "standard"', '"default": "nope"'));
    const broken = await client.next('rules.changed', (s) => s.stale);
    assert.ok(broken.issues.some((i) => i.severity === 'error' && /nope/.test(i.message) && typeof i.line === 'number'));
    assert.equal((await client.request('route.preview', { request: { prompt: 'x' } })).rule, 'spend guard', 'still serving the last good rules');
    writeFileSync(daemon.rulesFile, good);
    await client.next('rules.changed', (s) => !s.stale && s.text === good);
  });
  it('each window routes by the rules it names in hello; edits reach only the windows using that file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-ws-workspace-'));
    const wsRules = join(dir, 'rules.json');
    const workspaceText = mockRules(mock, { rules: [{ name: 'workspace says deep', if: { prompt: { contains: 'cache' } }, then: 'deep' }] });
    writeFileSync(wsRules, workspaceText);
    const a = await TestClient.connect(daemon.port, daemon.token);
    const b = await TestClient.connect(daemon.port, daemon.token);
    try {
      assert.equal((await a.request('hello', { client: 'test', version: '0', rulesFile: wsRules })).rulesFile, wsRules);
      assert.equal((await b.request('hello', { client: 'test', version: '0', rulesFile: wsRules })).rulesFile, wsRules);
      const preview = { request: { prompt: 'design a cache' } };
      assert.equal((await a.request('route.preview', preview)).rule, 'workspace says deep');
      const daemonsOwn = (await client.request('route.preview', preview)).rule;
      assert.ok(['default', 'budget guard'].includes(daemonsOwn), `a window without its own rules keeps the daemon's: ${daemonsOwn}`);
      assert.equal((await a.request('rules.get', {})).file, wsRules);
      assert.equal((await client.request('rules.get', {})).file, daemon.rulesFile);
      // A completion from the workspace window is routed, and recorded, by its rules.
      const { requestId } = await a.request('complete', { request: { prompt: 'a cache please' } });
      assert.equal((await a.next('complete.done', (d) => d.requestId === requestId)).rule, 'workspace says deep');

      // An edit of the workspace file reaches both windows that use it, not the third.
      const edited = workspaceText.replace('workspace says deep', 'workspace edited');
      const heardBy = client.events.length;
      writeFileSync(wsRules, edited);
      await Promise.all([a.next('rules.changed', (x) => x.text === edited), b.next('rules.changed', (x) => x.text === edited)]);
      assert.equal((await b.request('route.preview', preview)).rule, 'workspace edited');
      assert.ok(!client.events.slice(heardBy).some((e) => e.event === 'rules.changed'), 'the daemon\'s own window hears nothing');

      // Naming no file again on the same connection switches back, and says so.
      await b.request('hello', { client: 'test', version: '0', rulesFile: null });
      await b.next('rules.changed', (x) => x.file === daemon.rulesFile);
      assert.equal((await b.request('route.preview', preview)).rule, daemonsOwn);

      // A broken or unsuitable file is refused with the reason; the window keeps the daemon's rules.
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, '{ "version": 1, "rules": [ }');
      const refused = await b.request('hello', { client: 'test', version: '0', rulesFile: broken });
      assert.equal(refused.rulesFile, daemon.rulesFile);
      assert.match(refused.rulesError!, /broken\.json is not used: rules have errors:[\s\S]*syntax error/);
      assert.match((await b.request('hello', { client: 'test', version: '0', rulesFile: 'relative.json' })).rulesError!, /absolute path/);
    } finally {
      a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('keys.set from the editor makes a provider usable (held in memory only)', async () => {
    const before = await client.request('providers.health', {});
    assert.ok(before.every((h) => h.hasKey));
    await client.request('keys.set', { provider: 'openai', key: null });
    // The env key still counts; an editor key would override it and is never written to disk.
    assert.ok((await client.request('providers.health', {})).some((h) => h.provider === 'openai' && h.hasKey));
    await client.request('keys.set', { provider: 'anthropic', key: 'sk-ant-editor-key-000000000000' });
    assert.ok(!readFileSync(`${daemon.home}/daemon.log`, 'utf8').includes('sk-ant-editor-key-000000000000'));
  });
});
