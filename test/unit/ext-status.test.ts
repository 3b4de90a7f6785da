// The status bar: a pure function from spend summary, provider health and the last request.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProviderHealth, SpendSummary } from '../../shared/protocol';
import { budgetRatio, statusView, type LastRequest, type StatusInput } from '../../extension/status/state';

function summary(over: Partial<SpendSummary> = {}): SpendSummary {
  return {
    todayUsd: 0.42, monthUsd: 3.1, dailyBudgetUsd: 10, monthlyBudgetUsd: 200, requestsToday: 12, requestsMonth: 80,
    savingsVsDefaultUsd: 1.2, byModel: [], byRule: [], daily: [], unknownCostRequests: 0, ...over,
  };
}
const healthy: ProviderHealth[] = [
  { provider: 'openai', model: 'gpt-4o-2024-08-06', state: 'closed', consecutiveFailures: 0, hasKey: true },
  { provider: 'anthropic', model: 'claude-3-5-haiku-20241022', state: 'closed', consecutiveFailures: 0, hasKey: true },
];
const ok: LastRequest = { ok: true, provider: 'openai', model: 'gpt-4o-2024-08-06', fallbacks: 0, attempts: [], costUsd: 0.003, totalMs: 2100 };
const base: StatusInput = { connected: true, daemon: { version: '0.1.0', pid: 42 }, summary: summary(), health: healthy, lastRequest: ok };

describe('status bar state', () => {
  it('shows today vs the daily budget, no background when all is well', () => {
    const v = statusView(base);
    assert.equal(v.text, '$(pulse) $0.42 / $10.00');
    assert.equal(v.background, null);
    assert.match(v.tooltip, /Today: \$0\.42 of \$10\.00 \(4 %\) · 12 requests/);
    assert.match(v.tooltip, /This month: \$3\.10 of \$200\.00 \(2 %\)/);
    assert.match(v.tooltip, /Daemon: connected \(v0\.1\.0, pid 42\)/);
    assert.match(v.tooltip, /Providers: 2 of 2 targets healthy/);
    assert.match(v.tooltip, /Click to show spend\.$/);
  });

  it('prefixes numeric daemon versions only', () => {
    assert.match(statusView({ ...base, daemon: { version: 'dev', pid: 7 } }).tooltip, /Daemon: connected \(dev, pid 7\)/);
  });

  it('without a daily budget shows spend today', () => {
    assert.equal(statusView({ ...base, summary: summary({ dailyBudgetUsd: null, monthlyBudgetUsd: null }) }).text, '$(pulse) $0.42 today');
  });

  it('warns from 80 % of a budget, errors at or over the cap', () => {
    assert.equal(statusView({ ...base, summary: summary({ todayUsd: 7.99 }) }).background, null);
    assert.equal(statusView({ ...base, summary: summary({ todayUsd: 8 }) }).background, 'warning');
    assert.equal(statusView({ ...base, summary: summary({ monthUsd: 170 }) }).background, 'warning');
    const over = statusView({ ...base, summary: summary({ todayUsd: 10.5 }) });
    assert.equal(over.background, 'error');
    assert.match(over.text, /^\$\(error\) \$10\.50 \/ \$10\.00$/);
    assert.match(over.tooltip, /at or over the budget/);
  });

  it('warns when the last request fell back', () => {
    const last: LastRequest = {
      ...ok, provider: 'anthropic', model: 'claude-3-5-haiku-20241022', fallbacks: 1,
      attempts: [{ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', outcome: 'failed', status: 429, reason: 'rate-limited', elapsedMs: 120 }],
    };
    const v = statusView({ ...base, lastRequest: last });
    assert.equal(v.background, 'warning');
    assert.match(v.text, /^\$\(warning\) /);
    assert.match(v.tooltip, /- OpenAI gpt-4o-mini-2024-07-18 rate-limited \(120 ms\)/);
    assert.match(v.tooltip, /fell back 1×/);
  });

  it('warns when a circuit is open, and says for how long', () => {
    const health: ProviderHealth[] = [{ ...healthy[0], state: 'open', openUntil: 31_000, consecutiveFailures: 3 }, healthy[1]];
    const v = statusView({ ...base, health, now: 1_000 });
    assert.equal(v.background, 'warning');
    assert.match(v.tooltip, /OpenAI gpt-4o-2024-08-06: circuit open for 30 s more/);
    assert.match(v.tooltip, /1 circuit open/);
  });

  it('an error stays an error even with warnings', () => {
    const health: ProviderHealth[] = [{ ...healthy[0], state: 'open', consecutiveFailures: 3 }];
    assert.equal(statusView({ ...base, health, summary: summary({ todayUsd: 11 }) }).background, 'error');
  });

  it('lists providers without a key', () => {
    const v = statusView({ ...base, health: [{ ...healthy[1], hasKey: false }] });
    assert.match(v.tooltip, /Anthropic claude-3-5-haiku-20241022: ok · no API key/);
    assert.match(v.tooltip, /0 of 1 targets healthy/);
  });

  it('shows the request in flight, and a fallback as it happens', () => {
    assert.equal(statusView({ ...base, activity: { text: 'gpt-4o-2024-08-06…' } }).text, '$(sync~spin) gpt-4o-2024-08-06…');
    const v = statusView({ ...base, activity: { text: 'OpenAI rate-limited → Anthropic claude-3-5-haiku-20241022', fallback: true } });
    assert.equal(v.text, '$(warning) OpenAI rate-limited → Anthropic claude-3-5-haiku-20241022');
    assert.equal(v.background, 'warning');
  });

  it('disconnected: says so, no spend', () => {
    const v = statusView({ connected: false, summary: null, health: null, lastRequest: null });
    assert.equal(v.text, '$(debug-disconnect) Switchyard');
    assert.match(v.tooltip, /not connected/);
    assert.equal(v.background, null);
  });

  it('a failed last request is described', () => {
    const v = statusView({ ...base, lastRequest: { ok: false, provider: null, model: null, fallbacks: 0, attempts: [], costUsd: null, totalMs: 0, error: 'all candidates failed' } });
    assert.match(v.tooltip, /Last request failed: all candidates failed/);
  });

  it('budget ratio is the larger of day and month, null without budgets', () => {
    assert.equal(budgetRatio(summary({ todayUsd: 1, monthUsd: 100 })), 0.5);
    assert.equal(budgetRatio(summary({ dailyBudgetUsd: null, monthlyBudgetUsd: 0 })), null);
    assert.equal(budgetRatio(null), null);
  });
});

describe('status bar: a broken rules file', () => {
  const rules = { file: '/home/u/.switchyard/rules.json', stale: true, issues: [{ severity: 'error' as const, code: 'too-deep', message: 'nested more than 64 levels deep', file: '/home/u/.switchyard/rules.json', line: 12, rule: 'deep one' }] };
  it('says so in the text and the tooltip, with where, and a click opens the rules editor', () => {
    const v = statusView({ ...base, rules });
    assert.equal(v.background, 'error');
    assert.match(v.text, /\$\(error\) Switchyard: rules file has errors/);
    assert.match(v.tooltip, /keeps serving the last good rules\. First: \/home\/u\/\.switchyard\/rules\.json:12 \(rule "deep one"\): nested more than 64 levels deep/);
    assert.equal(v.command, 'switchyard.openRulesEditor');
  });
  it('a loading file is not a problem; a click shows spend', () => {
    const v = statusView({ ...base, rules: { ...rules, stale: false, issues: [] } });
    assert.equal(v.background, null);
    assert.equal(v.command, 'switchyard.showSpend');
  });
});

describe('status bar: a daemon that cannot start', () => {
  it('says why in the tooltip', () => {
    const v = statusView({ ...base, connected: false, disconnectReason: 'refusing to use /tmp/h as the Switchyard home: others can read it. Fix: chmod 700 /tmp/h' });
    assert.match(v.tooltip, /Daemon: not connected — refusing to use \/tmp\/h .*chmod 700/);
  });
});
