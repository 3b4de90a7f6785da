/**
 * What a successful answer looks like in each wire format the daemon speaks to callers — chat completions,
 * Anthropic messages, the Responses API, legacy completions, embeddings — as a JSON body or as an SSE stream, and
 * the consistency an SDK relies on: a finish reason that says "tool calls" comes with tool calls, a stream ends with
 * its format's terminal event, Responses events are numbered in order. Each check throws an AssertionError that
 * shows the reply.
 */
import assert from 'node:assert/strict';
import type { WireFormat } from '../../../shared/canonical';
import type { HttpReply } from './harness';

const show = (r: HttpReply) => `${r.status} ${String(r.headers['content-type'])} ${r.body.slice(0, 400)}`;
const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses an SSE body into events (`event:` name, JSON or `[DONE]` data). */
function parseSse(text: string): { event?: string; data: string }[] {
  const out: { event?: string; data: string }[] = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      else if (line.startsWith(':')) continue;
      else assert.fail(`an SSE line that is neither event:, data: nor a comment: ${JSON.stringify(line.slice(0, 200))}`);
    }
    assert.ok(data.length > 0, `an SSE event with no data: ${JSON.stringify(block.slice(0, 200))}`);
    out.push({ event, data: data.join('\n') });
  }
  return out;
}

function jsonOf(data: string): any {
  let json: any;
  assert.doesNotThrow(() => { json = JSON.parse(data); }, `SSE data that is not JSON: ${data.slice(0, 200)}`);
  return json;
}

/** A chat stream: chunks then `[DONE]`, or an error chunk last; a `tool_calls` finish after tool-call deltas. */
function chatStream(r: HttpReply, events: { event?: string; data: string }[]): void {
  let calls = 0;
  let toolFinish = false;
  const named = new Set<string>();
  events.forEach((e, i) => {
    if (e.data === '[DONE]') { assert.equal(i, events.length - 1, `[DONE] before the end of the stream: ${r.body.slice(0, 400)}`); return; }
    const json = jsonOf(e.data);
    assert.ok(json?.object === 'chat.completion.chunk' || typeof json?.error?.message === 'string', `not an OpenAI chunk: ${e.data.slice(0, 200)}`);
    for (const choice of json.choices ?? []) {
      for (const tc of choice.delta?.tool_calls ?? []) {
        const key = `${choice.index}:${tc?.index}`;
        // The first delta of a call names it: clients key the arguments that follow by its index.
        if (!named.has(key)) assert.ok(typeof tc?.id === 'string' && typeof tc.function?.name === 'string', `a tool call's first delta without id and name: ${e.data.slice(0, 300)}`);
        named.add(key);
        calls++;
      }
      if (choice.finish_reason === 'tool_calls') toolFinish = true;
    }
  });
  const last = events.at(-1)!;
  assert.ok(last.data === '[DONE]' || typeof JSON.parse(last.data).error?.message === 'string', `an OpenAI stream that ends without [DONE] or an error: ${r.body.slice(-300)}`);
  if (toolFinish) assert.ok(calls > 0, `finish_reason tool_calls in a stream without a tool call: ${r.body.slice(0, 600)}`);
}

/** A messages stream: event name = data.type, blocks started before their deltas, message_stop or error last. */
function messagesStream(r: HttpReply, events: { event?: string; data: string }[]): void {
  /** Blocks by index: their type while open, undefined once stopped. */
  const open = new Map<number, string | undefined>();
  let toolUse = false;
  let toolStop = false;
  events.forEach((e, i) => {
    assert.notEqual(e.data, '[DONE]', 'an Anthropic stream carries [DONE]');
    const json = jsonOf(e.data);
    assert.equal(e.event, json?.type, `Anthropic SSE event name ${e.event} ≠ data.type ${json?.type}`);
    if (i === 0) assert.ok(json.type === 'message_start' || json.type === 'error', `an Anthropic stream that opens with ${json.type}: ${r.body.slice(0, 300)}`);
    if (json.type === 'content_block_start') {
      assert.ok(!open.has(json.index), `block ${json.index} started twice: ${r.body.slice(0, 600)}`);
      open.set(json.index, json.content_block?.type);
      if (json.content_block?.type === 'tool_use') toolUse = true;
    }
    if (json.type === 'content_block_delta') assert.ok(open.get(json.index) !== undefined, `a delta for block ${json.index}, not open: ${r.body.slice(0, 600)}`);
    if (json.type === 'content_block_stop') { assert.ok(open.get(json.index) !== undefined, `block ${json.index} stopped, not open: ${r.body.slice(0, 600)}`); open.set(json.index, undefined); }
    if (json.type === 'message_delta' && json.delta?.stop_reason === 'tool_use') toolStop = true;
  });
  const last = events.at(-1)!;
  assert.ok(last.event === 'message_stop' || last.event === 'error', `an Anthropic stream that ends without message_stop or error: ${r.body.slice(-300)}`);
  if (last.event === 'message_stop') assert.ok([...open.values()].every((t) => t === undefined), `message_stop with blocks still open: ${r.body.slice(-600)}`);
  if (toolStop) assert.ok(toolUse, `stop_reason tool_use in a stream without a tool_use block: ${r.body.slice(0, 600)}`);
}

const RESPONSES_END = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);

/**
 * A Responses stream: event name = data.type, sequence numbers rising, opened by response.created (or an error), and
 * ended by response.completed, response.incomplete or response.failed (or a lone error event).
 */
function responsesStream(r: HttpReply, events: { event?: string; data: string }[]): void {
  let seq = -1;
  const added = new Set<number>();
  events.forEach((e, i) => {
    const json = jsonOf(e.data);
    assert.ok(isObject(json) && typeof json.type === 'string', `a Responses event without a type: ${e.data.slice(0, 200)}`);
    if (json.type === 'response.output_item.added') added.add(json.output_index);
    // Deltas and done events of an item come after it was added (the SDK looks the item up by its output index).
    else if (typeof json.output_index === 'number') assert.ok(added.has(json.output_index), `${json.type} for output ${json.output_index}, never added: ${r.body.slice(0, 600)}`);
    assert.equal(e.event, json.type, `Responses SSE event name ${e.event} ≠ data.type ${json.type}`);
    if (i === 0) assert.ok(json.type === 'response.created' || json.type === 'error', `a Responses stream that opens with ${json.type}: ${r.body.slice(0, 300)}`);
    if (typeof json.sequence_number === 'number') {
      assert.ok(json.sequence_number > seq, `sequence_number ${json.sequence_number} after ${seq} (${json.type}): ${r.body.slice(-800)}`);
      seq = json.sequence_number;
    }
  });
  const last = events.at(-1)!;
  assert.ok(RESPONSES_END.has(String(last.event)), `a Responses stream that ends with ${last.event}: ${r.body.slice(-300)}`);
}

/** A legacy completions stream: text_completion chunks, then [DONE] (or an error chunk last). */
function completionsStream(r: HttpReply, events: { event?: string; data: string }[]): void {
  events.forEach((e, i) => {
    if (e.data === '[DONE]') { assert.equal(i, events.length - 1, `[DONE] before the end of the stream: ${r.body.slice(0, 400)}`); return; }
    const json = jsonOf(e.data);
    assert.ok(json?.object === 'text_completion' || typeof json?.error?.message === 'string', `not a completions chunk: ${e.data.slice(0, 200)}`);
  });
  const last = events.at(-1)!;
  assert.ok(last.data === '[DONE]' || typeof JSON.parse(last.data).error?.message === 'string', `a completions stream that ends without [DONE] or an error: ${r.body.slice(-300)}`);
}

/** A stream in the caller's wire format that ends explicitly (its clean end, or an error event). */
export function assertStreamOf(wire: WireFormat, r: HttpReply): void {
  const events = parseSse(r.body);
  assert.ok(events.length > 0, `an empty stream: ${show(r)}`);
  switch (wire) {
    case 'openai-chat': return chatStream(r, events);
    case 'anthropic': return messagesStream(r, events);
    case 'openai-responses': return responsesStream(r, events);
    case 'openai-completions': return completionsStream(r, events);
    case 'openai-embeddings': assert.fail(`an embeddings stream: ${show(r)}`);
  }
}

function chatAnswer(body: any, r: HttpReply): void {
  assert.ok(body?.object === 'chat.completion' && Array.isArray(body.choices) && body.choices.length > 0, `not an OpenAI completion: ${show(r)}`);
  for (const c of body.choices) {
    const m = c.message;
    assert.ok(m?.role === 'assistant' && (typeof m.content === 'string' || m.content === null), `not an assistant message: ${show(r)}`);
    const calls = m.tool_calls ?? [];
    for (const tc of calls) assert.ok(typeof tc?.id === 'string' && tc.type === 'function' && typeof tc.function?.name === 'string' && typeof tc.function?.arguments === 'string', `a malformed tool call ${JSON.stringify(tc)}: ${show(r)}`);
    if (c.finish_reason === 'tool_calls') assert.ok(calls.length > 0, `finish_reason tool_calls without tool calls: ${show(r)}`);
  }
}

const BLOCKS = new Set(['text', 'thinking', 'redacted_thinking', 'tool_use', 'server_tool_use', 'web_search_tool_result']);

function messagesAnswer(body: any, r: HttpReply): void {
  assert.ok(body?.type === 'message' && body.role === 'assistant' && Array.isArray(body.content), `not an Anthropic message: ${show(r)}`);
  for (const b of body.content) {
    assert.ok(BLOCKS.has(b?.type), `an unknown content block ${JSON.stringify(b).slice(0, 200)}: ${show(r)}`);
    if (b.type === 'text') assert.equal(typeof b.text, 'string', `a text block without text: ${show(r)}`);
    // `input` is the call's arguments parsed; arguments that are not a JSON object come as what they are (response.ts).
    if (b.type === 'tool_use') assert.ok(typeof b.id === 'string' && typeof b.name === 'string' && b.input !== undefined, `a malformed tool_use ${JSON.stringify(b).slice(0, 200)}: ${show(r)}`);
  }
  if (body.stop_reason === 'tool_use') assert.ok(body.content.some((b: any) => b.type === 'tool_use'), `stop_reason tool_use without a tool_use block: ${show(r)}`);
}

function responsesAnswer(body: any, r: HttpReply): void {
  assert.ok(body?.object === 'response' && typeof body.id === 'string' && typeof body.status === 'string' && Array.isArray(body.output), `not a Responses response: ${show(r)}`);
  for (const item of body.output) {
    assert.ok(isObject(item) && typeof item.type === 'string', `an output item without a type: ${show(r)}`);
    if (item.type === 'function_call') assert.ok(typeof item.call_id === 'string' && typeof item.name === 'string' && typeof item.arguments === 'string', `a malformed function_call ${JSON.stringify(item).slice(0, 200)}: ${show(r)}`);
    if (item.type === 'message') assert.ok(Array.isArray(item.content) && item.content.every((p: any) => typeof p?.type === 'string'), `a malformed message item ${JSON.stringify(item).slice(0, 200)}: ${show(r)}`);
  }
}

/** A successful non-streamed answer in the caller's wire format, internally consistent. */
export function assertAnswerOf(wire: WireFormat, body: any, r: HttpReply): void {
  switch (wire) {
    case 'openai-chat': return chatAnswer(body, r);
    case 'anthropic': return messagesAnswer(body, r);
    case 'openai-responses': return responsesAnswer(body, r);
    case 'openai-completions':
      assert.ok(body?.object === 'text_completion' && Array.isArray(body.choices) && typeof body.choices[0]?.text === 'string', `not a text completion: ${show(r)}`);
      return;
    case 'openai-embeddings':
      assert.ok(body?.object === 'list' && Array.isArray(body.data) && body.data.every((d: any) => Array.isArray(d?.embedding) || typeof d?.embedding === 'string'), `not an embeddings list: ${show(r)}`);
  }
}

/** Switchyard's mark on a Responses reasoning item that carries another format's thinking (formats/openai-responses/reasoning.ts). */
const CARRIED = 'switchyard.thinking.v1:';

/**
 * What a same-format upstream got: the caller's body as it came — as any JSON reader makes of the text — with only
 * `model` set to the pinned id and the fields Switchyard owns set: the usage chunk of a chat or completions stream
 * (the ledger needs it), and on Responses without the reasoning items Switchyard itself wrote to carry another
 * provider's thinking. A field Switchyard has never heard of arrives unchanged.
 */
export function assertPassedThrough(wire: WireFormat, sent: string, received: unknown, model: string): void {
  // The bytes sent (UTF-8: a lone surrogate in the case's text went as U+FFFD), read and written as JSON (1e400 is null).
  const want = JSON.parse(JSON.stringify(JSON.parse(Buffer.from(sent, 'utf8').toString('utf8')))) as Record<string, any>;
  want.model = model;
  if ((wire === 'openai-chat' || wire === 'openai-completions') && want.stream === true) want.stream_options = { ...(isObject(want.stream_options) ? want.stream_options : {}), include_usage: true };
  if (wire === 'openai-responses' && Array.isArray(want.input)) want.input = want.input.filter((item) => !(isObject(item) && item.type === 'reasoning' && typeof item.encrypted_content === 'string' && item.encrypted_content.startsWith(CARRIED)));
  const differs = firstDifference(received, want);
  assert.equal(differs, undefined, `the ${wire} upstream did not get the caller's body (model ${model}) as it came: ${differs}`);
}

/**
 * Where two JSON values first differ (`input[2].type: "x" ≠ "y"`), or undefined when they are equal. Walked
 * without recursion: bodies carry values nested thousands deep.
 */
function firstDifference(got: unknown, want: unknown): string | undefined {
  const stack: [unknown, unknown, string][] = [[got, want, '']];
  while (stack.length) {
    const [a, b, at] = stack.pop()!;
    if (Object.is(a, b)) continue;
    const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 80);
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return `${at || '(body)'}: ${show(a)} ≠ ${show(b)}`;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    const extra = ka.find((k) => !Object.hasOwn(b, k)) ?? kb.find((k) => !Object.hasOwn(a, k));
    if (extra !== undefined) return `${at}${at ? '.' : ''}${extra}: ${Object.hasOwn(a, extra) ? 'added' : 'missing'}`;
    for (const k of ka) stack.push([(a as any)[k], (b as any)[k], Array.isArray(a) ? `${at}[${k}]` : `${at}${at ? '.' : ''}${k}`]);
  }
  return undefined;
}
