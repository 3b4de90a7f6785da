/** The spend sidebar's real bundle and HTML in real Chromium, with a stub acquireVsCodeApi. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { WEBVIEW_COMMANDS } from '../../shared/webview';
import { browserSkipReason, useChromiumViews } from '../fixtures/webview-harness/harness';
import { emptySummary, entry, fallbackEntry, health, NOW, summary, unknownCostEntry } from '../fixtures/webview-harness/data';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

describe('spend sidebar in Chromium', { skip }, () => {
  const views = useChromiumViews();

  test('posts ready, then renders totals, budgets, chart, breakdowns, recent requests and health', async () => {
    const v = await views.open('sidebar');
    await v.waitForPosted('ready');
    await v.send({ type: 'snapshot', summary: summary(), recent: [entry(), fallbackEntry], health, now: NOW });
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
    await v.send({ type: 'snapshot', summary: emptySummary(), recent: [], health: health.map((h) => ({ ...h, hasKey: false })), now: NOW });
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
    await v.send({ type: 'snapshot', summary: summary(), recent: [entry()], health, now: NOW });
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
    await v.send({ type: 'snapshot', summary: summary({ dailyBudgetUsd: null, todayUsd: 12, monthlyBudgetUsd: 100, monthUsd: 150 }), recent: [], health, now: NOW });
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
    await v.send({ type: 'snapshot', summary: summary(), recent: [entry()], health, now: NOW });
    const { page } = v;
    const toggle = page.locator('[data-section="recent"] .section-toggle');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-section="recent"].collapsed');
    assert.equal(await page.locator('[data-section="recent"] .section-toggle').getAttribute('aria-expanded'), 'false');
    assert.deepEqual((await v.state() as { collapsed: string[] }).collapsed, ['recent']);
    await page.close();
  });
});
