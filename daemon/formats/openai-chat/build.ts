/**
 * Upstream-facing bodies: a chat-completions body built from a request that came in another format, and the
 * caller's own body passed through to an upstream of this format.
 */
import type { CanonicalRequest, ResponseFormat, ToolChoice, ToolDefinition } from '../../../shared/canonical';
import { budgetToEffort, isRecord } from '../common';
import type { TargetInfo } from '../types';
import { buildMessages, failFor, type BuildContext } from './buildMessages';

/** OpenAI takes at most four stop sequences; compatible servers set no such limit. */
const OPENAI_MAX_STOP = 4;

function tool(t: ToolDefinition): Record<string, unknown> {
  const fn: Record<string, unknown> = { name: t.name };
  if (t.description !== undefined) fn.description = t.description;
  fn.parameters = t.parameters;
  if (t.strict !== undefined) fn.strict = t.strict;
  return { type: 'function', function: fn };
}

function toolChoice(c: ToolChoice): unknown {
  return c.type === 'tool' ? { type: 'function', function: { name: c.name } } : c.type;
}

function responseFormat(f: ResponseFormat): Record<string, unknown> {
  if (f.type !== 'json_schema') return { type: f.type };
  const js: Record<string, unknown> = { name: f.name, schema: f.schema };
  if (f.description !== undefined) js.description = f.description;
  if (f.strict !== undefined) js.strict = f.strict;
  return { type: 'json_schema', json_schema: js };
}

/**
 * OpenAI itself wants `max_completion_tokens` (reasoning models refuse `max_tokens`); compatible servers (Ollama,
 * vLLM, llama.cpp) reliably read only `max_tokens`, and take `top_k`.
 */
export function buildRequest(req: CanonicalRequest, target: TargetInfo): Record<string, unknown> {
  const fail = failFor(target);
  const official = target.providerType === 'openai';
  if (req.untranslatable?.length) fail(req.untranslatable[0]!, 'the OpenAI chat completions format has no equivalent');
  const ctx: BuildContext = { target, fail };
  if (req.raw) ctx.from = req.raw.format;
  const body: Record<string, unknown> = { model: target.model, messages: buildMessages(req, ctx), stream: req.stream };
  // OpenAI refuses tool_choice and parallel_tool_calls without tools; there they ask for nothing, except a call.
  if (req.tools?.length) {
    body.tools = req.tools.map(tool);
    if (req.toolChoice) body.tool_choice = toolChoice(req.toolChoice);
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  } else if (req.toolChoice?.type === 'required' || req.toolChoice?.type === 'tool') {
    fail('tool_choice', 'it asks for a tool call, but the request has no tools');
  }
  if (req.responseFormat) body.response_format = responseFormat(req.responseFormat);
  // Reasoning switched off, or on without an effort, is the model's default: nothing to send.
  const r = req.reasoning;
  if (r?.enabled && (r.effort || r.budgetTokens !== undefined)) body.reasoning_effort = r.effort ?? budgetToEffort(r.budgetTokens!);
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.topK !== undefined) {
    if (official) fail('top_k', 'OpenAI has no top-k sampling (use top_p)');
    body.top_k = req.topK;
  }
  if (req.seed !== undefined) body.seed = req.seed;
  if (req.maxTokens !== undefined) body[official ? 'max_completion_tokens' : 'max_tokens'] = req.maxTokens;
  if (req.stop?.length) {
    if (official && req.stop.length > OPENAI_MAX_STOP) {
      fail(req.raw?.format === 'anthropic' ? 'stop_sequences' : 'stop', `OpenAI takes at most ${OPENAI_MAX_STOP} stop sequences, got ${req.stop.length}`);
    }
    body.stop = [...req.stop];
  }
  if (req.user !== undefined) body.user = req.user;
  if (req.n !== undefined && req.n > 1) body.n = req.n;
  if (req.stream) body.stream_options = { include_usage: true };
  return body;
}

/**
 * The caller's body for an upstream of this format: `model` replaced, and on a stream `include_usage` switched on
 * so the ledger gets the usage (relayFrame holds that chunk back from a caller who did not ask for it).
 */
export function passthroughBody(req: CanonicalRequest & { raw: NonNullable<CanonicalRequest['raw']> }, target: TargetInfo): Record<string, unknown> {
  const raw = req.raw.body;
  const body: Record<string, unknown> = { ...raw, model: target.model };
  if (raw.stream === true) body.stream_options = { ...(isRecord(raw.stream_options) ? raw.stream_options : {}), include_usage: true };
  return body;
}
