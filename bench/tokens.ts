/**
 * Token counting and estimate benchmark: counting speed at 1 KB … 1 MB (a new text in a warm daemon, a first text
 * after start-up, and tiktoken alone for reference), the cached recount of an unchanged 1 MB prompt, and the full
 * estimate of a 4,000-token prompt (count + estimateFor for four candidates), P50/P99.
 *   node --import tsx bench/tokens.ts
 * The text is real code (TypeScript's own compiler, from node_modules), sliced at different offsets so that every
 * measured text is new to the whole-text cache; synthetic text is used if that file is missing.
 */
import { readFileSync } from 'node:fs';
import { CATALOG, type Encoding } from '../shared/catalog';
import type { RouteRequest, RouterState } from '../shared/decision';
import { estimateFor } from '../daemon/estimate/estimate';
import {
  clearTokenCaches,
  countRouteTokens,
  countTokens,
  countTokensDirect,
  warmTokenizer,
} from '../daemon/estimate/tokens';
import type { ResolvedModel } from '../daemon/rules/types';
import { printTable, type Row } from './table';

const ENCODING: Encoding = 'o200k_base';
const ESTIMATE_BAR_MS = 2;
const PROMPT_TOKENS = 4000;
const CANDIDATES = ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', 'claude-3-5-haiku-20241022', 'claude-3-5-sonnet-20241022'];
const SIZES: Array<[label: string, bytes: number, runs: number]> = [
  ['1 KB', 1024, 51],
  ['10 KB', 10 * 1024, 31],
  ['100 KB', 100 * 1024, 11],
  ['1 MB', 1024 * 1024, 5],
];

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (x: number) => (x < 1 ? `${fmt(x * 1000, 0)} µs` : x < 10 ? `${fmt(x, 2)} ms` : `${fmt(x, 1)} ms`);
const mbps = (bytes: number, millis: number) => `${fmt(bytes / 1024 / 1024 / (millis / 1000), 1)} MB/s`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}
function timed(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** Real code if available, else deterministic synthetic text with a code-like vocabulary. */
function loadCorpus(): { text: string; source: string } {
  try {
    const path = require.resolve('typescript/lib/typescript.js');
    return { text: readFileSync(path, 'utf8'), source: 'typescript.js' };
  } catch {
    let s = 0x2545f491;
    const r = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
    const words = ['const', 'return', 'function', 'value', 'node', 'type', 'if', 'else', 'the', 'of', 'checker', 'symbol'];
    const parts: string[] = [];
    let n = 0;
    while (n < 8 << 20) {
      const w = r() < 0.8 ? words[Math.floor(r() * words.length)] : Math.floor(r() * 1e6).toString(36);
      const sep = r() < 0.1 ? ';\n    ' : r() < 0.3 ? '.' : ' ';
      parts.push(w, sep);
      n += w.length + sep.length;
    }
    return { text: parts.join(''), source: 'synthetic' };
  }
}

function resolvedModel(id: string): ResolvedModel {
  const e = CATALOG.find((c) => c.id === id)!;
  return {
    name: id, provider: e.provider, providerType: e.provider, id, circuitKey: `${e.provider}/${id}`, inputPerMTok: e.inputPerMTok,
    outputPerMTok: e.outputPerMTok, cachedInputPerMTok: e.cachedInputPerMTok, cacheWritePerMTok: e.cacheWritePerMTok,
    priceKnown: true, contextWindow: e.contextWindow, maxOutputTokens: e.maxOutputTokens, capabilities: e.capabilities, encoding: e.encoding,
    ttftMs: e.ttftMs, tokensPerSecond: e.tokensPerSecond,
  };
}

export async function benchTokens(): Promise<Row[]> {
  const { text: corpus, source } = loadCorpus();
  let offset = 0;
  /** A slice of the corpus not handed out before (wrapping around a long corpus), so the whole-text cache misses. */
  const fresh = (size: number): string => {
    if (offset + size > corpus.length) offset = (offset % 997) + 1;
    const s = corpus.slice(offset, offset + size);
    offset += size + 13;
    return s;
  };
  const rows: Row[] = [];

  const startup = timed(() => warmTokenizer(ENCODING));
  rows.push({ name: `tokenizer start-up (${ENCODING}, once per process)`, value: ms(startup) });

  // Warm the piece cache as a running daemon would be: with other text of the same kind.
  countTokens(fresh(256 * 1024), ENCODING);

  for (const [label, size, runs] of SIZES) {
    const warm: number[] = [];
    const cold: number[] = [];
    const direct: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = fresh(size);
      warm.push(timed(() => countTokens(t, ENCODING)));
      direct.push(timed(() => countTokensDirect(t, ENCODING)));
    }
    // Cold: every cache empty (the encoder itself stays loaded), as for the first prompt after start-up.
    const saved = fresh(256 * 1024);
    for (let i = 0; i < runs; i++) {
      const t = fresh(size);
      clearTokenCaches();
      cold.push(timed(() => countTokens(t, ENCODING)));
    }
    countTokens(saved, ENCODING); // re-warm for the next size
    const w = median(warm);
    const c = median(cold);
    const d = median(direct);
    rows.push({ name: `count ${label}, new text, warm daemon (median of ${runs})`, value: `${ms(w)} · ${mbps(size, w)}` });
    rows.push({ name: `count ${label}, first text after start-up (caches empty)`, value: `${ms(c)} · ${mbps(size, c)}` });
    rows.push({ name: `count ${label}, tiktoken encode_ordinary alone (reference)`, value: `${ms(d)} · ${mbps(size, d)}` });
  }

  // Cached recount of an unchanged 1 MB prompt.
  const big = fresh(1024 * 1024);
  const first = timed(() => countTokens(big, ENCODING));
  const again: number[] = [];
  for (let i = 0; i < 21; i++) again.push(timed(() => countTokens(big, ENCODING)));
  const recount = median(again);
  rows.push({
    name: 'recount unchanged 1 MB prompt (cache hit: SHA-1 of the text)',
    value: `${ms(recount)} (first count ${ms(first)}, ${fmt(first / recount)}× faster)`,
    bar: '< 1/20 of first count',
    ok: recount < first / 20,
  });

  // Full estimate of a 4,000-token prompt: count the conversation, then estimate every candidate.
  const models = CANDIDATES.map(resolvedModel);
  const state: Pick<RouterState, 'latencyStats' | 'calibration'> = {
    latencyStats: { [CANDIDATES[0]]: { ttftMs: 300, tokensPerSecond: 110, samples: 40 } },
    calibration: { [CANDIDATES[2]]: 1.08, [CANDIDATES[3]]: 1.08 },
  };
  const probe = corpus.slice(0, 40_000);
  const charsPerToken = probe.length / countTokensDirect(probe, ENCODING);
  const promptChars = Math.round(PROMPT_TOKENS * charsPerToken);
  const system = 'You are a careful senior engineer. Answer with code when code is asked for.';
  let sink = 0;
  let tokensSeen = 0;
  const fullEstimate = (prompt: string) => {
    const req: RouteRequest = { prompt, system, task: 'refactor', source: 'codeAction' };
    const tokens = countRouteTokens(req, ENCODING);
    tokensSeen = tokens;
    for (const m of models) sink += estimateFor(m, { [ENCODING]: tokens }, req, state).costUsd;
  };
  const measure = (n: number, prep: (i: number) => string, before?: () => void): number[] => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = prep(i);
      before?.();
      out.push(timed(() => fullEstimate(p)) * 1000);
    }
    return out.sort((a, b) => a - b);
  };
  const us = (xs: number[]) => `P50 ${fmt(percentile(xs, 50))} µs · P99 ${fmt(percentile(xs, 99))} µs`;

  for (let i = 0; i < 20; i++) fullEstimate(fresh(promptChars)); // warm-up (JIT, piece cache)
  const newPrompt = measure(300, () => fresh(promptChars));
  rows.push({
    name: `estimate, new ${fmt(tokensSeen)}-token prompt, warm daemon (count + ${models.length} candidates)`,
    value: us(newPrompt),
    // Judged at the median: the tail is prompts with many pieces never seen before, which only tiktoken can count.
    bar: `P50 ≤ ${ESTIMATE_BAR_MS} ms`,
    ok: percentile(newPrompt, 50) <= ESTIMATE_BAR_MS * 1000,
  });
  const same = fresh(promptChars);
  fullEstimate(same);
  const repeat = measure(300, () => same);
  rows.push({
    name: 'estimate, same prompt again (preview, then send)',
    value: us(repeat),
    bar: `P99 ≤ ${ESTIMATE_BAR_MS} ms`,
    ok: percentile(repeat, 99) <= ESTIMATE_BAR_MS * 1000,
  });
  const coldPrompt = measure(40, () => fresh(promptChars), clearTokenCaches);
  rows.push({ name: 'estimate, first prompt after start-up (caches empty)', value: us(coldPrompt) });
  countTokens(fresh(256 * 1024), ENCODING); // leave the caches warm for whoever runs next

  if (!Number.isFinite(sink)) throw new Error('estimate produced a non-finite cost');
  rows.push({ name: 'text', value: `${source}, ${fmt(charsPerToken, 2)} characters per token` });
  return rows;
}

if (require.main === module) {
  benchTokens().then(
    (rows) => {
      printTable('Tokens and estimate (tiktoken WASM)', rows);
      if (rows.some((r) => r.ok === false)) process.exitCode = 1;
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
