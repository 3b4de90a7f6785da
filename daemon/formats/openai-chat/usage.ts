/** OpenAI chat `usage` and `finish_reason` ⇄ canonical, for answers and stream chunks alike. */
import type { FinishReason, Usage } from '../../../shared/canonical';
import { count, isRecord } from '../common';

export type OpenAIFinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'function_call';

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

/**
 * `finish_reason` → canonical. vLLM and some other compatible servers name the stop string that ended the
 * answer in `stop_reason` (a number there is a stop token id, not a sequence).
 */
export function finishFromOpenAI(reason: unknown, stopReason?: unknown): { finishReason: FinishReason; stopSequence?: string } {
  switch (reason) {
    case 'stop': return typeof stopReason === 'string' ? { finishReason: 'stop_sequence', stopSequence: stopReason } : { finishReason: 'stop' };
    case 'length': return { finishReason: 'length' };
    case 'content_filter': return { finishReason: 'content_filter' };
    case 'tool_calls':
    case 'function_call': return { finishReason: 'tool_calls' };
    default: return { finishReason: 'other' };
  }
}

/** Canonical → `finish_reason`. OpenAI cannot say which stop sequence ended the answer, so that is plain `stop`. */
export function finishToOpenAI(reason: FinishReason, legacyFunctions = false): OpenAIFinishReason {
  switch (reason) {
    case 'length': return 'length';
    case 'content_filter': return 'content_filter';
    case 'tool_calls': return legacyFunctions ? 'function_call' : 'tool_calls';
    default: return 'stop';
  }
}

/**
 * OpenAI `usage` → canonical; undefined when absent or without token counts. `prompt_tokens` already counts cached
 * tokens (the canonical convention). DeepSeek reports cache hits as `prompt_cache_hit_tokens` instead of
 * `prompt_tokens_details.cached_tokens`.
 */
export function usageFromOpenAI(u: unknown): Usage | undefined {
  if (!isRecord(u) || typeof u.prompt_tokens !== 'number' || typeof u.completion_tokens !== 'number') return undefined;
  const usage: Usage = { inputTokens: count(u.prompt_tokens), outputTokens: count(u.completion_tokens) };
  const cached = isRecord(u.prompt_tokens_details) && typeof u.prompt_tokens_details.cached_tokens === 'number'
    ? u.prompt_tokens_details.cached_tokens
    : u.prompt_cache_hit_tokens;
  const reasoning = isRecord(u.completion_tokens_details) ? u.completion_tokens_details.reasoning_tokens : undefined;
  if (typeof cached === 'number') usage.cachedInputTokens = count(cached);
  if (typeof reasoning === 'number') usage.reasoningTokens = count(reasoning);
  return usage;
}

/** Canonical → OpenAI `usage`. Cache writes (Anthropic) have no OpenAI field; they are inside `prompt_tokens`. */
export function usageToOpenAI(u: Usage): OpenAIUsage {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
  };
}
