/**
 * `Fix with Switchyard` as a quick fix on a TypeScript type error: the title carries the model and the estimate;
 * running it sends the diagnostic to the model, diff-previews the fenced fix (document ↔ proposal), and Apply
 * replaces the diagnostic's lines as one undo step. The ledger records task `fix` from source `codeAction`.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeEditors, esc, norm, STANDARD_MODEL, until, USD, type UiTest } from './context';

const FILE = 'fix-me.ts';
const BROKEN = "export const answer: number = 'forty-two';";
const FIXED = 'export const answer: number = 42;';
const SOURCE = `// A type error for Switchyard: Fix This Problem.\n${BROKEN}\n\nexport const other = answer + 1;\n`;
const MESSAGE = "Type 'string' is not assignable to type 'number'.";
const ANSWER = `The string is not a number; use a numeric literal:\n\n\`\`\`ts\n${FIXED}\n\`\`\`\n`;

export const fixProblemTests: UiTest[] = [
  {
    name: 'Fix This Problem: the quick fix on a type error carries model and estimate, diff-previews the fix, Apply edits',
    timeoutMs: 90_000,
    async run(ctx) {
      const { wb, env } = ctx;
      const { mock } = env.stack;
      const path = join(env.workspace, FILE);
      writeFileSync(path, SOURCE);
      try {
        await mock.reset();
        await mock.reply({ text: ANSWER, deltas: 3 });
        await wb.openFile(FILE);
        // The built-in TypeScript server reports the error (offline): wait for its squiggle.
        await until('the TypeScript error squiggle', async () => (await wb.activeEditor().locator('.squiggly-error').count()) > 0, 45_000, 250);

        // Cursor inside the error (`answer`, line 2), then the quick fixes.
        await wb.activeEditor().locator('textarea').first().focus();
        await wb.page.keyboard.press('Control+G');
        const go = wb.quickInput().locator('.quick-input-box input');
        await go.waitFor({ state: 'visible', timeout: 10_000 });
        await go.fill(':2:16');
        await go.press('Enter');
        await wb.quickInput().waitFor({ state: 'hidden', timeout: 5_000 });

        const menu = wb.page.locator('.action-widget');
        const title = new RegExp(`^Fix with Switchyard: ${esc(MESSAGE)} — ${esc(STANDARD_MODEL)}, ≈${USD}$`);
        // The provider waits 400 ms at most for an uncached preview: reopen until the title carries the estimate.
        const row = await until('a Switchyard quick fix with model and estimate', async () => {
          if (await menu.isVisible()) {
            await wb.page.keyboard.press('Escape');
            await menu.waitFor({ state: 'hidden' });
          }
          await wb.activeEditor().locator('textarea').first().focus();
          await wb.page.keyboard.press('Control+.');
          await menu.locator('.monaco-list-row').first().waitFor({ timeout: 5_000 });
          const rows = menu.locator('.monaco-list-row');
          const texts = (await rows.allInnerTexts()).map(norm);
          const i = texts.findIndex((t) => title.test(t));
          if (i < 0) throw new Error(`quick fixes: ${JSON.stringify(texts)}`);
          return rows.nth(i);
        }, 25_000, 500);
        await ctx.shot('fix-quick-fix');
        const sentBefore = await mock.count({ model: STANDARD_MODEL });
        // Keyboard, not the mouse (a pointer block covers the widget): move the focus to our row, then Enter.
        const label = await row.getAttribute('aria-label');
        await until('our quick fix to be focused', async () => {
          if ((await menu.locator('.monaco-list-row.focused').getAttribute('aria-label')) === label) return true;
          await wb.page.keyboard.press('ArrowDown');
          return false;
        }, 5_000, 150);
        await wb.page.keyboard.press('Enter');

        // The diff preview: the file on the left, the proposal on the right, and the Apply / Discard question.
        const diffTab = wb.page.locator('.tabs-container .tab', { hasText: `${FILE} ↔ Switchyard: Fix` });
        await diffTab.waitFor({ timeout: 20_000 });
        const diff = wb.page.locator('.editor-group-container.active .monaco-diff-editor').first();
        await diff.waitFor({ timeout: 10_000 });
        const original = await until('the diff\'s original side', async () => {
          const t = await wb.editorText(diff.locator('.editor.original .monaco-editor').first());
          return t.includes(BROKEN) ? t : null;
        }, 10_000);
        const modified = await until('the diff\'s proposal side', async () => {
          const t = await wb.editorText(diff.locator('.editor.modified .monaco-editor').first());
          return t.includes(FIXED) ? t : null;
        }, 10_000);
        assert.ok(!modified.includes(BROKEN), `the proposal replaces the broken line: ${JSON.stringify(modified)}`);
        assert.ok(modified.includes('export const other = answer + 1;'), 'the rest of the file is kept');
        assert.ok(!modified.includes('```') && !modified.includes('numeric literal'), 'only the fenced code is proposed');
        assert.ok(original.includes('export const other = answer + 1;'));
        const question = wb.page.locator('.notification-toast-container .notification-list-item', { hasText: `apply the proposed change (Fix) to ${FILE}?` });
        await question.waitFor({ timeout: 10_000 });
        await ctx.shot('fix-diff');

        // What was sent: one request to the routed model, with the diagnostic and the code.
        assert.equal(await mock.count({ model: STANDARD_MODEL }), sentBefore + 1, 'one request to the routed model');
        const sent = ((await mock.requests()) as { model?: string; body?: unknown }[]).filter((r) => r.model === STANDARD_MODEL).pop();
        const body = JSON.stringify(sent?.body ?? '');
        assert.ok(body.includes("is not assignable to type 'number'") && body.includes('forty-two'), `the prompt carries the diagnostic and the code: ${body.slice(0, 400)}`);

        const [entry] = await env.stack.recent(1);
        assert.equal(entry?.task, 'fix');
        assert.equal(entry?.source, 'codeAction');
        assert.equal(entry?.model, STANDARD_MODEL);
        assert.equal(entry?.status, 'ok');

        // Apply: the diff closes, the file holds the fix (unsaved), the error is gone; one Ctrl+Z undoes it all.
        await question.getByRole('button', { name: 'Apply' }).click();
        await diffTab.waitFor({ state: 'hidden', timeout: 10_000 });
        await wb.page.locator(`.tabs-container .tab.active[aria-label^="${FILE}"]`).waitFor({ timeout: 10_000 });
        const applied = await until('the fixed file', async () => {
          const t = await wb.editorText();
          return t.includes(FIXED) ? t : null;
        }, 10_000);
        assert.equal(applied, SOURCE.replace(BROKEN, FIXED), 'exactly the diagnostic\'s line was replaced');
        await until('the error squiggle to go away', async () => (await wb.activeEditor().locator('.squiggly-error').count()) === 0, 20_000, 250);
        await ctx.shot('fix-applied');
        await wb.activeEditor().locator('textarea').first().focus();
        await wb.page.keyboard.press('Control+Z');
        await until('one undo to restore the original', async () => (await wb.editorText()) === SOURCE, 5_000);
      } finally {
        await mock.reset();
        await closeEditors(ctx).catch(() => {});
        rmSync(path, { force: true });
      }
    },
  },
];
