/**
 * Helpers shared by the pure wire-format translators. Nothing here does I/O or reads the clock.
 *
 * Usage convention inside the daemon (canonical `Usage`): `inputTokens` counts EVERY input token, cached or
 * not (OpenAI's `prompt_tokens` convention); `cachedInputTokens` is the part of it read from a cache.
 * `outputTokens` counts every output token; `reasoningTokens` is the part of it spent on reasoning.
 * Anthropic reports cache reads and cache writes apart from `input_tokens`, so its translator adds them in.
 */
import type { FinishReason, ReasoningEffort, Usage } from '../../shared/canonical';
import { MAX_OUTPUT_TOKENS } from '../../shared/config';

export type RequestFormatErrorCode = 'invalid_request' | 'unsupported';

/**
 * A request body a client sent to the daemon's HTTP API that cannot become a canonical request.
 * The HTTP server answers it with 400 in the caller's error format.
 */
export class RequestFormatError extends Error {
  readonly status = 400;
  constructor(
    readonly code: RequestFormatErrorCode,
    message: string,
    /** Where in the body, e.g. `messages[2].content[0].type`. */
    readonly param?: string,
  ) {
    super(message);
    this.name = 'RequestFormatError';
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** A count from a provider, or 0 when absent or not a number. */
export const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

export function invalid(param: string, message: string): never {
  throw new RequestFormatError('invalid_request', message, param);
}

export function unsupported(param: string, message: string): never {
  throw new RequestFormatError('unsupported', message, param);
}

/** Validates and copies the optional sampling fields both wire formats share. */
export function readTemperature(v: unknown, param = 'temperature'): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 2) invalid(param, `${param} must be a number from 0 to 2, got ${describeNumber(v)}`);
  return v;
}

/**
 * `max_tokens` / `max_completion_tokens`: a whole number from 1 to MAX_OUTPUT_TOKENS (the largest context
 * window in the catalog, so no model can give more). Refused here, at parse time, so an absurd value such as
 * `1e308` never reaches the estimate (it priced at $6e+301) or an upstream; the per-model limit is routing's.
 */
export function readMaxTokens(v: unknown, param: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isNonNegInt(v) || v < 1 || v > MAX_OUTPUT_TOKENS) {
    invalid(param, `${param} must be a whole number from 1 to ${MAX_OUTPUT_TOKENS} (no model's context window is larger), got ${describeNumber(v)}`);
  }
  return v;
}

/** Any JSON value as text for a message: strings as they are, the rest as JSON (String() throws on `{"toString":{}}`). */
export function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? typeof v;
}

/** A refused value as the caller wrote it, short: `1e+308`, `"100"`, `1.5`, `Infinity` (from `1e400`). */
function describeNumber(v: unknown): string {
  return typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)).slice(0, 40);
}

export function readStream(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') invalid('stream', 'stream must be a boolean');
  return v;
}

/** Describes a content part type we refuse, with a message that says what is supported. */
export function refusePart(param: string, type: unknown): never {
  const t = typeof type === 'string' ? type : 'unknown';
  if (/image/.test(t)) unsupported(param, `image content is not supported by Switchyard yet (${param}: "${t}"); send text only`);
  if (/tool|function/.test(t)) unsupported(param, `tool use is not supported by Switchyard yet (${param}: "${t}")`);
  unsupported(param, `content part type "${t}" is not supported (${param}); only text parts are`);
}

/** A copy of a usage without keys whose value is undefined (stable JSON for golden files and the ledger). */
export function cleanUsage(u: Usage): Usage {
  const out: Usage = { inputTokens: u.inputTokens, outputTokens: u.outputTokens };
  if (u.cachedInputTokens !== undefined) out.cachedInputTokens = u.cachedInputTokens;
  if (u.reasoningTokens !== undefined) out.reasoningTokens = u.reasoningTokens;
  return out;
}

export const FINISH_REASONS: readonly FinishReason[] = ['stop', 'length', 'stop_sequence', 'content_filter', 'tool_calls', 'other'];

/** One Server-Sent Event as text: `event:` line only when named, one `data:` line (JSON has no newlines). */
export function sseFrame(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`;
}

// ---- added by the anthropic codec: reasoning effort ⇄ thinking budget, one table for every format ----

/** OpenAI `reasoning_effort` / Responses `reasoning.effort` → Anthropic `thinking.budget_tokens` (Anthropic's minimum is 1024). */
export function effortToBudget(effort: ReasoningEffort): number {
  switch (effort) {
    case 'minimal': return 1024;
    case 'low': return 2048;
    case 'medium': return 8192;
    case 'high': return 24576;
  }
}

/** Anthropic `thinking.budget_tokens` → the nearest OpenAI effort. */
export function budgetToEffort(budget: number): ReasoningEffort {
  if (budget <= 1024) return 'minimal';
  if (budget <= 4096) return 'low';
  if (budget <= 16384) return 'medium';
  return 'high';
}

// ---- added by the openai-chat codec: data URLs (OpenAI carries inline images and files as `data:` URLs) ----

/** `data:<mediaType>;base64,<data>` → its parts; undefined for anything else (a URL, or a data URL that is not base64). */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]+)(?:;[^;,=]+=[^;,]*)*;base64,/i.exec(url);
  return m ? { mediaType: m[1]!.toLowerCase(), data: url.slice(m[0].length) } : undefined;
}

export const toDataUrl = (mediaType: string, data: string): string => `data:${mediaType};base64,${data}`;
