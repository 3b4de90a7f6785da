/**
 * The official `openai` client against the daemon, each feature same-format (an OpenAI model: the body passes
 * through with only `model` replaced) and cross-format (an Anthropic model: translated), asserting what the client
 * got and what the upstream received.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { embeddingOf } from '../fixtures/mock/embeddings';
import { fillIn } from '../fixtures/mock/completions';
import { thinkingSignature } from '../fixtures/mock/reasoning';
import {
  assertPassedThrough, chatStreamOwned, ID, PDF_MINI, PNG_1PX, startGateway, type Gateway,
} from './helpers/clients/gateway';

let gw: Gateway;
let openai: OpenAI;

before(async () => {
  gw = await startGateway();
  openai = gw.openai;
});
after(async () => { await gw?.stop(); });
beforeEach(() => gw.reset());

const CHAT = '/v1/chat/completions';
const MESSAGES = '/v1/messages';

const WeatherArgs = z.strictObject({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']) });
const TimeArgs = z.strictObject({ city: z.string() });

const WEATHER: OpenAI.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city', 'unit'], additionalProperties: false },
  },
};
const TIME: OpenAI.ChatCompletionFunctionTool = {
  type: 'function',
  function: {
    name: 'get_time',
    description: 'The local time in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  },
};
const TOOLS = [WEATHER, TIME];
/** The tools as Anthropic spells them: what a cross-format upstream must get. */
const anthropicTool = (t: OpenAI.ChatCompletionFunctionTool) => ({ name: t.function.name, description: t.function.description, input_schema: t.function.parameters });

const ASK: OpenAI.ChatCompletionUserMessageParam = { role: 'user', content: 'What is the weather in Paris today?' };

/** Both directions of each feature: `mini` is an OpenAI model (passthrough), `haiku` an Anthropic one (translation). */
const TARGETS = [
  { name: 'same-format (openai model)', model: 'mini', id: ID.mini, cross: false },
  { name: 'cross-format (anthropic model)', model: 'haiku', id: ID.haiku, cross: true },
] as const;

function toolCallsOf(c: OpenAI.ChatCompletion): OpenAI.ChatCompletionMessageFunctionToolCall[] {
  return (c.choices[0].message.tool_calls ?? []) as OpenAI.ChatCompletionMessageFunctionToolCall[];
}

describe('openai SDK: chat completions with tools', () => {
  const choices: Array<{ label: string; choice: OpenAI.ChatCompletionToolChoiceOption; anthropic: unknown; calls: string[] }> = [
    { label: 'auto', choice: 'auto', anthropic: { type: 'auto' }, calls: ['get_weather'] },
    { label: 'required', choice: 'required', anthropic: { type: 'any' }, calls: ['get_weather'] },
    { label: 'none', choice: 'none', anthropic: { type: 'none' }, calls: [] },
    { label: 'named', choice: { type: 'function', function: { name: 'get_time' } }, anthropic: { type: 'tool', name: 'get_time' }, calls: ['get_time'] },
  ];
  for (const t of TARGETS) {
    for (const c of choices) {
      it(`tool_choice ${c.label}, ${t.name}: the calls come back schema-valid; the upstream got the tools`, async () => {
        const { data, response } = await openai.chat.completions.create({ model: t.model, messages: [ASK], tools: TOOLS, tool_choice: c.choice }).withResponse();
        assert.equal(response.headers.get('x-switchyard-model'), t.id);
        const calls = toolCallsOf(data);
        assert.deepEqual(calls.map((k) => k.function.name), c.calls);
        assert.equal(data.choices[0].finish_reason, c.calls.length ? 'tool_calls' : 'stop');
        for (const k of calls) {
          assert.match(k.id, /\S/);
          (k.function.name === 'get_weather' ? WeatherArgs : TimeArgs).parse(JSON.parse(k.function.arguments));
        }
        if (!c.calls.length) assert.match(data.choices[0].message.content ?? '', new RegExp(`^Hello from ${t.id}: What is the weather`));
        if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(CHAT), t.id);
        const up = gw.onlyUpstream(MESSAGES).body;
        assert.deepEqual(up.tools, TOOLS.map(anthropicTool));
        assert.deepEqual(up.tool_choice, c.anthropic);
        assert.deepEqual(up.messages, [{ role: 'user', content: ASK.content }]);
      });
    }

    it(`parallel_tool_calls, ${t.name}: true lets every tool be called at once, false allows one`, async () => {
      gw.mock.setReply({ parallelToolCalls: true });
      const both = await openai.chat.completions.create({ model: t.model, messages: [ASK], tools: TOOLS, parallel_tool_calls: true });
      assert.deepEqual(toolCallsOf(both).map((k) => k.function.name), ['get_weather', 'get_time']);
      assert.notEqual(toolCallsOf(both)[0].id, toolCallsOf(both)[1].id);
      const one = await openai.chat.completions.create({ model: t.model, messages: [ASK], tools: TOOLS, parallel_tool_calls: false });
      assert.deepEqual(toolCallsOf(one).map((k) => k.function.name), ['get_weather']);
      const [sentBoth, sentOne] = gw.sent;
      if (!t.cross) {
        const [upBoth, upOne] = gw.upstream(CHAT);
        assertPassedThrough(sentBoth, upBoth, t.id);
        assertPassedThrough(sentOne, upOne, t.id);
        return;
      }
      const [upBoth, upOne] = gw.upstream(MESSAGES);
      assert.deepEqual(upBoth.body.tool_choice, { type: 'auto', disable_parallel_tool_use: false });
      assert.deepEqual(upOne.body.tool_choice, { type: 'auto', disable_parallel_tool_use: true });
    });

    it(`a tool round trip, ${t.name}: assistant tool_calls → a multi-part tool message → the answer`, async () => {
      const first = await openai.chat.completions.create({ model: t.model, messages: [ASK], tools: [WEATHER] });
      const [call] = toolCallsOf(first);
      assert.equal(call.function.name, 'get_weather');
      const result: OpenAI.ChatCompletionToolMessageParam = { role: 'tool', tool_call_id: call.id, content: [{ type: 'text', text: 'Sunny,' }, { type: 'text', text: '21 C in Paris' }] };
      const second = await openai.chat.completions.create({ model: t.model, messages: [ASK, first.choices[0].message, result], tools: [WEATHER] });
      assert.equal(second.choices[0].message.content, 'Tool said: Sunny, 21 C in Paris');
      assert.equal(second.choices[0].finish_reason, 'stop');
      if (!t.cross) {
        const [, up] = gw.upstream(CHAT);
        return assertPassedThrough(gw.lastSent(), up, t.id);
      }
      const [, up] = gw.upstream(MESSAGES);
      const [user, assistant, results] = up.body.messages;
      assert.deepEqual(user, { role: 'user', content: ASK.content });
      assert.equal(assistant.role, 'assistant');
      assert.deepEqual(assistant.content.filter((b: any) => b.type === 'tool_use'), [{ type: 'tool_use', id: call.id, name: 'get_weather', input: JSON.parse(call.function.arguments) }]);
      assert.deepEqual(results, { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: [{ type: 'text', text: 'Sunny,' }, { type: 'text', text: '21 C in Paris' }] }] });
    });

    it(`runTools() with zod functions over three steps, ${t.name}`, async () => {
      gw.mock.setReply({ script: [{ toolCalls: [{ name: 'get_weather' }] }, { toolCalls: [{ name: 'get_time' }] }, {}] });
      const seen: string[] = [];
      const runner = openai.chat.completions.runTools({
        model: t.model,
        messages: [ASK],
        tools: [
          zodFunction({ name: 'get_weather', description: 'The weather in a city', parameters: WeatherArgs, function: (a) => { seen.push(`weather ${a.city} ${a.unit}`); return `Sunny in ${a.city}`; } }),
          zodFunction({ name: 'get_time', description: 'The local time in a city', parameters: TimeArgs, function: (a) => { seen.push(`time ${a.city}`); return `Noon in ${a.city}`; } }),
        ],
      });
      const content = await runner.finalContent();
      assert.equal(seen.length, 2);
      assert.match(seen[0], /^weather \S+ celsius$/);
      assert.match(seen[1], /^time \S+$/);
      const city = seen[1].split(' ')[1];
      assert.equal(content, `Tool said: Noon in ${city}`);
      const ups = gw.upstream(t.cross ? MESSAGES : CHAT);
      assert.equal(ups.length, 3, 'one upstream request per step');
      const sent = gw.sent.filter((s) => s.path === CHAT);
      assert.equal(sent.length, 3);
      if (!t.cross) { sent.forEach((s, i) => assertPassedThrough(s, ups[i], t.id)); return; }
      // The last step carries the whole loop, translated: two tool_use turns, each answered by its tool_result.
      const last = ups[2].body.messages;
      assert.deepEqual(last.map((m: any) => m.role), ['user', 'assistant', 'user', 'assistant', 'user']);
      const uses = [last[1], last[3]].map((m: any) => m.content.find((b: any) => b.type === 'tool_use'));
      assert.deepEqual(uses.map((u: any) => u.name), ['get_weather', 'get_time']);
      assert.deepEqual([last[2], last[4]].map((m: any) => m.content[0].tool_use_id), uses.map((u: any) => u.id));
      assert.equal(last[4].content[0].content, `Noon in ${city}`);
      assert.equal(ups[0].body.tools[0].name, 'get_weather');
      assert.deepEqual(ups[0].body.tools[0].input_schema, sent[0].body.tools[0].function.parameters);
    });

    it(`chat.completions.stream() accumulates streamed tool calls, ${t.name}`, async () => {
      gw.mock.setReply({ parallelToolCalls: true });
      const stream = openai.chat.completions.stream({ model: t.model, messages: [ASK], tools: TOOLS });
      let argumentDeltas = 0;
      stream.on('tool_calls.function.arguments.delta', () => { argumentDeltas++; });
      const final = await stream.finalChatCompletion();
      const calls = final.choices[0].message.tool_calls as OpenAI.ChatCompletionMessageFunctionToolCall[];
      assert.deepEqual(calls.map((k) => k.function.name), ['get_weather', 'get_time']);
      WeatherArgs.parse(JSON.parse(calls[0].function.arguments));
      TimeArgs.parse(JSON.parse(calls[1].function.arguments));
      assert.ok(argumentDeltas > 2, `the arguments came in pieces (${argumentDeltas} deltas)`);
      assert.equal(final.choices[0].finish_reason, 'tool_calls');
      const sent = gw.lastSent();
      assert.equal(sent.body.stream, true);
      if (!t.cross) return assertPassedThrough(sent, gw.onlyUpstream(CHAT), t.id, chatStreamOwned(sent));
      const up = gw.onlyUpstream(MESSAGES);
      assert.equal(up.body.stream, true);
      assert.deepEqual(up.body.tools, TOOLS.map(anthropicTool));
    });
  }
});

describe('openai SDK: streamed answers', () => {
  for (const t of TARGETS) {
    it(`stream with include_usage, ${t.name}: the text in deltas, then the usage chunk`, async () => {
      const stream = await openai.chat.completions.create({ model: t.model, messages: [ASK], stream: true, stream_options: { include_usage: true } });
      const deltas: string[] = [];
      let usage: OpenAI.CompletionUsage | undefined;
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        const d = chunk.choices[0]?.delta?.content;
        if (d) deltas.push(d);
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) { usage = chunk.usage; assert.deepEqual(chunk.choices, [], 'usage comes in a chunk of its own'); }
      }
      assert.ok(deltas.length > 1);
      assert.equal(deltas.join(''), `Hello from ${t.id}: What is the weather in Paris today?`);
      assert.equal(finish, 'stop');
      assert.ok(usage && usage.prompt_tokens > 0 && usage.completion_tokens > 0);
      const sent = gw.lastSent();
      if (!t.cross) return assertPassedThrough(sent, gw.onlyUpstream(CHAT), t.id);
      const up = gw.onlyUpstream(MESSAGES).body;
      assert.equal(up.stream, true);
      assert.deepEqual(up.messages, [{ role: 'user', content: ASK.content }]);
    });
  }

  it('a stream without include_usage, same-format: the upstream is asked for usage (the ledger needs it), the client gets no usage chunk', async () => {
    const stream = await openai.chat.completions.create({ model: 'mini', messages: [ASK], stream: true });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      assert.ok(!chunk.usage, `no usage the client did not ask for: ${JSON.stringify(chunk)}`);
    }
    assert.equal(text, `Hello from ${ID.mini}: What is the weather in Paris today?`);
    const sent = gw.lastSent();
    assert.equal(sent.body.stream_options, undefined);
    assertPassedThrough(sent, gw.onlyUpstream(CHAT), ID.mini, chatStreamOwned(sent));
  });
});

describe('openai SDK: structured output', () => {
  const Report = z.strictObject({ city: z.string(), temperature: z.number(), conditions: z.enum(['sunny', 'rainy', 'cloudy']) });
  for (const t of TARGETS) {
    it(`parse() with zodResponseFormat (json_schema), ${t.name}`, async () => {
      const completion = await openai.chat.completions.parse({ model: t.model, messages: [{ role: 'user', content: 'Report the weather in Lisbon' }], response_format: zodResponseFormat(Report, 'weather_report') });
      const parsed = completion.choices[0].message.parsed;
      assert.ok(parsed, 'the SDK parsed the answer');
      Report.parse(parsed);
      const sent = gw.lastSent();
      assert.equal(sent.body.response_format.type, 'json_schema');
      if (!t.cross) return assertPassedThrough(sent, gw.onlyUpstream(CHAT), t.id);
      // To Anthropic: one forced tool whose input schema is the schema asked for.
      const up = gw.onlyUpstream(MESSAGES).body;
      assert.equal(up.tools.length, 1);
      assert.equal(up.tools[0].name, 'weather_report');
      assert.deepEqual(up.tools[0].input_schema, sent.body.response_format.json_schema.schema);
      assert.deepEqual(up.tool_choice, { type: 'tool', name: 'weather_report' });
      assert.equal(completion.choices[0].message.tool_calls?.length ?? 0, 0, 'the forced tool is not shown as a tool call');
    });

    it(`response_format json_object, ${t.name}`, async () => {
      const c = await openai.chat.completions.create({ model: t.model, messages: [{ role: 'user', content: 'Answer in JSON: the capital of France' }], response_format: { type: 'json_object' } });
      const value = JSON.parse(c.choices[0].message.content!);
      assert.equal(typeof value, 'object');
      assert.ok(value !== null && !Array.isArray(value));
      if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(CHAT), t.id);
      const up = gw.onlyUpstream(MESSAGES).body;
      assert.deepEqual(up.tools.map((x: any) => x.input_schema), [{ type: 'object' }]);
      assert.deepEqual(up.tool_choice, { type: 'tool', name: up.tools[0].name });
    });
  }
});

describe('openai SDK: images and documents', () => {
  for (const t of TARGETS) {
    it(`an image URL, a base64 data URL and a PDF file part, ${t.name}`, async () => {
      const c = await openai.chat.completions.create({
        model: t.model,
        messages: [{
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these two images with the spec' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1PX}` } },
            { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF_MINI}`, filename: 'spec.pdf' } },
          ],
        }],
      });
      assert.match(c.choices[0].message.content!, new RegExp(`^Hello from ${t.id}: Compare these two images`));
      if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(CHAT), t.id);
      const [m] = gw.onlyUpstream(MESSAGES).body.messages;
      assert.deepEqual(m.content, [
        { type: 'text', text: 'Compare these two images with the spec' },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1PX } },
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF_MINI }, title: 'spec.pdf' },
      ]);
    });
  }
});

describe('openai SDK: reasoning and sampling', () => {
  it('reasoning_effort, same-format (an OpenAI reasoning model): passed, reasoning tokens reported', async () => {
    const c = await openai.chat.completions.create({ model: 'o3', messages: [{ role: 'user', content: 'Think about primes' }], reasoning_effort: 'high' });
    assert.match(c.choices[0].message.content!, /^Hello from o3-mini-2025-01-31: Think about primes/);
    assert.ok((c.usage?.completion_tokens_details?.reasoning_tokens ?? 0) > 0);
    assertPassedThrough(gw.lastSent(), gw.onlyUpstream(CHAT), ID.o3);
  });

  it('reasoning_effort, cross-format: a thinking budget upstream; the signed thinking comes back and returns unchanged', async () => {
    const ask: OpenAI.ChatCompletionUserMessageParam = { role: 'user', content: 'Think about primes' };
    const c = await openai.chat.completions.create({ model: 'sonnet4', messages: [ask], reasoning_effort: 'low' });
    const up = gw.onlyUpstream(MESSAGES).body;
    assert.deepEqual(up.thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.ok(up.max_tokens > 2048, 'max_tokens leaves room for the answer beyond the budget');
    const message = c.choices[0].message as OpenAI.ChatCompletionMessage & { reasoning_content?: string; thinking_blocks?: Array<{ type: string; thinking: string; signature: string }> };
    assert.match(message.content!, /^Hello from claude-sonnet-4-20250514: Think about primes/);
    assert.equal(message.reasoning_content, 'Thinking about: Think about primes');
    assert.deepEqual(message.thinking_blocks, [{ type: 'thinking', thinking: 'Thinking about: Think about primes', signature: thinkingSignature('Thinking about: Think about primes') }]);
    // The next turn sends the assistant message back as it came: Anthropic gets its signed thinking unchanged.
    await openai.chat.completions.create({ model: 'sonnet4', messages: [ask, message as OpenAI.ChatCompletionAssistantMessageParam, { role: 'user', content: 'and twins?' }], reasoning_effort: 'low' });
    const [, next] = gw.upstream(MESSAGES);
    assert.deepEqual(next.body.messages[1].content[0], message.thinking_blocks![0]);
  });

  for (const t of TARGETS) {
    it(`top_p and user, ${t.name}`, async () => {
      await openai.chat.completions.create({ model: t.model, messages: [ASK], top_p: 0.5, user: 'user-42' });
      if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(CHAT), t.id);
      const up = gw.onlyUpstream(MESSAGES).body;
      assert.equal(up.top_p, 0.5);
      assert.deepEqual(up.metadata, { user_id: 'user-42' });
    });
  }

  it('seed, same-format: passed', async () => {
    await openai.chat.completions.create({ model: 'mini', messages: [ASK], seed: 7 });
    assertPassedThrough(gw.lastSent(), gw.onlyUpstream(CHAT), ID.mini);
  });

  /** A 400 naming the field and the Anthropic target, and nothing sent upstream. */
  async function refusedCrossFormat(body: Partial<OpenAI.ChatCompletionCreateParamsNonStreaming>, field: string): Promise<void> {
    await assert.rejects(openai.chat.completions.create({ model: 'haiku', messages: [ASK], ...body }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError, `a 400, got ${String(e)}`);
      assert.match(e.message, new RegExp(`\\b${field}\\b`));
      assert.match(e.message, /anthropic|claude-3-5-haiku/);
      return true;
    });
    assert.equal(gw.mock.requests.length, 0, 'nothing reached the upstream');
  }

  it('seed, cross-format: a 400 naming seed', () => refusedCrossFormat({ seed: 7 }, 'seed'));

  it('n: 2, same-format: two choices', async () => {
    const c = await openai.chat.completions.create({ model: 'mini', messages: [ASK], n: 2 });
    assert.deepEqual(c.choices.map((x) => x.index), [0, 1]);
    assertPassedThrough(gw.lastSent(), gw.onlyUpstream(CHAT), ID.mini);
  });
  it('n: 2, cross-format: a 400 naming n', () => refusedCrossFormat({ n: 2 }, 'n'));

  it('logprobs, same-format: passed', async () => {
    await openai.chat.completions.create({ model: 'mini', messages: [ASK], logprobs: true, top_logprobs: 2 });
    assertPassedThrough(gw.lastSent(), gw.onlyUpstream(CHAT), ID.mini);
  });
  it('logprobs, cross-format: a 400 naming logprobs', () => refusedCrossFormat({ logprobs: true }, 'logprobs'));
});

describe('openai SDK: the Responses API', () => {
  const RESPONSES = '/v1/responses';
  const weatherTool: OpenAI.Responses.FunctionTool = { type: 'function', name: 'get_weather', description: 'The weather in a city', parameters: WEATHER.function.parameters!, strict: true };

  for (const t of TARGETS) {
    it(`responses.create with instructions, ${t.name}`, async () => {
      const r = await openai.responses.create({ model: t.model, instructions: 'Be brief.', input: 'Say hi to the team' });
      assert.equal(r.status, 'completed');
      assert.match(r.output_text, new RegExp(`^Hello from ${t.id}: Say hi to the team`));
      if (!t.cross) {
        assert.match(r.id, /^resp_/);
        return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(RESPONSES), t.id);
      }
      const up = gw.onlyUpstream(MESSAGES).body;
      assert.equal(up.system, 'Be brief.');
      assert.deepEqual(up.messages, [{ role: 'user', content: 'Say hi to the team' }]);
    });

    it(`responses.create stream: true, ${t.name}`, async () => {
      const stream = await openai.responses.create({ model: t.model, instructions: 'Be brief.', input: 'Stream a hello please', stream: true });
      let text = '';
      const types: string[] = [];
      let completed: OpenAI.Responses.Response | undefined;
      for await (const ev of stream) {
        types.push(ev.type);
        if (ev.type === 'response.output_text.delta') text += ev.delta;
        if (ev.type === 'response.completed') completed = ev.response;
      }
      assert.match(text, new RegExp(`^Hello from ${t.id}: Stream a hello please`));
      assert.equal(types[0], 'response.created');
      assert.equal(types.at(-1), 'response.completed');
      assert.ok(types.filter((x) => x === 'response.output_text.delta').length > 1);
      assert.equal(completed?.status, 'completed');
      assert.ok((completed?.usage?.output_tokens ?? 0) > 0);
      if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(RESPONSES), t.id);
      const up = gw.onlyUpstream(MESSAGES).body;
      assert.equal(up.stream, true);
      assert.equal(up.system, 'Be brief.');
    });

    it(`function tools and a function_call_output round trip, ${t.name}`, async () => {
      const first = await openai.responses.create({ model: t.model, input: [{ role: 'user', content: 'What is the weather in Oslo?' }], tools: [weatherTool] });
      const call = first.output.find((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === 'function_call');
      assert.ok(call, 'a function_call item');
      assert.equal(call.name, 'get_weather');
      WeatherArgs.parse(JSON.parse(call.arguments));
      const second = await openai.responses.create({
        model: t.model,
        input: [{ role: 'user', content: 'What is the weather in Oslo?' }, call, { type: 'function_call_output', call_id: call.call_id, output: 'Snow, -3 C' }],
        tools: [weatherTool],
      });
      assert.equal(second.output_text, 'Tool said: Snow, -3 C');
      if (!t.cross) {
        const ups = gw.upstream(RESPONSES);
        assert.equal(ups.length, 2);
        return gw.sent.forEach((s, i) => assertPassedThrough(s, ups[i], t.id));
      }
      const [up1, up2] = gw.upstream(MESSAGES);
      assert.deepEqual(up1.body.tools, [{ name: 'get_weather', description: 'The weather in a city', input_schema: weatherTool.parameters, strict: true }]);
      const [, assistant, results] = up2.body.messages;
      assert.deepEqual(assistant.content, [{ type: 'tool_use', id: call.call_id, name: 'get_weather', input: JSON.parse(call.arguments) }]);
      assert.deepEqual(results.content, [{ type: 'tool_result', tool_use_id: call.call_id, content: 'Snow, -3 C' }]);
    });
  }

  for (const t of TARGETS) {
    it(`a streamed function call, ${t.name}: argument deltas, then the call in response.completed`, async () => {
      const stream = await openai.responses.create({ model: t.model, input: 'What is the weather in Oslo?', tools: [weatherTool], stream: true });
      let args = '';
      let completed: OpenAI.Responses.Response | undefined;
      for await (const ev of stream) {
        if (ev.type === 'response.function_call_arguments.delta') args += ev.delta;
        if (ev.type === 'response.completed') completed = ev.response;
      }
      const call = completed?.output.find((i): i is OpenAI.Responses.ResponseFunctionToolCall => i.type === 'function_call');
      assert.ok(call, 'a function_call item in the completed response');
      assert.equal(call.name, 'get_weather');
      assert.equal(call.arguments, args, 'the deltas add up to the arguments');
      WeatherArgs.parse(JSON.parse(args));
      if (!t.cross) return assertPassedThrough(gw.lastSent(), gw.onlyUpstream(RESPONSES), t.id);
      const up = gw.onlyUpstream(MESSAGES).body;
      assert.equal(up.stream, true);
      assert.equal(up.tools[0].name, 'get_weather');
    });
  }

  it('previous_response_id, same-format: the upstream keeps the conversation', async () => {
    const first = await openai.responses.create({ model: 'mini', input: 'Remember the word lighthouse' });
    const second = await openai.responses.create({ model: 'mini', previous_response_id: first.id, input: 'Which word was it?' });
    assert.match(second.output_text, /^Hello from gpt-4o-mini-2024-07-18: Which word was it\?/);
    const [, up] = gw.upstream(RESPONSES);
    assert.equal(up.body.previous_response_id, first.id);
    assertPassedThrough(gw.lastSent(), up, ID.mini);
  });

  it('previous_response_id, cross-format: a 400 naming it, nothing sent upstream', async () => {
    await assert.rejects(openai.responses.create({ model: 'haiku', previous_response_id: 'resp_abc123', input: 'Which word was it?' }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.BadRequestError, `a 400, got ${String(e)}`);
      assert.match(e.message, /previous_response_id/);
      return true;
    });
    assert.equal(gw.mock.requests.length, 0);
  });
});

describe('openai SDK: the rest of the surface', () => {
  it('embeddings.create to the embedding model the rules name', async () => {
    const { data: res, response } = await openai.embeddings.create({ model: 'embed', input: ['alpha', 'beta'] }).withResponse();
    assert.equal(response.headers.get('x-switchyard-model'), ID.embed);
    assert.equal(res.data.length, 2);
    // The SDK asked for base64 and decoded it: the vectors are the upstream's, value for value.
    for (const [i, text] of ['alpha', 'beta'].entries()) {
      const want = Array.from(embeddingOf(text, 1536));
      assert.equal(res.data[i].embedding.length, 1536);
      assert.deepEqual(res.data[i].embedding.slice(0, 8), want.slice(0, 8));
    }
    assert.ok(res.usage.prompt_tokens > 0);
    assertPassedThrough(gw.lastSent(), gw.onlyUpstream('/v1/embeddings'), ID.embed);
  });

  it('completions.create with a suffix (fill in the middle)', async () => {
    const prompt = 'function add(a, b) {\n  return';
    const suffix = '\n}\n';
    const c = await openai.completions.create({ model: 'mini', prompt, suffix, max_tokens: 16 });
    assert.equal(c.choices[0].text, fillIn(ID.mini, prompt, suffix));
    assert.equal(c.object, 'text_completion');
    assertPassedThrough(gw.lastSent(), gw.onlyUpstream('/v1/completions'), ID.mini);
  });

  it("models.retrieve('mini'), and an unknown model is a 404", async () => {
    const m = await openai.models.retrieve('mini');
    assert.equal(m.id, 'mini');
    assert.equal(m.object, 'model');
    await assert.rejects(openai.models.retrieve('gpt-99'), (e: unknown) => e instanceof OpenAI.NotFoundError);
  });
});
