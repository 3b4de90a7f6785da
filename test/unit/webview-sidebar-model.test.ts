/** The spend sidebar's view model and display formatting. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatMs, formatUsd } from '../../extension/webviews/common/format';
import {
  budgetBar, buildSidebarView, bucketRows, chartModel, conversationRow, escalationRows, mergeConversation, mergeRecent, recentRow, replaceEntry,
  type SidebarData,
} from '../../extension/webviews/sidebar/viewModel';
import { agentEntry, conversation, emptySummary, entry, fallbackEntry, health, NOW, summary, unknownCostEntry } from '../fixtures/webview-harness/data';

const view = (over: Partial<SidebarData>) => buildSidebarView({ summary: summary(), recent: [], conversations: [], health, now: NOW, ...over });

describe('formatting', () => {
  test('USD: cents, sub-cent with two significant digits, unknown for null — never $0 for unknown', () => {
    assert.equal(formatUsd(0.00042), '$0.00042');
    assert.equal(formatUsd(1.234), '$1.23');
    assert.equal(formatUsd(0.009999), '$0.01');
    assert.equal(formatUsd(0), '$0.00');
    assert.equal(formatUsd(-0.5), '-$0.50');
    assert.equal(formatUsd(null), 'unknown');
  });
  test('ms', () => {
    assert.equal(formatMs(420), '420 ms');
    assert.equal(formatMs(1234), '1.2 s');
    assert.equal(formatMs(125_000), '2 min 5 s');
    assert.equal(formatMs(null), 'unknown');
  });
});

describe('sidebar view model', () => {
  test('budget bars: normal, warning, over, no budget, zero budget', () => {
    assert.deepEqual(budgetBar('Today', 1.234, 10, 12), { label: 'Today', spent: '$1.23', requests: '12 requests', budget: 'of $10.00', percent: 12.34, percentText: '12 %', level: 'ok' });
    assert.equal(budgetBar('Today', 8.5, 10, 1).level, 'warn');
    const over = budgetBar('Today', 15, 10, 1);
    assert.deepEqual([over.level, over.percent, over.percentText], ['over', 100, '150 %']);
    const none = budgetBar('Month', 5, null, 1);
    assert.deepEqual([none.level, none.percent, none.budget], ['none', null, 'no budget set']);
    assert.equal(budgetBar('Today', 1, 0, 1).level, 'over');
    assert.equal(budgetBar('Today', 0, 0, 0).level, 'ok');
  });

  test('breakdowns are sorted by cost with shares of the largest', () => {
    assert.deepEqual(bucketRows(summary().byModel).map((r) => [r.key, r.cost, r.share]), [['claude-3-5-sonnet-20241022', '$40.00', 100], ['gpt-4o-mini-2024-07-18', '$2.50', 6]]);
  });

  test('chart: 30 bars scaled to the peak, today marked, described for screen readers', () => {
    const s = summary();
    const c = chartModel(s.daily, 300, 80, s.daily[29].date);
    assert.equal(c.bars.length, 30);
    const peak = Math.max(...s.daily.map((d) => d.costUsd));
    const tallest = c.bars.reduce((a, b) => (b.height > a.height ? b : a));
    assert.equal(tallest.height, 78);
    assert.equal(s.daily.find((d) => d.date === tallest.date)!.costUsd, peak);
    assert.ok(c.bars.every((b) => b.y + b.height === 80 && b.x >= 0 && b.x + b.width <= 300));
    assert.equal(c.bars[29].today, true);
    assert.match(c.description, /^Spend per day over the last 30 days: \$\d+\.\d\d in total, highest \$2\.80 on /);
    const empty = chartModel(emptySummary().daily);
    assert.equal(empty.empty, true);
    assert.ok(empty.bars.every((b) => b.height === 0));
  });

  test('recent rows: estimated and actual apart, unknown cost, fallback attempts', () => {
    const r = recentRow(entry(), NOW);
    assert.deepEqual([r.estimated, r.actual, r.actualUnknown, r.tokens, r.latency, r.fallback], ['≈$0.00042', '$0.00039', false, '1,200 → 340', '0.8 s', null]);
    const u = recentRow(unknownCostEntry, NOW);
    assert.deepEqual([u.actual, u.actualUnknown, u.tokens], ['unknown', true, '—']);
    const f = recentRow(fallbackEntry, NOW);
    assert.equal(f.fallback?.count, 1);
    assert.equal(f.fallback?.title, 'Fell back 1 time:\nopenai/gpt-4o-mini-2024-07-18: failed (rate-limited 429), 150 ms\nanthropic/claude-3-5-haiku-20241022: ok, 2.0 s');
  });

  test('the whole view: empty state, unknown-cost note, savings, health', () => {
    const empty = view({ summary: emptySummary() });
    assert.equal(empty.empty, true);
    assert.equal(view({ summary: emptySummary(), recent: [entry()] }).empty, false);
    assert.equal(view({ summary: emptySummary(), conversations: [conversation()] }).empty, false);
    const v = view({ summary: summary({ unknownCostRequests: 2, savingsVsDefaultUsd: -0.5 }), recent: [entry()] });
    assert.equal(v.unknownNote, '2 requests with unknown cost (no usage reported) — not included in the totals.');
    assert.deepEqual(v.savings.text, '$0.50 more');
    assert.deepEqual(v.health.map((h) => [h.provider, h.stateText.split(' until')[0], h.keyText]), [['anthropic', 'circuit open', 'no key'], ['openai', 'healthy', 'key set']]);
    assert.equal(view({ health: health.map((h) => ({ ...h, hasKey: false })) }).noKeys, true);
    assert.equal(view({ conversations: null }).conversations, null, 'a daemon without spend.conversations');
  });

  test('agent requests say what they carried; estimated usage is marked; single editor requests say nothing more', () => {
    const a = recentRow(agentEntry, NOW);
    assert.equal(a.traffic, 'claude-cli · anthropic · 2 tool calls · 1 tool result');
    assert.equal(a.trafficTitle, 'client: claude-cli\nanthropic, passed through as sent\n2 tool calls in the answer\n1 tool result in the request');
    assert.equal(a.tokensTitle, 'input → output tokens (12,000 cached, 800 written to the cache)');
    assert.equal(a.usageEstimated, false);
    const translated = recentRow(entry({ format: 'anthropic→openai-chat', passthrough: false, images: 3, usageEstimated: true, status: 'cut' }), NOW);
    assert.equal(translated.traffic, 'anthropic→openai-chat · 3 images');
    assert.match(translated.trafficTitle ?? '', /^translated: anthropic → openai-chat\n3 images in the request$/);
    assert.equal(translated.usageEstimated, true);
    assert.match(translated.tokensTitle, /counted by Switchyard, not reported/);
    const plain = recentRow(entry(), NOW);
    assert.deepEqual([plain.traffic, plain.trafficTitle, plain.usageEstimated], [null, null, false]);
  });

  test('conversation rows: a short key, the client, totals, turns, tool calls, models, last activity', () => {
    const r = conversationRow(conversation(), NOW);
    assert.equal(r.label, 'session-7f3a9…');
    assert.equal(r.key, conversation().key);
    assert.deepEqual([r.client, r.cost, r.requests, r.turns, r.toolCalls], ['claude-cli', '$0.8125', '14 requests', '5', '11']);
    assert.equal(r.models, 'claude-sonnet-4-20250514, gpt-4o-2024-08-06');
    assert.equal(r.tokens, '182,000 → 9,400');
    assert.equal(r.tokensTitle, 'input → output tokens (150,000 read from the prompt cache)');
    assert.equal(r.lastAgo, '5 min ago');
    assert.equal(r.costUnknown, null);
    assert.match(r.title, /^Conversation session-7f3a9c2e-41b8-4d0e-9a77-1c2d3e4f5a6b\nclaude-cli · 14 requests since /);
    const bare = conversationRow(conversation({ key: 'abc', client: null, turns: null, models: [], unknownCostRequests: 2 }), NOW);
    assert.deepEqual([bare.label, bare.client, bare.turns, bare.models, bare.costUnknown], ['abc', 'unknown client', '—', '—', '+2 requests of unknown cost']);
  });

  test('a live row is counted into its conversation (moved first), a new key starts one, a single request changes nothing', () => {
    const other = conversation({ key: 'other', lastTime: NOW - 60_000 });
    const list = [other, conversation()];
    const next = mergeConversation(list, entry({
      ...agentEntry, id: 'a2', time: NOW, model: 'gpt-4o-mini-2024-07-18', costUsd: null, fallbacks: 1, status: 'cut', toolCalls: 3,
    }));
    assert.deepEqual(next.map((c) => c.key), [conversation().key, 'other']);
    const c = next[0];
    assert.deepEqual(
      [c.requests, c.costUsd, c.unknownCostRequests, c.toolCalls, c.fallbacks, c.errors, c.lastTime, c.turns],
      [15, 0.8125, 1, 14, 2, 1, NOW, 5],
    );
    assert.deepEqual(c.models, ['claude-sonnet-4-20250514', 'gpt-4o-2024-08-06', 'gpt-4o-mini-2024-07-18']);
    assert.deepEqual(mergeConversation(list, agentEntry)[0].models, conversation().models, 'a model is listed once');
    const started = mergeConversation(list, entry({ id: 'n1', conversation: 'fresh', client: 'codex', costUsd: 0.5, inputTokens: 10, outputTokens: 2 }));
    assert.deepEqual(started.map((x) => x.key), ['fresh', 'other', conversation().key]);
    assert.deepEqual([started[0].requests, started[0].costUsd, started[0].client, started[0].models, started[0].turns], [1, 0.5, 'codex', ['gpt-4o-mini-2024-07-18'], null]);
    assert.equal(mergeConversation(list, entry()), list);
  });

  test('live entries are prepended once', () => {
    const list = mergeRecent(mergeRecent([entry()], fallbackEntry), fallbackEntry);
    assert.deepEqual(list.map((e) => e.id), ['r2', 'r1']);
    assert.equal(mergeRecent(Array.from({ length: 60 }, (_, i) => entry({ id: `x${i}` })), entry({ id: 'new' }), 50).length, 50);
  });
});

describe('the way back: escalations and overkill marks', () => {
  test('rates per rule and per verdict: escalated ÷ requests and overkill marks, the most escalated first; quiet buckets left out', () => {
    const rows = escalationRows([
      { key: 'default', requests: 10, escalated: 1, overkill: 0 },
      { key: 'small talk', requests: 4, escalated: 2, overkill: 1 },
      { key: 'quiet', requests: 50, escalated: 0, overkill: 0 },
      { key: 'too much', requests: 3, escalated: 0, overkill: 2 },
    ], 'rule');
    assert.deepEqual(rows.map((r) => [r.key, r.rate, r.percent, r.share, r.overkill]), [
      ['small talk', '2 of 4 requests escalated', '50 %', 50, '1 marked overkill'],
      ['default', '1 of 10 requests escalated', '10 %', 10, null],
      ['too much', '0 of 3 requests escalated', '0 %', 0, '2 marked overkill'],
    ]);
    assert.equal(rows[0].title, 'rule "small talk": 2 of 4 requests this month were asked again with a stronger model; 1 marked overkill');
    assert.match(escalationRows([{ key: 'none', requests: 1, escalated: 1, overkill: 0 }], 'verdict')[0].title, /^no classifier verdict: 1 of 1 request this month/);
  });

  test('the view: empty without escalations or marks; null from a daemon too old to count them', () => {
    const none = view({ summary: summary({ escalations: { byRule: [{ key: 'small talk', requests: 3, escalated: 0, overkill: 0 }], byVerdict: [] } }) });
    assert.deepEqual(none.escalations, { empty: true, byRule: [], byVerdict: [] });
    const some = view({ summary: summary({ escalations: { byRule: [{ key: 'small talk', requests: 3, escalated: 1, overkill: 0 }], byVerdict: [{ key: 'fast', requests: 3, escalated: 1, overkill: 0 }] } }) });
    assert.equal(some.escalations?.empty, false);
    assert.deepEqual(some.escalations?.byVerdict.map((r) => r.key), ['fast']);
    assert.equal(view({}).escalations, null);
  });

  test('recent rows say a request was asked again (from which tier to which) and whether its answer is marked overkill', () => {
    const again = recentRow(entry({ id: 'e', rule: 'escalation: fast → standard', tier: 'standard', escalatedFrom: 'r1' }), NOW);
    assert.deepEqual([again.escalation, again.overkill], ['asked again: fast → standard', false]);
    const first = recentRow(entry({ feedback: 'overkill' }), NOW);
    assert.deepEqual([first.escalation, first.overkill], [null, true]);
  });

  test('a changed row replaces the one listed; a list without it is left as it is', () => {
    const list = [entry(), fallbackEntry];
    const marked = entry({ feedback: 'overkill' });
    assert.deepEqual(replaceEntry(list, marked).map((e) => [e.id, e.feedback]), [['r1', 'overkill'], ['r2', null]]);
    assert.equal(replaceEntry([fallbackEntry], marked).length, 1);
  });
});
