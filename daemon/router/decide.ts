/**
 * The router: `decide(input, rules, state) → Decision`. Pure — no I/O, no clock, no globals — so the same
 * request, rules and state always yield the same Decision, which is what makes routing testable and replayable.
 */
import type { Encoding } from '../../shared/catalog';
import type { Target } from '../../shared/config';
import type { Candidate, Decision, Estimate, RouteRequest, RouterState, Skipped, TraceEntry } from '../../shared/decision';
import { estimateFor, expectedOutputTokens } from '../estimate/estimate';
import type { CompiledRules, ResolvedModel } from '../rules/types';
import type { Features } from './conditions';
import type { PromptHits, PromptScanner } from './promptScan';

export interface RouteInput {
  request: RouteRequest;
  /** Token counts of the whole request per encoding (o200k_base always present). */
  tokens: Partial<Record<Encoding, number>>;
  /**
   * The prompt already read by a rules file's scanner (prepare.ts does it with the token count: both read the
   * whole prompt once per request). Used only when it came from these very rules; otherwise decide() scans.
   */
  promptScan?: { scanner: PromptScanner; hits: PromptHits };
  /** The counts are extrapolated: the request was too large to count whole (estimate/routeCount.ts). */
  tokensApproximate?: boolean;
}

/** A caller that names its target (HTTP `model`: a tier or a model) bypasses the rules; the trace says so. */
export interface ForcedTarget {
  target: Target;
  /** Shown as the Decision's rule, e.g. `model "fast"`. */
  label: string;
}

export function decide(input: RouteInput, rules: CompiledRules, state: RouterState, forced?: ForcedTarget): Decision {
  const { request } = input;
  const inputTokens = input.tokens.o200k_base ?? 0;
  let cost: number | undefined;
  let hits: PromptHits | undefined;
  const features: Features = {
    task: request.task,
    source: request.source,
    urgency: request.urgency ?? 'normal',
    language: request.language,
    prompt: request.prompt,
    inputTokens,
    maxOutputTokens: expectedOutputTokens(request),
    latencyBudgetMs: request.latencyBudgetMs,
    spentTodayUsd: state.spentTodayUsd,
    spentMonthUsd: state.spentMonthUsd,
    metadata: request.metadata ?? {},
    estimatedCostUsd: () => (cost ??= defaultCost(input, rules, state)),
    promptHits: () => (hits ??= input.promptScan?.scanner === rules.promptScanner ? input.promptScan.hits : rules.promptScanner.scan(request.prompt)),
  };

  const matchedIndex = forced ? -1 : rules.matcher.first(features);
  const explain = (): TraceEntry[] => {
    if (forced) return [];
    const trace: TraceEntry[] = new Array(rules.config.rules.length);
    const index = rules.matcher.explain(features, trace);
    if (index !== matchedIndex) throw new Error(`internal: the trace matched rule #${index + 1}, the decision rule #${matchedIndex + 1}`);
    if (index >= 0) trace.length = index + 1;
    return trace;
  };

  const target = forced?.target ?? (matchedIndex >= 0 ? rules.config.rules[matchedIndex].then : rules.config.default);
  const tier = typeof target === 'string' && Object.hasOwn(rules.config.tiers, target) ? target : null;
  const models = resolveTarget(target, rules);
  const candidates: Candidate[] = [];
  const skipped: Skipped[] = [];
  for (const m of models) {
    const provider = rules.providers[m.provider];
    const circuit = state.circuits[m.circuitKey];
    if (provider.keyRequired && !state.keys[m.provider]) {
      const where = provider.apiKeyEnv ? `set ${provider.apiKeyEnv} or use "Switchyard: Set API Key…"` : 'use "Switchyard: Set API Key…"';
      skipped.push({ name: m.name, provider: m.provider, model: m.id, reason: 'no-key', detail: `no API key for provider "${m.provider}" (${where})` });
    } else if (circuit?.state === 'open' && circuit.openUntil !== undefined && circuit.openUntil > state.now) {
      skipped.push({ name: m.name, provider: m.provider, model: m.id, reason: 'circuit-open', detail: `circuit open after ${circuit.consecutiveFailures} consecutive failures, until ${new Date(circuit.openUntil).toISOString()}`, until: circuit.openUntil });
    } else {
      candidates.push({ name: m.name, provider: m.provider, providerType: m.providerType, model: m.id, estimate: estimateFor(m, input.tokens, request, state) });
    }
  }
  const estimate = candidates[0]?.estimate ?? estimateFor(models[0], input.tokens, request, state);
  const rule = forced?.label ?? (matchedIndex >= 0 ? rules.config.rules[matchedIndex].name : 'default');
  const decision = new RoutedDecision(rule, matchedIndex, tier, target, candidates, skipped, estimate, inputTokens, explain);
  if (input.tokensApproximate) decision.inputTokensApproximate = true;
  return decision;
}

/**
 * A Decision whose trace is written when first read. Proxying a request never reads it, so routing tries the
 * rules with the allocation-free `matcher.first`; a preview, a dry run or the CLI reads `trace`, and the rules run
 * again with `matcher.explain` on the very same features — decide() is pure, so it is exactly the trace this
 * decision was made by (checked: both must pick the same rule). JSON (the WebSocket, the CLI) includes it.
 */
class RoutedDecision implements Decision {
  #trace: TraceEntry[] | undefined;
  readonly #explain: () => TraceEntry[];

  constructor(
    readonly rule: string,
    readonly ruleIndex: number,
    readonly tier: string | null,
    readonly target: Target,
    readonly candidates: Candidate[],
    readonly skipped: Skipped[],
    readonly estimate: Estimate,
    readonly inputTokens: number,
    explain: () => TraceEntry[],
  ) {
    this.#explain = explain;
  }

  get trace(): TraceEntry[] {
    return (this.#trace ??= this.#explain());
  }

  inputTokensApproximate?: true;

  toJSON(): Decision {
    const { rule, ruleIndex, tier, target, candidates, skipped, trace, estimate, inputTokens, inputTokensApproximate } = this;
    return { rule, ruleIndex, tier, target, candidates, skipped, trace, estimate, inputTokens, ...(inputTokensApproximate ? { inputTokensApproximate } : {}) };
  }
}

/** A tier's models, a single model, or an inline list. Names were checked at load. */
export function resolveTarget(target: Target, rules: CompiledRules): ResolvedModel[] {
  const names = Array.isArray(target) ? target : Object.hasOwn(rules.config.tiers, target) ? rules.config.tiers[target] : [target];
  return names.filter((n) => Object.hasOwn(rules.models, n)).map((n) => rules.models[n]);
}

/** `estimatedCostUsd` conditions compare against the default target's first model. */
function defaultCost(input: RouteInput, rules: CompiledRules, state: RouterState): number {
  const first = resolveTarget(rules.config.default, rules)[0];
  return first ? estimateFor(first, input.tokens, input.request, state).costUsd : 0;
}
