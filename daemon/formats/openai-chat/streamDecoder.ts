/**
 * An upstream chat-completions SSE stream → canonical events. Each SSE message's `data` is one chunk, or
 * `[DONE]`. Content comes out as it arrives, each part numbered in order of appearance (thinking, text, each
 * tool call: `index`); `done` comes only at `[DONE]`, so a stream that ends without it is recognisably cut.
 */
import type { FinishReason, StreamEvent } from '../../../shared/canonical';
import { ProviderError } from '../../providers/types';
import { asText, isRecord } from '../common';
import type { SSEMessage, StreamDecoder } from '../types';
import { statusForError } from './errors';
import { legacyCallId } from './parseMessages';
import { reasoningText } from './thinking';
import { finishFromOpenAI, usageFromOpenAI } from './usage';

type PartKind = 'text' | 'thinking' | 'tool';

export class ChatStreamDecoder implements StreamDecoder {
  private done = false;
  private finish: FinishReason | undefined;
  private stopSequence: string | undefined;
  private refused = false;
  /** The upstream answer's id, once a message carried it. */
  id: string | undefined;
  private model: string | undefined;
  /** The part being written, and the number the next one gets. */
  private current: { kind: PartKind; index: number } | undefined;
  private nextIndex = 0;
  /** The upstream's tool-call key (its `index`, else its id) → the part index canonical gave it. */
  private readonly tools = new Map<string, number>();

  get finished(): boolean {
    return this.done;
  }

  decode(message: SSEMessage): StreamEvent[] {
    if (this.done) return [];
    if (message.data.trim() === '[DONE]') return [this.end()];
    let chunk: unknown;
    try {
      chunk = JSON.parse(message.data);
    } catch {
      throw new ProviderError('malformed', `unparseable stream chunk: ${message.data.slice(0, 80)}`);
    }
    if (!isRecord(chunk)) throw new ProviderError('malformed', 'stream chunk is not a JSON object');
    if (chunk.error !== undefined && chunk.error !== null) {
      const e = isRecord(chunk.error) ? chunk.error : { message: chunk.error };
      throw new ProviderError('http', `error inside the stream: ${asText(e.message ?? 'unknown')}`, statusForError(e));
    }
    if (typeof chunk.id === 'string' && !this.id) this.id = chunk.id;
    if (typeof chunk.model === 'string' && !this.model) this.model = chunk.model;
    if (chunk.choices !== undefined && chunk.choices !== null && !Array.isArray(chunk.choices)) throw new ProviderError('malformed', 'stream chunk choices is not an array');
    const out: StreamEvent[] = [];
    // Canonical holds one answer: the first choice (n > 1 is served by passthrough).
    const choice = Array.isArray(chunk.choices) ? chunk.choices.find((c) => isRecord(c) && (c.index ?? 0) === 0) : undefined;
    if (isRecord(choice)) {
      if (isRecord(choice.delta)) this.delta(choice.delta, out);
      if (typeof choice.finish_reason === 'string') {
        const f = finishFromOpenAI(choice.finish_reason, choice.stop_reason);
        this.finish = f.finishReason;
        this.stopSequence = f.stopSequence;
      }
    }
    const usage = usageFromOpenAI(chunk.usage);
    if (usage) out.push({ type: 'usage', usage });
    return out;
  }

  private end(): StreamEvent {
    this.done = true;
    const ev: StreamEvent = { type: 'done', finishReason: this.refused ? 'content_filter' : this.finish ?? 'other' };
    if (this.stopSequence !== undefined && !this.refused) ev.stopSequence = this.stopSequence;
    if (this.id) ev.id = this.id;
    if (this.model) ev.model = this.model;
    return ev;
  }

  /** The index of the part of `kind` being written, opening a new part when the kind changes. */
  private part(kind: Exclude<PartKind, 'tool'>): number {
    if (this.current?.kind !== kind) this.current = { kind, index: this.nextIndex++ };
    return this.current.index;
  }

  private delta(d: Record<string, unknown>, out: StreamEvent[]): void {
    if (Array.isArray(d.thinking_blocks)) {
      for (const b of d.thinking_blocks) {
        if (!isRecord(b)) continue;
        const index = this.part('thinking');
        if (b.type === 'redacted_thinking' && typeof b.data === 'string') out.push({ type: 'thinking', text: '', redacted: b.data, index, format: 'anthropic' });
        else if (b.type === 'thinking') {
          const ev: StreamEvent = { type: 'thinking', text: typeof b.thinking === 'string' ? b.thinking : '', index, format: 'anthropic' };
          if (typeof b.signature === 'string') ev.signature = b.signature;
          if (ev.text || ev.signature) out.push(ev);
        }
      }
    } else {
      const reasoning = reasoningText(d);
      if (reasoning) out.push({ type: 'thinking', text: reasoning, index: this.part('thinking'), format: 'openai-chat' });
    }
    if (typeof d.content === 'string' && d.content) out.push({ type: 'delta', text: d.content, index: this.part('text') });
    if (typeof d.refusal === 'string' && d.refusal) {
      this.refused = true;
      out.push({ type: 'delta', text: d.refusal, index: this.part('text') });
    }
    if (Array.isArray(d.tool_calls)) d.tool_calls.forEach((tc, position) => { if (isRecord(tc)) this.toolCall(tc, position, out); });
    if (isRecord(d.function_call)) this.toolCall({ id: legacyCallId(0), function: d.function_call }, 0, out);
  }

  /**
   * One tool-call delta. The first for an index opens the call (id and name); `arguments` come as text deltas.
   * Servers that send whole calls without an `index` are keyed by id, else by their place in the list.
   */
  private toolCall(tc: Record<string, unknown>, position: number, out: StreamEvent[]): void {
    const key = typeof tc.index === 'number' ? `i${tc.index}` : typeof tc.id === 'string' ? `id${tc.id}` : `p${position}`;
    const fn = isRecord(tc.function) ? tc.function : isRecord(tc.custom) ? { name: tc.custom.name, arguments: tc.custom.input } : {};
    let index = this.tools.get(key);
    if (index === undefined) {
      index = this.nextIndex++;
      this.tools.set(key, index);
      this.current = { kind: 'tool', index };
      out.push({ type: 'tool_call', index, id: typeof tc.id === 'string' ? tc.id : `call_${index}`, name: typeof fn.name === 'string' ? fn.name : '' });
    }
    const args = fn.arguments;
    if (typeof args === 'string' && args) out.push({ type: 'tool_call_delta', index, arguments: args });
    else if (isRecord(args)) out.push({ type: 'tool_call_delta', index, arguments: JSON.stringify(args) });
  }
}
