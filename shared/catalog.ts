/**
 * The default model catalog: published list prices (USD per 1M tokens) as of CATALOG_DATE, context windows, the
 * most output tokens a request may ask for, what each model can take (tools, images, PDFs, a JSON schema,
 * reasoning), tokenizer encodings and seed latency figures. Rules files override any of them per model; the
 * ledger learns the real time to first token and output speed and replaces the seeds.
 */
import type { ProviderType } from './config';
import type { Needs } from './decision';

export const CATALOG_DATE = '2025-06-01';

export type Encoding = 'o200k_base' | 'cl100k_base';

/**
 * What a model can take, by the request's needs (shared/decision.ts `Needs`): `tools` (function tools, tool calls and
 * results in the conversation), `vision` (images), `documents` (PDFs), `structuredOutput` (a JSON schema the answer
 * must follow: OpenAI `response_format: json_schema`; Anthropic through a forced tool), `reasoning` (a reasoning
 * effort or a thinking budget).
 */
export type Capabilities = Needs;

export const CAPABILITY_KEYS = ['tools', 'vision', 'documents', 'structuredOutput', 'reasoning'] as const satisfies readonly (keyof Capabilities)[];

/**
 * A model the catalog does not know (a local server's, a provider's newer one) is assumed to take tools and a JSON
 * schema (what OpenAI-compatible servers commonly accept) but no images, PDFs or reasoning: a wrong "no" skips a
 * candidate with its reason in the trace, a wrong "yes" is an upstream 400. The rules file overrides it per model.
 */
export const UNCATALOGUED_CAPABILITIES: Readonly<Capabilities> = Object.freeze({
  tools: true, vision: false, documents: false, structuredOutput: true, reasoning: false,
});

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
  /** The most output tokens one request may ask for (the provider's documented limit). */
  maxOutputTokens: number;
  capabilities: Readonly<Capabilities>;
  encoding: Encoding;
  /** Seed time to first token, ms (replaced by the ledger's median once it has samples). */
  ttftMs: number;
  /** Seed output speed, tokens/s. */
  tokensPerSecond: number;
}

/** Capabilities as a short string, one letter each: t tools, v vision, d documents (PDF), s structured output, r reasoning. */
function can(letters: string): Readonly<Capabilities> {
  return Object.freeze({
    tools: letters.includes('t'), vision: letters.includes('v'), documents: letters.includes('d'),
    structuredOutput: letters.includes('s'), reasoning: letters.includes('r'),
  });
}

/** OpenAI bills cache writes as plain input; only its reads are discounted (`cachedIn`, per model). */
const openai = (
  id: string, inputPerMTok: number, cachedInputPerMTok: number, outputPerMTok: number, contextWindow: number,
  maxOutputTokens: number, capabilities: string, ttftMs: number, tokensPerSecond: number,
): CatalogEntry => ({
  id, provider: 'openai', inputPerMTok, outputPerMTok, cachedInputPerMTok, cacheWritePerMTok: inputPerMTok,
  contextWindow, maxOutputTokens, capabilities: can(capabilities), encoding: 'o200k_base', ttftMs, tokensPerSecond,
});

/** Anthropic prices its prompt cache off the input price: reads 0.1 ×, 5-minute writes 1.25 ×. */
const anthropic = (
  id: string, inputPerMTok: number, outputPerMTok: number, contextWindow: number, maxOutputTokens: number,
  capabilities: string, ttftMs: number, tokensPerSecond: number,
): CatalogEntry => ({
  id, provider: 'anthropic', inputPerMTok, outputPerMTok, cachedInputPerMTok: round(inputPerMTok * 0.1),
  cacheWritePerMTok: round(inputPerMTok * 1.25), contextWindow, maxOutputTokens, capabilities: can(capabilities),
  encoding: 'o200k_base', ttftMs, tokensPerSecond,
});

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

/*
 * Capabilities and output limits, from the providers' model pages:
 * - OpenAI: gpt-4o, gpt-4o-mini and gpt-4.1 take tools, images and PDFs (file inputs go to vision models);
 *   Structured Outputs (`response_format: json_schema`) came with gpt-4o-2024-08-06 and gpt-4o-mini-2024-07-18, so
 *   gpt-4o-2024-05-13 has JSON mode only. o3-mini reasons and takes tools and a schema, but no images (so no PDFs).
 *   Max output: gpt-4o-2024-05-13 4,096; gpt-4o-2024-08-06 and mini 16,384; gpt-4.1 family 32,768; o3-mini 100,000.
 * - Anthropic: every Claude 3+ model takes tools and images; a JSON schema is sent as a forced tool (the formats
 *   translate it), so structured output is there wherever tools are. PDFs: the 3.5, 3.7 and 4 models (not Claude 3
 *   Haiku). Extended thinking: 3.7 Sonnet, Sonnet 4, Opus 4. Max output: 3 Haiku 4,096; 3.5 Sonnet and 3.5 Haiku
 *   8,192; 3.7 Sonnet and Sonnet 4 64,000 (128k on 3.7 only behind a beta header, not assumed); Opus 4 32,000.
 */
export const CATALOG: readonly CatalogEntry[] = [
  //     id                          input  cached  output   context    max out  can       ttft  tok/s
  openai('gpt-4o-2024-08-06',         2.5,   1.25,   10,     128_000,    16_384, 'tvds',    450,   90),
  openai('gpt-4o-2024-05-13',         5,     5,      15,     128_000,     4_096, 'tvd',     500,   80), // no cache discount on this snapshot
  openai('gpt-4o-mini-2024-07-18',    0.15,  0.075,  0.6,    128_000,    16_384, 'tvds',    350,  120),
  openai('gpt-4.1-2025-04-14',        2,     0.5,    8,      1_047_576,  32_768, 'tvds',    500,   90),
  openai('gpt-4.1-mini-2025-04-14',   0.4,   0.1,    1.6,    1_047_576,  32_768, 'tvds',    400,  120),
  openai('gpt-4.1-nano-2025-04-14',   0.1,   0.025,  0.4,    1_047_576,  32_768, 'tvds',    300,  150),
  openai('o3-mini-2025-01-31',        1.1,   0.55,   4.4,    200_000,   100_000, 'tsr',    2000,  150),
  //        id                              input  output  context   max out  can      ttft  tok/s
  anthropic('claude-3-5-sonnet-20241022',    3,     15,     200_000,   8_192, 'tvds',   700,   75),
  anthropic('claude-3-7-sonnet-20250219',    3,     15,     200_000,  64_000, 'tvdsr',  750,   75),
  anthropic('claude-sonnet-4-20250514',      3,     15,     200_000,  64_000, 'tvdsr',  800,   70),
  anthropic('claude-opus-4-20250514',        15,    75,     200_000,  32_000, 'tvdsr', 1200,   40),
  anthropic('claude-3-5-haiku-20241022',     0.8,   4,      200_000,   8_192, 'tvds',   500,  110),
  anthropic('claude-3-haiku-20240307',       0.25,  1.25,   200_000,   4_096, 'tvs',    400,  140),
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
