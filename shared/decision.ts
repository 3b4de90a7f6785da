/** What the router takes and returns. Pure data: the same on both sides of the wire. */
import type { ProviderType, Target, Urgency } from './config';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** What a caller asks to route. `prompt` is the last user message; `messages` the full conversation, if any. */
export interface RouteRequest {
  prompt: string;
  system?: string;
  messages?: ChatMessage[];
  task?: string;
  source?: string;
  urgency?: Urgency;
  language?: string;
  maxOutputTokens?: number;
  latencyBudgetMs?: number;
  metadata?: Record<string, string>;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitInfo {
  state: CircuitState;
  /** Epoch ms; while `now` is before it, an open circuit skips its target. */
  openUntil?: number;
  consecutiveFailures: number;
}

export interface LatencyStat {
  ttftMs: number;
  tokensPerSecond: number;
  samples: number;
}

/** Everything besides the request that a decision depends on. The caller reads the clock; the router never does. */
export interface RouterState {
  now: number;
  spentTodayUsd: number;
  spentMonthUsd: number;
  /** Keyed by `provider/modelId`. */
  circuits: Record<string, CircuitInfo>;
  /** Provider names that have a usable API key (env or editor). */
  keys: Record<string, boolean>;
  /** Learned from the ledger, keyed by pinned model id. */
  latencyStats: Record<string, LatencyStat>;
  /** Reported ÷ estimated input tokens, keyed by pinned model id; 1 when unknown. */
  calibration: Record<string, number>;
}

export interface Estimate {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  ttftMs: number;
  latencyMs: number;
}

export interface Candidate {
  /** The short name from the rules file (`mini`). */
  name: string;
  provider: string;
  providerType: ProviderType;
  /** The pinned id sent upstream. */
  model: string;
  estimate: Estimate;
}

export type SkipReason = 'circuit-open' | 'no-key' | 'unknown-model';

export interface Skipped {
  name: string;
  provider: string;
  model: string;
  reason: SkipReason;
  detail: string;
  until?: number;
}

export interface FailedCondition {
  /** Path of the condition that failed, e.g. `task`, `all[1].prompt.regex`, `metadata.team`. */
  path: string;
  expected: unknown;
  actual: unknown;
}

export interface TraceEntry {
  rule: string;
  index: number;
  matched: boolean;
  failed?: FailedCondition;
}

export interface Decision {
  /** The matched rule's name, or `default`. */
  rule: string;
  ruleIndex: number;
  /** The tier chosen, or null when `then` names a model or a list. */
  tier: string | null;
  target: Target;
  candidates: Candidate[];
  skipped: Skipped[];
  trace: TraceEntry[];
  /** Estimate for the first candidate (or the first listed target when every candidate is skipped). */
  estimate: Estimate;
  /** Token count the rules saw (o200k_base, with message overhead). */
  inputTokens: number;
  /** Present when the request was too large to count whole and the counts are extrapolated (docs/RULES.md, Large requests). */
  inputTokensApproximate?: true;
}
