/** The status bar once connected, and `Switchyard: Ask…`: the decision before sending, the answer and its cost after. */
import assert from 'node:assert/strict';
import {
  askUntilDecision, closeEditors, decisionLine, esc, FAST_MODEL, formatUsd, norm, until, USD, type UiTest,
} from './context';

export const askTests: UiTest[] = [
  {
    name: 'status bar: connected to the suite\'s daemon, today\'s spend against the daily budget',
    async run({ wb, env }) {
      await wb.waitConnected();
      const text = await wb.statusText();
      assert.match(text, new RegExp(`^${USD} / \\$10\\.00$`), `status text "${text}"`);
      const spend = await env.stack.spend();
      assert.equal(text.split(' / ')[0], formatUsd(spend.costUsd), 'today\'s spend is the ledger\'s');
      assert.equal(await wb.statusItem().locator('.codicon-pulse').count(), 1, 'healthy icon');
    },
  },
  {
    name: 'Ask…: "thanks!" shows the fast model and its estimate before sending, the answer and actual cost after',
    timeoutMs: 60_000,
    async run(ctx) {
      const { wb, env } = ctx;
      const { mock, daemon } = env.stack;
      const sentBefore = await mock.count();
      const ledgerBefore = await env.stack.spend();

      const line = await askUntilDecision(ctx, 'thanks!', decisionLine(FAST_MODEL, 'small talk'));
      // The estimate is the daemon's: the same request explained over HTTP gives the same price.
      const res = await fetch(`${daemon.url}/v1/route/explain`, {
        method: 'POST',
        headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'thanks!', task: 'chat', source: 'palette', urgency: 'normal' }),
      });
      const decision = await res.json() as { rule: string; candidates: { model: string }[]; estimate: { costUsd: number } };
      assert.equal(decision.rule, 'small talk');
      assert.equal(decision.candidates[0]?.model, FAST_MODEL);
      assert.ok(line.includes(`≈${formatUsd(decision.estimate.costUsd)} ·`), `"${line}" shows ≈${formatUsd(decision.estimate.costUsd)}`);
      await ctx.shot('ask-prompt');
      assert.equal(await mock.count(), sentBefore, 'nothing is sent while the box is open');

      await wb.quickInput().locator('.quick-input-box input').press('Enter');
      await wb.quickInput().waitFor({ state: 'hidden' });
      // The answer streams into an untitled Markdown document; the footer carries the actual model and cost.
      const footerRe = new RegExp(`${esc(FAST_MODEL)} \\(OpenAI\\) · rule "small talk" · \\d+ → \\d+ tokens · (${USD}) · `);
      const text = await until('the answer and its footer', async () => {
        const t = norm(await wb.editorText());
        if (t.includes(`Hello from ${FAST_MODEL}: thanks!`) && footerRe.test(t)) return t;
        throw new Error(`editor shows: ${JSON.stringify(t)}`);
      }, 20_000);
      await ctx.shot('ask-answer');

      const [entry] = await env.stack.recent(1);
      assert.ok(entry, 'the ledger has the request');
      assert.equal(entry.model, FAST_MODEL);
      assert.equal(entry.rule, 'small talk');
      assert.equal(entry.source, 'palette');
      assert.equal(entry.status, 'ok');
      assert.equal(entry.fallbacks, 0);
      assert.ok(entry.costUsd !== null && entry.costUsd > 0, `actual cost ${entry.costUsd}`);
      assert.equal(footerRe.exec(text)![1], formatUsd(entry.costUsd), 'the footer shows the ledger\'s actual cost');
      assert.equal(await mock.count({ model: FAST_MODEL }) >= 1, true);

      const cli = await env.stack.cli(['spend', '--json', '--since', '1d']);
      assert.equal(cli.code, 0, cli.stderr);
      const report = JSON.parse(cli.stdout) as { requests: number; costUsd: number; buckets: { key: string; requests: number }[] };
      assert.equal(report.requests, ledgerBefore.requests + 1, '`switchyard spend --json` counts the request');
      assert.ok(report.buckets.some((b) => b.key === FAST_MODEL && b.requests >= 1), JSON.stringify(report.buckets));
      await closeEditors(ctx);
    },
  },
];
