/**
 * Reads Server-Sent Events from a fetch Response body as they arrive (never buffered beyond one network
 * chunk). The SDKs' own stream iterators end silently on an abort or on a body that stops early; reading the
 * raw body lets the adapters tell a clean end from a cut one.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { StreamEvent } from '../../shared/canonical';
import { ProviderError } from './types';
import { toProviderError } from './errors';

export interface SSEMessage {
  event?: string;
  data: string;
}

/**
 * A stream request answered with a JSON or HTML body (a proxy's error page, a server ignoring `stream`) is
 * malformed, not an empty stream. Other content types are tolerated: some compatible servers mislabel SSE.
 */
export async function assertEventStream(response: Response): Promise<void> {
  const type = response.headers.get('content-type') ?? '';
  if (!/json|html/i.test(type)) return;
  const text = await response.text().catch(() => '');
  throw new ProviderError('malformed', `expected an event stream, got ${type.split(';')[0]}: ${text.slice(0, 80)}`);
}

/**
 * Yields each SSE message. Throws ProviderError: `cancelled` when `signal` fired, `stream-cut` when the
 * connection dies mid-body, `malformed` when the body is not SSE. Returns normally at the end of the body —
 * the caller decides whether its terminal event had arrived.
 */
export async function* readSSE(body: ReadableStream<Uint8Array> | null, signal: AbortSignal): AsyncGenerator<SSEMessage, void, undefined> {
  if (!body) throw new ProviderError('malformed', 'upstream stream response has no body');
  const queue: SSEMessage[] = [];
  let parseError: ProviderError | undefined;
  const parser = createParser({
    onEvent: (m: EventSourceMessage) => queue.push(m.event ? { event: m.event, data: m.data } : { data: m.data }),
    onError: (e) => {
      parseError ??= new ProviderError('malformed', `upstream stream is not valid SSE: ${e.message}${e.line ? ` (${e.line.slice(0, 60)})` : ''}`);
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let finished = false;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        throw toProviderError(err, signal, 'body');
      }
      if (chunk.done) {
        finished = true;
        parser.feed(decoder.decode());
      } else {
        parser.feed(decoder.decode(chunk.value, { stream: true }));
      }
      if (parseError) throw parseError;
      while (queue.length) yield queue.shift()!;
      if (chunk.done) return;
      if (signal.aborted) throw new ProviderError('cancelled', 'request cancelled');
    }
  } finally {
    // Stopped early (terminal event seen, error, or the consumer stopped): release the connection.
    if (!finished) reader.cancel().catch(() => {});
    reader.releaseLock?.();
  }
}

/** A wire format's stream decoder: SSE messages in, canonical events out; `finished` once its terminal event came. */
export interface StreamDecoder {
  decode(message: SSEMessage): StreamEvent[];
  readonly finished: boolean;
}

/**
 * The streaming leg both adapters share: send, check the answer is an event stream, decode each message as it
 * arrives. A body that ends before the decoder saw its terminal event (`terminal`) is a cut, never a clean end.
 */
export async function* streamEvents(send: () => Promise<Response>, signal: AbortSignal, decoder: StreamDecoder, terminal: string): AsyncGenerator<StreamEvent, void, undefined> {
  let response: Response;
  try {
    response = await send();
  } catch (err) {
    throw toProviderError(err, signal);
  }
  try {
    await assertEventStream(response);
  } catch (err) {
    throw toProviderError(err, signal, 'body');
  }
  for await (const message of readSSE(response.body, signal)) {
    let events: StreamEvent[];
    try {
      events = decoder.decode(message);
    } catch (err) {
      throw toProviderError(err, signal, 'body');
    }
    for (const ev of events) yield ev;
    if (decoder.finished) return;
  }
  if (signal.aborted) throw new ProviderError('cancelled', 'request cancelled');
  throw new ProviderError('stream-cut', `upstream stream ended without ${terminal}`);
}
