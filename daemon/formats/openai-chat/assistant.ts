/** The assistant's answer in chat terms, shared by the JSON and the streaming encoders. */
import type { CanonicalRequest, FinishReason } from '../../../shared/canonical';
import { finishToOpenAI, type OpenAIFinishReason } from './usage';

/**
 * A caller that declared legacy `functions` (and no `tools`) reads `message.function_call`, not `tool_calls`.
 * A same-format answer passes through untouched, so this matters only for answers translated from other formats.
 */
export function usesLegacyFunctions(request: CanonicalRequest | undefined): boolean {
  const body = request?.raw?.format === 'openai-chat' ? request.raw.body : undefined;
  if (!body) return false;
  const has = (v: unknown) => Array.isArray(v) && v.length > 0;
  return has(body.functions) && !has(body.tools);
}

/**
 * The finish reason a chat caller expects: OpenAI ends an answer with tool calls as `tool_calls` even where the
 * upstream's own reason said only "completed" (the Responses API does).
 */
export function chatFinishReason(reason: FinishReason, hasToolCalls: boolean, legacy: boolean): OpenAIFinishReason {
  return finishToOpenAI(hasToolCalls && reason === 'stop' ? 'tool_calls' : reason, legacy);
}
