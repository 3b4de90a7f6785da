/**
 * SQL text, row mapping and the small pure helpers the ledger uses (local-time boundaries, medians).
 * Every statement here is prepared once per open ledger and reused (see Ledger.stmt).
 */
import { VERDICT_TIERS, type VerdictTier } from '../../shared/decision';
import type { Attempt, ConversationSpend, LedgerEntry } from '../../shared/protocol';
import type { LedgerRow, RequestFeatures } from './ledger';

export const COLUMNS = [
  'id', 'time', 'source', 'task', 'rule', 'tier', 'provider', 'model', 'status',
  'input_tokens', 'output_tokens', 'cached_tokens', 'reasoning_tokens', 'estimated_input_tokens',
  'cost_usd', 'estimated_cost_usd', 'default_cost_usd', 'max_cost_usd',
  'ttft_ms', 'total_ms', 'fallbacks', 'attempts', 'error', 'prompt_hash', 'prompt', 'features',
  'conversation', 'client', 'format', 'passthrough', 'tool_calls', 'tool_results', 'images', 'cache_write_tokens',
  'usage_estimated', 'escalated_from',
] as const;

/** Every column, and the classifier's verdict tier read out of the features (LedgerEntry.verdict). */
const ROW = `*, json_extract(features, '$.verdict.tier') AS verdict_tier`;

export const SQL = {
  insert: `INSERT INTO requests (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,

  /** Totals over [from, to): requests, known cost, unknown-cost count, savings vs default. */
  totals: `
    SELECT COUNT(*)                                         AS requests,
           COALESCE(SUM(cost_usd), 0)                       AS cost,
           COUNT(*) - COUNT(cost_usd)                       AS unknown,
           COALESCE(SUM(CASE WHEN cost_usd IS NOT NULL AND default_cost_usd IS NOT NULL
                             THEN default_cost_usd - cost_usd END), 0) AS savings
      FROM requests WHERE time >= ? AND time < ?`,

  /** Spend over [from, to) grouped by one column (the column name comes from a fixed whitelist). */
  breakdown: (column: BreakdownColumn) => `
    SELECT COALESCE(${column}, '${NONE_KEY}') AS key,
           COUNT(*)                   AS requests,
           COALESCE(SUM(cost_usd), 0) AS cost
      FROM requests WHERE time >= ? AND time < ?
     GROUP BY 1 ORDER BY cost DESC, requests DESC, key ASC`,

  recent: `SELECT ${ROW} FROM requests ORDER BY time DESC, rowid DESC LIMIT ?`,
  /** The newest rows outside any conversation (single requests, such as the editor's). */
  recentSolo: `SELECT ${ROW} FROM requests WHERE conversation IS NULL ORDER BY time DESC, rowid DESC LIMIT ?`,
  /** The newest rows of one conversation, through its (conversation, time) index. */
  recentOf: `SELECT ${ROW} FROM requests WHERE conversation = ? ORDER BY time DESC, rowid DESC LIMIT ?`,

  /** Conversations active at or after a time (their whole totals), most recently active first. */
  conversations: `SELECT * FROM conversations WHERE last_time >= ? ORDER BY last_time DESC, key ASC LIMIT ?`,

  rowsSince: `SELECT ${ROW} FROM requests WHERE time >= ? ORDER BY time ASC, rowid ASC`,
  /** The same rows a page at a time, after the (time, rowid) of the previous page's last row. */
  rowsPage: `SELECT ${ROW}, rowid AS page_rowid FROM requests WHERE time >= ? AND (time > ? OR (time = ? AND rowid > ?)) ORDER BY time ASC, rowid ASC LIMIT ?`,
  byId: `SELECT ${ROW} FROM requests WHERE id = ?`,
  setFeedback: `UPDATE requests SET feedback = ? WHERE id = ?`,

  /**
   * Over [from, to), per rule or verdict of the requests the rules decided (escalations are not requests of a rule:
   * they count against the row they escalated): how many, how many were asked again stronger, how many marked
   * overkill. `key` is a fixed SQL expression (ESCALATION_KEYS), never caller text.
   */
  escalations: (key: EscalationKey) => `
    SELECT ${ESCALATION_KEYS[key]} AS key,
           COUNT(*) AS requests,
           COALESCE(SUM(EXISTS (SELECT 1 FROM requests e WHERE e.escalated_from = r.id)), 0) AS escalated,
           COALESCE(SUM(r.feedback = 'overkill'), 0) AS overkill
      FROM requests r WHERE r.time >= ? AND r.time < ? AND r.escalated_from IS NULL
     GROUP BY 1 ORDER BY escalated DESC, overkill DESC, requests DESC, key ASC`,

  /** Distinct non-null models through the (model, time) index: one seek per model, not a full scan. */
  models: `
    WITH RECURSIVE m(model) AS (
      SELECT (SELECT MIN(model) FROM requests)
      UNION ALL
      SELECT (SELECT MIN(model) FROM requests WHERE model > m.model) FROM m WHERE m.model IS NOT NULL
    ) SELECT model FROM m WHERE model IS NOT NULL`,

  /** The last N ok rows of a model from which both ttft and tokens/second can be computed. */
  latency: `
    SELECT ttft_ms, total_ms, output_tokens FROM requests
     WHERE model = ? AND status = 'ok'
       AND ttft_ms IS NOT NULL AND ttft_ms >= 0 AND output_tokens > 0 AND total_ms > ttft_ms
     ORDER BY time DESC LIMIT ?`,

  /** The last N ok rows of a model with both reported and estimated input tokens. */
  calibration: `
    SELECT input_tokens, estimated_input_tokens FROM requests
     WHERE model = ? AND status = 'ok' AND input_tokens > 0 AND estimated_input_tokens > 0
     ORDER BY time DESC LIMIT ?`,

  prune: `DELETE FROM requests WHERE time < ?`,
  /** A conversation goes with its last request; one partly pruned keeps the totals of what it really spent. */
  pruneConversations: `DELETE FROM conversations WHERE last_time < ?`,
  count: `SELECT COUNT(*) AS n FROM requests`,
} as const;

/** Escalation buckets group by the original row's rule, or by its verdict tier (`none` without one). */
export const ESCALATION_KEYS = {
  rule: 'r.rule',
  verdict: `COALESCE(json_extract(r.features, '$.verdict.tier'), 'none')`,
} as const;
export type EscalationKey = keyof typeof ESCALATION_KEYS;

/** Key used in breakdowns for rows where the grouped column is NULL (e.g. every candidate failed before a model was chosen). */
export const NONE_KEY = '(none)';

export const BREAKDOWN_COLUMNS = {
  model: 'model', rule: 'rule', tier: 'tier', source: 'source', conversation: 'conversation', client: 'client', format: 'format',
} as const;
export type BreakdownBy = keyof typeof BREAKDOWN_COLUMNS;
export type BreakdownColumn = (typeof BREAKDOWN_COLUMNS)[BreakdownBy];

/** Upper bound for open-ended ranges (binds as a 64-bit integer). */
export const END_OF_TIME = Number.MAX_SAFE_INTEGER;

type Raw = Record<string, unknown>;

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const boolOrNull = (v: unknown): boolean | null => (v === null || v === undefined ? null : Number(v) !== 0);

function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string' || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function toEntry(r: Raw): LedgerEntry {
  return {
    id: String(r.id),
    time: Number(r.time),
    source: strOrNull(r.source),
    task: strOrNull(r.task),
    rule: String(r.rule),
    tier: strOrNull(r.tier),
    provider: strOrNull(r.provider),
    model: strOrNull(r.model),
    status: String(r.status) as LedgerEntry['status'],
    inputTokens: numOrNull(r.input_tokens),
    outputTokens: numOrNull(r.output_tokens),
    cachedTokens: numOrNull(r.cached_tokens),
    reasoningTokens: numOrNull(r.reasoning_tokens),
    costUsd: numOrNull(r.cost_usd),
    estimatedCostUsd: Number(r.estimated_cost_usd),
    ttftMs: numOrNull(r.ttft_ms),
    totalMs: Number(r.total_ms),
    fallbacks: Number(r.fallbacks),
    attempts: parseJson<Attempt[]>(r.attempts, []),
    error: strOrNull(r.error),
    conversation: strOrNull(r.conversation),
    client: strOrNull(r.client),
    format: strOrNull(r.format),
    passthrough: boolOrNull(r.passthrough),
    toolCalls: numOrNull(r.tool_calls),
    toolResults: numOrNull(r.tool_results),
    images: numOrNull(r.images),
    cacheWriteTokens: numOrNull(r.cache_write_tokens),
    usageEstimated: boolOrNull(r.usage_estimated),
    escalatedFrom: strOrNull(r.escalated_from),
    feedback: r.feedback === 'overkill' ? 'overkill' : null,
    verdict: VERDICT_TIERS.includes(r.verdict_tier as VerdictTier) ? (r.verdict_tier as VerdictTier) : null,
  };
}

export function toConversation(r: Raw): ConversationSpend {
  return {
    key: String(r.key),
    firstTime: Number(r.first_time),
    lastTime: Number(r.last_time),
    requests: Number(r.requests),
    costUsd: Number(r.cost_usd),
    unknownCostRequests: Number(r.unknown_cost),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    cachedTokens: Number(r.cached_tokens),
    models: parseJson<string[]>(r.models, []),
    client: strOrNull(r.client),
    turns: numOrNull(r.turns),
    toolCalls: Number(r.tool_calls),
    fallbacks: Number(r.fallbacks),
    errors: Number(r.errors),
  };
}

export function toRow(r: Raw): LedgerRow {
  return {
    ...toEntry(r),
    estimatedInputTokens: numOrNull(r.estimated_input_tokens),
    defaultCostUsd: numOrNull(r.default_cost_usd),
    maxCostUsd: numOrNull(r.max_cost_usd),
    promptHash: strOrNull(r.prompt_hash),
    prompt: strOrNull(r.prompt),
    features: parseJson<RequestFeatures | null>(r.features, null),
  };
}

/** Median of a non-empty list (mean of the two middle values for an even count); NaN when empty. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Local midnight of the day containing `ms`, shifted by `days` (DST-safe: built from calendar fields). */
export function localDayStart(ms: number, days = 0): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

/** Local midnight on the first of the month containing `ms`, shifted by `months`. */
export function localMonthStart(ms: number, months = 0): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth() + months, 1).getTime();
}

/** Local calendar date as YYYY-MM-DD. */
export function localDate(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
