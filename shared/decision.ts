/** What the router takes and returns. Pure data: the same on both sides of the wire. */
import type { ReasoningEffort, WireFormat } from './canonical';
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
  /** What the request carries and needs (HTTP callers; the editor's requests are plain text). */
  shape?: RequestShape;
  /** The conversation this request continues, for affinity (see docs/RULES.md, Conversation affinity). */
  conversation?: ConversationKey;
}

/** Capabilities a model must have to serve a request (the catalog's `capabilities`). */
export interface Needs {
  tools: boolean;
  vision: boolean;
  documents: boolean;
  structuredOutput: boolean;
  reasoning: boolean;
}

/** The shape of a request, read off its canonical form (daemon/formats/shape.ts) for rules and capability checks. */
export interface RequestShape {
  /** The wire format the caller spoke. */
  format: WireFormat;
  hasTools: boolean;
  toolCount: number;
  hasImages: boolean;
  hasDocuments: boolean;
  /** User turns in the conversation (a tool result is not a turn). */
  turns: number;
  /** The last message is a tool result: an agent loop's next step. */
  lastIsToolResult: boolean;
  /** The calling client, from its user agent (`claude-cli`, `codex`, `cline`, `openai-sdk`…); absent when unknown. */
  client?: string;
  /** The reasoning the caller asked for: an effort, `enabled` (a budget without an effort) or absent. */
  reasoning?: ReasoningEffort | 'enabled';
  needs: Needs;
}

/** Client names daemon/formats/shape.ts reads off user agents (rules test them with `client`; the editor suggests them). */
export const KNOWN_CLIENTS = [
  'claude-cli', 'codex', 'cline', 'roo', 'continue', 'aider', 'opencode', 'openai-sdk', 'anthropic-sdk', 'ai-sdk', 'langchain',
] as const;

/** Where a conversation key came from: the caller's own id, or a digest of how the conversation began. */
export interface ConversationKey {
  key: string;
  from: 'header' | 'metadata.user_id' | 'prompt_cache_key' | 'user' | 'digest';
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
  /** The request's conversation, pinned by earlier turns (daemon/router/affinity.ts `AffinityStore.get`). */
  pin?: Pin;
}

/** A conversation's pin: the decision its turns keep (docs/RULES.md, Conversation affinity). */
export interface Pin {
  /** The conversation key. */
  key: string;
  /** The rule that set the pin (`default` when none matched) and its index then (a hint: rules may have reloaded). */
  rule: string;
  ruleIndex: number;
  tier: string | null;
  /** The candidate (model short name) that served the conversation's last turn. */
  model: string;
  /** The turn that set the pin: 1, or a later turn whose decision broke the previous pin. */
  since: number;
  /** Turns served so far. */
  turns: number;
}

/** How a conversation's pin bore on a Decision: kept, or broken and why. */
export interface AffinityNote {
  key: string;
  /** This request's turn in the conversation (the pin's turns + 1). */
  turn: number;
  /** The pinned rule and model. */
  rule: string;
  model: string;
  /** The turn that set the pin. */
  since: number;
  /** Why the pin did not hold (absent when kept): a rule with breaksAffinity matched, the model is skipped… */
  broken?: string;
}

/** The tiers the classifier tells apart (../shared/ROUTING.md defines them). */
export const VERDICT_TIERS = ['fast', 'standard', 'deep'] as const;
export type VerdictTier = (typeof VERDICT_TIERS)[number];

/** The classifier's verdict on a request (daemon/classifier): what the answer needs, with its evidence. */
export interface Verdict {
  tier: VerdictTier;
  /** The verdict tier's probability. */
  confidence: number;
  probabilities: Record<VerdictTier, number>;
  /** The features that weighed most toward the verdict, strongest first (name and contribution to its score). */
  features: { feature: string; weight: number }[];
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

export type SkipReason = 'circuit-open' | 'no-key' | 'unknown-model' | 'capability' | 'context-window' | 'unsupported-field';

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
  /** Present when the caller named its target (HTTP `model`): the rules and any pin were bypassed. */
  forced?: true;
  /** Present when the request continues a pinned conversation: kept from an earlier turn, or why not. */
  affinity?: AffinityNote;
  /** The classifier's verdict, present when the rules read it (a `classifier` condition was tested). */
  verdict?: Verdict;
}
