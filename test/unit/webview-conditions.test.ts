/** Condition and target form models: every condition type round-trips through its form, and through the text. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'jsonc-parser';
import {
  CLAUSE_CHOICES, clauseToValue, conditionToForm, namesFromText, summarizeCondition, switchTargetMode, targetToForm, targetToValue,
} from '../../extension/webviews/rulesEditor/conditions';
import { applyDraftOp, ops } from '../../extension/webviews/rulesEditor/draft';
import { Condition, CONDITION_KEYS } from '../../shared/config';
import { RULES_TEXT } from '../fixtures/webview-harness/data';

const EVERY_KIND = {
  task: 'classification',
  source: ['palette', 'codeAction'],
  urgency: 'high',
  language: ['typescript'],
  prompt: { regex: '^(thanks|ok)\\b', flags: 'i' },
  inputTokens: { '>': 4000 },
  maxOutputTokens: { '>=': 100, '<': 2000 },
  estimatedCostUsd: { '<=': 0.01 },
  latencyBudgetMs: { '==': 500 },
  spentTodayUsd: { '>=': 8 },
  spentMonthUsd: { '>': 150 },
  hasTools: true,
  hasImages: false,
  turns: { '>=': 3 },
  lastIsToolResult: true,
  client: ['claude-cli', 'codex'],
  reasoning: 'high',
  classifier: { tier: 'deep', minConfidence: 0.5 },
  'metadata.team': 'infra',
  'metadata.tier': ['gold', 'silver'],
  'metadata.size': { '>': 3 },
  all: [{ task: 'refactor' }, { any: [{ source: 'http' }, { not: { urgency: ['low', 'normal'] } }] }],
  any: [
    { prompt: { contains: ['TODO', 'FIXME'], caseSensitive: true } }, { prompt: { contains: 'hello' } }, { reasoning: ['low', 'enabled'], client: 'cline' },
    { classifier: { tier: ['standard', 'deep'], minConfidence: 0.35 } }, { classifier: { tier: 'fast' } }, { classifier: { tier: ['deep'] } },
  ],
  not: { language: 'markdown' },
};

describe('condition forms', () => {
  test('the fixture is a valid condition (so the round trip covers real shapes)', () => {
    assert.equal(Condition.safeParse(EVERY_KIND).success, true);
  });

  test('every clause round-trips exactly: value → form → value', () => {
    const forms = conditionToForm(EVERY_KIND);
    assert.deepEqual(forms.map((f) => f.key), Object.keys(EVERY_KIND));
    assert.deepEqual(forms.map((f) => f.kind), [
      'names', 'names', 'urgency', 'names', 'prompt', 'comparison', 'comparison', 'comparison', 'comparison', 'comparison', 'comparison',
      'flag', 'flag', 'comparison', 'flag', 'names', 'reasoning', 'classifier', 'metadata', 'metadata', 'metadata', 'group', 'group', 'not',
    ]);
    for (const f of forms) assert.deepEqual(clauseToValue(f), (EVERY_KIND as Record<string, unknown>)[f.key], f.key);
    // Nested conditions too.
    for (const branch of [EVERY_KIND.all[1], ...EVERY_KIND.any]) {
      for (const f of conditionToForm(branch)) {
        assert.ok(f.kind !== 'raw', f.key);
        assert.deepEqual(clauseToValue(f), (branch as Record<string, unknown>)[f.key], f.key);
      }
    }
  });

  test('form edits written into the text read back as the same condition', () => {
    let text = RULES_TEXT;
    for (const f of conditionToForm(EVERY_KIND)) text = applyDraftOp(text, ops.addCondition(['rules', 0, 'if'], f.key, clauseToValue(f)));
    assert.deepEqual(parse(text).rules[0].if, EVERY_KIND); // the first clause (task) replaced the rule's own task
    assert.match(text, /\/\/ Cheap things first\./);
    // And edited clause by clause (a list grows, a range gains a bound, a regex changes flags).
    const task = conditionToForm({ task: 'a' })[0];
    assert.equal(task.kind, 'names');
    text = applyDraftOp(text, ops.setField(['rules', 0, 'if', 'task'], namesFromText('a, b', task.kind === 'names' && task.asList)));
    const [prompt] = conditionToForm({ prompt: EVERY_KIND.prompt });
    assert.ok(prompt.kind === 'prompt' && prompt.mode === 'regex');
    text = applyDraftOp(text, ops.setField(['rules', 0, 'if', 'prompt'], clauseToValue({ ...prompt, flags: 'im' })));
    const back = parse(text).rules[0].if;
    assert.deepEqual(back.task, ['a', 'b']);
    assert.deepEqual(back.prompt, { regex: '^(thanks|ok)\\b', flags: 'im' });
    assert.equal(Condition.safeParse(back).success, true);
  });

  test('lists: one value stays a string unless it was a list; blanks are dropped', () => {
    assert.equal(namesFromText(' chat ', false), 'chat');
    assert.deepEqual(namesFromText('chat', true), ['chat']);
    assert.deepEqual(namesFromText('a,, b ,', false), ['a', 'b']);
    assert.equal(namesFromText(' , ', false), undefined);
    assert.deepEqual(namesFromText('x, y\nz', false, /\n/), ['x, y', 'z']);
  });

  test('shapes the form cannot edit are kept as raw clauses (never lost)', () => {
    const forms = conditionToForm({ task: 3, prompt: { regex: 'a', contains: 'b' }, bogus: true, inputTokens: { '~': 1 }, hasTools: 'yes', reasoning: ['high', 'extreme'], turns: 2 });
    assert.deepEqual(forms.map((f) => f.kind), ['raw', 'raw', 'raw', 'raw', 'raw', 'raw', 'raw']);
    for (const f of forms) assert.deepEqual(clauseToValue(f), f.kind === 'raw' ? f.value : undefined);
    assert.deepEqual(conditionToForm('nope'), []);
  });

  test('classifier: the tiers and the optional minimum confidence round-trip; other shapes stay raw (as the schema rejects them)', () => {
    const valid = [
      { tier: 'deep', minConfidence: 0.5 }, { tier: 'fast' }, { tier: ['deep'] }, { tier: ['fast', 'standard'], minConfidence: 0 },
      { tier: ['standard', 'deep'], minConfidence: 1 }, { minConfidence: 0.25, tier: 'standard' },
    ];
    for (const value of valid) {
      assert.equal(Condition.safeParse({ classifier: value }).success, true, JSON.stringify(value));
      const [f] = conditionToForm({ classifier: value });
      assert.equal(f.kind, 'classifier', JSON.stringify(value));
      assert.deepEqual(clauseToValue(f), value);
    }
    const [deep] = conditionToForm({ classifier: { tier: 'deep', minConfidence: 0.5 } });
    assert.deepEqual(deep, { kind: 'classifier', key: 'classifier', values: ['deep'], asList: false, minConfidence: 0.5 });
    // Edits the form makes: a second tier makes a list, clearing the confidence drops the key.
    assert.ok(deep.kind === 'classifier');
    assert.deepEqual(clauseToValue({ ...deep, values: ['standard', 'deep'], asList: true }), { tier: ['standard', 'deep'], minConfidence: 0.5 });
    assert.deepEqual(clauseToValue({ ...deep, minConfidence: undefined }), { tier: 'deep' });
    const invalid = [
      'deep', ['deep'], {}, { tier: 'huge' }, { tier: [] }, { tier: ['deep', 'huge'] }, { tier: 'deep', minConfidence: 1.5 },
      { tier: 'deep', minConfidence: -0.1 }, { tier: 'deep', minConfidence: '0.5' }, { tier: 'deep', minConfidence: null }, { tier: 'deep', extra: 1 }, { tier: 3 },
    ];
    for (const value of invalid) {
      assert.equal(Condition.safeParse({ classifier: value }).success, false, `the schema rejects ${JSON.stringify(value)}`);
      const [f] = conditionToForm({ classifier: value });
      assert.equal(f.kind, 'raw', JSON.stringify(value));
      assert.deepEqual(clauseToValue(f), value);
    }
  });

  test('every "Add condition" starting value is valid on its own', () => {
    for (const c of CLAUSE_CHOICES) {
      if (c.key === 'metadata.') { assert.equal(Condition.safeParse({ 'metadata.key': 'value' }).success, true); continue; }
      if (c.key === 'all' || c.key === 'any' || c.key === 'not') continue; // their branches start empty on purpose: the form asks for one
      assert.equal(Condition.safeParse({ [c.key]: c.initial }).success, true, c.key);
    }
  });

  test('"Add condition" offers every condition the schema knows (the editor\'s lists cannot drift from CONDITION_KEYS)', () => {
    const offered = CLAUSE_CHOICES.map((c) => c.key).filter((k) => k !== 'metadata.');
    assert.deepEqual([...offered].sort(), [...CONDITION_KEYS].sort());
  });

  test('summaries read like the rule', () => {
    assert.equal(summarizeCondition({ task: ['refactor', 'tests'], inputTokens: { '>': 4000 } }), 'task is one of refactor, tests and inputTokens > 4000');
    assert.equal(summarizeCondition({ any: [{ 'metadata.team': 'infra' }, { not: { urgency: 'low' } }] }), 'any(metadata.team is infra | not(urgency is low))');
    assert.equal(summarizeCondition({ prompt: { regex: '^hi', flags: 'i' } }), 'prompt matches /^hi/i');
    assert.equal(summarizeCondition({}), 'always');
    assert.equal(summarizeCondition({ hasTools: true, lastIsToolResult: false, turns: { '>': 2 } }), 'has tools and last message is not a tool result and turns > 2');
    assert.equal(summarizeCondition({ hasImages: false, client: ['codex', 'cline'], reasoning: 'high' }), 'has no images and client is one of codex, cline and reasoning is high');
    assert.equal(summarizeCondition({ classifier: { tier: 'deep', minConfidence: 0.5 } }), 'classifier P(deep) ≥ 0.50');
    assert.equal(summarizeCondition({ classifier: { tier: ['standard', 'deep'], minConfidence: 0.4 } }), 'classifier P(standard + deep) ≥ 0.40');
    assert.equal(summarizeCondition({ task: 'explain', classifier: { tier: ['fast', 'standard'] } }), 'task is explain and classifier says fast or standard');
  });
});

describe('target forms', () => {
  const tiers = ['fast', 'standard'];
  const models = ['mini', 'sonnet'];
  const tierModels = { fast: ['mini'], standard: ['sonnet', 'mini'] };

  test('tier, model, list and unknown names', () => {
    assert.deepEqual(targetToForm('fast', tiers, models), { mode: 'tier', name: 'fast', known: true });
    assert.deepEqual(targetToForm('sonnet', tiers, models), { mode: 'model', name: 'sonnet', known: true });
    assert.deepEqual(targetToForm(['sonnet', 'mini'], tiers, models), { mode: 'list', models: ['sonnet', 'mini'] });
    assert.deepEqual(targetToForm('huge', tiers, models), { mode: 'tier', name: 'huge', known: false });
    for (const t of ['fast', 'sonnet', ['mini']]) assert.deepEqual(targetToValue(targetToForm(t, tiers, models)), t);
  });

  test('switching kinds starts from something sensible', () => {
    assert.deepEqual(switchTargetMode(targetToForm('standard', tiers, models), 'list', tiers, models, tierModels), ['sonnet', 'mini']);
    assert.equal(switchTargetMode(targetToForm('standard', tiers, models), 'model', tiers, models, tierModels), 'sonnet');
    assert.equal(switchTargetMode(targetToForm(['mini', 'sonnet'], tiers, models), 'model', tiers, models, tierModels), 'mini');
    assert.equal(switchTargetMode(targetToForm('mini', tiers, models), 'tier', tiers, models, tierModels), 'fast');
    assert.deepEqual(switchTargetMode(targetToForm('mini', tiers, models), 'list', tiers, models, tierModels), ['mini']);
  });
});
