/**
 * A 429 on the primary (injected through the mock's control endpoint): the fallback is shown while it happens
 * (progress notification and status bar), the status bar warns afterwards, and the ledger records the chain.
 */
import assert from 'node:assert/strict';
import { askUntilDecision, closeEditors, decisionLine, DURATION, esc, FALLBACK_MODEL, FAST_MODEL, formatUsd, norm, until, USD, type UiTest } from './context';

const FALLBACK_TEXT = `OpenAI rate-limited → Anthropic ${FALLBACK_MODEL}`;

export const fallbackTests: UiTest[] = [
  {
    name: '429 on the primary: the fallback shows while it happens, the status bar warns afterwards, the ledger has it',
    timeoutMs: 60_000,
    async run(ctx) {
      const { wb, env } = ctx;
      const { mock } = env.stack;
      const primaryBefore = await mock.count({ model: FAST_MODEL });
      const fallbackBefore = await mock.count({ model: FALLBACK_MODEL });
      await mock.fail([
        { api: 'openai', model: FAST_MODEL, times: 1, fault: { kind: 'status', status: 429, retryAfter: '30' } },
        // A slow stream on the fallback (4 deltas, 1.2 s apart), so "while it happens" lasts long enough to be seen.
        { api: 'anthropic', model: FALLBACK_MODEL, times: 1, fault: { kind: 'trickle', delayMs: 1200 } },
      ]);
      await mock.reply({ deltas: 4 });
      try {
        await askUntilDecision(ctx, 'thanks, and once more', decisionLine(FAST_MODEL, 'small talk'));
        await wb.quickInput().locator('.quick-input-box input').press('Enter');

        // While it happens: the status bar item and the progress notification name the fallback. (The notification
        // says it until the first token arrives, then counts characters of the fallback model's answer.)
        await until('the status bar and the progress notification to show the fallback', async () =>
          (await wb.statusText()).includes(FALLBACK_TEXT)
          && (await wb.notifications()).some((n) => n.includes('Switchyard: Ask') && n.includes(FALLBACK_TEXT)), 10_000, 50);
        await ctx.shot('fallback');
        assert.equal(await wb.statusItem().locator('.codicon-warning').count(), 1, 'warning icon while falling back');

        // Afterwards: the answer came from the fallback; the status bar keeps a warning.
        const footer = new RegExp(`${esc(FALLBACK_MODEL)} \\(Anthropic\\) · rule "small talk" · \\d+ → \\d+ tokens · (${USD}) · ${DURATION} · 1 fallback`);
        const text = await until('the answer from the fallback', async () => {
          const t = norm(await wb.editorText());
          if (footer.test(t)) return t;
          throw new Error(`editor shows: ${JSON.stringify(t)}`);
        }, 20_000);
        assert.ok(text.includes(`Hello from ${FALLBACK_MODEL}`), text);
        assert.match(text, new RegExp(`OpenAI ${esc(FAST_MODEL)} rate-limited`));
        await until('the status bar to settle with a warning', async () => {
          const t = await wb.statusText();
          return !t.includes('→') && /\$/.test(t) ? t : null;
        }, 10_000);
        assert.equal(await wb.statusItem().locator('.codicon-warning').count(), 1, 'the warning stays after the request');
        const cls = (await wb.statusItem().getAttribute('class')) ?? '';
        assert.match(cls, /warning-kind/, `warning background (${cls})`);
        await wb.statusItem().hover();
        const tip = wb.page.locator('.monaco-hover, .workbench-hover', { hasText: 'fell back' }).last();
        await tip.waitFor({ timeout: 10_000 });
        const tipText = norm(await tip.innerText());
        assert.match(tipText, /The last request fell back 1×\./);
        assert.match(tipText, new RegExp(`Last request: ${esc(FALLBACK_MODEL)} \\(Anthropic\\)`));
        await ctx.shot('status-warning');
        await wb.page.mouse.move(5, 5);

        const [entry] = await env.stack.recent(1);
        assert.equal(entry?.model, FALLBACK_MODEL);
        assert.equal(entry?.provider, 'anthropic');
        assert.equal(entry?.rule, 'small talk');
        assert.equal(entry?.fallbacks, 1);
        assert.equal(entry?.attempts[0]?.model, FAST_MODEL);
        assert.equal(entry?.attempts[0]?.status, 429);
        assert.equal(entry?.attempts[0]?.outcome, 'failed');
        assert.equal(footer.exec(text)![1], formatUsd(entry!.costUsd), 'the footer shows the ledger\'s actual cost');
        assert.equal(await mock.count({ model: FAST_MODEL }), primaryBefore + 1, 'one try on the primary');
        assert.equal(await mock.count({ model: FALLBACK_MODEL }), fallbackBefore + 1, 'one on the fallback');
      } finally {
        await mock.reset();
      }
      await closeEditors(ctx);
    },
  },
];
