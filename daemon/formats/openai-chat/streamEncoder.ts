/**
 * Canonical stream events → the SSE a chat-completions caller reads: a role chunk first, content chunks
 * (`content`, `reasoning_content` / `thinking_blocks`, `tool_calls` by tool index: id and name first, then argument
 * text), the finish chunk, the usage chunk when the caller asked for it (`choices: []`), then `[DONE]`.
 */
import type { StreamEvent, Usage } from '../../../shared/canonical';
import { sseFrame } from '../common';
import type { EncodeContext, StreamEncoder } from '../types';
import { chatFinishReason, usesLegacyFunctions } from './assistant';
import { thinkingBlock } from './thinking';
import { usageToOpenAI } from './usage';

type Delta = Record<string, unknown>;

export class ChatStreamEncoder implements StreamEncoder {
  private started = false;
  private ended = false;
  private usage: Usage | undefined;
  /** Canonical part index → the chat tool-call index (0, 1, … in order of appearance). */
  private readonly tools = new Map<number, number>();
  /** A caller of legacy `functions` reads one call as `function_call`; the format has room for no more. */
  private readonly legacy: boolean;
  private readonly includeUsage: boolean;

  constructor(private readonly ctx: EncodeContext) {
    this.legacy = usesLegacyFunctions(ctx.request);
    this.includeUsage = ctx.includeUsage ?? ctx.request?.includeUsage ?? false;
  }

  private frame(choices: unknown[], usage?: Usage): string {
    const { id, model, created } = this.ctx;
    const chunk: Record<string, unknown> = { id, object: 'chat.completion.chunk', created, model, choices };
    if (usage) chunk.usage = usageToOpenAI(usage);
    return sseFrame(chunk);
  }

  private chunk(delta: Delta, finish: string | null = null): string {
    return this.frame([{ index: 0, delta, logprobs: null, finish_reason: finish }]);
  }

  private legacyCall(index: number): boolean {
    return this.legacy && this.tools.get(index) === 0;
  }

  private toolIndex(index: number): number {
    let k = this.tools.get(index);
    if (k === undefined) this.tools.set(index, k = this.tools.size);
    return k;
  }

  private content(event: Exclude<StreamEvent, { type: 'usage' | 'done' }>): Delta | undefined {
    switch (event.type) {
      case 'delta':
        return event.text ? { content: event.text } : undefined;
      case 'thinking': {
        const d: Delta = {};
        if (event.text) d.reasoning_content = event.text;
        if (event.format === 'anthropic' && (event.text || event.signature !== undefined || event.redacted !== undefined)) d.thinking_blocks = [thinkingBlock(event)];
        return Object.keys(d).length ? d : undefined;
      }
      case 'tool_call': {
        const k = this.toolIndex(event.index);
        if (this.legacyCall(event.index)) return { function_call: { name: event.name, arguments: '' } };
        return { tool_calls: [{ index: this.legacy ? k - 1 : k, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }] };
      }
      case 'tool_call_delta': {
        if (!event.arguments) return undefined;
        const k = this.toolIndex(event.index);
        if (this.legacyCall(event.index)) return { function_call: { arguments: event.arguments } };
        return { tool_calls: [{ index: this.legacy ? k - 1 : k, function: { arguments: event.arguments } }] };
      }
    }
  }

  encode(event: StreamEvent): string {
    if (this.ended) return '';
    if (event.type === 'usage') {
      this.usage = event.usage;
      return '';
    }
    let out = '';
    if (!this.started) {
      this.started = true;
      out += this.chunk({ role: 'assistant', content: '' });
    }
    if (event.type !== 'done') {
      const delta = this.content(event);
      return delta ? out + this.chunk(delta) : out;
    }
    this.ended = true;
    const legacyOnly = this.legacy && this.tools.size === 1;
    out += this.chunk({}, chatFinishReason(event.finishReason, this.tools.size > 0, legacyOnly));
    if (this.includeUsage && this.usage) out += this.frame([], this.usage);
    return out + sseFrame('[DONE]');
  }

  error(message: string, code: string, type: string): string {
    this.ended = true;
    return sseFrame({ error: { message, type, param: null, code } });
  }
}
