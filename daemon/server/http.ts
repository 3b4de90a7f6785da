/**
 * The HTTP API: OpenAI-compatible `/v1/chat/completions`, Anthropic-compatible `/v1/messages` (either can land
 * on any provider), `/v1/route/explain` (dry run), `/v1/models`, `/health`. This file parses, authenticates and
 * hands over to the engine; it holds no routing logic.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CanonicalRequest, FinishReason, StreamEvent } from '../../shared/canonical';
import { RouteRequestInput, Urgency } from '../../shared/config';
import type { Decision, RouteRequest } from '../../shared/decision';
import { CompletionError, type Engine } from '../engine';
import type { Logger } from '../log';
import { fromAnthropicRequest, toAnthropicResponse, AnthropicStreamEncoder } from '../providers/translate/anthropic';
import { RequestFormatError } from '../providers/translate/common';
import { fromOpenAIRequest, toOpenAIResponse, OpenAIStreamEncoder } from '../providers/translate/openai';
import { BodyError, readJson } from './body';
import { describeIssues, sendError, sendJson, headerValue, type ApiFormat } from './errors';
import { checkRequest } from './guard';
import { BREAKDOWNS, parseDuration, replayReportAsync, spendReport } from '../reports';
import { hasErrors, parseRulesAsync } from '../rules/load';
import { z } from 'zod';
import type { BreakdownBy } from '../ledger/ledger';

export interface HttpContext {
  engine: Engine;
  token: string;
  log: Logger;
  maxBodyBytes: number;
  /** Requests in flight, so shutdown can let them finish. */
  inflight: Set<Promise<unknown>>;
}

class HintError extends Error {}

export function createHttpHandler(ctx: HttpContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url?.split('?')[0] ?? '/';
    const format: ApiFormat = url === '/v1/messages' ? 'anthropic' : 'openai';
    const denied = checkRequest(req, ctx.token, url !== '/health');
    if (denied) return sendError(res, format, denied.status, denied.reason, denied.status === 401 ? 'invalid_api_key' : 'forbidden');

    const task = route(ctx, req, res, url, format).catch((e) => {
      if (e instanceof BodyError) return sendError(res, format, e.status, e.message, e.status === 413 ? 'request_too_large' : 'invalid_json');
      if (e instanceof RequestFormatError || e instanceof HintError) return sendError(res, format, 400, e.message, 'invalid_request', { param: (e as RequestFormatError).param });
      ctx.log.error(`${req.method} ${url} failed: ${(e as Error).stack ?? e}`);
      sendError(res, format, 500, `internal error: ${(e as Error).message}`, 'internal_error');
    });
    ctx.inflight.add(task);
    void task.finally(() => ctx.inflight.delete(task));
  };
}

async function route(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, url: string, format: ApiFormat): Promise<void> {
  const method = req.method ?? 'GET';
  if (url === '/health' && method === 'GET') return sendJson(res, 200, { ok: true });
  if (url === '/v1/models' && method === 'GET') return sendJson(res, 200, modelList(ctx.engine));
  if (method === 'POST' && (url === '/v1/chat/completions' || url === '/v1/messages')) return completion(ctx, req, res, format);
  if (method === 'POST' && url === '/v1/route/explain') return explain(ctx, req, res);
  if (method === 'GET' && url === '/v1/switchyard/spend') return spend(ctx, req, res);
  if (method === 'POST' && url === '/v1/switchyard/replay') return replayRoute(ctx, req, res);
  const known = ['/health', '/v1/models', '/v1/chat/completions', '/v1/messages', '/v1/route/explain', '/v1/switchyard/spend', '/v1/switchyard/replay'];
  return sendError(res, format, known.includes(url) ? 405 : 404, known.includes(url) ? `${method} is not allowed on ${url}` : `no route ${method} ${url}; see GET /v1/models, POST /v1/chat/completions, POST /v1/messages, POST /v1/route/explain`, 'not_found');
}

function modelList(engine: Engine) {
  const rules = engine.rules;
  const ids = ['switchyard/auto', ...Object.keys(rules.config.tiers), ...Object.keys(rules.models)];
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'switchyard' })) };
}

/** Routing hints from `x-switchyard-*` headers. */
function hints(req: IncomingMessage): Partial<RouteRequest> {
  const h = req.headers;
  const one = (name: string) => { const v = h[name]; return typeof v === 'string' && v.trim() ? v.trim() : undefined; };
  const urgency = one('x-switchyard-urgency');
  if (urgency !== undefined && !Urgency.safeParse(urgency).success) throw new HintError(`x-switchyard-urgency must be low, normal or high, got "${urgency}"`);
  const metadata = Object.create(null) as Record<string, string>; // header names are the caller's: `__proto__` is a key like any other
  for (const [k, v] of Object.entries(h)) if (k.startsWith('x-switchyard-metadata-') && typeof v === 'string') metadata[k.slice('x-switchyard-metadata-'.length)] = v;
  return { task: one('x-switchyard-task'), source: one('x-switchyard-source') ?? 'http', urgency: urgency as Urgency | undefined, language: one('x-switchyard-language'), ...(Object.keys(metadata).length ? { metadata } : {}) };
}

function routeRequestFrom(canonical: CanonicalRequest, req: IncomingMessage): RouteRequest {
  const lastUser = [...canonical.messages].reverse().find((m) => m.role === 'user');
  return { prompt: lastUser?.content ?? '', system: canonical.system, messages: canonical.messages, maxOutputTokens: canonical.maxTokens, ...hints(req) };
}

function decisionHeaders(d: Decision | undefined, served: { provider: string; model: string } | undefined, fallbacks: number, requestId: string): Record<string, string> {
  const h: Record<string, string> = { 'x-switchyard-request-id': requestId, 'x-switchyard-fallbacks': String(fallbacks) };
  // Names and ids are the user's text (any Unicode): headerValue percent-encodes what a header cannot carry.
  if (d) { h['x-switchyard-rule'] = headerValue(d.rule); h['x-switchyard-tier'] = headerValue(d.tier ?? ''); h['x-switchyard-estimated-cost-usd'] = d.estimate.costUsd.toFixed(8); }
  if (served) { h['x-switchyard-provider'] = headerValue(served.provider); h['x-switchyard-model'] = headerValue(served.model); }
  return h;
}

async function completion(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, format: ApiFormat): Promise<void> {
  const body = await readJson(req, ctx.maxBodyBytes);
  const parsed = format === 'openai' ? fromOpenAIRequest(body) : fromAnthropicRequest(body);
  const includeUsage = format === 'openai' && (parsed as ReturnType<typeof fromOpenAIRequest>).includeUsage;
  const forced = ctx.engine.resolveModelField(parsed.model);
  if (forced && 'error' in forced) return sendError(res, format, 404, forced.error, 'model_not_found');
  const request = routeRequestFrom(parsed.request, req);
  const stream = parsed.request.stream;
  const requestId = `sy-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

  // A client that goes away cancels the upstream request.
  const abort = new AbortController();
  res.on('close', () => { if (!res.writableFinished) abort.abort(); });

  let decision: Decision | undefined;
  let current: { provider: string; model: string } | undefined;
  let fallbacks = 0;
  let encoder: OpenAIStreamEncoder | AnthropicStreamEncoder | undefined;
  const created = Math.floor(Date.now() / 1000);
  const startStream = () => {
    if (res.headersSent) return;
    res.writeHead(200, {
      'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive',
      trailer: 'x-switchyard-cost-usd', ...decisionHeaders(decision, current, fallbacks, requestId),
    });
    encoder = format === 'openai'
      ? new OpenAIStreamEncoder({ id: requestId, model: current?.model ?? 'switchyard', created, includeUsage })
      : new AnthropicStreamEncoder({ id: requestId, model: current?.model ?? 'switchyard', inputTokens: decision?.inputTokens });
  };
  /** False when the socket's buffer is full (the client is not keeping up). */
  const write = (e: StreamEvent): boolean => (encoder ? res.write(encoder.encodeSSE(e)) : true);
  // Backpressure: a full buffer holds the upstream read until 'drain'. Dispatch bounds the wait (engine.stallTimeoutMs,
  // 30 s): a client that reads nothing for that long loses the stream, so a stalled client costs a bounded buffer.
  const drained = () => new Promise<void>((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });

  try {
    const result = await ctx.engine.complete(request, {
      canonical: parsed.request, stream, forced, signal: abort.signal, requestId,
      onDecision: (d) => { decision = d; current = d.candidates[0] && { provider: d.candidates[0].provider, model: d.candidates[0].model }; },
      onFallback: (_from, to) => { fallbacks++; current = to; },
      onDelta: stream ? (text) => { startStream(); return write({ type: 'delta', text }) ? undefined : drained(); } : undefined,
    });
    current = { provider: result.provider, model: result.model };
    const finishReason: FinishReason = result.finishReason;
    const headers = { ...decisionHeaders(decision, current, result.fallbacks, requestId), 'x-switchyard-cost-usd': result.costUsd === null ? 'unknown' : result.costUsd.toFixed(8) };
    if (stream) {
      startStream();
      if (result.usage) write({ type: 'usage', usage: result.usage });
      write({ type: 'done', finishReason });
      res.addTrailers({ 'x-switchyard-cost-usd': headers['x-switchyard-cost-usd'] });
      res.end();
      return;
    }
    const canonicalResponse = { id: requestId, model: result.model, text: result.text, finishReason, usage: result.usage };
    const out = format === 'openai' ? toOpenAIResponse(canonicalResponse, { created }) : toAnthropicResponse(canonicalResponse);
    sendJson(res, 200, out, headers);
  } catch (e) {
    if (!(e instanceof CompletionError)) throw e;
    if (abort.signal.aborted) { res.destroy(); return; }
    if (stream && res.headersSent && encoder) {
      // After the commit point a failure is an explicit error event, never a silent clean end.
      res.write(format === 'openai' ? (encoder as OpenAIStreamEncoder).errorSSE(e.message, 'stream_cut') : (encoder as AnthropicStreamEncoder).errorSSE(e.message));
      res.end();
      // A client that stopped reading may never take that event: its socket (and buffer) are not held past the same limit.
      const giveUp = setTimeout(() => res.destroy(), ctx.engine.stallTimeoutMs);
      giveUp.unref();
      res.once('close', () => clearTimeout(giveUp));
      return;
    }
    const headers = decisionHeaders(e.decision ?? decision, undefined, Math.max(0, e.attempts.filter((a) => a.outcome !== 'skipped').length - 1), requestId);
    sendError(res, format, e.httpStatus, e.message, e.code, { attempts: e.attempts }, headers);
  }
}

async function explain(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req, ctx.maxBodyBytes);
  let request: RouteRequest;
  let model: string | undefined;
  if (body && typeof body === 'object' && 'messages' in body) {
    // Either wire format: OpenAI puts the system prompt among the messages, Anthropic beside them.
    let parsed: { model: string; request: CanonicalRequest };
    try { parsed = fromOpenAIRequest(body); } catch { parsed = fromAnthropicRequest(body); }
    request = routeRequestFrom(parsed.request, req);
    model = parsed.model;
  } else {
    const r = RouteRequestInput.safeParse(body);
    if (!r.success) throw new HintError(`expected an OpenAI or Anthropic request body, or { "prompt", "task"?, … }: ${describeIssues(r.error.issues, 'body')}`);
    request = { ...hints(req), ...r.data };
  }
  const forced = ctx.engine.resolveModelField(model);
  if (forced && 'error' in forced) return sendError(res, 'openai', 404, forced.error, 'model_not_found');
  sendJson(res, 200, await ctx.engine.preview(request, forced));
}

/** `GET /v1/switchyard/spend?since=7d&by=model` — what `switchyard spend` shows while the daemon holds the ledger. */
function spend(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): void {
  const q = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
  const since = parseDuration(q.get('since') ?? '7d');
  const by = (q.get('by') ?? 'model') as BreakdownBy;
  if (since === null) return sendError(res, 'openai', 400, `since must look like 7d, 24h or 30m, got "${q.get('since')}"`);
  if (!BREAKDOWNS.includes(by)) return sendError(res, 'openai', 400, `by must be one of ${BREAKDOWNS.join(', ')}`);
  if (!ctx.engine.ledger) return sendError(res, 'openai', 503, 'no ledger is open');
  sendJson(res, 200, spendReport(ctx.engine.ledger, Date.now() - since, by));
}

const ReplayBody = z.strictObject({ text: z.string().optional(), since: z.string().optional(), file: z.string().optional() });

/** `POST /v1/switchyard/replay` `{ "text"?: rules, "since"?: "7d" }` — what other rules would have cost. */
async function replayRoute(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readJson(req, ctx.maxBodyBytes);
  const checked = ReplayBody.safeParse(raw);
  if (!checked.success) return sendError(res, 'openai', 400, `expected { "text"?: rules text, "since"?: "7d", "file"?: name }: ${describeIssues(checked.error.issues, 'body')}`, 'invalid_request');
  const body = checked.data;
  const since = parseDuration(body.since ?? '7d');
  if (since === null) return sendError(res, 'openai', 400, 'since must look like 7d, 24h or 30m');
  if (!ctx.engine.ledger) return sendError(res, 'openai', 503, 'no ledger is open');
  let rules = ctx.engine.rules;
  if (body.text !== undefined) {
    const parsed = await parseRulesAsync(body.text, body.file ?? 'replay rules');
    if (!parsed.rules || hasErrors(parsed.issues)) return sendJson(res, 422, { error: { message: 'the rules have errors', type: 'invalid_request_error', code: 'invalid_rules', issues: parsed.issues } });
    rules = parsed.rules;
  }
  sendJson(res, 200, await replayReportAsync(ctx.engine.ledger, Date.now() - since, rules, ctx.engine.state(rules)));
}
