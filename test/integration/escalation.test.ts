// The way back over the WebSocket protocol, against a real daemon and the mock upstream: ask again with a
// stronger model (fast → standard → deep, the top, unknown ids), "this was overkill", and the rates in the summary.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startMockUpstream, type MockUpstream } from '../fixtures/mock-upstream';
import type { CompletionResult } from '../../shared/protocol';
import { mockRules, startDaemon, type RunningDaemon } from './helpers/daemon';
import { TestClient } from './helpers/wsClient';

let mock: MockUpstream;
let daemon: RunningDaemon;
let client: TestClient;

before(async () => {
  mock = await startMockUpstream({ deltas: 3 });
  daemon = await startDaemon({ rulesText: mockRules(mock) });
  client = await TestClient.connect(daemon.port, daemon.token);
});
after(async () => { client?.close(); await daemon?.stop(); await mock?.close(); });
beforeEach(() => mock.reset());

const THANKS = { prompt: 'thanks for the help', source: 'palette', task: 'chat' };

async function complete(request: typeof THANKS, escalateFrom?: string): Promise<CompletionResult> {
  const { requestId } = await client.request('complete', escalateFrom ? { request, escalateFrom } : { request });
  return client.next('complete.done', (d) => d.requestId === requestId);
}

describe('ask again with a stronger model (complete.escalateFrom)', () => {
  it('escalates fast → standard → deep: the stronger tier\'s model answers, the rule says so, the rows link back', async () => {
    const first = await complete(THANKS);
    assert.deepEqual([first.rule, first.tier, first.model, first.escalatedFrom], ['small talk', 'fast', 'gpt-4o-mini-2024-07-18', null]);

    const preview = await client.request('route.preview', { request: THANKS, escalateFrom: first.requestId });
    assert.deepEqual([preview.rule, preview.tier, preview.forced, preview.candidates[0].model], ['escalation: fast → standard', 'standard', true, 'gpt-4o-2024-08-06']);

    const second = await complete(THANKS, first.requestId);
    assert.deepEqual([second.rule, second.tier, second.model, second.escalatedFrom], ['escalation: fast → standard', 'standard', 'gpt-4o-2024-08-06', first.requestId]);
    assert.match(second.text, /gpt-4o-2024-08-06/, 'the mock answered as the standard model');
    const row = await client.next('spend.updated', (d) => d.entry.id === second.requestId);
    assert.equal(row.entry.escalatedFrom, first.requestId);

    const third = await complete(THANKS, second.requestId);
    assert.deepEqual([third.rule, third.tier, third.model, third.escalatedFrom], ['escalation: standard → deep', 'deep', 'claude-3-5-sonnet-20241022', second.requestId]);
    const recent = await client.request('spend.recent', { limit: 3 });
    assert.deepEqual(recent.map((e) => [e.id, e.tier, e.escalatedFrom]), [
      [third.requestId, 'deep', second.requestId], [second.requestId, 'standard', first.requestId], [first.requestId, 'fast', null],
    ]);
  });

  it('at the top of the order: a clear E_BAD_REQUEST, and nothing is sent or recorded', async () => {
    const first = await complete(THANKS);
    const second = await complete(THANKS, first.requestId);
    const third = await complete(THANKS, second.requestId);
    const sent = mock.requests.length;
    const rows = (await client.request('spend.recent', { limit: 500 })).length;
    await assert.rejects(client.request('complete', { request: THANKS, escalateFrom: third.requestId }), (e: { code?: string; message?: string }) => {
      assert.equal(e.code, 'E_BAD_REQUEST');
      assert.equal(e.message, `request ${third.requestId} already went to "deep", the strongest tier in "escalation" (fast → standard → deep)`);
      return true;
    });
    await assert.rejects(client.request('route.preview', { request: THANKS, escalateFrom: third.requestId }), (e: { code?: string }) => e.code === 'E_BAD_REQUEST');
    assert.equal(mock.requests.length, sent, 'nothing went upstream');
    assert.equal((await client.request('spend.recent', { limit: 500 })).length, rows, 'no ledger row');
  });

  it('an unknown id is a clear error; so is an empty one', async () => {
    await assert.rejects(client.request('complete', { request: THANKS, escalateFrom: 'ws-nope' }), (e: { code?: string; message?: string }) =>
      e.code === 'E_BAD_REQUEST' && e.message === 'no request "ws-nope" in the ledger (unknown id, or pruned after 90 days)');
    await assert.rejects(client.request('complete', { request: THANKS, escalateFrom: '' }), (e: { code?: string; message?: string }) =>
      e.code === 'E_BAD_REQUEST' && /escalateFrom/.test(e.message ?? ''));
  });

  it('a row that went to a model, not a tier, escalates from its first candidate\'s tier', async () => {
    // "claude first" routes to ["haiku", "mini"]: no tier; haiku is listed in fast.
    const first = await complete({ ...THANKS, prompt: 'which is faster', task: 'claude' });
    assert.deepEqual([first.tier, first.model], [null, 'claude-3-5-haiku-20241022']);
    const second = await complete({ ...THANKS, prompt: 'which is faster', task: 'claude' }, first.requestId);
    assert.deepEqual([second.rule, second.tier, second.model], ['escalation: fast → standard', 'standard', 'gpt-4o-2024-08-06']);
  });
});

describe('"this was overkill" (feedback.mark) and the rates (spend.summary.escalations)', () => {
  it('marks and clears a row; every window hears of the change; an unknown id is a clear error', async () => {
    const other = await TestClient.connect(daemon.port, daemon.token);
    try {
      const done = await complete({ ...THANKS, prompt: 'design a cache' });
      const marked = await client.request('feedback.mark', { requestId: done.requestId, mark: 'overkill' });
      assert.equal(marked.entry.feedback, 'overkill');
      assert.equal(marked.entry.id, done.requestId);
      const heard = await other.next('spend.changed', (d) => d.entry.id === done.requestId && d.entry.feedback === 'overkill');
      assert.equal(heard.entry.model, done.model);
      assert.equal((await client.request('spend.recent', { limit: 1 }))[0].feedback, 'overkill');
      assert.equal((await client.request('feedback.mark', { requestId: done.requestId, mark: null })).entry.feedback, null);
      assert.equal((await client.request('spend.recent', { limit: 1 }))[0].feedback, null);
    } finally {
      other.close();
    }
    await assert.rejects(client.request('feedback.mark', { requestId: 'ws-nope', mark: 'overkill' }), (e: { code?: string; message?: string }) =>
      e.code === 'E_BAD_REQUEST' && e.message === 'no request "ws-nope" in the ledger (unknown id, or pruned)');
    await assert.rejects(client.request('feedback.mark', { requestId: 'x', mark: 'great' as 'overkill' }), (e: { code?: string; message?: string }) =>
      e.code === 'E_BAD_REQUEST' && /mark/.test(e.message ?? ''));
  });

  it('the summary counts escalations and marks against the original row\'s rule and verdict', async () => {
    const before = (await client.request('spend.summary', {})).escalations!;
    const bucket = (list: typeof before.byRule, key: string) => list.find((b) => b.key === key) ?? { key, requests: 0, escalated: 0, overkill: 0 };

    const a = await complete(THANKS);
    await complete(THANKS, a.requestId);
    const b = await complete(THANKS);
    await client.request('feedback.mark', { requestId: b.requestId, mark: 'overkill' });
    await complete({ ...THANKS, prompt: 'design a cache' });

    const after = (await client.request('spend.summary', {})).escalations!;
    const was = bucket(before.byRule, 'small talk');
    assert.deepEqual(bucket(after.byRule, 'small talk'), { key: 'small talk', requests: was.requests + 2, escalated: was.escalated + 1, overkill: was.overkill + 1 });
    assert.equal(bucket(after.byRule, 'default').requests, bucket(before.byRule, 'default').requests + 1);
    assert.ok(!after.byRule.some((r) => r.key.startsWith('escalation:')), 'escalations are not requests of a rule of their own');
    // The classifier does not run for these rules: every row's verdict is "none".
    assert.deepEqual(after.byVerdict.map((v) => v.key), ['none']);
    const none = bucket(before.byVerdict, 'none');
    assert.deepEqual(after.byVerdict[0], { key: 'none', requests: none.requests + 3, escalated: none.escalated + 1, overkill: none.overkill + 1 });
  });
});

describe('rates by classifier verdict (rules that read the classifier)', () => {
  let d2: RunningDaemon;
  let c2: TestClient;
  before(async () => {
    // minConfidence 0 always holds: every request is classified (its verdict kept in the ledger) and goes to fast.
    d2 = await startDaemon({ rulesText: mockRules(mock, { rules: [{ name: 'classified', if: { classifier: { tier: 'fast', minConfidence: 0 } }, then: 'fast' }] }) });
    c2 = await TestClient.connect(d2.port, d2.token);
  });
  after(async () => { c2?.close(); await d2?.stop(); });

  it('an escalation counts against the verdict of the request it escalated, not as a request of its own', async () => {
    const ask = async (prompt: string, escalateFrom?: string) => {
      const { requestId } = await c2.request('complete', escalateFrom ? { request: { prompt }, escalateFrom } : { request: { prompt } });
      return c2.next('complete.done', (x) => x.requestId === requestId);
    };
    const first = await ask('thanks!');
    const again = await ask('thanks!', first.requestId);
    await ask('design a distributed cache with consistent hashing, eviction and failure handling');
    const rows = await c2.request('spend.recent', { limit: 3 });
    const [other, escalated, original] = rows;
    assert.equal(escalated.id, again.requestId);
    assert.ok(original.verdict !== null && other.verdict !== null, `verdicts kept: ${rows.map((r) => r.verdict)}`);
    const { byVerdict, byRule } = (await c2.request('spend.summary', {})).escalations!;
    const expected = new Map<string, { requests: number; escalated: number }>();
    for (const r of [original, other]) {
      const b = expected.get(r.verdict!) ?? { requests: 0, escalated: 0 };
      expected.set(r.verdict!, { requests: b.requests + 1, escalated: b.escalated + (r.id === original.id ? 1 : 0) });
    }
    assert.deepEqual(
      Object.fromEntries(byVerdict.map((b) => [b.key, { requests: b.requests, escalated: b.escalated }])),
      Object.fromEntries(expected),
    );
    assert.deepEqual(byRule, [{ key: 'classified', requests: 2, escalated: 1, overkill: 0 }]);
  });
});
