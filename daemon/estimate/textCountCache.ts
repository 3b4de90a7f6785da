/**
 * The whole-text cache of token counts: text → count, least recently used first out, bounded by entries and by
 * bytes held. Used by the in-process counter (tokens.ts) and, on the daemon's main thread, in front of the
 * tokenizer worker (workerCounter.ts) so that a repeated text costs a Map lookup or a hash, never a round trip.
 * Free of tiktoken on purpose: the daemon's main thread imports it.
 */
import { sha1 } from '../textDigest';

/** Texts up to this length key the cache by themselves (a Map lookup, ≈0.2 µs); longer ones by SHA-1. */
const SHORT_KEY_MAX = 1024;

/**
 * A copy of `s` that does not pin a larger string: V8 returns substrings (regex matches, slices) of 13+ characters
 * as views into their parent, so caching one as a key would keep a whole 1 MB prompt alive.
 */
export function detached(s: string): string {
  // Concatenating forces a flat copy; slicing that copy keeps only the copy alive (not the original's parent).
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** The cache key of `text`: the text itself when short, else its SHA-1 (≈0.75 ms per MB). */
export function textKey(text: string): string {
  return text.length <= SHORT_KEY_MAX ? text : sha1(text);
}

interface TextEntry {
  count: number;
  /** Length of the counted text: a cheap second check against hash collisions and key-space overlap. */
  length: number;
  bytes: number;
}

export class TextCountCache {
  private readonly map = new Map<string, TextEntry>();
  bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    public maxEntries: number,
    public maxBytes: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  /** @param key from `textKey` */
  get(key: string, length: number): number | undefined {
    const e = this.map.get(key);
    if (e === undefined || e.length !== length) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(key); // move to the most-recent end
    this.map.set(key, e);
    return e.count;
  }

  /** @param key from `textKey` (copied if it is a view into a larger string) */
  set(key: string, length: number, count: number): void {
    const bytes = key.length * 2 + 64; // UTF-16 key plus entry and map overhead, roughly
    if (bytes > this.maxBytes || this.maxEntries <= 0) return;
    const old = this.map.get(key);
    if (old) {
      this.bytes -= old.bytes;
      this.map.delete(key);
    }
    this.map.set(detached(key), { count, length, bytes });
    this.bytes += bytes;
    this.evict();
  }

  evict(): void {
    while (this.map.size > this.maxEntries || this.bytes > this.maxBytes) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.bytes -= this.map.get(oldest.value)!.bytes;
      this.map.delete(oldest.value);
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
    this.hits = 0;
    this.misses = 0;
  }
}
