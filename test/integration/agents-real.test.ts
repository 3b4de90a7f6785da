/**
 * The real coding agents — Claude Code (`claude -p`), Codex CLI (`codex exec`) and OpenCode (`opencode run`) —
 * installed from npm on demand (helpers/agents/install.ts: pinned versions, a cache outside the repo) and run
 * headless against the daemon and the recording mock upstream, with the network closed but loopback. The mock's
 * script makes each agent call its own tools on real files in a temp project (read a file, run `cat` in a shell)
 * and then answer: a real agent loop of three turns through Switchyard. Each test holds side by side what the agent
 * printed, what it sent Switchyard (a tap in front of the daemon) and what the upstream received.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ReplyStep } from '../fixtures/mock-upstream';
import { startAgentGateway, ID, pathOf, sseData, type AgentGateway, type AgentSession } from './helpers/agents/harness';
import type { AgentName } from './helpers/agents/install';
import { claudeCode, codex, opencode, type Launch } from './helpers/agents/launch';
import { describeRun, type Sandbox } from './helpers/agents/run';

const NOTE = 'The secret word is PLUM.\n';
const SECOND = 'Second file says APRICOT today.\n';
const FILES = { 'note.txt': NOTE, 'second.txt': SECOND };

/** A routing hint each agent is configured to send (docs/CLIENTS.md says how, per agent). */
const HINTS = { 'x-switchyard-task': 'agent-test' };

/** The hint reached Switchyard on every request, and the ledger recorded it as the task. */
function assertHinted(s: AgentSession, rows: { task: string | null }[]): void {
  assert.deepEqual(s.sent.map((e) => e.headers['x-switchyard-task']), s.sent.map(() => HINTS['x-switchyard-task']));
  assert.deepEqual(rows.map((r) => r.task), rows.map(() => HINTS['x-switchyard-task']));
}

/** The mock's answer to a request that ends with a tool result: its first 8 words (mock-upstream.ts). */
const toolSaid = (output: string) => `Tool said: ${output.trim().split(/\s+/).slice(0, 8).join(' ')}`;

// Turn 1 is routed by client; from turn 2 on the last message is a tool result, and the first rule would send the
// step elsewhere (to models that can serve it: reasoning, long output). Conversation affinity keeps the loop on
// the model of its first turn.
const RULES = {
  rules: [
    { name: 'tool steps elsewhere', if: { lastIsToolResult: true }, then: ['sonnet37', 'o4mini'] },
    { name: 'claude code', if: { client: 'claude-cli' }, then: ['sonnet4'] },
    { name: 'codex', if: { client: 'codex' }, then: ['o3'] },
    { name: 'opencode', if: { client: 'opencode' }, then: ['gpt4o'] },
  ],
};

let gw: AgentGateway;
before(async () => { gw = await startAgentGateway(RULES); });
after(async () => { await gw?.stop(); });

const header = (e: AgentSession['sent'][number], name: string) => e.responseHeaders?.[name];

/** Every request the agent sent reached the upstream, in order, on the same path, its body unchanged but `model`. */
function assertPassedThrough(s: AgentSession, upstreamPath: string, model: string): void {
  const ups = s.upstream.filter((u) => pathOf(u) === upstreamPath);
  assert.equal(ups.length, s.sent.length, `one upstream request per agent request (upstream got: ${s.upstream.map((u) => u.path).join(', ')})`);
  s.sent.forEach((sent, i) => {
    assert.equal(ups[i].path, sent.path, `request ${i + 1}: the path and query string reach the upstream as sent`);
    assert.notEqual(sent.body.model, model, 'the agent asked for a routing name, not the pinned id');
    assert.deepEqual(ups[i].body, { ...sent.body, model }, `request ${i + 1}: the body reaches the upstream unchanged but model`);
  });
}

/**
 * Affinity, not the rules, kept the tool step on its model: the same request, sent again as a conversation of its
 * own, is routed by the first rule to another model.
 */
async function assertRulesAloneWouldMove(step: AgentSession['sent'][number], kept: string): Promise<void> {
  const alone = await gw.resend(step, { 'x-switchyard-session': `alone-${step.responseHeaders?.['x-switchyard-request-id']}` });
  assert.equal(alone.status, 200, alone.text.slice(0, 500));
  assert.equal(alone.headers.get('x-switchyard-rule'), 'tool steps elsewhere');
  assert.notEqual(alone.headers.get('x-switchyard-model'), kept);
}

/** The successful turns: what the agent sent and got a 200 for (an agent may retry a refused request). */
const served = (s: AgentSession) => s.sent.filter((e) => e.status === 200);

/** No request left for a provider's real API: all the agent's model traffic went through Switchyard. */
function assertNothingBypassed(s: AgentSession): void {
  assert.ok(!s.outside.some((h) => /(^|\.)(openai|anthropic)\.com(:\d+)?$/.test(h)), `the agent tried a provider directly: ${s.outside.join(', ')}`);
}

describe('Claude Code (claude -p) through ANTHROPIC_BASE_URL', () => {
  const launch = (model: string) => (box: Sandbox, baseURL: string) => claudeCode(box, {
    baseURL, token: gw.daemon.token, model, smallModel: 'fast', maxTurns: 6, hints: HINTS,
    prompt: 'Read note.txt, then show second.txt with cat.', allowedTools: ['Read', 'Bash(cat *)'],
  });
  const script = (box: Sandbox) => [
    { toolCalls: [{ name: 'Read', arguments: { file_path: `${box.work}/note.txt` } }] },
    { toolCalls: [{ name: 'Bash', arguments: { command: 'cat second.txt', description: 'Show second.txt' } }] },
  ];

  it('runs a Read → Bash → answer loop on one Anthropic model, every request passed through unchanged but model', async () => {
    const s = await runWithBox('claude-code', script, launch('switchyard/auto'));
    assert.equal(s.result.code, 0, describeRun(s.result));
    const out = JSON.parse(s.result.stdout);
    assert.equal(out.is_error, false, describeRun(s.result));
    // The answer the mock wrote from the real Bash tool's output: the agent ran `cat` and sent back what it printed.
    assert.equal(out.result, toolSaid(SECOND));

    // What Claude Code sent, exactly as it reached the upstream: ?beta=true, its beta header, system blocks with
    // cache_control, its tools, thinking and metadata — only `model` replaced.
    assert.ok(s.sent.length >= 3, describeRun(s.result));
    for (const e of s.sent) {
      assert.equal(e.path, '/v1/messages?beta=true');
      assert.match(String(e.headers['user-agent']), /^claude-cli\//);
    }
    assertPassedThrough(s, '/v1/messages', ID.sonnet4);
    const ups = s.upstream;
    s.sent.forEach((e, i) => assert.equal(ups[i].headers['anthropic-beta'], e.headers['anthropic-beta'], 'anthropic-beta reaches the upstream as sent'));
    const first = s.sent[0].body;
    assert.ok(first.system.some((b: any) => b.cache_control?.type === 'ephemeral'), 'Claude Code marks system blocks for the prompt cache');
    assert.ok(['Read', 'Bash'].every((name) => first.tools.some((t: any) => t.name === name)));
    assert.match(first.metadata.user_id, /session_id/);

    // Three turns answered, all on the model the first was routed to, though the last two end with tool results.
    const turns = served(s);
    assert.equal(turns.length, 3, s.sent.map((e) => `${e.status} ${e.responseText.slice(0, 200)}`).join('\n'));
    assert.deepEqual(turns.map((e) => header(e, 'x-switchyard-model')), Array(3).fill(ID.sonnet4));
    assert.deepEqual(turns.map((e) => header(e, 'x-switchyard-provider')), Array(3).fill('anthropic'));
    assert.deepEqual(turns.map((e) => header(e, 'x-switchyard-rule')), Array(3).fill('claude code'));
    assert.deepEqual(turns.map((e) => header(e, 'x-switchyard-fallbacks')), Array(3).fill('0'));
    await assertRulesAloneWouldMove(turns[1], ID.sonnet4);
    const results = turns.map((e) => e.body.messages.at(-1).content.filter((b: any) => b.type === 'tool_result'));
    assert.deepEqual(results.map((r) => r.length), [0, 1, 1]);
    assert.match(JSON.stringify(results[1][0].content), /PLUM/, 'the Read tool really read note.txt');
    assert.match(JSON.stringify(results[2][0].content), /APRICOT/, 'the Bash tool really ran cat second.txt');
    // The agent got the upstream's own stream: its tool_use blocks, relayed.
    assert.equal(sseData(turns[0].responseText).find((d) => d.type === 'content_block_start' && d.content_block.type === 'tool_use')?.content_block.name, 'Read');

    // The ledger: one conversation, the client named, the same format passed through.
    const rows = await gw.ledgerRows(turns);
    assert.deepEqual(rows.map((r) => [r.client, r.format, r.passthrough, r.model, r.toolCalls, r.toolResults]), [
      ['claude-cli', 'anthropic', true, ID.sonnet4, 1, 0],
      ['claude-cli', 'anthropic', true, ID.sonnet4, 1, 1],
      ['claude-cli', 'anthropic', true, ID.sonnet4, 0, 1],
    ]);
    assertHinted(s, rows);
    assert.ok(rows[0].conversation);
    assert.ok(rows.every((r) => r.conversation === rows[0].conversation), 'the three turns are one conversation');
    const conversation = (await gw.ledger.request('spend.conversations', {})).find((c) => c.key === rows[0].conversation);
    assert.deepEqual(conversation?.models, [ID.sonnet4]);
    assert.equal(conversation?.client, 'claude-cli');
    assert.deepEqual(s.outside, [], 'with its non-essential traffic off, Claude Code reaches for nothing but Switchyard');
  });

  it('on an OpenAI model (`ANTHROPIC_MODEL=o3`), its loop is translated: tools, tool calls and results', async () => {
    const s = await runWithBox('claude-code', script, launch('o3'));
    assert.equal(s.result.code, 0, describeRun(s.result));
    assert.equal(JSON.parse(s.result.stdout).result, toolSaid(SECOND));
    const turns = served(s);
    assert.equal(turns.length, 3, s.sent.map((e) => `${e.status} ${e.responseText.slice(0, 300)}`).join('\n'));
    assert.deepEqual(turns.map((e) => header(e, 'x-switchyard-model')), Array(3).fill(ID.o3));
    const chat = s.upstream.filter((u) => pathOf(u) === '/v1/chat/completions');
    assert.equal(chat.length, 3);
    assert.ok(chat.every((u) => u.body.model === ID.o3));
    // A deferred tool (Claude Code's placeholder, shown to Claude only once a tool search loads it) is not sent.
    const names = turns[0].body.tools.filter((t: any) => !t.defer_loading).map((t: any) => t.name);
    assert.deepEqual(chat[0].body.tools.map((t: any) => t.function.name), names, 'every Claude Code tool it is shown, as an OpenAI function');
    const last = chat[2].body.messages;
    assert.deepEqual(last.filter((m: any) => m.role === 'assistant').flatMap((m: any) => m.tool_calls.map((c: any) => c.function.name)), ['Read', 'Bash']);
    assert.match(JSON.stringify(last.filter((m: any) => m.role === 'tool')), /PLUM[\s\S]*APRICOT/);
    assert.ok(!JSON.stringify(chat).includes('cache_control'), 'cache_control is removed for OpenAI');
    const rows = await gw.ledgerRows(turns);
    assert.deepEqual(rows.map((r) => [r.format, r.passthrough]), Array(3).fill(['anthropic→openai-chat', false]));
    assertNothingBypassed(s);
  });
});

describe('Codex CLI (codex exec) through a model provider on the Responses API', () => {
  const FINAL = 'Both files read: PLUM and APRICOT.';
  const script = () => [
    { toolCalls: [{ name: 'exec_command', arguments: { cmd: 'cat note.txt' } }] },
    { toolCalls: [{ name: 'exec_command', arguments: { cmd: 'cat second.txt' } }] },
    { text: FINAL, toolCalls: [] },
  ];
  const launch = (model: string) => (box: Sandbox, baseURL: string) => {
    const l = codex(box, { baseURL, token: gw.daemon.token, model, prompt: 'Show note.txt and second.txt.', hints: HINTS });
    return { ...l, args: [...l.args.slice(0, -1), '--output-last-message', `${box.root}/last-message.txt`, l.args.at(-1)!] };
  };
  const lastMessage = (box: Sandbox) => readFileSync(`${box.root}/last-message.txt`, 'utf8').trim();

  it('runs two shell calls and an answer on one OpenAI model, every request passed through unchanged but model', async () => {
    const s = await runWithBox('codex', script, launch('switchyard/auto'));
    assert.equal(s.result.code, 0, describeRun(s.result));
    assert.equal(lastMessage(s.box), FINAL);

    assert.equal(s.sent.length, 3, describeRun(s.result));
    for (const e of s.sent) {
      assert.equal(e.path, '/v1/responses');
      assert.match(String(e.headers['user-agent']), /^codex_exec\//);
      assert.equal(e.body.stream, true);
      assert.equal(e.body.store, false);
    }
    assertPassedThrough(s, '/v1/responses', ID.o3);
    assert.ok(s.sent[0].body.tools.some((t: any) => t.name === 'exec_command'));

    assert.deepEqual(s.sent.map((e) => header(e, 'x-switchyard-model')), Array(3).fill(ID.o3));
    assert.deepEqual(s.sent.map((e) => header(e, 'x-switchyard-rule')), Array(3).fill('codex'));
    assert.deepEqual(s.sent.map((e) => header(e, 'x-switchyard-fallbacks')), Array(3).fill('0'));
    await assertRulesAloneWouldMove(s.sent[1], ID.o3);
    // The shell really ran, in Codex's sandbox, and its output went back as function_call_output.
    const outputs = s.sent.map((e) => e.body.input.filter((i: any) => i.type === 'function_call_output').map((i: any) => i.output));
    assert.deepEqual(outputs.map((o) => o.length), [0, 1, 2]);
    assert.match(outputs[1][0], /The secret word is PLUM\./);
    assert.match(outputs[2][1], /Second file says APRICOT today\./);
    // The reasoning item of turn 1 (encrypted, store: false) came back on turn 2 as the upstream wrote it.
    const completed = sseData(s.sent[0].responseText).find((d) => d.type === 'response.completed');
    const reasoning = completed.response.output.find((i: any) => i.type === 'reasoning');
    assert.ok(reasoning?.encrypted_content);
    const returned = s.sent[1].body.input.find((i: any) => i.type === 'reasoning');
    assert.equal(returned.encrypted_content, reasoning.encrypted_content);

    const rows = await gw.ledgerRows(s.sent);
    assert.deepEqual(rows.map((r) => [r.client, r.format, r.passthrough, r.model, r.toolCalls, r.toolResults]), [
      ['codex', 'openai-responses', true, ID.o3, 1, 0],
      ['codex', 'openai-responses', true, ID.o3, 1, 1],
      ['codex', 'openai-responses', true, ID.o3, 0, 1],
    ]);
    assertHinted(s, rows);
    assert.ok(rows.every((r) => r.conversation === s.sent[0].body.prompt_cache_key), 'the conversation is Codex\'s prompt_cache_key');
    assertNothingBypassed(s);
  });

  it('on an Anthropic model (`model = "sonnet4"`), its loop is translated: tools, calls, outputs and reasoning', async () => {
    const s = await runWithBox('codex', script, launch('sonnet4'));
    assert.equal(s.result.code, 0, describeRun(s.result));
    assert.equal(lastMessage(s.box), FINAL);
    assert.deepEqual(s.sent.map((e) => e.status), [200, 200, 200], s.sent.map((e) => e.responseText.slice(0, 300)).join('\n'));
    assert.deepEqual(s.sent.map((e) => header(e, 'x-switchyard-model')), Array(3).fill(ID.sonnet4));
    const messages = s.upstream.filter((u) => pathOf(u) === '/v1/messages');
    assert.equal(messages.length, 3);
    const tools = messages[0].body.tools.map((t: any) => t.name);
    assert.ok(tools.includes('exec_command'), `Codex's shell tool, as an Anthropic tool (got ${tools.join(', ')})`);
    const last = messages[2].body.messages;
    const uses = last.flatMap((m: any) => (Array.isArray(m.content) ? m.content : []).filter((b: any) => b.type === 'tool_use'));
    assert.deepEqual(uses.map((u: any) => [u.name, u.input.cmd]), [['exec_command', 'cat note.txt'], ['exec_command', 'cat second.txt']]);
    assert.match(JSON.stringify(last), /PLUM[\s\S]*APRICOT/, 'the shell outputs, as tool_result blocks');
    const rows = await gw.ledgerRows(s.sent);
    assert.deepEqual(rows.map((r) => [r.format, r.passthrough]), Array(3).fill(['openai-responses→anthropic', false]));
    assertNothingBypassed(s);
  });
});

describe('OpenCode (opencode run) through an OpenAI-compatible provider', () => {
  const script = (box: Sandbox) => [
    { toolCalls: [{ name: 'read', arguments: { filePath: `${box.work}/note.txt` } }] },
    { toolCalls: [{ name: 'bash', arguments: { command: 'cat second.txt', description: 'Show second.txt' } }] },
  ];
  const launch = (model: string) => (box: Sandbox, baseURL: string) =>
    opencode(box, { baseURL, token: gw.daemon.token, model, outputLimit: 8192, prompt: 'Read note.txt, then show second.txt with cat.', hints: HINTS });
  /** The text parts OpenCode printed (`--format json`: one event a line). */
  const texts = (stdout: string) => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type === 'text').map((e) => e.part.text);

  it('runs a read → bash → answer loop on one OpenAI model, every request passed through unchanged but model', async () => {
    const s = await runWithBox('opencode', script, launch('switchyard/auto'));
    assert.equal(s.result.code, 0, describeRun(s.result));
    assert.deepEqual(texts(s.result.stdout), [toolSaid(SECOND)]);

    assert.equal(s.sent.length, 3, describeRun(s.result));
    for (const e of s.sent) {
      assert.equal(e.path, '/v1/chat/completions');
      assert.match(String(e.headers['user-agent']), /^opencode\//);
      assert.equal(e.body.max_tokens, 8192, 'the output limit the provider config sets');
    }
    assertPassedThrough(s, '/v1/chat/completions', ID.gpt4o);
    assert.deepEqual(s.sent.map((e) => header(e, 'x-switchyard-model')), Array(3).fill(ID.gpt4o));
    assert.deepEqual(s.sent.map((e) => header(e, 'x-switchyard-rule')), Array(3).fill('opencode'));
    await assertRulesAloneWouldMove(s.sent[2], ID.gpt4o);
    const toolMessages = s.sent.map((e) => e.body.messages.filter((m: any) => m.role === 'tool').map((m: any) => m.content));
    assert.deepEqual(toolMessages.map((t) => t.length), [0, 1, 2]);
    assert.match(toolMessages[1][0], /The secret word is PLUM\./);
    assert.equal(toolMessages[2][1], SECOND);

    const rows = await gw.ledgerRows(s.sent);
    assert.deepEqual(rows.map((r) => [r.client, r.format, r.passthrough, r.model, r.toolCalls, r.toolResults]), [
      ['opencode', 'openai-chat', true, ID.gpt4o, 1, 0],
      ['opencode', 'openai-chat', true, ID.gpt4o, 1, 1],
      ['opencode', 'openai-chat', true, ID.gpt4o, 0, 1],
    ]);
    assertHinted(s, rows);
    assert.ok(rows[0].conversation && rows.every((r) => r.conversation === rows[0].conversation), 'one conversation (a digest of its system prompt and first message)');
    assertNothingBypassed(s);
  });

  it('on an Anthropic model (`switchyard/sonnet4`), its loop is translated: tools, tool calls and tool results', async () => {
    const s = await runWithBox('opencode', script, launch('sonnet4'));
    assert.equal(s.result.code, 0, describeRun(s.result));
    assert.deepEqual(texts(s.result.stdout), [toolSaid(SECOND)]);
    assert.deepEqual(s.sent.map((e) => header(e, 'x-switchyard-model')), Array(3).fill(ID.sonnet4));
    const messages = s.upstream.filter((u) => pathOf(u) === '/v1/messages');
    assert.equal(messages.length, 3);
    const sentFirst = s.sent[0].body;
    const up = messages[0].body;
    assert.equal(up.model, ID.sonnet4);
    assert.equal(up.max_tokens, sentFirst.max_tokens);
    assert.deepEqual(up.tools.map((t: any) => [t.name, t.input_schema]), sentFirst.tools.map((t: any) => [t.function.name, t.function.parameters]));
    const system = sentFirst.messages.filter((m: any) => m.role === 'system').map((m: any) => m.content).join('\n');
    assert.equal((Array.isArray(up.system) ? up.system.map((b: any) => b.text).join('\n') : up.system), system, 'the system messages become the system prompt');
    const last = messages[2].body.messages;
    const uses = last.flatMap((m: any) => (Array.isArray(m.content) ? m.content : []).filter((b: any) => b.type === 'tool_use'));
    assert.deepEqual(uses.map((u: any) => u.name), ['read', 'bash']);
    const results = last.flatMap((m: any) => (Array.isArray(m.content) ? m.content : []).filter((b: any) => b.type === 'tool_result'));
    assert.deepEqual(results.map((r: any) => r.tool_use_id), uses.map((u: any) => u.id), 'each tool result answers its call');
    assert.match(JSON.stringify(results[0].content), /PLUM/);
    assert.match(JSON.stringify(results[1].content), /APRICOT/);
    const rows = await gw.ledgerRows(s.sent);
    assert.deepEqual(rows.map((r) => [r.client, r.format, r.passthrough, r.model]), Array(3).fill(['opencode', 'openai-chat→anthropic', false, ID.sonnet4]));
    assertNothingBypassed(s);
  });
});

function runWithBox(agent: AgentName, script: (box: Sandbox) => ReplyStep[], launch: (box: Sandbox, baseURL: string) => Launch): Promise<AgentSession> {
  return gw.run(agent, { files: FILES, script, launch });
}
