/** Anthropic messages answers: an upstream's JSON → canonical, and canonical → JSON for a `/v1/messages` caller. */
import type { CanonicalRequest, CanonicalResponse, StreamEvent, ThinkingPart, ToolCallPart } from '../../../shared/canonical';
import { ProviderError } from '../../providers/types';
import { isRecord } from '../common';
import type { EncodeContext } from '../types';
import { finishFromStopReason, stopReasonFromFinish } from './stop';
import { emulatedJsonTool } from './structured';
import { usageFromBody, usageToBody } from './usage';
import type { MessageBody, ResponseBlock } from './wire';

/**
 * An upstream answer → canonical. Server tool blocks (web search and the like) are left out: they only come when
 * the caller asked for server tools, which only an Anthropic caller can, and that caller gets the upstream's body.
 */
export function decodeResponse(body: unknown, request: CanonicalRequest): CanonicalResponse {
  if (!isRecord(body)) throw new ProviderError('malformed', 'upstream response is not a JSON object');
  if (!Array.isArray(body.content)) throw new ProviderError('malformed', 'upstream response has no content array');
  const jsonTool = emulatedJsonTool(request);
  const content: CanonicalResponse['content'] = [];
  let answeredAsJson = false;
  for (const block of body.content) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') content.push({ type: 'text', text: block.text });
    else if (block.type === 'thinking' && typeof block.thinking === 'string') {
      const part: ThinkingPart = { type: 'thinking', text: block.thinking, format: 'anthropic' };
      if (typeof block.signature === 'string') part.signature = block.signature;
      content.push(part);
    } else if (block.type === 'redacted_thinking' && typeof block.data === 'string') {
      content.push({ type: 'thinking', text: '', redacted: block.data, format: 'anthropic' });
    } else if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string') {
      const args = JSON.stringify(block.input ?? {});
      if (block.name === jsonTool) {
        // Structured output emulated with a forced tool: its input is the answer.
        content.push({ type: 'text', text: args });
        answeredAsJson = true;
      } else content.push({ type: 'tool_call', id: block.id, name: block.name, arguments: args });
    }
  }
  const finish = finishFromStopReason(body.stop_reason);
  const res: CanonicalResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    content,
    finishReason: answeredAsJson && finish === 'tool_calls' ? 'stop' : finish,
  };
  if (typeof body.stop_sequence === 'string') res.stopSequence = body.stop_sequence;
  const usage = usageFromBody(body.usage);
  if (usage) res.usage = usage;
  return res;
}

/**
 * Tool-call arguments (JSON text) → `tool_use.input`. Text that is not JSON (a call cut by max_tokens) is given
 * as the string it is rather than an invented object.
 */
function toolInput(args: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args);
  } catch {
    return args;
  }
}

/**
 * A canonical answer part → an Anthropic block. Another provider's reasoning is left out: Anthropic clients send
 * thinking back with its signature, and without a valid one an Anthropic model would refuse the conversation.
 */
function responseBlock(part: CanonicalResponse['content'][number]): ResponseBlock | undefined {
  switch (part.type) {
    case 'text': return { type: 'text', text: part.text };
    case 'tool_call': return toolUse(part);
    case 'thinking':
      if (part.format !== 'anthropic') return undefined;
      if (part.redacted !== undefined) return { type: 'redacted_thinking', data: part.redacted };
      return { type: 'thinking', thinking: part.text, signature: part.signature ?? '' };
  }
}

const toolUse = (p: ToolCallPart): ResponseBlock => ({ type: 'tool_use', id: p.id, name: p.name, input: toolInput(p.arguments) });

export function encodeResponse(res: CanonicalResponse, ctx: EncodeContext): MessageBody {
  return {
    id: ctx.id,
    type: 'message',
    role: 'assistant',
    model: ctx.model,
    content: res.content.map(responseBlock).filter((b): b is ResponseBlock => b !== undefined),
    stop_reason: stopReasonFromFinish(res.finishReason),
    stop_sequence: res.stopSequence ?? null,
    usage: usageToBody(res.usage, ctx.inputTokens),
  };
}

/** Whether a stream's thinking event is another provider's (left out for Anthropic callers, as above). */
export const foreignThinking = (e: Extract<StreamEvent, { type: 'thinking' }>): boolean => e.format !== undefined && e.format !== 'anthropic';
