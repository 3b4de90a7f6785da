/** Draft text operations: every form edit keeps the file's comments and formatting. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'jsonc-parser';
import { applyDraftOp, compactJson, detectStyle, DraftError, ops, parseDraft, uniqueName } from '../../extension/webviews/rulesEditor/draft';
import { RULES_TEXT } from '../fixtures/webview-harness/data';
import type { DraftOp } from '../../shared/webview';

const comments = (text: string) => text.match(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g) ?? [];
const names = (text: string) => (parse(text) as { rules: { name: string }[] }).rules.map((r) => r.name);
const apply = (text: string, ...list: DraftOp[]) => list.reduce(applyDraftOp, text);

const COMMENTED = `{
  // top
  "rules": [ // first match wins
    // about a
    { "name": "a", "if": { "task": "x" }, "then": "fast" }, // trailing a
    { "name": "b", "if": { "urgency": "high" }, "then": "fast" },

    /* about c */ { "name": "c", "if": { "urgency": "low" }, "then": "fast" } // trailing c
  ],
  "tiers": { "fast": ["mini"] },
  "empty": []
}`;

describe('draft: comments preserved', () => {
  test('setting values keeps every comment and the untouched lines byte for byte', () => {
    const out = apply(RULES_TEXT,
      ops.setField(['rules', 0, 'name'], 'cheap'),
      ops.setField(['rules', 0, 'if', 'task'], ['classification', 'spam']),
      ops.addCondition(['rules', 2, 'if'], 'urgency', 'high'),
      ops.setField(['budgets', 'monthlyUsd'], 200),
      ops.setField(['default'], 'fast'));
    assert.deepEqual(comments(out), comments(RULES_TEXT));
    const v = parse(out);
    assert.equal(v.rules[0].name, 'cheap');
    assert.deepEqual(v.rules[0].if.task, ['classification', 'spam']);
    assert.deepEqual(v.rules[2].if, { inputTokens: { '>': 4000 }, urgency: 'high' });
    assert.deepEqual(v.budgets, { dailyUsd: 10, monthlyUsd: 200 });
    assert.equal(v.default, 'fast');
    // Lines not edited are untouched.
    const before = RULES_TEXT.split('\n');
    const after = out.split('\n');
    for (const line of ['    "openai":    { "type": "openai",    "apiKeyEnv": "OPENAI_API_KEY" },', '    // Cheap things first.', '  "models": {']) {
      assert.ok(before.includes(line) && after.includes(line), line);
    }
    // One-line rules stay one line, in the file's spacing.
    assert.ok(after.includes('    { "name": "cheap", "if": { "task": ["classification", "spam"] }, "then": "fast" },'), out);
  });

  test('a new member in a multi-line object gets its own line and the siblings\' indentation', () => {
    const out = applyDraftOp(RULES_TEXT, ops.setField(['models', 'haiku'], { provider: 'anthropic', id: 'claude-3-5-haiku-20241022' }));
    assert.match(out, /\n    "sonnet": \{ "provider": "anthropic", "id": "claude-3-5-sonnet-20241022" \},\n    "haiku": \{ "provider": "anthropic", "id": "claude-3-5-haiku-20241022" \}\n  \},/);
    assert.deepEqual(comments(out), comments(RULES_TEXT));
  });

  test('removing a condition or a rule drops only that element (with its own comments)', () => {
    const out = apply(COMMENTED, ops.removeRule(0));
    assert.deepEqual(names(out), ['b', 'c']);
    assert.deepEqual(comments(out), ['// top', '// first match wins', '/* about c */', '// trailing c']);
    const out2 = applyDraftOp(COMMENTED, ops.removeCondition(['rules', 1, 'if'], 'urgency'));
    assert.match(out2, /\{ "name": "b", "if": \{\}, "then": "fast" \},/);
    assert.deepEqual(comments(out2), comments(COMMENTED));
  });

  test('a long value is laid out over several lines at the right indentation', () => {
    const long = { name: 'very long rule name that goes on', if: { all: [{ task: ['refactor', 'tests', 'explain'] }, { inputTokens: { '>': 1000, '<': 8000 } }, { source: 'codeAction' }] }, then: ['sonnet', 'mini'] };
    const out = applyDraftOp(RULES_TEXT, ops.addRule(99, long));
    assert.deepEqual(parse(out).rules[4], long);
    assert.match(out, /\n    \{\n      "name": "very long rule name that goes on",\n      "if": \{\n        "all": \[\n          \{ "task": \["refactor", "tests", "explain"\] \},\n/);
    assert.deepEqual(comments(out), comments(RULES_TEXT));
  });
});

describe('draft: reorder', () => {
  test('moving a rule moves its leading and trailing comments with it; separators stay put', () => {
    const out = applyDraftOp(COMMENTED, ops.moveRule(0, 2));
    assert.deepEqual(names(out), ['b', 'c', 'a']);
    assert.equal(out, `{
  // top
  "rules": [ // first match wins
    { "name": "b", "if": { "urgency": "high" }, "then": "fast" },
    /* about c */ { "name": "c", "if": { "urgency": "low" }, "then": "fast" }, // trailing c

    // about a
    { "name": "a", "if": { "task": "x" }, "then": "fast" } // trailing a
  ],
  "tiers": { "fast": ["mini"] },
  "empty": []
}`);
  });

  test('moving back restores the original text exactly', () => {
    for (const [from, to] of [[0, 2], [2, 0], [1, 0], [0, 1], [1, 2]]) {
      const there = applyDraftOp(COMMENTED, ops.moveRule(from, to));
      assert.equal(applyDraftOp(there, ops.moveRule(to, from)), COMMENTED, `${from}→${to}`);
    }
  });

  test('random reorders always give the right order and keep every comment', () => {
    let text = RULES_TEXT;
    let expected = names(RULES_TEXT);
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let i = 0; i < 40; i++) {
      const from = rnd(expected.length);
      const to = rnd(expected.length);
      text = applyDraftOp(text, ops.moveRule(from, to));
      expected.splice(to, 0, ...expected.splice(from, 1));
      assert.deepEqual(names(text), expected);
      assert.deepEqual(comments(text).sort(), comments(RULES_TEXT).sort());
    }
    expected = [];
  });

  test('single-line lists reorder in place, and a move to the same index changes nothing', () => {
    const text = '{ "tiers": { "standard": ["sonnet", "mini", "gpt4o"] } }';
    assert.equal(applyDraftOp(text, { kind: 'move', path: ['tiers', 'standard'], from: 2, to: 0 }), '{ "tiers": { "standard": ["gpt4o", "sonnet", "mini"] } }');
    assert.equal(applyDraftOp(text, { kind: 'move', path: ['tiers', 'standard'], from: 1, to: 1 }), text);
    assert.throws(() => applyDraftOp(text, { kind: 'move', path: ['tiers', 'standard'], from: 5, to: 0 }), DraftError);
  });

  test('a trailing line comment never swallows the closing bracket', () => {
    const text = '{ "rules": [ { "name": "a" }, // note\n { "name": "b" }] }';
    const out = applyDraftOp(text, ops.moveRule(0, 1));
    assert.deepEqual(parse(out).rules, [{ name: 'b' }, { name: 'a' }]);
    assert.match(out, /\{ "name": "a" \} \/\/ note\n/);
  });
});

describe('draft: insert, remove, rename', () => {
  test('inserting at the front, middle and end of a commented list', () => {
    const rule = { name: 'n', if: { task: 'q' }, then: 'fast' };
    for (const [index, expected] of [[0, ['n', 'a', 'b', 'c']], [1, ['a', 'n', 'b', 'c']], [9, ['a', 'b', 'c', 'n']]] as const) {
      const out = applyDraftOp(COMMENTED, ops.addRule(index, rule));
      assert.deepEqual(names(out), expected);
      assert.deepEqual(comments(out), comments(COMMENTED));
      assert.match(out, /\n    \{ "name": "n", "if": \{ "task": "q" \}, "then": "fast" \}/);
    }
  });

  test('empty containers: a list gets compact elements, a top-level list gets lines', () => {
    assert.match(applyDraftOp(COMMENTED, { kind: 'insert', path: ['empty'], index: 0, value: 'z' }), /"empty": \["z"\]/);
    const out = applyDraftOp('{\n  "version": 1,\n  "rules": []\n}', ops.addRule(0, { name: 'a', if: { task: 'x' }, then: 'fast' }));
    assert.equal(out, '{\n  "version": 1,\n  "rules": [\n    { "name": "a", "if": { "task": "x" }, "then": "fast" }\n  ]\n}');
    assert.equal(applyDraftOp(out, ops.removeRule(0)), '{\n  "version": 1,\n  "rules": []\n}');
    assert.equal(applyDraftOp('{ "a": {} }', ops.setField(['a', 'b'], 1)), '{ "a": { "b": 1 } }');
  });

  test('creating missing parents in one member', () => {
    const out = applyDraftOp(COMMENTED, ops.setField(['budgets', 'dailyUsd'], 5));
    assert.match(out, /"empty": \[\],\n  "budgets": \{ "dailyUsd": 5 \}\n\}$/);
    const out2 = applyDraftOp(out, ops.setField(['rules', 0, 'if', 'all'], [{ task: 'x' }]));
    assert.deepEqual(parse(out2).rules[0].if, { task: 'x', all: [{ task: 'x' }] });
  });

  test('renaming a key keeps its place and value; a taken name is refused', () => {
    const out = applyDraftOp(RULES_TEXT, { kind: 'renameKey', path: ['models'], from: 'mini', to: 'tiny' });
    assert.match(out, /"tiny":   \{ "provider": "openai",    "id": "gpt-4o-mini-2024-07-18" \},\n    "sonnet"/);
    assert.throws(() => applyDraftOp(RULES_TEXT, { kind: 'renameKey', path: ['models'], from: 'mini', to: 'sonnet' }), (e: DraftError) => e.code === 'E_DRAFT_CONFLICT');
    const cmp = applyDraftOp(RULES_TEXT, { kind: 'renameKey', path: ['rules', 2, 'if', 'inputTokens'], from: '>', to: '>=' });
    assert.deepEqual(parse(cmp).rules[2].if, { inputTokens: { '>=': 4000 } });
  });

  test('renaming a model, a tier or a provider renames its references too, comments and layout kept', () => {
    const text = `{
  // providers
  "providers": { "oa": { "type": "openai" } },
  "models": {
    "mini": { "provider": "oa", "id": "gpt-4o-mini-2024-07-18" }, // cheap
    "big": { "provider": "oa", "id": "gpt-4o-2024-08-06" },
    "fast": { "provider": "oa", "id": "gpt-4.1-nano-2025-04-14" }
  },
  "tiers": { "fast": ["mini", "big"], "deep": ["big", "mini"] },
  "rules": [
    { "name": "a", "if": { "task": "mini" }, "then": "mini" }, // a rule's text is not a reference
    { "name": "b", "if": { "task": "x" }, "then": ["big", "mini"] },
    { "name": "c", "if": { "task": "y" }, "then": "fast" }
  ],
  "default": "mini",
  "tests": [ { "request": { "prompt": "hi" }, "expect": { "tier": "fast" } } ]
}
`;
    const model = applyDraftOp(text, { kind: 'renameKey', path: ['models'], from: 'mini', to: 'small' });
    const m = parse(model);
    assert.deepEqual(Object.keys(m.models), ['small', 'big', 'fast']);
    assert.deepEqual(m.tiers, { fast: ['small', 'big'], deep: ['big', 'small'] });
    assert.deepEqual(m.rules.map((r: { then: unknown }) => r.then), ['small', ['big', 'small'], 'fast']);
    assert.deepEqual(m.rules[0].if, { task: 'mini' });
    assert.equal(m.default, 'small');
    assert.match(model, /\/\/ cheap\n/);
    assert.match(model, /\/\/ a rule's text is not a reference/);
    // "then": "fast" names the tier (a tier wins over a model of the same name): renaming the model leaves it.
    assert.equal(parse(applyDraftOp(text, { kind: 'renameKey', path: ['models'], from: 'fast', to: 'nano' })).rules[2].then, 'fast');
    const tier = parse(applyDraftOp(text, { kind: 'renameKey', path: ['tiers'], from: 'fast', to: 'quick' }));
    assert.deepEqual(Object.keys(tier.tiers), ['quick', 'deep']);
    assert.equal(tier.rules[2].then, 'quick');
    assert.equal(tier.tests[0].expect.tier, 'quick');
    assert.ok('fast' in tier.models, 'the model of that name is not the tier');
    const provider = parse(applyDraftOp(text, { kind: 'renameKey', path: ['providers'], from: 'oa', to: 'openai' }));
    assert.deepEqual(Object.values(provider.models).map((x) => (x as { provider: string }).provider), ['openai', 'openai', 'openai']);
  });

  test('CRLF and tab-indented files keep their line endings and indentation', () => {
    const text = '{\r\n\t"models": {\r\n\t\t"a": { "provider": "p", "id": "x" }\r\n\t},\r\n\t"rules": [\r\n\t\t{ "name": "r1", "if": { "task": "t" }, "then": "a" }\r\n\t]\r\n}\r\n';
    assert.deepEqual(detectStyle(text), { eol: '\r\n', unit: '\t' });
    const out = apply(text, ops.setField(['models', 'b'], { provider: 'p', id: 'y' }), ops.addRule(1, { name: 'r2', if: { task: 'u' }, then: 'b' }));
    assert.equal(out, '{\r\n\t"models": {\r\n\t\t"a": { "provider": "p", "id": "x" },\r\n\t\t"b": { "provider": "p", "id": "y" }\r\n\t},\r\n\t"rules": [\r\n\t\t{ "name": "r1", "if": { "task": "t" }, "then": "a" },\r\n\t\t{ "name": "r2", "if": { "task": "u" }, "then": "b" }\r\n\t]\r\n}\r\n');
  });

  test('a draft with a syntax error is refused with the line to fix', () => {
    assert.throws(() => applyDraftOp('{\n  "rules": [\n    { "name": "a" \n}', ops.setField(['default'], 'x')),
      (e: DraftError) => e.code === 'E_DRAFT_SYNTAX' && /line \d/.test(e.message));
  });
});

describe('draft: parse for display and helpers', () => {
  test('parseDraft returns the value and positioned errors', () => {
    const ok = parseDraft(RULES_TEXT);
    assert.deepEqual(ok.errors, []);
    assert.equal((ok.value!.rules as unknown[]).length, 4);
    const bad = parseDraft('{\n  "a": 1,\n  "b": }');
    assert.equal(bad.errors[0].line, 3);
    assert.equal(parseDraft('[1]').value, undefined);
  });

  test('compactJson and uniqueName', () => {
    assert.equal(compactJson({ a: 1, b: ['x', 'y'], c: {}, d: undefined }), '{ "a": 1, "b": ["x", "y"], "c": {} }');
    assert.equal(uniqueName('new rule', ['new rule', 'new rule 2']), 'new rule 3');
    assert.equal(uniqueName('tier', []), 'tier');
  });
});
