/**
 * Responses `usage` and `status` ⇄ canonical, for answers and the `response.completed` event alike. The Responses
 * API has no finish reason: an answer ends `completed` (with function calls in its output when the model wants
 * tools run) or `incomplete` with `incomplete_details.reason`.
 */
import type { FinishReason, Usage } from '../../../shared/canonical';
import { count, isRecord } from '../common';

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'completed' | 'incomplete' | 'failed' | 'in_progress';
export type IncompleteReason = 'max_output_tokens' | 'content_filter';

/** Responses `usage` → canonical; `input_tokens` already counts cached tokens (the canonical convention). */
export function usageFromResponses(u: unknown): Usage | undefined {
  if (!isRecord(u) || typeof u.input_tokens !== 'number' || typeof u.output_tokens !== 'number') return undefined;
  const usage: Usage = { inputTokens: count(u.input_tokens), outputTokens: count(u.output_tokens) };
  const cached = isRecord(u.input_tokens_details) ? u.input_tokens_details.cached_tokens : undefined;
  const reasoning = isRecord(u.output_tokens_details) ? u.output_tokens_details.reasoning_tokens : undefined;
  if (typeof cached === 'number') usage.cachedInputTokens = count(cached);
  if (typeof reasoning === 'number') usage.reasoningTokens = count(reasoning);
  return usage;
}

/** Canonical → Responses `usage`. Cache writes (Anthropic's) have no field here; they are inside `input_tokens`. */
export function usageToResponses(u: Usage): ResponsesUsage {
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: u.inputTokens + u.outputTokens,
  };
}

/** What an answer's output held, besides its status, that decides the canonical finish reason. */
export interface OutputFacts {
  toolCalls: boolean;
  refusal: boolean;
}

/** An upstream answer's `status` and `incomplete_details` → canonical. */
export function finishFromResponses(status: unknown, details: unknown, facts: OutputFacts): FinishReason {
  if (status === 'incomplete') {
    const reason = isRecord(details) ? details.reason : undefined;
    return reason === 'max_output_tokens' ? 'length' : reason === 'content_filter' ? 'content_filter' : 'other';
  }
  if (status !== undefined && status !== null && status !== 'completed') return 'other';
  if (facts.toolCalls) return 'tool_calls';
  return facts.refusal ? 'content_filter' : 'stop';
}

/**
 * Canonical → the status a Responses caller reads. A stop sequence has no word here (the Responses API has no stop
 * sequences), so it is a plain `completed`; `tool_calls` is `completed` with function calls in the output.
 */
export function statusForFinish(reason: FinishReason): { status: ResponseStatus; incomplete_details: { reason: IncompleteReason } | null } {
  if (reason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}
