/**
 * The rest of the surface clients call besides completions: the model list and one model (`GET /v1/models`,
 * `/v1/models/{id}`, in Anthropic's shape when the caller sends `anthropic-version`), and Anthropic's
 * `POST /v1/messages/count_tokens` — answered by the upstream the request would be routed to when that is an
 * Anthropic model, else by the local estimate, marked as such.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine';
import { codecFor } from '../formats/index';
import { isRecord } from '../formats/common';
import { ProviderError } from '../providers/types';
import { readJson } from './body';
import { routeRequestFrom } from './callerRequest';
import { sendError, sendJson } from './errors';
import type { HttpContext } from './http';

/** Every name a caller may put in `model`: auto, the tiers, the rules' model names and their pinned ids. */
function modelIds(engine: Engine): string[] {
  const rules = engine.rules;
  return [...new Set(['switchyard/auto', ...Object.keys(rules.config.tiers), ...Object.keys(rules.models), ...Object.values(rules.models).map((m) => m.id)])];
}

const anthropicCaller = (req: IncomingMessage) => typeof req.headers['anthropic-version'] === 'string';
const openaiModel = (id: string) => ({ id, object: 'model', created: 0, owned_by: 'switchyard' });
const anthropicModel = (id: string) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' });

export function modelList(engine: Engine, req: IncomingMessage) {
  const ids = modelIds(engine);
  if (anthropicCaller(req)) return { data: ids.map(anthropicModel), has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null };
  return { object: 'list', data: ids.map(openaiModel) };
}

export function modelInfo(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, rawId: string): void {
  let id: string;
  try { id = decodeURIComponent(rawId); } catch { id = rawId; }
  const format = anthropicCaller(req) ? 'anthropic' : 'openai';
  if (!modelIds(ctx.engine).includes(id)) return sendError(res, format, 404, `unknown model "${id}": GET /v1/models lists switchyard/auto, the tiers and the rules' models`, 'model_not_found');
  sendJson(res, 200, format === 'anthropic' ? anthropicModel(id) : openaiModel(id));
}

/** Fields of a messages body that count_tokens does not take (it counts, it does not generate). */
const NOT_COUNTED = ['max_tokens', 'stream', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'metadata', 'service_tier', 'container'];

export async function countTokens(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req, ctx.maxBodyBytes);
  if (!isRecord(body)) return sendError(res, 'anthropic', 400, 'the request body must be a JSON object', 'invalid_request');
  // A count has no max_tokens; the messages parser wants one, and it changes nothing about the input.
  const parsed = codecFor('anthropic').parseRequest({ max_tokens: 1, ...body, stream: false });
  const forced = ctx.engine.resolveModelField(parsed.model);
  if (forced && 'error' in forced) return sendError(res, 'anthropic', 404, forced.error, 'model_not_found');
  const decision = await ctx.engine.preview(routeRequestFrom(parsed.request, 'anthropic', req), forced);
  const first = decision.candidates[0];
  if (first?.providerType === 'anthropic') {
    const adapter = ctx.engine.adapterFor(first.provider);
    if (!(adapter instanceof ProviderError)) {
      const upstreamBody: Record<string, unknown> = { ...body, model: first.model };
      for (const k of NOT_COUNTED) delete upstreamBody[k];
      const abort = new AbortController();
      res.on('close', () => { if (!res.writableFinished) abort.abort(); });
      try {
        const beta = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('beta') === 'true';
        const answer = await adapter.post('/v1/messages/count_tokens', upstreamBody, abort.signal, { headers: forwarded(req), ...(beta ? { query: { beta: 'true' } } : {}) });
        const text = await answer.text();
        // Relayed only when it is the count it should be; a garbled answer falls back to the estimate below.
        if (countAnswer(text)) {
          res.writeHead(200, { 'content-type': 'application/json', 'x-switchyard-model': first.model, 'x-switchyard-token-count': 'upstream' });
          res.end(text);
          return;
        }
      } catch (err) {
        const e = err instanceof ProviderError ? err : null;
        // The upstream refused the count itself (a bad request): the caller hears it as it was said.
        if (e?.kind === 'http' && e.status !== undefined && e.status < 500 && e.status !== 429) {
          const wire = codecFor('anthropic').decodeError(e.status, e.upstream?.body);
          return sendJson(res, e.status, codecFor('anthropic').encodeError(wire));
        }
        // Unreachable or overloaded: the local estimate still answers (below), marked as such.
      }
    }
  }
  const estimate = first?.estimate.inputTokens ?? decision.inputTokens;
  sendJson(res, 200, { input_tokens: estimate, switchyard: { estimated: true, model: first?.model ?? null, method: 'local tiktoken estimate (o200k_base), calibrated per model from reported usage' } }, { 'x-switchyard-token-count': 'estimated' });
}

function countAnswer(text: string): boolean {
  try {
    const v = JSON.parse(text) as { input_tokens?: unknown };
    return typeof v?.input_tokens === 'number';
  } catch {
    return false;
  }
}

function forwarded(req: IncomingMessage): Record<string, string> {
  const v = req.headers['anthropic-beta'];
  return typeof v === 'string' && v ? { 'anthropic-beta': v } : {};
}
