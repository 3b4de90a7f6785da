/**
 * LangChain JS against the daemon: ChatOpenAI (chat completions, and the Responses API with `useResponsesApi`) and
 * ChatAnthropic pointed at the daemon, each forced onto a model of its own provider (same format: passthrough) and
 * of the other (cross format: translation). A full tool round trip with `bindTools`, `withStructuredOutput` with
 * a zod schema, `.stream()` and an image message — each checked for what LangChain returned and for what the
 * upstream received.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ChatAnthropic } from '@langchain/anthropic';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type AIMessageChunk, HumanMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { z } from 'zod';
import { defaultAnswer, splitDeltas } from '../fixtures/mock-upstream';
import { ID, PNG_1PX, recordingFetch, startGateway, type Gateway } from './helpers/clients/gateway';
import { assertRelayed, routeLabel, type Route } from './helpers/clients-frameworks/relay';
import { imagesOf, toolCallsOf, toolChoiceOf, toolResultsOf, toolsOf } from './helpers/clients-frameworks/wire';

let gw: Gateway;
let fetch: typeof globalThis.fetch;

before(async () => {
  gw = await startGateway();
  fetch = recordingFetch(gw.sent);
});
after(async () => { await gw?.stop(); });
beforeEach(() => gw.reset());

const ROUTES: Route[] = [
  { client: 'openai-chat', model: 'mini', upstream: 'openai-chat' },
  { client: 'openai-chat', model: 'haiku', upstream: 'anthropic' },
  { client: 'openai-responses', model: 'mini', upstream: 'openai-responses' },
  { client: 'openai-responses', model: 'haiku', upstream: 'anthropic' },
  { client: 'anthropic', model: 'haiku', upstream: 'anthropic' },
  { client: 'anthropic', model: 'mini', upstream: 'openai-chat' },
];

/** ChatOpenAI speaks chat completions unless told to use the Responses API; ChatAnthropic speaks messages. */
function chatModel(route: Route): ChatOpenAI | ChatAnthropic {
  const apiKey = gw.daemon.token;
  if (route.client === 'anthropic') return new ChatAnthropic({ model: route.model, apiKey, anthropicApiUrl: gw.daemon.url, maxRetries: 0, clientOptions: { fetch } });
  return new ChatOpenAI({ model: route.model, apiKey, maxRetries: 0, useResponsesApi: route.client === 'openai-responses', configuration: { baseURL: `${gw.daemon.url}/v1`, fetch } });
}

/** The mock calls the first tool with arguments from the prompt's words: `city` is the prompt's first word. */
const PROMPT = 'Paris weather today, please';
const TOOL_OUTPUT = 'Sunny and 21 degrees in Paris';
const weather = tool(async ({ city }: { city: string }) => `Sunny and 21 degrees in ${city}`, {
  name: 'weather',
  description: 'The current weather in a city',
  schema: z.object({ city: z.string().describe('The city name') }),
});

for (const route of ROUTES) {
  describe(`LangChain, ${routeLabel(route)}`, () => {
    const served = ID[route.model];

    it('bindTools: AIMessage tool_calls → ToolMessage → the answer', async () => {
      const model = chatModel(route).bindTools([weather]);
      const question = [new SystemMessage('You report the weather.'), new HumanMessage(PROMPT)];
      const ai = await model.invoke(question);
      assert.ok(ai instanceof AIMessage);
      assert.equal(ai.tool_calls?.length, 1);
      const [call] = ai.tool_calls!;
      assert.equal(call.name, 'weather');
      assert.deepEqual(call.args, { city: 'Paris' });
      assert.ok(call.id, 'the call has an id');
      const result = await weather.invoke({ ...call, type: 'tool_call' });
      assert.ok(result instanceof ToolMessage);
      assert.equal(result.tool_call_id, call.id);
      const answer = await model.invoke([...question, ai, result]);
      assert.equal(answer.text, `Tool said: ${TOOL_OUTPUT}`);
      assert.deepEqual(answer.tool_calls ?? [], []);

      const [first, second] = assertRelayed(gw, route);
      assert.deepEqual(toolsOf(first.got).map((t) => t.name), ['weather']);
      assert.deepEqual(toolCallsOf(second.got), [{ id: call.id, name: 'weather', input: { city: 'Paris' } }]);
      assert.deepEqual(toolResultsOf(second.got), [{ id: call.id, text: TOOL_OUTPUT }]);
    });

    it('withStructuredOutput(zod schema) returns the parsed object', async () => {
      const schema = z.object({ city: z.string(), tempC: z.number(), sunny: z.boolean() });
      const structured = (chatModel(route) as BaseChatModel).withStructuredOutput(schema, { name: 'forecast' });
      const out = await structured.invoke('Paris forecast as JSON');
      assert.deepEqual(out, { city: 'Paris', tempC: 1, sunny: true });

      // assertRelayed checks the relay (a json_schema onto Anthropic: a forced tool named after it).
      const [{ sent }] = assertRelayed(gw, route);
      if (route.client === 'anthropic') {
        // ChatAnthropic's default method: a forced tool named after the schema.
        assert.deepEqual(toolsOf(sent).map((t) => t.name), ['forecast']);
        assert.deepEqual(toolChoiceOf(sent), { name: 'forecast' });
      }
    });

    it('.stream() chunks concatenate to the answer, usage included', async () => {
      const prompt = 'Stream me a greeting please';
      const expected = defaultAnswer(served, prompt, 5);
      const texts: string[] = [];
      let full: AIMessageChunk | undefined;
      for await (const chunk of await chatModel(route).stream(prompt)) {
        if (chunk.text) texts.push(chunk.text);
        full = full ? full.concat(chunk) : chunk;
      }
      assert.equal(full?.text, expected);
      assert.deepEqual(texts, splitDeltas(expected, 5), 'one chunk per upstream delta');
      // ChatAnthropic adds message_start's output_tokens (1 on the mock, as on the real API) to message_delta's.
      assert.ok((full?.usage_metadata?.output_tokens ?? 0) >= 5, `output tokens: ${full?.usage_metadata?.output_tokens}`);
      assert.ok((full?.usage_metadata?.input_tokens ?? 0) > 0);

      const [{ got }] = assertRelayed(gw, route);
      assert.equal(got.stream, true);
    });

    it('an image message (image_url blocks: a URL and a data URL) reaches the upstream as images', async () => {
      const message = new HumanMessage({ content: [
        { type: 'text', text: 'Describe these pictures' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1PX}` } },
      ] });
      const answer = await chatModel(route).invoke([message]);
      assert.match(answer.text, new RegExp(`^Hello from ${served}: Describe these pictures`));
      const [{ got }] = assertRelayed(gw, route);
      assert.deepEqual(imagesOf(got), [{ kind: 'url', url: 'https://example.com/cat.png' }, { kind: 'base64', mediaType: 'image/png', data: PNG_1PX }]);
    });
  });
}
