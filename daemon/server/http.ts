/**
 * The HTTP API: OpenAI-compatible `/v1/chat/completions` and `/v1/responses`, Anthropic-compatible `/v1/messages`
 * (any can land on any provider: completion.ts), `/v1/route/explain` (dry run), `/v1/models`, `/health`, spend and
 * replay. This file authenticates and routes by path; it holds no routing logic.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireFormat } from '../../shared/canonical';
import { RouteRequestInput } from '../../shared/config';
import type { RouteRequest } from '../../shared/decision';
import type { Engine } from '../engine';
import type { Logger } from '../log';
import { RequestFormatError } from '../formats/common';
import { codecFor } from '../formats/index';
import type { ParsedRequest } from '../formats/types';
import { BodyError, readJson } from './body';
import { HintError, hints, routeRequestFrom } from './callerRequest';
import { completion } from './completion';
import { ResponseItemStore } from './responseItems';
import { countTokens, modelInfo, modelList } from './surface';
import { describeIssues, sendError, sendJson, type ApiFormat } from './errors';
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

export function createHttpHandler(ctx: HttpContext) {
  const items = new ResponseItemStore();
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url?.split('?')[0] ?? '/';
    const format: ApiFormat = url.startsWith('/v1/messages') ? 'anthropic' : 'openai';
    const denied = checkRequest(req, ctx.token, url !== '/health');
    if (denied) return sendError(res, format, denied.status, denied.reason, denied.status === 401 ? 'invalid_api_key' : 'forbidden');

    const task = route(ctx, req, res, url, format, items).catch((e) => {
      if (e instanceof BodyError) return sendError(res, format, e.status, e.message, e.status === 413 ? 'request_too_large' : 'invalid_json');
      if (e instanceof RequestFormatError || e instanceof HintError) return sendError(res, format, 400, e.message, 'invalid_request', { param: (e as RequestFormatError).param });
      ctx.log.error(`${req.method} ${url} failed: ${(e as Error).stack ?? e}`);
      sendError(res, format, 500, `internal error: ${(e as Error).message}`, 'internal_error');
    });
    ctx.inflight.add(task);
    void task.finally(() => ctx.inflight.delete(task));
  };
}

const COMPLETIONS: Record<string, WireFormat> = {
  '/v1/chat/completions': 'openai-chat', '/v1/messages': 'anthropic', '/v1/responses': 'openai-responses',
  '/v1/completions': 'openai-completions', '/v1/embeddings': 'openai-embeddings',
};
const KNOWN = ['/health', '/v1/models', ...Object.keys(COMPLETIONS), '/v1/messages/count_tokens', '/v1/route/explain', '/v1/switchyard/spend', '/v1/switchyard/replay'];

async function route(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, url: string, format: ApiFormat, items: ResponseItemStore): Promise<void> {
  const method = req.method ?? 'GET';
  if (url === '/health' && method === 'GET') return sendJson(res, 200, { ok: true });
  if (url === '/v1/models' && method === 'GET') return sendJson(res, 200, modelList(ctx.engine, req));
  if (url.startsWith('/v1/models/') && method === 'GET') return modelInfo(ctx, req, res, url.slice('/v1/models/'.length));
  if (method === 'POST' && Object.hasOwn(COMPLETIONS, url)) return completion(ctx, req, res, COMPLETIONS[url], items);
  if (method === 'POST' && url === '/v1/messages/count_tokens') return countTokens(ctx, req, res);
  if (method === 'POST' && url === '/v1/route/explain') return explain(ctx, req, res);
  if (method === 'GET' && url === '/v1/switchyard/spend') return spend(ctx, req, res);
  if (method === 'POST' && url === '/v1/switchyard/replay') return replayRoute(ctx, req, res);
  return sendError(res, format, KNOWN.includes(url) ? 405 : 404, KNOWN.includes(url) ? `${method} is not allowed on ${url}` : `no route ${method} ${url}; see GET /v1/models, POST /v1/chat/completions, POST /v1/messages, POST /v1/responses, POST /v1/route/explain`, 'not_found');
}


async function explain(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req, ctx.maxBodyBytes);
  let request: RouteRequest;
  let model: string | undefined;
  if (body && typeof body === 'object' && 'messages' in body) {
    // Either wire format: OpenAI puts the system prompt among the messages, Anthropic beside them.
    let parsed: ParsedRequest;
    let wire: WireFormat = 'openai-chat';
    try { parsed = codecFor(wire).parseRequest(body); } catch { wire = 'anthropic'; parsed = codecFor(wire).parseRequest(body); }
    request = routeRequestFrom(parsed.request, wire, req);
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
