/**
 * The Vercel AI SDK against the daemon: its OpenAI provider (the default Responses API and `.chat()`) and its
 * Anthropic provider pointed at the daemon, each forced onto a model of its own provider (same format: passthrough)
 * and of the other (cross format: translation). Tool loops over several steps (plain and streamed), structured
 * objects, images and embeddings — each checked for what the SDK returned and for what the upstream received.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createAnthropic, type AnthropicProvider } from '@ai-sdk/anthropic';
import { createOpenAI, type OpenAIProvider } from '@ai-sdk/openai';
import { APICallError, embed, embedMany, generateObject, generateText, stepCountIs, streamText, tool, type LanguageModel, type ToolChoice } from 'ai';
import { z } from 'zod';
import { defaultAnswer, embeddingOf } from '../fixtures/mock-upstream';
import { assertPassedThrough, ID, PNG_1PX, recordingFetch, startGateway, type Gateway } from './helpers/clients/gateway';
import { assertRelayed, isSameFormat, routeLabel, type Route } from './helpers/clients-frameworks/relay';
import { imagesOf, outputSchemaOf, PATHS, systemOf, toolCallsOf, toolChoiceOf, toolResultsOf, toolsOf } from './helpers/clients-frameworks/wire';

type Relayed = ReturnType<typeof assertRelayed>[number];

let gw: Gateway;
let openai: OpenAIProvider;
let anthropic: AnthropicProvider;

before(async () => {
  gw = await startGateway();
  const fetch = recordingFetch(gw.sent);
  openai = createOpenAI({ baseURL: `${gw.daemon.url}/v1`, apiKey: gw.daemon.token, fetch });
  anthropic = createAnthropic({ baseURL: `${gw.daemon.url}/v1`, apiKey: gw.daemon.token, fetch });
});
after(async () => { await gw?.stop(); });
beforeEach(() => gw.reset());

const ROUTES: Route[] = [
  { client: 'openai-responses', model: 'mini', upstream: 'openai-responses' },
  { client: 'openai-responses', model: 'haiku', upstream: 'anthropic' },
  { client: 'openai-chat', model: 'mini', upstream: 'openai-chat' },
  { client: 'openai-chat', model: 'haiku', upstream: 'anthropic' },
  { client: 'anthropic', model: 'haiku', upstream: 'anthropic' },
  { client: 'anthropic', model: 'mini', upstream: 'openai-chat' },
];

/** The provider's model for a route: `openai(name)` speaks the Responses API, `openai.chat(name)` chat completions. */
function modelFor(route: Route): LanguageModel {
  if (route.client === 'openai-responses') return openai(route.model);
  if (route.client === 'openai-chat') return openai.chat(route.model);
  return anthropic(route.model);
}

/** The mock calls the first tool with arguments from the prompt's words: `city` is the prompt's first word. */
const SYSTEM = 'You report the weather.';
const PROMPT = 'Paris weather today, please';
const TOOL_OUTPUT = 'Sunny and 21 degrees in Paris';
const weatherCalls: string[] = [];
const weather = tool({
  description: 'The current weather in a city',
  inputSchema: z.object({ city: z.string().describe('The city name') }),
  execute: async ({ city }) => { weatherCalls.push(city); return `Sunny and 21 degrees in ${city}`; },
});
beforeEach(() => { weatherCalls.length = 0; });

for (const route of ROUTES) {
  describe(`AI SDK, ${routeLabel(route)}`, () => {
    const served = ID[route.model];

    it('generateText runs a tool over several steps: the call, its result back upstream, the answer', async () => {
      const result = await generateText({ model: modelFor(route), system: SYSTEM, tools: { weather }, stopWhen: stepCountIs(3), prompt: PROMPT, maxRetries: 0 });
      assert.deepEqual(weatherCalls, ['Paris']);
      assert.equal(result.steps.length, 2);
      const [call] = result.steps[0].toolCalls;
      assert.equal(call.toolName, 'weather');
      assert.deepEqual(call.input, { city: 'Paris' });
      assert.equal(result.steps[0].finishReason, 'tool-calls');
      assert.equal(result.steps[0].toolResults[0].output, TOOL_OUTPUT);
      assert.equal(result.text, `Tool said: ${TOOL_OUTPUT}`);
      assert.equal(result.finishReason, 'stop');
      assert.equal(result.response.headers?.['x-switchyard-model'], served);

      const [first, second] = assertRelayed(gw, route);
      assert.deepEqual(toolsOf(first.got).map((t) => t.name), ['weather']);
      assert.equal(first.got.stream, false);
      assertToolRoundTrip(second, call.toolCallId);
    });

    it('streamText streams a tool loop: tool call and result events, then the answer as text deltas', async () => {
      const result = streamText({ model: modelFor(route), system: SYSTEM, tools: { weather }, stopWhen: stepCountIs(3), prompt: PROMPT, maxRetries: 0 });
      const kinds: string[] = [];
      let text = '';
      for await (const part of result.fullStream) {
        if (part.type === 'error') throw part.error;
        if (part.type === 'text-delta') text += part.text;
        if (part.type === 'tool-call' || part.type === 'tool-result' || part.type === 'finish-step') kinds.push(part.type);
      }
      assert.deepEqual(kinds, ['tool-call', 'tool-result', 'finish-step', 'finish-step']);
      assert.equal(text, `Tool said: ${TOOL_OUTPUT}`);
      assert.equal(await result.text, text);
      const steps = await result.steps;
      assert.equal(steps.length, 2);
      assert.deepEqual(steps[0].toolCalls[0].input, { city: 'Paris' });
      assert.deepEqual(weatherCalls, ['Paris']);
      assert.equal(steps[1].response.headers?.['x-switchyard-model'], served);

      const [first, second] = assertRelayed(gw, route);
      assert.equal(first.got.stream, true);
      assert.equal(second.got.stream, true);
      assertToolRoundTrip(second, steps[0].toolCalls[0].toolCallId);
    });

    it('toolChoice required, a named tool and none reach the upstream as that choice', async () => {
      const tools = { weather, other: weather };
      const once = (toolChoice: ToolChoice<typeof tools>) => generateText({ model: modelFor(route), tools, toolChoice, prompt: PROMPT, maxRetries: 0 });
      const required = await once('required');
      assert.equal(required.toolCalls[0]?.toolName, 'weather');
      const named = await once({ type: 'tool', toolName: 'other' });
      assert.equal(named.toolCalls[0]?.toolName, 'other');
      const none = await once('none');
      assert.deepEqual(none.toolCalls, []);
      assert.equal(none.text, defaultAnswer(served, PROMPT));

      const [r, n, o] = assertRelayed(gw, route);
      assert.equal(toolChoiceOf(r.got), 'required');
      assert.deepEqual(toolChoiceOf(n.got), { name: 'other' });
      // `none`: the choice itself, or no tools at all (what a provider sends when its API lacks `none`).
      assert.ok(toolChoiceOf(o.got) === 'none' || toolsOf(o.got).length === 0, `none: ${JSON.stringify(o.got.body.tool_choice)}`);
    });

    it('an image as a URL and as bytes reaches the upstream as images', async () => {
      const result = await generateText({
        model: modelFor(route), maxRetries: 0,
        messages: [{ role: 'user', content: [
          { type: 'text', text: 'Describe these pictures' },
          { type: 'image', image: new URL('https://example.com/cat.png') },
          { type: 'image', image: Buffer.from(PNG_1PX, 'base64'), mediaType: 'image/png' },
        ] }],
      });
      assert.match(result.text, new RegExp(`^Hello from ${served}: Describe these pictures`));
      const [{ got }] = assertRelayed(gw, route);
      assert.deepEqual(imagesOf(got), [{ kind: 'url', url: 'https://example.com/cat.png' }, { kind: 'base64', mediaType: 'image/png', data: PNG_1PX }]);
    });

    it('generateObject returns the object, parsed by the zod schema', async () => {
      const schema = z.object({ city: z.string(), tempC: z.number(), sunny: z.boolean() });
      const result = await generateObject({ model: modelFor(route), schema, prompt: 'Paris forecast as JSON', maxRetries: 0 });
      assert.deepEqual(result.object, { city: 'Paris', tempC: 1, sunny: true });
      assert.equal(result.response.headers?.['x-switchyard-model'], served);
      assertStructuredRequest(route);
    });
  });
}

/** The second step's request: the call as the client got it (its id kept), answered by the tool's output. */
function assertToolRoundTrip(second: Relayed, toolCallId: string): void {
  assert.deepEqual(toolCallsOf(second.got), [{ id: toolCallId, name: 'weather', input: { city: 'Paris' } }]);
  assert.deepEqual(toolResultsOf(second.got), [{ id: toolCallId, text: TOOL_OUTPUT }]);
}

/**
 * How each provider asked for structured output, and its relay (assertRelayed: passed through, or translated — a
 * json_schema onto Anthropic as a forced tool, the Anthropic provider's `json` tool onto chat as a function).
 */
function assertStructuredRequest(route: Route): void {
  const [{ sent }] = assertRelayed(gw, route);
  if (route.client === 'anthropic') {
    // jsonTool mode (the provider's default for a model it does not know): one `json` tool, tool use required.
    assert.deepEqual(toolsOf(sent).map((t) => t.name), ['json']);
    assert.equal(toolChoiceOf(sent), 'required');
  } else {
    assert.ok(outputSchemaOf(sent), 'the OpenAI provider asks with a json_schema');
  }
}

describe('AI SDK, the Anthropic provider\'s outputFormat mode (output_config.format)', () => {
  const schema = z.object({ city: z.string(), tempC: z.number() });
  for (const route of ROUTES.filter((r) => r.client === 'anthropic')) {
    it(`generateObject: ${routeLabel(route)}`, async () => {
      const result = await generateObject({
        model: modelFor(route), schema, prompt: 'Paris forecast as JSON', maxRetries: 0,
        providerOptions: { anthropic: { structuredOutputMode: 'outputFormat' } },
      });
      assert.deepEqual(result.object, { city: 'Paris', tempC: 1 });
      const [{ sent, got }] = assertRelayed(gw, route);
      const wanted = outputSchemaOf(sent);
      assert.ok(wanted, 'the client sent output_config.format');
      // Same format it passed through (checked above); across, it is chat's response_format json_schema.
      assert.deepEqual(outputSchemaOf(got), wanted);
    });
  }
});

describe('AI SDK, the openai() provider\'s default is the Responses API', () => {
  const system = 'You answer in one line.';
  const call = (model: LanguageModel) => generateText({ model, system, prompt: 'hello there', maxOutputTokens: 200, maxRetries: 0 });
  it('openai(name) posts to /v1/responses; on an OpenAI model the upstream gets that body on /v1/responses', async () => {
    const result = await call(openai('mini'));
    assert.equal(result.text, defaultAnswer(ID.mini, 'hello there'));
    assert.equal(result.response.headers?.['x-switchyard-provider'], 'openai');
    assert.match(result.response.id, /^resp_/, 'the upstream response id is kept');
    assert.deepEqual(gw.sent.map((s) => s.path), [PATHS['openai-responses']]);
    assert.deepEqual(gw.mock.requests.map((r) => r.path), [PATHS['openai-responses']]);
    assertPassedThrough(gw.sent[0], gw.mock.requests[0], ID.mini);
  });
  it('openai.chat(name) posts chat completions, passed on as chat completions', async () => {
    const result = await call(openai.chat('mini'));
    assert.equal(result.text, defaultAnswer(ID.mini, 'hello there'));
    assert.deepEqual(gw.sent.map((s) => s.path), [PATHS['openai-chat']]);
    assert.deepEqual(gw.mock.requests.map((r) => r.path), [PATHS['openai-chat']]);
    assertPassedThrough(gw.sent[0], gw.mock.requests[0], ID.mini);
  });
  it('openai(name) on an Anthropic model: the upstream gets Anthropic messages (instructions as the system prompt)', async () => {
    const result = await call(openai('haiku'));
    assert.equal(result.text, defaultAnswer(ID.haiku, 'hello there'));
    assert.equal(result.finishReason, 'stop');
    assert.ok(result.usage.inputTokens! > 0 && result.usage.outputTokens! > 0);
    assert.deepEqual(gw.mock.requests.map((r) => r.path), [PATHS.anthropic]);
    const [{ sent, got }] = assertRelayed(gw, { client: 'openai-responses', model: 'haiku', upstream: 'anthropic' });
    assert.deepEqual(systemOf(sent), [system], 'the provider sent the system prompt as instructions or a system item');
    assert.equal(got.body.max_tokens, 200, 'max_output_tokens');
  });
  for (const stream of [false, true]) {
    it(`a second turn sending the first answer back (item_reference, store: true) works on an Anthropic model${stream ? ', streamed' : ''}`, async () => {
      const first = stream ? streamText({ model: openai('haiku'), system, prompt: 'hello there', maxOutputTokens: 200, maxRetries: 0 }) : await call(openai('haiku'));
      const messages = [{ role: 'user' as const, content: 'hello there' }, ...(await first.response).messages, { role: 'user' as const, content: 'and more' }];
      const second = stream
        ? await streamText({ model: openai('haiku'), system, messages, maxOutputTokens: 200, maxRetries: 0 })
        : await generateText({ model: openai('haiku'), system, messages, maxOutputTokens: 200, maxRetries: 0 });
      assert.equal(await second.text, defaultAnswer(ID.haiku, 'and more'));
      assert.ok(JSON.stringify(gw.sent.at(-1)!.body.input).includes('item_reference'), 'the SDK referred to its first answer by id');
      const turns = gw.mock.requests.at(-1)!.body.messages as { role: string; content: unknown }[];
      assert.deepEqual(turns.map((m) => m.role), ['user', 'assistant', 'user'], 'the referenced answer reached Anthropic as the assistant turn');
      assert.match(JSON.stringify(turns[1].content), new RegExp(defaultAnswer(ID.haiku, 'hello there')));
    });
  }
});

describe('AI SDK embeddings: embed and embedMany on an embedding model from the rules', () => {
  it('embed returns the upstream\'s vector; the body passes through with only the model replaced', async () => {
    const value = 'sunny day in Paris';
    const result = await embed({ model: openai.embedding('embed'), value, maxRetries: 0 });
    assert.deepEqual(result.embedding, Array.from(embeddingOf(value, 1536)));
    assert.ok(result.usage.tokens > 0);
    assert.equal(result.response?.headers?.['x-switchyard-model'], ID.embed);
    assert.deepEqual(gw.mock.requests.map((r) => r.path), ['/v1/embeddings']);
    assertPassedThrough(gw.sent[0], gw.mock.requests[0], ID.embed);
  });
  it('embedMany keeps the order of the values, in one upstream request', async () => {
    const values = ['sunny day', 'rainy night', 'foggy morning'];
    const result = await embedMany({ model: openai.embedding('embed'), values, maxRetries: 0 });
    assert.deepEqual(result.embeddings, values.map((v) => Array.from(embeddingOf(v, 1536))));
    assert.equal(gw.mock.requests.length, 1);
    assertPassedThrough(gw.sent[0], gw.mock.requests[0], ID.embed);
    assert.deepEqual(gw.mock.requests[0].body.input, values);
  });
  it('an embedding request for a chat model of another format is refused with a 400 naming it, and nothing is sent upstream', async () => {
    await assert.rejects(embed({ model: openai.embedding('haiku'), value: 'x', maxRetries: 0 }), (e: unknown) => {
      assert.ok(APICallError.isInstance(e), String(e));
      assert.equal(e.statusCode, 400);
      assert.match(e.message, /claude-3-5-haiku-20241022/, 'names the target');
      return true;
    });
    assert.equal(gw.mock.requests.length, 0);
  });
});
