/**
 * An Anthropic upstream's SSE events → canonical events, in order. Content comes out as it arrives, numbered by
 * the upstream's block index: text deltas, thinking text and signatures, redacted thinking, tool calls and their
 * `input_json_delta`s. Usage comes at `message_start` and again at `message_delta` (the latest wins); `done` only
 * at `message_stop`, so a stream that ends before it is recognisably cut. An `error` event is thrown as an
 * http ProviderError with the status its type stands for and the event as the upstream body.
 */
import type { CanonicalRequest, FinishReason, StreamEvent } from '../../../shared/canonical';
import { asText, isRecord } from '../common';
import { ProviderError } from '../../providers/types';
import type { SSEMessage, StreamDecoder } from '../types';
import { statusForErrorType } from './errors';
import { finishFromStopReason } from './stop';
import { emulatedJsonTool } from './structured';
import { usageFromBody } from './usage';

export class AnthropicStreamDecoder implements StreamDecoder {
  /** Usage fields as last reported: message_delta repeats only what changed. */
  private usage: Record<string, unknown> = {};
  private finish: FinishReason | undefined;
  private stopSequence: string | undefined;
  /** The upstream answer's id, once a message carried it. */
  id: string | undefined;
  private model: string | undefined;
  private done = false;
  /** The forced tool that emulates structured output, and the block index its JSON streams in. */
  private readonly jsonTool: string | undefined;
  private jsonBlock: number | undefined;

  constructor(request: CanonicalRequest) {
    this.jsonTool = emulatedJsonTool(request);
  }

  get finished(): boolean {
    return this.done;
  }

  private usageEvent(u: unknown): StreamEvent[] {
    if (!isRecord(u)) return [];
    for (const [k, v] of Object.entries(u)) if (v !== null && v !== undefined) this.usage[k] = v;
    const usage = usageFromBody(this.usage);
    return usage ? [{ type: 'usage', usage }] : [];
  }

  private blockStart(index: number, b: unknown): StreamEvent[] {
    if (!isRecord(b)) return [];
    switch (b.type) {
      case 'text':
        return typeof b.text === 'string' && b.text ? [{ type: 'delta', text: b.text, index }] : [];
      case 'thinking':
        return typeof b.thinking === 'string' && b.thinking ? [{ type: 'thinking', text: b.thinking, index, format: 'anthropic' }] : [];
      case 'redacted_thinking':
        return typeof b.data === 'string' ? [{ type: 'thinking', text: '', redacted: b.data, index, format: 'anthropic' }] : [];
      case 'tool_use': {
        if (typeof b.id !== 'string' || typeof b.name !== 'string') throw new ProviderError('malformed', 'tool_use block without an id and a name');
        // The input normally streams as input_json_delta after an empty `{}`; one given whole is sent as one delta.
        const input = isRecord(b.input) && Object.keys(b.input).length ? JSON.stringify(b.input) : '';
        if (b.name === this.jsonTool) {
          this.jsonBlock = index;
          return input ? [{ type: 'delta', text: input, index }] : [];
        }
        const out: StreamEvent[] = [{ type: 'tool_call', index, id: b.id, name: b.name }];
        if (input) out.push({ type: 'tool_call_delta', index, arguments: input });
        return out;
      }
      default:
        // Server tool blocks: only an Anthropic caller asks for them, and it gets the upstream's bytes.
        return [];
    }
  }

  private blockDelta(index: number, d: unknown): StreamEvent[] {
    if (!isRecord(d)) return [];
    switch (d.type) {
      case 'text_delta':
        return typeof d.text === 'string' && d.text ? [{ type: 'delta', text: d.text, index }] : [];
      case 'thinking_delta':
        return typeof d.thinking === 'string' && d.thinking ? [{ type: 'thinking', text: d.thinking, index, format: 'anthropic' }] : [];
      case 'signature_delta':
        return typeof d.signature === 'string' ? [{ type: 'thinking', text: '', signature: d.signature, index, format: 'anthropic' }] : [];
      case 'input_json_delta': {
        if (typeof d.partial_json !== 'string' || !d.partial_json) return [];
        return index === this.jsonBlock
          ? [{ type: 'delta', text: d.partial_json, index }]
          : [{ type: 'tool_call_delta', index, arguments: d.partial_json }];
      }
      default:
        // citations_delta and delta types added later.
        return [];
    }
  }

  decode(message: SSEMessage): StreamEvent[] {
    if (this.done) return [];
    let ev: unknown;
    try {
      ev = JSON.parse(message.data);
    } catch {
      throw new ProviderError('malformed', `unparseable stream event${message.event ? ` "${message.event}"` : ''}: ${message.data.slice(0, 80)}`);
    }
    if (!isRecord(ev)) throw new ProviderError('malformed', 'stream event is not a JSON object');
    const index = typeof ev.index === 'number' ? ev.index : 0;
    switch (typeof ev.type === 'string' ? ev.type : message.event) {
      case 'message_start': {
        if (!isRecord(ev.message)) throw new ProviderError('malformed', 'message_start without a message');
        if (typeof ev.message.id === 'string') this.id = ev.message.id;
        if (typeof ev.message.model === 'string') this.model = ev.message.model;
        return this.usageEvent(ev.message.usage);
      }
      case 'content_block_start': return this.blockStart(index, ev.content_block);
      case 'content_block_delta': return this.blockDelta(index, ev.delta);
      case 'message_delta': {
        if (isRecord(ev.delta)) {
          if (typeof ev.delta.stop_reason === 'string') this.finish = finishFromStopReason(ev.delta.stop_reason);
          if (typeof ev.delta.stop_sequence === 'string') this.stopSequence = ev.delta.stop_sequence;
        }
        return this.usageEvent(ev.usage);
      }
      case 'message_stop': {
        this.done = true;
        let finishReason = this.finish ?? 'other';
        if (this.jsonBlock !== undefined && finishReason === 'tool_calls') finishReason = 'stop';
        const out: StreamEvent = { type: 'done', finishReason };
        if (this.stopSequence !== undefined) out.stopSequence = this.stopSequence;
        if (this.id) out.id = this.id;
        if (this.model) out.model = this.model;
        return [out];
      }
      case 'error': {
        const e = isRecord(ev.error) ? ev.error : {};
        const status = statusForErrorType(e.type);
        throw new ProviderError('http', `error inside the stream: ${asText(e.message ?? e.type ?? 'unknown')}`, status, undefined, { body: ev });
      }
      default:
        // ping, content_block_stop, and event types added later.
        return [];
    }
  }
}
