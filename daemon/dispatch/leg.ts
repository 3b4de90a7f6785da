/**
 * One planned upstream call as dispatch sees it: send it, read the answer in the upstream's wire format. A plain
 * answer comes back decoded (and, for a same-format call, as the upstream's own bytes to relay); a stream comes
 * back message by message, each with the canonical events it carries and the frame to relay on passthrough.
 */
import type { CanonicalRequest, CanonicalResponse, StreamEvent } from '../../shared/canonical';
import { codecFor } from '../formats/index';
import { toProviderError } from '../providers/errors';
import { assertEventStream, readSSE } from '../providers/sse';
import { ProviderError, type ProviderAdapter, type UpstreamCall } from '../providers/types';

export interface LegAnswer {
  response: CanonicalResponse;
  /** The upstream's body text, for a same-format call: relayed to the caller byte for byte. */
  rawBody?: string;
  /** The upstream's request id header. */
  upstreamRequestId?: string;
}

/** One upstream SSE message: its canonical events, and the text to relay when the call is a passthrough ('' otherwise). */
export interface LegChunk {
  frame: string;
  events: StreamEvent[];
}

export interface Leg {
  readonly call: Pick<UpstreamCall, 'format' | 'passthrough'>;
  /** The id the upstream gave the answer being streamed, once it has said. */
  upstreamId?(): string | undefined;
  complete(signal: AbortSignal): Promise<LegAnswer>;
  /** Ends after the chunk that carries the `done` event; throws ProviderError (`stream-cut` if the body ends first). */
  stream(signal: AbortSignal): AsyncIterable<LegChunk>;
}

const requestIdOf = (res: Response) => res.headers.get('x-request-id') ?? res.headers.get('request-id') ?? undefined;

/** The leg for `call` on `adapter`; `request` is what the call carries, as canonical (decoders may need it). */
export function upstreamLeg(adapter: ProviderAdapter, call: UpstreamCall, request: CanonicalRequest): Leg {
  const codec = codecFor(call.format);
  let decoder: ReturnType<typeof codec.streamDecoder> | undefined;
  return {
    call,
    upstreamId: () => decoder?.id,
    async complete(signal) {
      const res = await adapter.send(call, signal);
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        // A plain answer cut mid-body is a lost connection (the caller has seen nothing of it), not a cut stream.
        throw toProviderError(err, signal);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new ProviderError('malformed', `unparseable upstream body: ${text.slice(0, 80)}`);
      }
      let response: CanonicalResponse;
      try {
        response = codec.decodeResponse(body, request);
      } catch (err) {
        throw toProviderError(err, signal, 'body');
      }
      const answer: LegAnswer = { response };
      if (call.passthrough) answer.rawBody = text;
      const id = requestIdOf(res);
      if (id) answer.upstreamRequestId = id;
      return answer;
    },
    async *stream(signal) {
      const res = await adapter.send(call, signal);
      try {
        await assertEventStream(res);
      } catch (err) {
        throw toProviderError(err, signal, 'body');
      }
      decoder = codec.streamDecoder(request);
      for await (const message of readSSE(res.body, signal)) {
        let events: StreamEvent[];
        try {
          events = decoder.decode(message);
        } catch (err) {
          throw toProviderError(err, signal, 'body');
        }
        yield { frame: call.passthrough ? codec.relayFrame(message, request) : '', events };
        if (decoder.finished) return;
      }
      if (signal.aborted) throw new ProviderError('cancelled', 'request cancelled');
      throw new ProviderError('stream-cut', `upstream stream ended without its final event`);
    },
  };
}
