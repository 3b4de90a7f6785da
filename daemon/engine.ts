/**
 * The engine: one request from decision to ledger. Holds the live state the router reads (spend, circuits,
 * keys, learned latency) and emits the events the editor listens to. Transport-free: the HTTP server, the
 * WebSocket server and `switchyard ask` all call it.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { CanonicalRequest, Usage } from '../shared/canonical';
import { textMessages } from '../shared/canonical';
import type { Encoding } from '../shared/catalog';
import type { Decision, RouteRequest, RouterState } from '../shared/decision';
import { ErrorCodes, type Attempt, type CompletionResult, type LedgerEntry, type ProviderHealth } from '../shared/protocol';
import { CircuitBreakers } from './dispatch/circuit';
import { DEFAULT_STALL_TIMEOUT_MS, dispatch, DispatchError, type DispatchResult, type UpstreamRejection } from './dispatch/dispatch';
import { upstreamLeg, type Leg, type LegChunk } from './dispatch/leg';
import { planCalls, type CallerExtras } from './dispatch/plan';
import type { Ledger } from './ledger/ledger';
import { AdapterPool } from './providers/index';
import { keepAliveFetch } from './providers/keepAliveFetch';
import { KeyStore } from './providers/keys';
import { ProviderError, type ProviderAdapter, type UpstreamCall } from './providers/types';
import { priceUsage } from './estimate/estimate';
import { countRoute, countTokens } from './estimate/tokens';
import { verdictSketch } from './classifier/classify';
import { escalationTarget } from './escalation';
import { AffinityStore } from './router/affinity';
import { decide, resolveTarget, type ForcedTarget, type RouteInput } from './router/decide';
import { prepareRouteInput, type RouteCounter } from './router/prepare';
import type { CompiledRules } from './rules/types';

/** Learned latency and calibration move slowly: re-read them from the ledger at most this often (they cost ~1.5 ms). */
const LEARN_INTERVAL_MS = 5_000;

export interface EngineEvents {
  spend: [LedgerEntry];
  health: [ProviderHealth[]];
}

export interface CompleteOptions {
  /** The full request when the caller sent one (HTTP, with its raw body); otherwise built from the RouteRequest. */
  canonical?: CanonicalRequest;
  /** Caller headers and query a same-format upstream should see (HTTP). */
  extras?: CallerExtras;
  stream: boolean;
  /** A tier or model the caller named (HTTP `model`), or an escalation's tier (escalationFor); bypasses the rules. */
  forced?: ForcedTarget;
  /** The ledger row this request asks again with a stronger model (its row links back to it). */
  escalatedFrom?: string;
  /** The rules to route by: the caller's window's (see RulesRegistry); the daemon's own by default. */
  rules?: CompiledRules;
  signal?: AbortSignal;
  requestId?: string;
  onDecision?: (d: Decision) => void;
  /** Each text delta (the editor, the CLI). A returned promise holds the upstream read until it settles (backpressure). */
  onDelta?: (text: string) => void | Promise<void>;
  /** Each upstream message of the committed stream, but the last (HTTP: relayed or re-encoded for the caller). */
  onChunk?: (chunk: LegChunk, leg: Leg) => void | Promise<void>;
  /** The serving attempt's details, after the ledger row is written and before complete() resolves (HTTP). */
  onServed?: (served: DispatchResult) => void;
  onAttempt?: (a: Attempt) => void;
  onFallback?: (from: Attempt, to: { provider: string; model: string }) => void;
}

/** A failed completion, with everything the caller needs to report it in its own format. */
export class CompletionError extends Error {
  constructor(
    readonly code: (typeof ErrorCodes)[keyof typeof ErrorCodes],
    message: string,
    readonly httpStatus: number,
    readonly attempts: Attempt[] = [],
    readonly partialText = '',
    readonly decision?: Decision,
    readonly requestId?: string,
    /** The last upstream's own rejection, to relay in the caller's format. */
    readonly upstream?: UpstreamRejection,
  ) {
    super(message);
  }
}

/** Delivered text counted exactly up to this many characters; beyond it, scaled (a cut answer can be megabytes). */
const DELIVERED_COUNT_CHARS = 16 * 1024;
const deliveredHead = (text: string) => (text.length > DELIVERED_COUNT_CHARS ? text.slice(0, DELIVERED_COUNT_CHARS) : text);

/** How the engine counts tokens: in process (CLI `ask`, tests) or on the daemon's worker thread (workerCounter.ts). */
export interface TokenCounter {
  countRoute: RouteCounter;
  countText(text: string, encoding: Encoding): number | Promise<number>;
}
const IN_PROCESS: TokenCounter = { countRoute, countText: countTokens };

/**
 * The usage of a stream that ended after its commit point. The upstream's own usage when it was reported after
 * the last delta (it counts everything delivered); otherwise estimated, and the returned `estimated` says how:
 * output tokens counted in the delivered text with the model's encoding (never below what the upstream reported
 * so far), input tokens from the reported usage when there was one (Anthropic reports them at message_start),
 * else the routing estimate for that candidate.
 */
export function deliveredUsage(
  e: Pick<DispatchError, 'usage' | 'usageCoversText' | 'partialText'>, encoding: Encoding, estimatedInputTokens: number,
  count: (text: string, encoding: Encoding) => number = countTokens,
): { usage: Usage; estimated: string | null } {
  if (e.usage && e.usageCoversText) return { usage: e.usage, estimated: null };
  const text = e.partialText;
  const head = deliveredHead(text);
  const counted = Math.round(count(head, encoding) * (head.length ? text.length / head.length : 0));
  const outputTokens = Math.max(counted, e.usage?.outputTokens ?? 0);
  const usage: Usage = e.usage ? { ...e.usage, outputTokens } : { inputTokens: estimatedInputTokens, outputTokens };
  return { usage, estimated: `output tokens counted in the delivered text${e.usage ? '' : ', input tokens from the routing estimate'}` };
}

export class Engine extends EventEmitter<EngineEvents> {
  readonly keys: KeyStore;
  readonly circuits: CircuitBreakers;
  /** Conversations pinned to their first turn's decision (the daemon's rules say for how long). */
  readonly affinity: AffinityStore;
  /** How long a stream waits for a caller that reads nothing before it ends (SWITCHYARD_STALL_TIMEOUT_MS overrides). */
  readonly stallTimeoutMs: number;
  // The SDKs send through keepAliveFetch (below): same requests and Responses, a fraction of undici fetch's cost.
  private readonly adapters = new AdapterPool({ fetch: keepAliveFetch });
  private spend = { day: '', month: '', today: 0, monthTotal: 0 };
  private learned: Pick<RouterState, 'latencyStats' | 'calibration'> = { latencyStats: {}, calibration: {} };
  private recordsSinceLearn = 0;
  private lastLearnAt = 0;

  constructor(
    private readonly getRules: () => CompiledRules,
    readonly ledger: Ledger | null,
    private readonly now: () => number = Date.now,
    env: NodeJS.ProcessEnv = process.env,
    /** In process by default (CLI `ask`, tests); the daemon passes its tokenizer worker (workerCounter.ts). */
    private readonly tokens: TokenCounter = IN_PROCESS,
  ) {
    super();
    this.keys = new KeyStore(env);
    const stall = Number(env.SWITCHYARD_STALL_TIMEOUT_MS);
    this.stallTimeoutMs = Number.isFinite(stall) && stall > 0 ? stall : DEFAULT_STALL_TIMEOUT_MS;
    const { circuit } = getRules().config.fallback;
    this.circuits = new CircuitBreakers({ failures: circuit.failures, coolDownMs: circuit.coolDownMs }, now);
    this.circuits.onChange(() => this.emit('health', this.health()));
    this.affinity = new AffinityStore(getRules().config.affinity);
    this.learn();
  }

  /** The daemon's own rules: HTTP clients and windows without a rules file of their own route by them. */
  get rules(): CompiledRules { return this.getRules(); }

  /** The daemon's own rules changed: provider definitions or keys may differ, and so may the circuit settings. */
  rulesChanged(): void {
    this.adapters.clear();
    const { circuit } = this.rules.config.fallback;
    this.circuits.configure({ failures: circuit.failures, coolDownMs: circuit.coolDownMs });
    this.affinity.configure(this.rules.config.affinity);
  }

  /** The router's view of the world right now, for `rules`. */
  state(rules: CompiledRules = this.rules): RouterState {
    const keys = Object.create(null) as Record<string, boolean>; // keyed by provider names from the rules file
    for (const p of Object.values(rules.providers)) keys[p.name] = this.keys.has(p);
    const { today, monthTotal } = this.spendNow();
    return { now: this.now(), spentTodayUsd: today, spentMonthUsd: monthTotal, circuits: this.circuits.snapshot(), keys, ...this.learned };
  }

  /** The router's input for `request`: token counts (awaited: the daemon counts off its event loop) and the prompt scan. */
  prepare(request: RouteRequest, rules: CompiledRules = this.rules): Promise<RouteInput> {
    return prepareRouteInput(request, rules, this.tokens.countRoute);
  }

  async preview(request: RouteRequest, forced?: ForcedTarget, rules: CompiledRules = this.rules): Promise<Decision> {
    const input = await this.prepare(request, rules);
    const state = this.state(rules);
    // The conversation's pin is read with the clock the decision sees: the same requests at the same times meet the same pins.
    const pin = request.conversation ? this.affinity.get(request.conversation.key, state.now) : undefined;
    return decide(input, rules, pin ? { ...state, pin } : state, forced);
  }

  /** Resolves an HTTP `model` field: `switchyard/auto` → rules; a tier; a model short name or its pinned id. */
  resolveModelField(model: string | undefined): ForcedTarget | undefined | { error: string } {
    if (!model || model === 'switchyard/auto' || model === 'auto') return undefined;
    const rules = this.rules;
    const name = model.startsWith('switchyard/') ? model.slice('switchyard/'.length) : model;
    // Own names only: "toString" or "constructor" name nothing in the rules, whatever objects inherit.
    if (Object.hasOwn(rules.config.tiers, name)) return { target: name, label: `model "${name}" (tier named by the caller)` };
    if (Object.hasOwn(rules.models, name)) return { target: [name], label: `model "${name}" (named by the caller)` };
    const byId = Object.values(rules.models).find((m) => m.id === name);
    if (byId) return { target: [byId.name], label: `model "${name}" (named by the caller)` };
    const known = ['switchyard/auto', ...Object.keys(rules.config.tiers), ...Object.keys(rules.models)].join(', ');
    return { error: `unknown model "${model}": use switchyard/auto, a tier or a model from the rules (${known})` };
  }

  /**
   * Asking ledger row `requestId`'s request again one tier up (daemon/escalation.ts): the forced target, or why
   * there is none (an unknown id, the strongest tier already, no ledger).
   */
  escalationFor(requestId: string, rules: CompiledRules = this.rules): ForcedTarget | { error: string } {
    if (!this.ledger) return { error: 'cannot escalate: no ledger is open, so the daemon does not know which tier served the request' };
    const row = this.ledger.get(requestId);
    if (!row) return { error: `no request ${JSON.stringify(requestId.slice(0, 200))} in the ledger (unknown id, or pruned after ${rules.config.ledger.retentionDays} days)` };
    return escalationTarget(row, rules);
  }

  async complete(request: RouteRequest, opts: CompleteOptions): Promise<CompletionResult> {
    const requestId = opts.requestId ?? randomUUID();
    const started = this.now();
    const rules = opts.rules ?? this.rules;
    const decision = await this.preview(request, opts.forced, rules);
    opts.onDecision?.(decision);
    const canonical: CanonicalRequest = { ...(opts.canonical ?? editorRequest(request)), stream: opts.stream };
    const traffic = trafficOf(canonical, request, opts.escalatedFrom);

    const budgetError = this.budgetRefusal(decision, rules);
    if (budgetError) {
      this.record(requestId, request, traffic, decision, started, rules, { status: 'error', error: budgetError, attempts: [] });
      throw new CompletionError(ErrorCodes.budget, budgetError, 429, [], '', decision, requestId);
    }
    const plan = planCalls(canonical, decision.candidates, opts.extras);
    if (plan.refused.length) {
      // Candidates the request cannot be expressed for leave the candidate list, with the field that stops them.
      decision.candidates = decision.candidates.filter((c) => plan.calls.has(c));
      decision.skipped = [...decision.skipped, ...plan.refused];
      if (!decision.candidates.length) {
        const attempts: Attempt[] = plan.refused.map((s) => ({ provider: s.provider, model: s.model, outcome: 'skipped', reason: s.reason, message: s.detail, elapsedMs: 0 }));
        const message = plan.refused.length === 1 ? plan.firstRefusal!.message : `no candidate can carry this request: ${plan.refused.map((s) => s.detail).join('; ')}`;
        this.record(requestId, request, traffic, decision, started, rules, { status: 'error', error: message, attempts });
        throw new CompletionError(ErrorCodes.unsupported, message, 400, attempts, '', decision, requestId);
      }
    }
    if (!decision.candidates.length) {
      const attempts: Attempt[] = decision.skipped.map((s) => ({ provider: s.provider, model: s.model, outcome: 'skipped', reason: s.reason, message: s.detail, elapsedMs: 0 }));
      const message = `no candidate can take this request: ${decision.skipped.map((s) => `${s.model} — ${s.detail}`).join('; ')}`;
      this.record(requestId, request, traffic, decision, started, rules, { status: 'error', error: message, attempts });
      // Skipped only for what the request itself asks (an image for text-only models, more than any window holds):
      // the request is what must change, so it is a 400, not an outage.
      const requestsTooMuch = decision.skipped.length > 0 && decision.skipped.every((s) => s.reason === 'capability' || s.reason === 'context-window');
      throw new CompletionError(requestsTooMuch ? ErrorCodes.noCapableModel : ErrorCodes.allFailed, message, requestsTooMuch ? 400 : 503, attempts, '', decision, requestId);
    }

    try {
      const result = await dispatch({
        decision,
        request: canonical,
        fallback: rules.config.fallback,
        legFor: (c) => this.legFor(c, plan.calls.get(c)!, canonical, rules),
        circuits: this.circuits,
        signal: opts.signal,
        onAttempt: opts.onAttempt,
        onChunk: chunkHandler(opts),
        stallTimeoutMs: this.stallTimeoutMs,
        onFallback: opts.onFallback,
        redact: (t) => this.keys.redact(t),
      });
      const model = rules.models[result.candidate.name];
      const costUsd = priceUsage(model, result.usage);
      const entry = this.record(requestId, request, traffic, decision, started, rules, {
        status: 'ok', provider: result.provider, model: result.model, usage: result.usage, costUsd,
        ttftMs: result.upstreamTtftMs ?? result.ttftMs ?? undefined, attempts: result.attempts, fallbacks: result.fallbacks,
        leg: result.leg.call, toolCalls: result.toolCalls,
      });
      if (request.conversation) this.affinity.remember(request.conversation.key, decision, result.candidate.name, this.now());
      opts.onServed?.(result);
      return {
        requestId, text: result.text, provider: result.provider, model: result.model, rule: decision.rule, tier: decision.tier,
        usage: result.usage, finishReason: result.finishReason, costUsd, estimatedCostUsd: decision.estimate.costUsd, ttftMs: result.ttftMs ?? null,
        totalMs: entry?.totalMs ?? this.now() - started, attempts: result.attempts, fallbacks: result.fallbacks,
        escalatedFrom: opts.escalatedFrom ?? null,
      };
    } catch (e) {
      if (!(e instanceof DispatchError)) throw e;
      const status = e.code === 'cancelled' ? 'cancelled' : e.code === 'stream-cut' ? 'cut' : 'error';
      // After the commit point (a cut, or a cancel once deltas went out) the partial answer is kept and billed: the
      // provider charged for it. Dispatch names the serving candidate only then.
      const served = e.candidate;
      const model = served ? rules.models[served.name] : undefined;
      // The delivered text is counted by this.tokens (the daemon's worker: never tiktoken on this thread); should the
      // worker fail, a rough 4 characters a token.
      const head = served && model && !(e.usage && e.usageCoversText) ? deliveredHead(e.partialText) : '';
      const headTokens = head ? await Promise.resolve(this.tokens.countText(head, model!.encoding)).catch(() => Math.ceil(head.length / 4)) : 0;
      const delivered = served && model ? deliveredUsage(e, model.encoding, served.estimate.inputTokens, () => headTokens) : undefined;
      this.record(requestId, request, traffic, decision, started, rules, {
        status, attempts: e.attempts, fallbacks: Math.max(0, e.attempts.filter((a) => a.outcome !== 'skipped').length - 1),
        error: delivered?.estimated ? `${e.message} (usage estimated: ${delivered.estimated})` : e.message,
        provider: served?.provider ?? null, model: served?.model ?? null,
        usage: delivered?.usage ?? e.usage ?? undefined, costUsd: model && delivered ? priceUsage(model, delivered.usage) : null,
        leg: served ? plan.calls.get(served) : undefined, usageEstimated: !!delivered?.estimated,
      });
      const code = { 'all-failed': ErrorCodes.allFailed, permanent: ErrorCodes.permanent, 'stream-cut': ErrorCodes.streamCut, cancelled: ErrorCodes.cancelled }[e.code];
      const httpStatus = e.code === 'permanent' ? (e.status ?? 400) : e.code === 'cancelled' ? 499 : 502;
      throw new CompletionError(code, e.message, e.upstream?.status ?? httpStatus, e.attempts, e.partialText, decision, requestId, e.upstream);
    }
  }

  health(rules: CompiledRules = this.rules): ProviderHealth[] {
    const snap = this.circuits.snapshot();
    return Object.values(rules.models).map((m) => {
      const c = snap[m.circuitKey];
      return { provider: m.provider, model: m.id, state: c?.state ?? 'closed', openUntil: c?.openUntil, consecutiveFailures: c?.consecutiveFailures ?? 0, hasKey: this.keys.has(rules.providers[m.provider]) };
    });
  }

  /** The adapter of a provider, or ProviderError('no-key') when it needs a key and has none. */
  adapterFor(providerName: string, rules: CompiledRules = this.rules): ProviderAdapter | ProviderError {
    const provider = rules.providers[providerName];
    const key = this.keys.get(provider);
    if (provider.keyRequired && !key) return new ProviderError('no-key', `no API key for provider "${providerName}"`);
    return this.adapters.get(provider, key);
  }

  private legFor(c: { provider: string }, call: UpstreamCall, canonical: CanonicalRequest, rules: CompiledRules): Leg | ProviderError {
    const adapter = this.adapterFor(c.provider, rules);
    return adapter instanceof ProviderError ? adapter : upstreamLeg(adapter, call, canonical);
  }

  private budgetRefusal(decision: Decision, rules: CompiledRules): string | null {
    const b = rules.config.budgets;
    if (!b.hardStop) return null;
    const { today, monthTotal } = this.spendNow();
    const over = b.dailyUsd !== undefined && today >= b.dailyUsd ? `today's spend $${today.toFixed(2)} has reached the daily budget of $${b.dailyUsd}`
      : b.monthlyUsd !== undefined && monthTotal >= b.monthlyUsd ? `this month's spend $${monthTotal.toFixed(2)} has reached the monthly budget of $${b.monthlyUsd}` : null;
    if (!over) return null;
    const first = decision.candidates[0] && rules.models[decision.candidates[0].name];
    if (first && first.priceKnown && first.inputPerMTok === 0 && first.outputPerMTok === 0) return null;
    return `${over} and budgets.hardStop is on: route such requests to a zero-cost model (e.g. a local one) or raise the budget in the rules file`;
  }

  private spendNow() {
    const now = new Date(this.now());
    const day = `${now.getFullYear()}-${now.getMonth()}-${now.getDate()}`;
    const month = `${now.getFullYear()}-${now.getMonth()}`;
    if (day !== this.spend.day || month !== this.spend.month) {
      // New local day or month (or first call): re-read from the ledger, the source of truth.
      this.spend = { day, month, today: this.ledger?.spendToday(now.getTime()) ?? 0, monthTotal: this.ledger?.spendThisMonth(now.getTime()) ?? 0 };
    }
    return this.spend;
  }

  private learn() {
    if (!this.ledger) return;
    this.lastLearnAt = this.now();
    this.learned = { latencyStats: this.ledger.latencyStats(), calibration: this.ledger.calibration() };
  }

  private record(
    requestId: string, request: RouteRequest, traffic: Traffic, decision: Decision, started: number, rules: CompiledRules,
    outcome: {
      status: LedgerEntry['status']; error?: string; attempts: Attempt[]; fallbacks?: number; provider?: string | null; model?: string | null;
      usage?: Usage; costUsd?: number | null; ttftMs?: number;
      /** The call that served (or was cut): its format and whether it was a passthrough. */
      leg?: Pick<UpstreamCall, 'format' | 'passthrough'>; toolCalls?: number; usageEstimated?: boolean;
    },
  ): LedgerEntry | null {
    const usage = outcome.usage;
    const defaultModel = resolveTarget(rules.config.default, rules)[0];
    const priciest = decision.candidates.map((c) => rules.models[c.name]).sort((a, b) => b.outputPerMTok + b.inputPerMTok - (a.outputPerMTok + a.inputPerMTok))[0];
    const servedBy = outcome.model ? decision.candidates.find((c) => c.model === outcome.model) : undefined;
    const entry = this.ledger?.record({
      id: requestId,
      time: started,
      source: request.source ?? null,
      task: request.task ?? null,
      rule: decision.rule,
      tier: decision.tier,
      provider: outcome.provider ?? null,
      model: outcome.model ?? null,
      status: outcome.status,
      inputTokens: usage?.inputTokens ?? null,
      outputTokens: usage?.outputTokens ?? null,
      cachedTokens: usage?.cachedInputTokens ?? null,
      reasoningTokens: usage?.reasoningTokens ?? null,
      estimatedInputTokens: servedBy?.estimate.inputTokens ?? decision.estimate.inputTokens,
      costUsd: outcome.costUsd ?? null,
      estimatedCostUsd: servedBy?.estimate.costUsd ?? decision.estimate.costUsd,
      defaultCostUsd: defaultModel ? priceUsage(defaultModel, usage) : null,
      maxCostUsd: priciest ? priceUsage(priciest, usage) : null,
      ttftMs: outcome.ttftMs ?? null,
      totalMs: this.now() - started,
      fallbacks: outcome.fallbacks ?? 0,
      attempts: outcome.attempts,
      error: outcome.error ?? null,
      conversation: request.conversation?.key ?? null,
      client: request.shape?.client ?? null,
      format: outcome.leg ? (outcome.leg.format === traffic.format ? traffic.format : `${traffic.format}→${outcome.leg.format}`) : null,
      passthrough: outcome.leg ? outcome.leg.passthrough : null,
      toolCalls: outcome.toolCalls ?? null,
      toolResults: traffic.toolResults,
      images: traffic.images,
      cacheWriteTokens: usage?.cacheWriteInputTokens ?? null,
      usageEstimated: outcome.usage ? outcome.usageEstimated ?? false : null,
      escalatedFrom: traffic.escalatedFrom,
      prompt: request.prompt,
      // The last user message is the prompt; an error may quote the rest too, so the ledger looks for it (never
      // stores it). Joined only when there is error text to look in: a long agent conversation is not copied per request.
      context: outcome.error || outcome.attempts.some((a) => a.message) ? [request.system, ...(request.messages ?? []).map((m) => m.content)].filter((t) => !!t && t !== request.prompt).join('\n') || null : null,
      features: {
        task: request.task, source: request.source, urgency: request.urgency, language: request.language,
        inputTokens: decision.inputTokens, maxOutputTokens: request.maxOutputTokens, latencyBudgetMs: request.latencyBudgetMs, metadata: request.metadata,
        shape: request.shape,
        ...(decision.verdict ? { verdict: { tier: decision.verdict.tier, confidence: round3(decision.verdict.confidence) }, classifier: verdictSketch(decision.verdict) } : {}),
      },
    }) ?? null;
    if (entry) {
      if (entry.costUsd !== null) { this.spendNow(); this.spend.today += entry.costUsd; this.spend.monthTotal += entry.costUsd; }
      // Learned latency and calibration move slowly: refresh after a few new requests, at most every few seconds,
      // and never inside a request (under load, refreshing every 5 requests cost ~0.3 ms of CPU per request).
      if (outcome.status === 'ok' && ++this.recordsSinceLearn >= 5 && this.now() - this.lastLearnAt >= LEARN_INTERVAL_MS) {
        this.recordsSinceLearn = 0;
        this.lastLearnAt = this.now();
        setImmediate(() => this.learn());
      }
      this.emit('spend', entry);
    }
    return entry;
  }
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The editor's requests (WebSocket, CLI) are plain text conversations. */
function editorRequest(request: RouteRequest): CanonicalRequest {
  const messages = request.messages ?? [{ role: 'user' as const, content: request.prompt }];
  const out: CanonicalRequest = { messages: messages.map((m) => ({ role: m.role, content: [{ type: 'text', text: m.content }] })), stream: false };
  if (request.system) out.system = [{ type: 'text', text: request.system }];
  if (request.maxOutputTokens !== undefined) out.maxTokens = request.maxOutputTokens;
  return out;
}

/** One callback for both kinds of caller: HTTP gets every chunk; the editor and the CLI get the text deltas. */
function chunkHandler(opts: CompleteOptions): ((chunk: LegChunk, leg: Leg) => void | Promise<void>) | undefined {
  if (opts.onChunk) return opts.onChunk;
  const onDelta = opts.onDelta;
  if (!onDelta) return undefined;
  return (chunk) => {
    let waits: Promise<void>[] | undefined;
    for (const ev of chunk.events) {
      if (ev.type !== 'delta' || !ev.text) continue;
      const pending = onDelta(ev.text);
      if (pending) (waits ??= []).push(pending);
    }
    return waits ? Promise.all(waits).then(() => {}) : undefined;
  };
}

/** What the ledger records of a request's agent traffic, counted once per request. */
interface Traffic {
  /** The caller's wire format, or 'editor' for the editor's and the CLI's own requests. */
  format: string;
  toolResults: number;
  images: number;
  /** The request this one asks again with a stronger model. */
  escalatedFrom: string | null;
}

function trafficOf(canonical: CanonicalRequest, request: RouteRequest, escalatedFrom?: string): Traffic {
  let images = 0;
  for (const m of canonical.messages) for (const p of m.content) {
    if (p.type === 'image') images++;
    else if (p.type === 'tool_result') for (const q of p.content) if (q.type === 'image') images++;
  }
  const last = canonical.messages.at(-1);
  const toolResults = last?.role === 'user' ? last.content.filter((p) => p.type === 'tool_result').length : 0;
  return { format: request.shape?.format ?? canonical.raw?.format ?? 'editor', toolResults, images, escalatedFrom: escalatedFrom ?? null };
}
