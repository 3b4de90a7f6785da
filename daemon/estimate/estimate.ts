/**
 * Cost and latency estimate for one model: pure functions of the request, the model, its token counts and the
 * learned state — no I/O, no clock, so the router stays reproducible.
 */
import type { Usage } from '../../shared/canonical';
import type { Encoding } from '../../shared/catalog';
import type { Estimate, RouteRequest, RouterState } from '../../shared/decision';
import type { ResolvedModel } from '../rules/types';

/**
 * Expected output tokens per task, used when the request sets no `maxOutputTokens`. Typical answer lengths, not
 * caps — an estimate should be near the median answer, and the ledger's real usage is the check on them:
 * - classification 10: a label, yes/no, or a short JSON verdict.
 * - commit 60: a commit message — a subject line and a short body.
 * - summarize 250: a summary is short by construction: a paragraph or a few bullets.
 * - chat 300: a conversational reply of two or three paragraphs.
 * - explain 400: an explanation of a selection: several paragraphs, perhaps a small snippet.
 * - fix 500: the corrected snippet plus a sentence on what was wrong with the diagnostic.
 * - docs 500: doc comments or a README section for the selection.
 * - review 600: a list of findings with short code excerpts.
 * - refactor 800: the rewritten selection (a function or two, 40–80 lines of code) plus a short note.
 * - tests 1200: a test file is usually longer than the code it tests: imports, setup, several cases.
 * - default 400: an unknown task is treated like an explanation — the middle of the range above.
 */
export const DEFAULT_OUTPUT_TOKENS: Readonly<Record<string, number>> = Object.freeze({
  classification: 10,
  commit: 60,
  summarize: 250,
  chat: 300,
  explain: 400,
  fix: 500,
  docs: 500,
  review: 600,
  refactor: 800,
  tests: 1200,
  default: 400,
});

/** Learned latency replaces the catalog seed once the ledger has this many samples for the model. */
export const MIN_LATENCY_SAMPLES = 5;

/** Calibration factors outside this range are treated as a bad measurement and clamped. */
export const CALIBRATION_RANGE: readonly [number, number] = [0.25, 4];

/** The request's own cap when it gives one, else the task's typical answer length. */
export function expectedOutputTokens(req: Pick<RouteRequest, 'task' | 'maxOutputTokens'>): number {
  const max = req.maxOutputTokens;
  if (typeof max === 'number' && Number.isFinite(max) && max > 0) return Math.round(max);
  const task = typeof req.task === 'string' ? req.task.trim().toLowerCase() : '';
  return task && Object.hasOwn(DEFAULT_OUTPUT_TOKENS, task) ? DEFAULT_OUTPUT_TOKENS[task] : DEFAULT_OUTPUT_TOKENS.default;
}

/** Reported ÷ estimated input tokens for the model, 1 when unknown or not a usable number. */
export function calibrationFactor(calibration: RouterState['calibration'] | undefined, modelId: string): number {
  const f = calibration && Object.hasOwn(calibration, modelId) ? calibration[modelId] : undefined;
  if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0) return 1;
  return Math.min(CALIBRATION_RANGE[1], Math.max(CALIBRATION_RANGE[0], f));
}

/**
 * Input tokens, expected output tokens, cost and latency of sending `req` to `model`.
 *
 * - Input: the count in the model's encoding (else o200k_base, else any count given) × the model's calibration
 *   factor, rounded. Anthropic publishes no tokenizer, so its models are counted with o200k_base and the factor,
 *   learned from reported usage, corrects the difference.
 * - Output: `expectedOutputTokens(req)`.
 * - Cost: full-precision USD (callers format). NaN when the model has no known price — "unknown", never $0;
 *   NaN fails every comparison a rule can make and serialises to JSON as null.
 * - Time to first token and output speed: learned from the ledger once it has MIN_LATENCY_SAMPLES samples, else
 *   the catalog seed. latencyMs = ttftMs + output ÷ tokens per second. Whole milliseconds; NaN when the model has
 *   no usable speed.
 */
export function estimateFor(
  model: ResolvedModel,
  inputTokensByEncoding: Partial<Record<Encoding, number>>,
  req: RouteRequest,
  state: Pick<RouterState, 'latencyStats' | 'calibration'>,
): Estimate {
  const counted = tokensFor(model.encoding, inputTokensByEncoding);
  const inputTokens = Math.round(counted * calibrationFactor(state.calibration, model.id));
  const outputTokens = expectedOutputTokens(req);

  const costUsd = model.priceKnown
    ? (inputTokens * model.inputPerMTok + outputTokens * model.outputPerMTok) / 1e6
    : Number.NaN;

  const stat = state.latencyStats && Object.hasOwn(state.latencyStats, model.id) ? state.latencyStats[model.id] : undefined;
  const learned = stat !== undefined && stat.samples >= MIN_LATENCY_SAMPLES;
  const ttft = learned && nonNegative(stat.ttftMs) ? stat.ttftMs : model.ttftMs;
  const tps = learned && positive(stat.tokensPerSecond) ? stat.tokensPerSecond : model.tokensPerSecond;
  const ttftMs = nonNegative(ttft) ? Math.round(ttft) : Number.NaN;
  const latencyMs = positive(tps) ? Math.round(ttftMs + (outputTokens / tps) * 1000) : Number.NaN;

  return { inputTokens, outputTokens, costUsd, ttftMs, latencyMs };
}

function tokensFor(encoding: Encoding, counts: Partial<Record<Encoding, number>>): number {
  const own = counts[encoding];
  if (nonNegative(own)) return own;
  const o200k = counts.o200k_base;
  if (nonNegative(o200k)) return o200k;
  for (const v of Object.values(counts)) if (nonNegative(v)) return v;
  return 0;
}

function nonNegative(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

function positive(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0;
}

/** Cost from reported usage at the model's price; unknown (null) without usage or a known price. */
export function priceUsage(model: ResolvedModel | undefined, usage: Usage | undefined): number | null {
  if (!model || !usage || !model.priceKnown) return null;
  // Cache reads and writes are parts of inputTokens, priced at their own rates; the rest is plain input.
  const cached = clamp(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const written = clamp(usage.cacheWriteInputTokens ?? 0, usage.inputTokens - cached);
  const plain = usage.inputTokens - cached - written;
  return (plain * model.inputPerMTok + cached * model.cachedInputPerMTok + written * model.cacheWritePerMTok + usage.outputTokens * model.outputPerMTok) / 1e6;
}

const clamp = (n: number, most: number) => Math.max(0, Math.min(n, most));
