/**
 * Anthropic `usage` ⇄ canonical. Anthropic's `input_tokens` excludes cache reads and cache writes; canonical
 * `inputTokens` counts every input token, with `cachedInputTokens` the reads and `cacheWriteInputTokens` the writes.
 */
import type { Usage } from '../../../shared/canonical';
import { count, isRecord } from '../common';
import type { UsageBody } from './wire';

export function usageFromBody(u: unknown): Usage | undefined {
  if (!isRecord(u) || typeof u.input_tokens !== 'number' || typeof u.output_tokens !== 'number') return undefined;
  const usage: Usage = {
    inputTokens: u.input_tokens + count(u.cache_read_input_tokens) + count(u.cache_creation_input_tokens),
    outputTokens: u.output_tokens,
  };
  if (typeof u.cache_read_input_tokens === 'number') usage.cachedInputTokens = u.cache_read_input_tokens;
  if (typeof u.cache_creation_input_tokens === 'number') usage.cacheWriteInputTokens = u.cache_creation_input_tokens;
  const thinking = isRecord(u.output_tokens_details) ? u.output_tokens_details.thinking_tokens : undefined;
  if (typeof thinking === 'number') usage.reasoningTokens = thinking;
  return usage;
}

/** Canonical usage (or the routing estimate of input tokens, before the upstream said) → Anthropic's. */
export function usageToBody(u: Usage | undefined, estimatedInputTokens = 0): UsageBody {
  if (!u) return { input_tokens: estimatedInputTokens, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const cached = u.cachedInputTokens ?? 0;
  const written = u.cacheWriteInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, u.inputTokens - cached - written),
    output_tokens: u.outputTokens,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: written,
  };
}
