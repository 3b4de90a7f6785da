/**
 * View models for a dry-run Decision (headline, candidates, trace) and for a replay result. Pure data in, strings
 * out, so the webview only lays them out. No DOM, no `vscode`.
 */
import { formatTraceValue } from '../../../shared/format';
import type { Decision } from '../../../shared/decision';
import type { ReplayResult } from '../../../shared/protocol';
import { formatMs, formatUsd } from '../common/format';

export interface TraceRow {
  index: number;
  rule: string;
  status: 'matched' | 'failed' | 'not-reached';
  /** `task: expected "classification", got "chat"` for a failed rule. */
  detail?: string;
  conditionPath?: string;
  expected?: string;
  actual?: string;
}

export interface DecisionView {
  model: string;
  provider: string;
  shortName: string;
  cost: string;
  latency: string;
  rule: string;
  isDefault: boolean;
  tier: string | null;
  inputTokens: string;
  outputTokens: string;
  candidates: { name: string; model: string; provider: string; cost: string; latency: string }[];
  skipped: { name: string; model: string; reason: string; detail: string }[];
  trace: TraceRow[];
  /** When every candidate was skipped, the request would fail: say so. */
  warning?: string;
}

/** Render a condition value or an observed value briefly: `"chat"`, `["a", "b"]`, `> 4000 and <= 9000`, `(not set)`. */
export function formatConditionValue(v: unknown, max = 80): string {
  let s: string;
  if (v === null || v === undefined) s = '(not set)';
  else if (typeof v === 'string') s = formatTraceValue(v);
  else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
  else if (Array.isArray(v)) s = `[${v.map((x) => formatConditionValue(x, max)).join(', ')}]`;
  else if (typeof v === 'object' && Object.keys(v).length && Object.keys(v).every((k) => ['>', '>=', '<', '<=', '=='].includes(k))) {
    s = Object.entries(v as Record<string, number>).map(([op, n]) => `${op} ${n}`).join(' and ');
  } else s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The trace, with rules after the match (never tried) listed as not reached when their names are known. */
export function buildTrace(decision: Pick<Decision, 'trace' | 'ruleIndex'>, ruleNames: string[] = []): TraceRow[] {
  const rows: TraceRow[] = decision.trace.map((t) => {
    if (t.matched) return { index: t.index, rule: t.rule, status: 'matched' };
    const f = t.failed;
    if (!f) return { index: t.index, rule: t.rule, status: 'failed', detail: 'did not match' };
    const expected = formatConditionValue(f.expected);
    const actual = formatConditionValue(f.actual);
    return {
      index: t.index, rule: t.rule, status: 'failed', conditionPath: f.path, expected, actual,
      detail: `${f.path}: expected ${expected}, got ${actual}`,
    };
  });
  const seen = new Set(decision.trace.map((t) => t.index));
  const last = decision.trace.reduce((m, t) => Math.max(m, t.index), -1);
  ruleNames.forEach((rule, index) => {
    if (!seen.has(index) && index > last) rows.push({ index, rule, status: 'not-reached' });
  });
  return rows.sort((a, b) => a.index - b.index);
}

export function buildDecisionView(decision: Decision, ruleNames: string[] = []): DecisionView {
  const first = decision.candidates[0];
  const fallbackName = Array.isArray(decision.target) ? decision.target[0] : decision.target;
  return {
    model: first?.model ?? decision.skipped[0]?.model ?? fallbackName,
    provider: first?.provider ?? decision.skipped[0]?.provider ?? '',
    shortName: first?.name ?? decision.skipped[0]?.name ?? fallbackName,
    cost: `≈${formatUsd(decision.estimate.costUsd)}`,
    latency: `≈${formatMs(decision.estimate.latencyMs)}`,
    rule: decision.rule,
    isDefault: decision.rule === 'default' || decision.ruleIndex < 0,
    tier: decision.tier,
    inputTokens: String(decision.inputTokens),
    outputTokens: String(decision.estimate.outputTokens),
    candidates: decision.candidates.map((c) => ({
      name: c.name, model: c.model, provider: c.provider, cost: `≈${formatUsd(c.estimate.costUsd)}`, latency: `≈${formatMs(c.estimate.latencyMs)}`,
    })),
    skipped: decision.skipped.map((s) => ({ name: s.name, model: s.model, reason: s.reason, detail: s.detail })),
    trace: buildTrace(decision, ruleNames),
    warning: decision.candidates.length ? undefined : 'Every candidate is skipped: this request would fail. Set an API key or wait for the circuit to close.',
  };
}

export interface ReplayView {
  headline: string;
  actual: string;
  replay: string;
  delta: string;
  direction: 'cheaper' | 'dearer' | 'same';
  latency: string;
  changed: string;
  skipped?: string;
  empty: boolean;
}

export function buildReplayView(r: ReplayResult, days: number): ReplayView {
  const delta = r.replayCostUsd - r.actualCostUsd;
  const direction = Math.abs(delta) < 1e-9 ? 'same' : delta < 0 ? 'cheaper' : 'dearer';
  const pct = r.actualCostUsd > 0 ? ` (${delta > 0 ? '+' : ''}${Math.round((delta / r.actualCostUsd) * 100)} %)` : '';
  const avg = (total: number) => (r.considered ? total / r.considered : 0);
  return {
    empty: r.considered === 0,
    headline: r.considered === 0
      ? `No requests in the last ${days} days to replay${r.skipped ? ` (${r.skipped} skipped)` : ''}.`
      : direction === 'same' ? `Same cost as what was spent over ${r.considered} requests.`
        : `The draft would have cost ${formatUsd(Math.abs(delta))} ${direction === 'cheaper' ? 'less' : 'more'}${pct} over ${r.considered} requests.`,
    actual: formatUsd(r.actualCostUsd),
    replay: formatUsd(r.replayCostUsd),
    delta: `${delta > 0 ? '+' : delta < 0 ? '-' : ''}${formatUsd(Math.abs(delta))}${pct}`,
    direction,
    latency: `${formatMs(avg(r.actualLatencyMs))} → ${formatMs(avg(r.replayLatencyMs))} average`,
    changed: `${r.changedTier} of ${r.considered} requests change tier`,
    skipped: r.skipped ? `${r.skipped} skipped${r.skippedReason ? `: ${r.skippedReason}` : ''}` : undefined,
  };
}
