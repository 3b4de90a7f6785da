/**
 * The response object a Responses caller reads, in plain answers and in the stream's lifecycle events alike: the
 * answer's status, output and usage, plus the request fields the API echoes back (clients read some of them, such as
 * `text.format` and `tools`). A Responses caller's own values are echoed as it sent them; anything else from the
 * canonical request. `store` is always false: a translated answer is never stored upstream, so it cannot be
 * retrieved or continued with `previous_response_id`.
 */
import type { CanonicalRequest } from '../../../shared/canonical';
import type { EncodeContext } from '../types';
import { reasoningToResponses, textFormatToResponses, toolChoiceToResponses, toolsToResponses } from './build';
import type { ResponseObject } from './wire';

/** Our id for the answer as Responses ids look (`resp_…`), keeping the upstream's id inside it when there is one. */
export const responseId = (ctx: Pick<EncodeContext, 'id'>): string => (ctx.id.startsWith('resp_') ? ctx.id : `resp_${ctx.id}`);

/** Ids for the answer's output items: `msg_…`, `fc_…`, `rs_…`, unique within the answer. */
export function itemIds(ctx: Pick<EncodeContext, 'id'>): (prefix: 'msg' | 'fc' | 'rs') => string {
  const base = responseId(ctx).slice('resp_'.length);
  let n = 0;
  return (prefix) => `${prefix}_${base}_${n++}`;
}

/** The request fields a response object echoes, with the API's defaults for those the request left out. */
function echoed(request: CanonicalRequest | undefined): Record<string, unknown> {
  const raw = request?.raw?.format === 'openai-responses' ? request.raw.body : undefined;
  const given = (key: string, fallback: unknown): unknown => (raw && raw[key] !== undefined && raw[key] !== null ? raw[key] : fallback);
  const r = request ?? { messages: [], stream: false };
  const reasoning = reasoningToResponses(r);
  const rawText = raw && typeof raw.text === 'object' && raw.text !== null ? raw.text as Record<string, unknown> : {};
  return {
    instructions: given('instructions', r.system?.length ? r.system.map((p) => p.text).join('\n\n') : null),
    max_output_tokens: given('max_output_tokens', r.maxTokens ?? null),
    max_tool_calls: given('max_tool_calls', null),
    parallel_tool_calls: given('parallel_tool_calls', r.parallelToolCalls ?? true),
    previous_response_id: null,
    prompt_cache_key: given('prompt_cache_key', null),
    reasoning: given('reasoning', { effort: reasoning?.effort ?? null, summary: reasoning?.summary ?? null }),
    safety_identifier: given('safety_identifier', null),
    service_tier: given('service_tier', 'default'),
    temperature: given('temperature', r.temperature ?? 1),
    text: { format: rawText.format ?? textFormatToResponses(r) ?? { type: 'text' }, verbosity: rawText.verbosity ?? 'medium' },
    tool_choice: given('tool_choice', toolChoiceToResponses(r) ?? 'auto'),
    tools: given('tools', toolsToResponses(r) ?? []),
    top_logprobs: given('top_logprobs', 0),
    top_p: given('top_p', r.topP ?? 1),
    truncation: given('truncation', 'disabled'),
    user: given('user', r.user ?? null),
    metadata: given('metadata', {}),
  };
}

export function responseObject(
  ctx: EncodeContext,
  answer: Pick<ResponseObject, 'status' | 'error' | 'incomplete_details' | 'output' | 'usage'>,
): ResponseObject {
  const { instructions, max_output_tokens, max_tool_calls, parallel_tool_calls, previous_response_id, ...rest } = echoed(ctx.request);
  return {
    id: responseId(ctx),
    object: 'response',
    created_at: ctx.created,
    status: answer.status,
    background: false,
    error: answer.error,
    incomplete_details: answer.incomplete_details,
    instructions,
    max_output_tokens,
    max_tool_calls,
    model: ctx.model,
    output: answer.output,
    parallel_tool_calls,
    previous_response_id,
    ...rest,
    store: false,
    usage: answer.usage,
  };
}
