/**
 * The official `@anthropic-ai/sdk` client against the daemon, each feature same-format (an Anthropic model: the
 * body passes through with only `model` replaced) and cross-format (an OpenAI model: translated), asserting what
 * the client got and what the upstream received.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { betaZodTool } from '@anthropic-ai/sdk/helpers/beta/zod';
import { z } from 'zod';
import { messagesInputTokens } from '../fixtures/mock/answer';
import { thinkingSignature } from '../fixtures/mock/reasoning';
import { assertPassedThrough, ID, PDF_MINI, PNG_1PX, startGateway, type Gateway } from './helpers/clients/gateway';

let gw: Gateway;
let anthropic: Anthropic;

before(async () => {
  gw = await startGateway();
  anthropic = gw.anthropic;
});
after(async () => { await gw?.stop(); });
beforeEach(() => gw.reset());

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';

const WeatherArgs = z.strictObject({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']) });
const TimeArgs = z.strictObject({ city: z.string() });

const WEATHER: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city', 'unit'], additionalProperties: false },
};
const TIME: Anthropic.Tool = {
  name: 'get_time',
  description: 'The local time in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
};
const TOOLS = [WEATHER, TIME];
/** The tools as OpenAI chat spells them: what a cross-format upstream must get. */
const openaiTool = (t: Anthropic.Tool) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.input_schema } });

const ASK: Anthropic.MessageParam = { role: 'user', content: 'What is the weather in Paris today?' };

/** `haiku` is an Anthropic model (passthrough), `mini` an OpenAI one (translation). */
const TARGETS = [
  { name: 'same-format (anthropic model)', model: 'haiku', id: ID.haiku, cross: false },
  { name: 'cross-format (openai model)', model: 'mini', id: ID.mini, cross: true },
] as const;

const toolUses = (m: { content: Anthropic.ContentBlock[] }) => m.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
const textOf = (m: { content: Anthropic.ContentBlock[] }) => m.content.filter((b): b is Anthropic.TextBlock => b.type === 'text').map((b) => b.text).join('');

describe('@anthropic-ai/sdk: messages with tools', () => {
  const choices: Array<{ label: string; choice: Anthropic.ToolChoice; openai: unknown; calls: string[] }> = [
    { label: 'auto', choice: { type: 'auto' }, openai: 'auto', calls: ['get_weather'] },
    { label: 'any', choice: { type: 'any' }, openai: 'required', calls: ['get_weather'] },
    { label: 'tool', choice: { type: 'tool', name: 'get_time' }, openai: { type: 'function', function: { name: 'get_time' } }, calls: ['get_time'] },
    { label: 'none', choice: { type: 'none' }, openai: 'none', calls: [] },
  ];
  for (const t of TARGETS) {
    for (const c of choices) {
      it(`tool_choice ${c.label}, ${t.name}`, async () => {
        const { data: msg, response } = await anthropic.messages.create({ model: t.model, max_tokens: 1024, messages: [ASK], tools: TOOLS, tool_choice: c.choice }).withResponse();
        assert.equal(response.headers.get('x-switchyard-model'), t.id);
        const uses = toolUses(msg);
        assert.deepEqual(uses.map((u) => u.name), c.calls);
        for (const u of uses) (u.name === 'get_weather' ? WeatherArgs : TimeArgs).parse(u.input);
        assert.equal(msg.stop_reason, c.calls.length ? 'tool_use' : 'end_turn');
        if (!c.calls.length) assert.match(textOf(msg), new RegExp(`^Hello from ${t.id}: What is the weather`));
        if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(MESSAGES), t.id);
        const up = gw.onlyUpstream(CHAT).body;
        assert.deepEqual(up.tools, TOOLS.map(openaiTool));
        assert.deepEqual(up.tool_choice, c.openai);
        assert.deepEqual(up.messages, [{ role: 'user', content: ASK.content }]);
        assert.equal(up.max_completion_tokens, 1024);
      });
    }

    it(`disable_parallel_tool_use, ${t.name}: false lets every tool be called at once, true allows one`, async () => {
      gw.mock.setReply({ parallelToolCalls: true });
      const both = await anthropic.messages.create({ model: t.model, max_tokens: 1024, messages: [ASK], tools: TOOLS, tool_choice: { type: 'auto', disable_parallel_tool_use: false } });
      assert.deepEqual(toolUses(both).map((u) => u.name), ['get_weather', 'get_time']);
      const one = await anthropic.messages.create({ model: t.model, max_tokens: 1024, messages: [ASK], tools: TOOLS, tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
      assert.deepEqual(toolUses(one).map((u) => u.name), ['get_weather']);
      if (!t.cross) {
        const [a, b] = gw.upstream(MESSAGES);
        assertPassedThrough(gw.sent[0], a, t.id);
        assertPassedThrough(gw.sent[1], b, t.id);
        return;
      }
      const [a, b] = gw.upstream(CHAT);
      assert.equal(a.body.parallel_tool_calls, true);
      assert.equal(b.body.parallel_tool_calls, false);
    });

    it(`tool_use → tool_result (is_error, multi-part content) → the answer, ${t.name}`, async () => {
      const first = await anthropic.messages.create({ model: t.model, max_tokens: 1024, messages: [ASK], tools: [WEATHER] });
      const [use] = toolUses(first);
      assert.equal(use.name, 'get_weather');
      const result: Anthropic.ToolResultBlockParam = {
        type: 'tool_result', tool_use_id: use.id, is_error: true,
        content: [{ type: 'text', text: 'Station offline;' }, { type: 'text', text: 'retry later' }],
      };
      const second = await anthropic.messages.create({ model: t.model, max_tokens: 1024, tools: [WEATHER], messages: [ASK, { role: 'assistant', content: first.content }, { role: 'user', content: [result] }] });
      assert.match(textOf(second), /^Tool said: .*Station offline; retry later$/);
      assert.equal(second.stop_reason, 'end_turn');
      if (!t.cross) {
        const [, up] = gw.upstream(MESSAGES);
        return assertPassedThrough(gw.lastSent(), up, t.id);
      }
      const [, up] = gw.upstream(CHAT);
      const [user, assistant, tool, ...rest] = up.body.messages;
      assert.deepEqual(rest, []);
      assert.deepEqual(user, { role: 'user', content: ASK.content });
      assert.equal(assistant.role, 'assistant');
      assert.deepEqual(assistant.tool_calls.map((c: any) => ({ ...c, function: { ...c.function, arguments: JSON.parse(c.function.arguments) } })), [{ id: use.id, type: 'function', function: { name: 'get_weather', arguments: use.input } }]);
      assert.equal(tool.role, 'tool');
      assert.equal(tool.tool_call_id, use.id);
      const toolText = typeof tool.content === 'string' ? tool.content : tool.content.map((p: any) => p.text).join(' ');
      assert.match(toolText, /error/i, 'OpenAI has no error flag: the result says so in words');
      assert.match(toolText, /Station offline;.*retry later/s);
    });

    it(`messages.stream(): input_json_delta events, finalMessage has the tool_use input, ${t.name}`, async () => {
      const stream = anthropic.messages.stream({ model: t.model, max_tokens: 1024, messages: [ASK], tools: TOOLS, tool_choice: { type: 'tool', name: 'get_weather' } });
      let jsonDeltas = 0;
      stream.on('streamEvent', (ev) => { if (ev.type === 'content_block_delta' && ev.delta.type === 'input_json_delta') jsonDeltas++; });
      const final = await stream.finalMessage();
      const [use] = toolUses(final);
      assert.equal(use.name, 'get_weather');
      WeatherArgs.parse(use.input);
      assert.ok(jsonDeltas > 1, `the input came in pieces (${jsonDeltas} input_json_delta events)`);
      assert.equal(final.stop_reason, 'tool_use');
      assert.ok(final.usage.output_tokens > 0);
      const sent = gw.lastSent();
      if (!t.cross) return assertPassedThrough(sent, gw.onlyUpstream(MESSAGES), t.id);
      const up = gw.onlyUpstream(CHAT);
      assert.equal(up.body.stream, true);
      assert.deepEqual(up.body.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    });
  }

  const runnerTools = (seen: string[]) => [
    betaZodTool({ name: 'get_weather', description: 'The weather in a city', inputSchema: WeatherArgs, run: (a) => { seen.push(`weather ${a.city} ${a.unit}`); return `Sunny in ${a.city}`; } }),
    betaZodTool({ name: 'get_time', description: 'The local time in a city', inputSchema: TimeArgs, run: (a) => { seen.push(`time ${a.city}`); return `Noon in ${a.city}`; } }),
  ];
  const THREE_STEPS = [{ toolCalls: [{ name: 'get_weather' }] }, { toolCalls: [{ name: 'get_time' }] }, {}];

  /** The runner's tools ran once each, in order, and its final answer quotes the last one. */
  function assertRan(seen: string[], final: Anthropic.Beta.BetaMessage): void {
    assert.equal(seen.length, 2);
    assert.match(seen[0], /^weather \S+ celsius$/);
    const city = seen[1].split(' ')[1];
    assert.equal(final.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join(''), `Tool said: Noon in ${city}`);
  }

  it('beta.messages.toolRunner() over a message thread (its default), same-format: each turn sends only what is new', async () => {
    gw.mock.setReply({ script: THREE_STEPS });
    const seen: string[] = [];
    const final = await anthropic.beta.messages.toolRunner({ model: 'haiku', max_tokens: 1024, messages: [ASK], tools: runnerTools(seen) }).runUntilDone();
    assertRan(seen, final);
    const sent = gw.sent.filter((s) => s.path === MESSAGES);
    const ups = gw.upstream(MESSAGES);
    assert.equal(ups.length, 3, 'one upstream request per step');
    sent.forEach((s, i) => {
      assertPassedThrough(s, ups[i], ID.haiku);
      assert.match(s.headers['anthropic-beta'] ?? '', /message-threads/);
      assert.equal(ups[i].headers['anthropic-beta'], s.headers['anthropic-beta'], 'the beta header reached the upstream');
    });
    assert.deepEqual(ups.map((u) => u.body.thread.type), ['create', 'continue', 'continue']);
  });

  it('beta.messages.toolRunner() over a message thread, cross-format: a 400 naming thread (OpenAI keeps no thread)', async () => {
    const seen: string[] = [];
    await assert.rejects(anthropic.beta.messages.toolRunner({ model: 'mini', max_tokens: 1024, messages: [ASK], tools: runnerTools(seen) }).runUntilDone(), (e: unknown) => {
      assert.ok(e instanceof Anthropic.BadRequestError, `a 400, got ${String(e)}`);
      assert.match(e.message, /\bthread\b/);
      assert.match(e.message, /openai|gpt-4o-mini/);
      return true;
    });
    assert.deepEqual(seen, []);
    assert.equal(gw.mock.requests.length, 0);
  });

  for (const t of TARGETS) {
    it(`beta.messages.toolRunner({ thread: false }) with zod tools over three steps, ${t.name}`, async () => {
      gw.mock.setReply({ script: THREE_STEPS });
      const seen: string[] = [];
      const final = await anthropic.beta.messages.toolRunner({ model: t.model, max_tokens: 1024, messages: [ASK], tools: runnerTools(seen), thread: false }).runUntilDone();
      assertRan(seen, final);
      const sent = gw.sent.filter((s) => s.path === MESSAGES);
      assert.equal(sent.length, 3);
      const ups = gw.upstream(t.cross ? CHAT : MESSAGES);
      assert.equal(ups.length, 3, 'one upstream request per step');
      if (!t.cross) { sent.forEach((s, i) => assertPassedThrough(s, ups[i], t.id)); return; }
      // The last step carries the whole loop, translated: two tool calls, each answered by a tool message.
      const last = ups[2].body.messages;
      assert.deepEqual(last.map((m: any) => m.role), ['user', 'assistant', 'tool', 'assistant', 'tool']);
      assert.deepEqual([last[2].tool_call_id, last[4].tool_call_id], [last[1].tool_calls[0].id, last[3].tool_calls[0].id]);
      assert.deepEqual(ups[0].body.tools.map((x: any) => x.function.name), ['get_weather', 'get_time']);
      assert.deepEqual(ups[0].body.tools[0].function.parameters, sent[0].body.tools[0].input_schema);
    });
  }
});

describe('@anthropic-ai/sdk: thinking', () => {
  const ask: Anthropic.MessageParam = { role: 'user', content: 'Think about primes' };
  const thought = 'Thinking about: Think about primes';

  it('same-format: the thinking block and its signature come back, and return to the upstream unchanged', async () => {
    const first = await anthropic.messages.create({ model: 'sonnet4', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [ask] });
    const [thinking, text] = first.content;
    assert.deepEqual(thinking, { type: 'thinking', thinking: thought, signature: thinkingSignature(thought) });
    assert.match((text as Anthropic.TextBlock).text, /^Hello from claude-sonnet-4-20250514: Think about primes/);
    await anthropic.messages.create({ model: 'sonnet4', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [ask, { role: 'assistant', content: first.content }, { role: 'user', content: 'and twins?' }] });
    const [up1, up2] = gw.upstream(MESSAGES);
    assertPassedThrough(gw.sent[0], up1, ID.sonnet4);
    assertPassedThrough(gw.sent[1], up2, ID.sonnet4);
    assert.equal(up2.body.messages[1].content[0].signature, thinkingSignature(thought));
  });

  it('same-format, streamed: thinking_delta and signature_delta build the signed block', async () => {
    const stream = anthropic.messages.stream({ model: 'sonnet4', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [ask] });
    let thinkingDeltas = 0;
    stream.on('thinking', () => { thinkingDeltas++; });
    const final = await stream.finalMessage();
    assert.ok(thinkingDeltas > 1);
    assert.deepEqual(final.content[0], { type: 'thinking', thinking: thought, signature: thinkingSignature(thought) });
    assertPassedThrough(gw.lastSent(), gw.onlyUpstream(MESSAGES), ID.sonnet4);
  });

  it('cross-format (an OpenAI reasoning model): the budget becomes reasoning_effort', async () => {
    const msg = await anthropic.messages.create({ model: 'o3', max_tokens: 8192, thinking: { type: 'enabled', budget_tokens: 4096 }, messages: [ask] });
    assert.match(textOf(msg), /^Hello from o3-mini-2025-01-31: Think about primes/);
    const up = gw.onlyUpstream(CHAT).body;
    assert.equal(up.reasoning_effort, 'low');
    assert.equal(up.thinking, undefined);
  });
});

describe('@anthropic-ai/sdk: images, documents, system blocks and sampling', () => {
  for (const t of TARGETS) {
    it(`an image URL, a base64 image and a PDF document, ${t.name}`, async () => {
      const msg = await anthropic.messages.create({
        model: t.model,
        max_tokens: 1024,
        messages: [{
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these two images with the spec' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1PX } },
            { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF_MINI }, title: 'spec.pdf' },
          ],
        }],
      });
      assert.match(textOf(msg), new RegExp(`^Hello from ${t.id}: Compare these two images`));
      if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(MESSAGES), t.id);
      const [m] = gw.onlyUpstream(CHAT).body.messages;
      assert.deepEqual(m.content, [
        { type: 'text', text: 'Compare these two images with the spec' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1PX}` } },
        { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF_MINI}`, filename: 'spec.pdf' } },
      ]);
    });

    it(`system blocks with cache_control, ${t.name}`, async () => {
      gw.mock.setReply({ cacheReadTokens: 3 });
      const system: Anthropic.TextBlockParam[] = [
        { type: 'text', text: 'You are a careful assistant.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Answer in one line.' },
      ];
      const msg = await anthropic.messages.create({ model: t.model, max_tokens: 1024, system, messages: [ASK] });
      assert.match(textOf(msg), new RegExp(`^Hello from ${t.id}: What is the weather`));
      assert.equal(msg.usage.cache_read_input_tokens, 3);
      if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(MESSAGES), t.id);
      // OpenAI caches prefixes by itself and takes no cache_control: removed (documented); the text is all there.
      const up = gw.onlyUpstream(CHAT).body;
      assert.ok(!JSON.stringify(up).includes('cache_control'), 'no cache_control reached OpenAI');
      const first = up.messages[0];
      assert.equal(first.role, 'system');
      const systemText = typeof first.content === 'string' ? first.content : first.content.map((p: any) => p.text).join('\n');
      assert.match(systemText, /You are a careful assistant\.[\s\S]*Answer in one line\./);
    });

    it(`stop_sequences, ${t.name}: the answer stops before the sequence`, async () => {
      const msg = await anthropic.messages.create({ model: t.model, max_tokens: 1024, stop_sequences: ['weather'], messages: [ASK] });
      assert.equal(textOf(msg), `Hello from ${t.id}: What is the `);
      if (!t.cross) {
        assert.equal(msg.stop_reason, 'stop_sequence');
        assert.equal(msg.stop_sequence, 'weather');
        return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(MESSAGES), t.id);
      }
      // OpenAI does not say which sequence stopped it (finish_reason "stop"): the caller hears a clean end.
      assert.ok(msg.stop_reason === 'end_turn' || msg.stop_reason === 'stop_sequence');
      assert.deepEqual(gw.onlyUpstream(CHAT).body.stop, ['weather']);
    });

    it(`metadata.user_id, ${t.name}`, async () => {
      await anthropic.messages.create({ model: t.model, max_tokens: 1024, metadata: { user_id: 'user-42' }, messages: [ASK] });
      if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(MESSAGES), t.id);
      assert.equal(gw.onlyUpstream(CHAT).body.user, 'user-42');
    });
  }

  // This SDK's types no longer list the sampling parameters; clients written against older ones still send them.
  const withTopK = (model: string) => ({ model, max_tokens: 1024, top_k: 40, messages: [ASK] }) as Anthropic.MessageCreateParamsNonStreaming;

  it('top_k, same-format: passed', async () => {
    await anthropic.messages.create(withTopK('haiku'));
    assertPassedThrough(gw.lastSent(), gw.onlyUpstream(MESSAGES), ID.haiku);
  });

  it('top_k to an OpenAI model: a 400 naming top_k, nothing sent upstream', async () => {
    await assert.rejects(anthropic.messages.create(withTopK('mini')), (e: unknown) => {
      assert.ok(e instanceof Anthropic.BadRequestError, `a 400, got ${String(e)}`);
      assert.match(e.message, /\btop_k\b/);
      assert.match(e.message, /openai|gpt-4o-mini/);
      return true;
    });
    assert.equal(gw.mock.requests.length, 0);
  });

  it('a streamed plain answer, cross-format: text deltas in order, usage at the end', async () => {
    const stream = anthropic.messages.stream({ model: 'mini', max_tokens: 1024, messages: [ASK] });
    const deltas: string[] = [];
    stream.on('text', (d) => { deltas.push(d); });
    const final = await stream.finalMessage();
    assert.ok(deltas.length > 1);
    assert.equal(deltas.join(''), `Hello from ${ID.mini}: What is the weather in Paris today?`);
    assert.equal(textOf(final), deltas.join(''));
    assert.ok(final.usage.output_tokens > 0);
    const sent = gw.lastSent();
    assert.equal(sent.body.stream, true);
    const up = gw.onlyUpstream(CHAT);
    assert.equal(up.body.stream, true);
    assert.equal(up.body.stream_options?.include_usage, true, 'usage asked for, for the ledger');
  });
});

describe('@anthropic-ai/sdk: count_tokens and models', () => {
  const body = { system: 'You are terse.', messages: [ASK], tools: [WEATHER] };

  it('countTokens on an Anthropic model: the upstream counts', async () => {
    const { data, response } = await anthropic.messages.countTokens({ model: 'haiku', ...body }).withResponse();
    const up = gw.onlyUpstream('/v1/messages/count_tokens');
    assertPassedThrough(gw.lastSent(), up, ID.haiku);
    assert.equal(data.input_tokens, messagesInputTokens(up.body));
    assert.equal(response.headers.get('x-switchyard-token-count'), 'upstream');
  });

  it('countTokens on an OpenAI model: the local estimate, marked as such', async () => {
    const { data, response } = await anthropic.messages.countTokens({ model: 'mini', ...body }).withResponse();
    assert.ok(data.input_tokens > 0);
    assert.equal(response.headers.get('x-switchyard-token-count'), 'estimated');
    assert.equal((data as unknown as { switchyard?: { estimated?: boolean } }).switchyard?.estimated, true);
    assert.equal(gw.mock.requests.length, 0, 'no upstream was asked');
  });

  it("models.retrieve('haiku') in Anthropic's shape, and an unknown model is a 404", async () => {
    const m = await anthropic.models.retrieve('haiku');
    assert.equal(m.type, 'model');
    assert.equal(m.id, 'haiku');
    await assert.rejects(anthropic.models.retrieve('claude-99'), (e: unknown) => e instanceof Anthropic.NotFoundError);
  });
});
