/** The spend sidebar's view model and display formatting. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatMs, formatUsd } from '../../extension/webviews/common/format';
import { budgetBar, buildSidebarView, bucketRows, chartModel, mergeRecent, recentRow } from '../../extension/webviews/sidebar/viewModel';
import { emptySummary, entry, fallbackEntry, health, NOW, summary, unknownCostEntry } from '../fixtures/webview-harness/data';

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
    const empty = buildSidebarView(emptySummary(), [], health, NOW);
    assert.equal(empty.empty, true);
    assert.equal(buildSidebarView(emptySummary(), [entry()], health, NOW).empty, false);
    const v = buildSidebarView(summary({ unknownCostRequests: 2, savingsVsDefaultUsd: -0.5 }), [entry()], health, NOW);
    assert.equal(v.unknownNote, '2 requests with unknown cost (no usage reported) — not included in the totals.');
    assert.deepEqual(v.savings.text, '$0.50 more');
    assert.deepEqual(v.health.map((h) => [h.provider, h.stateText.split(' until')[0], h.keyText]), [['anthropic', 'circuit open', 'no key'], ['openai', 'healthy', 'key set']]);
    assert.equal(buildSidebarView(summary(), [], health.map((h) => ({ ...h, hasKey: false })), NOW).noKeys, true);
  });

  test('live entries are prepended once', () => {
    const list = mergeRecent(mergeRecent([entry()], fallbackEntry), fallbackEntry);
    assert.deepEqual(list.map((e) => e.id), ['r2', 'r1']);
    assert.equal(mergeRecent(Array.from({ length: 60 }, (_, i) => entry({ id: `x${i}` })), entry({ id: 'new' }), 50).length, 50);
  });
});
