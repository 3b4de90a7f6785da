/** daemon/formats/shape.ts: what a request's body and headers tell the router. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conversationKey, requestShape } from '../../daemon/formats/shape';
import type { CanonicalRequest, Message } from '../../shared/canonical';

const text = (t: string) => ({ type: 'text' as const, text: t });
const user = (...content: Message['content']): Message => ({ role: 'user', content });
const assistant = (...content: Message['content']): Message => ({ role: 'assistant', content });
const req = (over: Partial<CanonicalRequest> = {}): CanonicalRequest => ({ messages: [user(text('hello'))], stream: false, ...over });
const shape = (over: Partial<CanonicalRequest> = {}, headers: Record<string, string | string[]> = {}) => requestShape(req(over), 'anthropic', headers);

describe('requestShape', () => {
  it('a plain text request: one turn, needs nothing', () => {
    assert.deepEqual(shape(), {
      format: 'anthropic', hasTools: false, toolCount: 0, hasImages: false, hasDocuments: false, turns: 1, lastIsToolResult: false,
      needs: { tools: false, vision: false, documents: false, structuredOutput: false, reasoning: false },
    });
  });
  it('an agent loop: tools offered, a tool result last, user turns without the tool results', () => {
    const s = shape({
      tools: [{ name: 'a', parameters: {} }, { name: 'b', parameters: {} }],
      messages: [
        user(text('fix it')),
        assistant(text('looking'), { type: 'tool_call', id: '1', name: 'a', arguments: '{}' }),
        user({ type: 'tool_result', toolCallId: '1', content: [text('ok')] }),
        assistant({ type: 'tool_call', id: '2', name: 'b', arguments: '{}' }),
        user({ type: 'tool_result', toolCallId: '2', content: [text('done')] }, text('and now the tests')),
        assistant({ type: 'tool_call', id: '3', name: 'a', arguments: '{}' }),
        user({ type: 'tool_result', toolCallId: '3', content: [text('…')], isError: true }),
      ],
    });
    assert.equal(s.hasTools, true);
    assert.equal(s.toolCount, 2);
    assert.equal(s.turns, 2, 'the first message, and the tool result that came with new text');
    assert.equal(s.lastIsToolResult, true);
    assert.equal(s.needs.tools, true);
  });
  it('the last message from the user as text is not a tool result', () => {
    assert.equal(shape({ messages: [user(text('a')), assistant(text('b')), user(text('c'))] }).lastIsToolResult, false);
    assert.equal(shape({ messages: [user(text('a')), assistant(text('b'))] }).lastIsToolResult, false);
    assert.equal(shape({ messages: [] }).turns, 0);
  });
  it('images anywhere, including inside a tool result, need vision', () => {
    const png = { type: 'image' as const, source: { kind: 'base64' as const, mediaType: 'image/png', data: 'iVBOR' } };
    assert.equal(shape({ messages: [user(text('what is this'), png)] }).needs.vision, true);
    const inResult = shape({ messages: [user(text('shot')), assistant({ type: 'tool_call', id: 'x', name: 'screenshot', arguments: '{}' }), user({ type: 'tool_result', toolCallId: 'x', content: [png] })] });
    assert.equal(inResult.hasImages, true);
    assert.equal(inResult.needs.vision, true);
  });
  it('a PDF needs documents; a plain-text document does not', () => {
    const pdf = shape({ messages: [user({ type: 'document', source: { kind: 'url', url: 'https://x/a.pdf' } })] });
    assert.deepEqual([pdf.hasDocuments, pdf.needs.documents], [true, true]);
    const plain = shape({ messages: [user({ type: 'document', source: { kind: 'text', mediaType: 'text/plain', data: 'notes' } })] });
    assert.deepEqual([plain.hasDocuments, plain.needs.documents], [true, false]);
  });
  it('structured output: a JSON schema needs it, JSON mode and text do not', () => {
    assert.equal(shape({ responseFormat: { type: 'json_schema', name: 'r', schema: {} } }).needs.structuredOutput, true);
    assert.equal(shape({ responseFormat: { type: 'json_object' } }).needs.structuredOutput, false);
    assert.equal(shape({ responseFormat: { type: 'text' } }).needs.structuredOutput, false);
  });
  it('reasoning: the effort asked, "enabled" for a budget alone, nothing when disabled', () => {
    assert.equal(shape({ reasoning: { enabled: true, effort: 'minimal' } }).reasoning, 'minimal');
    const budget = shape({ reasoning: { enabled: true, budgetTokens: 4096 } });
    assert.deepEqual([budget.reasoning, budget.needs.reasoning], ['enabled', true]);
    const off = shape({ reasoning: { enabled: false } });
    assert.deepEqual([off.reasoning, off.needs.reasoning, 'reasoning' in off], [undefined, false, false]);
  });
  it('the format is the caller\'s', () => {
    assert.equal(requestShape(req(), 'openai-responses', {}).format, 'openai-responses');
  });
});

describe('the calling client', () => {
  const client = (headers: Record<string, string | string[]>) => shape({}, headers).client;
  const cases: [string, Record<string, string | string[]>, string | undefined][] = [
    ['Claude Code', { 'user-agent': 'claude-cli/1.0.83 (external, cli)' }, 'claude-cli'],
    ['Codex CLI', { 'user-agent': 'codex_cli_rs/0.36.0 (Mac OS 15.6.1; arm64) iTerm.app/3.5.14' }, 'codex'],
    ['Codex exec', { 'user-agent': 'codex_exec/0.20.0 (Ubuntu 24.4.0; x86_64) unknown' }, 'codex'],
    ['Cline via its OpenRouter headers', { 'user-agent': 'OpenAI/JS 4.96.0', 'http-referer': 'https://cline.bot', 'x-title': 'Cline' }, 'cline'],
    ['Roo Code (whose old name contains "Cline")', { 'user-agent': 'OpenAI/JS 4.96.0', 'http-referer': 'https://github.com/RooVetGit/Roo-Cline', 'x-title': 'Roo Code' }, 'roo'],
    ['Continue', { 'user-agent': 'Continue/1.0.9' }, 'continue'],
    ['Aider via its referer', { 'user-agent': 'litellm/1.63.0', 'http-referer': 'https://aider.chat', 'x-title': 'Aider' }, 'aider'],
    ['OpenCode', { 'user-agent': 'opencode/0.5.1' }, 'opencode'],
    ['the OpenAI SDK', { 'user-agent': 'OpenAI/JS 6.49.0' }, 'openai-sdk'],
    ['the OpenAI Python SDK', { 'user-agent': 'OpenAI/Python 1.99.1' }, 'openai-sdk'],
    ['the Anthropic SDK', { 'user-agent': 'Anthropic/JS 0.60.0' }, 'anthropic-sdk'],
    ['the Vercel AI SDK', { 'user-agent': 'ai-sdk/openai/2.0.30 ai/5.0.44 runtime/node.js/20' }, 'ai-sdk'],
    ['LangChain over the OpenAI SDK', { 'user-agent': 'OpenAI/JS 5.12.0 langchainjs-openai/0.6.3' }, 'langchain'],
    ['curl (unknown)', { 'user-agent': 'curl/8.5.0' }, undefined],
    ['no user agent', {}, undefined],
    ['x-switchyard-client wins, lower-cased', { 'user-agent': 'claude-cli/1.0.83', 'x-switchyard-client': ' My-Agent ' }, 'my-agent'],
    ['a repeated header: the first value', { 'user-agent': ['Anthropic/JS 0.60.0', 'OpenAI/JS 6.0.0'] }, 'anthropic-sdk'],
    ['an empty x-switchyard-client is ignored', { 'user-agent': 'opencode/0.5.1', 'x-switchyard-client': '  ' }, 'opencode'],
  ];
  for (const [what, headers, expected] of cases) {
    it(`${what} → ${expected ?? 'absent'}`, () => assert.equal(client(headers), expected));
  }
  it('an absent client leaves the key out, so JSON and traces show nothing', () => {
    assert.equal('client' in shape({}, { 'user-agent': 'curl/8' }), false);
  });
  it('x-switchyard-client is bounded', () => {
    assert.equal(client({ 'x-switchyard-client': 'x'.repeat(500) })?.length, 64);
  });
});

describe('conversationKey', () => {
  const opening = [user(text('Refactor the parser'))];
  const raw = (body: Record<string, unknown>, format: 'anthropic' | 'openai-chat' = 'anthropic') => ({ raw: { format, body } });

  it('the x-switchyard-session header first', () => {
    const r = req({ user: 'u1', ...raw({ metadata: { user_id: 'abc' } }) });
    assert.deepEqual(conversationKey(r, { 'x-switchyard-session': 'sess-42' }), { key: 'sess-42', from: 'header' });
  });
  it('then Anthropic metadata.user_id, from the raw body', () => {
    const r = req({ user: 'user_x_account__session_1', ...raw({ metadata: { user_id: 'user_x_account__session_1' } }) });
    assert.deepEqual(conversationKey(r, {}), { key: 'user_x_account__session_1', from: 'metadata.user_id' });
  });
  it('then prompt_cache_key, then user', () => {
    assert.deepEqual(conversationKey(req({ user: 'bob', ...raw({ prompt_cache_key: 'pck-1' }, 'openai-chat') }), {}), { key: 'pck-1', from: 'prompt_cache_key' });
    assert.deepEqual(conversationKey(req({ user: 'bob', ...raw({ metadata: 'not an object' }) }), {}), { key: 'bob', from: 'user' });
    assert.deepEqual(conversationKey(req({ user: 'bob', ...raw({ metadata: { user_id: 7 }, prompt_cache_key: '' }) }), {}), { key: 'bob', from: 'user' });
  });
  it('else a short digest of the system prompt and first user message, the same on every turn of the loop', () => {
    const turn1 = conversationKey(req({ system: [text('You are a coding agent.')], messages: opening }), {});
    const turn5 = conversationKey(req({
      system: [text('You are a coding agent.')],
      messages: [...opening, assistant({ type: 'tool_call', id: '1', name: 'f', arguments: '{}' }), user({ type: 'tool_result', toolCallId: '1', content: [text('x')] })],
    }), {});
    assert.equal(turn1.from, 'digest');
    assert.match(turn1.key, /^[0-9a-f]{16}$/);
    assert.deepEqual(turn5, turn1);
    assert.notEqual(conversationKey(req({ system: [text('You are a coding agent.')], messages: [user(text('Write docs'))] }), {}).key, turn1.key);
    assert.notEqual(conversationKey(req({ system: [text('Other system')], messages: opening }), {}).key, turn1.key);
  });
  it('an id too long to hold as it came is kept as its digest', () => {
    const long = 's'.repeat(10_000);
    const k = conversationKey(req(), { 'x-switchyard-session': long });
    assert.equal(k.from, 'header');
    assert.match(k.key, /^[0-9a-f]{16}$/);
    assert.equal(conversationKey(req(), { 'x-switchyard-session': long }).key, k.key);
  });
});
