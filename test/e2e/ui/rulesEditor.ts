/**
 * The rules editor (webview panel): "Try a prompt" dry-runs the draft, and its answer changes when a rule is edited;
 * Save writes a file the CLI accepts and the daemon picks up. The original rules are put back afterwards.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Frame } from 'playwright-core';
import { FAST_MODEL, norm, STANDARD_MODEL, until, type UiContext, type UiTest } from './context';

const PROMPT = 'lgtm, ship it';

async function dryRun(frame: Frame): Promise<{ model: string; rule: string; cost: string }> {
  await frame.locator('#try-run').click();
  // "Deciding…" shows while busy; the result replaces it (and drops a stale note from before the edit).
  await frame.locator('#try-result .stale-note').waitFor({ state: 'detached', timeout: 10_000 });
  const result = frame.locator('#try-result [data-result="decision"]');
  await result.waitFor({ timeout: 10_000 });
  // Facts by their visible labels (`<dt>rule</dt><dd>…</dd>`), not by class names.
  const fact = async (label: string) => norm(await result.locator('dl > div', { has: frame.locator('dt', { hasText: new RegExp(`^${label}$`) }) }).locator('dd').innerText());
  return {
    model: norm(await result.locator('.headline strong').first().innerText()),
    rule: await fact('rule'),
    cost: await fact('cost'),
  };
}

async function explainRule(ctx: UiContext, prompt: string): Promise<string> {
  const { daemon } = ctx.env.stack;
  const res = await fetch(`${daemon.url}/v1/route/explain`, {
    method: 'POST',
    headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ prompt, task: 'chat' }),
  });
  return ((await res.json()) as { rule: string }).rule;
}

export const rulesEditorTests: UiTest[] = [
  {
    name: 'rules editor: the dry run changes when a rule is edited; Save writes a file `rules check` accepts',
    timeoutMs: 60_000,
    async run(ctx) {
      const { wb, env } = ctx;
      const file = env.stack.daemon.rulesFile;
      const original = readFileSync(file, 'utf8');
      await wb.focusWorkbench();
      await wb.runCommand('Switchyard: Open Rules Editor');
      const frame = await wb.webview('rulesEditor');
      await frame.locator('li.rule').first().waitFor({ timeout: 15_000 });
      assert.equal(norm(await frame.locator('.toolbar .file').innerText()), file, 'the editor shows the daemon\'s rules file');
      const names = await frame.locator('li.rule .rule-name input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
      assert.deepEqual(names, ['small talk', 'claude first', 'explain code', 'refactors']);

      await frame.locator('#try-prompt').fill(PROMPT);
      const first = await dryRun(frame);
      assert.equal(first.model, STANDARD_MODEL, `before the edit: ${JSON.stringify(first)}`);
      assert.equal(first.rule, 'default (no rule matched)');
      assert.match(first.cost, /^≈\$/);

      // Edit rule 1's regex in the form: "lgtm" now counts as small talk.
      const regex = frame.locator('[data-path="rules[0].if.prompt.regex"] input');
      assert.equal(await regex.inputValue(), '^(thanks|ok)\\b');
      await regex.fill('^(thanks|ok|lgtm)\\b');
      await regex.press('Enter');
      await frame.locator('[data-state="dirty"]').waitFor({ timeout: 10_000 });
      await frame.locator('.status[data-status="done"]').waitFor({ timeout: 10_000 });
      const second = await dryRun(frame);
      assert.equal(second.model, FAST_MODEL, `after the edit: ${JSON.stringify(second)}`);
      assert.equal(second.rule, '"small talk"');
      assert.equal(await explainRule(ctx, PROMPT), 'default', 'the daemon keeps the file\'s rules until Save');
      await ctx.shot('rules-editor');

      try {
        await frame.locator('.toolbar button', { hasText: 'Save' }).click();
        const banner = frame.locator('[data-banner="saved"]');
        await banner.waitFor({ timeout: 10_000 });
        assert.ok(norm(await banner.innerText()).includes(file), 'the banner names the saved file');
        const saved = readFileSync(file, 'utf8');
        assert.ok(saved.includes('lgtm'), 'the file has the edit');
        const check = await env.stack.cli(['rules', 'check', file]);
        assert.equal(check.code, 0, `switchyard rules check ${file}:\n${check.stdout}\n${check.stderr}`);
        await until('the daemon to route with the saved rules', async () => (await explainRule(ctx, PROMPT)) === 'small talk', 10_000);
        await ctx.shot('rules-editor-saved');
      } finally {
        // Put the suite's rules back (the daemon watches the file).
        writeFileSync(file, original);
        await until('the daemon to reload the original rules', async () => (await explainRule(ctx, PROMPT)) === 'default', 10_000);
        await wb.focusWorkbench();
        await wb.closeAllEditors();
      }
    },
  },
];
