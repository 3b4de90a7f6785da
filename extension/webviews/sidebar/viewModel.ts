/**
 * The spend sidebar's view model: SpendSummary + conversations + recent ledger rows + provider health → display
 * strings, percentages and chart geometry. The webview only lays these out. No DOM, no `vscode`.
 */
import type { Attempt, ConversationSpend, EscalationBucket, LedgerEntry, ProviderHealth, SpendBucket, SpendSummary } from '../../../shared/protocol';
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
  /** What an agent request carried: "anthropic→openai-chat · 2 tool calls · 1 image"; null when nothing to say. */
  traffic: string | null;
  trafficTitle: string | null;
  /** The cost comes from usage Switchyard counted (a cut stream), not from the provider's report. */
  usageEstimated: boolean;
  /** "asked again: fast → standard" for a request asked again with a stronger model; null otherwise. */
  escalation: string | null;
  /** The answer is marked overkill. */
  overkill: boolean;
}

/** One rule's (or verdict's) escalation rate. */
export interface EscalationRow {
  key: string;
  /** "1 of 4 escalated". */
  rate: string;
  /** "25 %" (escalated ÷ requests). */
  percent: string;
  /** 0–100 for the inline bar. */
  share: number;
  /** "2 marked overkill", or null when none. */
  overkill: string | null;
  title: string;
}

export interface EscalationView {
  /** No escalation and no overkill mark this month. */
  empty: boolean;
  byRule: EscalationRow[];
  byVerdict: EscalationRow[];
}

export interface ConversationRow {
  key: string;
  /** The key shortened for the list; the whole of it is in `title`. */
  label: string;
  client: string;
  cost: string;
  costUnknown: string | null;
  requests: string;
  turns: string;
  toolCalls: string;
  models: string;
  tokens: string;
  tokensTitle: string;
  last: string;
  lastAgo: string;
  errors: number;
  fallbacks: number;
  title: string;
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
  /** Null: the daemon is too old to list conversations. */
  conversations: ConversationRow[] | null;
  recent: RecentRow[];
  health: HealthRow[];
  /** Null: the daemon is too old to count escalations. */
  escalations: EscalationView | null;
}

/** What the host sent, as the webview keeps it. */
export interface SidebarData {
  summary: SpendSummary;
  /** Requests outside any conversation, newest first. */
  recent: LedgerEntry[];
  conversations: ConversationSpend[] | null;
  health: ProviderHealth[];
  now: number;
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
  const extra = [
    e.cachedTokens ? `${formatTokens(e.cachedTokens)} cached` : '',
    e.cacheWriteTokens ? `${formatTokens(e.cacheWriteTokens)} written to the cache` : '',
    e.reasoningTokens ? `${formatTokens(e.reasoningTokens)} reasoning` : '',
    e.usageEstimated ? 'counted by Switchyard, not reported' : '',
  ].filter(Boolean).join(', ');
  const traffic = trafficOf(e);
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
    traffic: traffic.short.length ? traffic.short.join(' · ') : null,
    trafficTitle: traffic.long.length ? traffic.long.join('\n') : null,
    usageEstimated: e.usageEstimated === true,
    escalation: e.escalatedFrom ? (e.rule.startsWith('escalation: ') ? `asked again: ${e.rule.slice('escalation: '.length)}` : 'asked again') : null,
    overkill: e.feedback === 'overkill',
  };
}

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 100) : 0);

/**
 * The rates per rule or verdict: escalated ÷ requests, and overkill marks. Buckets with neither are left out (a
 * rule nobody escalated says nothing here); the most escalated first.
 */
export function escalationRows(buckets: EscalationBucket[], kind: 'rule' | 'verdict', limit = 8): EscalationRow[] {
  return buckets
    .filter((b) => b.escalated > 0 || b.overkill > 0)
    .sort((a, b) => percent(b.escalated, b.requests) - percent(a.escalated, a.requests) || b.escalated - a.escalated || b.overkill - a.overkill || a.key.localeCompare(b.key))
    .slice(0, limit)
    .map((b) => {
      const name = kind === 'rule' ? (b.key === 'default' ? 'default (no rule matched)' : `rule "${b.key}"`) : b.key === 'none' ? 'no classifier verdict' : `verdict "${b.key}"`;
      const overkill = b.overkill ? `${b.overkill} marked overkill` : null;
      return {
        key: b.key,
        rate: `${b.escalated} of ${plural(b.requests, 'request')} escalated`,
        percent: `${percent(b.escalated, b.requests)} %`,
        share: percent(b.escalated, b.requests),
        overkill,
        title: `${name}: ${b.escalated} of ${plural(b.requests, 'request')} this month were asked again with a stronger model${overkill ? `; ${overkill}` : ''}`,
      };
    });
}

export function escalationView(summary: SpendSummary): EscalationView | null {
  if (!summary.escalations) return null;
  const byRule = escalationRows(summary.escalations.byRule, 'rule');
  const byVerdict = escalationRows(summary.escalations.byVerdict, 'verdict');
  return { empty: !byRule.length && !byVerdict.length, byRule, byVerdict };
}

/** The agent facts of one request, short for the row and spelled out for its tooltip. */
function trafficOf(e: LedgerEntry): { short: string[]; long: string[] } {
  const short: string[] = [];
  const long: string[] = [];
  if (e.client) { short.push(e.client); long.push(`client: ${e.client}`); }
  if (e.format) {
    short.push(e.format);
    long.push(e.format.includes('→') ? `translated: ${e.format.replace('→', ' → ')}` : `${e.format}${e.passthrough ? ', passed through as sent' : ''}`);
  }
  const counted: [number | null, string][] = [[e.toolCalls, 'tool call'], [e.toolResults, 'tool result'], [e.images, 'image']];
  for (const [n, word] of counted) {
    if (!n) continue;
    short.push(plural(n, word));
    long.push(word === 'tool call' ? `${plural(n, word)} in the answer` : `${plural(n, word)} in the request`);
  }
  return { short, long };
}

/** Keys as long as a digest or a client's session id are cut to this in the list. */
const KEY_LABEL_CHARS = 14;

export function conversationRow(c: ConversationSpend, now: number): ConversationRow {
  const label = c.key.length > KEY_LABEL_CHARS ? `${c.key.slice(0, KEY_LABEL_CHARS - 1)}…` : c.key;
  const models = c.models.length ? c.models.join(', ') : '—';
  return {
    key: c.key,
    label,
    client: c.client ?? 'unknown client',
    cost: formatUsd(c.costUsd),
    costUnknown: c.unknownCostRequests ? `+${plural(c.unknownCostRequests, 'request')} of unknown cost` : null,
    requests: plural(c.requests, 'request'),
    turns: c.turns === null ? '—' : String(c.turns),
    toolCalls: String(c.toolCalls),
    models,
    tokens: `${formatTokens(c.inputTokens)} → ${formatTokens(c.outputTokens)}`,
    tokensTitle: `input → output tokens${c.cachedTokens ? ` (${formatTokens(c.cachedTokens)} read from the prompt cache)` : ''}`,
    last: formatTime(c.lastTime, now),
    lastAgo: formatAgo(c.lastTime, now),
    errors: c.errors,
    fallbacks: c.fallbacks,
    title: `Conversation ${c.key}\n${c.client ?? 'unknown client'} · ${plural(c.requests, 'request')} since ${formatTime(c.firstTime, now)} · models: ${models}`,
  };
}

/**
 * Count a live ledger row into its conversation (a new one goes first), until the host's debounced list replaces
 * the figures. Rows without a conversation leave the list as it is.
 */
export function mergeConversation(list: ConversationSpend[], e: LedgerEntry): ConversationSpend[] {
  if (!e.conversation) return list;
  const before = list.find((c) => c.key === e.conversation);
  const base: ConversationSpend = before ?? {
    key: e.conversation, firstTime: e.time, lastTime: e.time, requests: 0, costUsd: 0, unknownCostRequests: 0,
    inputTokens: 0, outputTokens: 0, cachedTokens: 0, models: [], client: null, turns: null, toolCalls: 0, fallbacks: 0, errors: 0,
  };
  const merged: ConversationSpend = {
    ...base,
    firstTime: Math.min(base.firstTime, e.time),
    lastTime: Math.max(base.lastTime, e.time),
    requests: base.requests + 1,
    costUsd: base.costUsd + (e.costUsd ?? 0),
    unknownCostRequests: base.unknownCostRequests + (e.costUsd === null ? 1 : 0),
    inputTokens: base.inputTokens + (e.inputTokens ?? 0),
    outputTokens: base.outputTokens + (e.outputTokens ?? 0),
    cachedTokens: base.cachedTokens + (e.cachedTokens ?? 0),
    models: e.model && !base.models.includes(e.model) ? [...base.models, e.model] : base.models,
    client: e.client ?? base.client,
    toolCalls: base.toolCalls + (e.toolCalls ?? 0),
    fallbacks: base.fallbacks + e.fallbacks,
    errors: base.errors + (e.status === 'error' || e.status === 'cut' ? 1 : 0),
  };
  return [merged, ...list.filter((c) => c.key !== e.conversation)];
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

export function buildSidebarView({ summary, recent, conversations, health, now }: SidebarData): SidebarView {
  const savings = summary.savingsVsDefaultUsd;
  return {
    empty: summary.requestsMonth === 0 && recent.length === 0 && !conversations?.length,
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
    conversations: conversations?.map((c) => conversationRow(c, now)) ?? null,
    recent: recent.map((e) => recentRow(e, now)),
    health: [...health].sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model)).map((h) => healthRow(h, now)),
    escalations: escalationView(summary),
  };
}

/** A changed row (its overkill mark) in place of the one listed; a list without it stays as it is. */
export function replaceEntry(list: LedgerEntry[], entry: LedgerEntry): LedgerEntry[] {
  return list.some((e) => e.id === entry.id) ? list.map((e) => (e.id === entry.id ? entry : e)) : list;
}

/** Prepend a live entry to the recent list, without duplicates, keeping at most `limit`. */
export function mergeRecent(recent: LedgerEntry[], entry: LedgerEntry, limit = 50): LedgerEntry[] {
  return [entry, ...recent.filter((e) => e.id !== entry.id)].slice(0, limit);
}
