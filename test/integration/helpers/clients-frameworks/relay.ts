/**
 * What a framework's request looked like on each side of the daemon. A route names the client's wire format, the
 * model forced through `model` and so the upstream's format: same format, the upstream got the client's bodies
 * with only `model` replaced; across formats, it got the same tools, tool choice, tool calls, tool results,
 * images, system prompt and prompt in its own format.
 */
import assert from 'node:assert/strict';
import type { RecordedRequest } from '../../../fixtures/mock-upstream';
import { assertPassedThrough, chatStreamOwned, ID, type Gateway, type SentRequest } from '../clients/gateway';
import { imagesOf, lastUserTextOf, outputSchemaNameOf, outputSchemaOf, PATHS, systemOf, toolCallsOf, toolChoiceOf, toolResultsOf, toolsOf, type Choice, type Wire } from './wire';

export interface Route {
  /** The client's format. */
  client: Wire;
  /** A short name from the rules: its provider decides the upstream's format. */
  model: 'mini' | 'haiku';
  upstream: Wire;
}

export const isSameFormat = (r: Route): boolean => r.client === r.upstream;
export const routeLabel = (r: Route): string => `${isSameFormat(r) ? 'same format' : 'cross format'}: ${r.client} → ${r.model} (${r.upstream})`;

/** The API's default when a request has tools and names no choice. */
const choiceWithDefault = (req: SentRequest | RecordedRequest): Choice => toolChoiceOf(req) ?? (toolsOf(req).length ? 'auto' : undefined);

/**
 * The upstream request carries what the client's request carried, in the upstream's format. An output schema the
 * upstream's format has no field for (OpenAI's on Anthropic) arrives as one forced tool whose input schema it is.
 */
export function assertSameMeaning(sent: SentRequest, got: RecordedRequest): void {
  const schema = outputSchemaOf(sent);
  if (schema !== undefined && outputSchemaOf(got) === undefined) {
    const name = outputSchemaNameOf(sent);
    const tools = toolsOf(got);
    const forced = tools.find((t) => t.name === name);
    assert.ok(forced, `the schema as a forced tool named ${name} (got tools ${JSON.stringify(tools.map((t) => t.name))})`);
    assert.deepEqual(forced.schema, schema, 'the forced tool takes the schema');
    assert.deepEqual(tools.filter((t) => t !== forced), toolsOf(sent), 'the client\'s own tools');
    assert.deepEqual(toolChoiceOf(got), { name }, 'tool_choice forces it');
  } else {
    assert.deepEqual(outputSchemaOf(got), schema, 'the output schema');
    assert.deepEqual(toolsOf(got), toolsOf(sent), 'tools');
    assert.deepEqual(choiceWithDefault(got), choiceWithDefault(sent), 'tool_choice');
  }
  assert.deepEqual(toolCallsOf(got), toolCallsOf(sent), 'tool calls in the history (ids kept)');
  assert.deepEqual(toolResultsOf(got), toolResultsOf(sent), 'tool results');
  assert.deepEqual(imagesOf(got), imagesOf(sent), 'images');
  assert.deepEqual(systemOf(got), systemOf(sent), 'the system prompt');
  assert.equal(lastUserTextOf(got), lastUserTextOf(sent), 'the prompt');
}

/**
 * Pairs every request the client sent on its path with the one the upstream got on the route's path (one each,
 * in order) and checks each pair; returns the pairs for the test's own checks.
 */
export function assertRelayed(gw: Gateway, route: Route): Array<{ sent: SentRequest; got: RecordedRequest }> {
  const sent = gw.sent.filter((s) => s.path === PATHS[route.client]);
  const got = gw.upstream(PATHS[route.upstream]);
  assert.ok(sent.length > 0, `the client sent nothing on ${PATHS[route.client]}`);
  assert.equal(got.length, sent.length, `the upstream got ${got.length} requests on ${PATHS[route.upstream]} for ${sent.length} sent (all: ${gw.mock.requests.map((r) => r.path).join(', ') || 'none'})`);
  const model = ID[route.model];
  return sent.map((s, i) => {
    const g = got[i];
    if (isSameFormat(route)) {
      assertPassedThrough(s, g, model, route.client === 'openai-chat' && s.body.stream === true ? chatStreamOwned(s) : {});
    } else {
      assert.equal(g.body.model, model);
      assertSameMeaning(s, g);
    }
    return { sent: s, got: g };
  });
}
