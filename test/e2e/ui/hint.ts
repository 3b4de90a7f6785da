/** A selection in an editor: the inline decision hint, its hover trace, and the code actions with estimates. */
import assert from 'node:assert/strict';
import { decisionLine, esc, FAST_MODEL, norm, STANDARD_MODEL, until, USD, type UiTest } from './context';

const HINT = new RegExp(`^→ ${decisionLine(FAST_MODEL, 'explain code').source.slice(1)}`);

export const hintTests: UiTest[] = [
  {
    name: 'selection: inline hint "→ model · ≈$… · ≈… · rule", the trace on hover',
    timeoutMs: 45_000,
    async run(ctx) {
      const { wb, env } = ctx;
      const sentBefore = await env.stack.mock.count();
      await wb.openFile('sample.ts');
      // Line 7: `  return 'Hello, ' + name + '!';` — the hint goes at the end of the selection's last line.
      await wb.selectLine(7);
      const hint = await until('the inline hint decoration', async () => (await wb.afterDecorations()).find((t) => t.startsWith('→')) ?? null, 15_000);
      assert.match(hint, HINT, `hint "${hint}"`);
      // The hint sits on the selected line, after its text.
      const onLine = await wb.activeEditor().locator('.view-line', { hasText: "return 'Hello, '" }).locator('span[class*="ced-"]').count();
      assert.ok(onLine >= 1, 'the decoration is rendered on line 7');
      await ctx.shot('inline-hint-bare');

      // Hover the hinted line: the routing trace (rules tried, candidates) from the daemon.
      await wb.activeEditor().locator('.view-line', { hasText: "return 'Hello, '" }).locator('span', { hasText: 'return' }).last().hover();
      const hover = wb.page.locator('.monaco-hover', { hasText: 'Switchyard — routing for Explain Selection' }).last();
      await hover.waitFor({ state: 'visible', timeout: 10_000 });
      const text = norm(await hover.innerText());
      assert.ok(text.includes(hint), `the hover repeats the decision:\n${text}`);
      assert.match(text, /✗ small talk/);
      assert.match(text, /✓ explain code — matched/);
      assert.match(text, new RegExp(`Candidates[\\s\\S]*${esc(FAST_MODEL)}[\\s\\S]*claude-3-5-haiku-20241022`));
      await ctx.shot('inline-hint', wb.page.locator('.part.editor'));
      await ctx.shot('inline-hint-window');
      assert.equal(await env.stack.mock.count(), sentBefore, 'a hint never sends anything');
      await wb.page.mouse.move(5, 5);
      await wb.page.keyboard.press('Escape');
    },
  },
  {
    name: 'selection: code actions (Ctrl+.) carry the model and the estimate in their titles',
    timeoutMs: 45_000,
    async run(ctx) {
      const { wb } = ctx;
      await wb.openFile('sample.ts');
      await wb.selectLine(7);
      const menu = wb.page.locator('.action-widget');
      const expected = [
        new RegExp(`^Refactor with Switchyard — ${esc(STANDARD_MODEL)}, ≈${USD}$`),
        new RegExp(`^Explain with Switchyard — ${esc(FAST_MODEL)}, ≈${USD}$`),
        new RegExp(`^Write Tests with Switchyard — ${esc(STANDARD_MODEL)}, ≈${USD}$`),
      ];
      // The provider waits 400 ms at most for a preview it has not cached: reopen until all three carry estimates.
      const titles = await until('code actions with estimates', async () => {
        if (await menu.isVisible()) {
          await wb.page.keyboard.press('Escape');
          await menu.waitFor({ state: 'hidden' });
        }
        await wb.activeEditor().locator('textarea').first().focus();
        await wb.page.keyboard.press('Control+.');
        await menu.locator('.action-list-row, .monaco-list-row').first().waitFor({ timeout: 5_000 });
        const rows = (await menu.locator('.monaco-list-row').allInnerTexts()).map(norm).filter((t) => t.includes('Switchyard'));
        return expected.every((re) => rows.some((r) => re.test(r))) ? rows : null;
      }, 20_000, 500);
      assert.equal(titles.length, 3, titles.join(' | '));
      await ctx.shot('code-actions');
      await wb.page.keyboard.press('Escape');
      await wb.closeAllEditors();
    },
  },
];
