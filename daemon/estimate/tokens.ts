/**
 * Token counting with tiktoken (WASM), fast on repeats and safe on hostile input.
 *
 * Three layers, each exact unless noted:
 *  1. A whole-text LRU keyed by the text itself (short texts) or its SHA-1 (long texts): recounting an unchanged
 *     prompt costs a hash (≈0.75 ms per MB) instead of a count (≈250–450 ms per MB with tiktoken alone).
 *  2. A piece cache. tiktoken first splits text with a regex into pieces and runs BPE inside each piece
 *     independently, so the count of a text is the sum of its pieces' counts. We run the same split with V8's regex
 *     (≈20–30 ms per MB, a tenth of tiktoken's whole count) and look each piece up in a per-encoding cache of piece
 *     → token count. Unknown pieces are gathered into ranges of whole pieces and each range is counted by one
 *     tiktoken call (a run of whole pieces splits the same alone as in context, so this stays exact); the range's
 *     tokens are then attributed back to its pieces by byte length (tokens never cross a piece boundary) and the
 *     new pieces are remembered. The cache starts with the vocabulary's ~24 k most frequent single-token pieces.
 *     Code and prose reuse a small vocabulary of pieces (8 k distinct pieces in 1 MB of TypeScript), so a new
 *     prompt is counted several times faster than by tiktoken alone.
 *  3. Long-run guard. tiktoken's BPE is quadratic in the length of a single piece (100 k × "a" takes 13 s, 1 MB would
 *     take minutes), so any piece longer than LONG_PIECE characters is counted in LONG_PIECE-sized chunks. That is
 *     the only approximation: at most about one token per chunk boundary, only for runs of hundreds of letters,
 *     spaces or symbols with no break — and it means no input can stall the daemon.
 *
 * Special tokens (`<|endoftext|>` …) in user text are counted as the plain text they are (encode_ordinary): never
 * an error. Encoders are created on first use, once per encoding, and never freed; creating o200k_base blocks for
 * 0.3–1 s and holds ≈70 MB (WASM memory never shrinks). So the daemon runs this module in a worker thread that it
 * stops when idle (tokenWorker.ts, workerCounter.ts) and never loads it on its main thread; the CLI and tests count
 * in process. What a request's count is made of, and its size cap, are in routeCount.ts, shared by both.
 */
import type { Tiktoken } from 'tiktoken';
import type { Encoding } from '../../shared/catalog';
import type { RouteRequest } from '../../shared/decision';
import { finishCount, planRouteCount, type RouteCount } from './routeCount';
import { TextCountCache, detached, textKey } from './textCountCache';

/** Pieces longer than this are counted in chunks of this size (see the header). */
export const LONG_PIECE = 256;
/** Pieces up to this length are remembered in the piece cache (and in ranks.ts's on the main thread). */
export const MAX_CACHED_PIECE = 40;
/** Most new pieces remembered per count, so that one huge text of unique pieces cannot flush the piece cache. */
const LEARN_PER_CALL = 4096;
/** Lowest token ids seeded into the piece cache when an encoder is created (see seedPieces). */
const SEED_TOKENS = 24576;
/** Known pieces between two unknown ones that are re-counted inside one tiktoken call rather than split into two. */
const MERGE_GAP = 4;

// ---------------------------------------------------------------------------------------------------------------
// Encoders

/** Loaded on first use so that commands which never count tokens do not pay for the WASM module. */
let tiktokenModule: typeof import('tiktoken') | undefined;
const encoders = new Map<Encoding, Tiktoken>();
export function normalizeEncoding(encoding: Encoding): Encoding {
  return encoding === 'cl100k_base' ? 'cl100k_base' : 'o200k_base';
}

function encoderFor(encoding: Encoding): Tiktoken {
  let enc = encoders.get(encoding);
  if (!enc) {
    // A plain require (not a top-level import) keeps the 5 MB WASM out of start-up; esbuild still bundles it and
    // tiktoken's loader then finds tiktoken_bg.wasm next to the bundle (__dirname first).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tiktokenModule ??= require('tiktoken') as typeof import('tiktoken');
    enc = tiktokenModule.get_encoding(encoding);
    encoders.set(encoding, enc); // never freed: one per encoding for the life of the process
    seedPieces(encoding, enc);
  }
  return enc;
}

/**
 * Create the encoder and seed its piece cache now (≈0.3–1 s for o200k_base, ≈0.25 s for cl100k_base, blocking)
 * instead of on the first request.
 */
export function warmTokenizer(encoding: Encoding): void {
  encoderFor(normalizeEncoding(encoding));
}

/** The bytes of token `rank` of `encoding`, or null past its last ordinary token (ranks.ts builds a table of them). */
export function tokenBytesOf(encoding: Encoding): (rank: number) => Uint8Array | null {
  const enc = encoderFor(normalizeEncoding(encoding));
  return (rank) => {
    try {
      return enc.decode_single_token_bytes(rank);
    } catch {
      return null;
    }
  };
}

/** tiktoken's own count, no caches, no guard (reference for tests and benchmarks; quadratic on long runs). */
export function countTokensDirect(text: string, encoding: Encoding): number {
  return text ? encoderFor(normalizeEncoding(encoding)).encode_ordinary(text).length : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The split, mirrored from tiktoken's patterns (the pat_str embedded in tiktoken_bg.wasm and encoders/*.json).
// Rust's `\s` is Unicode White_Space; JavaScript's differs (it adds U+FEFF and lacks U+0085), so it is spelled out.
// Rust's `(?i:'s)` also matches the long s `ſ` (U+017F), which folds to s.

const WS = '\\t\\n\\v\\f\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const S = `[${WS}]`;
const NOT_S = `[^${WS}]`;
const SYMBOL = `[^${WS}\\p{L}\\p{N}]`;
const CONTRACTION = "'(?:[sSſ]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])";

/** The split of each encoding; global regexes, so another user (ranks.ts) makes its own copy for its `lastIndex`. */
export const PATTERNS: Record<Encoding, RegExp> = {
  o200k_base: new RegExp(
    [
      `[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?:${CONTRACTION})?`,
      `[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?:${CONTRACTION})?`,
      `\\p{N}{1,3}`,
      ` ?${SYMBOL}+[\\r\\n/]*`,
      `${S}*[\\r\\n]+`,
      `${S}+(?!${NOT_S})`,
      `${S}+`,
    ].join('|'),
    'gu',
  ),
  cl100k_base: new RegExp(
    [
      CONTRACTION,
      `[^\\r\\n\\p{L}\\p{N}]?\\p{L}+`,
      `\\p{N}{1,3}`,
      ` ?${SYMBOL}+[\\r\\n]*`,
      `${S}*[\\r\\n]+`,
      `${S}+(?!${NOT_S})`,
      `${S}+`,
    ].join('|'),
    'gu',
  ),
};

// ---------------------------------------------------------------------------------------------------------------
// Caches

/**
 * Piece → count, with two generations instead of a strict LRU (hundreds of thousands of lookups per MB must not
 * reorder a Map): when the young map is full it becomes the old one and the previous old one is dropped; a hit in
 * the old generation is copied into the young one.
 */
class PieceCountCache {
  private young = new Map<string, number>();
  private old = new Map<string, number>();
  hits = 0;
  learned = 0;
  learnedThisCall = 0;

  constructor(public maxPerGeneration: number) {}

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(piece: string): number | undefined {
    const c = this.young.get(piece);
    if (c !== undefined) return c;
    const o = this.old.get(piece);
    if (o !== undefined) this.put(detached(piece), o);
    return o;
  }

  /** Remember a new piece (copied, see `detached`); false when it is already known. */
  add(piece: string, count: number): boolean {
    if (this.young.has(piece) || this.old.has(piece)) return false;
    this.put(detached(piece), count);
    this.learned++;
    return true;
  }

  put(piece: string, count: number): void {
    if (this.young.size >= this.maxPerGeneration) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(piece, count);
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
    this.hits = 0;
    this.learned = 0;
  }
}

export interface TokenCacheOptions {
  /** Whole-text cache, per encoding: most entries kept. Default 4096. */
  maxEntries?: number;
  /** Whole-text cache, per encoding: most bytes of keys kept (short texts are their own keys). Default 4 MB. */
  maxBytes?: number;
  /** Piece cache, per encoding and generation. Default 32768 (two generations: ≤ 65536 pieces ≈ 5 MB). */
  maxPiecesPerGeneration?: number;
}

const options: Required<TokenCacheOptions> = { maxEntries: 4096, maxBytes: 4 * 1024 * 1024, maxPiecesPerGeneration: 32768 };
const textCaches = new Map<Encoding, TextCountCache>();
const pieceCaches = new Map<Encoding, PieceCountCache>();

function textCache(encoding: Encoding): TextCountCache {
  let c = textCaches.get(encoding);
  if (!c) textCaches.set(encoding, (c = new TextCountCache(options.maxEntries, options.maxBytes)));
  return c;
}

function pieceCache(encoding: Encoding): PieceCountCache {
  let c = pieceCaches.get(encoding);
  if (!c) pieceCaches.set(encoding, (c = new PieceCountCache(options.maxPiecesPerGeneration)));
  return c;
}

/** Change the cache bounds (tests, memory-constrained hosts). Shrinking evicts at once. */
export function configureTokenCache(opts: TokenCacheOptions): void {
  Object.assign(options, Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)));
  for (const c of textCaches.values()) {
    c.maxEntries = options.maxEntries;
    c.maxBytes = options.maxBytes;
    c.evict();
  }
  for (const c of pieceCaches.values()) c.maxPerGeneration = options.maxPiecesPerGeneration;
}

/** Forget every cached count and re-seed the piece caches: the state right after start-up (encoders stay). */
export function clearTokenCaches(): void {
  for (const c of textCaches.values()) c.clear();
  for (const c of pieceCaches.values()) c.clear();
  for (const [encoding, enc] of encoders) seedPieces(encoding, enc); // back to the state right after start-up
}

export interface TokenCacheStats {
  encoding: Encoding;
  texts: { entries: number; bytes: number; hits: number; misses: number };
  pieces: { entries: number; hits: number; learned: number };
}

export function tokenCacheStats(): TokenCacheStats[] {
  const encs = new Set<Encoding>([...textCaches.keys(), ...pieceCaches.keys()]);
  return [...encs].map((encoding) => {
    const t = textCache(encoding);
    const p = pieceCache(encoding);
    return {
      encoding,
      texts: { entries: t.size, bytes: t.bytes, hits: t.hits, misses: t.misses },
      pieces: { entries: p.size, hits: p.hits, learned: p.learned },
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Counting

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A piece too long for BPE to be cheap: counted in LONG_PIECE chunks (identical chunks counted once). */
function countLongPiece(enc: Tiktoken, piece: string): number {
  let total = 0;
  let prevChunk = '';
  let prevCount = 0;
  for (let i = 0; i < piece.length; ) {
    let end = Math.min(i + LONG_PIECE, piece.length);
    if (end < piece.length && isHighSurrogate(piece.charCodeAt(end - 1))) end--; // keep surrogate pairs whole
    const chunk = piece.slice(i, end);
    if (chunk !== prevChunk) {
      prevChunk = chunk;
      prevCount = enc.encode_ordinary(chunk).length;
    }
    total += prevCount;
    i = end;
  }
  return total;
}

/** UTF-8 length of `s` as tiktoken receives it (a lone surrogate becomes U+FFFD: 3 bytes). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (isHighSurrogate(c) && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Byte length of each token id, filled on first sight (0 = not yet known). */
const tokenLengthTables = new Map<Encoding, Uint8Array>();

function tokenLengths(encoding: Encoding): Uint8Array {
  let t = tokenLengthTables.get(encoding);
  if (!t) tokenLengthTables.set(encoding, (t = new Uint8Array(1 << 18))); // both vocabularies fit; tokens ≤ 128 bytes
  return t;
}

/**
 * After tiktoken counted a range of whole pieces, attribute its tokens to the pieces (tokens never cross a piece
 * boundary) and remember the unknown ones. Learns nothing from a range whose bytes do not line up.
 */
function learnFrom(
  enc: Tiktoken, cache: PieceCountCache, lengths: Uint8Array, tokens: Uint32Array, pieces: string[], unknown: boolean[],
): void {
  const learned: number[] = []; // [piece index, count]…
  let room = LEARN_PER_CALL - cache.learnedThisCall;
  let ti = 0;
  for (let k = 0; k < pieces.length && room > 0; k++) {
    const bytes = utf8Length(pieces[k]);
    let b = 0;
    let n = 0;
    while (b < bytes && ti < tokens.length) {
      const id = tokens[ti++];
      let len = id < lengths.length ? lengths[id] : 0;
      if (len === 0) {
        len = enc.decode_single_token_bytes(id).length;
        if (id < lengths.length) lengths[id] = len;
      }
      b += len;
      n++;
    }
    if (b !== bytes) return; // pieces and tokens do not line up: trust nothing from this range
    if (unknown[k]) {
      learned.push(k, n);
      room--;
    }
  }
  for (let i = 0; i < learned.length; i += 2) {
    if (cache.add(pieces[learned[i]], learned[i + 1])) cache.learnedThisCall++;
  }
}

/**
 * Start the piece cache with the vocabulary's most frequent tokens (BPE numbers tokens in merge order, so low ids
 * are the common ones): a token whose text is one whole piece of the split counts as exactly 1 (tiktoken looks a
 * piece up in the vocabulary before any BPE). Costs ≈50 ms once, next to the encoder's own start-up, and makes
 * the first prompts after start-up cheaper.
 */
function seedPieces(encoding: Encoding, enc: Tiktoken): void {
  const cache = pieceCache(encoding);
  const lengths = tokenLengths(encoding);
  const re = PATTERNS[encoding];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let id = 0; id < SEED_TOKENS; id++) {
    let bytes: Uint8Array;
    let text: string;
    try {
      bytes = enc.decode_single_token_bytes(id);
      text = decoder.decode(bytes); // throws on a partial UTF-8 sequence: such a token is never a whole piece
    } catch {
      continue;
    }
    if (id < lengths.length) lengths[id] = bytes.length;
    if (text.length === 0 || text.length > MAX_CACHED_PIECE) continue;
    re.lastIndex = 0;
    const m = re.exec(text);
    if (m !== null && m.index === 0 && m[0].length === text.length) cache.put(text, 1);
  }
  re.lastIndex = 0;
}

function countUncached(text: string, encoding: Encoding): number {
  const enc = encoderFor(encoding);
  const cache = pieceCache(encoding);
  const lengths = tokenLengths(encoding);
  const re = PATTERNS[encoding];
  re.lastIndex = 0;
  cache.learnedThisCall = 0;

  let total = 0;
  let pos = 0; // end of the previous piece
  // Unknown pieces are collected into ranges of whole pieces, each counted by one tiktoken call (exact: a run of
  // whole pieces splits the same alone as in context). Up to MERGE_GAP known pieces between two unknown ones are
  // absorbed into the range rather than paying for a second call.
  let rangeStart = -1;
  let rangeEnd = -1;
  let rangeHasUnknown = false;
  const rangePieces: string[] = [];
  const rangeUnknown: boolean[] = [];
  const gap: string[] = []; // known pieces since rangeEnd…
  let gapCount = 0; // …and their tokens, already in `total`

  const flush = () => {
    if (rangeStart >= 0) {
      const tokens = enc.encode_ordinary(text.slice(rangeStart, rangeEnd));
      total += tokens.length;
      if (rangeHasUnknown && cache.learnedThisCall < LEARN_PER_CALL) learnFrom(enc, cache, lengths, tokens, rangePieces, rangeUnknown);
    }
    rangeStart = -1;
    rangeHasUnknown = false;
    rangePieces.length = 0;
    rangeUnknown.length = 0;
    gap.length = 0;
    gapCount = 0;
  };
  const miss = (piece: string, start: number, learnable: boolean) => {
    if (rangeStart >= 0) {
      total -= gapCount; // the gap is now counted inside the range
      for (const g of gap) {
        rangePieces.push(g);
        rangeUnknown.push(false);
      }
      gap.length = 0;
      gapCount = 0;
    } else {
      rangeStart = start;
    }
    rangeEnd = start + piece.length;
    rangePieces.push(piece);
    rangeUnknown.push(learnable);
    rangeHasUnknown ||= learnable;
  };

  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const piece = m[0];
    const start = m.index;
    if (start > pos) miss(text.slice(pos, start), pos, false); // never expected: the pattern covers every code point
    pos = start + piece.length;

    if (piece.length > LONG_PIECE) {
      flush();
      total += countLongPiece(enc, piece);
      continue;
    }
    const cacheable = piece.length <= MAX_CACHED_PIECE;
    const c = cacheable ? cache.get(piece) : undefined;
    if (c === undefined) {
      miss(piece, start, cacheable);
      continue;
    }
    cache.hits++;
    total += c;
    if (rangeStart >= 0) {
      if (gap.length < MERGE_GAP) {
        gap.push(piece);
        gapCount += c;
      } else {
        flush(); // too many known pieces since the last unknown one: close the range (the gap stays counted)
      }
    }
  }
  if (pos < text.length) miss(text.slice(pos), pos, false); // (never expected, as above)
  flush();
  return total;
}

/**
 * Tokens in `text` under `encoding`, special-token text counted as plain text. Exact (equal to tiktoken's
 * `encode_ordinary(text).length`) except inside runs of more than LONG_PIECE characters with no break.
 */
export function countTokens(text: string, encoding: Encoding): number {
  if (typeof text !== 'string') text = text == null ? '' : String(text);
  if (text.length === 0) return 0;
  encoding = normalizeEncoding(encoding);
  const cache = textCache(encoding);
  const key = textKey(text);
  const cached = cache.get(key, text.length);
  if (cached !== undefined) return cached;
  const n = countUncached(text, encoding);
  cache.set(key, text.length, n);
  return n;
}

/** Tokens of the whole request as it will be sent (see routeCount.ts: what is counted, and the size cap). */
export function countRoute(req: Pick<RouteRequest, 'prompt' | 'system' | 'messages'>, encoding: Encoding): RouteCount {
  const plan = planRouteCount(req);
  return finishCount(plan, plan.texts.map((t) => countTokens(t, encoding)));
}

/** `countRoute(req, encoding).tokens`. */
export function countRouteTokens(req: Pick<RouteRequest, 'prompt' | 'system' | 'messages'>, encoding: Encoding): number {
  return countRoute(req, encoding).tokens;
}
