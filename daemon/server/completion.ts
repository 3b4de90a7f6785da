/**
 * The completion endpoints — `/v1/chat/completions`, `/v1/messages`, `/v1/responses` — one handler for the three
 * wire formats. The caller's body is parsed by its format's codec, routed, and sent on: to an upstream of the same
 * format as it came (only `model` replaced; the upstream's bytes relayed back), to any other translated. Errors
 * reach the caller in its own format, with the upstream's status, type, code and retry-after when an upstream
 * refused.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireFormat } from '../../shared/canonical';
import type { Decision } from '../../shared/decision';
import type { DispatchResult } from '../dispatch/dispatch';
import type { Leg, LegChunk } from '../dispatch/leg';
import { CompletionError } from '../engine';
import { codecFor } from '../formats/index';
import type { StreamEncoder } from '../formats/types';
import { readJson } from './body';
import { forwardedHeaders, routeRequestFrom } from './callerRequest';
import { headerValue, sendError, sendJson, type ApiFormat } from './errors';
import type { HttpContext } from './http';
import type { ResponseItemStore } from './responseItems';

export const apiFormatOf = (format: WireFormat): ApiFormat => (format === 'anthropic' ? 'anthropic' : 'openai');

function decisionHeaders(d: Decision | undefined, served: { provider: string; model: string } | undefined, fallbacks: number, requestId: string): Record<string, string> {
  // Our id as the SDKs' request id (`_request_id` / `requestID`): it is the ledger row's id.
  const h: Record<string, string> = { 'x-switchyard-request-id': requestId, 'x-request-id': requestId, 'request-id': requestId, 'x-switchyard-fallbacks': String(fallbacks) };
  // Names and ids are the user's text (any Unicode): headerValue percent-encodes what a header cannot carry.
  if (d) { h['x-switchyard-rule'] = headerValue(d.rule); h['x-switchyard-tier'] = headerValue(d.tier ?? ''); h['x-switchyard-estimated-cost-usd'] = d.estimate.costUsd.toFixed(8); }
  if (served) { h['x-switchyard-provider'] = headerValue(served.provider); h['x-switchyard-model'] = headerValue(served.model); }
  return h;
}

/** The task recorded for the formats that are one task by nature (a header still names another). */
const TASKS: Partial<Record<WireFormat, string>> = { 'openai-embeddings': 'embeddings', 'openai-completions': 'autocomplete' };

/** `model: "switchyard/auto"` on /v1/embeddings: the rules' `embeddings` tier, or a clear request to name one. */
function embeddingTarget(ctx: HttpContext): ReturnType<HttpContext['engine']['resolveModelField']> {
  if (Object.hasOwn(ctx.engine.rules.config.tiers, 'embeddings')) return { target: 'embeddings', label: 'tier "embeddings" (embeddings request)' };
  return { error: 'embeddings need an embedding model: name one from your rules as `model` (e.g. a model with id text-embedding-3-small), or define a tier named "embeddings"' };
}

const newRequestId = () => `sy-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

export async function completion(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, format: WireFormat, items: ResponseItemStore): Promise<void> {
  const responses = format === 'openai-responses';
  // References to earlier output Switchyard gave are resolved first, so any target can carry the conversation.
  const body = responses ? items.resolve(await readJson(req, ctx.maxBodyBytes)) : await readJson(req, ctx.maxBodyBytes);
  const codec = codecFor(format);
  const parsed = codec.parseRequest(body);
  const canonical = parsed.request;
  canonical.raw ??= { format, body: body as Record<string, unknown> };
  const forced = ctx.engine.resolveModelField(parsed.model) ?? (format === 'openai-embeddings' ? embeddingTarget(ctx) : undefined);
  if (forced && 'error' in forced) return sendError(res, apiFormatOf(format), 404, forced.error, 'model_not_found');
  const request = routeRequestFrom(canonical, format, req);
  request.task ??= TASKS[format];
  const stream = canonical.stream;
  const requestId = newRequestId();
  // A URL is parsed only when there is a query string (≈8 µs a request otherwise, for nothing).
  const url = req.url ?? '/';
  const beta = url.includes('?') && new URL(url, 'http://127.0.0.1').searchParams.get('beta') === 'true';
  const extras = { headers: forwardedHeaders(req), ...(beta ? { query: { beta: 'true' } } : {}) };

  // A client that goes away cancels the upstream request.
  const abort = new AbortController();
  res.on('close', () => { if (!res.writableFinished) abort.abort(); });

  let decision: Decision | undefined;
  let current: { provider: string; model: string } | undefined;
  let fallbacks = 0;
  let served: DispatchResult | undefined;
  let encoder: StreamEncoder | undefined;
  let passthrough = false;
  /** The leg whose stream the caller is reading (set at the commit point). */
  let streaming: Leg | undefined;
  const created = Math.floor(Date.now() / 1000);
  const startStream = (leg: Leg) => {
    if (res.headersSent) return;
    passthrough = leg.call.passthrough;
    streaming = leg;
    res.writeHead(200, {
      'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive',
      trailer: 'x-switchyard-cost-usd', ...decisionHeaders(decision, current, fallbacks, requestId),
    });
    // The commit point delivers the held chunks and the first content in one turn: one socket write for all of it.
    res.cork();
    process.nextTick(() => res.uncork());
    // A translated stream keeps the upstream's id (msg_…, chatcmpl-…, resp_…) as a plain answer does.
    if (!passthrough) encoder = codec.streamEncoder({ id: leg.upstreamId?.() ?? requestId, model: current?.model ?? 'switchyard', created, inputTokens: decision?.inputTokens, includeUsage: canonical.includeUsage, request: canonical });
  };
  /** The next `sequence_number` of a relayed Responses stream, so an error event Switchyard adds continues it. */
  let nextSequence = 0;
  /** The SSE text for a chunk: the upstream's own frame on a passthrough, else re-encoded in the caller's format. */
  const textOf = (chunk: LegChunk): string => {
    if (passthrough) {
      if (responses) {
        const seq = /"sequence_number":(\d+)/.exec(chunk.frame);
        if (seq) nextSequence = Number(seq[1]) + 1;
      }
      return chunk.frame;
    }
    let out = '';
    for (const ev of chunk.events) out += encoder!.encode(ev);
    return out;
  };
  // Backpressure: a full buffer holds the upstream read until 'drain'. Dispatch bounds the wait (engine.stallTimeoutMs,
  // 30 s): a client that reads nothing for that long loses the stream, so a stalled client costs a bounded buffer.
  const drained = () => new Promise<void>((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });

  try {
    const result = await ctx.engine.complete(request, {
      canonical, extras, stream, forced, signal: abort.signal, requestId,
      onDecision: (d) => { decision = d; current = d.candidates[0] && { provider: d.candidates[0].provider, model: d.candidates[0].model }; },
      onFallback: (_from, to) => { fallbacks++; current = to; },
      onChunk: stream ? (chunk, leg) => {
        startStream(leg);
        const text = textOf(chunk);
        return !text || res.write(text) ? undefined : drained();
      } : undefined,
      onServed: (s) => { served = s; },
    });
    current = { provider: result.provider, model: result.model };
    const headers: Record<string, string> = { ...decisionHeaders(decision, current, result.fallbacks, requestId), 'x-switchyard-cost-usd': result.costUsd === null ? 'unknown' : result.costUsd.toFixed(8) };
    const upstreamId = served?.answer?.upstreamRequestId;
    if (upstreamId) headers['x-switchyard-upstream-request-id'] = headerValue(upstreamId);
    if (stream) {
      // The ledger row is written: now the answer's last bytes.
      startStream(served!.leg);
      for (const chunk of served!.tail) {
        const text = textOf(chunk);
        if (!text) continue;
        if (responses) items.rememberStream(text);
        res.write(text);
      }
      res.addTrailers({ 'x-switchyard-cost-usd': headers['x-switchyard-cost-usd'] });
      res.end();
      return;
    }
    const answer = served!.answer!;
    if (answer.rawBody !== undefined) {
      // Same format: the upstream's answer byte for byte (its ids, its fields, fields we have never heard of).
      if (responses) try { items.rememberResponse(JSON.parse(answer.rawBody)); } catch { /* decoded once already */ }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer.rawBody), ...headers });
      res.end(answer.rawBody);
      return;
    }
    const response = answer.response;
    const encoded = codec.encodeResponse(response, { id: response.id || requestId, model: response.model || result.model, created, request: canonical });
    if (responses) items.rememberResponse(encoded);
    sendJson(res, 200, encoded, headers);
  } catch (e) {
    if (!(e instanceof CompletionError)) throw e;
    if (abort.signal.aborted) { res.destroy(); return; }
    if (stream && res.headersSent) {
      // After the commit point a failure is an explicit error event, never a silent clean end.
      // A relayed stream is continued, not restarted: its own id, no second opening, its numbering.
      const tail = encoder ?? codec.streamEncoder({ id: streaming?.upstreamId?.() ?? requestId, model: current?.model ?? 'switchyard', created, request: canonical, continues: { nextSequence } });
      res.write(tail.error(e.message, 'stream_cut', 'server_error'));
      res.end();
      // A client that stopped reading may never take that event: its socket (and buffer) are not held past the same limit.
      const giveUp = setTimeout(() => res.destroy(), ctx.engine.stallTimeoutMs);
      giveUp.unref();
      res.once('close', () => clearTimeout(giveUp));
      return;
    }
    const headers = decisionHeaders(e.decision ?? decision, undefined, Math.max(0, e.attempts.filter((a) => a.outcome !== 'skipped').length - 1), requestId);
    if (e.upstream) return relayRejection(res, format, e, headers);
    sendError(res, apiFormatOf(format), e.httpStatus, e.message, e.code, { attempts: e.attempts }, headers);
  }
}

/**
 * The last upstream's refusal, as the caller's format says it: its status, type, code and param (translated when the
 * formats differ), its retry-after, and Switchyard's account beside it (`switchyard`: message, code, attempts) —
 * inside `error` for OpenAI-shaped errors, at the top for Anthropic's, so that each SDK's `error` property has it.
 */
function relayRejection(res: ServerResponse, format: WireFormat, e: CompletionError, headers: Record<string, string>): void {
  const up = e.upstream!;
  // Same format: the upstream's error body as it came; else its status, type, code and param in the caller's terms.
  const encoded = (up.format === format && up.body && typeof up.body === 'object' && !Array.isArray(up.body)
    ? up.body : codecFor(format).encodeError(codecFor(up.format).decodeError(up.status, up.body))) as Record<string, unknown>;
  const details = { message: e.message, code: e.code, attempts: e.attempts };
  // Where each SDK shows it: the OpenAI SDKs expose the body's `error` object, the Anthropic SDK the whole body.
  const body = apiFormatOf(format) === 'openai' && encoded.error && typeof encoded.error === 'object'
    ? { ...encoded, error: { ...(encoded.error as Record<string, unknown>), switchyard: details } }
    : { ...encoded, switchyard: details };
  if (up.retryAfter) headers['retry-after'] = up.retryAfter;
  if (up.requestId) headers['x-switchyard-upstream-request-id'] = headerValue(up.requestId);
  sendJson(res, up.status, body, headers);
}
