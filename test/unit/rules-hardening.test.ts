/** Regression tests for the hostile-rules findings of the hardening audit: each loaded a file that crashed, stalled or misrouted. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Engine } from '../../daemon/engine';
import { LIMITS } from '../../daemon/rules/limits';
import { loadRulesFile, parseRules, parseRulesAsync } from '../../daemon/rules/load';
import { decide } from '../../daemon/router/decide';
import { parse } from 'jsonc-parser';
import { DEFAULT_RULES_TEXT } from '../../daemon/rules/defaults';
import { readJsonc } from '../../daemon/rules/jsonc';
import { Positions } from '../../daemon/rules/positions';
import { runToEnd } from '../../daemon/slices';
import { BASE, compile, state } from './helpers/rules';

const dir = mkdtempSync(join(tmpdir(), 'sy-rules-hardening-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const nested = (levels: number, inner = '{ "task": "x" }') => '{ "not": '.repeat(levels) + inner + ' }'.repeat(levels);
/** A rules text with one rule whose condition is `cond` (raw JSON text, so nesting need not survive JSON.stringify). */
const withCondition = (cond: string, name = 'deep one') =>
  JSON.stringify({ ...BASE, rules: [{ name: 'first', if: { task: 'a' }, then: 'fast' }, { name, if: { task: 'PLACEHOLDER' }, then: 'fast' }] }, null, 2)
    .replace('{\n        "task": "PLACEHOLDER"\n      }', cond);
const errors = (text: string) => parseRules(text, 'rules.json').issues.filter((i) => i.severity === 'error');

describe('rules loading is bounded and total', () => {
  it('1,000 levels of "not" is an error with file, line and rule — not a stack overflow', () => {
    const text = withCondition(nested(1000));
    const [e] = errors(text);
    assert.equal(e.code, 'too-deep');
    assert.equal(e.rule, 'deep one');
    assert.equal(e.file, 'rules.json');
    assert.ok(e.line! > 1, 'points into the file');
    assert.match(e.message, new RegExp(`more than ${LIMITS.depth} levels`));
  });
  it('100,000 levels and unbalanced brackets still only produce issues', () => {
    assert.equal(errors(withCondition(nested(100_000)))[0].code, 'too-deep');
    assert.ok(errors('['.repeat(200_000)).length > 0);
    assert.ok(errors('{"rules":' + '[{"if":'.repeat(50_000)).length > 0);
  });
  it('nesting within the limit still loads', () => {
    assert.ok(parseRules(withCondition(nested(20)), 'rules.json').rules);
  });
  it('names every object inherits are not tiers or models: default, then, tiers and HTTP model names', () => {
    for (const name of ['toString', 'constructor', 'valueOf', 'hasOwnProperty']) {
      assert.equal(errors(JSON.stringify({ ...BASE, default: name }))[0]?.code, 'unknown-tier', `default: ${name}`);
      assert.equal(errors(JSON.stringify({ ...BASE, rules: [{ name: 'r', if: { task: 'x' }, then: name }] }))[0]?.code, 'unknown-tier', `then: ${name}`);
      assert.equal(errors(JSON.stringify({ ...BASE, rules: [{ name: 'r', if: { task: 'x' }, then: [name] }] }))[0]?.code, 'unknown-model', `then: [${name}]`);
      assert.equal(errors(JSON.stringify({ ...BASE, tiers: { ...BASE.tiers, odd: [name] } }))[0]?.code, 'unknown-model', `tier lists ${name}`);
    }
    const engine = new Engine(() => compile({}), null);
    for (const model of ['toString', 'constructor', '__proto__', 'valueOf', 'switchyard/__proto__', 'switchyard/constructor']) {
      const r = engine.resolveModelField(model);
      assert.ok(r && 'error' in r, `${model} is an unknown model`);
    }
  });
  it('an apiKeyEnv that names an inherited property finds no key (and does not throw)', () => {
    const rules = compile({ providers: { openai: { type: 'openai', apiKeyEnv: 'constructor' }, anthropic: { type: 'anthropic', apiKeyEnv: 'toString' } } });
    const engine = new Engine(() => rules, null, Date.now, { PATH: '/bin' });
    assert.ok(engine.health().every((h) => !h.hasKey));
    assert.equal(engine.state().keys.openai, false);
  });
  it('"__proto__" as a key is refused (a JS object would silently drop it)', () => {
    const text = JSON.stringify({ ...BASE, tiers: { ...BASE.tiers } }).replace('"tiers":{', '"tiers":{"__proto__":["mini"],');
    const [e] = errors(text);
    assert.equal(e.code, 'reserved-name');
    assert.equal(errors(JSON.stringify({ ...BASE, default: '__proto__' }))[0].code, 'unknown-tier');
  });
  it('a metadata condition on an inherited name reads only the request\'s own metadata', () => {
    const rules = compile({ rules: [{ name: 'ctor', if: { 'metadata.constructor': { '>': 1 } }, then: 'fast' }, { name: 'str', if: { 'metadata.toString': 'x' }, then: 'fast' }] });
    const d = decide({ request: { prompt: 'hi' }, tokens: { o200k_base: 1 } }, rules, state());
    assert.equal(d.rule, 'default');
    assert.equal(d.trace.length, 2);
    assert.equal(decide({ request: { prompt: 'hi', metadata: { toString: 'x' } }, tokens: { o200k_base: 1 } }, rules, state()).rule, 'str');
  });
  it('names outside Latin-1 are fine; names with control characters or over the length limit are not', () => {
    const unicode = compile({ tiers: { 快速: ['mini'], 'deep — slow': ['sonnet'], standard: ['gpt4o'] }, rules: [{ name: 'règle — 1', if: { task: 'x' }, then: '快速' }] });
    assert.equal(decide({ request: { prompt: 'hi', task: 'x' }, tokens: { o200k_base: 1 } }, unicode, state()).tier, '快速');
    assert.equal(errors(JSON.stringify({ ...BASE, rules: [{ name: 'a\nb', if: { task: 'x' }, then: 'fast' }] }))[0].code, 'bad-name');
    assert.equal(errors(JSON.stringify({ ...BASE, tiers: { ...BASE.tiers, ['t'.repeat(LIMITS.nameLength + 1)]: ['mini'] } }))[0].code, 'bad-name');
  });
  it('counts are limited with a clear message', () => {
    const rules = Array.from({ length: LIMITS.rules + 1 }, (_, i) => ({ name: `r${i}`, if: { task: `t${i}` }, then: 'fast' }));
    const [e] = errors(JSON.stringify({ ...BASE, rules }));
    assert.equal(e.code, 'too-many');
    assert.match(e.message, /10001 rules; at most 10000/);
  });
  it('10,000 similar rules load: the shadowing analysis gives up with a warning instead of going quadratic', () => {
    const rules = Array.from({ length: LIMITS.rules }, (_, i) => ({ name: `r${i}`, if: { task: `t${i}`, inputTokens: { '>': i } }, then: 'fast' }));
    const started = performance.now();
    const r = parseRules(JSON.stringify({ ...BASE, rules }), 'rules.json');
    assert.ok(r.rules, 'loads');
    assert.ok(performance.now() - started < 30_000);
    assert.ok(r.issues.some((i) => i.code === 'shadowing-unchecked'));
    // The compiled matcher is chunked; every rule is still reachable.
    assert.equal(decide({ request: { prompt: 'x', task: 't9999' }, tokens: { o200k_base: 10_000 } }, r.rules!, state()).rule, 'r9999');
  });
  it('shadowing still finds a shadowed rule among thousands that share no fields', () => {
    const rules = [
      ...Array.from({ length: 3000 }, (_, i) => ({ name: `r${i}`, if: { [`metadata.k${i}`]: 'v' }, then: 'fast' })),
      { name: 'broad', if: { task: 'x' }, then: 'fast' },
      { name: 'narrow', if: { task: 'x', urgency: 'high' }, then: 'deep' },
    ];
    const r = parseRules(JSON.stringify({ ...BASE, rules }), 'rules.json');
    const w = r.issues.find((i) => i.code === 'shadowed-rule');
    assert.equal(w?.rule, 'narrow');
    assert.ok(!r.issues.some((i) => i.code === 'shadowing-unchecked'));
  });
  it('the sliced loader keeps the event loop turning (P99 gap < 100 ms) on a 10,000-rule file, with the same result', async () => {
    const rules = Array.from({ length: LIMITS.rules }, (_, i) => ({ name: `r${i}`, if: { task: `t${i % 50}`, prompt: { regex: `foo${i}bar`, flags: 'i' } }, then: 'fast' }));
    const text = JSON.stringify({ ...BASE, rules });
    let last = performance.now();
    const gaps: number[] = [];
    const ticker = setInterval(() => { const now = performance.now(); gaps.push(now - last); last = now; }, 5);
    const r = await parseRulesAsync(text, 'rules.json');
    clearInterval(ticker);
    assert.ok(r.rules);
    gaps.sort((a, b) => a - b);
    const p99 = gaps[Math.floor(gaps.length * 0.99)];
    assert.ok(gaps.length > 20, `the loop turned ${gaps.length} times`);
    assert.ok(p99 < 100, `P99 gap between timer ticks ${p99.toFixed(0)} ms (longest ${gaps.at(-1)!.toFixed(0)} ms)`);
    assert.deepEqual(r.issues, parseRules(text, 'rules.json').issues);
  });
});

describe('reading a rules file', () => {
  it('a symlink to /dev/zero is refused before it is read', { skip: process.platform === 'win32' }, () => {
    const link = join(dir, 'zero.json');
    symlinkSync('/dev/zero', link);
    const started = performance.now();
    const r = loadRulesFile(link);
    assert.ok(performance.now() - started < 1000);
    assert.equal(r.rules, null);
    assert.match(r.issues[0].message, /not a regular file/);
  });
  it('a FIFO is refused without waiting for a writer', { skip: process.platform === 'win32' }, () => {
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    assert.match(loadRulesFile(fifo).issues[0].message, /not a regular file/);
  });
  it('a file over the size limit is refused with the limit', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, ' '.repeat(LIMITS.fileBytes + 1));
    assert.match(loadRulesFile(big).issues[0].message, /limit is 4194304/);
  });
  it('a folder is refused', () => {
    assert.match(loadRulesFile(dir).issues[0].message, /not a regular file|EISDIR/);
  });
});

describe('the JSONC reader', () => {
  const read = (text: string) => runToEnd(readJsonc(text));
  it('reads what jsonc-parser reads: comments, trailing commas, nesting, escapes, numbers', () => {
    for (const text of [DEFAULT_RULES_TEXT, '{"a": [1, 2, ], /* c */ "b": {"c": -1.5e3, "d": "x\\u00e9\\n"}, }', '[]', '"s"', 'null', '[[[{}]]]']) {
      const r = read(text);
      assert.deepEqual(r.problems, []);
      assert.deepEqual(r.value, parse(text, [], { allowTrailingComma: true }));
    }
  });
  it('reports the first syntax error in words, at its position', () => {
    const cases: [string, RegExp, number][] = [
      ['{\n  "a": 1\n  "b": 2\n}', /expected a comma or } after the value of "a"/, 3],
      ['{ "a" 1 }', /expected ":" after the property name "a"/, 1],
      ['{ "a": }', /expected a value/, 1],
      ['{ a: 1 }', /expected a property name in double quotes/, 1],
      ['[1 2]', /expected a comma or \] after an element/, 1],
      ['{\n "a": [1,\n', /ends before the \[ opened here is closed/, 2],
      ['', /empty or not JSON/, 1],
      ['{} x', /after the end of the JSON value/, 1],
      ['{ "a": "unterminated }', /string is not closed/, 1],
      ['{ "a": 1e999 }', /too large/, 1],
    ];
    for (const [text, message, line] of cases) {
      const [p] = read(text).problems;
      assert.match(p?.message ?? '(none)', message, text);
      assert.equal(new Positions(text).at(p.offset).line, line, text);
    }
  });
  it('knows where each path starts: a member at its key', () => {
    const text = '{\n  "rules": [\n    { "name": "x",\n      "then": "fast" }\n  ]\n}';
    const pos = new Positions(text, read(text).offsets);
    assert.deepEqual(pos.ofPath(['rules', 0, 'then']), { line: 4, column: 7 });
    assert.deepEqual(pos.ofPath(['rules', 0, 'if', 'task']), { line: 3, column: 5 }, 'a missing key: its nearest ancestor');
  });
});
