/** Conversation affinity: the store (daemon/router/affinity.ts) and how decide() honours a pin. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AffinityStore } from '../../daemon/router/affinity';
import { decide, type ForcedTarget } from '../../daemon/router/decide';
import { routeInput } from '../../daemon/router/prepare';
import { requestShape } from '../../daemon/formats/shape';
import { parseRules } from '../../daemon/rules/load';
import { DEFAULT_RULES_TEXT } from '../../daemon/rules/defaults';
import type { CompiledRules } from '../../daemon/rules/types';
import { formatDecision } from '../../daemon/cli/route';
import { traceToMarkdown } from '../../extension/hint/traceMarkdown';
import type { Message } from '../../shared/canonical';
import type { Decision, RouteRequest, RouterState } from '../../shared/decision';
import { BASE, compile, state } from './helpers/rules';

const MIN = 60_000;
const T0 = 1_700_000_000_000;
const KEY = 'conv-1';

const text = (t: string) => ({ type: 'text' as const, text: t });

/** Turn n of an agent loop with tools: the opening request, then tool results, growing each turn. */
function agentTurn(n: number, extra: Message['content'] = []): RouteRequest {
  const messages: Message[] = [{ role: 'user', content: [text('Fix the failing test in parser.ts')] }];
  for (let i = 1; i < n; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_call', id: `c${i}`, name: 'read_file', arguments: `{"path":"f${i}.ts"}` }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', toolCallId: `c${i}`, content: [text(`contents of f${i}.ts `.repeat(400 * i))] }] });
  }
  if (extra.length) messages[messages.length - 1].content.push(...extra);
  const canonical = { messages, tools: [{ name: 'read_file', parameters: { type: 'object' } }], stream: false };
  return {
    prompt: 'Fix the failing test in parser.ts',
    messages: messages.map((m) => ({ role: m.role, content: m.content.map((p) => (p.type === 'text' ? p.text : p.type === 'tool_result' ? (p.content[0] as { text: string }).text : '')).join('') })),
    source: 'http',
    shape: requestShape(canonical, 'openai-chat', { 'user-agent': 'claude-cli/1.0.83 (external, cli)' }),
    conversation: { key: KEY, from: 'header' },
  };
}

/**
 * What the engine does per request: look the pin up, decide, and — once a candidate answered — remember it.
 * `serve` picks the candidate that answers (default: the first, i.e. no fallback).
 */
function turn(store: AffinityStore, rules: CompiledRules, request: RouteRequest, now: number, st: Partial<RouterState> = {}, serve = (d: Decision) => d.candidates[0]?.name, forced?: ForcedTarget): Decision {
  const pin = store.get(KEY, now);
  const d = decide(routeInput(request, rules), rules, state({ now, ...st, ...(pin ? { pin } : {}) }), forced);
  const served = serve(d);
  if (served) store.remember(KEY, d, served, now);
  return d;
}

/** First turns are cheap, later turns (more context) would go deep: without affinity the loop would switch models. */
const LOOP_RULES = {
  rules: [
    { name: 'budget guard', if: { spentTodayUsd: { '>=': 8 } }, then: ['haiku'], breaksAffinity: true },
    { name: 'soft guard', if: { spentMonthUsd: { '>=': 100 } }, then: ['sonnet'] },
    { name: 'big context', if: { inputTokens: { '>': 1500 } }, then: 'deep' },
    { name: 'agent start', if: { hasTools: true, turns: { '==': 1 } }, then: 'fast' },
  ],
};

describe('AffinityStore', () => {
  const decision = (over: Partial<Decision> = {}): Decision => ({
    rule: 'r', ruleIndex: 0, tier: 'fast', target: 'fast', candidates: [], skipped: [], trace: [],
    estimate: { inputTokens: 0, outputTokens: 0, costUsd: 0, ttftMs: 0, latencyMs: 0 }, inputTokens: 0, ...over,
  });

  it('remembers the first turn: rule, tier, the model that served, turn count', () => {
    const store = new AffinityStore({ idleMinutes: 30 });
    assert.equal(store.get(KEY, T0), undefined);
    store.remember(KEY, decision(), 'mini', T0);
    assert.deepEqual(store.get(KEY, T0 + 1), { key: KEY, rule: 'r', ruleIndex: 0, tier: 'fast', model: 'mini', since: 1, turns: 1 });
  });
  it('a returned pin is a copy: changing it changes nothing stored', () => {
    const store = new AffinityStore({ idleMinutes: 30 });
    store.remember(KEY, decision(), 'mini', T0);
    store.get(KEY, T0)!.model = 'other';
    assert.equal(store.get(KEY, T0)!.model, 'mini');
  });
  it('expires idleMinutes after the last served turn, by the clock passed in', () => {
    const store = new AffinityStore({ idleMinutes: 30 });
    store.remember(KEY, decision(), 'mini', T0);
    assert.ok(store.get(KEY, T0 + 30 * MIN - 1));
    store.remember(KEY, decision({ affinity: { key: KEY, turn: 2, rule: 'r', model: 'mini', since: 1 } }), 'mini', T0 + 20 * MIN);
    assert.equal(store.get(KEY, T0 + 45 * MIN)?.turns, 2, 'idle time counts from the last use');
    assert.equal(store.get(KEY, T0 + 50 * MIN), undefined);
    assert.equal(store.size, 0, 'an expired entry is forgotten');
    // A new turn after expiry starts over at turn 1.
    store.remember(KEY, decision({ rule: 'other' }), 'haiku', T0 + 51 * MIN);
    assert.deepEqual([store.get(KEY, T0 + 51 * MIN)?.since, store.get(KEY, T0 + 51 * MIN)?.turns, store.get(KEY, T0 + 51 * MIN)?.rule], [1, 1, 'other']);
  });
  it('holds at most maxKeys conversations, dropping the least recently served', () => {
    const store = new AffinityStore({ idleMinutes: 30 }, 3);
    for (const k of ['a', 'b', 'c']) store.remember(k, decision(), 'mini', T0);
    store.remember('a', decision(), 'mini', T0 + 1); // a is used again: b is now the oldest
    store.remember('d', decision(), 'mini', T0 + 2);
    assert.equal(store.size, 3);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => store.get(k, T0 + 3) !== undefined), [true, false, true, true]);
  });
  it('affinity: false keeps nothing, and turning it off forgets every pin', () => {
    const off = new AffinityStore(false);
    off.remember(KEY, decision(), 'mini', T0);
    assert.equal(off.get(KEY, T0), undefined);
    const store = new AffinityStore({ idleMinutes: 30 });
    store.remember(KEY, decision(), 'mini', T0);
    store.configure(false);
    assert.equal(store.size, 0);
    store.configure({ idleMinutes: 5 });
    store.remember(KEY, decision(), 'mini', T0);
    assert.equal(store.get(KEY, T0 + 5 * MIN), undefined, 'the new idle time applies');
  });
  it('a request that named its model counts as a turn and moves nothing; on a new conversation it pins nothing', () => {
    const store = new AffinityStore({ idleMinutes: 30 });
    store.remember(KEY, decision({ forced: true, rule: 'model "gpt4o"' }), 'gpt4o', T0);
    assert.equal(store.get(KEY, T0), undefined);
    store.remember(KEY, decision(), 'mini', T0);
    store.remember(KEY, decision({ forced: true, rule: 'model "gpt4o"' }), 'gpt4o', T0 + 1);
    assert.deepEqual([store.get(KEY, T0 + 2)?.model, store.get(KEY, T0 + 2)?.turns, store.get(KEY, T0 + 2)?.rule], ['mini', 2, 'r']);
  });
});

describe('decide() with a pin', () => {
  it('a 5-turn agent loop stays on its first model and rule; the trace says why', () => {
    const rules = compile(LOOP_RULES);
    const store = new AffinityStore(rules.config.affinity);
    const ds = [1, 2, 3, 4, 5].map((n) => turn(store, rules, agentTurn(n), T0 + n * MIN));
    assert.equal(ds[0].rule, 'agent start');
    assert.equal(ds[0].affinity, undefined, 'turn 1 has no pin yet');
    assert.deepEqual(ds.map((d) => d.candidates[0].name), ['mini', 'mini', 'mini', 'mini', 'mini']);
    assert.deepEqual(ds.map((d) => [d.rule, d.tier]), Array(5).fill(['agent start', 'fast']));
    // Without the pin, the later turns would have gone deep: the rules alone pick "big context" there.
    const unpinned = decide(routeInput(agentTurn(5), rules), rules, state());
    assert.equal(unpinned.rule, 'big context');
    assert.equal(ds[4].trace.at(-1)?.rule, 'big context', 'the trace still shows what the rules alone would pick');
    assert.deepEqual(ds[4].affinity, { key: KEY, turn: 5, rule: 'agent start', model: 'mini', since: 1 });
    assert.deepEqual(ds[4].candidates.map((c) => c.name), ['mini', 'haiku'], 'the pinned model first, then the rule\'s others');
    assert.match(formatDecision(ds[4]), /conversation: kept from turn 1 \(rule "agent start"\) on mini · turn 5/);
    assert.match(traceToMarkdown(ds[4]), /Conversation: kept from turn 1 \(rule "agent start"\) on mini · turn 5/);
    assert.deepEqual(JSON.parse(JSON.stringify(ds[4])).affinity, ds[4].affinity);
  });
  it('a fallback moves the pin to the model that answered', () => {
    const rules = compile(LOOP_RULES);
    const store = new AffinityStore(rules.config.affinity);
    turn(store, rules, agentTurn(1), T0);
    const second = turn(store, rules, agentTurn(2), T0 + MIN, {}, (d) => d.candidates[1].name); // mini failed, haiku answered
    assert.equal(second.candidates[0].name, 'mini');
    const third = turn(store, rules, agentTurn(3), T0 + 2 * MIN);
    assert.deepEqual(third.candidates.map((c) => c.name), ['haiku', 'mini']);
    assert.deepEqual([third.rule, third.affinity?.model, third.affinity?.broken], ['agent start', 'haiku', undefined]);
  });
  it('a pinned model that is now skipped (open circuit) falls through to the rules; what serves is pinned next', () => {
    const rules = compile(LOOP_RULES);
    const store = new AffinityStore(rules.config.affinity);
    turn(store, rules, agentTurn(1), T0);
    const circuits = { 'openai/gpt-4o-mini-2024-07-18': { state: 'open' as const, openUntil: T0 + 10 * MIN, consecutiveFailures: 3 } };
    const d = turn(store, rules, agentTurn(2), T0 + MIN, { circuits });
    assert.equal(d.rule, 'big context');
    assert.equal(d.candidates[0].name, 'sonnet');
    assert.match(d.affinity?.broken ?? '', /^the pinned model "mini" is skipped \(circuit open after 3 consecutive failures/);
    assert.match(formatDecision(d), /affinity broken at turn 2: the pinned model "mini" is skipped/);
    const next = turn(store, rules, agentTurn(3), T0 + 2 * MIN, { circuits });
    assert.deepEqual([next.rule, next.candidates[0].name, next.affinity?.since, next.affinity?.broken], ['big context', 'sonnet', 2, undefined]);
    assert.match(formatDecision(next), /kept from turn 2 \(rule "big context"\) on sonnet · turn 3/);
  });
  it('a pinned model that cannot serve the new turn (an image to a model without vision) falls through too', () => {
    const rules = compile({ ...LOOP_RULES, models: { ...BASE.models, mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18', capabilities: { vision: false } } } });
    const store = new AffinityStore(rules.config.affinity);
    turn(store, rules, agentTurn(1), T0);
    const d = turn(store, rules, agentTurn(2, [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }]), T0 + MIN);
    assert.match(d.affinity?.broken ?? '', /cannot read images/);
    assert.equal(d.candidates[0].name, 'sonnet');
  });
  it('a rule with breaksAffinity wins over the pin (the default budget guard); one without does not', () => {
    const rules = compile(LOOP_RULES);
    const store = new AffinityStore(rules.config.affinity);
    turn(store, rules, agentTurn(1), T0);
    const soft = turn(store, rules, agentTurn(2), T0 + MIN, { spentMonthUsd: 150 });
    assert.equal(soft.trace.at(-1)?.rule, 'soft guard', 'the rules alone would pick the soft guard…');
    assert.deepEqual([soft.rule, soft.candidates[0].name, soft.affinity?.broken], ['agent start', 'mini', undefined], '…which has no breaksAffinity');
    const guard = turn(store, rules, agentTurn(3), T0 + 2 * MIN, { spentTodayUsd: 9 });
    assert.deepEqual([guard.rule, guard.tier, guard.candidates.map((c) => c.name)], ['budget guard', null, ['haiku']]);
    assert.equal(guard.affinity?.broken, 'rule "budget guard" matched, and it breaks affinity');
    assert.match(traceToMarkdown(guard), /affinity broken at turn 3: rule "budget guard" matched, and it breaks affinity \(was rule "agent start" on mini since turn 1\)/);
    // The guard's decision is the conversation's pin from now on, even once spend is read as lower again.
    const after = turn(store, rules, agentTurn(4), T0 + 3 * MIN);
    assert.deepEqual([after.rule, after.candidates[0].name, after.affinity?.since, after.affinity?.turn], ['budget guard', 'haiku', 3, 4]);
    // The shipped defaults mark their budget guard so.
    const defaults = parseRules(DEFAULT_RULES_TEXT, null).rules!;
    assert.equal(defaults.config.rules.find((r) => r.name === 'budget guard')?.breaksAffinity, true);
  });
  it('a model the caller names bypasses the pin, and the pin survives it', () => {
    const rules = compile(LOOP_RULES);
    const store = new AffinityStore(rules.config.affinity);
    turn(store, rules, agentTurn(1), T0);
    const forced = turn(store, rules, agentTurn(2), T0 + MIN, {}, undefined, { target: ['gpt4o'], label: 'model "gpt4o" (named by the caller)' });
    assert.deepEqual([forced.rule, forced.candidates[0].name, forced.affinity, forced.forced], ['model "gpt4o" (named by the caller)', 'gpt4o', undefined, true]);
    const back = turn(store, rules, agentTurn(3), T0 + 2 * MIN);
    assert.deepEqual([back.rule, back.candidates[0].name, back.affinity?.turn], ['agent start', 'mini', 3]);
  });
  it('after a reload: a pinned rule that is gone, or whose target no longer lists the model, breaks the pin', () => {
    const rules = compile(LOOP_RULES);
    const store = new AffinityStore(rules.config.affinity);
    turn(store, rules, agentTurn(1), T0);
    const moved = compile({ rules: [{ name: 'new first', if: { task: 'x' }, then: 'deep' }, ...LOOP_RULES.rules] });
    const kept = turn(store, moved, agentTurn(2), T0 + MIN);
    assert.deepEqual([kept.rule, kept.ruleIndex, kept.affinity?.broken], ['agent start', 4, undefined], 'found by name at its new index');
    const gone = compile({ rules: LOOP_RULES.rules.filter((r) => r.name !== 'agent start') });
    assert.equal(turn(store, gone, agentTurn(3), T0 + 2 * MIN).affinity?.broken, 'the pinned rule "agent start" is no longer in the rules');
    const store2 = new AffinityStore(rules.config.affinity);
    turn(store2, rules, agentTurn(1), T0);
    const retiered = compile({ ...LOOP_RULES, tiers: { ...BASE.tiers, fast: ['haiku'] } });
    assert.equal(turn(store2, retiered, agentTurn(2), T0 + MIN).affinity?.broken, 'the pinned model "mini" is no longer a candidate of rule "agent start"');
  });
  it('affinity: false in the rules file', () => {
    const rules = compile({ ...LOOP_RULES, affinity: false });
    assert.equal(rules.config.affinity, false);
    const store = new AffinityStore(rules.config.affinity);
    const ds = [1, 2, 3].map((n) => turn(store, rules, agentTurn(n), T0 + n * MIN));
    assert.deepEqual(ds.map((d) => d.rule), ['agent start', 'big context', 'big context']);
    assert.ok(ds.every((d) => d.affinity === undefined));
    assert.deepEqual(compile(LOOP_RULES).config.affinity, { idleMinutes: 30 });
  });
  it('deterministic: the same requests in the same order and state give the same decisions', () => {
    const replay = () => {
      const rules = compile(LOOP_RULES);
      const store = new AffinityStore(rules.config.affinity);
      const out: string[] = [];
      const circuits = { 'openai/gpt-4o-mini-2024-07-18': { state: 'open' as const, openUntil: T0 + 4 * MIN, consecutiveFailures: 3 } };
      for (let n = 1; n <= 8; n++) {
        const st = n === 3 ? { circuits } : n === 6 ? { spentTodayUsd: 9 } : {};
        const d = turn(store, rules, agentTurn(n), T0 + n * MIN, st, (x) => x.candidates[n === 5 ? 1 : 0]?.name);
        out.push(JSON.stringify(d));
      }
      return out;
    };
    const a = replay();
    assert.deepEqual(replay(), a);
    assert.ok(new Set(a.map((s) => JSON.parse(s).affinity?.broken ?? 'kept')).size >= 3, 'the sequence keeps, falls through and breaks');
  });
});
