/**
 * The editor ⇄ daemon WebSocket protocol: one typed map of methods and events, compiled by both sides, so a
 * renamed field fails to build on both. Frames are JSON:
 *   request  { id, method, params }     reply { id, result } | { id, error: { code, message } }
 *   event    { event, data }
 */
import type { FinishReason, Usage } from './canonical';
import type { Decision, RouteRequest, CircuitState, VerdictTier } from './decision';

export const PROTOCOL_VERSION = 1;

/** One try at one target, reported as it happens and listed in the final result. */
export interface Attempt {
  provider: string;
  model: string;
  outcome: 'ok' | 'failed' | 'skipped' | 'cancelled';
  status?: number;
  /** Machine reason: `rate-limited`, `overloaded`, `server-error`, `timeout`, `network`, `auth`, `bad-request`, `stream-cut`, `circuit-open`, `no-key`. */
  reason?: string;
  message?: string;
  elapsedMs: number;
  retryAfterMs?: number;
}

export interface CompletionResult {
  requestId: string;
  text: string;
  provider: string;
  model: string;
  rule: string;
  tier: string | null;
  usage?: Usage;
  finishReason: FinishReason;
  /** From the provider's reported usage; null when it reported none. */
  costUsd: number | null;
  estimatedCostUsd: number;
  ttftMs: number | null;
  totalMs: number;
  attempts: Attempt[];
  fallbacks: number;
  /** The request this one asked again with a stronger model (`complete`'s `escalateFrom`); null otherwise. */
  escalatedFrom: string | null;
}

export interface ValidationIssue {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  rule?: string;
  /** JSON path inside the file, e.g. `rules[2].then`. */
  path?: string;
}

export interface RulesSnapshot {
  file: string | null;
  text: string;
  issues: ValidationIssue[];
  /** True while the daemon serves an older good version because the file on disk is invalid. */
  stale: boolean;
}

export interface SpendBucket {
  key: string;
  requests: number;
  costUsd: number;
}

/** How often one rule's (or one classifier verdict's) requests were asked again stronger, or marked overkill. */
export interface EscalationBucket {
  key: string;
  /** Requests it decided this month (escalations themselves are not counted). */
  requests: number;
  /** Of them, the ones asked again with a stronger model. */
  escalated: number;
  /** Of them, the ones whose answer was marked overkill. */
  overkill: number;
}

/** The feedback one can leave on an answer (`feedback.mark`). */
export type FeedbackMark = 'overkill';

export interface SpendSummary {
  todayUsd: number;
  monthUsd: number;
  dailyBudgetUsd: number | null;
  monthlyBudgetUsd: number | null;
  requestsToday: number;
  requestsMonth: number;
  /** What the same tokens would have cost on the default target, minus what they did cost (this month). */
  savingsVsDefaultUsd: number;
  byModel: SpendBucket[];
  byRule: SpendBucket[];
  /** Daily spend for the last 30 days, oldest first (local dates, YYYY-MM-DD). */
  daily: { date: string; costUsd: number }[];
  /** Requests whose cost is unknown (no usage reported): counted, never as $0. */
  unknownCostRequests: number;
  /**
   * This month's escalations and overkill marks, by the rule and by the classifier verdict of the request that
   * was escalated (key `none`: no verdict). Absent from daemons older than escalation.
   */
  escalations?: { byRule: EscalationBucket[]; byVerdict: EscalationBucket[] };
}

export interface LedgerEntry {
  id: string;
  time: number;
  source: string | null;
  task: string | null;
  rule: string;
  tier: string | null;
  provider: string | null;
  model: string | null;
  status: 'ok' | 'error' | 'cut' | 'cancelled';
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  estimatedCostUsd: number;
  ttftMs: number | null;
  totalMs: number;
  fallbacks: number;
  attempts: Attempt[];
  error: string | null;
  // Agent traffic. Null: not known (rows recorded before these were, or a caller that does not say).
  /** The conversation key the request continues (RouteRequest.conversation.key); null for a single request. */
  conversation: string | null;
  /** The calling client (`claude-cli`, `codex`…, RequestShape.client). */
  client: string | null;
  /** The caller's wire format → the upstream's (`anthropic→openai-chat`), one name when they are the same. */
  format: string | null;
  /** The caller's body went upstream as it came (same format, `model` replaced). */
  passthrough: boolean | null;
  /** Tool calls in the answer. */
  toolCalls: number | null;
  /** Tool results in the request's last message. */
  toolResults: number | null;
  /** Images in the request. */
  images: number | null;
  /** Of the input tokens, those written to the prompt cache (`cachedTokens` are the ones read from it). */
  cacheWriteTokens: number | null;
  /** The usage was counted by Switchyard (e.g. a cut stream), not reported by the provider. */
  usageEstimated: boolean | null;
  // The way back. Null on rows recorded before these were.
  /** The request this one asked again with a stronger model; null for a first ask. */
  escalatedFrom: string | null;
  /** `overkill`: the user marked the answer as more model than the question needed. */
  feedback: FeedbackMark | null;
  /** The classifier's verdict tier when it ran for this request. */
  verdict: VerdictTier | null;
}

/** One conversation's spend (an agent session): the totals of all its requests. */
export interface ConversationSpend {
  key: string;
  firstTime: number;
  lastTime: number;
  requests: number;
  /** Known costs only; `unknownCostRequests` counts the rest (never as $0). */
  costUsd: number;
  unknownCostRequests: number;
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache. */
  cachedTokens: number;
  /** Distinct models that served it, in order of first use. */
  models: string[];
  /** The client of its latest request that named one. */
  client: string | null;
  /** The most user turns one of its requests carried; null when no request recorded its shape. */
  turns: number | null;
  toolCalls: number;
  fallbacks: number;
  /** Requests that failed or were cut. */
  errors: number;
}

export interface ProviderHealth {
  provider: string;
  model: string;
  state: CircuitState;
  openUntil?: number;
  consecutiveFailures: number;
  hasKey: boolean;
}

export interface ReplayResult {
  considered: number;
  changedTier: number;
  skipped: number;
  skippedReason?: string;
  actualCostUsd: number;
  replayCostUsd: number;
  actualLatencyMs: number;
  replayLatencyMs: number;
}

export interface Methods {
  /**
   * `rulesFile`: the window's own rules (a trusted workspace's `.switchyard/rules.json`); without it the window
   * routes by the daemon's rules. The result names the file in use, and `rulesError` why the asked one is not.
   */
  hello: { params: { client: string; version: string; rulesFile?: string | null }; result: { protocol: number; daemonVersion: string; rulesFile: string | null; rulesError?: string } };
  /** `escalateFrom`: the decision an escalation of that ledger row would get (see `complete`). */
  'route.preview': { params: { request: RouteRequest; escalateFrom?: string }; result: Decision };
  /**
   * `escalateFrom`: a ledger request id. The request (the same one, sent again) goes to the tier after that row's
   * in the rules' `escalation` order, bypassing the rules; its row links back (`escalatedFrom`). An unknown id, or
   * a row already at the strongest tier, is an E_BAD_REQUEST error and nothing is sent.
   */
  complete: { params: { request: RouteRequest; stream?: boolean; escalateFrom?: string }; result: { requestId: string } };
  cancel: { params: { requestId: string }; result: { cancelled: boolean } };
  'rules.get': { params: Record<string, never>; result: RulesSnapshot };
  'rules.validate': { params: { text: string }; result: { issues: ValidationIssue[] } };
  'rules.save': { params: { text: string }; result: { issues: ValidationIssue[]; saved: boolean; file: string } };
  'rules.dryRun': { params: { text: string; request: RouteRequest }; result: { issues: ValidationIssue[]; decision: Decision | null } };
  replay: { params: { text?: string; sinceMs: number }; result: ReplayResult };
  'spend.summary': { params: Record<string, never>; result: SpendSummary };
  /**
   * The newest rows. `conversation`: a key → that conversation's rows; null → only rows outside any conversation
   * (single requests); absent → every row.
   */
  'spend.recent': { params: { limit?: number; conversation?: string | null }; result: LedgerEntry[] };
  /** Conversations active since `sinceMs` (default: the last 7 days), most recently active first. */
  'spend.conversations': { params: { sinceMs?: number; limit?: number }; result: ConversationSpend[] };
  'providers.health': { params: Record<string, never>; result: ProviderHealth[] };
  'keys.set': { params: { provider: string; key: string | null }; result: { ok: true } };
  /** Marks a ledger row's answer (`overkill`), or clears the mark (null). An unknown id is an E_BAD_REQUEST error. */
  'feedback.mark': { params: { requestId: string; mark: FeedbackMark | null }; result: { entry: LedgerEntry } };
}

export interface Events {
  'complete.delta': { requestId: string; text: string };
  'complete.fallback': { requestId: string; from: Attempt; to: { provider: string; model: string } };
  'complete.done': CompletionResult;
  'complete.error': { requestId: string; code: string; message: string; partialText: string; attempts: Attempt[] };
  'spend.updated': { entry: LedgerEntry };
  /** A row already sent changed (its feedback mark): replace it, do not count it again. */
  'spend.changed': { entry: LedgerEntry };
  'health.changed': ProviderHealth[];
  'rules.changed': RulesSnapshot;
}

export type MethodName = keyof Methods;
export type EventName = keyof Events;
export type Params<M extends MethodName> = Methods[M]['params'];
export type Result<M extends MethodName> = Methods[M]['result'];

export interface RequestFrame<M extends MethodName = MethodName> { id: number | string; method: M; params: Params<M> }
export interface ReplyFrame<M extends MethodName = MethodName> { id: number | string; result?: Result<M>; error?: { code: string; message: string } }
export interface EventFrame<E extends EventName = EventName> { event: E; data: Events[E] }

/** Error codes that cross the wire (machine-readable, like ws's WS_ERR_*). */
export const ErrorCodes = {
  badRequest: 'E_BAD_REQUEST',
  unknownMethod: 'E_UNKNOWN_METHOD',
  invalidRules: 'E_INVALID_RULES',
  allFailed: 'E_ALL_CANDIDATES_FAILED',
  permanent: 'E_UPSTREAM_REJECTED',
  streamCut: 'E_STREAM_CUT',
  cancelled: 'E_CANCELLED',
  budget: 'E_BUDGET_EXCEEDED',
  /** The request carries a field no candidate's wire format can express (named in the message). */
  unsupported: 'E_UNSUPPORTED_FIELD',
  /** No candidate has what the request needs (vision, tools, reasoning…) or room for it (context window). */
  noCapableModel: 'E_NO_CAPABLE_MODEL',
  internal: 'E_INTERNAL',
} as const;
