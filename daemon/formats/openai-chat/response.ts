/** Whole (non-streamed) answers: an upstream chat completion → canonical, and canonical → a chat completion for a caller. */
import type { CanonicalResponse, CanonicalRequest, TextPart, ThinkingPart, ToolCallPart } from '../../../shared/canonical';
import { ProviderError } from '../../providers/types';
import { asText, isRecord } from '../common';
import type { EncodeContext } from '../types';
import { chatFinishReason, usesLegacyFunctions } from './assistant';
import { legacyCallId } from './parseMessages';
import { thinkingFields, thinkingFromMessage } from './thinking';
import { finishFromOpenAI, usageFromOpenAI, usageToOpenAI } from './usage';

function malformed(message: string): never {
  throw new ProviderError('malformed', message);
}

function toolCall(tc: unknown, param: string): ToolCallPart {
  if (!isRecord(tc) || typeof tc.id !== 'string') malformed(`upstream ${param} has no id`);
  // A custom (free-text) tool's call carries its input as plain text; canonical keeps it as the arguments.
  if (tc.type === 'custom' && isRecord(tc.custom) && typeof tc.custom.name === 'string' && typeof tc.custom.input === 'string') {
    return { type: 'tool_call', id: tc.id, name: tc.custom.name, arguments: tc.custom.input };
  }
  const fn = tc.function;
  if (!isRecord(fn) || typeof fn.name !== 'string') malformed(`upstream ${param} has no function name`);
  return { type: 'tool_call', id: tc.id, name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}) };
}

function text(content: unknown): TextPart[] {
  if (content === null || content === undefined || content === '') return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  // Some compatible servers answer with a list of text parts.
  if (Array.isArray(content) && content.every((p) => isRecord(p) && p.type === 'text' && typeof p.text === 'string')) {
    return (content as { text: string }[]).map((p) => ({ type: 'text', text: p.text }));
  }
  malformed('upstream choices[0].message.content is neither a string nor null');
}

/**
 * An upstream chat completion (OpenAI or compatible) → canonical: thinking (compatible servers'
 * `reasoning_content`, or `thinking_blocks` from a LiteLLM-style server), text, then tool calls. A refusal is the
 * answer's text, ended as `content_filter`. Only the first choice is read: canonical holds one answer. Throws
 * ProviderError('malformed').
 */
export function decodeResponse(body: unknown, _request: CanonicalRequest): CanonicalResponse {
  if (!isRecord(body)) malformed('upstream response is not a JSON object');
  if (isRecord(body.error)) malformed(`upstream response carries an error: ${asText(body.error.message ?? 'unknown')}`);
  const choice = Array.isArray(body.choices) ? body.choices[0] : undefined;
  if (!isRecord(choice) || !isRecord(choice.message)) malformed('upstream response has no choices[0].message');
  const msg = choice.message;
  const content: CanonicalResponse['content'] = [...thinkingFromMessage(msg, 'choices[0].message', (_p, m) => malformed(`upstream ${m}`))];
  content.push(...text(msg.content));
  const refusal = typeof msg.refusal === 'string' && msg.refusal ? msg.refusal : undefined;
  if (refusal) content.push({ type: 'text', text: refusal });
  if (Array.isArray(msg.tool_calls)) msg.tool_calls.forEach((tc, j) => content.push(toolCall(tc, `choices[0].message.tool_calls[${j}]`)));
  if (isRecord(msg.function_call) && typeof msg.function_call.name === 'string') {
    const args = msg.function_call.arguments;
    content.push({ type: 'tool_call', id: legacyCallId(0), name: msg.function_call.name, arguments: typeof args === 'string' ? args : '{}' });
  }
  const finish = finishFromOpenAI(choice.finish_reason, choice.stop_reason);
  const res: CanonicalResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    content,
    finishReason: refusal ? 'content_filter' : finish.finishReason,
  };
  if (finish.stopSequence !== undefined && !refusal) res.stopSequence = finish.stopSequence;
  const usage = usageFromOpenAI(body.usage);
  if (usage) res.usage = usage;
  return res;
}

/**
 * Canonical → the chat completion a caller gets. Thinking travels as `reasoning_content` (+ `thinking_blocks` for
 * Anthropic's, signatures kept: see thinking.ts); a caller of legacy `functions` gets its one call as `function_call`.
 */
export function encodeResponse(res: CanonicalResponse, ctx: EncodeContext): Record<string, unknown> {
  const texts = res.content.filter((p): p is TextPart => p.type === 'text').map((p) => p.text).join('');
  const calls = res.content.filter((p): p is ToolCallPart => p.type === 'tool_call');
  const thinking = res.content.filter((p): p is ThinkingPart => p.type === 'thinking');
  const legacy = usesLegacyFunctions(ctx.request) && calls.length === 1;
  const message: Record<string, unknown> = { role: 'assistant', content: texts || (calls.length ? null : ''), refusal: null, ...thinkingFields(thinking) };
  if (legacy) message.function_call = { name: calls[0]!.name, arguments: calls[0]!.arguments };
  else if (calls.length) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  const out: Record<string, unknown> = {
    id: ctx.id,
    object: 'chat.completion',
    created: ctx.created,
    model: ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: chatFinishReason(res.finishReason, calls.length > 0, legacy) }],
  };
  if (res.usage) out.usage = usageToOpenAI(res.usage);
  return out;
}
