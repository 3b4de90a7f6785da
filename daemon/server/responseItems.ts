/**
 * The output items of Responses answers the daemon gave, by item id, so that a later turn's `item_reference`
 * can be resolved whatever serves it. The Vercel AI SDK (and others keeping `store: true`, the API's default) send
 * earlier assistant output back as `{ type: "item_reference", id }`: OpenAI resolves its own stored items, but an
 * answer Switchyard translated from another provider was never stored at OpenAI, and no other provider can
 * resolve a reference at all. Bounded by count and size, and forgotten after an idle hour: a reference to an item
 * no longer held is left as it is (an OpenAI upstream may still know it; any other target refuses it by name).
 */
import { isRecord } from '../formats/common';

const MAX_ITEMS = 5_000;
const MAX_BYTES = 16 * 1024 * 1024;
const TTL_MS = 60 * 60_000;

interface Held { item: Record<string, unknown>; bytes: number; at: number }

export class ResponseItemStore {
  private readonly items = new Map<string, Held>();
  private bytes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Remembers the `output` items of a response object (JSON as the caller received it). */
  rememberResponse(response: unknown): void {
    if (!isRecord(response) || !Array.isArray(response.output)) return;
    const at = this.now();
    for (const item of response.output) {
      if (!isRecord(item) || typeof item.id !== 'string' || !item.id) continue;
      const bytes = JSON.stringify(item).length;
      if (bytes > MAX_BYTES / 4) continue;
      this.forget(item.id);
      this.items.set(item.id, { item, bytes, at });
      this.bytes += bytes;
    }
    this.trim(at);
  }

  /** Remembers what a `response.completed` SSE event in `sse` carries (a stream's answer, as sent to the caller). */
  rememberStream(sse: string): void {
    const at = sse.indexOf('"response.completed"');
    if (at < 0) return;
    const start = sse.lastIndexOf('data: ', at);
    const end = sse.indexOf('\n', at);
    if (start < 0) return;
    try {
      const event = JSON.parse(sse.slice(start + 6, end < 0 ? undefined : end)) as { response?: unknown };
      this.rememberResponse(event.response);
    } catch {
      // Not the frame we look for (the name inside some text): nothing to remember.
    }
  }

  /** The body with every `item_reference` this store can resolve replaced by the item; the same object when none is. */
  resolve(body: unknown): unknown {
    if (!isRecord(body) || !Array.isArray(body.input)) return body;
    let changed = false;
    const now = this.now();
    const input = body.input.map((entry) => {
      if (!isRecord(entry) || entry.type !== 'item_reference' || typeof entry.id !== 'string') return entry;
      const held = this.items.get(entry.id);
      if (!held || now - held.at >= TTL_MS) return entry;
      changed = true;
      held.at = now;
      return held.item;
    });
    return changed ? { ...body, input } : body;
  }

  private forget(id: string): void {
    const held = this.items.get(id);
    if (!held) return;
    this.items.delete(id);
    this.bytes -= held.bytes;
  }

  private trim(now: number): void {
    for (const [id, held] of this.items) {
      if (this.items.size <= MAX_ITEMS && this.bytes <= MAX_BYTES && now - held.at < TTL_MS) break;
      this.forget(id);
    }
  }
}
