/**
 * Canonical events → the Responses event stream a caller reads (the official SDKs' `responses.stream()`, Codex,
 * the AI SDK): `response.created` and `response.in_progress` first; then each output item opened with
 * `response.output_item.added`, written with its deltas and closed with its `.done` events and
 * `response.output_item.done`; last `response.completed` (or `response.incomplete`) with the whole output and the
 * usage. Every event carries a `sequence_number`, counted from 0.
 *
 * Text and reasoning are written one item at a time (a new item closes the one before); function calls stay open
 * until something else starts, since some upstreams interleave several calls' arguments.
 */
import type { StreamEvent, ThinkingPart, Usage } from '../../../shared/canonical';
import { cleanUsage, sseFrame } from '../common';
import type { EncodeContext, StreamEncoder } from '../types';
import { itemIds, responseObject } from './envelope';
import { encryptedFor, type ReasoningItem } from './reasoning';
import { statusForFinish, usageToResponses } from './usage';
import type { FunctionCallItem, ItemStatus, MessageItem, ResponseObject } from './wire';

interface OpenMessage { kind: 'message'; item: MessageItem; outputIndex: number }
interface OpenReasoning {
  kind: 'reasoning';
  item: ReasoningItem;
  outputIndex: number;
  /** The canonical part index it was opened for: another index is another item. */
  key: number | undefined;
  thinking: Pick<ThinkingPart, 'format' | 'text' | 'signature' | 'redacted' | 'encrypted'>;
}
interface OpenCall { item: FunctionCallItem; outputIndex: number }

const clone = <T>(v: T): T => structuredClone(v);

export class ResponsesStreamEncoder implements StreamEncoder {
  private seq = 0;
  private started = false;
  private ended = false;
  private usage: Usage | undefined;
  private readonly nextId: ReturnType<typeof itemIds>;
  private readonly output: ResponseObject['output'] = [];
  private open: OpenMessage | OpenReasoning | undefined;
  /** Function calls being written, by canonical index. */
  private readonly calls = new Map<number, OpenCall>();

  constructor(private readonly ctx: EncodeContext) {
    this.nextId = itemIds(ctx);
    if (ctx.continues) {
      this.started = true;
      this.seq = ctx.continues.nextSequence;
    }
  }

  private frame(type: string, fields: Record<string, unknown>): string {
    return sseFrame({ type, sequence_number: this.seq++, ...fields }, type);
  }

  private snapshot(answer: Partial<Pick<ResponseObject, 'status' | 'error' | 'incomplete_details' | 'usage'>> = {}): ResponseObject {
    return responseObject(this.ctx, { status: 'in_progress', error: null, incomplete_details: null, usage: null, ...answer, output: clone(this.output) });
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = this.snapshot();
    return this.frame('response.created', { response }) + this.frame('response.in_progress', { response });
  }

  private add(item: MessageItem | ReasoningItem | FunctionCallItem): { frame: string; outputIndex: number } {
    const outputIndex = this.output.push(item) - 1;
    return { frame: this.frame('response.output_item.added', { output_index: outputIndex, item: clone(item) }), outputIndex };
  }

  private itemDone(item: MessageItem | ReasoningItem | FunctionCallItem, outputIndex: number): string {
    return this.frame('response.output_item.done', { output_index: outputIndex, item: clone(item) });
  }

  private closeOpen(status: ItemStatus): string {
    const open = this.open;
    if (!open) return '';
    this.open = undefined;
    const { item, outputIndex } = open;
    const at = { item_id: item.id, output_index: outputIndex };
    let out = '';
    if (open.kind === 'message') {
      const part = open.item.content[0];
      out += this.frame('response.output_text.done', { ...at, content_index: 0, text: part.text, logprobs: [] });
      out += this.frame('response.content_part.done', { ...at, content_index: 0, part: clone(part) });
      open.item.status = status;
    } else {
      const summary = open.item.summary[0];
      if (summary) {
        out += this.frame('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: summary.text });
        out += this.frame('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: clone(summary) });
      }
      const encrypted = encryptedFor(open.thinking);
      if (encrypted !== undefined) open.item.encrypted_content = encrypted;
      open.item.status = status;
    }
    return out + this.itemDone(item, outputIndex);
  }

  private closeCalls(status: ItemStatus): string {
    let out = '';
    for (const { item, outputIndex } of [...this.calls.values()].sort((a, b) => a.outputIndex - b.outputIndex)) {
      out += this.frame('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, name: item.name, arguments: item.arguments });
      item.status = status;
      out += this.itemDone(item, outputIndex);
    }
    this.calls.clear();
    return out;
  }

  private closeAll(status: ItemStatus = 'completed'): string {
    return this.closeOpen(status) + this.closeCalls(status);
  }

  private text(text: string): string {
    let out = '';
    if (this.open?.kind !== 'message') {
      out += this.closeAll();
      const item: MessageItem = { type: 'message', id: this.nextId('msg'), status: 'in_progress', role: 'assistant', content: [] };
      const added = this.add(item);
      const part = { type: 'output_text' as const, text: '', annotations: [], logprobs: [] };
      item.content.push(part);
      out += added.frame + this.frame('response.content_part.added', { item_id: item.id, output_index: added.outputIndex, content_index: 0, part: clone(part) });
      this.open = { kind: 'message', item, outputIndex: added.outputIndex };
    }
    const open = this.open;
    open.item.content[0].text += text;
    return out + this.frame('response.output_text.delta', { item_id: open.item.id, output_index: open.outputIndex, content_index: 0, delta: text, logprobs: [] });
  }

  private thinking(ev: Extract<StreamEvent, { type: 'thinking' }>): string {
    let out = '';
    const open = this.open;
    if (open?.kind !== 'reasoning' || (ev.index !== undefined && open.key !== undefined && ev.index !== open.key)) {
      out += this.closeAll();
      const item: ReasoningItem = { type: 'reasoning', id: ev.format === 'openai-responses' && ev.id ? ev.id : this.nextId('rs'), summary: [] };
      const added = this.add(item);
      out += added.frame;
      this.open = { kind: 'reasoning', item, outputIndex: added.outputIndex, key: ev.index, thinking: { format: ev.format ?? 'anthropic', text: '' } };
    }
    const r = this.open as OpenReasoning;
    const t = r.thinking;
    if (ev.format) t.format = ev.format;
    if (ev.signature) t.signature = (t.signature ?? '') + ev.signature;
    if (ev.redacted !== undefined) t.redacted = ev.redacted;
    if (ev.encrypted !== undefined) t.encrypted = ev.encrypted;
    if (!ev.text) return out;
    const at = { item_id: r.item.id, output_index: r.outputIndex, summary_index: 0 };
    if (!r.item.summary.length) {
      r.item.summary.push({ type: 'summary_text', text: '' });
      out += this.frame('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
    }
    r.item.summary[0].text += ev.text;
    t.text += ev.text;
    return out + this.frame('response.reasoning_summary_text.delta', { ...at, delta: ev.text });
  }

  private toolCall(ev: Extract<StreamEvent, { type: 'tool_call' }>): string {
    const out = this.closeOpen('completed') + (this.calls.has(ev.index) ? this.closeCalls('completed') : '');
    const item: FunctionCallItem = { type: 'function_call', id: this.nextId('fc'), status: 'in_progress', call_id: ev.id, name: ev.name, arguments: '' };
    const added = this.add(item);
    this.calls.set(ev.index, { item, outputIndex: added.outputIndex });
    return out + added.frame;
  }

  private toolArguments(ev: Extract<StreamEvent, { type: 'tool_call_delta' }>): string {
    const call = this.calls.get(ev.index);
    if (!call || !ev.arguments) return '';
    call.item.arguments += ev.arguments;
    return this.frame('response.function_call_arguments.delta', { item_id: call.item.id, output_index: call.outputIndex, delta: ev.arguments });
  }

  private finish(ev: Extract<StreamEvent, { type: 'done' }>): string {
    this.ended = true;
    const { status, incomplete_details } = statusForFinish(ev.finishReason);
    const out = this.closeAll(status === 'incomplete' ? 'incomplete' : 'completed');
    const response = this.snapshot({ status, incomplete_details, usage: this.usage ? usageToResponses(this.usage) : null });
    return out + this.frame(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  }

  encode(event: StreamEvent): string {
    if (this.ended) return '';
    if (event.type === 'usage') {
      this.usage = cleanUsage(event.usage);
      return '';
    }
    const out = this.start();
    switch (event.type) {
      case 'delta': return out + (event.text ? this.text(event.text) : '');
      case 'thinking': return out + this.thinking(event);
      case 'tool_call': return out + this.toolCall(event);
      case 'tool_call_delta': return out + this.toolArguments(event);
      case 'done': return out + this.finish(event);
    }
  }

  /**
   * A stream that fails after it started: an `error` event, then `response.failed` with the output so far, the
   * terminal event clients wait for (so none mistakes the cut for a finished answer).
   */
  error(message: string, code: string): string {
    if (this.ended) return '';
    const out = this.start();
    this.ended = true;
    const failed = this.snapshot({ status: 'failed', error: { code, message } });
    return out + this.frame('error', { code, message, param: null }) + this.frame('response.failed', { response: failed });
  }
}
