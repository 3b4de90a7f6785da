/** Routing agent traffic: conditions on the request's shape, model capabilities, and candidates that cannot serve. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../../daemon/router/decide';
import { routeInput } from '../../daemon/router/prepare';
import { requestShape } from '../../daemon/formats/shape';
import { runRuleTests } from '../../daemon/rules/ruleTests';
import { parseRules } from '../../daemon/rules/load';
import { CATALOG, UNCATALOGUED_CAPABILITIES } from '../../shared/catalog';
import type { CanonicalRequest, Message } from '../../shared/canonical';
import type { RequestShape, RouteRequest } from '../../shared/decision';
import { BASE, compile, state } from './helpers/rules';

const text = (t: string) => ({ type: 'text' as const, text: t });
const user = (...content: Message['content']): Message => ({ role: 'user', content });
const assistant = (...content: Message['content']): Message => ({ role: 'assistant', content });
const image = { type: 'image' as const, source: { kind: 'url' as const, url: 'https://example.com/cat.png' } };
const pdf = { type: 'document' as const, source: { kind: 'base64' as const, mediaType: 'application/pdf', data: 'JVBERi0x' } };
const tool = { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } };

/** A shape read off a canonical request, as the HTTP handler will make it. */
const shapeOf = (req: Partial<CanonicalRequest>, headers: Record<string, string> = {}): RequestShape =>
  requestShape({ messages: [user(text('hi'))], stream: false, ...req }, 'openai-chat', headers);

const route = (rulesExtra: Record<string, unknown>, request: Partial<RouteRequest>, st = state()) => {
  const rules = compile(rulesExtra);
  return decide(routeInput({ prompt: 'hi', ...request }, rules), rules, st);
};
const one = (cond: unknown, request: Partial<RouteRequest>) => route({ rules: [{ name: 'r', if: cond, then: 'fast' }] }, request);

describe('conditions on the request shape', () => {
  const agentTurn = shapeOf({
    tools: [tool],
    messages: [
      user(text('fix the bug')),
      assistant({ type: 'tool_call', id: 'c1', name: 'read_file', arguments: '{"path":"a.ts"}' }),
      user({ type: 'tool_result', toolCallId: 'c1', content: [text('…')] }),
    ],
    reasoning: { enabled: true, effort: 'high' },
  }, { 'user-agent': 'claude-cli/1.0.83 (external, cli)' });

  it('hasTools, hasImages and lastIsToolResult: booleans, with the value seen in the trace', () => {
    assert.equal(one({ hasTools: true }, { shape: agentTurn }).rule, 'r');
    assert.equal(one({ lastIsToolResult: true }, { shape: agentTurn }).rule, 'r');
    const d = one({ hasImages: true }, { shape: agentTurn });
    assert.equal(d.rule, 'default');
    assert.deepEqual(d.trace[0].failed, { path: 'if.hasImages', expected: true, actual: false });
    assert.equal(one({ hasImages: true }, { shape: shapeOf({ messages: [user(text('what is this?'), image)] }) }).rule, 'r');
    assert.equal(one({ hasTools: false }, { shape: agentTurn }).rule, 'default');
  });
  it('turns: a comparison on user turns (tool results are not turns)', () => {
    assert.equal(agentTurn.turns, 1);
    assert.equal(one({ turns: { '==': 1 } }, { shape: agentTurn }).rule, 'r');
    const long = shapeOf({ messages: [user(text('a')), assistant(text('b')), user(text('c')), assistant(text('d')), user(text('e'))] });
    assert.equal(one({ turns: { '>=': 3 } }, { shape: long }).rule, 'r');
    assert.deepEqual(one({ turns: { '>': 5 } }, { shape: long }).trace[0].failed, { path: 'if.turns', expected: { '>': 5 }, actual: 3 });
  });
  it('client and reasoning: equality or membership, null in the trace when absent', () => {
    assert.equal(one({ client: ['claude-cli', 'codex'] }, { shape: agentTurn }).rule, 'r');
    assert.equal(one({ reasoning: 'high' }, { shape: agentTurn }).rule, 'r');
    assert.equal(one({ reasoning: ['low', 'medium'] }, { shape: agentTurn }).rule, 'default');
    const plain = shapeOf({});
    assert.deepEqual(one({ client: 'codex' }, { shape: plain }).trace[0].failed, { path: 'if.client', expected: 'codex', actual: null });
    assert.deepEqual(one({ reasoning: 'high' }, { shape: plain }).trace[0].failed, { path: 'if.reasoning', expected: 'high', actual: null });
  });
  it('a request without a shape (the editor\'s) has no tools, no images, its turns from the messages', () => {
    assert.equal(one({ hasTools: false, hasImages: false, lastIsToolResult: false }, {}).rule, 'r');
    assert.equal(one({ turns: { '==': 1 } }, {}).rule, 'r');
    const messages = [{ role: 'user' as const, content: 'a' }, { role: 'assistant' as const, content: 'b' }, { role: 'user' as const, content: 'c' }];
    assert.equal(one({ turns: { '==': 2 } }, { prompt: 'c', messages }).rule, 'r');
    // A prompt that is not the conversation's last user message is one more turn (as the token count reads it).
    assert.equal(one({ turns: { '==': 3 } }, { prompt: 'd', messages }).rule, 'r');
  });
  it('combines with the other conditions and inside all / any / not', () => {
    const cond = { all: [{ hasTools: true }, { any: [{ client: 'codex' }, { not: { turns: { '<': 1 } } }] }] };
    assert.equal(one(cond, { shape: agentTurn }).rule, 'r');
    assert.equal(one({ hasTools: true, task: 'chat' }, { shape: agentTurn }).trace[0].failed?.path, 'if.task');
  });
  it('the schema refuses wrong types and unknown levels, naming the path', () => {
    const bad = (cond: unknown) => parseRules(JSON.stringify({ ...BASE, rules: [{ name: 'r', if: cond, then: 'fast' }] }), 'r.json').issues.filter((i) => i.severity === 'error');
    assert.match(bad({ hasTools: 'yes' })[0].path ?? '', /rules\[0\]\.if\.hasTools/);
    assert.match(bad({ reasoning: 'extreme' })[0].path ?? '', /rules\[0\]\.if\.reasoning/);
    assert.match(bad({ turns: 3 })[0].path ?? '', /rules\[0\]\.if\.turns/);
    assert.deepEqual(bad({ client: ['cline', 'roo'], reasoning: ['enabled'], turns: { '>=': 2 }, lastIsToolResult: false }), []);
  });
  it('shadowing compares booleans by value: hasTools true never hides hasTools false', () => {
    const warnings = (rules: unknown[]) => parseRules(JSON.stringify({ ...BASE, rules }), 'r.json').issues.filter((i) => i.code === 'shadowed-rule');
    assert.deepEqual(warnings([{ name: 'a', if: { hasTools: true }, then: 'fast' }, { name: 'b', if: { hasTools: false }, then: 'deep' }]), []);
    const hidden = warnings([{ name: 'a', if: { hasTools: true }, then: 'fast' }, { name: 'b', if: { hasTools: true, turns: { '>': 3 } }, then: 'deep' }]);
    assert.equal(hidden.length, 1);
    assert.equal(hidden[0].rule, 'b');
  });
});

describe('capabilities', () => {
  it('every catalog model has its capabilities and an output limit within its context window', () => {
    for (const e of CATALOG) {
      assert.ok(e.maxOutputTokens > 0 && e.maxOutputTokens <= e.contextWindow, e.id);
      assert.equal(e.capabilities.tools, true, e.id);
    }
    const by = (id: string) => CATALOG.find((e) => e.id === id)!;
    assert.deepEqual(by('o3-mini-2025-01-31').capabilities, { tools: true, vision: false, documents: false, structuredOutput: true, reasoning: true });
    assert.equal(by('gpt-4o-2024-05-13').capabilities.structuredOutput, false);
    assert.equal(by('claude-3-5-sonnet-20241022').capabilities.reasoning, false);
    assert.equal(by('claude-sonnet-4-20250514').capabilities.reasoning, true);
    assert.equal(by('claude-3-haiku-20240307').capabilities.documents, false);
    assert.equal(by('claude-opus-4-20250514').maxOutputTokens, 32_000);
  });
  it('the rules file overrides them per model; a model not in the catalog gets the documented defaults', () => {
    const rules = compile({
      providers: { ...BASE.providers, local: { type: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' } },
      models: {
        ...BASE.models,
        mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18', capabilities: { vision: false }, maxOutputTokens: 4000 },
        qwen: { provider: 'local', id: 'qwen2.5-coder:7b', contextWindow: 32_768 },
        llava: { provider: 'local', id: 'llava:13b', capabilities: { vision: true } },
      },
    });
    assert.deepEqual(rules.models.mini.capabilities, { tools: true, vision: false, documents: true, structuredOutput: true, reasoning: false });
    assert.equal(rules.models.mini.maxOutputTokens, 4000);
    assert.deepEqual(rules.models.qwen.capabilities, UNCATALOGUED_CAPABILITIES);
    assert.deepEqual(UNCATALOGUED_CAPABILITIES, { tools: true, vision: false, documents: false, structuredOutput: true, reasoning: false });
    assert.equal(rules.models.qwen.maxOutputTokens, 32_768, 'unknown: the context window');
    assert.equal(rules.models.llava.capabilities.vision, true);
    assert.equal(rules.models.sonnet.maxOutputTokens, 8_192, 'the catalog');
  });
  it('the schema refuses unknown capability names', () => {
    const { issues } = parseRules(JSON.stringify({ ...BASE, models: { mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18', capabilities: { audio: true } } }, tiers: { fast: ['mini'] }, default: 'fast' }), 'r.json');
    assert.ok(issues.some((i) => i.severity === 'error' && /audio/.test(i.message)), JSON.stringify(issues));
  });
});

describe('a candidate that cannot serve the request is skipped before any call', () => {
  const visionless = { models: { ...BASE.models, mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18', capabilities: { vision: false } } } };
  const withImage = shapeOf({ messages: [user(text('what is in this picture?'), image)] });

  it('missing capability: reason "capability", the detail names what and why', () => {
    const d = route(visionless, { shape: withImage }, state());
    assert.equal(d.rule, 'default');
    const fast = route({ ...visionless, rules: [{ name: 'pics', if: { hasImages: true }, then: 'fast' }] }, { shape: withImage });
    assert.deepEqual(fast.candidates.map((c) => c.name), ['haiku']);
    assert.deepEqual(fast.skipped, [{
      name: 'mini', provider: 'openai', model: 'gpt-4o-mini-2024-07-18', reason: 'capability',
      detail: 'gpt-4o-mini-2024-07-18 cannot read images (capabilities.vision is false)',
    }]);
  });
  it('several missing capabilities are named together', () => {
    const rules = { rules: [{ name: 'r', if: { hasTools: true }, then: ['sonnet'] }] };
    const d = route(rules, { shape: shapeOf({ tools: [tool], reasoning: { enabled: true, budgetTokens: 2048 }, messages: [user(text('go'), pdf)] }) });
    assert.equal(d.candidates.length, 0);
    assert.equal(d.skipped[0].detail, 'claude-3-5-sonnet-20241022 cannot take a reasoning effort or thinking budget (capabilities.reasoning is false)');
    const o3 = compile({ models: { o3: { provider: 'openai', id: 'o3-mini-2025-01-31' } }, tiers: { t: ['o3'] }, default: 't' });
    const skipped = decide(routeInput({ prompt: 'x', shape: shapeOf({ messages: [user(text('x'), image, pdf)] }) }, o3), o3, state()).skipped[0];
    assert.equal(skipped.detail, 'o3-mini-2025-01-31 cannot read images or read PDF documents (capabilities.vision, capabilities.documents are false)');
  });
  it('a JSON schema needs structured output; json_object mode does not', () => {
    const rules = { models: { old: { provider: 'openai', id: 'gpt-4o-2024-05-13' } }, tiers: { t: ['old'] }, default: 't' };
    const schema = shapeOf({ responseFormat: { type: 'json_schema', name: 'x', schema: { type: 'object' } } });
    assert.equal(route(rules, { shape: schema }).skipped[0]?.reason, 'capability');
    assert.equal(route(rules, { shape: shapeOf({ responseFormat: { type: 'json_object' } }) }).candidates.length, 1);
  });
  it('input plus requested output over the context window, or output over maxOutputTokens: reason "context-window"', () => {
    const rules = { rules: [{ name: 'r', if: { task: 'x' }, then: ['mini', 'sonnet'] }] };
    const overOutput = route(rules, { task: 'x', maxOutputTokens: 10_000 });
    assert.deepEqual(overOutput.candidates.map((c) => c.name), ['mini']);
    assert.deepEqual(overOutput.skipped.map((s) => [s.name, s.reason, s.detail]), [
      ['sonnet', 'context-window', 'the request asks for up to 10,000 output tokens; claude-3-5-sonnet-20241022 writes at most 8,192 (maxOutputTokens)'],
    ]);
    const long = 'word '.repeat(130_000);
    const overContext = route(rules, { task: 'x', prompt: long, maxOutputTokens: 4_000 });
    assert.deepEqual(overContext.candidates.map((c) => c.name), ['sonnet']);
    assert.equal(overContext.skipped[0].reason, 'context-window');
    assert.match(overContext.skipped[0].detail, /^≈\d{3},\d{3} input \+ 4,000 output tokens exceed gpt-4o-mini-2024-07-18's context window of 128,000$/);
    // The estimate shown is the first candidate's, which is one that fits.
    assert.equal(overContext.estimate, overContext.candidates[0].estimate);
  });
  it('requests without a shape need nothing: the editor\'s plain text reaches a text-only model', () => {
    const rules = { models: { ...BASE.models, mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18', capabilities: { vision: false, tools: false } } } };
    const d = route({ ...rules, rules: [{ name: 'r', if: { task: 'x' }, then: ['mini'] }] }, { task: 'x' });
    assert.deepEqual(d.candidates.map((c) => c.name), ['mini']);
  });
  it('a conversation carrying tool calls needs tools even when it offers none', () => {
    const shape = shapeOf({ messages: [user(text('a')), assistant({ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }), user({ type: 'tool_result', toolCallId: 'c', content: [] })] });
    assert.equal(shape.hasTools, false);
    assert.equal(shape.needs.tools, true);
    const rules = { models: { ...BASE.models, mini: { provider: 'openai', id: 'gpt-4o-mini-2024-07-18', capabilities: { tools: false } } }, rules: [{ name: 'r', if: { task: 'x' }, then: ['mini', 'haiku'] }] };
    assert.deepEqual(route(rules, { task: 'x', shape }).candidates.map((c) => c.name), ['haiku']);
  });
  it('capability and context checks come after the key and circuit checks, one reason per model', () => {
    const rules = { ...visionless, rules: [{ name: 'r', if: { hasImages: true }, then: ['mini', 'haiku'] }] };
    const d = route(rules, { shape: withImage }, state({ keys: { openai: false, anthropic: true } }));
    assert.deepEqual(d.skipped.map((s) => [s.name, s.reason]), [['mini', 'no-key']], 'mini lacks both a key and vision: the key is named');
    assert.deepEqual(d.candidates.map((c) => c.name), ['haiku']);
    const forced = compile(visionless);
    const viaModel = decide(routeInput({ prompt: 'x', shape: withImage }, forced), forced, state(), { target: ['mini'], label: 'model "mini" (named by the caller)' });
    assert.deepEqual(viaModel.skipped.map((s) => s.reason), ['capability'], 'a model the caller names is checked too');
    assert.equal(viaModel.forced, true);
  });
  it('stays deterministic with shapes: identical inputs give identical Decisions', () => {
    const rules = compile({ ...visionless, rules: [{ name: 'pics', if: { hasImages: true, turns: { '>=': 1 } }, then: 'fast' }] });
    const input = routeInput({ prompt: 'x', shape: withImage }, rules);
    const first = JSON.stringify(decide(input, rules, state()));
    for (let i = 0; i < 200; i++) assert.equal(JSON.stringify(decide(input, rules, state())), first);
  });
});

describe('rule tests with a shape', () => {
  it('a test request may carry a shape; expectations see the new conditions and the capability skips', () => {
    const rules = compile({
      rules: [
        { name: 'agents', if: { hasTools: true, client: 'claude-cli' }, then: 'deep' },
        { name: 'thinking', if: { reasoning: ['high', 'enabled'] }, then: ['mini', 'sonnet'] },
      ],
      tests: [
        { request: { prompt: 'go', shape: { hasTools: true, client: 'claude-cli', turns: 4 } }, expect: { rule: 'agents', tier: 'deep' } },
        { request: { prompt: 'think', shape: { reasoning: 'high' } }, expect: { rule: 'thinking', model: 'sonnet' } },
        { request: { prompt: 'plain' }, expect: { rule: 'default' } },
      ],
    });
    const results = runRuleTests(rules);
    // mini and sonnet both lack reasoning: the second test finds no candidate and fails, saying what it got.
    assert.deepEqual(results.map((r) => r.ok), [true, false, true]);
    assert.match(results[1].detail, /model "sonnet" expected, got "none"/);
  });
});
