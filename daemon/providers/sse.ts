/**
 * Reads Server-Sent Events from a fetch Response body as they arrive (never buffered beyond one network
 * chunk). The SDKs' own stream iterators end silently on an abort or on a body that stops early; reading the
 * raw body lets the adapters tell a clean end from a cut one.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { SSEMessage } from '../formats/types';
import { ProviderError } from './types';
import { toProviderError } from './errors';

export type { SSEMessage } from '../formats/types';

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
