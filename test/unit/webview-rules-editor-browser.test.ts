/** The rules editor's real bundle and HTML in real Chromium, with a stub acquireVsCodeApi (and once with the real host session). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'jsonc-parser';
import { applyDraftOp } from '../../extension/webviews/rulesEditor/draft';
import { RulesEditorSession } from '../../extension/webviews/rulesEditor/session';
import type { DraftOp } from '../../shared/webview';
import type { Methods, MethodName } from '../../shared/protocol';
import { browserSkipReason, useChromiumViews, type View } from '../fixtures/webview-harness/harness';
import { decision, replayResult, RULES_TEXT } from '../fixtures/webview-harness/data';

const skip = browserSkipReason();
if (skip) console.log(`# ${skip}`);

const FILE = '/home/u/.switchyard/rules.json';
type Posted = { type: string; op?: { kind: string; path: unknown[]; value?: unknown; from?: unknown; to?: unknown; index?: number }; version?: number; [k: string]: unknown };

describe('rules editor in Chromium', { skip }, () => {
  const views = useChromiumViews();

  async function open(text = RULES_TEXT, version = 1): Promise<View> {
    const v = await views.open('rulesEditor');
    await v.waitForPosted('ready');
    await v.send({ type: 'draft', text, version, dirty: false, file: FILE, stale: false });
    await v.page.waitForSelector('li.rule');
    return v;
  }
  const edits = async (v: View) => (await v.posted() as Posted[]).filter((m) => m.type === 'edit');

  test('renders the rules, their conditions and targets, tiers, models and providers from the draft', async () => {
    const v = await open();
    const { page } = v;
    assert.deepEqual(await page.locator('li.rule input.name').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
      ['classification is cheap', 'small talk', 'big context', 'team']);
    assert.equal(await page.inputValue('[data-focus="rules[0].if.task"]'), 'classification');
    assert.equal(await page.inputValue('[data-focus="rules[1].if.prompt.regex"]'), '^(thanks|ok)\\b');
    assert.equal(await page.isChecked('[data-focus="rules[1].if.prompt:flag-i"]'), true);
    assert.equal(await page.inputValue('[data-focus="rules[1].if.prompt:mode"]'), 'regex');
    assert.equal(await page.inputValue('[data-focus="rules[2].if.inputTokens:op0"]'), '>');
    assert.equal(await page.inputValue('[data-focus="rules[2].if.inputTokens.>"]'), '4000');
    // Nested combinators: any → [metadata.team, not → urgency].
    assert.equal(await page.inputValue('[data-focus="rules[3].if.any[0]:meta:team"]'), 'team');
    assert.equal(await page.inputValue('[data-focus="rules[3].if.any[0].metadata.team"]'), 'infra');
    assert.equal(await page.isChecked('[data-focus="rules[3].if.any[1].not.urgency:low"]'), true);
    assert.equal(await page.isChecked('[data-focus="rules[3].if.any[1].not.urgency:high"]'), false);
    // Targets: tier, list, model; and the default.
    assert.equal(await page.inputValue('[data-focus="rules[0].then:mode"]'), 'tier');
    assert.equal(await page.inputValue('[data-focus="rules[0].then"]'), 'fast');
    assert.equal(await page.inputValue('[data-focus="rules[2].then:mode"]'), 'list');
    assert.equal(await page.inputValue('[data-focus="rules[2].then[0]"]'), 'sonnet');
    assert.equal(await page.inputValue('[data-focus="rules[3].then:mode"]'), 'model');
    assert.equal(await page.inputValue('[data-focus="default"]'), 'standard');
    assert.equal(await page.inputValue('[data-focus="tiers.standard:name"]'), 'standard');
    assert.equal(await page.inputValue('[data-focus="tiers.standard[1]"]'), 'mini');
    assert.equal(await page.inputValue('[data-focus="models.sonnet.id"]'), 'claude-3-5-sonnet-20241022');
    assert.equal(await page.inputValue('[data-focus="providers.openai.type"]'), 'openai');
    assert.equal(await page.inputValue('[data-focus="budgets.dailyUsd"]'), '10');
    assert.equal(await page.inputValue('[data-focus="budgets.monthlyUsd"]'), '');
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });

  test('validation issues appear next to their fields, and stale issues are ignored', async () => {
    const v = await open();
    const { page } = v;
    await v.send({ type: 'issues', version: 0, issues: [{ severity: 'error', code: 'x', message: 'old news', path: 'rules[0].then' }] });
    await v.send({ type: 'issues', version: 1, issues: [
      { severity: 'error', code: 'unknown-tier', message: 'rule "big context": "then" names "huge"', path: 'rules[2].then', rule: 'big context' },
      { severity: 'error', code: 'invalid-regex', message: 'bad regex', path: 'rules[1].if.prompt.regex', rule: 'small talk' },
      { severity: 'warning', code: 'alias', message: 'metadata check', path: 'rules[3].if.any[0].metadata.team', rule: 'team' },
      { severity: 'warning', code: 'shadowed-rule', message: 'can never match', rule: 'team' },
    ] });
    await page.waitForSelector('[data-path="rules[2].then"] > .issues .issue');
    assert.match(await page.textContent('[data-path="rules[2].then"] > .issues') ?? '', /names "huge"/);
    assert.match(await page.textContent('[data-path="rules[1].if.prompt.regex"] > .issues') ?? '', /bad regex/);
    assert.equal(await page.getAttribute('[data-focus="rules[1].if.prompt.regex"]', 'aria-invalid'), 'true');
    assert.match(await page.textContent('[data-path="rules[3].if.any[0].metadata.team"] > .issues') ?? '', /metadata check/);
    assert.match(await page.textContent('[data-path="rules[3]"] > .issues') ?? '', /can never match/);
    assert.match(await page.textContent('.problems-box summary') ?? '', /2 errors, 2 warnings/);
    assert.match(await page.textContent('.toolbar .status') ?? '', /2 errors, 2 warnings/);
    assert.doesNotMatch(await page.textContent('.editor') ?? '', /old news/);
    await page.close();
  });

  test('form edits post the right DraftOps: rename, list values, add condition, reorder by button and keyboard', async () => {
    const v = await open();
    const { page } = v;
    await page.fill('[data-focus="rules[0].name"]', 'cheap classification');
    await page.press('[data-focus="rules[0].name"]', 'Enter');
    await page.fill('[data-focus="rules[0].if.task"]', 'classification, tagging');
    await page.press('[data-focus="rules[0].if.task"]', 'Tab');
    let e = await edits(v);

    assert.deepEqual(e[0], { type: 'edit', op: { kind: 'set', path: ['rules', 0, 'name'], value: 'cheap classification' }, version: 1 });
    assert.deepEqual(e[1].op, { kind: 'set', path: ['rules', 0, 'if', 'task'], value: ['classification', 'tagging'] });
    await page.selectOption('[data-focus="rules[0].if:add"]', 'inputTokens');
    e = await edits(v);
    assert.deepEqual(e[2].op, { kind: 'set', path: ['rules', 0, 'if', 'inputTokens'], value: { '>': 4000 } });
    await page.check('[data-focus="rules[3].if.any[1].not.urgency:high"]');
    e = await edits(v);
    assert.deepEqual(e[3].op, { kind: 'set', path: ['rules', 3, 'if', 'any', 1, 'not', 'urgency'], value: ['low', 'normal', 'high'] });
    await page.selectOption('[data-focus="rules[2].if.inputTokens:op0"]', '>=');
    e = await edits(v);
    assert.deepEqual(e[4].op, { kind: 'renameKey', path: ['rules', 2, 'if', 'inputTokens'], from: '>', to: '>=' });
    await page.selectOption('[data-focus="rules[0].then:mode"]', 'list');
    e = await edits(v);
    assert.deepEqual(e[5].op, { kind: 'set', path: ['rules', 0, 'then'], value: ['mini'] }, 'a tier switched to a list starts from its models');
    // Reorder: button, then (after the host answers) keyboard. A move waits for the host's answer to the
    // previous edit (the stub host answered nothing so far), so a held Alt+↓ never acts on a stale index.
    await page.click('[data-focus="rules[0]:down"]');
    assert.equal((await edits(v)).length, 6, 'no move while an edit is unanswered');
    await v.send({ type: 'draft', text: RULES_TEXT, version: 1, dirty: false, file: FILE, stale: false });
    await page.click('[data-focus="rules[0]:down"]');
    e = await edits(v);
    assert.deepEqual(e[6].op, { kind: 'move', path: ['rules'], from: 0, to: 1 });
    const moved = `// Team rules — first match wins\n${JSON.stringify({ ...parse(RULES_TEXT), rules: [parse(RULES_TEXT).rules[1], parse(RULES_TEXT).rules[0], ...parse(RULES_TEXT).rules.slice(2)] }, null, 2)}`;
    await v.send({ type: 'draft', text: moved, version: 2, dirty: true, file: FILE, stale: false });
    await page.waitForFunction(() => (document.querySelector('[data-focus="rules[1].name"]') as HTMLInputElement | null)?.value === 'classification is cheap');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-focus')), 'rules[1]:down', 'focus follows the moved rule');
    await page.keyboard.press('Alt+ArrowDown');
    e = await edits(v);
    assert.deepEqual(e[7], { type: 'edit', op: { kind: 'move', path: ['rules'], from: 1, to: 2 }, version: 2 });
    // Ctrl+S saves.
    await page.keyboard.press('Control+s');
    await v.waitForPosted('save');
    assert.match(await page.textContent('.toolbar') ?? '', /Unsaved changes/);
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });

  test('a classifier clause, with the keyboard only: added from "Add condition…", tiers and minimum confidence edited', async () => {
    let text = RULES_TEXT;
    let version = 1;
    const v = await open(text, version);
    const { page } = v;
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-focus'));
    // Play the host: apply the last edit to the text and send the new draft back.
    const answer = async () => {
      const e = await edits(v);
      text = applyDraftOp(text, e[e.length - 1].op as DraftOp);
      version += 1;
      await v.send({ type: 'draft', text, version, dirty: true, file: FILE, stale: false });
    };
    // Arrow keys and type-ahead on the closed menu only pick; Enter adds.
    await page.focus('[data-focus="rules[0].if:add"]');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.type('clas');
    assert.equal(await page.inputValue('[data-focus="rules[0].if:add"]'), 'classifier');
    assert.equal((await edits(v)).length, 0, 'picking adds nothing');
    await page.keyboard.press('Enter');
    let e = await edits(v);
    assert.deepEqual(e.map((m) => m.op), [{ kind: 'set', path: ['rules', 0, 'if', 'classifier'], value: { tier: 'deep', minConfidence: 0.5 } }]);
    await answer();
    await page.waitForSelector('[data-focus="rules[0].if.classifier:deep"]');
    assert.equal(await focused(), 'rules[0].if.classifier:deep', 'focus goes to the new clause');
    const clause = page.locator('[data-path="rules[0].if.classifier"]');
    assert.equal(await clause.locator('.clause-key').textContent(), 'classifier');
    assert.equal(await clause.locator('[role="group"]').getAttribute('aria-label'), 'classifier tier is one of');
    assert.deepEqual(await Promise.all(['fast', 'standard', 'deep'].map((t) => page.isChecked(`[data-focus="rules[0].if.classifier:${t}"]`))), [false, false, true]);
    const min = '[data-focus="rules[0].if.classifier.minConfidence"]';
    assert.equal(await page.inputValue(min), '0.5');
    assert.match(await page.getAttribute(min, 'aria-label') ?? '', /minimum confidence/);
    assert.match(await clause.locator('.hint').textContent() ?? '', /P\(deep\) ≥ 0\.5/);
    // Shift+Tab to "standard", Space: a second tier makes a list (only `tier` is rewritten).
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'rules[0].if.classifier:standard');
    await page.keyboard.press('Space');
    e = await edits(v);
    assert.deepEqual(e[1].op, { kind: 'set', path: ['rules', 0, 'if', 'classifier', 'tier'], value: ['standard', 'deep'] });
    await answer();
    await page.waitForFunction(() => (document.querySelector('[data-focus="rules[0].if.classifier:standard"]') as HTMLInputElement | null)?.checked === true);
    assert.equal(await focused(), 'rules[0].if.classifier:standard');
    // Tab past "deep" to the confidence; type a new one, Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await focused(), 'rules[0].if.classifier.minConfidence');
    await page.keyboard.press('Control+a');
    await page.keyboard.type('0.35');
    await page.keyboard.press('Enter');
    e = await edits(v);
    assert.deepEqual(e[2].op, { kind: 'set', path: ['rules', 0, 'if', 'classifier', 'minConfidence'], value: 0.35 });
    await answer();
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLInputElement | null)?.value === '0.35', min);
    // Out of range is clamped; empty means "the likeliest tier" (the key goes).
    await page.keyboard.press('Control+a');
    await page.keyboard.type('7');
    await page.keyboard.press('Enter');
    e = await edits(v);
    assert.deepEqual(e[3].op, { kind: 'set', path: ['rules', 0, 'if', 'classifier', 'minConfidence'], value: 1 });
    await answer();
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLInputElement | null)?.value === '1', min);
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Enter');
    e = await edits(v);
    assert.deepEqual(e[4].op, { kind: 'remove', path: ['rules', 0, 'if', 'classifier', 'minConfidence'] });
    await answer();
    await page.waitForFunction((sel) => (document.querySelector(sel) as HTMLInputElement | null)?.placeholder === 'likeliest', min);
    assert.equal(await page.inputValue(min), '');
    assert.match(await clause.locator('.hint').textContent() ?? '', /the likeliest tier is standard or deep/);
    assert.match(await page.textContent('[data-path="rules[0]"] .rule-summary') ?? '', /classifier says standard or deep/);
    assert.deepEqual(parse(text).rules[0].if, { task: 'classification', classifier: { tier: ['standard', 'deep'] } });
    assert.match(text, /\/\/ Cheap things first\./);
    // The last tier checked cannot be unchecked (a condition needs one).
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Space'); // deep off
    e = await edits(v);
    assert.deepEqual(e[5].op, { kind: 'set', path: ['rules', 0, 'if', 'classifier', 'tier'], value: ['standard'] });
    await answer();
    await page.waitForFunction(() => (document.querySelector('[data-focus="rules[0].if.classifier:deep"]') as HTMLInputElement | null)?.checked === false);
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'rules[0].if.classifier:standard');
    await page.keyboard.press('Space');
    assert.equal((await edits(v)).length, 6, 'no edit');
    assert.equal(await page.isChecked('[data-focus="rules[0].if.classifier:standard"]'), true);
    // A shape the form cannot edit falls back to the raw clause.
    await v.send({ type: 'draft', text: text.replace('"tier": ["standard"]', '"tier": "huge"'), version: version + 1, dirty: true, file: FILE, stale: false });
    await page.waitForSelector('[data-path="rules[0].if.classifier"].clause-raw');
    assert.match(await page.textContent('[data-path="rules[0].if.classifier"] .raw') ?? '', /"tier":"huge"/);
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });

  test('Try a prompt posts a dry run and renders the decision with its trace', async () => {
    const v = await open();
    const { page } = v;
    await page.fill('#try-prompt', 'thanks!');
    await page.fill('#try-task', 'chat');
    await page.selectOption('#try-urgency', 'high');
    await page.click('#try-run');
    const [run] = await v.waitForPosted('dryRun');
    assert.deepEqual(run.request, { prompt: 'thanks!', task: 'chat', urgency: 'high' });
    await v.send({ type: 'busy', what: 'dryRun' });
    await v.send({ type: 'dryRunResult', version: 1, decision: decision(), issues: [] });
    await page.waitForSelector('[data-result="decision"]');
    assert.equal(await page.textContent('[data-result="decision"] .model'), 'gpt-4o-mini-2024-07-18');
    assert.equal(await page.textContent('[data-result="decision"] .cost'), '≈$0.00012');
    assert.equal(await page.textContent('[data-result="decision"] .latency'), '≈0.7 s');
    assert.equal(await page.textContent('[data-result="decision"] .decision-rule'), '"small talk"');
    const rows = page.locator('ol.trace li');
    assert.equal(await rows.count(), 4);
    assert.match(await rows.nth(0).getAttribute('class') ?? '', /failed/);
    assert.equal(await rows.nth(0).locator('.mark').textContent(), '✗');
    assert.equal(await rows.nth(0).locator('.expected').textContent(), '"classification"');
    assert.equal(await rows.nth(0).locator('.actual').textContent(), '"chat"');
    assert.equal(await rows.nth(1).locator('.mark').textContent(), '✓');
    assert.match(await rows.nth(2).textContent() ?? '', /big context.*not reached/);
    // The inputs and the result survive a reload of the webview (setState).
    const st = await v.state() as { tryInputs: { prompt: string }; dryRun: unknown };
    assert.equal(st.tryInputs.prompt, 'thanks!');
    assert.ok(st.dryRun);
    // A draft change marks the result stale.
    await v.send({ type: 'draft', text: RULES_TEXT.replace('"fast":     ["mini"]', '"fast": ["mini", "sonnet"]'), version: 2, dirty: true, file: FILE, stale: false });
    await page.waitForSelector('#try-result .stale-note');
    // An invalid draft answers with issues instead of a decision.
    await v.send({ type: 'dryRunResult', version: 2, decision: null, issues: [{ severity: 'error', code: 'schema', message: 'default: missing required "default"' }] });
    await page.waitForSelector('[data-result="invalid"]');
    assert.match(await page.textContent('[data-result="invalid"]') ?? '', /missing required "default"/);
    await page.close();
  });

  test('the dry run shows the classifier\'s verdict (tier, a bar per tier, what weighed most) and a failed classifier condition in words', async () => {
    const v = await open();
    const { page } = v;
    await page.fill('#try-prompt', 'why can this deadlock?');
    await page.click('#try-run');
    await v.waitForPosted('dryRun');
    // Without a verdict: the empty state.
    await v.send({ type: 'dryRunResult', version: 1, decision: decision(), issues: [] });
    await page.waitForSelector('[data-result="decision"] [data-verdict="none"]');
    assert.match(await page.textContent('[data-verdict="none"]') ?? '', /No verdict/);
    const actual = 'standard (fast 0.08 · standard 0.71 · deep 0.21)';
    await v.send({ type: 'dryRunResult', version: 1, issues: [], decision: decision({
      trace: [
        { rule: 'classification is cheap', index: 0, matched: false, failed: { path: 'if.classifier', expected: { tier: 'deep', minConfidence: 0.5 }, actual } },
        { rule: 'small talk', index: 1, matched: true },
      ],
      verdict: {
        tier: 'standard', confidence: 0.71, probabilities: { fast: 0.08, standard: 0.71, deep: 0.21 },
        features: [{ feature: 'why can', weight: 1.24 }, { feature: 'code:mutex', weight: 0.42 }, { feature: 'paste.threaddump', weight: -0.31 }],
      },
    }) });
    await page.waitForSelector('[data-verdict="standard"]');
    assert.equal(await page.textContent('.verdict .verdict-tier'), 'standard');
    assert.match(await page.textContent('.verdict .verdict-head') ?? '', /71 % confident/);
    const probs = page.locator('.verdict-probs li');
    assert.deepEqual(await probs.evaluateAll((els) => els.map((e) => [e.getAttribute('data-tier'), e.querySelector('.prob-value')?.textContent, e.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow'), e.classList.contains('chosen')])),
      [['fast', '8 %', '8', false], ['standard', '71 %', '71', true], ['deep', '21 %', '21', false]]);
    assert.equal(await page.locator('.prob[data-tier="standard"] .fill').evaluate((el) => (el as HTMLElement).style.width), '71%');
    assert.deepEqual(await page.locator('.verdict-features li').evaluateAll((els) => els.map((e) => e.textContent)), ['why can+1.24', 'code:mutex+0.42', 'paste.threaddump−0.31']);
    assert.equal(await page.locator('.verdict-features .weight.negative').count(), 1);
    const row = page.locator('ol.trace li').nth(0);
    assert.equal(await row.locator('.expected').textContent(), 'deep ≥ 0.50');
    assert.equal(await row.locator('.actual').textContent(), actual);
    assert.match(await row.textContent() ?? '', /if\.classifier: expected deep ≥ 0\.50, got standard \(fast 0\.08 · /);
    assert.deepEqual(await v.problems(), []);
    await page.close();
  });

  test('Replay posts the window and renders draft vs spent; banners offer next steps', async () => {
    const v = await open();
    const { page } = v;
    await page.click('#replay-run');
    const [rp] = await v.waitForPosted('replay');
    assert.equal(rp.days, 7);
    await v.send({ type: 'replayResult', version: 1, days: 7, result: replayResult });
    await page.waitForSelector('[data-result="replay"]');
    assert.match(await page.textContent('[data-result="replay"] .headline') ?? '', /\$0\.80 less \(-25 %\) over 120 requests/);
    assert.equal(await page.textContent('[data-result="replay"] .actual'), '$3.20');
    assert.equal(await page.textContent('[data-result="replay"] .replay-cost'), '$2.40');
    assert.match(await page.textContent('[data-result="replay"] .changed') ?? '', /17 of 120 requests change tier/);
    assert.match(await page.textContent('[data-result="replay"] .skipped') ?? '', /4 skipped: 4 without a completed answer/);
    // Changed on disk while dirty → banner; Reload posts reload.
    await v.send({ type: 'externalChange', file: FILE });
    await page.waitForSelector('[data-banner="external"]');
    await page.click('[data-banner="external"] .btn.primary');
    await v.waitForPosted('reload');
    assert.equal(await page.locator('[data-banner="external"]').count(), 0);
    // Disconnected → Restart Daemon.
    await v.send({ type: 'disconnected' });
    await page.click('[data-banner="disconnected"] [data-command="switchyard.restartDaemon"]');
    const [cmd] = await v.waitForPosted('runCommand');
    assert.equal(cmd.command, 'switchyard.restartDaemon');
    // A refused edit says so.
    await v.send({ type: 'error', context: 'edit', code: 'E_DRAFT_CONFLICT', message: '"mini" already exists in models' });
    await page.waitForSelector('[data-banner="error"][data-context="edit"]');
    assert.match(await page.textContent('[data-banner="error"]') ?? '', /That change was not applied: "mini" already exists/);
    await page.close();
  });

  test('a draft that does not parse shows where and how to fix it', async () => {
    const v = await views.open('rulesEditor');
    await v.send({ type: 'draft', text: '{\n  "version": 1,\n  "rules": [ { "name": "x" \n}', version: 1, dirty: false, file: FILE, stale: true });
    const { page } = v;
    await page.waitForSelector('[data-banner="syntax"]');
    assert.match(await page.textContent('[data-banner="syntax"]') ?? '', /cannot be parsed — .* at line \d+/);
    await page.click('[data-banner="syntax"] .btn');
    await v.waitForPosted('openFile');
    assert.match(await page.textContent('.toolbar') ?? '', /the daemon uses the last good version/);
    await page.close();
  });

  test('wired to the real host session: a form edit rewrites the draft text, keeping its comments', async () => {
    let text = RULES_TEXT;
    const calls: { method: string; params: unknown }[] = [];
    const daemon = {
      connected: true,
      async request<M extends MethodName>(method: M, params: Methods[M]['params']): Promise<Methods[M]['result']> {
        calls.push({ method, params });
        const results: Partial<{ [K in MethodName]: Methods[K]['result'] }> = {
          'rules.get': { file: FILE, text, issues: [], stale: false },
          'rules.validate': { issues: [] },
          'rules.save': { issues: [], saved: true, file: FILE },
          'rules.dryRun': { issues: [], decision: decision() },
        };
        if (method === 'rules.save') text = (params as { text: string }).text;
        return results[method] as Methods[M]['result'];
      },
    };
    let opened!: (v: View) => void;
    const ready = new Promise<View>((resolve) => { opened = resolve; });
    // The page posts `ready` while it loads; answers wait until the test holds the page.
    const session = new RulesEditorSession({
      daemon, validateDebounceMs: 10,
      post: (m) => ready.then((v) => v.send(m)),
      runCommand: () => undefined, openFile: () => undefined,
    });
    const view = await views.open('rulesEditor', { toHost: (m) => session.handle(m) });
    opened(view);
    const { page } = view;
    await page.waitForSelector('li.rule');
    await page.fill('[data-focus="rules[0].if.task"]', 'classification, spam');
    await page.press('[data-focus="rules[0].if.task"]', 'Enter');
    await page.waitForFunction(() => document.querySelector('.toolbar .dirty') !== null);
    assert.match(session.text!, /"task": \["classification", "spam"\]/);
    assert.match(session.text!, /\/\/ Cheap things first\./);
    assert.match(session.text!, /\/\/ greetings/);
    await page.click('[data-focus="rules[2]:up"]');
    await page.waitForFunction(() => (document.querySelector('[data-focus="rules[1].name"]') as HTMLInputElement).value === 'big context');
    const names = (parse(session.text!) as { rules: { name: string }[] }).rules.map((r) => r.name);
    assert.deepEqual(names, ['classification is cheap', 'big context', 'small talk', 'team']);
    assert.match(session.text!, /"name": "small talk".*\/\/ greetings/, 'the trailing comment moved with its rule');
    await page.waitForFunction(() => document.querySelector('.toolbar .status')?.textContent === 'No problems');
    assert.ok(calls.some((c) => c.method === 'rules.validate' && (c.params as { text: string }).text === session.text));
    await page.click('button:has-text("Save")');
    await page.waitForSelector('[data-banner="saved"]');
    assert.equal(text, session.text);
    assert.equal(await page.locator('.toolbar .dirty').count(), 0);
    assert.deepEqual(await view.problems(), []);
    session.dispose();
    await page.close();
  });
});
