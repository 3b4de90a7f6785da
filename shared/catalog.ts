/**
 * The default model catalog: published list prices (USD per 1M tokens) as of CATALOG_DATE, context windows,
 * tokenizer encodings and seed latency figures. Rules files override prices per model; the ledger learns the
 * real time to first token and output speed and replaces the seeds.
 */
import type { ProviderType } from './config';

export const CATALOG_DATE = '2025-06-01';

export type Encoding = 'o200k_base' | 'cl100k_base';

export interface CatalogEntry {
  id: string;
  provider: ProviderType;
  inputPerMTok: number;
  outputPerMTok: number;
  /** Input read from the provider's prompt cache (OpenAI: 50–75 % off; Anthropic: 0.1 × input). */
  cachedInputPerMTok: number;
  /** Input written to the prompt cache (Anthropic, 5-minute cache: 1.25 × input; OpenAI: the input price). */
  cacheWritePerMTok: number;
  contextWindow: number;
  encoding: Encoding;
  /** Seed time to first token, ms (replaced by the ledger's median once it has samples). */
  ttftMs: number;
  /** Seed output speed, tokens/s. */
  tokensPerSecond: number;
}

/** OpenAI bills cache writes as plain input; only its reads are discounted (`cachedIn`, per model). */
const openai = (
  id: string, inputPerMTok: number, cachedInputPerMTok: number, outputPerMTok: number, contextWindow: number,
  ttftMs: number, tokensPerSecond: number,
): CatalogEntry => ({
  id, provider: 'openai', inputPerMTok, outputPerMTok, cachedInputPerMTok, cacheWritePerMTok: inputPerMTok,
  contextWindow, encoding: 'o200k_base', ttftMs, tokensPerSecond,
});

/** Anthropic prices its prompt cache off the input price: reads 0.1 ×, 5-minute writes 1.25 ×. */
const anthropic = (
  id: string, inputPerMTok: number, outputPerMTok: number, contextWindow: number, ttftMs: number, tokensPerSecond: number,
): CatalogEntry => ({
  id, provider: 'anthropic', inputPerMTok, outputPerMTok, cachedInputPerMTok: round(inputPerMTok * 0.1),
  cacheWritePerMTok: round(inputPerMTok * 1.25), contextWindow, encoding: 'o200k_base', ttftMs, tokensPerSecond,
});

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

export const CATALOG: readonly CatalogEntry[] = [
  //     id                          input  cached  output   context    ttft  tok/s
  openai('gpt-4o-2024-08-06',         2.5,   1.25,   10,     128_000,    450,   90),
  openai('gpt-4o-2024-05-13',         5,     5,      15,     128_000,    500,   80), // no cache discount on this snapshot
  openai('gpt-4o-mini-2024-07-18',    0.15,  0.075,  0.6,    128_000,    350,  120),
  openai('gpt-4.1-2025-04-14',        2,     0.5,    8,      1_047_576,  500,   90),
  openai('gpt-4.1-mini-2025-04-14',   0.4,   0.1,    1.6,    1_047_576,  400,  120),
  openai('gpt-4.1-nano-2025-04-14',   0.1,   0.025,  0.4,    1_047_576,  300,  150),
  openai('o3-mini-2025-01-31',        1.1,   0.55,   4.4,    200_000,   2000,  150),
  //        id                              input  output  context   ttft  tok/s
  anthropic('claude-3-5-sonnet-20241022',    3,     15,     200_000,   700,   75),
  anthropic('claude-3-7-sonnet-20250219',    3,     15,     200_000,   750,   75),
  anthropic('claude-sonnet-4-20250514',      3,     15,     200_000,   800,   70),
  anthropic('claude-opus-4-20250514',        15,    75,     200_000,  1200,   40),
  anthropic('claude-3-5-haiku-20241022',     0.8,   4,      200_000,   500,  110),
  anthropic('claude-3-haiku-20240307',       0.25,  1.25,   200_000,   400,  140),
];

const byId = new Map(CATALOG.map((e) => [e.id, e]));
export function catalogEntry(id: string): CatalogEntry | undefined {
  return byId.get(id);
}

/** Ids that name a moving target rather than a dated snapshot (`gpt-4o`, `claude-3-5-sonnet-latest`). */
export function looksLikeFloatingAlias(id: string): boolean {
  if (/-latest$/.test(id)) return true;
  if (/\d{4}-\d{2}-\d{2}$/.test(id) || /\d{8}$/.test(id)) return false;
  return /^(gpt-|o\d|claude-)/.test(id);
}

/** The dated ids a floating alias most likely means, for the warning's suggestion. */
export function suggestPinned(alias: string): string[] {
  const stem = alias.replace(/-latest$/, '');
  return CATALOG.filter((e) => e.id.startsWith(stem + '-')).map((e) => e.id);
}
