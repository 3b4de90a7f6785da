import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { findRulesFile, formatIssue, loadRulesFile, parseRules } from '../../daemon/rules/load';
import { runRuleTests } from '../../daemon/rules/ruleTests';
import { implies } from '../../daemon/rules/shadowing';
import { BASE } from './helpers/rules';

/** Builds a rules text line by line so tests can name the exact line an error must point at. */
const text = (rules: string) => `{
  "version": 1,
  "providers": { "openai": { "type": "openai", "apiKeyEnv": "OPENAI_API_KEY" } },
  "models": { "mini": { "provider": "openai", "id": "gpt-4o-mini-2024-07-18" } },
  "tiers": { "fast": ["mini"] },
  "rules": [
${rules}
  ],
  "default": "fast"
}`;
const issuesOf = (t: string) => parseRules(t, 'rules.json').issues;

describe('loading rules: errors name file, line, column and rule', () => {
  it('syntax errors with their position', () => {
    const issues = issuesOf('{\n  "version": 1,\n  "default": "fast"\n  "rules": []\n}');
    assert.equal(issues[0].code, 'syntax');
    assert.equal(issues[0].line, 4);
    assert.match(formatIssue(issues[0]), /^rules\.json:4:\d+: error: syntax error: expected a comma or } after the value of "default"/);
  });
  it('comments and trailing commas are fine (JSONC)', () => {
    const r = parseRules(text('    // a comment\n    { "name": "a", "if": { "task": "x" }, "then": "fast" },'), 'r.json');
    assert.deepEqual(r.issues, []);
    assert.ok(r.rules);
  });
  it('a misspelt tier and a duplicate name: both reported with line and rule name', () => {
    const t = text([
      '    { "name": "one", "if": { "task": "a" }, "then": "fsat" },',
      '    { "name": "one", "if": { "task": "b" }, "then": "fast" }',
    ].join('\n'));
    const issues = issuesOf(t);
    const tier = issues.find((i) => i.code === 'unknown-tier')!;
    const dup = issues.find((i) => i.code === 'duplicate-rule')!;
    assert.equal(tier.line, 7);
    assert.equal(tier.rule, 'one');
    assert.match(tier.message, /"fsat".*did you mean "fast"/);
    assert.equal(dup.line, 8);
    assert.equal(dup.rule, 'one');
    assert.ok(tier.column! > 1 && dup.column! > 1);
  });
  it('unknown keys, at top level and inside a condition', () => {
    const issues = issuesOf(text('    { "name": "a", "if": { "tsak": "x" }, "then": "fast", "colour": 1 }'));
    assert.ok(issues.some((i) => i.code === 'unknown-key' && /"colour"/.test(i.message) && i.line === 7 && i.rule === 'a'));
    assert.ok(issues.some((i) => i.code === 'unknown-key' && /"tsak"/.test(i.message) && i.line === 7));
  });
  it('unknown model in a tier and unknown provider in a model', () => {
    const t = JSON.stringify({ ...BASE, models: { ...BASE.models, x: { provider: 'azure', id: 'gpt-4o-2024-08-06' } }, tiers: { fast: ['mini', 'nope'] } }, null, 2);
    const issues = issuesOf(t);
    assert.ok(issues.some((i) => i.code === 'unknown-provider' && /azure/.test(i.message)));
    assert.ok(issues.some((i) => i.code === 'unknown-model' && /"nope"/.test(i.message) && i.path === 'tiers.fast[1]'));
  });
  it('a missing default', () => {
    const { default: _omit, ...noDefault } = BASE;
    const issues = issuesOf(JSON.stringify(noDefault));
    assert.equal(issues[0].code, 'missing-default');
  });
  it('a regex that does not compile, and one a linear engine cannot run', () => {
    const issues = issuesOf(text([
      '    { "name": "broken", "if": { "prompt": { "regex": "a(" } }, "then": "fast" },',
      '    { "name": "backref", "if": { "prompt": { "regex": "(a)\\\\1" } }, "then": "fast" },',
      '    { "name": "lookahead", "if": { "prompt": { "regex": "(?=a)b" } }, "then": "fast" }',
    ].join('\n')));
    const re = issues.filter((i) => i.code === 'invalid-regex');
    assert.deepEqual(re.map((i) => [i.rule, i.line]), [['broken', 7], ['backref', 8], ['lookahead', 9]]);
    assert.match(re[0].message, /missing closing \)/);
    assert.match(re[2].message, /lookaround and backreferences are not supported/);
  });
  it('(a+)+$ is accepted because it runs on a linear-time engine', () => {
    const r = parseRules(text('    { "name": "evil", "if": { "prompt": { "regex": "(a+)+$" } }, "then": "fast" }'), 'r.json');
    assert.ok(r.rules);
  });
  it('warns about a rule an earlier, broader rule always beats', () => {
    const issues = issuesOf(text([
      '    { "name": "broad", "if": { "task": ["a", "b"] }, "then": "fast" },',
      '    { "name": "narrow", "if": { "all": [{ "task": "a" }, { "source": "x" }] }, "then": "fast" },',
      '    { "name": "fine", "if": { "task": "c" }, "then": "fast" }',
    ].join('\n')));
    assert.deepEqual(issues.map((i) => [i.severity, i.code, i.rule, i.line]), [['warning', 'shadowed-rule', 'narrow', 8]]);
  });
  it('warns about floating model aliases and suggests a dated id', () => {
    const t = JSON.stringify({ ...BASE, models: { ...BASE.models, alias: { provider: 'openai', id: 'gpt-4o' }, latest: { provider: 'anthropic', id: 'claude-3-5-sonnet-latest' } } }, null, 2);
    const w = parseRules(t, 'r.json').issues.filter((i) => i.code === 'floating-alias');
    assert.equal(w.length, 2);
    assert.match(w[0].message, /pin a dated id such as "gpt-4o-2024-08-06"/);
    assert.match(w[1].message, /claude-3-5-sonnet-20241022/);
  });
});

describe('shadowing implication', () => {
  it('ranges, sets and any/all', () => {
    assert.ok(implies({ inputTokens: { '>': 5000 } }, { inputTokens: { '>': 4000 } }));
    assert.ok(!implies({ inputTokens: { '>': 3000 } }, { inputTokens: { '>': 4000 } }));
    assert.ok(implies({ inputTokens: { '>=': 10, '<': 20 } }, { inputTokens: { '>': 5 } }));
    assert.ok(implies({ task: 'a' }, { task: ['a', 'b'] }));
    assert.ok(!implies({ task: ['a', 'c'] }, { task: ['a', 'b'] }));
    assert.ok(implies({ any: [{ task: 'a' }, { task: 'b' }] }, { task: ['a', 'b'] }));
    assert.ok(implies({ task: 'a' }, { any: [{ task: 'a' }, { source: 'x' }] }));
    assert.ok(!implies({ task: 'a' }, { task: 'a', source: 'x' }));
    assert.ok(implies({ prompt: { contains: 'thanks a lot' } }, { prompt: { contains: 'thanks' } }));
  });
});

describe('lookup order and rule tests', () => {
  it('flag, then workspace, then home, then built-in defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-rules-'));
    const ws = join(dir, 'ws'); const home = join(dir, 'home');
    mkdirSync(join(ws, '.switchyard'), { recursive: true }); mkdirSync(home);
    assert.equal(findRulesFile({ workspace: ws, home }), null);
    writeFileSync(join(home, 'rules.json'), '{}');
    assert.equal(findRulesFile({ workspace: ws, home }), join(home, 'rules.json'));
    writeFileSync(join(ws, '.switchyard', 'rules.json'), '{}');
    assert.equal(findRulesFile({ workspace: ws, home }), join(ws, '.switchyard', 'rules.json'));
    assert.equal(findRulesFile({ flag: join(dir, 'x.json'), workspace: ws, home }), join(dir, 'x.json'));
  });
  it('a missing file is a clear error, not a crash', () => {
    const r = loadRulesFile('/nonexistent/rules.json');
    assert.equal(r.rules, null);
    assert.match(r.issues[0].message, /file not found/);
  });
  it('the built-in defaults are valid and their own tests pass', () => {
    const r = loadRulesFile(null);
    assert.deepEqual(r.issues, []);
    const results = runRuleTests(r.rules!);
    assert.ok(results.length >= 5);
    assert.deepEqual(results.filter((t) => !t.ok), []);
  });
  it('a failing expectation says what was expected and what happened', () => {
    const r = parseRules(JSON.stringify({ ...BASE, tests: [{ request: { prompt: 'x' }, expect: { tier: 'fast' } }] }), 'r.json');
    const [res] = runRuleTests(r.rules!);
    assert.equal(res.ok, false);
    assert.match(res.detail, /tier "fast" expected, got "standard"/);
  });
});
