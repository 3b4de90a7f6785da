/** Host-side logic of both webviews against a fake daemon, and the HTML shell's security defaults. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'jsonc-parser';
import { contentSecurityPolicy, webviewHtml } from '../../extension/webviews/host/html';
import { isRulesEditorMessage, RulesEditorSession } from '../../extension/webviews/rulesEditor/session';
import { isSidebarMessage, SidebarController } from '../../extension/webviews/sidebar/controller';
import type { MethodName, Methods, RulesSnapshot } from '../../shared/protocol';
import type { HostToRulesEditor, HostToSidebar } from '../../shared/webview';
import { decision, emptySummary, entry, health, NOW, replayResult, RULES_TEXT, summary } from '../fixtures/webview-harness/data';

type Handler = { [M in MethodName]?: (params: Methods[M]['params']) => Methods[M]['result'] | Promise<Methods[M]['result']> };

function fakeDaemon(handlers: Handler, connected = true) {
  const calls: { method: MethodName; params: unknown }[] = [];
  return {
    calls,
    connected,
    async request<M extends MethodName>(method: M, params: Methods[M]['params']): Promise<Methods[M]['result']> {
      calls.push({ method, params });
      const h = handlers[method] as ((p: Methods[M]['params']) => Methods[M]['result']) | undefined;
      if (!h) throw Object.assign(new Error(`no ${method}`), { code: 'E_UNKNOWN_METHOD' });
      return h(params);
    },
  };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('sidebar controller', () => {
  test('ready → one snapshot with summary, recent and health', async () => {
    const posted: HostToSidebar[] = [];
    const daemon = fakeDaemon({ 'spend.summary': () => summary(), 'spend.recent': () => [entry()], 'spend.conversations': () => [], 'providers.health': () => health });
    const c = new SidebarController({ daemon, post: (m) => posted.push(m), runCommand: () => undefined, now: () => NOW, recentLimit: 10 });
    await c.handle({ type: 'ready' });
    assert.deepEqual(posted.map((m) => m.type), ['loading', 'snapshot']);
    assert.deepEqual(posted[1], { type: 'snapshot', summary: summary(), recent: [entry()], conversations: [], health, now: NOW });
    assert.deepEqual(daemon.calls.find((x) => x.method === 'spend.recent')?.params, { limit: 10, conversation: null });
  });

  test('live: a new entry is pushed at once, the summary once per burst; health as it changes', async () => {
    const posted: HostToSidebar[] = [];
    const daemon = fakeDaemon({ 'spend.summary': () => emptySummary() });
    const c = new SidebarController({ daemon, post: (m) => posted.push(m), runCommand: () => undefined, now: () => NOW, summaryDebounceMs: 5 });
    c.onSpendUpdated({ entry: entry({ id: 'a' }) });
    c.onSpendUpdated({ entry: entry({ id: 'b' }) });
    c.onHealthChanged(health);
    assert.deepEqual(posted.map((m) => m.type), ['entry', 'entry', 'health']);
    await tick(30);
    assert.deepEqual(posted.map((m) => m.type), ['entry', 'entry', 'health', 'summary']);
    assert.equal(daemon.calls.filter((x) => x.method === 'spend.summary').length, 1);
    c.dispose();
  });

  test('disconnected and failing daemons, and commands', async () => {
    const posted: HostToSidebar[] = [];
    const ran: string[] = [];
    const down = fakeDaemon({}, false);
    const c = new SidebarController({ daemon: down, post: (m) => posted.push(m), runCommand: (cmd) => ran.push(cmd) });
    await c.handle({ type: 'refresh' });
    assert.deepEqual(posted, [{ type: 'disconnected' }]);
    const broken = fakeDaemon({ 'spend.summary': () => { throw Object.assign(new Error('ledger locked'), { code: 'E_INTERNAL' }); }, 'spend.recent': () => [], 'providers.health': () => [] });
    const posted2: HostToSidebar[] = [];
    const c2 = new SidebarController({ daemon: broken, post: (m) => posted2.push(m), runCommand: (cmd) => ran.push(cmd) });
    await c2.handle({ type: 'ready' });
    assert.deepEqual(posted2.at(-1), { type: 'error', code: 'E_INTERNAL', message: 'ledger locked' });
    await c2.handle({ type: 'runCommand', command: 'switchyard.restartDaemon' });
    await c2.handle({ type: 'runCommand', command: 'workbench.action.terminal.new' });
    await c2.handle({ type: 'nonsense' });
    assert.deepEqual(ran, ['switchyard.restartDaemon'], 'only allow-listed commands run');
    assert.equal(isSidebarMessage({ type: 'runCommand', command: 'vscode.open' }), false);
  });
});

function session(over: Handler = {}, opts: { connected?: boolean } = {}) {
  const posted: HostToRulesEditor[] = [];
  let disk = RULES_TEXT;
  const daemon = fakeDaemon({
    'rules.get': (): RulesSnapshot => ({ file: '/w/.switchyard/rules.json', text: disk, issues: [], stale: false }),
    'rules.validate': ({ text }) => ({ issues: text.includes('"huge"') ? [{ severity: 'error', code: 'unknown-tier', message: 'names "huge"', path: 'rules[0].then' }] : [] }),
    'rules.save': ({ text }) => { disk = text; return { issues: [], saved: true, file: '/w/.switchyard/rules.json' }; },
    'rules.dryRun': () => ({ issues: [], decision: decision() }),
    replay: () => replayResult,
    ...over,
  }, opts.connected ?? true);
  const opened: string[] = [];
  const s = new RulesEditorSession({ daemon, post: (m) => posted.push(m), runCommand: () => undefined, openFile: (f) => opened.push(f), now: () => NOW, validateDebounceMs: 5 });
  return { s, posted, daemon, opened, disk: () => disk };
}

describe('rules editor session', () => {
  test('loads the file as the draft, edits the text, validates the draft debounced', async () => {
    const { s, posted, daemon } = session();
    await s.handle({ type: 'ready' });
    assert.deepEqual(posted.map((m) => m.type), ['draft', 'issues']);
    assert.deepEqual(posted[0], { type: 'draft', text: RULES_TEXT, version: 1, dirty: false, file: '/w/.switchyard/rules.json', stale: false });
    await s.handle({ type: 'edit', op: { kind: 'set', path: ['rules', 0, 'then'], value: 'huge' }, version: 1 });
    await s.handle({ type: 'edit', op: { kind: 'set', path: ['rules', 1, 'name'], value: 'chit-chat' }, version: 2 });
    const drafts = posted.filter((m): m is Extract<HostToRulesEditor, { type: 'draft' }> => m.type === 'draft');
    assert.equal(drafts.length, 3);
    assert.equal(drafts[2].dirty, true);
    assert.match(drafts[2].text, /"then": "huge"/);
    assert.match(drafts[2].text, /\/\/ Cheap things first\./);
    await tick(30);
    assert.equal(daemon.calls.filter((c) => c.method === 'rules.validate').length, 1, 'debounced');
    assert.deepEqual(posted.at(-1), { type: 'issues', version: 3, issues: [{ severity: 'error', code: 'unknown-tier', message: 'names "huge"', path: 'rules[0].then' }] });
    s.dispose();
  });

  test('an edit based on a draft older than a reorder is refused (its indices may be stale); a bad op says why', async () => {
    const { s, posted } = session();
    await s.load();
    await s.handle({ type: 'edit', op: { kind: 'move', path: ['rules'], from: 0, to: 3 }, version: 1 });
    posted.length = 0;
    await s.handle({ type: 'edit', op: { kind: 'set', path: ['rules', 0, 'name'], value: 'x' }, version: 1 });
    assert.equal(posted[0].type, 'error');
    assert.equal((posted[0] as { code: string }).code, 'E_DRAFT_CONFLICT');
    assert.equal(posted[1].type, 'draft', 'the draft is sent again so the form resets');
    posted.length = 0;
    await s.handle({ type: 'edit', op: { kind: 'renameKey', path: ['models'], from: 'mini', to: 'sonnet' }, version: 2 });
    assert.match((posted[0] as { message: string }).message, /"sonnet" already exists in models/);
    // After a rename, an older edit of the old name must not recreate it.
    await s.handle({ type: 'edit', op: { kind: 'renameKey', path: ['tiers'], from: 'fast', to: 'quick' }, version: 2 });
    const before = s.text;
    await s.handle({ type: 'edit', op: { kind: 'set', path: ['tiers', 'fast', 0], value: 'sonnet' }, version: 2 });
    assert.equal(s.text, before);
    assert.equal(parse(s.text!).tiers.fast, undefined);
    s.dispose();
  });

  test('dry run and replay use the draft text; empty hints are left out', async () => {
    const { s, posted, daemon } = session();
    await s.load();
    await s.handle({ type: 'edit', op: { kind: 'set', path: ['default'], value: 'fast' }, version: 1 });
    await s.handle({ type: 'dryRun', request: { prompt: 'thanks', task: 'chat', source: '', language: undefined } });
    const dry = daemon.calls.find((c) => c.method === 'rules.dryRun')!.params as { text: string; request: unknown };
    assert.equal(dry.text, s.text);
    assert.deepEqual(dry.request, { prompt: 'thanks', task: 'chat' });
    assert.deepEqual(posted.at(-1), { type: 'dryRunResult', version: 2, decision: decision(), issues: [] });
    await s.handle({ type: 'replay', days: 7 });
    assert.deepEqual(daemon.calls.find((c) => c.method === 'replay')!.params, { text: s.text, sinceMs: NOW - 7 * 86_400_000 });
    assert.deepEqual(posted.at(-1), { type: 'replayResult', version: 2, days: 7, result: replayResult });
    s.dispose();
  });

  test('save writes the draft and makes it clean; the daemon echo of our own save changes nothing', async () => {
    const { s, posted, disk } = session();
    await s.load();
    await s.handle({ type: 'edit', op: { kind: 'set', path: ['budgets', 'monthlyUsd'], value: 100 }, version: 1 });
    await s.handle({ type: 'save' });
    assert.equal(disk(), s.text);
    assert.equal(s.dirty, false);
    assert.ok(posted.some((m) => m.type === 'saved' && m.saved));
    const n = posted.length;
    s.onRulesChanged({ file: '/w/.switchyard/rules.json', text: disk(), issues: [], stale: false });
    assert.equal(posted.length, n);
    s.dispose();
  });

  test('hand edits: a clean draft follows the file; a dirty one gets a banner, and Reload takes the file', async () => {
    const { s, posted } = session();
    await s.load();
    const hand = RULES_TEXT.replace('"dailyUsd": 10', '"dailyUsd": 20');
    s.onDiskText(hand);
    assert.equal(s.text, hand);
    assert.equal((posted.at(-1) as { text: string }).text, hand);
    await s.handle({ type: 'edit', op: { kind: 'set', path: ['default'], value: 'fast' }, version: s.version });
    const mine = s.text!;
    posted.length = 0;
    const hand2 = hand.replace('"dailyUsd": 20', '"dailyUsd": 30');
    s.onRulesChanged({ file: '/w/.switchyard/rules.json', text: hand2, issues: [], stale: false });
    assert.deepEqual(posted[0], { type: 'externalChange', file: '/w/.switchyard/rules.json' });
    assert.equal(s.text, mine, 'the draft is kept until the user decides');
    assert.equal(s.dirty, true);
    await s.handle({ type: 'reload' });
    assert.equal(s.text, hand2);
    assert.equal(s.dirty, false);
    assert.equal(parse(s.text!).budgets.dailyUsd, 30);
    s.dispose();
  });

  test('disconnected daemon, unknown file, and message validation', async () => {
    const { s, posted } = session({}, { connected: false });
    await s.handle({ type: 'ready' });
    assert.deepEqual(posted, [{ type: 'disconnected' }]);
    const b = session({ 'rules.get': () => ({ file: null, text: RULES_TEXT, issues: [], stale: false }) });
    await b.s.load();
    await b.s.handle({ type: 'openFile' });
    assert.equal((b.posted.at(-1) as { code: string }).code, 'E_NO_FILE');
    assert.equal(isRulesEditorMessage({ type: 'edit', op: { kind: 'set', path: [{}], value: 1 }, version: 1 }), false);
    assert.equal(isRulesEditorMessage({ type: 'edit', op: { kind: 'drop', path: [] }, version: 1 }), false);
    assert.equal(isRulesEditorMessage({ type: 'replay', days: 10_000 }), false);
    assert.equal(isRulesEditorMessage({ type: 'runCommand', command: 'workbench.action.reloadWindow' }), false);
    assert.equal(isRulesEditorMessage({ type: 'dryRun', request: { prompt: 'x' } }), true);
  });
});

describe('html shell', () => {
  test('strict CSP, a fresh nonce on the one script, no inline script or style', () => {
    const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'abc');
    assert.equal(csp, "default-src 'none'; style-src https://x.vscode-cdn.net; font-src https://x.vscode-cdn.net; img-src https://x.vscode-cdn.net data:; script-src 'nonce-abc'");
    const html = webviewHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'n0nce+/=', title: 'T <b>', view: 'sidebar', styles: ['https://x/codicon.css'], script: 'https://x/sidebar.js' });
    assert.match(html, /<script nonce="n0nce\+\/=" src="https:\/\/x\/sidebar.js"><\/script>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.doesNotMatch(html, /<style|style="/);
    assert.match(html, /<title>T &lt;b&gt;<\/title>/);
  });
});
