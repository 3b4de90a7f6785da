/** The spend sidebar's host side and conversations: what it asks the daemon for and what it posts to the view. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isSidebarMessage, SidebarController } from '../../extension/webviews/sidebar/controller';
import { ErrorCodes, type MethodName, type Methods } from '../../shared/protocol';
import type { HostToSidebar } from '../../shared/webview';
import { agentEntry, conversation, entry, health, NOW, summary } from '../fixtures/webview-harness/data';

type Handler = { [M in MethodName]?: (params: Methods[M]['params']) => Methods[M]['result'] };

function fakeDaemon(handlers: Handler) {
  const calls: { method: MethodName; params: unknown }[] = [];
  return {
    calls,
    connected: true,
    async request<M extends MethodName>(method: M, params: Methods[M]['params']): Promise<Methods[M]['result']> {
      calls.push({ method, params });
      const h = handlers[method] as ((p: Methods[M]['params']) => Methods[M]['result']) | undefined;
      if (!h) throw Object.assign(new Error(`unknown method "${method}"`), { code: ErrorCodes.unknownMethod });
      return h(params);
    },
  };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function controller(handlers: Handler, opts: { summaryDebounceMs?: number } = {}) {
  const posted: HostToSidebar[] = [];
  const daemon = fakeDaemon(handlers);
  const c = new SidebarController({ daemon, post: (m) => posted.push(m), runCommand: () => undefined, now: () => NOW, conversationLimit: 7, conversationRequestLimit: 30, ...opts });
  return { c, posted, daemon };
}

const all: Handler = {
  'spend.summary': () => summary(),
  'spend.recent': (p) => (p.conversation ? [agentEntry] : [entry()]),
  'spend.conversations': () => [conversation()],
  'providers.health': () => health,
};

describe('sidebar controller: conversations', () => {
  test('the snapshot carries the conversations; Recent asks only for requests outside them', async () => {
    const { c, posted, daemon } = controller(all);
    await c.handle({ type: 'ready' });
    assert.deepEqual(posted.at(-1), { type: 'snapshot', summary: summary(), recent: [entry()], conversations: [conversation()], health, now: NOW });
    assert.deepEqual(daemon.calls.find((x) => x.method === 'spend.conversations')?.params, { limit: 7 });
    assert.deepEqual((daemon.calls.find((x) => x.method === 'spend.recent')?.params as { conversation: unknown }).conversation, null);
  });

  test('an expanded conversation gets its own newest requests', async () => {
    const { c, posted, daemon } = controller(all);
    await c.handle({ type: 'conversationRequests', key: conversation().key });
    assert.deepEqual(daemon.calls, [{ method: 'spend.recent', params: { limit: 30, conversation: conversation().key } }]);
    assert.deepEqual(posted, [{ type: 'conversationRequests', key: conversation().key, entries: [agentEntry] }]);
  });

  test('a daemon without spend.conversations still gives a snapshot (conversations: null); other failures are errors', async () => {
    const old: Handler = { ...all };
    delete old['spend.conversations'];
    const { c, posted } = controller(old);
    await c.handle({ type: 'ready' });
    const snap = posted.at(-1);
    assert.equal(snap?.type, 'snapshot');
    assert.equal(snap?.type === 'snapshot' && snap.conversations, null);

    const broken = controller({ ...all, 'spend.conversations': () => { throw Object.assign(new Error('ledger locked'), { code: ErrorCodes.internal }); } });
    await broken.c.handle({ type: 'ready' });
    assert.deepEqual(broken.posted.at(-1), { type: 'error', code: ErrorCodes.internal, message: 'ledger locked' });
  });

  test('live: a burst with a conversation row refetches the conversations once, beside the summary; single requests do not', async () => {
    const { c, posted, daemon } = controller(all, { summaryDebounceMs: 5 });
    c.onSpendUpdated({ entry: entry({ id: 'solo' }) });
    await tick(30);
    assert.equal(daemon.calls.filter((x) => x.method === 'spend.conversations').length, 0);
    c.onSpendUpdated({ entry: agentEntry });
    c.onSpendUpdated({ entry: { ...agentEntry, id: 'a2' } });
    c.onSpendUpdated({ entry: entry({ id: 'solo2' }) });
    await tick(30);
    assert.equal(daemon.calls.filter((x) => x.method === 'spend.conversations').length, 1);
    assert.equal(daemon.calls.filter((x) => x.method === 'spend.summary').length, 2);
    assert.deepEqual(posted.filter((m) => m.type === 'conversations'), [{ type: 'conversations', conversations: [conversation()], now: NOW }]);
    c.dispose();
  });

  test('view messages are checked: a conversation key must be a non-empty string of sane length', () => {
    assert.equal(isSidebarMessage({ type: 'conversationRequests', key: 'k' }), true);
    assert.equal(isSidebarMessage({ type: 'conversationRequests', key: '' }), false);
    assert.equal(isSidebarMessage({ type: 'conversationRequests', key: 42 }), false);
    assert.equal(isSidebarMessage({ type: 'conversationRequests' }), false);
    assert.equal(isSidebarMessage({ type: 'conversationRequests', key: 'x'.repeat(1025) }), false);
  });
});

describe('sidebar controller: the way back', () => {
  test('a recent request\'s action runs the matching host action with its id; malformed ones are dropped', async () => {
    const actions: [string, string][] = [];
    const c = new SidebarController({ daemon: fakeDaemon(all), post: () => undefined, runCommand: () => undefined, runRequestAction: (a, id) => actions.push([a, id]) });
    await c.handle({ type: 'requestAction', action: 'askAgainStronger', requestId: 'ws-1' });
    await c.handle({ type: 'requestAction', action: 'markOverkill', requestId: 'ws-2' });
    await c.handle({ type: 'requestAction', action: 'clearOverkill', requestId: 'ws-2' });
    await c.handle({ type: 'requestAction', action: 'rm -rf', requestId: 'ws-3' });
    await c.handle({ type: 'requestAction', action: 'markOverkill', requestId: '' });
    assert.deepEqual(actions, [['askAgainStronger', 'ws-1'], ['markOverkill', 'ws-2'], ['clearOverkill', 'ws-2']]);
    assert.equal(isSidebarMessage({ type: 'requestAction', action: 'markOverkill', requestId: 'x'.repeat(1025) }), false);
    assert.equal(isSidebarMessage({ type: 'requestAction', action: 'markOverkill' }), false);
  });

  test('a changed row (an overkill mark) is replaced in the view and the summary fetched again, debounced with new rows', async () => {
    const { c, posted, daemon } = controller(all, { summaryDebounceMs: 5 });
    const marked = entry({ feedback: 'overkill' });
    c.onSpendChanged({ entry: marked });
    c.onSpendUpdated({ entry: entry({ id: 'r9' }) });
    await tick(30);
    assert.deepEqual(posted.filter((m) => m.type === 'entryChanged'), [{ type: 'entryChanged', entry: marked }]);
    assert.equal(daemon.calls.filter((x) => x.method === 'spend.summary').length, 1);
    c.dispose();
  });
});
