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
  contextWindow: number;
  encoding: Encoding;
  /** Seed time to first token, ms (replaced by the ledger's median once it has samples). */
  ttftMs: number;
  /** Seed output speed, tokens/s. */
  tokensPerSecond: number;
}

const entry = (
  id: string, provider: ProviderType, inputPerMTok: number, outputPerMTok: number, contextWindow: number,
  ttftMs: number, tokensPerSecond: number, encoding: Encoding = 'o200k_base',
): CatalogEntry => ({ id, provider, inputPerMTok, outputPerMTok, contextWindow, encoding, ttftMs, tokensPerSecond });

export const CATALOG: readonly CatalogEntry[] = [
  entry('gpt-4o-2024-08-06', 'openai', 2.5, 10, 128_000, 450, 90),
  entry('gpt-4o-2024-05-13', 'openai', 5, 15, 128_000, 500, 80),
  entry('gpt-4o-mini-2024-07-18', 'openai', 0.15, 0.6, 128_000, 350, 120),
  entry('gpt-4.1-2025-04-14', 'openai', 2, 8, 1_047_576, 500, 90),
  entry('gpt-4.1-mini-2025-04-14', 'openai', 0.4, 1.6, 1_047_576, 400, 120),
  entry('gpt-4.1-nano-2025-04-14', 'openai', 0.1, 0.4, 1_047_576, 300, 150),
  entry('o3-mini-2025-01-31', 'openai', 1.1, 4.4, 200_000, 2000, 150),
  entry('claude-3-5-sonnet-20241022', 'anthropic', 3, 15, 200_000, 700, 75),
  entry('claude-3-7-sonnet-20250219', 'anthropic', 3, 15, 200_000, 750, 75),
  entry('claude-sonnet-4-20250514', 'anthropic', 3, 15, 200_000, 800, 70),
  entry('claude-opus-4-20250514', 'anthropic', 15, 75, 200_000, 1200, 40),
  entry('claude-3-5-haiku-20241022', 'anthropic', 0.8, 4, 200_000, 500, 110),
  entry('claude-3-haiku-20240307', 'anthropic', 0.25, 1.25, 200_000, 400, 140),
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
