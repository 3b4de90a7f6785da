/**
 * Exact token counts without tiktoken, for the daemon's main thread: the vocabulary as three typed arrays (≈4 MB
 * for o200k_base, built by the tokenizer worker from its encoder and transferred, not copied) and tiktoken's own
 * algorithm over it — split the text with the encoding's pattern (tokens.ts), then for each piece: one token if the
 * piece is in the vocabulary, else byte-pair merges (the adjacent pair of lowest rank first, the leftmost on a tie)
 * until no pair is in it. A piece longer than LONG_PIECE is counted in chunks, as tokens.ts does. So a small new
 * prompt is counted where it arrived, without the round trip to the worker (workerCounter.ts).
 *
 * Counts equal tokens.ts `countTokens` (which equals tiktoken's `encode_ordinary`, but for its long-run guard);
 * test/unit/ranks.test.ts checks both encodings on hostile and real text.
 */
import type { Encoding } from '../../shared/catalog';
import { LONG_PIECE, MAX_CACHED_PIECE, PATTERNS } from './tokens';

/** The vocabulary: token `id`'s bytes are `bytes[offsets[id] .. offsets[id + 1])`; `slots` hash bytes → id + 1. */
export interface RankTable {
  bytes: Uint8Array;
  offsets: Uint32Array;
  slots: Int32Array;
}

/** FNV-1a over `b[from..to)`. */
function hashBytes(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

/**
 * The table of a vocabulary whose tokens are ranks 0, 1, … until `tokenBytes` returns null (special tokens come
 * after a gap and are never parts of ordinary text). Run on the worker, where the encoder is. Each buffer is
 * allocated once at its final size: freeing a grown one would raise glibc's mmap threshold, and the table would then
 * come from a malloc arena that keeps its pages after the table is gone (measured: +3–4 MB of idle RSS).
 */
export function buildRankTable(tokenBytes: (rank: number) => Uint8Array | null): RankTable {
  const lengths: number[] = [];
  for (let b = tokenBytes(0); b; b = tokenBytes(lengths.length)) lengths.push(b.length);
  const n = lengths.length;
  const offsets = new Uint32Array(n + 1);
  for (let id = 0; id < n; id++) offsets[id + 1] = offsets[id] + lengths[id];
  const bytes = new Uint8Array(offsets[n]);
  for (let id = 0; id < n; id++) bytes.set(tokenBytes(id)!, offsets[id]);
  let slotCount = 1;
  while (slotCount < n * 2.5) slotCount <<= 1;
  const slots = new Int32Array(slotCount);
  for (let id = 0; id < n; id++) {
    for (let s = hashBytes(bytes, offsets[id], offsets[id + 1]) & (slotCount - 1); ; s = (s + 1) & (slotCount - 1)) {
      if (slots[s] === 0) { slots[s] = id + 1; break; }
    }
  }
  return { bytes, offsets, slots };
}

/** Scratch space: a piece of at most LONG_PIECE UTF-16 units is at most 3 bytes a unit. */
const MAX_PIECE_BYTES = 3 * LONG_PIECE;
const NO_RANK = 0x7fffffff;

/**
 * Counts text as tokens.ts does, from a RankTable. The split runs sticky (each piece starts where the last ended:
 * `test`, half the time of `exec` and its match objects); the count of each short piece is remembered by its text
 * (bounded: two generations of `maxPerGeneration`), which is faster than the table for the pieces seen before.
 */
export class RankCounter {
  private readonly re: RegExp;
  private readonly buf = new Uint8Array(MAX_PIECE_BYTES);
  private readonly starts = new Int32Array(MAX_PIECE_BYTES + 1);
  private readonly pairRanks = new Int32Array(MAX_PIECE_BYTES + 1);
  private young = new Map<string, number>();
  private old = new Map<string, number>();

  /** @param encoding a normalized encoding: the table's */
  constructor(encoding: Encoding, private readonly table: RankTable, private readonly maxPerGeneration = 16_384) {
    this.re = new RegExp(PATTERNS[encoding].source, 'uy');
  }

  /** The table's memory, to transfer away (this counter is unusable after). */
  buffers(): ArrayBuffer[] {
    const { bytes, offsets, slots } = this.table;
    return [bytes.buffer as ArrayBuffer, offsets.buffer as ArrayBuffer, slots.buffer as ArrayBuffer];
  }

  /** Tokens in `text` (special-token text counted as plain text), equal to tokens.ts `countTokens`. */
  count(text: string): number {
    let total = 0;
    for (let pos = 0; pos < text.length; ) {
      const end = this.pieceEnd(text, pos);
      total += end - pos > LONG_PIECE ? this.countLong(text.slice(pos, end)) : this.countPiece(text, pos, end);
      pos = end;
    }
    return total;
  }

  /** Where the piece starting at `pos` ends. */
  private pieceEnd(text: string, pos: number): number {
    const re = this.re;
    re.lastIndex = pos;
    // The pattern matches at every position (it covers every code point): a failure would be a bug in it.
    if (!re.test(text)) throw new Error(`the split pattern matched nothing at ${pos}`);
    return re.lastIndex;
  }

  /** As tokens.ts countLongPiece: LONG_PIECE-unit chunks (surrogate pairs kept whole), each split and counted. */
  private countLong(piece: string): number {
    let total = 0;
    let prevChunk = '';
    let prevCount = 0;
    for (let i = 0; i < piece.length; ) {
      let end = Math.min(i + LONG_PIECE, piece.length);
      const c = piece.charCodeAt(end - 1);
      if (end < piece.length && c >= 0xd800 && c <= 0xdbff) end--;
      const chunk = piece.slice(i, end);
      if (chunk !== prevChunk) {
        prevChunk = chunk;
        prevCount = 0;
        // tiktoken's encode_ordinary on the chunk: its own split (every piece of it is short), then each piece.
        for (let at = 0; at < chunk.length; ) {
          const to = this.pieceEnd(chunk, at);
          prevCount += this.countPiece(chunk, at, to);
          at = to;
        }
      }
      total += prevCount;
      i = end;
    }
    return total;
  }

  /** The piece `text[from..to)`: remembered, else one token if the vocabulary has it, else its merges. */
  private countPiece(text: string, from: number, to: number): number {
    const piece = text.slice(from, to);
    let c = this.young.get(piece);
    if (c !== undefined) return c;
    c = this.old.get(piece);
    if (c === undefined) {
      const n = this.utf8(text, from, to);
      c = n === 1 || this.rank(0, n) !== NO_RANK ? 1 : this.merge(n);
    }
    if (piece.length > MAX_CACHED_PIECE) return c;
    if (this.young.size >= this.maxPerGeneration) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(piece.length < 13 ? piece : (' ' + piece).slice(1), c); // a copy, not a view into the prompt
    return c;
  }

  /** `s[from..to)` as UTF-8 into `buf` (a lone surrogate as U+FFFD, as tiktoken receives it); the byte count. */
  private utf8(s: string, from: number, to: number): number {
    const b = this.buf;
    let n = 0;
    for (let i = from; i < to; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) { b[n++] = c; continue; }
      if (c < 0x800) { b[n++] = 0xc0 | (c >> 6); b[n++] = 0x80 | (c & 63); continue; }
      if (c >= 0xd800 && c <= 0xdfff) {
        const d = c <= 0xdbff && i + 1 < to ? s.charCodeAt(i + 1) : 0;
        if (d >= 0xdc00 && d <= 0xdfff) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          b[n++] = 0xf0 | (cp >> 18); b[n++] = 0x80 | ((cp >> 12) & 63); b[n++] = 0x80 | ((cp >> 6) & 63); b[n++] = 0x80 | (cp & 63);
          i++;
          continue;
        }
        c = 0xfffd;
      }
      b[n++] = 0xe0 | (c >> 12); b[n++] = 0x80 | ((c >> 6) & 63); b[n++] = 0x80 | (c & 63);
    }
    return n;
  }

  /** The id of the token with the bytes `buf[from..to)`, or NO_RANK (ranks are ids). */
  private rank(from: number, to: number): number {
    const { bytes, offsets, slots } = this.table;
    const b = this.buf;
    const mask = slots.length - 1;
    const len = to - from;
    for (let s = hashBytes(b, from, to) & mask; ; s = (s + 1) & mask) {
      const id1 = slots[s];
      if (id1 === 0) return NO_RANK;
      const at = offsets[id1 - 1];
      if (offsets[id1] - at !== len) continue;
      let k = 0;
      while (k < len && bytes[at + k] === b[from + k]) k++;
      if (k === len) return id1 - 1;
    }
  }

  /** Tokens of the `n` bytes in `buf`, not themselves a token: tiktoken's byte-pair merges. */
  private merge(n: number): number {
    const starts = this.starts, ranks = this.pairRanks;
    // Part i spans starts[i] .. starts[i + 1]; ranks[i] is the rank of parts i and i + 1 merged.
    let parts = n;
    for (let i = 0; i <= n; i++) starts[i] = i;
    for (let i = 0; i + 1 < parts; i++) ranks[i] = this.rank(i, i + 2);
    for (;;) {
      let best = NO_RANK, at = -1;
      for (let i = 0; i + 1 < parts; i++) if (ranks[i] < best) { best = ranks[i]; at = i; }
      if (at < 0) return parts;
      // Merge parts `at` and `at + 1`.
      starts.copyWithin(at + 1, at + 2, parts + 1);
      ranks.copyWithin(at + 1, at + 2, parts);
      parts--;
      if (at + 1 < parts) ranks[at] = this.rank(starts[at], starts[at + 2]);
      else ranks[at] = NO_RANK;
      if (at > 0) ranks[at - 1] = this.rank(starts[at - 1], starts[at + 1]);
    }
  }
}
