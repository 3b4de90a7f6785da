/**
 * Raw requests shaped like the coding agents' (Claude Code through ANTHROPIC_BASE_URL, Codex CLI through its
 * provider base_url): what they send reaches the upstream unchanged but `model` — query string, beta headers,
 * system blocks, tools, session ids — and an agent loop stays on one model from turn to turn (conversation
 * affinity) unless a fault makes it fall back.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { messagesInputTokens } from '../fixtures/mock/answer';
import {
  claudeCodeBody, claudeCodeFirstTurn, claudeCodeSession, codexBody, codexFirstInput, codexSession, type ClaudeCodeSession,
} from './helpers/clients/agentShapes';
import { anthropicMessageOf, eventData, ID, queryOf, rawRequest, startGateway, type Gateway } from './helpers/clients/gateway';

let gw: Gateway;

// Without affinity the rules would move every tool step of a loop to the fast models: the first rule matches
// from turn 2 on. The agents' own rules pick where a conversation starts.
const RULES = {
  rules: [
    { name: 'tool steps go fast', if: { lastIsToolResult: true }, then: ['mini', 'haiku'] },
    { name: 'claude code', if: { client: 'claude-cli' }, then: ['sonnet', 'gpt4o'] },
    { name: 'codex', if: { client: 'codex' }, then: ['o3', 'sonnet4'] },
  ],
};

before(async () => { gw = await startGateway(RULES); });
after(async () => { await gw?.stop(); });
beforeEach(() => gw.reset());

const MESSAGES = '/v1/messages';
const CLAUDE_CODE_PATH = '/v1/messages?beta=true';

describe('Claude Code-shaped requests', () => {
  it('a streamed turn reaches the upstream with its query string, beta header and body unchanged but model', async () => {
    const session = claudeCodeSession(gw.daemon.token);
    const body = claudeCodeBody(session, [claudeCodeFirstTurn('Fix the failing test in src/math.test.ts')]);
    const res = await rawRequest(gw.daemon, CLAUDE_CODE_PATH, body, session.headers);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-model'), ID.sonnet);
    assert.equal(res.headers.get('x-switchyard-rule'), 'claude code');
    // The upstream's stream, relayed: the first tool is called, with input valid for its schema.
    const types = res.events.map((e) => e.event);
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    const message = anthropicMessageOf(res.events);
    assert.equal(message.stop_reason, 'tool_use');
    const [use] = message.content.filter((b: any) => b.type === 'tool_use');
    assert.equal(use.name, 'Task');
    assert.deepEqual(Object.keys(use.input).sort(), ['description', 'prompt', 'subagent_type']);

    const up = gw.onlyUpstream(MESSAGES);
    assert.equal(queryOf(up).get('beta'), 'true');
    assert.equal(up.headers['anthropic-beta'], session.headers['anthropic-beta']);
    assert.deepEqual(up.body, { ...body, model: ID.sonnet });
  });

  it('its count_tokens call is answered by the upstream, with the beta header and body unchanged but model', async () => {
    const session = claudeCodeSession(gw.daemon.token);
    const { max_tokens: _m, stream: _s, temperature: _t, metadata: _md, ...counted } = claudeCodeBody(session, [claudeCodeFirstTurn('How many tokens is this?')]);
    const headers = { ...session.headers, 'anthropic-beta': 'claude-code-20250219,token-counting-2024-11-01' };
    const res = await rawRequest(gw.daemon, '/v1/messages/count_tokens?beta=true', counted, headers);
    assert.equal(res.status, 200, res.text);
    const up = gw.onlyUpstream('/v1/messages/count_tokens');
    assert.equal(res.json.input_tokens, messagesInputTokens(up.body));
    assert.equal(res.headers.get('x-switchyard-token-count'), 'upstream');
    assert.equal(up.headers['anthropic-beta'], headers['anthropic-beta']);
    assert.equal(queryOf(up).get('beta'), 'true');
    assert.deepEqual(up.body, { ...counted, model: ID.sonnet });
  });
});

interface Turn { model: string | null; rule: string | null; fallbacks: string | null; message: any }

/**
 * Runs a Claude Code agent loop: each turn streams, each tool call is answered with a tool_result, and the whole
 * conversation goes back on the next turn, as Claude Code does. The mock's script decides the calls.
 */
async function claudeCodeLoop(session: ClaudeCodeSession, turns: number, beforeTurn: (turn: number) => void = () => {}): Promise<Turn[]> {
  const messages: unknown[] = [claudeCodeFirstTurn('Fix the failing test in src/math.test.ts')];
  const out: Turn[] = [];
  for (let turn = 1; turn <= turns; turn++) {
    beforeTurn(turn);
    const res = await rawRequest(gw.daemon, CLAUDE_CODE_PATH, claudeCodeBody(session, messages), session.headers);
    assert.equal(res.status, 200, `turn ${turn}: ${res.text}`);
    const message = anthropicMessageOf(res.events);
    out.push({ model: res.headers.get('x-switchyard-model'), rule: res.headers.get('x-switchyard-rule'), fallbacks: res.headers.get('x-switchyard-fallbacks'), message });
    const uses = message.content.filter((b: any) => b.type === 'tool_use');
    if (!uses.length) break;
    messages.push({ role: 'assistant', content: message.content });
    messages.push({ role: 'user', content: uses.map((u: any) => ({ type: 'tool_result', tool_use_id: u.id, content: `${u.name} done (turn ${turn})` })) });
  }
  return out;
}

const LOOP_SCRIPT = [
  { toolCalls: [{ name: 'Glob', arguments: { pattern: 'src/**/*.test.ts' } }] },
  { toolCalls: [{ name: 'Read', arguments: { file_path: '/repo/src/math.test.ts' } }] },
  { toolCalls: [{ name: 'Edit', arguments: { file_path: '/repo/src/math.ts', old_string: 'a - b', new_string: 'a + b' } }] },
  { toolCalls: [{ name: 'Bash', arguments: { command: 'npm test', description: 'Run the tests' } }] },
  { text: 'Fixed: add() subtracted; the tests pass now.' },
];

describe('an agent loop of 5 turns with tools (Claude Code-shaped)', () => {
  it('stays on the model of its first turn, though the rules alone would move its tool steps', async () => {
    gw.mock.setReply({ script: LOOP_SCRIPT });
    const session = claudeCodeSession(gw.daemon.token);
    const turns = await claudeCodeLoop(session, 5);
    assert.equal(turns.length, 5);
    assert.deepEqual(turns.map((t) => t.model), Array(5).fill(ID.sonnet));
    assert.deepEqual(turns.map((t) => t.rule), Array(5).fill('claude code'));
    assert.deepEqual(turns.map((t) => t.fallbacks), Array(5).fill('0'));
    assert.equal(turns[4].message.content.find((b: any) => b.type === 'text')?.text, 'Fixed: add() subtracted; the tests pass now.');
    const ups = gw.upstream(MESSAGES);
    assert.equal(ups.length, 5);
    assert.ok(ups.every((u) => u.body.model === ID.sonnet && u.body.metadata.user_id === session.userId));
    // The last turn carried the whole loop: four tool calls, each answered.
    const last = ups[4].body.messages;
    assert.equal(last.length, 9);
    assert.deepEqual(last.filter((m: any) => m.role === 'assistant').map((m: any) => m.content.find((b: any) => b.type === 'tool_use').name), ['Glob', 'Read', 'Edit', 'Bash']);
  });

  it('the trace says why: the decision was kept from turn 1', async () => {
    gw.mock.setReply({ script: LOOP_SCRIPT });
    const session = claudeCodeSession(gw.daemon.token);
    await claudeCodeLoop(session, 2);
    const messages = gw.upstream(MESSAGES)[1].body.messages;
    const res = await rawRequest(gw.daemon, '/v1/route/explain', claudeCodeBody(session, messages), session.headers);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.rule, 'claude code');
    assert.equal(res.json.candidates[0].model, ID.sonnet);
    assert.equal(res.json.affinity?.since, 1);
    assert.equal(res.json.affinity?.rule, 'claude code');
    assert.equal(res.json.affinity?.broken, undefined);
  });

  it('a fault on turn 3 falls back, and the loop stays on the model that answered', async () => {
    gw.mock.setReply({ script: LOOP_SCRIPT });
    const session = claudeCodeSession(gw.daemon.token);
    const turns = await claudeCodeLoop(session, 5, (turn) => {
      if (turn === 3) gw.mock.fail({ api: 'anthropic', model: ID.sonnet, times: 1, fault: { kind: 'status', status: 529 } });
    });
    assert.equal(turns.length, 5);
    assert.deepEqual(turns.map((t) => t.model), [ID.sonnet, ID.sonnet, ID.gpt4o, ID.gpt4o, ID.gpt4o]);
    assert.deepEqual(turns.map((t) => t.fallbacks), ['0', '0', '1', '0', '0']);
    assert.deepEqual(turns.map((t) => t.rule), Array(5).fill('claude code'));
    assert.equal(turns[4].message.content.find((b: any) => b.type === 'text')?.text, 'Fixed: add() subtracted; the tests pass now.');
    // From turn 3 on the conversation is translated for OpenAI: the tool history arrives as tool_calls / tool messages.
    const chat = gw.upstream('/v1/chat/completions');
    assert.equal(chat.length, 3);
    const last = chat[2].body;
    assert.equal(last.model, ID.gpt4o);
    assert.equal(last.user, session.userId);
    assert.deepEqual(last.messages.filter((m: any) => m.role === 'tool').length, 4);
    assert.deepEqual(last.messages.filter((m: any) => m.role === 'assistant').flatMap((m: any) => m.tool_calls.map((c: any) => c.function.name)), ['Glob', 'Read', 'Edit', 'Bash']);
    assert.ok(!JSON.stringify(last).includes('cache_control'), 'cache_control is removed for OpenAI');
  });
});

describe('Codex CLI-shaped requests', () => {
  it('a streamed /v1/responses turn with tools, then its function_call_output turn: unchanged but model, on one model', async () => {
    const session = codexSession(gw.daemon.token);
    const input = codexFirstInput('Run the tests and fix what fails');
    const body1 = codexBody(session, input);
    const r1 = await rawRequest(gw.daemon, '/v1/responses', body1, session.headers);
    assert.equal(r1.status, 200, r1.text);
    assert.equal(r1.headers.get('x-switchyard-model'), ID.o3);
    assert.equal(r1.headers.get('x-switchyard-rule'), 'codex');
    const events1 = eventData(r1.events);
    assert.equal(events1[0].type, 'response.created');
    const done1 = events1.at(-1);
    assert.equal(done1.type, 'response.completed');
    assert.deepEqual(events1.map((e) => e.sequence_number), events1.map((_, i) => i));
    const reasoning = done1.response.output.find((i: any) => i.type === 'reasoning');
    const call = done1.response.output.find((i: any) => i.type === 'function_call');
    assert.ok(reasoning?.encrypted_content, 'the reasoning comes back encrypted (store: false)');
    assert.equal(call.name, 'shell');
    assert.ok(Array.isArray(JSON.parse(call.arguments).command));

    const up1 = gw.onlyUpstream('/v1/responses');
    assert.deepEqual(up1.body, { ...body1, model: ID.o3 });
    assert.equal(up1.headers['openai-beta'], 'responses=experimental');

    // Turn 2: the reasoning item and the call go back as they came, with the command's output.
    const output = 'Exit code: 0\nWall time: 0.4 seconds\nOutput:\n2 tests passed';
    const body2 = codexBody(session, [...input, reasoning, call, { type: 'function_call_output', call_id: call.call_id, output }]);
    const r2 = await rawRequest(gw.daemon, '/v1/responses', body2, session.headers);
    assert.equal(r2.status, 200, r2.text);
    assert.equal(r2.headers.get('x-switchyard-model'), ID.o3, 'the tool step stays on the first turn\'s model');
    assert.equal(r2.headers.get('x-switchyard-rule'), 'codex');
    const text = eventData(r2.events).filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta).join('');
    assert.equal(text, `Tool said: ${output.split(/\s+/).slice(0, 8).join(' ')}`);
    const [, up2] = gw.upstream('/v1/responses');
    assert.deepEqual(up2.body, { ...body2, model: ID.o3 });
  });
});
