/**
 * What the classifier reads off a request: hashed features in four groups, each with its own slice of one index
 * space (LAYOUT). The user's ask — the prose of the prompt — gives word, word-pair and character n-gram features;
 * the pasted bulk (code, logs, diffs, traces) gives its identifiers, weighed down so that its size cannot outvote
 * the ask; and the request's shape gives named signals: task, source, language, the ask's length apart from the
 * bulk, the kinds of paste (stack trace, thread dump, diff, log, SQL plan…), questions, files, turns, tools.
 *
 * Pure and allocation-light: one pass over the prompt's lines, hashing as it reads. A feature is an index; the
 * same request gives the same indices, in the same order, on every machine (FNV-1a over UTF-16 code units).
 * Names exist only when asked for (`names`), for the trace's "features that decided".
 */

import type { RouteRequest } from '../../shared/decision';

/** Index ranges of the groups. The weights file records the layout it was trained with. */
export const LAYOUT = {
  ask: { base: 0, size: 1 << 17 },
  chars: { base: 1 << 17, size: 1 << 16 },
  bulk: { base: (1 << 17) + (1 << 16), size: 1 << 14 },
  shape: { base: (1 << 17) + (1 << 16) + (1 << 14), size: 1 << 11 },
} as const;
export const DIMS = LAYOUT.shape.base + LAYOUT.shape.size;
export type Group = keyof typeof LAYOUT;
export const GROUPS: readonly Group[] = ['ask', 'chars', 'bulk', 'shape'];

/** How much of a request is read: beyond these the rest of a paste adds nothing a rule could use. */
const MAX_ASK_WORDS = 400;
const MAX_CHAR_GRAM_WORDS = 200;
const MAX_BULK_TOKENS = 1500;
const MAX_LINES = 2000;
/** Characters read of one line, and of the whole prompt: its head and its tail (an ask often follows its paste). */
const MAX_LINE_CHARS = 2000;
const HEAD_CHARS = 48_000;
const TAIL_CHARS = 8_000;

/** What the classifier takes: the routing fields of a request (RouteRequest and its shape). */
export interface ClassifierInput {
  prompt: string;
  task?: string;
  source?: string;
  language?: string;
  /** User turns in the conversation. */
  turns: number;
  lastIsToolResult: boolean;
  hasTools: boolean;
}

/** The classifier's view of a request. */
export function classifierInput(request: RouteRequest): ClassifierInput {
  const shape = request.shape;
  return {
    prompt: request.prompt,
    task: request.task,
    source: request.source,
    language: request.language,
    turns: shape?.turns ?? Math.max(1, request.messages?.filter((m) => m.role === 'user').length ?? 1),
    lastIsToolResult: shape?.lastIsToolResult ?? false,
    hasTools: shape?.hasTools ?? false,
  };
}

/** The features of one request: each occurrence's index, weighed by its group's scale (groupScale). */
export interface FeatureBag {
  /** Each occurrence's feature index (its group is the LAYOUT range it falls in: groupOf). */
  index: Int32Array;
  /** Occurrences per group, GROUPS order. */
  counts: [number, number, number, number];
  /** Made with `weights`: each group × class weight sum (scores() then needs no second pass). */
  sums?: Float64Array;
  summedWith?: Int8Array;
  /** Set when names were asked for: each occurrence's name. */
  names?: string[];
}

/** The group (GROUPS index) a feature index belongs to. */
export function groupOf(index: number): number {
  return index >= LAYOUT.shape.base ? 3 : index >= LAYOUT.bulk.base ? 2 : index >= LAYOUT.chars.base ? 1 : 0;
}

/**
 * Each group's weight in a request of `n` occurrences of it: prose groups count as sqrt(n) occurrences (a longer
 * ask says more, with diminishing returns); the paste counts as one occurrence however long it is (its mean: a
 * paste's size must not outvote the ask — the kinds of paste and the concepts in it are shape signals instead).
 */
export const groupScale = (n: number, g: number) => (n <= 0 ? 0 : g === 2 ? 1 / n : 1 / Math.sqrt(n));

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

const hashStep = (h: number, c: number) => Math.imul(h ^ c, FNV_PRIME);

function hashString(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = hashStep(h, s.charCodeAt(i));
  return h >>> 0;
}

import { CONCEPTS, LEXICON } from './lexicon';

const SEEDS = { word: hashString('w', FNV_OFFSET), pair: hashString('p', FNV_OFFSET), char: hashString('c', FNV_OFFSET), bulk: hashString('k', FNV_OFFSET), shape: hashString('s', FNV_OFFSET), cross: hashString('x', FNV_OFFSET) };

/** The hash a word gets from `words()` below: its folded characters from the word seed. */
function wordHash(word: string): number {
  let h = SEEDS.word;
  for (let i = 0; i < word.length; i++) h = hashStep(h, fold(word.charCodeAt(i)));
  return h >>> 0;
}
const pairHash = (prev: number, h: number) => hashStep(hashStep(prev, 0x20), h >>> 16) ^ SEEDS.pair;

/**
 * The lexicon as hash → concept indices: whole words, pairs, and stems. Stems are found by their first three
 * characters' hash, which lists the stem lengths to check (most words start no stem: one failed look-up).
 */
const LEX_WORDS = new Map<number, number[]>();
const LEX_PAIRS = new Map<number, number[]>();
const LEX_STEMS = new Map<number, number[]>();
const LEX_STEM_LENGTHS = new Map<number, number[]>();
{
  const put = <K>(m: Map<K, number[]>, k: K, c: number) => { const l = m.get(k) ?? []; if (!l.includes(c)) l.push(c); m.set(k, l); };
  CONCEPTS.forEach((concept, c) => {
    for (const entry of LEXICON[concept]) {
      const parts = entry.split(' ');
      if (parts.length === 2) put(LEX_PAIRS, pairHash(wordHash(parts[0]), wordHash(parts[1])) >>> 0, c);
      else if (entry.endsWith('*')) {
        const stem = entry.slice(0, -1);
        if (stem.length < 3) throw new Error(`internal: lexicon stem "${stem}" is shorter than 3`);
        put(LEX_STEMS, wordHash(stem), c);
        put(LEX_STEM_LENGTHS, wordHash(stem.slice(0, 3)), stem.length);
      } else put(LEX_WORDS, wordHash(entry), c);
    }
  });
}

/** A bit per low 16 bits of every lexicon key: most words miss it, and skip the map look-ups. */
const LEX_FILTER = new Uint8Array(1 << 16);
for (const m of [LEX_WORDS, LEX_PAIRS, LEX_STEM_LENGTHS]) for (const k of m.keys()) LEX_FILTER[k & 0xffff] = 1;

function addConcepts(l: number[] | undefined, counts: Uint16Array): void {
  if (l) for (let k = 0; k < l.length; k++) counts[l[k]]++;
}

/** Adds to `counts` the concepts of a word (its hash and folded characters), of its stem and of its pair with the previous word. */
function lexiconHits(h: number, chars: Uint16Array, len: number, h3: number, prev: number, counts: Uint16Array): void {
  if (LEX_FILTER[h & 0xffff]) addConcepts(LEX_WORDS.get(h), counts);
  if (prev !== 0) { const pair = pairHash(prev, h) >>> 0; if (LEX_FILTER[pair & 0xffff]) addConcepts(LEX_PAIRS.get(pair), counts); }
  if (len < 3 || !LEX_FILTER[h3 & 0xffff]) return;
  const lengths = LEX_STEM_LENGTHS.get(h3);
  if (!lengths) return;
  for (const n of lengths) {
    if (n > len) continue;
    let p = SEEDS.word;
    for (let k = 0; k < n; k++) p = hashStep(p, chars[k]);
    const l = LEX_STEMS.get(p >>> 0);
    if (l) { addConcepts(l, counts); return; }
  }
}

/** Lowercased, digits folded to 0: "Line 42" and "line 7" read the same. */
function fold(c: number): number {
  if (c >= 65 && c <= 90) return c + 32;
  if (c >= 48 && c <= 57) return 48;
  return c;
}

/** Part of a word: ASCII letters, digits, underscore, and letters beyond ASCII (accents, Cyrillic…), but not CJK. */
function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 39
    || (c >= 0xc0 && c < 0x2000 && c !== 0xd7 && c !== 0xf7) || (c >= 0x0400 && c <= 0x04ff);
}

/** Per UTF-16 unit: its folded form when it is part of a word, else 0 — one look-up per character in the hot loop. */
const WORD_CHAR = new Uint16Array(1 << 16);
for (let c = 1; c < WORD_CHAR.length; c++) if (isWordChar(c)) WORD_CHAR[c] = fold(c);

/** Code punctuation, for looksLikeCode. */
const SYMBOL = new Uint8Array(128);
for (const ch of '{}()[];=<>|&*/\\$#@') SYMBOL[ch.charCodeAt(0)] = 1;

/** CJK ideographs, kana and hangul: each is a word of its own (no spaces between them). */
function isCjk(c: number): boolean {
  return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);
}

/** Kinds of a line outside prose, told apart by cheap prefix tests. */
const enum LineKind { Prose, Template, Code, Trace, Diff, Log, Blank, Fence }

const isPaste = (k: number) => k === LineKind.Code || k === LineKind.Trace || k === LineKind.Diff || k === LineKind.Log;

/** Per line of the prompt being read (at most MAX_LINES): its kind and where it is. Shared scratch, as SCRATCH. */
const LINE_KIND = new Uint8Array(MAX_LINES);
const LINE_START = new Int32Array(MAX_LINES);
const LINE_END = new Int32Array(MAX_LINES);

/** The code-action templates' own lines (extension/requests/prompts.ts): task words, not the user's. */
const TEMPLATE_LINES = [
  /^Explain this [\w.+#-]+ code( from .*)?:$/, /^Refactor this [\w.+#-]+ selection( from .*)?:$/,
  /^Write unit tests for this [\w.+#-]+ code( from .*)?:$/, /^Lines to fix( from .*)?:$/,
  /^Context (before|after) \(read-only\):$/,
];

const TRACE = /^\s*(at [\w$.<>[\]/\\:-]+[ (]|File ".*", line \d+|\d+: 0x[0-9a-f]+|#\d+ 0x[0-9a-f]+|Caused by: |Traceback \(most recent call last\)|goroutine \d+ \[|created by |panic: |thread '.*' panicked|Exception in thread|java\.lang\.Thread\.State|- (waiting to lock|locked|waiting on|parking to wait for) |\s*[\w.$]+(Exception|Error)(: |$)|\w+\.go:\d+ \+0x)/;
const DIFF = /^(diff --git |index [0-9a-f]+\.\.|@@ -\d+(,\d+)? \+\d+|\+\+\+ |--- (a\/|\/dev\/null)|[+-](?![+-]))/;
const LOG = /^\s*(\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\[?\d\d:\d\d:\d\d|\w{3} \d\d? \d\d:\d\d:\d\d|\[?(INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL)\]?[ :])/;

/** A line is code when it is not prose: few letters, code punctuation at its end, or code's indentation. */
function looksLikeCode(line: string): boolean {
  let letters = 0, symbols = 0, other = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) continue;
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c >= 0xc0) letters++;
    else if (c < 128 && SYMBOL[c]) symbols++;
    else other++;
  }
  const visible = letters + symbols + other;
  if (visible === 0) return false;
  const last = line.trimEnd().slice(-1);
  if (last === ';' || last === '{' || last === '}' || (last === ')' && symbols >= 3)) return true;
  if (/^(\t|  +)\S/.test(line) && symbols > 0) return true;
  return symbols / visible > 0.15 || letters / visible < 0.5;
}

/** Comment lines: `//`, `/*`, ` * `, `#` (not a Markdown heading), `--` (SQL, Lua). */
const COMMENT = /^\s*(\/\/|\/\*|\*\/|\* |\*$|#(?![#\s])|#!|-- )/;

function classifyLine(line: string): LineKind {
  if (!line.trim()) return LineKind.Blank;
  if (COMMENT.test(line)) return LineKind.Code;
  if (TRACE.test(line)) return LineKind.Trace;
  if (LOG.test(line)) return LineKind.Log;
  if (DIFF.test(line)) return LineKind.Diff;
  for (const t of TEMPLATE_LINES) if (t.test(line)) return LineKind.Template;
  return looksLikeCode(line) ? LineKind.Code : LineKind.Prose;
}

const QUESTIONS = ['0', '1', '2', '3'];
const LEX_NAMES = CONCEPTS.map((c) => `lex:${c}`);
const CODE_LEX_NAMES = CONCEPTS.map((c) => `code.lex:${c}`);

/** A bucket on a log scale: 0, 1, 2-3, 4-7… capped. */
function log2Bucket(n: number, cap: number): string {
  if (n <= 0) return '0';
  const b = Math.min(cap, 31 - Math.clz32(n));
  return b === cap ? BUCKET_CAPS[cap] : BUCKETS[b];
}
const BUCKETS = Array.from({ length: 31 }, (_, b) => `${1 << b}`);
const BUCKET_CAPS = Array.from({ length: 31 }, (_, b) => `${1 << b}+`);

export interface ExtractOptions {
  /** Record each occurrence's name (for explanations; slower). */
  named?: boolean;
  /** A model's weights (model.ts, three a feature): each group's weight sums are added up as features are found. */
  weights?: Int8Array;
  /** The groups the model uses (its weights file says); character n-grams are made only when it uses them. */
  groups?: readonly Group[];
}

/** The features of one request. */
export function extractFeatures(input: ClassifierInput, options: ExtractOptions = {}): FeatureBag {
  const reader = new Reader(input, options.named ?? false, options.groups?.includes('chars') ?? false, options.weights);
  reader.read();
  return reader.finish();
}

/** Each group's first index and size − 1 (sizes are powers of two: a mask picks the slot). */
const GROUP_BASE = Int32Array.from(GROUPS.map((g) => LAYOUT[g].base));
const GROUP_MASK = Int32Array.from(GROUPS.map((g) => LAYOUT[g].size - 1));

/**
 * Scratch space shared by every extraction (they are synchronous and never nested): allocating typed arrays per
 * request was a third of a short prompt's time. The bag a caller gets is an exact-size copy.
 */
let SCRATCH = new Int32Array(4096);
/** Per group × class, the sum of the weights found so far (integers: exact in any order). */
const SUMS = new Float64Array(GROUPS.length * 3);
const WORD = new Uint16Array(64);
const ASK_CONCEPTS = new Uint16Array(CONCEPTS.length);
const CODE_CONCEPTS = new Uint16Array(CONCEPTS.length);

/** Collects occurrences, growing as needed; names are recorded only when asked for. */
class Bag {
  length = 0;
  counts: [number, number, number, number] = [0, 0, 0, 0];
  readonly names: string[] | undefined;
  constructor(named: boolean, readonly weights: Int8Array | undefined) {
    this.names = named ? [] : undefined;
    if (weights) SUMS.fill(0);
  }

  add(g: 0 | 1 | 2 | 3, hash: number): void {
    if (this.length === SCRATCH.length) { const more = new Int32Array(SCRATCH.length * 2); more.set(SCRATCH); SCRATCH = more; }
    const index = GROUP_BASE[g] + (hash & GROUP_MASK[g]);
    SCRATCH[this.length++] = index;
    this.counts[g]++;
    const w = this.weights;
    if (w) { const at = index * 3, s = g * 3; SUMS[s] += w[at]; SUMS[s + 1] += w[at + 1]; SUMS[s + 2] += w[at + 2]; }
  }

  /** As add, with the occurrence's name (only called when names are recorded). */
  named(g: 0 | 1 | 2 | 3, hash: number, name: string): void {
    this.add(g, hash);
    this.names!.push(name);
  }

  /**
   * A named shape signal, its name in parts (`shape('task=', task)`): hashed part by part — the same hash as the
   * whole name's — so a request builds no name strings unless names are recorded.
   */
  shape(a: string, b?: string, c?: string, d?: string): void {
    let h = prefixHash(a);
    if (b !== undefined) h = hashFrom(h, b);
    if (c !== undefined) h = hashFrom(h, c);
    if (d !== undefined) h = hashFrom(h, d);
    this.add(3, h);
    this.names?.push(a + (b ?? '') + (c ?? '') + (d ?? ''));
  }
}

/** FNV-1a continued over `s` from `h`: hashFrom(hashString(a, seed), b) === hashString(a + b, seed). */
function hashFrom(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = hashStep(h, s.charCodeAt(i));
  return h >>> 0;
}

/** Shape names' constant first parts, hashed once. */
const PREFIX_HASH = new Map<string, number>();
function prefixHash(prefix: string): number {
  let h = PREFIX_HASH.get(prefix);
  if (h === undefined) { h = hashString(prefix, SEEDS.shape); PREFIX_HASH.set(prefix, h); }
  return h;
}

/** One pass over a prompt's lines and words (a class, not closures: a request allocates one object, not one per word). */
class Reader {
  readonly bag: Bag;
  /** The current word's folded characters (a longer word keeps its first 64). */
  readonly chars = WORD;
  len = 0;
  askWords = 0;
  charGramWords = 0;
  bulkTokens = 0;
  questions = 0;
  prevWord = 0;
  prevName = '';
  /** The previous word of the paste, for its pairs ("seq scan", "data race"). */
  prevBulk = 0;
  fences = 0;
  readonly kinds = { code: 0, trace: 0, diff: 0, log: 0, template: 0, prose: 0, json: 0, yaml: 0 };
  readonly crossTask: number;
  readonly askConcepts = ASK_CONCEPTS.fill(0);
  readonly codeConcepts = CODE_CONCEPTS.fill(0);

  constructor(readonly input: ClassifierInput, readonly isNamed: boolean, readonly charGrams: boolean, weights?: Int8Array) {
    this.bag = new Bag(isNamed, weights);
    this.crossTask = input.task ? hashString(input.task, SEEDS.cross) : 0;
  }

  word(): string {
    let w = '';
    for (let k = 0; k < this.len; k++) w += String.fromCharCode(this.chars[k]);
    return w;
  }

  /**
   * One word of the ask: itself, its first-words position, its pair with the word before, its concepts, a cross
   * with the task (so "explain" + "deadlock" can differ from "refactor" + "deadlock") and, when the model uses
   * them, its character 3–5-grams (fastText-style, with boundary marks).
   */
  askWord(h: number, h3: number): void {
    if (this.askWords >= MAX_ASK_WORDS) return;
    const bag = this.bag;
    const n = ++this.askWords;
    const prev = this.prevWord;
    lexiconHits(h, this.chars, this.len, h3, prev, this.askConcepts);
    // The ask's first words carry its intent ("rename…", "why does…", "design…") wherever the rest goes.
    const first = n <= 2 ? hashStep(h, n === 1 ? 0x31 : hashStep(prev, 0x32)) : 0;
    if (this.isNamed) {
      const word = this.word();
      bag.named(0, h, `"${word}"`);
      if (first) bag.named(0, first, `first:"${n === 1 ? word : `${this.prevName} ${word}`}"`);
      if (prev !== 0) bag.named(0, pairHash(prev, h), `"${this.prevName} ${word}"`);
      if (this.crossTask !== 0) bag.named(0, hashStep(this.crossTask, h), `${this.input.task}×"${word}"`);
      this.prevName = word;
    } else {
      bag.add(0, h);
      if (first) bag.add(0, first);
      if (prev !== 0) bag.add(0, pairHash(prev, h));
      if (this.crossTask !== 0) bag.add(0, hashStep(this.crossTask, h));
    }
    this.prevWord = h;
    if (this.charGrams && this.charGramWords < MAX_CHAR_GRAM_WORDS && this.len <= 30) this.charNgrams();
  }

  charNgrams(): void {
    this.charGramWords++;
    const n = this.len + 2;
    const at = (pos: number) => (pos === 0 ? 60 : pos === n - 1 ? 62 : this.chars[pos - 1]);
    for (let i = 0; i < n; i++) {
      let g = SEEDS.char;
      for (let k = 0; k < 5 && i + k < n; k++) {
        g = hashStep(g, at(i + k));
        if (k < 2) continue;
        if (this.isNamed) {
          let name = '';
          for (let j = i; j <= i + k; j++) name += String.fromCharCode(at(j));
          this.bag.named(1, g, `'${name}'`);
        } else this.bag.add(1, g);
      }
    }
  }

  bulkWord(h: number, h3: number): void {
    if (this.bulkTokens >= MAX_BULK_TOKENS || this.len < 2) return;
    this.bulkTokens++;
    lexiconHits(h, this.chars, this.len, h3, this.prevBulk, this.codeConcepts);
    this.prevBulk = h;
    if (this.isNamed) this.bag.named(2, hashStep(h, SEEDS.bulk), `code:${this.word()}`);
    else this.bag.add(2, hashStep(h, SEEDS.bulk));
  }

  /** Pasted data rather than code: JSON keys and YAML mappings, told apart by their first characters. */
  structured(line: string): void {
    if (line.indexOf(':') < 0) return;
    if (JSON_LINE.test(line)) this.kinds.json++;
    else if (YAML_LINE.test(line)) this.kinds.yaml++;
  }

  /** Reads the words of `line` as prose (the ask) or as bulk. A `?` in prose counts as a question. */
  words(line: string, prose: boolean): void {
    let h = SEEDS.word, h3 = 0, len = 0;
    const chars = this.chars;
    const n = Math.min(line.length, MAX_LINE_CHARS);
    for (let i = 0; i <= n; i++) {
      const c = i < n ? line.charCodeAt(i) : 32;
      const f = WORD_CHAR[c];
      if (f !== 0) {
        h = hashStep(h, f);
        if (len < chars.length) chars[len] = f;
        if (++len === 3) h3 = h >>> 0;
        continue;
      }
      if (len) {
        this.len = Math.min(len, chars.length);
        if (prose) this.askWord(h >>> 0, h3); else this.bulkWord(h >>> 0, h3);
        h = SEEDS.word; h3 = 0; len = 0;
      }
      if (c >= 0x3040 && isCjk(c)) {
        chars[0] = c; this.len = 1;
        if (prose) this.askWord(hashStep(SEEDS.word, c) >>> 0, 0); else this.bulkWord(hashStep(SEEDS.word, c) >>> 0, 0);
      } else if (prose && c === 63) { this.questions++; this.prevWord = 0; }
    }
  }

  /**
   * Two passes over the lines: first each line's kind, then the words. Prose between two lines of paste — a
   * comment inside pasted code, a log's message line — is paste too: the ask is the prose around the paste.
   */
  read(): void {
    const prompt = readablePart(this.input.prompt);
    let n = 0;
    let inFence = false;
    for (let start = 0; start <= prompt.length && n < MAX_LINES;) {
      let end = prompt.indexOf('\n', start);
      if (end < 0) end = prompt.length;
      const line = prompt.slice(start, end);
      LINE_START[n] = start; LINE_END[n] = end;
      if (isFence(line)) { LINE_KIND[n] = LineKind.Fence; inFence = !inFence; if (inFence) this.fences++; }
      else LINE_KIND[n] = inFence ? LineKind.Code : classifyLine(line);
      n++;
      if (end === prompt.length) break;
      start = end + 1;
    }
    // Sandwiched prose: the nearest non-blank lines on both sides are paste.
    let before = -1; // kind of the last non-blank line seen
    for (let i = 0; i < n; i++) {
      const kind = LINE_KIND[i];
      if (kind === LineKind.Blank) continue;
      if (kind === LineKind.Prose && isPaste(before)) {
        let j = i + 1;
        while (j < n && (LINE_KIND[j] === LineKind.Blank || LINE_KIND[j] === LineKind.Prose)) j++;
        if (j < n && isPaste(LINE_KIND[j])) { for (let k = i; k < j; k++) if (LINE_KIND[k] === LineKind.Prose) LINE_KIND[k] = LineKind.Code; }
      }
      before = LINE_KIND[i];
    }
    for (let i = 0; i < n; i++) {
      const kind = LINE_KIND[i];
      const line = kind === LineKind.Blank || kind === LineKind.Fence || kind === LineKind.Template ? '' : prompt.slice(LINE_START[i], LINE_END[i]);
      switch (kind) {
        case LineKind.Blank: case LineKind.Fence: this.prevWord = 0; break;
        case LineKind.Prose: this.kinds.prose++; this.words(line, true); this.prevWord = 0; break;
        case LineKind.Template: this.kinds.template++; break;
        default:
          if (kind === LineKind.Code) { this.kinds.code++; this.structured(line); }
          else if (kind === LineKind.Trace) this.kinds.trace++;
          else if (kind === LineKind.Diff) this.kinds.diff++;
          else this.kinds.log++;
          // Past the cap a paste's words add nothing (bulkWord would drop them): only its lines are counted.
          if (this.bulkTokens < MAX_BULK_TOKENS) this.words(line, false);
      }
    }
  }

  /** The shape group: named signals about the whole request. */
  finish(): FeatureBag {
    const { bag, input, kinds } = this;
    if (input.task) bag.shape('task=', input.task);
    if (input.source) bag.shape('source=', input.source);
    if (input.language) bag.shape('language=', input.language);
    const askBucket = log2Bucket(this.askWords, 8);
    bag.shape('ask.words=', askBucket);
    if (input.task) bag.shape('task=', input.task, '×ask.words=', askBucket);
    const bulkLines = kinds.code + kinds.trace + kinds.diff + kinds.log;
    const bulkBucket = log2Bucket(bulkLines, 9);
    bag.shape('paste.lines=', bulkBucket);
    bag.shape('ask.words=', askBucket, '×paste.lines=', bulkBucket);
    bag.shape('questions=', QUESTIONS[Math.min(this.questions, 3)]);
    if (this.fences) bag.shape('fences=', QUESTIONS[Math.min(this.fences, 3)]);
    if (kinds.trace) bag.shape('trace.lines=', log2Bucket(kinds.trace, 6));
    if (kinds.diff) bag.shape('diff.lines=', log2Bucket(kinds.diff, 7));
    if (kinds.log) bag.shape('log.lines=', log2Bucket(kinds.log, 7));
    if (kinds.json >= 2) bag.shape('paste.json');
    if (kinds.yaml >= 2) bag.shape('paste.yaml');
    for (let c = 0; c < CONCEPTS.length; c++) {
      if (this.askConcepts[c]) {
        bag.shape(LEX_NAMES[c]);
        if (this.askConcepts[c] > 1) bag.shape(LEX_NAMES[c], '=2+');
        bag.shape(LEX_NAMES[c], '×ask.words=', askBucket);
        if (input.task) bag.shape(LEX_NAMES[c], '×task=', input.task);
      }
      if (this.codeConcepts[c]) {
        bag.shape(CODE_LEX_NAMES[c], '=', log2Bucket(this.codeConcepts[c], 3));
        bag.shape(CODE_LEX_NAMES[c], '×ask.words=', askBucket);
      }
    }
    const prompt = input.prompt;
    const files = countFiles(prompt.length > FILES_SAMPLE ? prompt.slice(0, FILES_SAMPLE) : prompt);
    if (files) bag.shape('files=', log2Bucket(files, 4));
    bag.shape('turns=', log2Bucket(input.turns, 3));
    if (input.lastIsToolResult) bag.shape('last=tool-result');
    if (input.hasTools) bag.shape('tools');
    bag.shape('bias');
    const out: FeatureBag = { index: SCRATCH.slice(0, bag.length), counts: bag.counts };
    if (bag.weights) { out.sums = SUMS.slice(); out.summedWith = bag.weights; }
    if (bag.names) out.names = bag.names;
    return out;
  }
}

const JSON_LINE = /^\s*[{[]?\s*"[\w-]+"\s*:/;
const YAML_LINE = /^\s*-?\s*[\w.-]+:(\s|$)/;

/**
 * The part of a prompt the classifier reads: all of it, or its first HEAD_CHARS and last TAIL_CHARS characters,
 * each cut at a line break — what the middle of a huge paste holds cannot change what its ask needs, and reading a
 * 30 MB body would hold the daemon's event loop.
 */
function readablePart(prompt: string): string {
  if (prompt.length <= HEAD_CHARS + TAIL_CHARS) return prompt;
  const headEnd = prompt.lastIndexOf('\n', HEAD_CHARS);
  const tailStart = prompt.indexOf('\n', prompt.length - TAIL_CHARS);
  const head = prompt.slice(0, headEnd > 0 ? headEnd : HEAD_CHARS);
  const tail = tailStart >= 0 ? prompt.slice(tailStart + 1) : prompt.slice(prompt.length - TAIL_CHARS);
  return `${head}\n${tail}`;
}

/** How much of a prompt is read for file names. */
const FILES_SAMPLE = 8_000;

/** Extensions as numbers (their characters in base 128), so checking one allocates nothing. */
const FILE_EXTENSIONS = new Set([...['ts', 'tsx', 'js', 'jsx', 'py', 'go', 'rs', 'java', 'kt', 'cs', 'cpp', 'cc', 'hpp', 'h', 'c', 'rb', 'php', 'swift', 'scala', 'sql', 'yml', 'yaml', 'json', 'tf', 'sh', 'toml', 'proto']].map((e) => [...e].reduce((n, ch) => n * 128 + ch.charCodeAt(0), 0)));
const isNameChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45;

/**
 * Distinct file names mentioned (`name.ext`, by base name): a request about many files needs more than one about
 * one. A scan from each dot (a regex trying a name at every position was most of the classifier's time).
 */
function countFiles(text: string): number {
  const seen = new Set<string>();
  for (let dot = text.indexOf('.'); dot >= 0 && seen.size < 32; dot = text.indexOf('.', dot + 1)) {
    let end = dot + 1;
    while (end < text.length && end - dot <= 6 && isNameChar(text.charCodeAt(end))) end++;
    if (end === dot + 1 || end - dot > 6 || (end < text.length && isNameChar(text.charCodeAt(end)))) continue;
    let ext = 0;
    for (let i = dot + 1; i < end; i++) ext = ext * 128 + text.charCodeAt(i);
    if (!FILE_EXTENSIONS.has(ext)) continue;
    let start = dot;
    while (start > 0 && isNameChar(text.charCodeAt(start - 1))) start--;
    if (start < dot) seen.add(text.slice(start, end));
  }
  return seen.size;
}

function isFence(line: string): boolean {
  let i = 0;
  while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  const c = line.charCodeAt(i);
  return (c === 96 || c === 126) && line.charCodeAt(i + 1) === c && line.charCodeAt(i + 2) === c;
}
