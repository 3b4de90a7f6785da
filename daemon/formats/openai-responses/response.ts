/**
 * Plain (non-streaming) answers: an upstream's response object → canonical, and a canonical answer → the response
 * object a Responses caller reads. Output items map one to one: `message` ⇄ text parts (a refusal is text, and the
 * answer's finish reason `content_filter`), `function_call` ⇄ tool calls (its `call_id` is the canonical id),
 * `reasoning` ⇄ thinking. Built-in tools' items cannot appear in a translated answer and are left out of
 * canonical when an upstream sends them (a same-format caller gets the upstream's bytes).
 */
import type { CanonicalResponse, TextPart, ThinkingPart, ToolCallPart } from '../../../shared/canonical';
import { ProviderError } from '../../providers/types';
import { asText, isRecord } from '../common';
import type { EncodeContext } from '../types';
import { itemIds, responseObject } from './envelope';
import { statusForStreamError } from './errors';
import { encryptedFor, summaryOf, thinkingFromItem, type ReasoningItem } from './reasoning';
import { finishFromResponses, statusForFinish, usageFromResponses, usageToResponses, type OutputFacts } from './usage';
import type { ItemStatus, OutputItem, ResponseObject } from './wire';

type AnswerPart = TextPart | ToolCallPart | ThinkingPart;

const texts = (list: unknown, type: string): string[] =>
  Array.isArray(list) ? list.flatMap((s) => (isRecord(s) && s.type === type && typeof s.text === 'string' ? [s.text] : [])) : [];

/** A reasoning item's text: its summary, else (open models) its raw reasoning content. */
export function reasoningItemText(item: Record<string, unknown>): string {
  const summary = texts(item.summary, 'summary_text');
  return (summary.length ? summary : texts(item.content, 'reasoning_text')).join('\n\n');
}

/** A message item's text, and whether it is a refusal. */
export function messageItemText(item: Record<string, unknown>): { text: string; refusal: boolean } {
  let text = '';
  let refusal = false;
  for (const c of Array.isArray(item.content) ? item.content : []) {
    if (!isRecord(c)) continue;
    if (c.type === 'output_text' && typeof c.text === 'string') text += c.text;
    else if (c.type === 'refusal' && typeof c.refusal === 'string') {
      text += c.refusal;
      refusal = true;
    }
  }
  return { text, refusal };
}

/** One upstream output item → canonical parts (none for items of built-in tools). */
export function outputItemParts(item: unknown, facts: OutputFacts): AnswerPart[] {
  if (!isRecord(item)) return [];
  switch (item.type) {
    case 'message': {
      const { text, refusal } = messageItemText(item);
      if (refusal) facts.refusal = true;
      return text ? [{ type: 'text', text }] : [];
    }
    case 'function_call': {
      if (typeof item.call_id !== 'string' || typeof item.name !== 'string') throw new ProviderError('malformed', 'upstream function_call item without call_id or name');
      facts.toolCalls = true;
      return [{ type: 'tool_call', id: item.call_id, name: item.name, arguments: typeof item.arguments === 'string' ? item.arguments : '' }];
    }
    case 'reasoning': {
      const part = thinkingFromItem(
        reasoningItemText(item),
        typeof item.id === 'string' ? item.id : undefined,
        typeof item.encrypted_content === 'string' ? item.encrypted_content : undefined,
      );
      return part ? [part] : [];
    }
    default:
      return [];
  }
}

/** A failed response (or one carrying an error) as the ProviderError dispatch classifies. */
export function failedResponse(error: unknown): ProviderError {
  const e = isRecord(error) ? error : {};
  return new ProviderError('http', `upstream response failed: ${asText(e.message ?? e.code ?? 'unknown error')}`, statusForStreamError(e.code, e.type));
}

export function decodeResponse(body: unknown): CanonicalResponse {
  if (!isRecord(body)) throw new ProviderError('malformed', 'upstream response is not a JSON object');
  if (body.status === 'failed' || isRecord(body.error)) throw failedResponse(body.error);
  if (!Array.isArray(body.output)) throw new ProviderError('malformed', 'upstream response has no output array');
  const facts: OutputFacts = { toolCalls: false, refusal: false };
  const content = body.output.flatMap((item) => outputItemParts(item, facts));
  const res: CanonicalResponse = {
    id: typeof body.id === 'string' ? body.id : '',
    model: typeof body.model === 'string' ? body.model : '',
    content,
    finishReason: finishFromResponses(body.status, body.incomplete_details, facts),
  };
  const usage = usageFromResponses(body.usage);
  if (usage) res.usage = usage;
  return res;
}

/** A thinking part as the reasoning item a Responses client keeps and sends back. */
export function reasoningItem(p: ThinkingPart, id: string, status: ItemStatus): ReasoningItem {
  const item: ReasoningItem = { type: 'reasoning', id: p.format === 'openai-responses' && p.id ? p.id : id, summary: summaryOf(p.text) };
  const encrypted = encryptedFor(p);
  if (encrypted !== undefined) item.encrypted_content = encrypted;
  item.status = status;
  return item;
}

/** Canonical answer parts → output items: consecutive text parts are one message. */
function outputItems(content: readonly AnswerPart[], nextId: ReturnType<typeof itemIds>, status: ItemStatus): OutputItem[] {
  const out: OutputItem[] = [];
  for (const p of content) {
    if (p.type === 'text') {
      const last = out[out.length - 1];
      const part = { type: 'output_text' as const, text: p.text, annotations: [], logprobs: [] };
      if (last?.type === 'message') last.content.push(part);
      else out.push({ type: 'message', id: nextId('msg'), status, role: 'assistant', content: [part] });
    } else if (p.type === 'tool_call') {
      out.push({ type: 'function_call', id: nextId('fc'), status: 'completed', call_id: p.id, name: p.name, arguments: p.arguments });
    } else {
      out.push(reasoningItem(p, nextId('rs'), 'completed'));
    }
  }
  return out;
}

export function encodeResponse(res: CanonicalResponse, ctx: EncodeContext): ResponseObject {
  const { status, incomplete_details } = statusForFinish(res.finishReason);
  const output = outputItems(res.content, itemIds(ctx), status === 'incomplete' ? 'incomplete' : 'completed');
  return responseObject(ctx, { status, error: null, incomplete_details, output, usage: res.usage ? usageToResponses(res.usage) : null });
}
