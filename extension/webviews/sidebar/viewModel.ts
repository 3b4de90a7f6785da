/**
 * The spend sidebar's view model: SpendSummary + recent ledger rows + provider health → display strings,
 * percentages and chart geometry. The webview only lays these out. No DOM, no `vscode`.
 */
import type { Attempt, LedgerEntry, ProviderHealth, SpendBucket, SpendSummary } from '../../../shared/protocol';
import { formatAgo, formatMs, formatTime, formatTokens, formatUsd } from '../common/format';

export interface BudgetBar {
  label: string;
  spent: string;
  /** "of $10.00", or "no budget set". */
  budget: string;
  /** 0–100 (clamped) for the bar; null when there is no budget. */
  percent: number | null;
  /** Unclamped, for the text ("120 %"). */
  percentText: string | null;
  level: 'ok' | 'warn' | 'over' | 'none';
  requests: string;
}

export interface BucketRow {
  key: string;
  cost: string;
  requests: string;
  /** Share of the largest bucket, 0–100, for the inline bar. */
  share: number;
}

export interface ChartBar { x: number; y: number; width: number; height: number; date: string; label: string; today: boolean }

export interface ChartModel {
  width: number;
  height: number;
  bars: ChartBar[];
  maxLabel: string;
  /** For screen readers: the whole chart in one sentence. */
  description: string;
  firstDate: string;
  lastDate: string;
  empty: boolean;
}

export interface RecentRow {
  id: string;
  time: string;
  ago: string;
  source: string;
  rule: string;
  model: string;
  tokens: string;
  tokensTitle: string;
  estimated: string;
  actual: string;
  actualUnknown: boolean;
  latency: string;
  latencyTitle: string;
  status: LedgerEntry['status'];
  error: string | null;
  fallback: { count: number; title: string } | null;
}

export interface HealthRow {
  provider: string;
  model: string;
  state: ProviderHealth['state'];
  stateText: string;
  hasKey: boolean;
  keyText: string;
  title: string;
}

export interface SidebarView {
  empty: boolean;
  noKeys: boolean;
  today: BudgetBar;
  month: BudgetBar;
  savings: { text: string; positive: boolean; explanation: string };
  unknownNote: string | null;
  byModel: BucketRow[];
  byRule: BucketRow[];
  chart: ChartModel;
  recent: RecentRow[];
  health: HealthRow[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function budgetBar(label: string, spent: number, budget: number | null, requests: number): BudgetBar {
  const base = { label, spent: formatUsd(spent), requests: plural(requests, 'request') };
  if (budget === null || !Number.isFinite(budget)) {
    return { ...base, budget: 'no budget set', percent: null, percentText: null, level: 'none' };
  }
  const fraction = budget > 0 ? spent / budget : spent > 0 ? Infinity : 0;
  const pct = fraction * 100;
  return {
    ...base,
    budget: `of ${formatUsd(budget)}`,
    percent: Math.max(0, Math.min(100, Number.isFinite(pct) ? pct : 100)),
    percentText: Number.isFinite(pct) ? `${Math.round(pct)} %` : 'over',
    level: fraction >= 1 ? 'over' : fraction >= 0.8 ? 'warn' : 'ok',
  };
}

export function bucketRows(buckets: SpendBucket[], limit = 8): BucketRow[] {
  const sorted = [...buckets].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests);
  const max = sorted.reduce((m, b) => Math.max(m, b.costUsd), 0);
  return sorted.slice(0, limit).map((b) => ({
    key: b.key,
    cost: formatUsd(b.costUsd),
    requests: plural(b.requests, 'request'),
    share: max > 0 ? Math.round((b.costUsd / max) * 100) : 0,
  }));
}

/** Bars for the last 30 days (oldest first), scaled to the largest day; every day gets a hit target. */
export function chartModel(daily: SpendSummary['daily'], width = 300, height = 80, todayDate?: string): ChartModel {
  const days = daily.slice(-30);
  const max = days.reduce((m, d) => Math.max(m, d.costUsd), 0);
  const gap = 2;
  const slot = days.length ? width / days.length : width;
  const bars = days.map((d, i): ChartBar => {
    const h = max > 0 ? Math.max(d.costUsd > 0 ? 1.5 : 0, (d.costUsd / max) * (height - 2)) : 0;
    return {
      x: round(i * slot + gap / 2), y: round(height - h), width: round(Math.max(1, slot - gap)), height: round(h),
      date: d.date, label: `${d.date}: ${formatUsd(d.costUsd)}`, today: d.date === todayDate,
    };
  });
  const total = days.reduce((s, d) => s + d.costUsd, 0);
  const peak = days.find((d) => d.costUsd === max && max > 0);
  return {
    width, height, bars, maxLabel: formatUsd(max),
    description: days.length
      ? `Spend per day over the last ${days.length} days: ${formatUsd(total)} in total${peak ? `, highest ${formatUsd(max)} on ${peak.date}` : ''}.`
      : 'No spend recorded yet.',
    firstDate: days[0]?.date ?? '', lastDate: days[days.length - 1]?.date ?? '',
    empty: max === 0,
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

export function attemptLine(a: Attempt): string {
  const why = [a.reason, a.status ? String(a.status) : ''].filter(Boolean).join(' ');
  return `${a.provider}/${a.model}: ${a.outcome}${why ? ` (${why})` : ''}, ${formatMs(a.elapsedMs)}`;
}

export function recentRow(e: LedgerEntry, now: number): RecentRow {
  const tokens = e.inputTokens === null && e.outputTokens === null ? '—' : `${formatTokens(e.inputTokens)} → ${formatTokens(e.outputTokens)}`;
  const extra = [e.cachedTokens ? `${formatTokens(e.cachedTokens)} cached` : '', e.reasoningTokens ? `${formatTokens(e.reasoningTokens)} reasoning` : ''].filter(Boolean).join(', ');
  return {
    id: e.id,
    time: formatTime(e.time, now),
    ago: formatAgo(e.time, now),
    source: e.source ?? '—',
    rule: e.rule,
    model: e.model ?? '—',
    tokens,
    tokensTitle: `input → output tokens${extra ? ` (${extra})` : ''}`,
    estimated: `≈${formatUsd(e.estimatedCostUsd)}`,
    actual: formatUsd(e.costUsd),
    actualUnknown: e.costUsd === null,
    latency: formatMs(e.totalMs),
    latencyTitle: `total ${formatMs(e.totalMs)}; first token ${formatMs(e.ttftMs)}`,
    status: e.status,
    error: e.error,
    fallback: e.fallbacks > 0 || e.attempts.length > 1
      ? { count: Math.max(e.fallbacks, e.attempts.length - 1), title: `Fell back ${plural(Math.max(e.fallbacks, e.attempts.length - 1), 'time')}:\n${e.attempts.map(attemptLine).join('\n')}` }
      : null,
  };
}

const STATE_TEXT: Record<ProviderHealth['state'], string> = { closed: 'healthy', open: 'circuit open', 'half-open': 'probing' };

export function healthRow(h: ProviderHealth, now: number): HealthRow {
  const until = h.state === 'open' && h.openUntil ? ` until ${formatTime(h.openUntil, now)}` : '';
  return {
    provider: h.provider,
    model: h.model,
    state: h.state,
    stateText: STATE_TEXT[h.state] + until,
    hasKey: h.hasKey,
    keyText: h.hasKey ? 'key set' : 'no key',
    title: `${h.provider}/${h.model}: circuit ${h.state}${until}; ${h.consecutiveFailures} consecutive failure${h.consecutiveFailures === 1 ? '' : 's'}; ${h.hasKey ? 'API key present' : 'no API key'}`,
  };
}

/** Local date `YYYY-MM-DD`, as the ledger's `daily` buckets use. */
export function localDate(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function buildSidebarView(summary: SpendSummary, recent: LedgerEntry[], health: ProviderHealth[], now: number): SidebarView {
  const savings = summary.savingsVsDefaultUsd;
  return {
    empty: summary.requestsMonth === 0 && recent.length === 0,
    noKeys: health.length > 0 && health.every((h) => !h.hasKey),
    today: budgetBar('Today', summary.todayUsd, summary.dailyBudgetUsd, summary.requestsToday),
    month: budgetBar('This month', summary.monthUsd, summary.monthlyBudgetUsd, summary.requestsMonth),
    savings: {
      text: savings >= 0 ? `${formatUsd(savings)} saved` : `${formatUsd(-savings)} more`,
      positive: savings >= 0,
      explanation: 'This month, compared with sending every request to the default tier.',
    },
    unknownNote: summary.unknownCostRequests > 0
      ? `${plural(summary.unknownCostRequests, 'request')} with unknown cost (no usage reported) — not included in the totals.`
      : null,
    byModel: bucketRows(summary.byModel),
    byRule: bucketRows(summary.byRule),
    chart: chartModel(summary.daily, 300, 80, localDate(now)),
    recent: recent.map((e) => recentRow(e, now)),
    health: [...health].sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model)).map((h) => healthRow(h, now)),
  };
}

/** Prepend a live entry to the recent list, without duplicates, keeping at most `limit`. */
export function mergeRecent(recent: LedgerEntry[], entry: LedgerEntry, limit = 50): LedgerEntry[] {
  return [entry, ...recent.filter((e) => e.id !== entry.id)].slice(0, limit);
}
