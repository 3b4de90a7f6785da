/**
 * An upstream Responses stream → canonical events. Text, refusal, function-call argument and reasoning deltas come
 * out as they arrive, numbered by `output_index`; a function call starts at its `output_item.added` (its `call_id`
 * is the canonical id). Servers that send an item whole, without deltas, are caught up at `output_item.done`.
 * `usage` and `done` come at `response.completed` / `response.incomplete`; `finished` only then (or at
 * `response.failed`), so a stream without its terminal event is recognisably cut. `error` events and failed
 * responses throw ProviderError('http', …, status read from the error code).
 */
import type { FinishReason, StreamEvent } from '../../../shared/canonical';
import { ProviderError } from '../../providers/types';
import { asText, isRecord } from '../common';
import type { SSEMessage, StreamDecoder } from '../types';
import { statusForStreamError } from './errors';
import { failedResponse, messageItemText, outputItemParts, reasoningItemText } from './response';
import { finishFromResponses, usageFromResponses, type OutputFacts } from './usage';

export class ResponsesStreamDecoder implements StreamDecoder {
  private done = false;
  /** The upstream answer's id, once a message carried it. */
  id: string | undefined;
  private model: string | undefined;
  private readonly facts: OutputFacts = { toolCalls: false, refusal: false };
  /** Per output index: the text (or arguments) already given out, to catch up items sent without deltas. */
  private readonly given = new Map<number, string>();
  /** Output indexes of function calls already started. */
  private readonly calls = new Set<number>();

  get finished(): boolean {
    return this.done;
  }

  private give(index: number, text: string): string {
    const before = this.given.get(index) ?? '';
    this.given.set(index, before + text);
    return text;
  }

  /** What `full` has beyond what was given out for `index` (nothing when the deltas already said it). */
  private rest(index: number, full: string): string {
    const before = this.given.get(index) ?? '';
    return full.startsWith(before) && full.length > before.length ? this.give(index, full.slice(before.length)) : '';
  }

  private startCall(index: number, item: Record<string, unknown>): StreamEvent[] {
    if (this.calls.has(index)) return [];
    if (typeof item.call_id !== 'string' || typeof item.name !== 'string') throw new ProviderError('malformed', 'upstream function_call item without call_id or name');
    this.calls.add(index);
    this.facts.toolCalls = true;
    const out: StreamEvent[] = [{ type: 'tool_call', index, id: item.call_id, name: item.name }];
    const args = typeof item.arguments === 'string' ? this.rest(index, item.arguments) : '';
    if (args) out.push({ type: 'tool_call_delta', index, arguments: args });
    return out;
  }

  private itemDone(index: number, item: Record<string, unknown>): StreamEvent[] {
    switch (item.type) {
      case 'function_call': {
        const out = this.startCall(index, item);
        const args = typeof item.arguments === 'string' ? this.rest(index, item.arguments) : '';
        if (args) out.push({ type: 'tool_call_delta', index, arguments: args });
        return out;
      }
      case 'message': {
        const { text, refusal } = messageItemText(item);
        if (refusal) this.facts.refusal = true;
        const more = this.rest(index, text);
        return more ? [{ type: 'delta', text: more, index }] : [];
      }
      case 'reasoning': {
        const [part] = outputItemParts(item, this.facts);
        const out: StreamEvent[] = [];
        const more = this.rest(index, reasoningItemText(item));
        if (more) out.push({ type: 'thinking', text: more, index, format: 'openai-responses' });
        if (part?.type !== 'thinking') return out;
        // The encrypted content (or carried thinking) comes whole with the finished item.
        const ev: StreamEvent = { type: 'thinking', text: '', index, format: part.format };
        if (part.id !== undefined) ev.id = part.id;
        if (part.encrypted !== undefined) ev.encrypted = part.encrypted;
        if (part.signature !== undefined) ev.signature = part.signature;
        if (part.redacted !== undefined) ev.redacted = part.redacted;
        if (part.encrypted !== undefined || part.signature !== undefined || part.redacted !== undefined) out.push(ev);
        return out;
      }
      default:
        return [];
    }
  }

  private end(response: unknown): StreamEvent[] {
    this.done = true;
    const r = isRecord(response) ? response : {};
    if (typeof r.id === 'string') this.id ??= r.id;
    if (typeof r.model === 'string') this.model ??= r.model;
    const out: StreamEvent[] = [];
    const usage = usageFromResponses(r.usage);
    if (usage) out.push({ type: 'usage', usage });
    const finishReason: FinishReason = finishFromResponses(r.status, r.incomplete_details, this.facts);
    const done: StreamEvent = { type: 'done', finishReason };
    if (this.id) done.id = this.id;
    if (this.model) done.model = this.model;
    out.push(done);
    return out;
  }

  decode(message: SSEMessage): StreamEvent[] {
    if (this.done) return [];
    const data = message.data.trim();
    if (data === '' || data === '[DONE]') return [];
    let ev: unknown;
    try {
      ev = JSON.parse(data);
    } catch {
      throw new ProviderError('malformed', `unparseable stream event${message.event ? ` "${message.event}"` : ''}: ${data.slice(0, 80)}`);
    }
    if (!isRecord(ev)) throw new ProviderError('malformed', 'stream event is not a JSON object');
    const type = typeof ev.type === 'string' ? ev.type : message.event;
    const index = typeof ev.output_index === 'number' ? ev.output_index : 0;
    const delta = typeof ev.delta === 'string' ? ev.delta : '';
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
      case 'response.queued': {
        const r = isRecord(ev.response) ? ev.response : {};
        if (typeof r.id === 'string') this.id ??= r.id;
        if (typeof r.model === 'string') this.model ??= r.model;
        return [];
      }
      case 'response.output_item.added':
        return isRecord(ev.item) && ev.item.type === 'function_call' ? this.startCall(index, ev.item) : [];
      case 'response.output_item.done':
        return isRecord(ev.item) ? this.itemDone(index, ev.item) : [];
      case 'response.refusal.delta':
        this.facts.refusal = true;
        return delta ? [{ type: 'delta', text: this.give(index, delta), index }] : [];
      case 'response.output_text.delta':
        return delta ? [{ type: 'delta', text: this.give(index, delta), index }] : [];
      case 'response.function_call_arguments.delta':
        return delta && this.calls.has(index) ? [{ type: 'tool_call_delta', index, arguments: this.give(index, delta) }] : [];
      case 'response.function_call_arguments.done': {
        const args = typeof ev.arguments === 'string' && this.calls.has(index) ? this.rest(index, ev.arguments) : '';
        return args ? [{ type: 'tool_call_delta', index, arguments: args }] : [];
      }
      case 'response.reasoning_summary_part.added':
        // Summary parts are joined by a blank line, as a plain answer's are.
        return typeof ev.summary_index === 'number' && ev.summary_index > 0 && this.given.get(index)
          ? [{ type: 'thinking', text: this.give(index, '\n\n'), index, format: 'openai-responses' }] : [];
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        return delta ? [{ type: 'thinking', text: this.give(index, delta), index, format: 'openai-responses' }] : [];
      case 'response.completed':
      case 'response.incomplete':
        return this.end(ev.response);
      case 'response.failed':
        this.done = true;
        throw failedResponse(isRecord(ev.response) ? ev.response.error : undefined);
      case 'error': {
        this.done = true;
        const e = isRecord(ev.error) ? ev.error : ev;
        throw new ProviderError('http', `error inside the stream: ${asText(e.message ?? e.code ?? 'unknown')}`, statusForStreamError(e.code, e.type));
      }
      default:
        // Annotations, built-in tools' progress, keepalives, and event types added later.
        return [];
    }
  }
}
