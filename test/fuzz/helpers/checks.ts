/**
 * The invariants every reply must keep, as functions that throw an AssertionError naming what broke: HTTP
 * replies are JSON (or SSE in the caller's wire format when a stream was asked for: helpers/wireChecks.ts) in the
 * caller's error format, with no 5xx but an upstream's, and every refusal of Switchyard's own names its field;
 * WebSocket replies echo the id and carry a result or a coded error.
 */
import assert from 'node:assert/strict';
import { ErrorCodes } from '../../../shared/protocol';
import type { WireFormat } from '../../../shared/canonical';
import type { Frame, HttpReply } from './harness';
import { assertStreamOf } from './wireChecks';

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
 * Switchyard's account beside the error naming that attempt), or as 502/503/504 (attempts that failed, or met an
 * open circuit). The mock upstream fails only when this case injected a fault (`faulted`): without one, the only
 * 5xx is a 503 for circuits earlier cases opened — an attempt that "failed" then failed inside the daemon.
 */
export function assertNo5xxUnlessUpstream(r: HttpReply, body: any, faulted: boolean): void {
  if (r.status < 500) return;
  const relayed = body?.type === 'error' ? body?.switchyard : body?.error?.switchyard;
  if (relayed) {
    const last = (relayed.attempts as any[] | undefined)?.filter((a) => a.outcome !== 'skipped').at(-1);
    assert.ok(last?.outcome === 'failed' && last.status === r.status, `HTTP ${r.status} relayed, but the last attempt is ${JSON.stringify(last)}: ${show(r)}`);
    assert.ok(faulted, `HTTP ${r.status} relayed from an upstream that was given no fault: ${show(r)}`);
    return;
  }
  assert.ok([502, 503, 504].includes(r.status), `HTTP ${r.status} (only 502/503/504 may come from upstream faults): ${show(r)}`);
  const attempts: any[] = Array.isArray(body?.error?.attempts) ? body.error.attempts : [];
  // Candidates skipped for other reasons (a capability, an unsupported field) may stand beside them.
  const circuit = attempts.some((a) => a.outcome === 'skipped' && a.reason === 'circuit-open');
  const failed = attempts.some((a) => a.outcome === 'failed');
  const explained = faulted ? failed || circuit || attempts.length === 0 : circuit && !failed;
  assert.ok(explained, `HTTP ${r.status} without an upstream fault behind it${faulted ? '' : ' (this case injected none)'}: ${show(r)}`);
}

/** Switchyard's account beside an upstream's error it relays (none on its own errors). */
const relayedAccount = (body: any): unknown => (body?.type === 'error' ? body?.switchyard : body?.error?.switchyard);

/** `messages[2].content[0]` → `messages`; `tools[1] (web_search)` → `tools`. */
const rootOf = (path: string): string => path.split(/[.[ (]/)[0] ?? '';
const namesWord = (message: string, word: string) => new RegExp(`(^|[^A-Za-z0-9_])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`).test(message);

/**
 * A 400 of Switchyard's own (an upstream's relayed refusal speaks for itself) names what it refuses: its `param`
 * (OpenAI shape) is a field of the request and appears in the message; a field that cannot be sent to a target is one
 * the caller sent (`sentKeys`: the body's top-level keys); a request no candidate can serve names the capability or
 * limit; anything else names a field of the format (`fields`), the request body or a routing header.
 */
export function assertRefusalNamesField(format: Format, r: HttpReply, body: any, sentKeys: readonly string[], fields: readonly string[]): void {
  if (r.status !== 400 || relayedAccount(body)) return;
  const message: string = body?.error?.message ?? '';
  const known = new Set([...sentKeys, ...fields]);
  const param = format === 'openai' ? body?.error?.param : undefined;
  if (typeof param === 'string') {
    assert.ok(known.has(rootOf(param)) || rootOf(param) === 'body', `a 400 whose param "${param}" is no field of the request: ${show(r)}`);
    assert.ok(message.includes(param) || namesWord(message, rootOf(param)), `a 400 whose message does not name its param "${param}": ${show(r)}`);
    return;
  }
  const unsupported = /^(?:no candidate can carry this request: )?(.+?) cannot be sent to /.exec(message);
  if (unsupported) {
    assert.ok(sentKeys.includes(rootOf(unsupported[1])), `a refusal of "${unsupported[1]}", which the caller did not send (it sent ${sentKeys.join(', ')}): ${show(r)}`);
    return;
  }
  if (message.startsWith('no candidate can take this request: ')) {
    assert.match(message, /capabilities\.\w+|maxOutputTokens|context window/, `a refusal for what the request asks that names no capability or limit: ${show(r)}`);
    return;
  }
  assert.ok([...known, 'request body', 'body'].some((n) => namesWord(message, n)) || /x-switchyard-[a-z-]+/.test(message), `a 400 that names no field: ${show(r)}`);
}

/** The wire format whose streams a caller of this error format reads on the two original routes. */
const chatOrMessages = (format: Format): WireFormat => (format === 'anthropic' ? 'anthropic' : 'openai-chat');

/**
 * Every HTTP reply: JSON (SSE only for a 200 to a stream request, valid in `wire`, the caller's wire format: chat or
 * messages unless said), errors in the caller's format, no unexplained 5xx.
 */
export function assertHttpReply(format: Format, r: HttpReply, opts: { faulted: boolean; streamAsked: boolean; wire?: WireFormat }): any {
  assert.ok(r.status >= 200 && r.status < 600, `status ${r.status}`);
  const type = String(r.headers['content-type'] ?? '');
  if (type.startsWith('text/event-stream')) {
    assert.equal(r.status, 200, `an SSE reply with status ${r.status}`);
    assert.ok(opts.streamAsked, `an SSE reply to a request that did not ask for a stream: ${show(r)}`);
    assertStreamOf(opts.wire ?? chatOrMessages(format), r);
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
