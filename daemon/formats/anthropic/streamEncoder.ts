/**
 * Canonical events → the SSE a `/v1/messages` caller expects, as the Anthropic SDKs parse it: `message_start`
 * (with the input tokens known so far: the upstream's, else the routing estimate), then one block per answer
 * part — `content_block_start`, its deltas (`text_delta`, `thinking_delta` + `signature_delta`,
 * `input_json_delta`), `content_block_stop` — and at the end `message_delta` (stop reason, stop sequence, usage)
 * and `message_stop`. Nothing is written before the first content event, so a failure before it can still fall
 * back unseen; usage events are held for the message's start and end.
 */
import type { StreamEvent, Usage } from '../../../shared/canonical';
import { sseFrame } from '../common';
import type { EncodeContext, StreamEncoder } from '../types';
import { errorDetail } from './errors';
import { foreignThinking } from './response';
import { stopReasonFromFinish } from './stop';
import { usageToBody } from './usage';
import type { BlockDelta, StartedBlock, StreamEventBody } from './wire';

const frame = (e: StreamEventBody): string => sseFrame(e, e.type);

export class AnthropicStreamEncoder implements StreamEncoder {
  private started = false;
  private ended = false;
  private usage: Usage | undefined;
  /** Upstream part (kind and index) → our block index: other formats number text and tool calls apart. */
  private readonly blocks = new Map<string, number>();
  private open: number | undefined;

  constructor(private readonly ctx: EncodeContext) {}

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const usage = usageToBody(this.usage, this.ctx.inputTokens);
    return frame({
      type: 'message_start',
      message: {
        id: this.ctx.id, type: 'message', role: 'assistant', model: this.ctx.model, content: [],
        stop_reason: null, stop_sequence: null, usage,
      },
    });
  }

  private close(): string {
    if (this.open === undefined) return '';
    const index = this.open;
    this.open = undefined;
    return frame({ type: 'content_block_stop', index });
  }

  /**
   * The block for an upstream part, opened (closing the one before: Anthropic streams one block at a time) on
   * its first event. A late delta for an earlier part goes to that part's block, which the SDKs accept.
   */
  private block(key: string, opening: () => StartedBlock): { index: number; text: string } {
    const known = this.blocks.get(key);
    if (known !== undefined) return { index: known, text: '' };
    const index = this.blocks.size;
    this.blocks.set(key, index);
    const text = this.close() + frame({ type: 'content_block_start', index, content_block: opening() });
    this.open = index;
    return { index, text };
  }

  private deltas(key: string, opening: () => StartedBlock, deltas: BlockDelta[]): string {
    const { index, text } = this.block(key, opening);
    return this.start() + text + deltas.map((delta) => frame({ type: 'content_block_delta', index, delta })).join('');
  }

  encode(event: StreamEvent): string {
    if (this.ended) return '';
    switch (event.type) {
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'delta':
        if (!event.text) return '';
        return this.deltas(`text:${event.index ?? 0}`, () => ({ type: 'text', text: '' }), [{ type: 'text_delta', text: event.text }]);
      case 'thinking': {
        if (foreignThinking(event)) return '';
        const key = `thinking:${event.index ?? 0}`;
        if (event.redacted !== undefined) {
          const data = event.redacted;
          return this.deltas(key, () => ({ type: 'redacted_thinking', data }), []);
        }
        const deltas: BlockDelta[] = [];
        if (event.text) deltas.push({ type: 'thinking_delta', thinking: event.text });
        if (event.signature) deltas.push({ type: 'signature_delta', signature: event.signature });
        return this.deltas(key, () => ({ type: 'thinking', thinking: '', signature: '' }), deltas);
      }
      case 'tool_call': {
        const { id, name } = event;
        return this.deltas(`tool:${event.index}`, () => ({ type: 'tool_use', id, name, input: {} }), []);
      }
      case 'tool_call_delta':
        if (!event.arguments) return '';
        // Decoders announce a call (tool_call) before its arguments; this opening is only a fallback.
        return this.deltas(`tool:${event.index}`, () => ({ type: 'tool_use', id: '', name: '', input: {} }), [
          { type: 'input_json_delta', partial_json: event.arguments },
        ]);
      case 'done': {
        this.ended = true;
        return this.start() + this.close()
          + frame({
            type: 'message_delta',
            delta: { stop_reason: stopReasonFromFinish(event.finishReason), stop_sequence: event.stopSequence ?? null },
            usage: usageToBody(this.usage, this.ctx.inputTokens),
          })
          + frame({ type: 'message_stop' });
      }
    }
  }

  error(message: string, code: string, type: string): string {
    this.ended = true;
    return frame({ type: 'error', error: errorDetail(message, type, undefined, code) });
  }
}
