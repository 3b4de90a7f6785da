/**
 * View models for a dry-run Decision (headline, candidates, trace) and for a replay result. Pure data in, strings
 * out, so the webview only lays them out. No DOM, no `vscode`.
 */
import { formatTraceValue } from '../../../shared/format';
import { VERDICT_TIERS, type Decision, type Verdict, type VerdictTier } from '../../../shared/decision';
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

/** The classifier's verdict, laid out: the tier, one bar per tier, and the features that weighed most. */
export interface VerdictView {
  tier: VerdictTier;
  /** `71 %` */
  confidence: string;
  /** Every tier in order (fast, standard, deep), with its probability as a fraction (bar width) and as text. */
  probabilities: { tier: VerdictTier; value: number; percent: string; chosen: boolean }[];
  /** Strongest first, at most VERDICT_FEATURES; `weight` signed with two decimals (`+1.24`, `−0.31`). */
  features: { feature: string; weight: string; value: number }[];
  /** How many more features the verdict listed than are shown. */
  moreFeatures: number;
}

/** How many of the verdict's features the dry run lists. */
export const VERDICT_FEATURES = 8;

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
  /** Absent when no rule tested a `classifier` condition (the classifier did not run). */
  verdict: VerdictView | null;
  /** When every candidate was skipped, the request would fail: say so. */
  warning?: string;
}

const shortenText = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

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

const clamp01 = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);

/** `0.712` → `71 %`; below 1 % but above 0 → `<1 %`. */
export function formatPercent(p: number): string {
  const n = clamp01(p);
  if (n > 0 && n < 0.005) return '<1 %';
  return `${Math.round(n * 100)} %`;
}

/** A feature's weight, signed: `+1.24`, `−0.31` (a real minus sign), `0.00`. */
export function formatWeight(w: number): string {
  if (!Number.isFinite(w)) return String(w);
  const s = Math.abs(w).toFixed(2);
  if (s === '0.00') return s;
  return `${w < 0 ? '−' : '+'}${s}`;
}

export function buildVerdictView(v: Verdict, maxFeatures = VERDICT_FEATURES): VerdictView {
  const features = Array.isArray(v.features) ? v.features : [];
  return {
    tier: v.tier,
    confidence: formatPercent(v.confidence),
    probabilities: VERDICT_TIERS.map((tier) => {
      const value = clamp01(v.probabilities?.[tier] ?? 0);
      return { tier, value, percent: formatPercent(value), chosen: tier === v.tier };
    }),
    features: features.slice(0, maxFeatures).map((f) => ({ feature: f.feature, weight: formatWeight(f.weight), value: f.weight })),
    moreFeatures: Math.max(0, features.length - maxFeatures),
  };
}

/** Is this a condition path that ends at a `classifier` key (`if.classifier`, `if.all[1].classifier`)? */
const isClassifierPath = (path: string) => /(^|[.\]])classifier$/.test(path);

/**
 * What a failed `classifier` condition expected, in words: `deep ≥ 0.50`, `standard + deep ≥ 0.40` (the summed
 * probability), `deep (likeliest)`, `standard or deep (likeliest)`. Undefined for a shape that is not one.
 */
export function formatClassifierExpected(cond: unknown): string | undefined {
  if (!cond || typeof cond !== 'object' || Array.isArray(cond)) return undefined;
  const { tier, minConfidence } = cond as { tier?: unknown; minConfidence?: unknown };
  const tiers = typeof tier === 'string' ? [tier] : Array.isArray(tier) && tier.length && tier.every((t) => typeof t === 'string') ? tier as string[] : undefined;
  if (!tiers) return undefined;
  if (typeof minConfidence === 'number') return `${tiers.join(' + ')} ≥ ${minConfidence.toFixed(2)}`;
  if (minConfidence !== undefined) return undefined;
  return `${tiers.join(' or ')} (likeliest)`;
}

/** The trace, with rules after the match (never tried) listed as not reached when their names are known. */
export function buildTrace(decision: Pick<Decision, 'trace' | 'ruleIndex'>, ruleNames: string[] = []): TraceRow[] {
  const rows: TraceRow[] = decision.trace.map((t) => {
    if (t.matched) return { index: t.index, rule: t.rule, status: 'matched' };
    const f = t.failed;
    if (!f) return { index: t.index, rule: t.rule, status: 'failed', detail: 'did not match' };
    // A classifier condition reads as `deep ≥ 0.50`, its actual as the daemon's verdict summary, unquoted.
    const classifierExpected = isClassifierPath(f.path) ? formatClassifierExpected(f.expected) : undefined;
    const expected = classifierExpected ?? formatConditionValue(f.expected);
    const actual = classifierExpected && typeof f.actual === 'string' ? shortenText(f.actual, 80) : formatConditionValue(f.actual);
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
    verdict: decision.verdict ? buildVerdictView(decision.verdict) : null,
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
