/**
 * The invariants every reply must keep, as functions that throw an AssertionError naming what broke: HTTP
 * replies are JSON (or SSE when a stream was asked for) in the caller's error format, with no 5xx but
 * 502/503/504 caused by the upstream; WebSocket replies echo the id and carry a result or a coded error.
 */
import assert from 'node:assert/strict';
import { ErrorCodes } from '../../../shared/protocol';
import type { Frame, HttpReply } from './harness';

export type Format = 'openai' | 'anthropic';

const show = (r: HttpReply) => `${r.status} ${String(r.headers['content-type'])} ${r.body.slice(0, 400)}`;

/** The error body of the caller's format: OpenAI `{error:{message,type,…}}`, Anthropic `{type:"error",error:{type,message}}`. */
export function assertErrorFormat(format: Format, body: any, r: HttpReply): void {
  if (format === 'anthropic') {
    assert.ok(body && body.type === 'error' && typeof body.error?.type === 'string' && typeof body.error?.message === 'string', `not an Anthropic error body: ${show(r)}`);
  } else {
    assert.ok(body && typeof body.error?.message === 'string' && typeof body.error?.type === 'string', `not an OpenAI error body: ${show(r)}`);
  }
}

/**
 * A 5xx is allowed only when the upstream failed: relayed as the last upstream's own status (any 5xx, with
 * Switchyard's account beside the error naming that attempt), or as 502/503/504 (a fault this case, or attempts that
 * failed or met an open circuit).
 */
export function assertNo5xxUnlessUpstream(r: HttpReply, body: any, faulted: boolean): void {
  if (r.status < 500) return;
  const relayed = body?.type === 'error' ? body?.switchyard : body?.error?.switchyard;
  if (relayed) {
    const last = (relayed.attempts as any[] | undefined)?.filter((a) => a.outcome !== 'skipped').at(-1);
    assert.ok(last?.outcome === 'failed' && last.status === r.status, `HTTP ${r.status} relayed, but the last attempt is ${JSON.stringify(last)}: ${show(r)}`);
    return;
  }
  assert.ok([502, 503, 504].includes(r.status), `HTTP ${r.status} (only 502/503/504 may come from upstream faults): ${show(r)}`);
  const attempts: any[] | undefined = body?.error?.attempts;
  const upstream = faulted || (Array.isArray(attempts) && attempts.length > 0 && attempts.every((a) => a.outcome === 'failed' || (a.outcome === 'skipped' && a.reason === 'circuit-open')));
  assert.ok(upstream, `HTTP ${r.status} without an upstream fault behind it: ${show(r)}`);
}

/** Parses an SSE body into events (`event:` name, JSON or `[DONE]` data). */
export function parseSse(text: string): { event?: string; data: string }[] {
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

/** A stream in the caller's format that ends explicitly: OpenAI `[DONE]` or an error chunk; Anthropic message_stop or an error event. */
export function assertValidStream(format: Format, r: HttpReply): void {
  const events = parseSse(r.body);
  assert.ok(events.length > 0, `an empty stream: ${show(r)}`);
  const last = events.at(-1)!;
  for (const e of events) {
    if (e.data === '[DONE]') { assert.equal(format, 'openai', 'an Anthropic stream carries [DONE]'); continue; }
    let json: any;
    assert.doesNotThrow(() => { json = JSON.parse(e.data); }, `SSE data that is not JSON: ${e.data.slice(0, 200)}`);
    if (format === 'anthropic') assert.equal(e.event, json.type, `Anthropic SSE event name ${e.event} ≠ data.type ${json.type}`);
    else assert.ok(json.object === 'chat.completion.chunk' || typeof json.error?.message === 'string', `not an OpenAI chunk: ${e.data.slice(0, 200)}`);
  }
  if (format === 'openai') assert.ok(last.data === '[DONE]' || typeof JSON.parse(last.data).error?.message === 'string', `an OpenAI stream that ends without [DONE] or an error: ${r.body.slice(-300)}`);
  else assert.ok(last.event === 'message_stop' || last.event === 'error', `an Anthropic stream that ends without message_stop or error: ${r.body.slice(-300)}`);
}

/** Every HTTP reply: JSON (SSE only for a 200 to a stream request), errors in the caller's format, no unexplained 5xx. */
export function assertHttpReply(format: Format, r: HttpReply, opts: { faulted: boolean; streamAsked: boolean; ms?: number }): any {
  assert.ok(r.status >= 200 && r.status < 600, `status ${r.status}`);
  const type = String(r.headers['content-type'] ?? '');
  if (type.startsWith('text/event-stream')) {
    assert.equal(r.status, 200, `an SSE reply with status ${r.status}`);
    assert.ok(opts.streamAsked, `an SSE reply to a request that did not ask for a stream: ${show(r)}`);
    assertValidStream(format, r);
    return undefined;
  }
  assert.ok(type.startsWith('application/json'), `content-type ${type}: ${show(r)}`);
  let body: any;
  assert.doesNotThrow(() => { body = JSON.parse(r.body); }, `a body that is not JSON: ${show(r)}`);
  if (r.status >= 400) assertErrorFormat(format, body, r);
  assertNo5xxUnlessUpstream(r, body, opts.faulted);
  return body;
}

/** A successful non-streamed completion in the caller's format. */
export function assertCompletionBody(format: Format, body: any, r: HttpReply): void {
  if (format === 'openai') assert.ok(body?.object === 'chat.completion' && typeof body.choices?.[0]?.message?.content === 'string', `not an OpenAI completion: ${show(r)}`);
  else assert.ok(body?.type === 'message' && typeof body.content?.[0]?.text === 'string', `not an Anthropic message: ${show(r)}`);
}

const CODES = new Set<string>(Object.values(ErrorCodes));

/**
 * A reply to a frame: the id it carried (null when it had no usable one), exactly one of result and error,
 * and an error with a known code and a message — never E_INTERNAL (the WebSocket's 500).
 */
export function assertWsReply(reply: Frame, expectedId: unknown): void {
  assert.deepEqual(reply.id, expectedId, `reply id ${JSON.stringify(reply.id)}, expected ${JSON.stringify(expectedId)}: ${JSON.stringify(reply).slice(0, 300)}`);
  assert.ok(('result' in reply) !== ('error' in reply), `a reply needs exactly one of result and error: ${JSON.stringify(reply).slice(0, 300)}`);
  if ('error' in reply) {
    assert.ok(reply.error && typeof reply.error.code === 'string' && typeof reply.error.message === 'string', `an error without code and message: ${JSON.stringify(reply).slice(0, 300)}`);
    assert.ok(CODES.has(reply.error.code), `unknown error code ${reply.error.code}`);
    assert.notEqual(reply.error.code, ErrorCodes.internal, `an internal error (the WebSocket's 500): ${reply.error.message}`);
  }
}

/** What id a reply to this frame must carry: the frame's own when it is a string or a number, else null. */
export function expectedReplyId(frame: unknown): unknown {
  if (frame === null || typeof frame !== 'object' || Array.isArray(frame)) return null;
  const id = (frame as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? JSON.parse(JSON.stringify(id)) : null;
}
