/** The spend sidebar's real bundle and HTML in real Chromium, with a stub acquireVsCodeApi. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WEBVIEW_COMMANDS, type HostToSidebar } from '../../shared/webview';
import { browserSkipReason, useChromiumViews } from '../fixtures/webview-harness/harness';
import { agentEntry, conversation, emptySummary, entry, fallbackEntry, health, NOW, summary, unknownCostEntry } from '../fixtures/webview-harness/data';

type Snapshot = Extract<HostToSidebar, { type: 'snapshot' }>;
const snapshot = (over: Partial<Snapshot> = {}): Snapshot => ({ type: 'snapshot', summary: summary(), recent: [], conversations: [], health, now: NOW, ...over });

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

describe('spend sidebar in Chromium', { skip }, () => {
  const views = useChromiumViews();

  test('posts ready, then renders totals, budgets, chart, breakdowns, recent requests and health', async () => {
    const v = await views.open('sidebar');
    await v.waitForPosted('ready');
    await v.send(snapshot({ recent: [entry(), fallbackEntry] }));
    const { page } = v;
    await page.waitForSelector('.budget');
    assert.equal(await page.textContent('[data-budget="Today"] .budget-spent'), '$1.23');
    assert.equal(await page.textContent('[data-budget="Today"] .budget-of'), 'of $10.00');
    assert.equal(await page.textContent('[data-budget="Today"] .budget-pct'), '12 %');
    assert.equal(await page.getAttribute('[data-budget="Today"] [role=progressbar]', 'aria-valuenow'), '12');
    // The bar is sized through CSSOM (allowed by the CSP, unlike style attributes).
    const fill = await page.$eval('[data-budget="Today"] .fill', (el) => (el as HTMLElement).getBoundingClientRect().width / (el.parentElement as HTMLElement).getBoundingClientRect().width);
    assert.ok(Math.abs(fill - 0.1234) < 0.02, `fill ratio ${fill}`);
    assert.match(await page.textContent('.savings') ?? '', /\$3\.21 saved/);
    assert.equal(await page.locator('svg.chart rect.day').count(), 30);
    assert.match(await page.getAttribute('svg.chart', 'aria-label') ?? '', /Spend per day over the last 30 days/);
    assert.match(await page.textContent('[aria-label="Spend by model"]') ?? '', /claude-3-5-sonnet-20241022\s*\$40\.00/);
    assert.match(await page.textContent('[aria-label="Spend by rule"]') ?? '', /small talk/);
    // Recent: estimated and actual shown apart; fallback marker with the attempts in its title.
    const first = page.locator('.req[data-id="r1"]');
    assert.equal(await first.locator('.req-est').textContent(), '≈$0.00042');
    assert.equal(await first.locator('.req-actual').textContent(), '$0.00039');
    assert.equal(await first.locator('.req-rule').textContent(), 'small talk');
    assert.equal(await first.locator('.fallback').count(), 0);
    const fb = page.locator('.req[data-id="r2"] .fallback summary');
    assert.match(await fb.getAttribute('title') ?? '', /openai\/gpt-4o-mini-2024-07-18: failed \(rate-limited 429\)[\s\S]*anthropic\/claude-3-5-haiku-20241022: ok/);
    // Health: circuit state and key presence.
    assert.match(await page.textContent('.health-row.circuit-open') ?? '', /anthropic[\s\S]*circuit open[\s\S]*no key/);
    assert.match(await page.textContent('.health-row.circuit-closed') ?? '', /healthy[\s\S]*key set/);
    assert.deepEqual(await v.problems(), []);
    // The snapshot is kept with setState, so a re-shown view paints before the host answers.
    const state = await v.state() as { data?: { summary: { todayUsd: number } } };
    assert.equal(state.data?.summary.todayUsd, 1.234);
    await page.close();
  });

  test('empty state says what to do first, and its links ask the host to run commands', async () => {
    const v = await views.open('sidebar');
    await v.send(snapshot({ summary: emptySummary(), health: health.map((h) => ({ ...h, hasKey: false })) }));
    const { page } = v;
    await page.waitForSelector('[data-state="empty"]');
    assert.match(await page.textContent('[data-state="empty"]') ?? '', /No requests yet — run 'Switchyard: Ask…' \(Ctrl\+Alt\+Y\) or set an API key/);
    await page.click(`[data-state="empty"] [data-command="${WEBVIEW_COMMANDS.ask}"]`);
    await page.focus(`[data-state="empty"] [data-command="${WEBVIEW_COMMANDS.setApiKey}"]`);
    await page.keyboard.press('Enter');
    const runs = await v.waitForPosted('runCommand', 2);
    assert.deepEqual(runs.map((m) => m.command), [WEBVIEW_COMMANDS.ask, WEBVIEW_COMMANDS.setApiKey]);
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });

  test('an unknown cost shows as "unknown", never $0, and a live entry updates the view without reload', async () => {
    const v = await views.open('sidebar');
    await v.send(snapshot({ recent: [entry()] }));
    const { page } = v;
    await page.waitForSelector('.req[data-id="r1"]');
    await page.evaluate(() => { (window as unknown as { __marker: number }).__marker = 42; });
    await v.send({ type: 'entry', entry: unknownCostEntry });
    await page.waitForSelector('.req[data-id="r3"]');
    const actual = page.locator('.req[data-id="r3"] .req-actual');
    assert.equal(await actual.textContent(), 'unknown');
    assert.equal(await page.locator('.req[data-id="r3"] .req-est').textContent(), '≈$0.00042');
    assert.equal(await page.locator('.recent .req').first().getAttribute('data-id'), 'r3', 'newest first');
    assert.equal(await page.textContent('[data-budget="Today"] .muted.small'), '13 requests');
    assert.match(await page.textContent('[data-note="unknown-cost"]') ?? '', /1 request with unknown cost/);
    // Then the debounced summary from the host replaces the optimistic totals.
    await v.send({ type: 'summary', summary: summary({ todayUsd: 2.5, requestsToday: 13, unknownCostRequests: 1 }), now: NOW });
    await page.waitForFunction(() => document.querySelector('[data-budget="Today"] .budget-spent')?.textContent === '$2.50');
    await v.send({ type: 'health', health: health.map((h) => ({ ...h, state: 'closed' as const, hasKey: true })) });
    await page.waitForFunction(() => document.querySelectorAll('.health-row.circuit-closed').length === 2);
    assert.equal(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker), 42, 'no reload happened');
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });

  test('unknown budget: no bar, a hint instead', async () => {
    const v = await views.open('sidebar');
    await v.send(snapshot({ summary: summary({ dailyBudgetUsd: null, todayUsd: 12, monthlyBudgetUsd: 100, monthUsd: 150 }) }));
    const { page } = v;
    await page.waitForSelector('.budget');
    assert.equal(await page.textContent('[data-budget="Today"] .budget-of'), 'no budget set');
    assert.equal(await page.locator('[data-budget="Today"] [role=progressbar]').count(), 0);
    assert.match(await page.getAttribute('[data-budget="This month"]', 'class') ?? '', /level-over/);
    assert.equal(await page.textContent('[data-budget="This month"] .budget-pct'), '150 %');
    await page.close();
  });

  test('disconnected: says the daemon is not running and offers Restart Daemon', async () => {
    const v = await views.open('sidebar');
    await v.send({ type: 'disconnected' });
    const { page } = v;
    await page.waitForSelector('[data-state="disconnected"]');
    assert.match(await page.textContent('[data-state="disconnected"]') ?? '', /Daemon not running — Restart Daemon/);
    await page.click(`[data-state="disconnected"] [data-command="${WEBVIEW_COMMANDS.restartDaemon}"]`);
    const [run] = await v.waitForPosted('runCommand');
    assert.equal(run.command, WEBVIEW_COMMANDS.restartDaemon);
    await v.send({ type: 'error', code: 'E_INTERNAL', message: 'ledger locked' });
    await page.waitForSelector('[data-state="error"]');
    await page.click('[data-state="error"] button.btn');
    await v.waitForPosted('refresh');
    await page.close();
  });

  test('sections collapse with the keyboard and stay collapsed in saved state', async () => {
    const v = await views.open('sidebar');
    await v.send(snapshot({ recent: [entry()] }));
    const { page } = v;
    const toggle = page.locator('[data-section="recent"] .section-toggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-section="recent"].collapsed');
    assert.equal(await page.locator('[data-section="recent"] .section-toggle').getAttribute('aria-expanded'), 'false');
    assert.deepEqual((await v.state() as { collapsed: string[] }).collapsed, ['recent']);
    await page.close();
  });

  test('conversations: an agent session with its totals; expanding it asks the host for its requests and shows them', async () => {
    const v = await views.open('sidebar');
    const solo = entry({ id: 'solo' });
    await v.send(snapshot({ recent: [solo], conversations: [conversation(), conversation({ key: 'codex-run', client: 'codex', models: ['gpt-4.1-2025-04-14'], turns: 2, toolCalls: 3, requests: 4, costUsd: 0.05, lastTime: NOW - 3_600_000, fallbacks: 0, errors: 2 })] }));
    const { page } = v;
    await page.waitForSelector('.conv');
    const items = page.locator('[aria-label="Conversations, most recently active first"] > .conv');
    assert.equal(await items.count(), 2);
    const first = items.first();
    assert.equal(await first.getAttribute('data-key'), conversation().key);
    assert.equal(await first.locator('.conv-client').textContent(), 'claude-cli');
    assert.equal(await first.locator('.conv-key').textContent(), 'session-7f3a9…');
    assert.equal(await first.locator('.conv-cost').textContent(), '$0.8125');
    assert.equal(await first.locator('.conv-requests-count').textContent(), '14 requests');
    assert.equal(await first.locator('.conv-turns').textContent(), '5');
    assert.equal(await first.locator('.conv-tools').textContent(), '11');
    assert.equal(await first.locator('.conv-models').textContent(), 'claude-sonnet-4-20250514, gpt-4o-2024-08-06');
    assert.equal(await first.locator('.conv-last').getAttribute('title'), '5 min ago');
    assert.match(await first.locator('.conv-toggle').getAttribute('title') ?? '', /^Conversation session-7f3a9c2e-41b8-4d0e-9a77-1c2d3e4f5a6b/);
    assert.match(await first.locator('.conv-fallbacks').textContent() ?? '', /1 fallback$/);
    assert.match(await items.nth(1).locator('.conv-errors').textContent() ?? '', /2 failed/);
    // Single editor requests stay in Recent.
    assert.deepEqual(await page.locator('[data-section="recent"] .req').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), ['solo']);

    // Expand with the keyboard: the host is asked for this conversation's requests, and they render inside it.
    const toggle = first.locator('.conv-toggle');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    await toggle.focus();
    await page.keyboard.press('Enter');
    const [asked] = await v.waitForPosted('conversationRequests');
    assert.equal(asked.key, conversation().key);
    await page.waitForSelector(`.conv[data-key="${conversation().key}"] .conv-body .loading`);
    await v.send({ type: 'conversationRequests', key: conversation().key, entries: [agentEntry, { ...agentEntry, id: 'a0', time: NOW - 9 * 60_000, toolCalls: 1, toolResults: 0 }] });
    const body = page.locator(`.conv[data-key="${conversation().key}"] .conv-body`);
    await body.locator('.req[data-id="a1"]').waitFor();
    assert.equal(await page.locator(`.conv[data-key="${conversation().key}"] .conv-toggle`).getAttribute('aria-expanded'), 'true');
    assert.deepEqual(await body.locator('.req').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), ['a1', 'a0']);
    assert.equal(await body.locator('.req[data-id="a1"] .req-traffic').textContent(), 'claude-cli · anthropic · 2 tool calls · 1 tool result');
    assert.deepEqual((await v.state() as { expanded: string[] }).expanded, [conversation().key]);

    // Collapse again: the requests are hidden and forgotten.
    await page.click(`.conv[data-key="${conversation().key}"] .conv-toggle`);
    await page.waitForSelector(`.conv[data-key="${conversation().key}"] .conv-body[hidden]`, { state: 'attached' });
    assert.deepEqual((await v.state() as { expanded: string[] }).expanded, []);
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });

  test('conversations: a live agent row is counted into its session (and its open request list), not into Recent', async () => {
    const v = await views.open('sidebar', { state: { expanded: [conversation().key] } });
    await v.send(snapshot({ recent: [entry()], conversations: [conversation({ key: 'older', client: 'codex', lastTime: NOW - 60_000 }), conversation()] }));
    const { page } = v;
    // The conversation left open in saved state is asked for again.
    const [asked] = await v.waitForPosted('conversationRequests');
    assert.equal(asked.key, conversation().key);
    await v.send({ type: 'conversationRequests', key: conversation().key, entries: [agentEntry] });
    await page.waitForSelector('.conv-body .req[data-id="a1"]');

    await v.send({ type: 'entry', entry: { ...agentEntry, id: 'a2', time: NOW, toolCalls: 4, costUsd: 0.1 } });
    await page.waitForSelector('.conv-body .req[data-id="a2"]');
    const first = page.locator('.conversations > .conv').first();
    assert.equal(await first.getAttribute('data-key'), conversation().key, 'the active session moves first');
    assert.equal(await first.locator('.conv-requests-count').textContent(), '15 requests');
    assert.equal(await first.locator('.conv-tools').textContent(), '15');
    assert.equal(await first.locator('.conv-cost').textContent(), '$0.9125');
    assert.deepEqual(await page.locator('.conv-body .req').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), ['a2', 'a1']);
    assert.deepEqual(await page.locator('[data-section="recent"] .req').evaluateAll((els) => els.map((e) => e.getAttribute('data-id'))), ['r1']);
    assert.equal(await page.textContent('[data-budget="Today"] .muted.small'), '13 requests', 'the totals count it');

    // A key never seen starts a conversation at the top; the host's debounced list then replaces the figures.
    await v.send({ type: 'entry', entry: entry({ id: 'c1', conversation: 'brand-new', client: 'cline', time: NOW }) });
    await page.waitForSelector('.conv[data-key="brand-new"]');
    assert.equal(await page.locator('.conversations > .conv').first().getAttribute('data-key'), 'brand-new');
    await v.send({ type: 'conversations', conversations: [conversation({ requests: 99 })], now: NOW });
    await page.waitForFunction(() => document.querySelectorAll('.conversations > .conv').length === 1);
    assert.equal(await page.locator('.conv-requests-count').textContent(), '99 requests');
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });

  test('conversations: a clear empty state, and a daemon too old to list them says so', async () => {
    const v = await views.open('sidebar');
    await v.send(snapshot({ recent: [entry()] }));
    const { page } = v;
    await page.waitForSelector('[data-state="no-conversations"]');
    assert.match(await page.textContent('[data-state="no-conversations"]') ?? '', /^No agent conversations yet\. Requests from coding agents .* x-switchyard-session header\) are grouped here, each with its total\.$/);
    await v.send(snapshot({ recent: [entry()], conversations: null }));
    await page.waitForSelector('[data-state="conversations-unsupported"]');
    await page.click(`[data-state="conversations-unsupported"] [data-command="${WEBVIEW_COMMANDS.restartDaemon}"]`);
    const [run] = await v.waitForPosted('runCommand');
    assert.equal(run.command, WEBVIEW_COMMANDS.restartDaemon);
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });
  test('escalations: the rates per rule and per verdict with their overkill marks, and an empty state', async () => {
    const v = await views.open('sidebar');
    const escalations = {
      byRule: [{ key: 'small talk', requests: 4, escalated: 2, overkill: 1 }, { key: 'default', requests: 9, escalated: 0, overkill: 0 }],
      byVerdict: [{ key: 'fast', requests: 4, escalated: 1, overkill: 0 }, { key: 'none', requests: 9, escalated: 1, overkill: 1 }],
    };
    await v.send(snapshot({ summary: summary({ escalations }), recent: [entry()] }));
    const { page } = v;
    await page.waitForSelector('[data-section="escalations"]');
    const rule = page.locator('[aria-label="Escalation rate by rule"] .escalation');
    assert.equal(await rule.count(), 1, 'a rule nobody escalated or marked is not listed');
    assert.match(await rule.first().textContent() ?? '', /small talk\s*50 %.*2 of 4 requests escalated · 1 marked overkill/);
    assert.equal(await rule.first().getAttribute('title'), 'rule "small talk": 2 of 4 requests this month were asked again with a stronger model; 1 marked overkill');
    const fill = await page.$eval('[data-escalations="rule"] .fill', (el) => (el as HTMLElement).getBoundingClientRect().width / (el.parentElement as HTMLElement).getBoundingClientRect().width);
    assert.ok(Math.abs(fill - 0.5) < 0.02, `fill ratio ${fill}`);
    assert.deepEqual(await page.locator('[aria-label="Escalation rate by classifier verdict"] .escalation').evaluateAll((els) => els.map((e) => e.getAttribute('data-key'))), ['fast', 'none']);
    assert.equal(await page.locator('.codicon-arrow-circle-up, .codicon-thumbsdown').count() > 0, true, 'codicons');

    await v.send(snapshot({ summary: summary({ escalations: { byRule: [{ key: 'default', requests: 9, escalated: 0, overkill: 0 }], byVerdict: [] } }), recent: [entry()] }));
    await page.waitForSelector('[data-state="no-escalations"]');
    assert.match(await page.textContent('[data-state="no-escalations"]') ?? '', /^No escalations this month\. When an answer falls short, run "Ask Again With a Stronger Model"/);
    // A daemon older than escalation sends no rates: no section.
    await v.send(snapshot({ recent: [entry()] }));
    await page.waitForSelector('.req[data-id="r1"]');
    assert.equal(await page.locator('[data-section="escalations"]').count(), 0);
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });

  test('recent requests: ask again stronger and mark overkill per row, by keyboard, with labels; a changed row is replaced live', async () => {
    const v = await views.open('sidebar');
    const again = entry({ id: 'e1', time: NOW - 10_000, rule: 'escalation: fast → standard', tier: 'standard', model: 'gpt-4o-2024-08-06', escalatedFrom: 'r1' });
    await v.send(snapshot({ recent: [again, entry()] }));
    const { page } = v;
    await page.waitForSelector('.req[data-id="r1"]');
    const row = page.locator('.req[data-id="r1"]');
    const stronger = row.locator('[data-action="askAgainStronger"]');
    assert.match(await stronger.getAttribute('aria-label') ?? '', /^Ask again with a stronger model \(the .+ request to gpt-4o-mini-2024-07-18\)$/);
    assert.match(await row.locator('[data-action="markOverkill"]').getAttribute('aria-label') ?? '', /^Mark the answer as overkill/);
    assert.equal(await row.locator('.req-actions').getAttribute('role'), 'group');
    assert.match(await page.locator('.req[data-id="e1"] .req-escalated').textContent() ?? '', /asked again: fast → standard/);
    await stronger.focus();
    await page.keyboard.press('Enter');
    await row.locator('[data-action="markOverkill"]').focus();
    await page.keyboard.press('Space');
    const posted = await v.waitForPosted('requestAction', 2);
    assert.deepEqual(posted.map((m) => [m.action, m.requestId]), [['askAgainStronger', 'r1'], ['markOverkill', 'r1']]);

    await v.send({ type: 'entryChanged', entry: entry({ feedback: 'overkill' }) });
    await page.waitForSelector('.req[data-id="r1"].overkill');
    const clear = page.locator('.req[data-id="r1"] [data-action="clearOverkill"]');
    assert.equal(await clear.getAttribute('aria-pressed'), 'true');
    assert.match(await clear.getAttribute('aria-label') ?? '', /^Clear the overkill mark/);
    assert.equal(await page.locator('.req[data-id="r1"] .req-overkill-badge').textContent(), 'overkill');
    assert.equal(await page.locator('.recent .req').count(), 2, 'replaced, not added');
    await clear.click();
    const all = await v.waitForPosted('requestAction', 3);
    assert.deepEqual([all[2].action, all[2].requestId], ['clearOverkill', 'r1']);
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });
});
