import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../daemon/router/decide';
import { routeInput } from '../../daemon/router/prepare';
import type { RouteRequest } from '../../shared/decision';
import { compile, state } from './helpers/rules';

const route = (rulesExtra: Record<string, unknown>, request: Partial<RouteRequest>, st = state()) => {
  const rules = compile(rulesExtra);
  return decide(routeInput({ prompt: '', ...request }, rules), rules, st);
};
const one = (cond: unknown, request: Partial<RouteRequest>, st = state()) =>
  route({ rules: [{ name: 'r', if: cond, then: 'fast' }] }, request, st);

describe('conditions', () => {
  it('task: equality and membership', () => {
    assert.equal(one({ task: 'classification' }, { task: 'classification' }).rule, 'r');
    assert.equal(one({ task: ['refactor', 'tests'] }, { task: 'tests' }).rule, 'r');
    const d = one({ task: ['refactor', 'tests'] }, { task: 'chat' });
    assert.equal(d.rule, 'default');
    assert.deepEqual(d.trace[0].failed, { path: 'if.task', expected: ['refactor', 'tests'], actual: 'chat' });
  });
  it('source, language and urgency (urgency defaults to normal)', () => {
    assert.equal(one({ source: 'codeAction' }, { source: 'codeAction' }).rule, 'r');
    assert.equal(one({ language: ['typescript', 'python'] }, { language: 'python' }).rule, 'r');
    assert.equal(one({ urgency: 'normal' }, {}).rule, 'r');
    assert.deepEqual(one({ urgency: 'high' }, { urgency: 'low' }).trace[0].failed, { path: 'if.urgency', expected: 'high', actual: 'low' });
    assert.deepEqual(one({ source: 'palette' }, {}).trace[0].failed?.actual, null);
  });
  it('prompt regex with flags, and contains (case-insensitive unless asked)', () => {
    assert.equal(one({ prompt: { regex: '^(thanks|ok)\\b', flags: 'i' } }, { prompt: 'THANKS a lot' }).rule, 'r');
    assert.equal(one({ prompt: { regex: '^(thanks|ok)\\b' } }, { prompt: 'THANKS a lot' }).rule, 'default');
    assert.equal(one({ prompt: { regex: '^line2', flags: 'm' } }, { prompt: 'line1\nline2' }).rule, 'r');
    assert.equal(one({ prompt: { contains: ['SQL', 'query'] } }, { prompt: 'optimise this sql' }).rule, 'r');
    assert.equal(one({ prompt: { contains: 'SQL', caseSensitive: true } }, { prompt: 'optimise this sql' }).rule, 'default');
    const failed = one({ prompt: { regex: 'x' } }, { prompt: 'abc' }).trace[0].failed!;
    assert.equal(failed.path, 'if.prompt.regex');
    assert.equal(failed.expected, '/x/');
    assert.equal(failed.actual, 'abc');
  });
  it('numeric comparisons: every operator and ranges', () => {
    const tokens = (c: unknown, prompt: string) => one({ inputTokens: c }, { prompt }).rule;
    const long = 'word '.repeat(100);
    assert.equal(tokens({ '>': 50 }, long), 'r');
    assert.equal(tokens({ '<': 50 }, long), 'default');
    assert.equal(tokens({ '>=': 1, '<=': 1000 }, long), 'r');
    assert.equal(one({ maxOutputTokens: { '==': 64 } }, { maxOutputTokens: 64 }).rule, 'r');
    assert.equal(one({ latencyBudgetMs: { '<': 1000 } }, { latencyBudgetMs: 500 }).rule, 'r');
    assert.deepEqual(one({ latencyBudgetMs: { '<': 1000 } }, {}).trace[0].failed?.actual, null);
  });
  it('spend state comes from the caller', () => {
    assert.equal(one({ spentTodayUsd: { '>=': 8 } }, {}, state({ spentTodayUsd: 9 })).rule, 'r');
    assert.equal(one({ spentTodayUsd: { '>=': 8 } }, {}, state({ spentTodayUsd: 7.99 })).rule, 'default');
    assert.equal(one({ spentMonthUsd: { '>': 100 } }, {}, state({ spentMonthUsd: 150 })).rule, 'r');
  });
  it('estimatedCostUsd is the cost on the default target', () => {
    const d = one({ estimatedCostUsd: { '>': 1 } }, { prompt: 'hi' });
    assert.equal(d.rule, 'default');
    assert.equal(d.trace[0].failed?.path, 'if.estimatedCostUsd');
    assert.ok(typeof d.trace[0].failed?.actual === 'number' && (d.trace[0].failed.actual as number) > 0);
    assert.equal(one({ estimatedCostUsd: { '<': 1 } }, { prompt: 'hi' }).rule, 'r');
  });
  it('metadata.<key>: equality, membership, numeric', () => {
    assert.equal(one({ 'metadata.team': 'web' }, { metadata: { team: 'web' } }).rule, 'r');
    assert.equal(one({ 'metadata.team': ['web', 'ml'] }, { metadata: { team: 'ops' } }).rule, 'default');
    assert.equal(one({ 'metadata.priority': { '>=': 2 } }, { metadata: { priority: '3' } }).rule, 'r');
    assert.equal(one({ 'metadata.priority': { '>=': 2 } }, { metadata: { priority: 'high' } }).rule, 'default');
    assert.deepEqual(one({ 'metadata.team': 'web' }, {}).trace[0].failed, { path: 'if.metadata.team', expected: 'web', actual: null });
  });
  it('combinators all / any / not, and implicit AND of keys', () => {
    const all = { all: [{ source: 'codeAction' }, { task: ['refactor', 'tests'] }] };
    assert.equal(one(all, { source: 'codeAction', task: 'tests' }).rule, 'r');
    assert.equal(one(all, { source: 'palette', task: 'tests' }).trace[0].failed?.path, 'if.all[0].source');
    assert.equal(one({ any: [{ task: 'a' }, { task: 'b' }] }, { task: 'b' }).rule, 'r');
    assert.equal(one({ any: [{ task: 'a' }, { task: 'b' }] }, { task: 'c' }).trace[0].failed?.path, 'if.any');
    assert.equal(one({ not: { task: 'chat' } }, { task: 'explain' }).rule, 'r');
    assert.equal(one({ not: { task: 'chat' } }, { task: 'chat' }).trace[0].failed?.path, 'if.not');
    assert.equal(one({ task: 'tests', source: 'codeAction' }, { task: 'tests', source: 'palette' }).trace[0].failed?.path, 'if.source');
  });
  it('an AND tests cheap fields before scanning the prompt; the trace names a condition that really failed', () => {
    const d = one({ all: [{ prompt: { regex: 'select' } }, { language: 'sql' }] }, { prompt: 'nothing here', language: 'python' });
    assert.deepEqual(d.trace[0].failed, { path: 'if.all[1].language', expected: 'sql', actual: 'python' });
    assert.equal(one({ prompt: { contains: 'x' }, task: 'a' }, { prompt: 'y', task: 'b' }).trace[0].failed?.path, 'if.task');
    assert.equal(one({ all: [{ prompt: { regex: 'select' } }, { language: 'sql' }] }, { prompt: 'select 1', language: 'sql' }).rule, 'r');
  });
});

describe('decide', () => {
  const rules = {
    rules: [
      { name: 'small talk', if: { prompt: { regex: '^thanks', flags: 'i' } }, then: 'fast' },
      { name: 'tests', if: { task: 'tests' }, then: 'deep' },
      { name: 'pinned', if: { task: 'pinned' }, then: 'haiku' },
      { name: 'list', if: { task: 'list' }, then: ['haiku', 'mini'] },
    ],
  };
  it('first match wins and later rules are not tried', () => {
    const d = route(rules, { prompt: 'thanks', task: 'tests' });
    assert.equal(d.rule, 'small talk');
    assert.equal(d.tier, 'fast');
    assert.equal(d.trace.length, 1);
    assert.deepEqual(d.candidates.map((c) => c.model), ['gpt-4o-mini-2024-07-18', 'claude-3-5-haiku-20241022']);
  });
  it('falls to the default with every rule in the trace', () => {
    const d = route(rules, { prompt: 'design a cache' });
    assert.equal(d.rule, 'default');
    assert.equal(d.ruleIndex, -1);
    assert.equal(d.tier, 'standard');
    assert.deepEqual(d.trace.map((t) => t.matched), [false, false, false, false]);
  });
  it('writes the trace when first read, the same every time, and JSON carries it', () => {
    const d = route(rules, { prompt: 'design a cache', task: 'design' });
    assert.equal(d.trace, d.trace);
    assert.deepEqual(d.trace[1].failed, { path: 'if.task', expected: 'tests', actual: 'design' });
    const json = JSON.parse(JSON.stringify(d));
    assert.deepEqual(Object.keys(json), ['rule', 'ruleIndex', 'tier', 'target', 'candidates', 'skipped', 'trace', 'estimate', 'inputTokens']);
    assert.deepEqual(json.trace, JSON.parse(JSON.stringify(d.trace)));
    assert.equal(json.trace.length, 4);
  });
  it('values from the rules file never become code: quotes, backticks and ${} in names and strings', () => {
    const hostile = '"); globalThis.pwned = 1; ("`${globalThis.pwned = 2}`\\';
    const compiled = compile({
      rules: [
        { name: hostile, if: { 'metadata.team': hostile, task: [hostile, 'x'] }, then: 'fast' },
        { name: `${hostile} 2`, if: { any: [{ prompt: { contains: hostile } }, { not: { language: hostile } }] }, then: 'deep' },
      ],
    });
    const hit = decide(routeInput({ prompt: '', task: hostile, metadata: { team: hostile } }, compiled), compiled, state());
    assert.equal(hit.rule, hostile);
    const second = decide(routeInput({ prompt: `say ${hostile}`, language: hostile }, compiled), compiled, state());
    assert.equal(second.rule, `${hostile} 2`);
    assert.deepEqual(second.trace[0].failed, { path: 'if.task', expected: [hostile, 'x'], actual: null });
    assert.equal((globalThis as { pwned?: number }).pwned, undefined);
  });
  it('then may name a model or a list', () => {
    const m = route(rules, { task: 'pinned' });
    assert.equal(m.tier, null);
    assert.deepEqual(m.candidates.map((c) => c.name), ['haiku']);
    assert.deepEqual(route(rules, { task: 'list' }).candidates.map((c) => c.name), ['haiku', 'mini']);
  });
  it('skips providers without a key and open circuits, each with its reason', () => {
    const st = state({ keys: { openai: false, anthropic: true }, circuits: { 'anthropic/claude-3-5-sonnet-20241022': { state: 'open', openUntil: 1_700_000_060_000, consecutiveFailures: 3 } } });
    const d = route(rules, { task: 'tests' }, st);
    assert.deepEqual(d.candidates, []);
    assert.deepEqual(d.skipped.map((s) => [s.name, s.reason]), [['sonnet', 'circuit-open'], ['gpt4o', 'no-key']]);
    assert.match(d.skipped[1].detail, /OPENAI_API_KEY/);
    assert.equal(d.skipped[0].until, 1_700_000_060_000);
    // The estimate still describes the first listed target so the editor can show something.
    assert.ok(d.estimate.costUsd > 0);
  });
  it('an open circuit whose cool-down has passed, or a half-open one, is tried again', () => {
    const circuits = { 'openai/gpt-4o-mini-2024-07-18': { state: 'open' as const, openUntil: 1_699_999_999_000, consecutiveFailures: 3 } };
    assert.equal(route(rules, { prompt: 'thanks' }, state({ circuits })).candidates[0].name, 'mini');
    const half = { 'openai/gpt-4o-mini-2024-07-18': { state: 'half-open' as const, consecutiveFailures: 3 } };
    assert.equal(route(rules, { prompt: 'thanks' }, state({ circuits: half })).candidates[0].name, 'mini');
  });
  it('carries an estimate per candidate', () => {
    const d = route(rules, { prompt: 'thanks', maxOutputTokens: 100 });
    const [mini, haiku] = d.candidates;
    assert.equal(mini.estimate.outputTokens, 100);
    assert.ok(haiku.estimate.costUsd > mini.estimate.costUsd, 'haiku costs more than mini');
    assert.deepEqual(d.estimate, mini.estimate);
    assert.ok(d.inputTokens > 0);
  });
  it('is deterministic: 1,000 identical calls give identical Decisions', () => {
    const compiled = compile(rules);
    const input = routeInput({ prompt: 'please write tests for this parser', task: 'tests', metadata: { a: '1' } }, compiled);
    const st = state();
    const first = JSON.stringify(decide(input, compiled, st));
    for (let i = 0; i < 1000; i++) assert.equal(JSON.stringify(decide(input, compiled, st)), first);
  });
  it('a catastrophic-backtracking pattern returns at once (linear-time engine)', () => {
    const compiled = compile({ rules: [{ name: 'evil', if: { prompt: { regex: '(a+)+$' } }, then: 'fast' }] });
    const started = process.hrtime.bigint();
    const d = decide(routeInput({ prompt: 'a'.repeat(40) + '!' }, compiled), compiled, state());
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.equal(d.rule, 'default');
    // A backtracking engine needs 2^40 steps here (hours); linear time is well under a second even on a busy machine.
    assert.ok(ms < 1000, `took ${ms} ms`);
    assert.equal(decide(routeInput({ prompt: 'a'.repeat(40) }, compiled), compiled, state()).rule, 'evil');
  });
});
