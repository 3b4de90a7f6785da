/**
 * The wire-format codecs (daemon/formats/<format>/index.ts `codec`) on their own, in-process, where many cases are
 * cheap. For any body, each format's parseRequest gives a canonical request that keeps the canonical shape, or a
 * RequestFormatError with a param — never a TypeError. For any request one of them parsed and any target (every
 * format, for each provider type), the body for it is built — the caller's own passed through on its own format,
 * a translation on any other — and is plain JSON for the target's model, or an UnsupportedFieldError naming the
 * field and the target; never a TypeError. A translation that succeeds drops nothing the canonical request holds:
 * a request with untranslatable fields is refused, and its tools, tool calls, tool results and images all arrive.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { CanonicalRequest, ContentPart, WireFormat } from '../../shared/canonical';
import { MAX_OUTPUT_TOKENS, type ProviderType } from '../../shared/config';
import { RequestFormatError } from '../../daemon/formats/common';
import { codecFor } from '../../daemon/formats/index';
import { UnsupportedFieldError, type ParsedRequest, type TargetInfo } from '../../daemon/formats/types';
import { completionsBody, embeddingsBody } from './helpers/surface';
import { agentBodyText } from './helpers/wireBodies';
import { anthropicBody, anyJson, bodyText, mutated, nested, openaiBody, toJsonText } from './helpers/arbitraries';
import { describeRun, params } from './helpers/config';
import { MAX_BODY_DEPTH, nestsDeeper } from '../../daemon/server/body';

const FORMATS: readonly WireFormat[] = ['openai-chat', 'openai-responses', 'anthropic', 'openai-completions', 'openai-embeddings'];
const PROVIDER_TYPES: readonly ProviderType[] = ['openai', 'openai-compatible', 'anthropic'];
const TARGETS: readonly { format: WireFormat; info: TargetInfo }[] = FORMATS.flatMap((format) =>
  PROVIDER_TYPES.map((providerType) => ({ format, info: { provider: `p-${providerType}`, providerType, model: `m-${format}-${providerType}` } })));

/** Bodies of every format, each parser meeting the others' too (a client may post any body to any route). */
const BODIES: Record<WireFormat, fc.Arbitrary<string>> = {
  'openai-chat': fc.oneof({ weight: 3, arbitrary: agentBodyText('openai-chat') }, { weight: 1, arbitrary: bodyText(openaiBody) }),
  anthropic: fc.oneof({ weight: 3, arbitrary: agentBodyText('anthropic') }, { weight: 1, arbitrary: bodyText(anthropicBody) }),
  'openai-responses': agentBodyText('openai-responses'),
  'openai-completions': fc.oneof(completionsBody.map((b) => toJsonText(b)), mutated(completionsBody).map((b) => toJsonText(b)), anyJson.map((v) => toJsonText(v) ?? 'null')),
  'openai-embeddings': fc.oneof(embeddingsBody.map((b) => toJsonText(b)), mutated(embeddingsBody).map((b) => toJsonText(b)), anyJson.map((v) => toJsonText(v) ?? 'null')),
};

const kase: fc.Arbitrary<[WireFormat, string]> = fc.tuple(fc.constantFrom(...FORMATS), fc.constantFrom(...FORMATS)).chain(([parser, writer]) =>
  fc.tuple(fc.constant(parser), parser === writer ? BODIES[parser] : fc.oneof({ weight: 3, arbitrary: BODIES[parser] }, { weight: 1, arbitrary: BODIES[writer] })));

// Bodies nested deeper than the daemon's MAX_BODY_DEPTH never reach a codec: readJson refuses them with a 400
// (daemon/server/body.ts; agent.fuzz.test.ts keeps the 6,000-deep bodies the fuzz found as its first HTTP cases).

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));

/**
 * A value JSON carries: no functions, class instances or BigInts, and no NaN — which no JSON text parses to, so a
 * codec computed it. ±Infinity may be there: it is what the caller's own `1e400` became when it was read (any
 * JavaScript JSON parser does so), carried verbatim inside a schema or an unknown field, and written out as null.
 * Walked without recursion: bodies carry the caller's values nested thousands deep. (Cycles: JSON.stringify, below.)
 */
function assertPlainJson(root: unknown, path: string): void {
  const stack: [unknown, string][] = [[root, path]];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (v === null || v === undefined || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') { assert.ok(!Number.isNaN(v), `${at} is NaN`); continue; }
    assert.ok(typeof v === 'object', `${at} is a ${typeof v}`);
    if (Array.isArray(v)) { v.forEach((x, i) => stack.push([x, `${at}[${i}]`])); continue; }
    assert.ok(isPlainObject(v), `${at} is an instance of ${Object.getPrototypeOf(v)?.constructor?.name}`);
    for (const [k, x] of Object.entries(v)) stack.push([x, `${at}.${k}`]);
  }
}

const PART_TYPES = new Set(['text', 'image', 'document', 'tool_call', 'tool_result', 'thinking']);

function assertPart(p: ContentPart, path: string): void {
  assert.ok(PART_TYPES.has(p?.type), `${path} has type ${JSON.stringify((p as { type?: unknown })?.type)}`);
  switch (p.type) {
    case 'text': assert.equal(typeof p.text, 'string', `${path}.text`); break;
    case 'image': case 'document': assert.ok(['url', 'base64', 'file', 'text'].includes(p.source?.kind), `${path}.source.kind ${p.source?.kind}`); break;
    case 'tool_call': assert.ok(typeof p.id === 'string' && typeof p.name === 'string' && typeof p.arguments === 'string', `${path} is not a tool call: ${JSON.stringify(p).slice(0, 200)}`); break;
    case 'tool_result':
      assert.equal(typeof p.toolCallId, 'string', `${path}.toolCallId`);
      assert.ok(Array.isArray(p.content), `${path}.content`);
      p.content.forEach((c, k) => { assert.ok(['text', 'image', 'document'].includes(c.type), `${path}.content[${k}] is a ${c.type}`); assertPart(c, `${path}.content[${k}]`); });
      break;
    case 'thinking': assert.ok(typeof p.text === 'string' && ['anthropic', 'openai-responses', 'openai-chat'].includes(p.format), `${path} is not thinking: ${JSON.stringify(p).slice(0, 200)}`); break;
  }
}

const inRange = (v: number | undefined, lo: number, hi: number, whole = false) => v === undefined || (Number.isFinite(v) && v >= lo && v <= hi && (!whole || Number.isInteger(v)));

/** The canonical shape every builder relies on. */
function assertCanonical(format: WireFormat, out: ParsedRequest, body: unknown): void {
  const r: CanonicalRequest = out.request;
  assert.ok(typeof out.model === 'string' && out.model.length > 0, 'a model');
  assert.ok(Array.isArray(r.messages), 'messages');
  r.messages.forEach((m, i) => {
    assert.ok((m.role === 'user' || m.role === 'assistant') && Array.isArray(m.content), `messages[${i}] is ${JSON.stringify(m).slice(0, 200)}`);
    m.content.forEach((p, j) => assertPart(p, `messages[${i}].content[${j}]`));
    if (m.name !== undefined) assert.equal(typeof m.name, 'string');
  });
  // Anthropic's messages open with the user; a chat conversation may be the assistant's alone (OpenAI takes it); only
  // the Responses API may carry no conversation of its own (its state is at OpenAI, or in items nothing else reads).
  if (format === 'openai-chat') assert.ok(r.messages.length > 0, 'a message');
  else if (format !== 'openai-responses') assert.ok(r.messages.some((m) => m.role === 'user'), 'a user message');
  for (const s of r.system ?? []) assert.ok(s.type === 'text' && typeof s.text === 'string', `a system block ${JSON.stringify(s).slice(0, 200)}`);
  for (const t of r.tools ?? []) assert.ok(typeof t.name === 'string' && t.name.length > 0 && isPlainObject(t.parameters), `a tool ${JSON.stringify(t).slice(0, 200)}`);
  if (r.toolChoice) assert.ok(['auto', 'required', 'none'].includes(r.toolChoice.type) || (r.toolChoice.type === 'tool' && typeof r.toolChoice.name === 'string' && r.toolChoice.name.length > 0), `tool choice ${JSON.stringify(r.toolChoice)}`);
  assert.ok(inRange(r.maxTokens, 1, MAX_OUTPUT_TOKENS, true), `maxTokens ${r.maxTokens}`);
  assert.ok(inRange(r.temperature, 0, 2), `temperature ${r.temperature}`);
  assert.ok(inRange(r.topP, 0, 1), `topP ${r.topP}`);
  assert.ok(inRange(r.topK, 0, Infinity, true), `topK ${r.topK}`);
  assert.ok(inRange(r.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true), `seed ${r.seed}`);
  assert.ok(inRange(r.n, 2, 128, true), `n ${r.n}`);
  if (r.stop !== undefined) assert.ok(r.stop.every((s) => typeof s === 'string'), 'stop');
  if (r.user !== undefined) assert.equal(typeof r.user, 'string', 'user');
  assert.equal(typeof r.stream, 'boolean');
  for (const u of r.untranslatable ?? []) assert.ok(typeof u === 'string' && u.length > 0, `an untranslatable entry ${JSON.stringify(u)}`);
  assert.ok(r.raw === undefined || (r.raw.format === format && r.raw.body === body), `raw ${r.raw?.format}`);
}

// ---- what a built body holds, read in the target's own terms ----

type Tally = { toolCalls: number; toolResults: number; images: number; tools: number };
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

function canonicalTally(r: CanonicalRequest): Tally {
  const parts = r.messages.flatMap((m) => m.content);
  const results = parts.filter((p) => p.type === 'tool_result');
  const images = parts.filter((p) => p.type === 'image').length + results.flatMap((p) => p.content).filter((c) => c.type === 'image').length;
  return { toolCalls: parts.filter((p) => p.type === 'tool_call').length, toolResults: results.length, images, tools: r.tools?.length ?? 0 };
}

function builtTally(format: WireFormat, body: Record<string, any>, request: CanonicalRequest): Tally | undefined {
  if (format === 'openai-chat') {
    const messages = list(body.messages);
    return {
      toolCalls: messages.reduce((n, m) => n + list(m?.tool_calls).length, 0),
      toolResults: messages.filter((m) => m?.role === 'tool').length,
      images: messages.reduce((n, m) => n + list(m?.content).filter((p) => p?.type === 'image_url').length, 0),
      tools: list(body.tools).length,
    };
  }
  if (format === 'anthropic') {
    const blocks = list(body.messages).flatMap((m) => list(m?.content));
    const results = blocks.filter((b) => b?.type === 'tool_result');
    return {
      toolCalls: blocks.filter((b) => b?.type === 'tool_use').length,
      toolResults: results.length,
      images: blocks.filter((b) => b?.type === 'image').length + results.flatMap((b) => list(b.content)).filter((c) => c?.type === 'image').length,
      // Structured output rides as one forced tool of its own (refused beside the request's own tools).
      tools: list(body.tools).length - (request.responseFormat && request.responseFormat.type !== 'text' ? 1 : 0),
    };
  }
  if (format === 'openai-responses') {
    const items = list(body.input);
    const outputs = items.filter((x) => x?.type === 'function_call_output');
    return {
      toolCalls: items.filter((x) => x?.type === 'function_call').length,
      toolResults: outputs.length,
      images: items.flatMap((x) => list(x?.content)).filter((p) => p?.type === 'input_image').length + outputs.flatMap((x) => list(x.output)).filter((p) => p?.type === 'input_image').length,
      tools: list(body.tools).length,
    };
  }
  return undefined;
}

type Outcome = { body: Record<string, unknown> } | { refused: UnsupportedFieldError };

function build(how: () => Record<string, unknown>, what: string): Outcome {
  try {
    return { body: how() };
  } catch (e) {
    assert.ok(e instanceof UnsupportedFieldError, `${what} threw ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack?.split('\n').slice(1, 4).join('\n')}`);
    return { refused: e };
  }
}

function assertOutcome(outcome: Outcome, target: TargetInfo, what: string): Record<string, unknown> | undefined {
  if ('refused' in outcome) {
    const e = outcome.refused;
    assert.ok(typeof e.field === 'string' && e.field.trim().length > 0, `${what}: a refusal that names no field: ${e.message}`);
    assert.ok(e.message.startsWith(e.field) && e.message.includes(target.model), `${what}: a refusal that does not name the field and the target: ${e.message}`);
    return undefined;
  }
  const body = outcome.body;
  assert.ok(isPlainObject(body), `${what}: a body that is not an object`);
  assertPlainJson(body, what);
  assert.doesNotThrow(() => JSON.stringify(body), `${what}: JSON.stringify throws`);
  assert.equal(body.model, target.model, `${what}: model ${JSON.stringify(body.model)}`);
  return body;
}

test('the codecs: any body parses to a canonical request or a RequestFormatError with a param; any parsed request builds for any target or is refused by field, never a TypeError', (t) => {
  t.diagnostic(describeRun());
  const seen = { parsed: 0, refusedAtParse: 0, built: 0, refusedAtBuild: 0 };
  fc.assert(fc.property(kase, ([format, text]) => {
    let body: unknown;
    try { body = JSON.parse(text); } catch { return; } // not JSON: the HTTP layer answers it (agent.fuzz.test.ts)
    // Deeper than any API request: the HTTP layer refuses it before a codec sees it (agent.fuzz.test.ts checks the 400).
    if (nestsDeeper(body, MAX_BODY_DEPTH)) return;
    const codec = codecFor(format);
    let parsed: ParsedRequest;
    try {
      parsed = codec.parseRequest(body);
    } catch (e) {
      assert.ok(e instanceof RequestFormatError, `${format} parseRequest threw ${(e as Error)?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack?.split('\n').slice(1, 4).join('\n')}`);
      assert.ok(typeof e.param === 'string' && e.param.length > 0, `no param on "${e.message}"`);
      seen.refusedAtParse++;
      return;
    }
    seen.parsed++;
    assertCanonical(format, parsed, body);
    const request = parsed.request;
    const has = canonicalTally(request);
    for (const { format: to, info } of TARGETS) {
      const target = codecFor(to);
      const same = to === format && request.raw !== undefined;
      // Same format: the caller's body, passed through. Across: a translation. Without `raw` (what the editor's
      // requests are) a builder may also meet a request of its own format.
      const outcomes: [Outcome, string, boolean][] = same
        ? [
          [build(() => target.passthroughBody(request as CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, info), `${to} passthroughBody for ${info.providerType}`), 'passthrough', false],
          [build(() => target.buildRequest({ ...request, raw: undefined }, info), `${to} buildRequest (no raw) for ${info.providerType}`), 'build', true],
        ]
        : [[build(() => target.buildRequest(request, info), `${format} → ${to} buildRequest for ${info.providerType}`), 'build', true]];
      for (const [outcome, what, translated] of outcomes) {
        const built = assertOutcome(outcome, info, `${format} → ${to} (${info.providerType}) ${what}`);
        if (!built) { seen.refusedAtBuild++; continue; }
        seen.built++;
        if (!translated) continue;
        // Nothing silently dropped: what no other format can carry is refused, and what canonical holds arrives.
        assert.ok(!request.untranslatable?.length, `${format} → ${to} (${info.providerType}) built a body for a request with untranslatable ${JSON.stringify(request.untranslatable)}`);
        const got = builtTally(to, built, request);
        if (got) assert.deepEqual(got, has, `${format} → ${to} (${info.providerType}): the built body holds ${JSON.stringify(got)} of the request's ${JSON.stringify(has)}`);
      }
    }
  }), params('codecs'));
  t.diagnostic(`parsed ${seen.parsed}, refused at parse ${seen.refusedAtParse}; bodies built ${seen.built}, refused at build ${seen.refusedAtBuild}`);
  assert.ok(seen.parsed > 0 && seen.built > 0 && seen.refusedAtBuild > 0, 'the cases reach parsing, building and refusing');
});
