/**
 * The way back when a route was wrong: Ask… goes to the fast tier, "Ask Again With a Stronger Model" (the answer's
 * done notification; the answer document's title bar offers it too) sends the same request to the standard tier,
 * whose model answers in a new document that says it was escalated; the ledger links the two; the sidebar's
 * Escalations section shows the rule's rate, and a recent row's overkill button marks an answer.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Locator } from 'playwright-core';
import { TestClient } from '../../integration/helpers/wsClient';
import type { SpendSummary } from '../../../shared/protocol';
import { askUntilDecision, closeEditors, decisionLine, esc, FAST_MODEL, norm, STANDARD_MODEL, until, type UiContext, type UiTest } from './context';

const PROMPT = 'thanks, but is that really right?';
const STRONGER = 'Ask Again With a Stronger Model';
const DEEP_MODEL = 'claude-3-5-sonnet-20241022';

/** The text of every editor open, in any group (an escalated answer opens beside the first). */
async function allEditorTexts(ctx: UiContext): Promise<string[]> {
  const editors = ctx.wb.page.locator('.part.editor .editor-instance .monaco-editor');
  const texts: string[] = [];
  for (let i = 0; i < await editors.count(); i++) texts.push(norm(await ctx.wb.editorText(editors.nth(i))));
  return texts;
}

async function summary(ctx: UiContext): Promise<SpendSummary> {
  const { daemon } = ctx.env.stack;
  const client = await TestClient.connect(daemon.port, daemon.token);
  try {
    return await client.request('spend.summary', {});
  } finally {
    client.close();
  }
}

/** Editors closed and this test's notifications (the top-of-order error is sticky) cleared for the next test. */
async function leaveClean(ctx: UiContext): Promise<void> {
  await closeEditors(ctx);
  await ctx.wb.runCommand('Notifications: Clear All Notifications');
}

async function escalationRow(frame: Frame, rule: string): Promise<Locator> {
  const row = frame.locator('[data-escalations="rule"] .escalation', { has: frame.locator('.bucket-key', { hasText: rule }) }).first();
  await row.waitFor({ timeout: 15_000 });
  return row;
}

export const escalationTests: UiTest[] = [
  {
    name: 'escalation: Ask, then Ask Again With a Stronger Model — the standard tier\'s model answers, the ledger links them, the sidebar shows the rate',
    timeoutMs: 120_000,
    async run(ctx) {
      const { wb, env } = ctx;
      await closeEditors(ctx);
      await askUntilDecision(ctx, PROMPT, decisionLine(FAST_MODEL, 'small talk'));
      await wb.quickInput().locator('.quick-input-box input').press('Enter');
      await wb.quickInput().waitFor({ state: 'hidden' });
      await until('the fast answer', async () => ((await allEditorTexts(ctx)).some((t) => t.includes(`Hello from ${FAST_MODEL}: ${PROMPT}`)) ? true : null), 20_000);
      const [first] = await env.stack.recent(1);
      assert.deepEqual([first.model, first.rule, first.tier, first.escalatedFrom], [FAST_MODEL, 'small talk', 'fast', null]);

      // The answer document's title bar offers the way back (the `resource in switchyard.answerDocuments` menu).
      await until('the answer\'s title-bar actions', async () =>
        (await wb.page.locator(`.part.editor .editor-actions [aria-label="${STRONGER}"]`).count()) > 0
        && (await wb.page.locator('.part.editor .editor-actions [aria-label="Mark Answer as Overkill"]').count()) > 0, 10_000);

      // The done notification says where it went and offers to ask again stronger.
      const toast = wb.page.locator('.notification-toast-container .notification-list-item', { hasText: `${FAST_MODEL} · fast tier · rule "small talk" answered.` }).first();
      await toast.waitFor({ timeout: 10_000 });
      await ctx.shot('escalation-offer');
      const sentBefore = await env.stack.mock.count({ model: STANDARD_MODEL });
      await toast.getByRole('button', { name: STRONGER }).click();

      // The stronger answer: a new document, from the standard tier's model, saying it was escalated.
      const answer = await until('the stronger answer', async () =>
        (await allEditorTexts(ctx)).find((t) => t.includes(`Hello from ${STANDARD_MODEL}: ${PROMPT}`) && /escalated fast → standard/.test(t)) ?? null, 30_000);
      assert.match(answer, /Asked again with a stronger model: fast → standard\./);
      assert.match(answer, new RegExp(`${esc(STANDARD_MODEL)} \\(OpenAI\\) · escalated fast → standard · `));
      assert.equal(await env.stack.mock.count({ model: STANDARD_MODEL }), sentBefore + 1, 'the standard model was asked once');
      const [second, original] = await env.stack.recent(2);
      assert.deepEqual([second.model, second.tier, second.rule, second.escalatedFrom], [STANDARD_MODEL, 'standard', 'escalation: fast → standard', first.id]);
      assert.equal(original.id, first.id);
      await wb.page.locator('.notification-toast-container .notification-list-item', { hasText: 'asked again with a stronger model (fast → standard)' }).first().waitFor({ timeout: 10_000 });
      await ctx.shot('escalation-answer');

      // The sidebar: the rule's rate, as the daemon counts it.
      await wb.showContainer('Switchyard');
      const frame = await wb.webview('sidebar');
      const want = (await summary(ctx)).escalations!.byRule.find((b) => b.key === 'small talk')!;
      assert.ok(want.escalated >= 1, JSON.stringify(want));
      const row = await escalationRow(frame, 'small talk');
      await until('the sidebar to show the daemon\'s rate for "small talk"', async () => {
        const text = norm(await row.innerText());
        return text.includes(`${want.escalated} of ${want.requests} request${want.requests === 1 ? '' : 's'} escalated`)
          && text.includes(`${Math.round((want.escalated / want.requests) * 100)} %`) ? text : null;
      }, 15_000);
      const recentEscalated = frame.locator(`.req[data-id="${second.id}"] .req-escalated`);
      assert.match(norm(await recentEscalated.innerText()), /asked again: fast → standard/);

      // A recent row's own button marks the original answer overkill; the rate's line counts it.
      await frame.locator(`.req[data-id="${first.id}"] [data-action="markOverkill"]`).click();
      await frame.locator(`.req[data-id="${first.id}"].overkill`).waitFor({ timeout: 15_000 });
      const marked = (await summary(ctx)).escalations!.byRule.find((b) => b.key === 'small talk')!;
      assert.equal(marked.overkill, want.overkill + 1);
      await until('the sidebar to count the overkill mark', async () =>
        norm(await (await escalationRow(frame, 'small talk')).innerText()).includes(`${marked.overkill} marked overkill`) ? true : null, 15_000);
      await ctx.shot('escalation-sidebar', frame.locator('[data-section="escalations"]'));

      // From the palette: a pick of this window's requests, the latest (the standard answer) first → deep.
      const askFromPalette = async (latest: string) => {
        await wb.focusWorkbench();
        await wb.runCommand(`Switchyard: ${STRONGER}`);
        const pick = wb.quickInput();
        await pick.locator('.quick-input-title', { hasText: 'which request?' }).waitFor({ timeout: 10_000 });
        const firstRow = norm(await pick.locator('.quick-input-list .monaco-list-row').first().innerText());
        assert.ok(firstRow.includes(`Ask: ${PROMPT}`) && firstRow.includes(latest), `the latest request first: ${firstRow}`);
        await pick.locator('.quick-input-box input').press('Enter');
      };
      await askFromPalette(`${STANDARD_MODEL} · standard tier · asked again: fast → standard`);
      await until('the deep answer', async () =>
        (await allEditorTexts(ctx)).some((t) => t.includes(`Hello from ${DEEP_MODEL}: ${PROMPT}`) && /escalated standard → deep/.test(t)) ? true : null, 30_000);
      const [third] = await env.stack.recent(1);
      assert.deepEqual([third.model, third.tier, third.escalatedFrom], [DEEP_MODEL, 'deep', second.id]);
      // Escalating an escalation climbs on; the rate still counts the original request once.
      const still = (await summary(ctx)).escalations!.byRule.find((b) => b.key === 'small talk')!;
      assert.deepEqual([still.requests, still.escalated], [marked.requests, marked.escalated]);

      // The deep answer's own title bar: Mark Answer as Overkill marks that answer (the action gets the document).
      const groups = wb.page.locator('.part.editor .editor-group-container');
      let deepGroup: Locator | undefined;
      for (let i = 0; i < await groups.count() && !deepGroup; i++) {
        const editor = groups.nth(i).locator('.editor-instance .monaco-editor').first();
        if (await editor.count() && norm(await wb.editorText(editor)).includes(`Hello from ${DEEP_MODEL}`)) deepGroup = groups.nth(i);
      }
      assert.ok(deepGroup, 'the deep answer has an editor group');
      // Editor actions show in the active group only: focus the answer's group first.
      await deepGroup.locator('.tabs-container .tab.active').click();
      await deepGroup.locator('.editor-actions [aria-label="Mark Answer as Overkill"]').click();
      await until('the deep answer marked overkill', async () => ((await env.stack.recent(1))[0].feedback === 'overkill' ? true : null), 10_000);
      assert.equal((await env.stack.recent(3))[2].feedback, 'overkill', 'the original keeps its own mark');
      assert.equal((await env.stack.recent(3))[1].feedback, null, 'the standard answer is not marked');

      // At the top of the order: a clear error, and nothing is sent.
      const sent = (await env.stack.mock.requests()).length;
      await askFromPalette(`${DEEP_MODEL} · deep tier · asked again: standard → deep`);
      await wb.page.locator('.notification-toast-container .notification-list-item', { hasText: `already went to "deep", the strongest tier in "escalation"` }).first().waitFor({ timeout: 10_000 });
      assert.equal((await env.stack.mock.requests()).length, sent, 'nothing went upstream');
      assert.equal((await env.stack.recent(1))[0].id, third.id, 'no ledger row');
      await leaveClean(ctx);
    },
  },
  {
    name: 'escalation: a refactor proposal offers a stronger model beside Apply/Discard — its proposal replaces the first; marking it overkill keeps it open',
    timeoutMs: 120_000,
    async run(ctx) {
      const { wb, env } = ctx;
      const { mock } = env.stack;
      const FILE = 'refactor-me.ts';
      const BEFORE = 'export const answer: number = 40 + 2;';
      const AFTER = 'export const answer = 42;';
      const path = join(env.workspace, FILE);
      writeFileSync(path, `// Refactor me.\n${BEFORE}\n`);
      const question = () => wb.page.locator('.notification-toast-container .notification-list-item', { hasText: `apply the proposed change (Refactor) to ${FILE}?` }).first();
      const diffTab = wb.page.locator('.tabs-container .tab', { hasText: `${FILE} ↔ Switchyard: Refactor` });
      try {
        await mock.reset();
        await mock.reply({ text: `Simpler:\n\n\`\`\`ts\n${AFTER}\n\`\`\`\n`, deltas: 3 });
        await closeEditors(ctx);
        await wb.openFile(FILE);
        await wb.selectLine(2);
        await wb.runCommand('Switchyard: Refactor Selection…');
        const box = wb.quickInput();
        await box.locator('.quick-input-title', { hasText: 'Switchyard: Refactor Selection' }).waitFor({ timeout: 10_000 });
        await box.locator('.quick-input-box input').fill('fold the constant');
        await until('the decision for the refactor', async () => norm(await box.locator('.quick-input-message').innerText()).includes(STANDARD_MODEL) ? true : null, 15_000);
        await box.locator('.quick-input-box input').press('Enter');

        await diffTab.waitFor({ timeout: 20_000 });
        await question().waitFor({ timeout: 10_000 });
        const [first] = await env.stack.recent(1);
        assert.deepEqual([first.model, first.tier, first.task], [STANDARD_MODEL, 'standard', 'refactor']);
        const buttons = (await question().getByRole('button').allInnerTexts()).map(norm);
        assert.deepEqual(buttons.filter((b) => ['Apply', 'Discard', 'Stronger Model', 'Overkill'].includes(b)), ['Apply', 'Discard', 'Stronger Model', 'Overkill']);
        assert.match(norm(await question().innerText()), /Or ask a stronger model, or mark this answer overkill\./);
        await ctx.shot('escalation-proposal');
        await question().getByRole('button', { name: 'Stronger Model' }).click();

        // The deep tier's model answers; its proposal opens in a new diff with the same question.
        const second = await until('the stronger model\'s proposal', async () => {
          const [e] = await env.stack.recent(1);
          return e && e.id !== first.id && e.status === 'ok' ? e : null;
        }, 30_000);
        assert.deepEqual([second.model, second.tier, second.rule, second.escalatedFrom], [DEEP_MODEL, 'deep', 'escalation: standard → deep', first.id]);
        await diffTab.waitFor({ timeout: 20_000 });
        await question().waitFor({ timeout: 10_000 });

        // Mark as Overkill: recorded, and the proposal stays open to apply or discard (without the mark button).
        await question().getByRole('button', { name: 'Overkill' }).click();
        await until('the overkill mark in the ledger', async () => ((await env.stack.recent(1))[0].feedback === 'overkill' ? true : null), 10_000);
        await until('the question back without the mark button', async () => {
          const q = question();
          if (!(await q.isVisible().catch(() => false))) return null;
          const names = (await q.getByRole('button').allInnerTexts()).map(norm);
          return names.includes('Apply') && names.includes('Stronger Model') && !names.includes('Overkill') ? true : null;
        }, 10_000);
        await question().getByRole('button', { name: 'Discard' }).click();
        await diffTab.waitFor({ state: 'hidden', timeout: 10_000 });
        assert.equal(norm(await wb.editorText()).includes(BEFORE), true, 'nothing was applied');
      } finally {
        await mock.reset();
        await leaveClean(ctx).catch(() => {});
        rmSync(path, { force: true });
      }
    },
  },
];
