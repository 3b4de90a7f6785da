/**
 * The router: `decide(input, rules, state) → Decision`. Pure — no I/O, no clock, no globals — so the same
 * request, rules and state always yield the same Decision, which is what makes routing testable and replayable.
 * A conversation's pin (affinity.ts) comes in with the state, looked up by the caller.
 */
import { CAPABILITY_KEYS, type Capabilities, type Encoding } from '../../shared/catalog';
import type { Target } from '../../shared/config';
import type {
  AffinityNote, Candidate, Decision, Estimate, Needs, Pin, RouteRequest, RouterState, Skipped, TraceEntry, Verdict,
} from '../../shared/decision';
import { classify } from '../classifier/classify';
import { classifierInput } from '../classifier/features';
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
  /** The classifier's verdict, when prepare.ts made it (rules that test it); otherwise made on first use. */
  verdict?: Verdict;
}

/** A caller that names its target (HTTP `model`: a tier or a model) bypasses the rules; the trace says so. */
export interface ForcedTarget {
  target: Target;
  /** Shown as the Decision's rule, e.g. `model "fast"`. */
  label: string;
}

export function decide(input: RouteInput, rules: CompiledRules, state: RouterState, forced?: ForcedTarget): Decision {
  const { request } = input;
  const shape = request.shape;
  const inputTokens = input.tokens.o200k_base ?? 0;
  let cost: number | undefined;
  let hits: PromptHits | undefined;
  let verdict = input.verdict;
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
    hasTools: shape?.hasTools ?? false,
    hasImages: shape?.hasImages ?? false,
    turns: shape?.turns ?? plainTurns(request),
    lastIsToolResult: shape?.lastIsToolResult ?? false,
    client: shape?.client,
    reasoning: shape?.reasoning,
    estimatedCostUsd: () => (cost ??= defaultCost(input, rules, state)),
    promptHits: () => (hits ??= input.promptScan?.scanner === rules.promptScanner ? input.promptScan.hits : rules.promptScanner.scan(request.prompt)),
    verdict: () => (verdict ??= classify(classifierInput(request))),
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

  // Precedence: a caller's named target > a matching rule with breaksAffinity > the conversation's pin > the rules.
  const pinned = forced || !state.pin ? undefined : followPin(state.pin, matchedIndex, input, rules, state);
  const kept = pinned?.kept;
  const ruleIndex = kept ? kept.index : matchedIndex;
  const target = kept?.target ?? forced?.target ?? (matchedIndex >= 0 ? rules.config.rules[matchedIndex].then : rules.config.default);
  const models = kept?.models ?? resolveTarget(target, rules);
  const { candidates, skipped } = kept?.routed ?? route(models, input, rules, state);
  const tier = typeof target === 'string' && Object.hasOwn(rules.config.tiers, target) ? target : null;
  const estimate = candidates[0]?.estimate ?? estimateFor(models[0], input.tokens, request, state);
  const rule = forced?.label ?? (ruleIndex >= 0 ? rules.config.rules[ruleIndex].name : 'default');
  const decision = new RoutedDecision(rule, ruleIndex, tier, target, candidates, skipped, estimate, inputTokens, explain);
  if (input.tokensApproximate) decision.inputTokensApproximate = true;
  if (forced) decision.forced = true;
  if (pinned) decision.affinity = pinned.note;
  if (verdict) decision.verdict = verdict;
  return decision;
}

interface Routed {
  candidates: Candidate[];
  skipped: Skipped[];
}

/** The models in order, each a candidate or skipped with its reason (no key, open circuit, cannot serve the request). */
function route(models: readonly ResolvedModel[], input: RouteInput, rules: CompiledRules, state: RouterState): Routed {
  const { request } = input;
  const candidates: Candidate[] = [];
  const skipped: Skipped[] = [];
  for (const m of models) {
    const provider = rules.providers[m.provider];
    const circuit = state.circuits[m.circuitKey];
    if (provider.keyRequired && !state.keys[m.provider]) {
      const where = provider.apiKeyEnv ? `set ${provider.apiKeyEnv} or use "Switchyard: Set API Key…"` : 'use "Switchyard: Set API Key…"';
      skipped.push(skip(m, 'no-key', `no API key for provider "${m.provider}" (${where})`));
      continue;
    }
    if (circuit?.state === 'open' && circuit.openUntil !== undefined && circuit.openUntil > state.now) {
      skipped.push({ ...skip(m, 'circuit-open', `circuit open after ${circuit.consecutiveFailures} consecutive failures, until ${new Date(circuit.openUntil).toISOString()}`), until: circuit.openUntil });
      continue;
    }
    const lacking = request.shape ? missingCapabilities(request.shape.needs, m) : undefined;
    if (lacking) { skipped.push(skip(m, 'capability', lacking)); continue; }
    const estimate = estimateFor(m, input.tokens, request, state);
    const tooLong = overContext(estimate.inputTokens, request.maxOutputTokens, m);
    if (tooLong) { skipped.push(skip(m, 'context-window', tooLong)); continue; }
    candidates.push({ name: m.name, provider: m.provider, providerType: m.providerType, model: m.id, estimate });
  }
  return { candidates, skipped };
}

const skip = (m: ResolvedModel, reason: Skipped['reason'], detail: string): Skipped => ({ name: m.name, provider: m.provider, model: m.id, reason, detail });

const CANNOT: Readonly<Record<keyof Capabilities, string>> = {
  tools: 'use tools',
  vision: 'read images',
  documents: 'read PDF documents',
  structuredOutput: 'follow a JSON schema',
  reasoning: 'take a reasoning effort or thinking budget',
};

/** Why `m` cannot serve a request with these needs, or undefined when it can. A few comparisons per candidate. */
function missingCapabilities(needs: Needs, m: ResolvedModel): string | undefined {
  const caps = m.capabilities;
  if ((!needs.tools || caps.tools) && (!needs.vision || caps.vision) && (!needs.documents || caps.documents)
    && (!needs.structuredOutput || caps.structuredOutput) && (!needs.reasoning || caps.reasoning)) return undefined;
  const missing = CAPABILITY_KEYS.filter((k) => needs[k] && !caps[k]);
  return `${m.id} cannot ${missing.map((k) => CANNOT[k]).join(' or ')} (${missing.map((k) => `capabilities.${k}`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} false)`;
}

/** Why the request does not fit `m` — more output asked than it writes, or more tokens than its context window — or undefined. */
function overContext(inputTokens: number, maxOutput: number | undefined, m: ResolvedModel): string | undefined {
  const asked = typeof maxOutput === 'number' && Number.isFinite(maxOutput) && maxOutput > 0 ? maxOutput : 0;
  if (asked > m.maxOutputTokens) {
    return `the request asks for up to ${count(asked)} output tokens; ${m.id} writes at most ${count(m.maxOutputTokens)} (maxOutputTokens)`;
  }
  if (inputTokens + asked > m.contextWindow) {
    const wants = asked ? `≈${count(inputTokens)} input + ${count(asked)} output tokens` : `≈${count(inputTokens)} input tokens`;
    return `${wants} exceed ${m.id}'s context window of ${count(m.contextWindow)}`;
  }
  return undefined;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * How a pin bears on this request, given the rule the rules alone picked: kept — its rule (found by name: a
 * reload may have moved it), target, and the candidates with the pinned model first — or broken, and why.
 */
function followPin(pin: Pin, matchedIndex: number, input: RouteInput, rules: CompiledRules, state: RouterState): {
  note: AffinityNote;
  kept?: { index: number; target: Target; models: ResolvedModel[]; routed: Routed };
} {
  const list = rules.config.rules;
  if (matchedIndex >= 0 && list[matchedIndex].breaksAffinity) return { note: note(pin, `rule "${list[matchedIndex].name}" matched, and it breaks affinity`) };
  let index = -1;
  if (pin.rule !== 'default' || pin.ruleIndex >= 0) {
    index = list[pin.ruleIndex]?.name === pin.rule ? pin.ruleIndex : list.findIndex((r) => r.name === pin.rule);
    if (index < 0) return { note: note(pin, `the pinned rule "${pin.rule}" is no longer in the rules`) };
  }
  const target = index >= 0 ? list[index].then : rules.config.default;
  const listed = resolveTarget(target, rules);
  const model = Object.hasOwn(rules.models, pin.model) ? rules.models[pin.model] : undefined;
  if (!model || !listed.includes(model)) {
    return { note: note(pin, `the pinned model "${pin.model}" is no longer a candidate of ${index >= 0 ? `rule "${pin.rule}"` : 'the default'}`) };
  }
  const models = [model, ...listed.filter((m) => m !== model)];
  const routed = route(models, input, rules, state);
  const why = routed.skipped.find((sk) => sk.name === model.name);
  if (why) return { note: note(pin, `the pinned model "${model.name}" is skipped (${why.detail})`) };
  return { note: note(pin), kept: { index, target, models, routed } };
}

function note(pin: Pin, broken?: string): AffinityNote {
  const n: AffinityNote = { key: pin.key, turn: pin.turns + 1, rule: pin.rule, model: pin.model, since: pin.since };
  if (broken) n.broken = broken;
  return n;
}

/** User turns of a request without a shape (the editor's): its user messages, and the prompt when they lack it. */
function plainTurns(request: RouteRequest): number {
  const messages = request.messages;
  if (!messages?.length) return 1;
  let turns = 0;
  let promptSeen = request.prompt.length === 0;
  for (const m of messages) {
    if (m.role !== 'user') continue;
    turns++;
    if (!promptSeen && m.content === request.prompt) promptSeen = true;
  }
  return promptSeen ? turns : turns + 1;
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
  forced?: true;
  affinity?: AffinityNote;
  verdict?: Verdict;

  toJSON(): Decision {
    const { rule, ruleIndex, tier, target, candidates, skipped, trace, estimate, inputTokens, inputTokensApproximate, forced, affinity, verdict } = this;
    return {
      rule, ruleIndex, tier, target, candidates, skipped, trace, estimate, inputTokens,
      ...(inputTokensApproximate ? { inputTokensApproximate } : {}), ...(forced ? { forced } : {}), ...(affinity ? { affinity } : {}),
      ...(verdict ? { verdict } : {}),
    };
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
