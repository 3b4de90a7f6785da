/** The spend sidebar (webview view in the Switchyard activity-bar container): totals grow live after a request. */
import assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { askUntilDecision, closeEditors, decisionLine, FAST_MODEL, formatUsd, norm, until, type UiTest } from './context';

/** Today's figures, or `$0.00` / `0 requests` while the view shows its empty state (nothing spent this month). */
async function today(frame: Frame): Promise<{ spent: string; requests: string }> {
  if (await frame.locator('[data-state="empty"]').count()) return { spent: '$0.00', requests: '0 requests' };
  const box = frame.locator('[data-budget="Today"]');
  return {
    spent: norm(await box.locator('.budget-spent').innerText()),
    requests: norm(await box.locator('.muted.small').first().innerText()),
  };
}

const plural = (n: number) => `${n} request${n === 1 ? '' : 's'}`;

export const sidebarTests: UiTest[] = [
  {
    name: 'spend sidebar: today\'s total and request count grow after a request, without a reload',
    timeoutMs: 60_000,
    async run(ctx) {
      const { wb, env } = ctx;
      await wb.showContainer('Switchyard');
      const frame = await wb.webview('sidebar');
      await frame.locator('[data-budget="Today"] .budget-spent, [data-state="empty"]').first().waitFor({ timeout: 15_000 });
      const before = await env.stack.spend();
      const shown = await until('the sidebar to show the ledger\'s totals', async () => {
        const t = await today(frame);
        return t.spent === formatUsd(before.costUsd) && t.requests.startsWith(plural(before.requests)) ? t : null;
      }, 10_000);
      // Mark this document: a reload would lose the mark.
      await frame.evaluate(() => { (window as unknown as { e2eMark: number }).e2eMark = 42; });

      await askUntilDecision(ctx, 'ok, one more', decisionLine(FAST_MODEL, 'small talk'));
      await wb.quickInput().locator('.quick-input-box input').press('Enter');
      const after = await until('the ledger to record the request', async () => {
        const s = await env.stack.spend();
        return s.requests === before.requests + 1 ? s : null;
      }, 20_000);
      const grown = await until('the sidebar totals to grow', async () => {
        const t = await today(frame);
        return t.requests.startsWith(plural(after.requests)) && t.spent === formatUsd(after.costUsd) ? t : null;
      }, 15_000);
      assert.notEqual(grown.spent, shown.spent, 'the spend grew');
      assert.equal(norm(await frame.locator('[data-budget="Today"] .budget-of').innerText()), 'of $10.00');
      assert.match(norm(await frame.locator('[data-budget="Today"] .budget-pct').innerText()), /^\d+ %$/);
      assert.equal(await frame.evaluate(() => (window as unknown as { e2eMark?: number }).e2eMark), 42, 'the view was not reloaded');
      const first = frame.locator('ol.recent .req').first();
      assert.equal(norm(await first.locator('.req-model').innerText()), FAST_MODEL);
      assert.equal(norm(await first.locator('.req-rule').innerText()), 'small talk');
      assert.match(norm(await frame.locator('[aria-label="Spend by model"]').innerText()), new RegExp(FAST_MODEL));
      await ctx.shot('sidebar');
      await closeEditors(ctx);
    },
  },
];
